/**
 * Where tests find PostgreSQL and Redis. A vitest global setup (test/support/global-setup.ts) makes a
 * throwaway database for the run on the PostgreSQL at TEST_POSTGRES_URL (default
 * postgres://postgres@127.0.0.1:5432/test) and checks the Redis at TEST_REDIS_URL (default
 * redis://127.0.0.1:6379). Where they cannot be reached the tests that need them are skipped with one
 * loud line saying so; under CI=true an unreachable service fails the run instead (global-setup.ts).
 */
import { randomUUID } from "node:crypto";
import { inject } from "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    /** The run's throwaway PostgreSQL database, or null when PostgreSQL cannot be reached. */
    postgresUrl: string | null;
    /** The Redis to use, or null when it cannot be reached. */
    redisUrl: string | null;
  }
}

export const DEFAULT_TEST_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test";
export const DEFAULT_TEST_REDIS_URL = "redis://127.0.0.1:6379";

/** Why a service's tests may skip, said in their names (`describe.skipIf(url === null)(\`… (${POSTGRES_SKIPS})\`)`). */
export const POSTGRES_SKIPS = "skipped only where PostgreSQL is not reachable at TEST_POSTGRES_URL and CI is not set";
export const REDIS_SKIPS = "skipped only where Redis is not reachable at TEST_REDIS_URL and CI is not set";

function loud(message: string): void {
  console.warn(`\n${"!".repeat(100)}\nSKIPPED: ${message}\n${"!".repeat(100)}\n`);
}

/** The run's PostgreSQL database URL, or null (after one loud line) when the tests must skip. */
export function postgresForTests(what: string): string | null {
  const url = inject("postgresUrl");
  if (url === null) loud(`${what}: PostgreSQL is not reachable at ${process.env.TEST_POSTGRES_URL ?? DEFAULT_TEST_POSTGRES_URL} (set TEST_POSTGRES_URL).`);
  return url;
}

/** The Redis URL, or null (after one loud line) when the tests must skip. */
export function redisForTests(what: string): string | null {
  const url = inject("redisUrl");
  if (url === null) loud(`${what}: Redis is not reachable at ${process.env.TEST_REDIS_URL ?? DEFAULT_TEST_REDIS_URL} (set TEST_REDIS_URL).`);
  return url;
}

/** A new schema name, so that every store a test opens starts empty. */
export function freshSchema(): string {
  return `t_${randomUUID().replaceAll("-", "").slice(0, 20)}`;
}
