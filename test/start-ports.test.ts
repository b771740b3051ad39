/**
 * A second `npm start` whose ports are taken leaves the running demo alone: it stops before it
 * compiles, starts or changes anything, with one line per taken port naming the variable to change.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type AddressInfo, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../scripts/free-port.ts";

let dir: string;
const database = "the running demo's data";
const manifest = '{"the":"running demo"}\n';
const servers: Server[] = [];

/** A port something else listens on. */
async function occupiedPort(): Promise<number> {
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

function start(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ["scripts/start.ts"], {
    env: { ...process.env, MANIFEST_PATH: join(dir, "demo.json"), DATABASE_URL: `sqlite:${join(dir, "demo.sqlite")}`, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  return new Promise((resolve) => child.once("close", (code) => resolve({ code, output })));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "stampbook-ports-"));
  await writeFile(join(dir, "demo.sqlite"), database);
  await writeFile(join(dir, "demo.json"), manifest);
});

afterAll(async () => {
  for (const server of servers) server.close();
  await rm(dir, { recursive: true, force: true });
});

describe("npm start with ports in use", () => {
  it("names each taken port's variable, exits 1 and changes nothing", async () => {
    const [port, chainPort, storefrontPort] = [await occupiedPort(), await occupiedPort(), await freePort()];
    const { code, output } = await start({ PORT: String(port), CHAIN_PORT: String(chainPort), STOREFRONT_PORT: String(storefrontPort), CONSOLE_PORT: String(await freePort()) });

    expect(code, output).toBe(1);
    expect(output.trim().split("\n")).toEqual([
      expect.stringMatching(new RegExp(`^Port ${chainPort} \\(CHAIN_PORT, the local chain\\) is in use: .*, e\\.g\\. CHAIN_PORT=\\d+ npm start$`)),
      expect.stringMatching(new RegExp(`^Port ${port} \\(PORT, the API\\) is in use: .*, e\\.g\\. PORT=\\d+ npm start$`)),
    ]);
    expect(await readFile(join(dir, "demo.sqlite"), "utf8")).toBe(database);
    expect(await readFile(join(dir, "demo.json"), "utf8")).toBe(manifest);
  });

  it("suggests ports that are free and not the others'", async () => {
    const [port, storefrontPort] = [await occupiedPort(), await occupiedPort()];
    const { output } = await start({ PORT: String(port), STOREFRONT_PORT: String(storefrontPort), CONSOLE_PORT: String(await freePort()), RPC_URL: "http://127.0.0.1:9" });
    const suggested = [...output.matchAll(/e\.g\. \w+=(\d+) npm start/g)].map((m) => Number(m[1]));
    expect(suggested).toHaveLength(2);
    expect(new Set([...suggested, port, storefrontPort]).size).toBe(4);
  });

  it("refuses one port given to two servers", async () => {
    const port = await freePort();
    const { code, output } = await start({ PORT: String(port), STOREFRONT_PORT: String(port), CHAIN_PORT: String(await freePort()), CONSOLE_PORT: String(await freePort()) });
    expect(code, output).toBe(1);
    expect(output).toMatch(new RegExp(`^Port ${port} is set for both PORT \\(the API\\) and STOREFRONT_PORT \\(the storefront\\): .*STOREFRONT_PORT=\\d+ npm start$`, "m"));
    expect(await readFile(join(dir, "demo.sqlite"), "utf8")).toBe(database);
  });
});
