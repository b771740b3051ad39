/**
 * `npm start` end to end: the real entry script in a child process, on free ports, with its own
 * manifest and database; it compiles first and says so; a member signs in over HTTP and sees the
 * seeded perks, their holdings' names and their level; a redemption's webhook reaches the demo's
 * receiver, which prints it; the demo's token types have names and pictures the API serves; `npm run brand:create` reaches the running deployment; a second run
 * against the same chain and database seeds nothing twice; Ctrl-C stops it; started again it comes
 * back to the same chain (its Delegate Registry too), brands, keys, perks and members' stamps (and
 * says so), with one demo webhook endpoint, not two; `--fresh` starts clean.
 */
import { execFile, spawn } from "node:child_process";
import { promisify } from "node:util";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSiweMessage } from "viem/siwe";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import type { Hex } from "viem";
import { DELEGATE_REGISTRY_ADDRESS } from "../contracts/bindings/index.ts";
import { delegateRegistryRuntimeCode } from "../scripts/demo/delegate-registry.ts";
import { freePort } from "../scripts/free-port.ts";

let dir: string;
let child: ReturnType<typeof spawn>;
let output = "";
let manifest: any;
let env: Record<string, string | undefined>;
// What the first run made, to find again after a restart.
const made: { member?: { token: string; txHash: string; blockHash: string }; acme?: { id: string; apiKey: string; perkId?: string }; head?: number; genesis?: string } = {};

async function rpc(method: string, params: unknown[] = []) {
  const response = await fetch(manifest.rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
  return (await response.json()).result;
}

/** A bearer token for the demo account with `privateKey`, signed in over HTTP. */
async function signIn(privateKey: Hex): Promise<string> {
  const account = privateKeyToAccount(privateKey);
  const grant = await (await fetch(`${manifest.apiUrl}/v1/auth/nonce`)).json();
  const message = createSiweMessage({ ...grant, address: account.address, issuedAt: new Date(grant.issuedAt) });
  const signIn = await fetch(`${manifest.apiUrl}/v1/auth/verify`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ message, signature: await account.signMessage({ message }) }),
  });
  expect(signIn.status).toBe(200);
  return (await signIn.json()).token;
}

/** `npm start` again with the first run's settings (and ports), once it says it runs; its output and manifest. */
async function startAgain(args: string[] = []) {
  let out = "";
  const again = spawn(process.execPath, ["scripts/start.ts", ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  again.stdout!.on("data", (d) => (out += d));
  again.stderr!.on("data", (d) => (out += d));
  const deadline = Date.now() + 90_000;
  while (!out.includes("Press Ctrl-C to stop.")) {
    if (again.exitCode !== null || Date.now() > deadline) {
      again.kill("SIGKILL");
      throw new Error(`npm start ${args.join(" ")} did not come up:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const stop = async () => {
    const exited = new Promise((resolve) => again.once("exit", resolve));
    again.kill("SIGINT");
    return exited;
  };
  return { output: out, manifest: JSON.parse(await readFile(join(dir, "demo.json"), "utf8")), stop };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "stampbook-start-"));
  // Every port chosen here: the console's default (the storefront's + 1) may be any process's.
  const [port, chainPort, storefrontPort, consolePort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  // Its own state folder: the chain's journal, the database, the operator token and the manifest.
  env = { ...process.env, PORT: String(port), CHAIN_PORT: String(chainPort), STOREFRONT_PORT: String(storefrontPort), CONSOLE_PORT: String(consolePort), STAMPBOOK_DIR: dir };
  child = spawn(process.execPath, ["scripts/start.ts"], { env, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const deadline = Date.now() + 90_000;
  while (!output.includes("Press Ctrl-C to stop.")) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`npm start did not come up:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  manifest = JSON.parse(await readFile(join(dir, "demo.json"), "utf8"));
}, 120_000);

afterAll(async () => {
  if (child.exitCode === null) child.kill("SIGKILL");
  await rm(dir, { recursive: true, force: true });
});

describe("npm start", () => {
  it("says it compiles the contracts, and when that is done, before it starts", () => {
    const compiling = output.indexOf("Compiling contracts (the first run takes a minute or two)");
    const compiled = output.search(/^Compiled in \d+ s$/m);
    expect(compiling, output).toBeGreaterThanOrEqual(0);
    expect(compiled).toBeGreaterThan(compiling);
    expect(output.indexOf("Stampbook is running.")).toBeGreaterThan(compiled);
  });

  it("prints where everything runs and writes the manifest", () => {
    expect(output).toContain(manifest.apiUrl);
    expect(output).toContain(manifest.rpcUrl);
    expect(manifest).toMatchObject({ chainId: 31337, contracts: { collections: [expect.stringMatching(/^0x[0-9a-fA-F]{40}$/)] } });
    expect(manifest.accounts).toHaveLength(4);
    expect(manifest.perks.length).toBeGreaterThanOrEqual(5);
    expect(manifest.brand.apiKey).toMatch(/^sbk_/);
    expect(manifest.drops.map((d: any) => d.mode)).toEqual(["mint", "voucher"]);
    for (const d of manifest.drops) expect(output).toContain(d.id);
    expect(manifest.webhookReceiverUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/webhooks$/);
    expect(output).toContain(`\n  webhooks   ${manifest.webhookReceiverUrl}   (the brand's "Local demo receiver" endpoint: verified events appear in this console)\n`);
  });

  it("serves the seeded demo: a gold member signs in and sees which perks unlock", async () => {
    const gold = manifest.accounts.find((a: any) => a.holdings.gold === "1");
    const token = await signIn(gold.privateKey as Hex);

    const perks = await (await fetch(`${manifest.apiUrl}/v1/perks`, { headers: { authorization: `Bearer ${token}` } })).json();
    const byTitle = Object.fromEntries(perks.items.map((p: any) => [p.title, p]));
    expect(byTitle["Free coffee for Gold members"]).toMatchObject({ eligible: true, status: "open" });
    expect(byTitle["10% off for stamp collectors"]).toMatchObject({ eligible: true });
    expect(byTitle["Founders' lounge"]).toMatchObject({ eligible: false });
    expect(byTitle["Holiday blend preview"]).toMatchObject({ status: "upcoming" });

    const me = await (await fetch(`${manifest.apiUrl}/v1/me`, { headers: { authorization: `Bearer ${token}` } })).json();
    expect(me.collections[0].holdings.map((h: any) => [h.tokenId, h.balance])).toEqual([["1", "1"], ["3", "3"], ["4", "2"]]);
    // Named, pictured, and counted: 100 (Gold) + 3 x 10 (stamps) + 2 x 5 (vouchers) points.
    expect(me.collections[0].holdings.map((h: any) => h.name)).toEqual(["Gold membership", "Journey stamp", "Coffee voucher"]);
    for (const h of me.collections[0].holdings) expect(h.image).toMatch(/^http:\/\/.+\/image/);
    expect(me.loyalty).toEqual([expect.objectContaining({ brandId: manifest.brand.id, points: "140", level: expect.objectContaining({ key: "silver", name: "Silver" }), next: expect.objectContaining({ key: "reserve", pointsToGo: "160" }) })]);
    expect(byTitle["Silver tasting flight"]).toMatchObject({ eligible: true });
    expect(byTitle["Reserve roastery dinner"]).toMatchObject({ eligible: false, reasons: [expect.objectContaining({ code: "level_too_low", message: "needs the Reserve level (300 points), you have 140 points" })] });
    expect(byTitle["Founders' lounge"].reasons.map((r: any) => r.message)).toEqual(["needs a Lifetime membership", "needs a Founder badge"]);
  });

  it("registers the demo's receiver as the brand's endpoint, and prints a member's redemption when its webhook arrives", async () => {
    const { items } = await (await fetch(`${manifest.apiUrl}/v1/admin/webhooks`, { headers: { authorization: `Bearer ${manifest.brand.apiKey}` } })).json();
    expect(items).toEqual([expect.objectContaining({ url: manifest.webhookReceiverUrl, description: "Local demo receiver", enabled: true })]);
    expect(items[0].events).toContain("redemption.created");
    expect(items[0].events).not.toContain("webhook.test");

    const gold = manifest.accounts.find((a: any) => a.holdings.gold === "1");
    const token = await signIn(gold.privateKey);
    const perk = manifest.perks.find((p: any) => p.title === "Free coffee for Gold members");
    const redeemed = await fetch(`${manifest.apiUrl}/v1/perks/${perk.id}/redeem`, { method: "POST", headers: { authorization: `Bearer ${token}`, "idempotency-key": "webhook-demo-1" } });
    expect(redeemed.status).toBe(201);
    // The member's address shortened, in whichever case the message carries it.
    const line = new RegExp(`^webhook  redemption\\.created +msg_\\w+  Demo Coffee Club: ${gold.address.slice(0, 6)}…${gold.address.slice(-4)} redeemed "Free coffee for Gold members"$`, "im");
    const deadline = Date.now() + 15_000;
    while (!line.test(output) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(output).toMatch(line);
  });

  it("names and pictures every demo token type: the chain's uri points at the API's ERC-1155 metadata", async () => {
    const collection = manifest.contracts.collections[0].toLowerCase();
    const uri = await fetch(manifest.rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      // uri(6): the selector of uri(uint256), then the id.
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_call", params: [{ to: collection, data: `0x0e89341c${(6).toString(16).padStart(64, "0")}` }, "latest"] }),
    });
    const hex = (await uri.json()).result as string;
    expect(Buffer.from(hex.slice(2), "hex").toString("utf8")).toContain(`${manifest.apiUrl}/v1/metadata/${collection}/{id}`);
    for (const t of manifest.tokenTypes) {
      const metadata = await (await fetch(`${manifest.apiUrl}/v1/metadata/${collection}/${BigInt(t.tokenId).toString(16).padStart(64, "0")}`)).json();
      expect(metadata).toMatchObject({ name: t.name, description: expect.any(String), image: expect.stringMatching(/^http/) });
      const image = await fetch(metadata.image);
      expect(image.headers.get("content-type")).toBe("image/png");
      expect((await image.arrayBuffer()).byteLength).toBeLessThan(20_000);
    }
    const { levels } = await (await fetch(`${manifest.apiUrl}/v1/brands/${manifest.brand.id}/levels`)).json();
    expect(levels.map((l: any) => [l.name, l.minPoints])).toEqual([["Green", 0], ["Silver", 100], ["Reserve", 300]]);
    expect(manifest.journeys.map((j: any) => j.title)).toEqual(["Coffee 101", "Visit a store", "Latte lover", "Bring a friend"]);
    expect(output).toContain("code BEANS-2026");
  });

  it("a brand-new wallet with no ETH claims the seeded welcome stamp: the brand mints it", async () => {
    const key = generatePrivateKey();
    const account = privateKeyToAccount(key);
    const token = await signIn(key);
    const welcome = manifest.drops.find((d: any) => d.mode === "mint");
    const claim = await fetch(`${manifest.apiUrl}/v1/drops/${welcome.id}/claim`, { method: "POST", headers: { authorization: `Bearer ${token}`, "idempotency-key": "welcome-1" } });
    expect(claim.status).toBe(201);
    const claimed = await claim.json();
    expect(claimed).toMatchObject({ status: "minted", tokenId: "3", amount: "1", txHash: expect.stringMatching(/^0x[0-9a-f]{64}$/) });
    made.member = { token, txHash: claimed.txHash, blockHash: (await rpc("eth_getTransactionReceipt", [claimed.txHash])).blockHash };
    const me = await (await fetch(`${manifest.apiUrl}/v1/me`, { headers: { authorization: `Bearer ${token}` } })).json();
    expect(me.collections[0].holdings.map((h: any) => [h.tokenId, h.balance])).toEqual([["3", "1"]]);
    const balance = await fetch(manifest.rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_getBalance", params: [account.address, "latest"] }),
    });
    expect((await balance.json()).result).toBe("0x0");
  });

  it("seeds the brand as a brand would: the collection registered with its admin's signature, its own minter", async () => {
    const headers = { authorization: `Bearer ${manifest.brand.apiKey}` };
    const collections = await (await fetch(`${manifest.apiUrl}/v1/admin/collections`, { headers })).json();
    expect(collections.items).toEqual([expect.objectContaining({ collection: manifest.contracts.collections[0], admin: manifest.brand.adminAddress })]);
    const { minter } = await (await fetch(`${manifest.apiUrl}/v1/admin/minter`, { headers })).json();
    expect(minter).toMatchObject({ address: manifest.brand.minterAddress, source: "generated", collections: [{ canMint: true }] });
    expect(minter.address).not.toBe(manifest.brand.adminAddress);
  });

  it("npm run brand:create reaches the running deployment and prints a working key, once", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ["scripts/create-brand.ts", "Acme", "Coffee"], { env: { ...process.env, MANIFEST_PATH: join(dir, "demo.json") } });
    const created = JSON.parse(stdout);
    expect(created).toMatchObject({ name: "Acme Coffee", apiUrl: manifest.apiUrl, apiKey: expect.stringMatching(/^sbk_/) });
    const perks = await fetch(`${manifest.apiUrl}/v1/admin/perks`, { headers: { authorization: `Bearer ${created.apiKey}` } });
    expect(perks.status).toBe(200);
    expect((await perks.json()).items).toEqual([]);
    const brands = await (await fetch(`${manifest.apiUrl}/v1/operator/brands`, { headers: { authorization: `Bearer ${manifest.operatorToken}` } })).json();
    expect(brands.items.map((b: any) => b.name)).toEqual(["Demo Coffee Club", "Acme Coffee"]);
    made.acme = { id: created.brandId, apiKey: created.apiKey };
  });

  it("the new brand makes a perk of its own", async () => {
    const perk = await fetch(`${manifest.apiUrl}/v1/admin/perks`, {
      method: "POST",
      headers: { authorization: `Bearer ${made.acme!.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ title: "Acme welcome", description: "For everyone.", rule: { type: "points", min: 1 }, limits: {} }),
    });
    const body = await perk.json();
    expect(perk.status, JSON.stringify(body)).toBe(201);
    made.acme!.perkId = body.id;
  });

  it("brand:create without a deployment to reach says how to name one, and changes nothing", async () => {
    const run = promisify(execFile)(process.execPath, ["scripts/create-brand.ts", "Nobody"], { env: { ...process.env, MANIFEST_PATH: join(dir, "missing.json"), STAMPBOOK_API_URL: "", OPERATOR_TOKEN: "" } });
    await expect(run).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining("STAMPBOOK_API_URL and OPERATOR_TOKEN") });
  });

  it("run again against the same chain and database, it finds the demo and seeds nothing twice", async () => {
    const [port, storefrontPort, consolePort] = [await freePort(), await freePort(), await freePort()];
    let again = "";
    const second = spawn(process.execPath, ["scripts/start.ts"], {
      env: { ...process.env, PORT: String(port), STOREFRONT_PORT: String(storefrontPort), CONSOLE_PORT: String(consolePort), RPC_URL: manifest.rpcUrl, MANIFEST_PATH: join(dir, "again.json"), DATABASE_URL: `sqlite:${join(dir, "demo.sqlite")}` },
      stdio: ["ignore", "pipe", "pipe"],
    });
    second.stdout!.on("data", (d) => (again += d));
    second.stderr!.on("data", (d) => (again += d));
    try {
      const deadline = Date.now() + 90_000;
      while (!again.includes("Press Ctrl-C to stop.")) {
        if (second.exitCode !== null || Date.now() > deadline) throw new Error(`the second npm start did not come up:\n${again}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      const rerun = JSON.parse(await readFile(join(dir, "again.json"), "utf8"));
      expect(rerun.contracts.collections).toEqual(manifest.contracts.collections);
      expect(rerun.brand.id).toBe(manifest.brand.id);
      expect(rerun.brand.minterAddress).toBe(manifest.brand.minterAddress);
      expect(rerun.perks).toEqual(manifest.perks);
      expect(rerun.drops).toEqual(manifest.drops);
      expect(rerun.journeys).toEqual(manifest.journeys);
      expect(rerun.levels).toEqual(manifest.levels);
      const brands = await (await fetch(`${rerun.apiUrl}/v1/operator/brands`, { headers: { authorization: `Bearer ${rerun.operatorToken}` } })).json();
      expect(brands.items.filter((b: any) => b.name === "Demo Coffee Club")).toHaveLength(1);
      const perks = await (await fetch(`${rerun.apiUrl}/v1/admin/perks`, { headers: { authorization: `Bearer ${rerun.brand.apiKey}` } })).json();
      expect(perks.items).toHaveLength(manifest.perks.length);
    } finally {
      second.kill("SIGKILL");
    }
  });

  it("stops everything on Ctrl-C (SIGINT)", async () => {
    made.head = Number(await rpc("eth_blockNumber"));
    made.genesis = (await rpc("eth_getBlockByNumber", ["0x0", false])).hash;
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGINT");
    expect(await exited).toBe(0);
    await expect(fetch(`${manifest.apiUrl}/healthz`)).rejects.toThrow();
    await expect(fetch(manifest.rpcUrl, { method: "POST", body: "{}" })).rejects.toThrow();
  });

  it("started again, comes back to the same chain, brands, keys, perks and members, and says so", async () => {
    const again = await startAgain();
    try {
      expect(again.output).toMatch(new RegExp(`^Restored the local chain \\(${made.head} blocks, in [\\d.]+ s\\) and the demo's data from .+ — \`npm start -- --fresh\` starts clean$`, "m"));
      // Not seeded again: the same brand, key, minter, perks and operator token.
      expect(again.manifest).toMatchObject({ operatorToken: manifest.operatorToken, brand: manifest.brand, contracts: manifest.contracts, perks: manifest.perks, drops: manifest.drops, journeys: manifest.journeys });
      const as = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
      expect((await fetch(`${manifest.apiUrl}/v1/admin/minter`, as(manifest.brand.apiKey))).status).toBe(200);
      const brands = await (await fetch(`${manifest.apiUrl}/v1/operator/brands`, as(manifest.operatorToken))).json();
      expect(brands.items.map((b: any) => [b.name, b.id])).toEqual([["Demo Coffee Club", manifest.brand.id], ["Acme Coffee", made.acme!.id]]);
      const perks = await (await fetch(`${manifest.apiUrl}/v1/admin/perks`, as(made.acme!.apiKey))).json();
      expect(perks.items.map((p: any) => p.id)).toEqual([made.acme!.perkId]);
      // The member is still signed in and holds their stamp; its transaction is in the same block.
      const me = await fetch(`${manifest.apiUrl}/v1/me`, as(made.member!.token));
      expect(me.status).toBe(200);
      expect((await me.json()).collections[0].holdings.map((h: any) => [h.tokenId, h.balance])).toEqual([["3", "1"]]);
      expect(await rpc("eth_getTransactionReceipt", [made.member!.txHash])).toMatchObject({ status: "0x1", blockHash: made.member!.blockHash });
      expect((await rpc("eth_getBlockByNumber", ["0x0", false])).hash).toBe(made.genesis);
      // The Delegate Registry the first run put on the chain is there too.
      expect(await rpc("eth_getCode", [DELEGATE_REGISTRY_ADDRESS, "latest"])).toBe(await delegateRegistryRuntimeCode());
      // The demo's receiver registered again, in place of the last run's endpoint (its secret went with that run).
      const webhooks = await (await fetch(`${manifest.apiUrl}/v1/admin/webhooks`, as(manifest.brand.apiKey))).json();
      expect(webhooks.items.map((e: any) => [e.description, e.url])).toEqual([["Local demo receiver", again.manifest.webhookReceiverUrl]]);
      expect(again.output).toContain(`  webhooks   ${again.manifest.webhookReceiverUrl}   `);
    } finally {
      expect(await again.stop()).toBe(0);
    }
  });

  it("npm start -- --fresh starts clean: a new chain and demo, the old credentials refused", async () => {
    const clean = await startAgain(["--fresh"]);
    try {
      expect(clean.output).toContain("Starting clean (--fresh)");
      expect(clean.output).not.toContain("Restored the local chain");
      expect(clean.manifest.brand.id).not.toBe(manifest.brand.id);
      expect(clean.manifest.operatorToken).not.toBe(manifest.operatorToken);
      expect((await rpc("eth_getBlockByNumber", ["0x0", false])).hash).not.toBe(made.genesis);
      expect(await rpc("eth_getTransactionReceipt", [made.member!.txHash])).toBeNull();
      expect((await fetch(`${manifest.apiUrl}/v1/operator/brands`, { headers: { authorization: `Bearer ${manifest.operatorToken}` } })).status).toBe(401);
      expect((await fetch(`${manifest.apiUrl}/v1/me`, { headers: { authorization: `Bearer ${made.member!.token}` } })).status).toBe(401);
    } finally {
      expect(await clean.stop()).toBe(0);
    }
  });
});
