/**
 * The award queue survives its process being killed with an airdrop in flight. The API runs as its
 * own OS process (`node server/main.ts`) over a SQLite file and a chain served over HTTP with
 * automine off, so the airdrop waits in the mempool; the test queues awards in the same database,
 * waits until the batch is recorded and broadcast, and SIGKILLs the process. Then:
 * (a) the airdrop is mined, and a restarted process settles the batch as awarded without a second
 *     transaction;
 * (b) the airdrop is dropped from the mempool, and a restarted process sends the very same signed
 *     transaction again.
 * Either way each member holds the amount exactly once and the minter sent one transaction.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { network } from "hardhat";
import { createPublicClient, createWalletClient, defineChain, http, type Address, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MINTER_ROLE, stampbookCollectionAbi, TOKEN_KIND } from "../../contracts/bindings/index.ts";
import { devAccount } from "../../scripts/demo/accounts.ts";
import { freePort } from "../../scripts/free-port.ts";
import { startApiProcess, type ApiProcess } from "../../test/support/api-process.ts";
import { createBrand } from "../brands/accounts.ts";
import { createKeyVault } from "../chain/sender/key-vault.ts";
import { newId, SqliteStore, toTimestamp, type Store } from "../storage/index.ts";

const SECRET = `minter-key-secret-${newId()}`;
const ADMIN = devAccount(0);
const MINTER = devAccount(18);
const STAMP = 1n;
const AMOUNT = 2n;

let dir: string;
let store: Store;
let chainServer: Awaited<ReturnType<typeof network.createServer>>;
let rpcUrl: string;
let publicClient: ReturnType<typeof createPublicClient>;
let collection: Address;
let brandId: string;
let env: Record<string, string>;
const running: ApiProcess[] = [];

const rpc = (method: string, params: unknown[] = []) => publicClient.request({ method, params } as never) as Promise<unknown>;
const minedNonce = () => publicClient.getTransactionCount({ address: MINTER.account.address, blockTag: "latest" });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => Promise<T | null | false | undefined>, limitMs = 30_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value !== null && value !== false && value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${running.map((p) => `${p.name}:\n${p.output()}`).join("\n")}`);
    await sleep(50);
  }
}

async function startApi(name: string): Promise<ApiProcess> {
  const api = await startApiProcess(name, env);
  running.push(api);
  return api;
}

async function kill(api: ApiProcess): Promise<void> {
  const exited = new Promise((resolve) => api.child.once("exit", resolve));
  api.child.kill("SIGKILL");
  await exited;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "stampbook-awards-crash-"));
  chainServer = await network.createServer("default", "127.0.0.1", await freePort());
  const { port } = await chainServer.listen();
  rpcUrl = `http://127.0.0.1:${port}`;
  const chain = defineChain({ id: 31337, name: "local", nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [rpcUrl] } } });
  publicClient = createPublicClient({ chain, transport: http(rpcUrl) });
  const admin = createWalletClient({ account: ADMIN.account, chain, transport: http(rpcUrl) });
  const wait = async (hash: Hex) => {
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new Error("setup transaction reverted");
    return receipt;
  };

  // A collection with one collectible (token 1); the brand's minter is its own account with MINTER_ROLE.
  const artifact = JSON.parse(await readFile(new URL("../../artifacts/contracts/StampbookCollection.sol/StampbookCollection.json", import.meta.url), "utf8")) as { bytecode: Hex };
  const deployed = await wait(await admin.deployContract({ abi: stampbookCollectionAbi, bytecode: artifact.bytecode, args: ["Crash Club", "CC", ADMIN.account.address, ADMIN.account.address, "", 0n] }));
  collection = deployed.contractAddress!;
  const type = { kind: TOKEN_KIND.collectible, maxSupply: 0n, duration: 0, soulbound: false, consumable: false, renewalPrice: 0n, points: 10n, uri: "" };
  await wait(await admin.writeContract({ address: collection, abi: stampbookCollectionAbi, functionName: "createTokenType", args: [type] }));
  await wait(await admin.writeContract({ address: collection, abi: stampbookCollectionAbi, functionName: "grantRole", args: [MINTER_ROLE, MINTER.account.address] }));

  // The brand, its collection and its minter, written to the database the API processes open.
  const path = join(dir, "stampbook.db");
  store = SqliteStore.open(path);
  brandId = (await createBrand(store, "Crash Club")).id;
  const now = toTimestamp();
  await store.registerCollection({ brandId, collection, admin: ADMIN.account.address, nonce: `setup-${newId()}`, nonceExpiresAt: now, now });
  const minter = MINTER.account.address.toLowerCase() as Address;
  await store.setMinter({ brandId, address: minter, sealedKey: createKeyVault(SECRET).seal(brandId, minter, MINTER.privateKey), source: "supplied", createdAt: now });

  env = {
    DATABASE_URL: `sqlite:${path}`,
    RPC_URL: rpcUrl,
    CHAIN_ID: "31337",
    MINTER_KEY_SECRET: SECRET,
    LOG_LEVEL: "warn",
    AWARD_INTERVAL_MS: "100",
    AWARD_DELAY_MS: "0",
  };
});

afterAll(async () => {
  for (const api of running) await api.stop().catch(() => undefined);
  await store?.close();
  await chainServer?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** Queues an award of AMOUNT for each of `n` fresh members; returns the journey and the members. */
async function queueAwards(n: number) {
  const journeyId = newId();
  const members = Array.from({ length: n }, () => privateKeyToAccount(generatePrivateKey()).address);
  for (const [i, member] of members.entries()) {
    await store.queueAward({ id: newId(), brandId, journeyId, member, collection, tokenId: String(STAMP), amount: String(AMOUNT), createdAt: toTimestamp(Date.now() + i) });
  }
  return { journeyId, members };
}

/** Starts an API process, queues awards, and SIGKILLs the process once their airdrop is recorded and in the mempool. */
async function killedMidAirdrop() {
  await rpc("evm_setAutomine", [false]);
  const api = await startApi(`instance ${running.length + 1}`);
  const before = await minedNonce();
  const since = toTimestamp();
  const { journeyId, members } = await queueAwards(5);
  const batch = await until("the airdrop to be recorded as sent", async () => {
    const sent = await store.listAwardBatches({ status: "sent" });
    return sent.find((b) => b.createdAt >= since) ?? null;
  });
  await until("the airdrop to reach the mempool", () => publicClient.getTransaction({ hash: batch.txHash! }));
  await kill(api);
  return { batch, journeyId, members, before };
}

async function expectAwardedOnce(journeyId: string, members: Address[], txHash: Hex, before: number) {
  const awards = await until("every award to be settled", async () => {
    const page = await store.listAwards({ brandId, journeyId });
    return page.items.every((a) => a.status === "awarded") ? page.items : null;
  });
  expect(awards).toHaveLength(members.length);
  expect(awards.every((a) => a.txHash === txHash)).toBe(true);
  expect(await minedNonce()).toBe(before + 1);
  const balances = await publicClient.readContract({ address: collection, abi: stampbookCollectionAbi, functionName: "balanceOfBatch", args: [members, members.map(() => STAMP)] });
  expect(balances).toEqual(members.map(() => AMOUNT));
}

describe("a killed API process with an airdrop in flight", () => {
  it("(a) the airdrop mines while it is down: the restarted process settles it as awarded, sending nothing more", async () => {
    const { batch, journeyId, members, before } = await killedMidAirdrop();
    await rpc("evm_mine");
    expect((await publicClient.getTransactionReceipt({ hash: batch.txHash! })).status).toBe("success");

    // The killed process may have held the queue's lease: the restarted one takes over when it lapses.
    const restarted = await startApi("restarted (a)");
    try {
      await expectAwardedOnce(journeyId, members, batch.txHash!, before);
      expect(await store.getAwardBatch(batch.id)).toMatchObject({ status: "mined", txHash: batch.txHash });
    } finally {
      await restarted.stop();
    }
  });

  it("(b) the node loses the airdrop while it is down: the restarted process sends the very same transaction again", async () => {
    const { batch, journeyId, members, before } = await killedMidAirdrop();
    await rpc("hardhat_dropTransaction", [batch.txHash]);
    await expect(publicClient.getTransaction({ hash: batch.txHash! })).rejects.toThrow();

    const restarted = await startApi("restarted (b)");
    try {
      const again = await until("the same transaction back in the mempool", () => publicClient.getTransaction({ hash: batch.txHash! }));
      expect(again.nonce).toBe(batch.nonce);
      await rpc("evm_mine");
      await expectAwardedOnce(journeyId, members, batch.txHash!, before);
      expect(await store.getAwardBatch(batch.id)).toMatchObject({ status: "mined", txHash: batch.txHash });
      // Nothing else was ever recorded for these awards.
      expect((await store.listAwardBatches({ status: "mined" })).filter((b) => b.createdAt >= batch.createdAt)).toHaveLength(1);
    } finally {
      await restarted.stop();
    }
  });
});
