/**
 * The built Next.js example (scripts/build-next-example.ts) served by `next start` in a child process
 * on 127.0.0.1, configured for a demo deployment through its environment. Resolves once it answers.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { NEXT_EXAMPLE, REPOSITORY } from "../../scripts/build-next-example.ts";

export type NextExample = { url: string; output: () => string; stop: () => Promise<void> };

export async function startNextExample(options: { port: number; env: Record<string, string> }): Promise<NextExample> {
  let output = "";
  const child = spawn(process.execPath, [join(REPOSITORY, "node_modules/next/dist/bin/next"), "start", NEXT_EXAMPLE, "--hostname", "127.0.0.1", "--port", String(options.port)], {
    cwd: REPOSITORY,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const url = `http://127.0.0.1:${options.port}`;
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`next start did not come up:\n${output}`);
    }
    const answered = await fetch(url, { method: "HEAD" }).then(() => true, () => false);
    if (answered) return { url, output: () => output, stop };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
