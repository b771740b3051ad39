/**
 * Work in this process, one job at a time: each job starts once the previous one has ended, failed
 * or not. (Across instances, a lease does the same: see leases.ts.)
 */
export type Turns = <T>(job: () => Promise<T>) => Promise<T>;

export function createTurns(): Turns {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(job: () => Promise<T>): Promise<T> => {
    const run = tail.then(job, job);
    tail = run.catch(() => undefined);
    return run;
  };
}
