/**
 * `npm start`'s entry script in a child process on free ports, with its own manifest and database,
 * for end-to-end tests. Resolves once it prints that it is running.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../scripts/free-port.ts";

export type DemoManifest = {
  apiUrl: string;
  storefrontUrl: string;
  operatorToken: string;
  rpcUrl: string;
  chainId: number;
  contracts: { collections: `0x${string}`[] };
  brand: { id: string; name: string; apiKey: string; adminAddress: `0x${string}`; adminPrivateKey: `0x${string}` };
  accounts: Array<{ role: string; address: `0x${string}`; privateKey: `0x${string}`; holdings: Record<string, string> }>;
  perks: Array<{ id: string; title: string }>;
  drops?: Array<{ id: string; title: string; mode: string }>;
  dataRequests?: Array<{ id: string; purpose: string; fields: string[]; perkId: string | null }>;
};

export type DemoProcess = { child: ChildProcess; output: () => string; manifest: DemoManifest; stop: () => Promise<number | null>; cleanup: () => Promise<void> };

export async function startDemo(env: Record<string, string> = {}): Promise<DemoProcess> {
  const dir = await mkdtemp(join(tmpdir(), "stampbook-demo-"));
  const ports = { PORT: await freePort(), CHAIN_PORT: await freePort(), STOREFRONT_PORT: await freePort(), CONSOLE_PORT: await freePort() };
  let output = "";
  const child = spawn(process.execPath, ["scripts/start.ts"], {
    env: {
      ...process.env,
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
      MANIFEST_PATH: join(dir, "demo.json"),
      DATABASE_URL: `sqlite:${join(dir, "demo.sqlite")}`,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const deadline = Date.now() + 90_000;
  while (!output.includes("Press Ctrl-C to stop.")) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`npm start did not come up:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const manifest = JSON.parse(await readFile(join(dir, "demo.json"), "utf8")) as DemoManifest;
  return {
    child,
    output: () => output,
    manifest,
    stop: () => {
      if (child.exitCode !== null) return Promise.resolve(child.exitCode);
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      child.kill("SIGINT");
      return exited;
    },
    cleanup: async () => {
      if (child.exitCode === null) child.kill("SIGKILL");
      await rm(dir, { recursive: true, force: true });
    },
  };
}
