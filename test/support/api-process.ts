/**
 * The API as its own OS process (`node server/main.ts`, configured by environment variables) and a
 * small HTTP client for it, for tests that run several instances side by side the way a deployment
 * does. Answers have the shape test/support/problems.ts's `expectProblem` reads.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { Agent, request as httpRequest } from "node:http";
import { freePort } from "../../scripts/free-port.ts";

export type ApiAnswer = { statusCode: number; headers: Record<string, string | string[] | undefined>; body: string; json: () => any };

export type ApiProcess = {
  name: string;
  port: number;
  /** http://127.0.0.1:<port> */
  url: string;
  child: ChildProcess;
  /** Everything the process printed so far (stdout and stderr). */
  output: () => string;
  /** One request; `token` goes out as a bearer token, `body` as JSON. */
  call: (method: string, path: string, options?: { token?: string; body?: unknown; headers?: Record<string, string> }) => Promise<ApiAnswer>;
  /** SIGTERM, then SIGKILL if it has not exited within 5 s. */
  stop: () => Promise<void>;
};

/**
 * Starts `node server/main.ts` with `env` on top of this process's environment (PORT and PUBLIC_URL
 * default to a free port of its own) and resolves once /healthz answers.
 */
export async function startApiProcess(name: string, env: Record<string, string>, options: { timeoutMs?: number } = {}): Promise<ApiProcess> {
  const port = env.PORT === undefined ? await freePort() : Number(env.PORT);
  const url = `http://127.0.0.1:${port}`;
  let output = "";
  // process.execPath is the Node 24 that runs vitest (npx puts the project's `node` first); it runs
  // the .ts entry directly.
  const child = spawn(process.execPath, ["server/main.ts"], {
    env: { ...process.env, PUBLIC_URL: `http://localhost:${port}`, ...env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const agent = new Agent({ keepAlive: true, maxSockets: 128 });
  const call: ApiProcess["call"] = (method, path, o = {}) =>
    new Promise((resolve, reject) => {
      const payload = o.body === undefined ? undefined : JSON.stringify(o.body);
      const headers: Record<string, string> = { ...o.headers };
      if (o.token !== undefined) headers.authorization = `Bearer ${o.token}`;
      if (payload !== undefined) headers["content-type"] = "application/json";
      const req = httpRequest(`${url}${path}`, { agent, method, headers }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => (body += chunk));
        res.on("end", () => resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body) }));
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end(payload);
    });

  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} (server/main.ts) exited with ${child.exitCode}:\n${output}`);
    if (await call("GET", "/healthz").then((r) => r.statusCode === 200, () => false)) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`${name} (server/main.ts) did not answer /healthz:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    name,
    port,
    url,
    child,
    output: () => output,
    call,
    async stop() {
      agent.destroy();
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Runs `task(i)` for every i in [0, n) with at most `limit` in flight. */
export async function inParallel(n: number, limit: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, n) }, async () => {
      while (next < n) await task(next++);
    }),
  );
}
