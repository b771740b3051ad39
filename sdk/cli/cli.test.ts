/**
 * The CLI against a real local chain (Hardhat's, served over HTTP in this process) and a real API
 * listening on a port: from an empty chain to a member's redemption exported as CSV.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
import { network } from "hardhat";
import { createPublicClient, getAddress, http, parseEther, type Address, type PublicClient } from "viem";
import { generatePrivateKey } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MINTER_ROLE, stampbookCollectionAbi } from "../../contracts/bindings/index.ts";
import { build } from "../../server/app.ts";
import { createBrand, issueApiKey } from "../../server/brands/accounts.ts";
import { loadConfig } from "../../server/config.ts";
import { SqliteStore } from "../../server/storage/index.ts";
import { TEST_MINTER_KEY_SECRET } from "../../test/support/server.ts";
import { siweSignIn, viaInject } from "../../test/support/siwe.ts";
import { devAccount } from "../../scripts/demo/accounts.ts";
import { freePort } from "../../scripts/free-port.ts";
import { run } from "./run.ts";

const EXPLORER = "https://explorer.example";
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const GOLD_PICTURE = fileURLToPath(new URL("../../scripts/demo/images/gold-membership.png", import.meta.url));

describe("stampbook CLI", () => {
  let chainServer: Awaited<ReturnType<typeof network.createServer>>;
  let rpc: string;
  let client: PublicClient;
  let app: FastifyInstance;
  let store: ReturnType<typeof SqliteStore.open>;
  let api: string;
  let apiKey: string;
  let dir: string;
  let env: Record<string, string>;
  const admin = devAccount(0);
  const members = [1, 2, 3, 4].map((i) => devAccount(i).account.address);
  let collection: Address;

  /** One command line, in this process, with `extraEnv` on top of the test's environment. */
  async function cli(args: string[], extraEnv: Record<string, string> = {}) {
    let stdout = "";
    let stderr = "";
    const code = await run(args, {
      env: { ...env, ...extraEnv },
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      cwd: dir,
      // No keystore here: keys come from the environment.
      readSecret: async () => undefined,
    });
    return { code, stdout, stderr, json: () => JSON.parse(stdout) };
  }

  const read = <N extends "balanceOf" | "hasRole" | "issuingMinter" | "uri" | "name">(functionName: N, args: readonly unknown[] = []) =>
    client.readContract({ address: collection, abi: stampbookCollectionAbi, functionName, args } as never) as Promise<any>;

  beforeAll(async () => {
    chainServer = await network.createServer("default", "127.0.0.1", await freePort());
    const { port } = await chainServer.listen();
    rpc = `http://127.0.0.1:${port}`;
    client = createPublicClient({ transport: http(rpc) }) as PublicClient;

    const apiPort = await freePort();
    api = `http://127.0.0.1:${apiPort}`;
    const config = loadConfig({
      PUBLIC_URL: api,
      DATABASE_URL: "sqlite::memory:",
      OWNERSHIP_CACHE_MS: "0",
      AUTH_RATE_LIMIT_PER_MINUTE: "100000",
      CLAIM_SWEEP_MS: "86400000",
      MINTER_KEY_SECRET: TEST_MINTER_KEY_SECRET,
    });
    store = SqliteStore.open(":memory:");
    app = await build({ config, store, client, logger: false });
    const brand = await createBrand(store, "CLI Coffee");
    apiKey = (await issueApiKey(store, brand.id, "cli")).key;
    await app.listen({ port: apiPort, host: "127.0.0.1" });

    dir = await mkdtemp(join(tmpdir(), "stampbook-cli-"));
    env = { STAMPBOOK_DEPLOYER_KEY: admin.privateKey, STAMPBOOK_API_KEY: apiKey, EXPLORER_URL: EXPLORER };
  });

  afterAll(async () => {
    await app?.close();
    await store?.close();
    await chainServer?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("deploys a collection with the deployer key from the environment", async () => {
    const out = await cli(["collection", "deploy", "--rpc", rpc, "--name", "CLI Coffee Club", "--symbol", "CCC", "--royalty-bps", "250", "--json"]);
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    const result = out.json();
    collection = getAddress(result.collection);
    expect(result).toMatchObject({ chainId: 31337, name: "CLI Coffee Club", symbol: "CCC", royaltyBps: 250, admin: admin.account.address, treasury: admin.account.address });
    expect(result.transaction.url).toBe(`${EXPLORER}/tx/${result.transaction.hash}`);
    expect(await read("name")).toBe("CLI Coffee Club");
  });

  it("refuses a key given as a flag, and sends nothing", async () => {
    const nonce = await client.getTransactionCount({ address: admin.account.address });
    const out = await cli(["collection", "deploy", "--rpc", rpc, "--private-key", admin.privateKey]);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/--private-key is refused: a secret typed on the command line is kept in your shell's history/);
    expect(out.stderr).toContain("npx hardhat keystore set STAMPBOOK_DEPLOYER_KEY");

    // The real entry point (as npx runs it) says the same and exits 2; the key is not in the environment.
    const child = spawn(process.execPath, [join(ROOT, "sdk/cli/main.ts"), "collection", "deploy", "--rpc", rpc, `--private-key=${admin.privateKey}`], { env: { PATH: process.env.PATH ?? "" } });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const code = await new Promise((resolve) => child.once("exit", resolve));
    expect(stderr).toContain("--private-key is refused");
    expect(code).toBe(2);
    expect(await client.getTransactionCount({ address: admin.account.address })).toBe(nonce);
  });

  it("registers the collection for the brand, signed by its admin", async () => {
    const out = await cli(["collection", "register", "--api", api, "--collection", collection]);
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`Registered ${collection} for brand "CLI Coffee"`);
    const again = await cli(["collection", "register", "--api", api, "--collection", collection, "--json"]);
    expect(again.json()).toMatchObject({ collection, created: false });
  });

  it("prints an API problem as title: detail (code)", async () => {
    const out = await cli(["collection", "register", "--api", api, "--collection", collection], { STAMPBOOK_API_KEY: "sbk_not_a_key" });
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/^stampbook: GET \/v1\/admin\/collections\/registration\?collection=0x[0-9a-fA-F]{40}: .+ \(unauthenticated\)\n$/);
  });

  it("creates token types with their names, picture and the API's metadata URI", async () => {
    const gold = await cli([
      "type", "create", "--rpc", rpc, "--api", api, "--collection", collection, "--kind", "membership", "--duration", "30d", "--price", "0.001", "--points", "100",
      "--name", "Gold membership", "--description", "Member prices and a free coffee.", "--image", GOLD_PICTURE, "--json",
    ]);
    expect(gold.stderr).toBe("");
    expect(gold.code).toBe(0);
    expect(gold.json()).toMatchObject({ tokenId: "1", kind: "membership", duration: 30 * 86_400, renewalPrice: parseEther("0.001").toString(), metadata: { name: "Gold membership" } });
    expect(gold.json().metadata.image).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/metadata\/0x[0-9a-f]{40}\/1\/image\?v=/);
    expect(await read("uri", [1n])).toBe(`${api}/v1/metadata/${collection.toLowerCase()}/{id}`);

    const stamp = await cli(["type", "create", "--rpc", rpc, "--api", api, "--collection", collection, "--kind", "collectible", "--max-supply", "5", "--points", "10", "--name", "Journey stamp"]);
    expect(stamp.code).toBe(0);
    expect(stamp.stdout).toContain("Created token type 2 on");
    expect(stamp.stdout).toContain("collectible, at most 5 units, 10 points a unit; transaction 0x");
    expect(stamp.stdout).toContain(`${EXPLORER}/tx/0x`);
    expect(stamp.stdout).toContain('Named it "Journey stamp" in the API.');
  });

  it("names nothing on a collection the brand has not registered, and sends nothing", async () => {
    const other = (await cli(["collection", "deploy", "--rpc", rpc, "--json"])).json().collection;
    const nonce = await client.getTransactionCount({ address: admin.account.address });
    const out = await cli(["type", "create", "--rpc", rpc, "--api", api, "--collection", other, "--kind", "collectible", "--name", "Orphan"]);
    expect(out.code).toBe(2);
    expect(out.stderr).toBe(`stampbook: ${other} is not registered to this brand in the API, so the type could not be named: run \`stampbook collection register\` first. Nothing was sent.\n`);
    expect(await client.getTransactionCount({ address: admin.account.address })).toBe(nonce);
  });

  it("says in words why the collection refused a token type", async () => {
    const out = await cli(["type", "create", "--rpc", rpc, "--collection", collection, "--kind", "collectible", "--duration", "30d"]);
    expect(out.code).toBe(1);
    expect(out.stderr).toBe("stampbook: Creating the token type failed: the token type's settings are not valid: collectibles never expire\n");
  });

  it("grants the brand's minter MINTER_ROLE, makes it the issuing minter and funds it", async () => {
    const out = await cli(["minter", "grant", "--rpc", rpc, "--api", api, "--collection", collection, "--fund", "0.5", "--json"]);
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    const { minter, createdInApi, transactions } = out.json();
    expect(createdInApi).toBe(true);
    expect(Object.keys(transactions)).toEqual(["grantRole", "setIssuingMinter", "fund"]);
    expect(await read("hasRole", [MINTER_ROLE, minter])).toBe(true);
    expect(getAddress(await read("issuingMinter"))).toBe(getAddress(minter));
    expect(await client.getBalance({ address: minter })).toBe(parseEther("0.5"));

    const again = await cli(["minter", "grant", "--rpc", rpc, "--api", api, "--collection", collection]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`${getAddress(minter)} holds MINTER_ROLE on ${collection} already.`);
    expect(again.stdout).toContain("is the issuing minter already.");
  });

  it("mints, and says when the signer lacks MINTER_ROLE", async () => {
    const out = await cli(["mint", "--rpc", rpc, "--collection", collection, "--type", "1", "--to", members[0]!]);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`Minted 1 unit of type 1 to ${members[0]}; transaction 0x`);
    expect(await read("balanceOf", [members[0], 1n])).toBe(1n);

    const refused = await cli(["mint", "--rpc", rpc, "--collection", collection, "--type", "1", "--to", members[1]!, "--json"], { STAMPBOOK_MINTER_KEY: generatePrivateKey() });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/lacks MINTER_ROLE on the collection: run `stampbook minter grant`/);
    expect(refused.json().error).toMatchObject({ kind: "reverted", error: "AccessControlUnauthorizedAccount" });
  });

  it("refuses an airdrop CSV with a bad row, naming every bad line, and sends nothing", async () => {
    const file = join(dir, "bad.csv");
    await writeFile(file, ["address,amount", members[1], "0x1234", members[2], `${members[1]!.toLowerCase()}`, `${members[3]},zero`].join("\n"));
    const nonce = await client.getTransactionCount({ address: admin.account.address });
    const out = await cli(["airdrop", "--rpc", rpc, "--collection", collection, "--type", "2", "--csv", "bad.csv"]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain("bad.csv has 3 bad rows: nothing was sent.");
    expect(out.stderr).toContain('line 3: "0x1234" is not an address');
    expect(out.stderr).toContain(`line 5: ${members[1]} is listed already on line 2`);
    expect(out.stderr).toContain('line 6: the amount "zero" is not a whole number of at least 1');
    expect(await client.getTransactionCount({ address: admin.account.address })).toBe(nonce);
    expect(await read("balanceOf", [members[1], 2n])).toBe(0n);
  });

  it("airdrops from a CSV in batches, with a result per address", async () => {
    await writeFile(join(dir, "members.csv"), ["# the first members", "address", ...members.slice(1, 4), ""].join("\r\n"));
    const out = await cli(["airdrop", "--rpc", rpc, "--collection", collection, "--type", "2", "--csv", "members.csv", "--batch", "2"]);
    expect(out.code).toBe(0);
    expect(out.stderr).toContain("Sending batch 1/2 (2 addresses × 1, lines 3–4)…");
    expect(out.stderr).toContain("Sending batch 2/2 (1 address × 1, lines 5–5)…");
    expect(out.stdout).toMatch(new RegExp(`line 3: ${members[1]} × 1: minted in 0x[0-9a-f]{64}`));
    expect(out.stdout).toMatch(new RegExp(`line 5: ${members[3]} × 1: minted in 0x[0-9a-f]{64}`));
    expect(out.stdout).toContain("Airdropped type 2 to all 3 addresses of members.csv.");
    for (const m of members.slice(1, 4)) expect(await read("balanceOf", [m, 2n])).toBe(1n);
  });

  it("stops an airdrop at a failed batch, and says which addresses got theirs", async () => {
    // members[0] holds a Gold membership already: its batch fails, the one after is not sent.
    await writeFile(join(dir, "gold.csv"), [members[1], members[0], members[2]].join("\n"));
    const out = await cli(["airdrop", "--rpc", rpc, "--collection", collection, "--type", "1", "--csv", "gold.csv", "--batch", "1", "--json"]);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain(`failed: ${members[0]} already holds a membership of type 1: memberships are one per holder (renew it instead). The airdrop stopped: 1 of 3 addresses got theirs`);
    const { error } = out.json();
    expect(error).toMatchObject({ kind: "reverted", error: "MembershipAlreadyHeld", minted: 1, failed: 1, notSent: 1 });
    expect(error.results.map((r: { line: number; status: string }) => [r.line, r.status])).toEqual([[1, "minted"], [2, "failed"], [3, "not sent"]]);
    expect(await read("balanceOf", [members[1], 1n])).toBe(1n);
    expect(await read("balanceOf", [members[2], 1n])).toBe(0n);
  });

  it("says in words that minting past the type's cap is refused", async () => {
    const out = await cli(["mint", "--rpc", rpc, "--collection", collection, "--type", "2", "--to", members[0]!, "--amount", "3", "--json"]);
    expect(out.code).toBe(1);
    expect(out.stderr).toBe(`stampbook: Minting 3 of type 2 to ${members[0]} failed: token type 2 is capped at 5 units and 3 are minted already: 3 more would pass the cap (2 left)\n`);
    expect(out.json().error).toMatchObject({ kind: "reverted", error: "MaxSupplyExceeded", args: ["2", "3", "3", "5"] });
  });

  let perkId: string;
  let memberToken: string;
  it("creates a perk from a rule file and says the rule in words", async () => {
    // Two members signed in, one of them a Gold member: the API counts who qualifies.
    memberToken = await siweSignIn(viaInject(app), devAccount(1).account);
    await siweSignIn(viaInject(app), devAccount(3).account);
    await writeFile(join(dir, "gold.json"), JSON.stringify({ type: "member", collection, tokenId: "1" }));
    const out = await cli(["perk", "create", "--api", api, "--title", "Free coffee for Gold members", "--rule", "gold.json", "--per-member", "1", "--description", "One drink, once."]);
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^Created perk \S+: "Free coffee for Gold members"\.$/m);
    expect(out.stdout).toContain("Members redeem it with an active Gold membership.");
    expect(out.stdout).toContain("1 of the 2 signed-in members checked qualify today.");
    expect(out.stdout).toContain("Limits: once per member.");
    perkId = /Created perk (\S+):/.exec(out.stdout)![1]!;

    await writeFile(join(dir, "broken.json"), "{ type: member");
    const broken = await cli(["perk", "create", "--api", api, "--title", "Broken", "--rule", "broken.json"]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/^stampbook: --rule broken\.json: it is not JSON/);
  });

  it("exports the brand's redemptions as CSV", async () => {
    // A Gold member redeems the perk in the storefront's way.
    const redeemed = await app.inject({ method: "POST", url: `/v1/perks/${perkId}/redeem`, headers: { authorization: `Bearer ${memberToken}`, "idempotency-key": "cli-test-1" } });
    expect(redeemed.statusCode).toBe(201);
    const { code } = redeemed.json();

    const out = await cli(["redemptions", "--api", api, "--csv", "redemptions.csv"]);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain("Wrote 1 redemption to redemptions.csv.");
    const lines = (await readFile(join(dir, "redemptions.csv"), "utf8")).trimEnd().split("\r\n");
    expect(lines[0]).toBe("id,perkId,perkTitle,member,code,createdAt,consumedAt");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`,${perkId},Free coffee for Gold members,${members[0]},${code},`);

    const toStdout = await cli(["redemptions", "--api", api, "--csv", "-"]);
    expect(toStdout.stdout.split("\r\n")[0]).toBe("id,perkId,perkTitle,member,code,createdAt,consumedAt");
    expect(toStdout.stderr).toBe("Wrote 1 redemption as CSV.\n");
  });
  it("registers a storefront's address, lists it, refuses a bad one in words, and removes it", async () => {
    const added = await cli(["origin", "add", "--api", api, "--origin", "http://localhost:5173/"]);
    expect(added.stdout).toBe("Members can now sign in at http://localhost:5173.\n");
    const listed = await cli(["origin", "list", "--api", api]);
    expect(listed.stdout).toMatch(/^http:\/\/localhost:5173 \(since /);
    const bad = await cli(["origin", "add", "--api", api, "--origin", "http://shop.example"]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("Members sign in over https: use https://shop.example");
    const removed = await cli(["origin", "remove", "--api", api, "--origin", "http://localhost:5173"]);
    expect(removed.stdout).toBe("http://localhost:5173 can no longer sign members in.\n");
    expect((await cli(["origin", "list", "--api", api])).stdout).toContain("No storefront address yet");
  });
});
