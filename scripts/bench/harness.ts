/** What the API benchmarks share: a light keep-alive HTTP client, running tasks n at a time, stopping a child process. */
import type { ChildProcess } from "node:child_process";
import { Agent, request as httpRequest } from "node:http";

export type CallOptions = { method?: string; headers?: Record<string, string>; body?: string };

/** A keep-alive client much lighter than fetch, so the timed phases measure the server, not the client. */
export function keepAliveClient(sockets: number): (url: string, options?: CallOptions) => Promise<{ status: number; body: string }> {
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  return (url, options = {}) =>
    new Promise((resolve, reject) => {
      const req = httpRequest(url, { agent, method: options.method ?? "GET", headers: { ...options.headers, ...(options.body ? { "content-type": "application/json" } : {}) } }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on("error", reject);
      req.end(options.body);
    });
}

/** Runs `task` for 0..n-1, `limit` at a time; resolves to the seconds it took. */
export async function timed(n: number, limit: number, task: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < n) await task(next++);
    }),
  );
  return (performance.now() - start) / 1000;
}

/** SIGTERM, then SIGKILL after 10 s; resolves once the process exited. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}
