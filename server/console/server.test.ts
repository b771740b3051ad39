import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startConsole } from "./server.ts";

const ARTIFACT = new URL("../../artifacts/contracts/StampbookCollection.sol/StampbookCollection.json", import.meta.url);
let server: Awaited<ReturnType<typeof startConsole>>;

beforeAll(async () => {
  server = await startConsole({ host: "127.0.0.1", port: 0, config: { apiUrl: "http://localhost:1", chainId: 31337, rpcUrl: "http://127.0.0.1:2", brandId: null, brandName: "Stampbook" } });
}, 30_000);
afterAll(() => server?.close());

describe("the console's bundle", () => {
  it("carries the compiled collection's creation bytecode (the generated binding, the artifact's own), so the page can deploy one", async () => {
    const { bytecode, deployedBytecode } = JSON.parse(await readFile(ARTIFACT, "utf8")) as { bytecode: string; deployedBytecode: string };
    const app = await (await fetch(`http://127.0.0.1:${server.port}/app.js`)).text();
    expect(app).toContain(bytecode);
    // Only what deploying needs: not the runtime code, nor the rest of the artifact.
    expect(app.split(deployedBytecode.slice(2, 2_000)).length - 1).toBe(1);
    expect(app).not.toContain("sourceName");
  });
});
