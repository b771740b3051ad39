/**
 * Delegated wallets on a real chain with the Delegate Registry at its canonical address: a vault's
 * Gold membership unlocks a perk for the wallet it delegates to, in words the member follows;
 * revoking the delegation locks it again (at once for a redemption, within one indexed block in the
 * listing); and two delegates of one vault, or the vault itself, cannot each take a once-per-member
 * perk. The API as it runs: index on, its follower polling.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeAbiParameters, encodeEventTopics, getAddress, zeroHash, type Address, type Hex } from "viem";
import { DELEGATE_REGISTRY_ADDRESS, delegateRegistryAbi } from "../../../contracts/bindings/index.ts";
import { DEMO_TYPES, startChain, type DemoChain } from "../../../test/support/chain.ts";
import { bearer, startServer, type TestServer } from "../../../test/support/server.ts";
import { delegationRecordsOf, delegationsInForce } from "../../storage/sql/chain-index-delegations.ts";
import { decodeIndexLog } from "./events.ts";

let chain: DemoChain;
let server: TestServer;
type Wallet = DemoChain["members"][number];
let vault: Wallet;
let first: Wallet;
let second: Wallet;
const tokens = new Map<Wallet, string>();

type Listed = { eligible: boolean; redeemable: boolean; vault?: { address: string; counted: string } | null; reasons: { code: string }[] };

beforeAll(async () => {
  chain = await startChain();
  server = await startServer(chain, {}, {});
  [vault, first, second] = [chain.members[5]!, chain.members[6]!, chain.members[7]!];
  for (const wallet of [vault, first, second]) tokens.set(wallet, await server.signIn(wallet));
  await chain.mint(vault.account.address, DEMO_TYPES.gold);
});
afterAll(async () => {
  await server?.close();
  await chain?.connection.close();
});

async function createPerk(title: string, perMember: number | null): Promise<string> {
  const created = await server.app.inject({
    method: "POST",
    url: "/v1/admin/perks",
    headers: bearer(server.apiKey),
    payload: { title, rule: { type: "member", collection: chain.collection.address, tokenId: DEMO_TYPES.gold.toString() }, limits: { perMember } },
  });
  expect(created.statusCode, created.body).toBe(201);
  return created.json().id;
}

async function listed(wallet: Wallet, id: string): Promise<Listed> {
  const response = await server.app.inject({ method: "GET", url: "/v1/perks", headers: bearer(tokens.get(wallet)!) });
  expect(response.statusCode, response.body).toBe(200);
  return response.json().items.find((p: { id: string }) => p.id === id);
}

function redeem(wallet: Wallet, id: string, key: string) {
  return server.app.inject({ method: "POST", url: `/v1/perks/${id}/redeem`, headers: { ...bearer(tokens.get(wallet)!), "idempotency-key": key } });
}

/** A registry call signed by `from`, mined. */
async function registry(from: Wallet, call: { functionName: "delegateAll"; args: [Address, Hex, boolean] } | { functionName: "delegateContract"; args: [Address, Address, Hex, boolean] } | { functionName: "delegateERC1155"; args: [Address, Address, bigint, Hex, bigint] }) {
  const hash = await from.writeContract({ address: DELEGATE_REGISTRY_ADDRESS, abi: delegateRegistryAbi, account: from.account, chain: from.chain, ...call } as never);
  await chain.publicClient.waitForTransactionReceipt({ hash });
}

/** The index's cursor block once it has caught up with the head. */
async function indexedHead(): Promise<bigint> {
  const head = await chain.publicClient.getBlockNumber();
  await expect.poll(async () => (await server.app.store.indexCursor())?.block.number, { timeout: 15_000 }).toBeGreaterThanOrEqual(head);
  return head;
}

describe("delegated wallets", () => {
  it("a vault's Gold membership unlocks a perk for its delegate, worded as the vault's", async () => {
    const perk = await createPerk("Gold coffee", null);
    expect((await listed(first, perk)).eligible).toBe(false);
    expect((await redeem(first, perk, "before")).statusCode).toBe(403);

    await registry(vault, { functionName: "delegateAll", args: [first.account.address, zeroHash, true] });
    await expect.poll(async () => (await listed(first, perk)).eligible, { timeout: 15_000 }).toBe(true);
    const shown = await listed(first, perk);
    const address = getAddress(vault.account.address);
    expect(shown.vault).toEqual({ address, counted: `your vault …${address.slice(-4)}'s Gold membership` });
    expect((await redeem(first, perk, "via-vault")).statusCode).toBe(201);
    // The vault's own listing is its own holdings: no vault named.
    expect((await listed(vault, perk)).vault ?? null).toBeNull();
  }, 60_000);

  it("two delegates of one vault, or the vault itself, cannot each take a once-per-member perk", async () => {
    const once = await createPerk("One Gold tumbler per member", 1);
    await registry(vault, { functionName: "delegateContract", args: [second.account.address, chain.collection.address, zeroHash, true] });
    await expect.poll(async () => (await listed(second, once)).eligible, { timeout: 15_000 }).toBe(true);

    const taken = await redeem(first, once, "tumbler-1");
    expect(taken.statusCode, taken.body).toBe(201);
    const again = await redeem(second, once, "tumbler-2");
    expect(again.statusCode, again.body).toBe(409);
    expect(again.json()).toMatchObject({ code: "vault_limit_reached", vault: getAddress(vault.account.address) });
    const own = await redeem(vault, once, "tumbler-3");
    expect(own.statusCode, own.body).toBe(409);
    expect(own.json().code).toBe("member_limit_reached");
  }, 60_000);

  it("revoking the delegation locks it: a redemption at once, the listing within one indexed block", async () => {
    const perk = await createPerk("Gold pastry", null);
    await expect.poll(async () => (await listed(first, perk)).eligible, { timeout: 15_000 }).toBe(true);

    await registry(vault, { functionName: "delegateAll", args: [first.account.address, zeroHash, false] });
    // Before the index has applied the revocation, a redemption confirms the delegation at the head.
    const refused = await redeem(first, perk, "after-revoke");
    expect(refused.statusCode, refused.body).toBe(403);
    // Once the index holds the revocation's block, the listing says locked.
    await indexedHead();
    expect((await listed(first, perk)).eligible).toBe(false);
    // The contract delegation to the second wallet still stands.
    expect((await listed(second, perk)).eligible).toBe(true);
  }, 60_000);

  it("an ERC-1155 delegation counts up to its amount, for that token type only; delegations for named rights do not count", async () => {
    const third = chain.members[8]!;
    tokens.set(third, await server.signIn(third));
    const stamps = await server.app.inject({
      method: "POST",
      url: "/v1/admin/perks",
      headers: bearer(server.apiKey),
      payload: { title: "Two stamps", rule: { type: "holds", collection: chain.collection.address, tokenId: DEMO_TYPES.stamp.toString(), min: "2" } },
    });
    expect(stamps.statusCode, stamps.body).toBe(201);
    const twoStamps = stamps.json().id as string;
    const gold = await createPerk("Gold croissant", null);
    await chain.mint(vault.account.address, DEMO_TYPES.stamp, 3n);

    await registry(vault, { functionName: "delegateERC1155", args: [third.account.address, chain.collection.address, DEMO_TYPES.stamp, zeroHash, 1n] });
    await registry(vault, { functionName: "delegateAll", args: [third.account.address, `0x${"ab".repeat(32)}`, true] });
    await indexedHead();
    expect((await listed(third, twoStamps)).eligible).toBe(false);
    expect((await listed(third, gold)).eligible).toBe(false);
    expect((await redeem(third, gold, "rights")).statusCode).toBe(403);

    await registry(vault, { functionName: "delegateERC1155", args: [third.account.address, chain.collection.address, DEMO_TYPES.stamp, zeroHash, 2n] });
    await expect.poll(async () => (await listed(third, twoStamps)).eligible, { timeout: 15_000 }).toBe(true);
    expect((await redeem(third, twoStamps, "stamps")).statusCode).toBe(201);
    expect((await listed(third, gold)).eligible).toBe(false);
  }, 60_000);
});

describe("a member's own holdings and a vault's, together", () => {
  it("a rule's `not` still sees what the member holds; what the vault adds is named alone", async () => {
    const [gold, hot] = [chain.members[11]!, chain.members[12]!];
    tokens.set(hot, await server.signIn(hot));
    const collection = chain.collection.address;
    const perk = async (title: string, rule: unknown) => {
      const created = await server.app.inject({ method: "POST", url: "/v1/admin/perks", headers: bearer(server.apiKey), payload: { title, rule } });
      expect(created.statusCode, created.body).toBe(201);
      return created.json().id as string;
    };
    const upgrade = await perk("Upgrade to lifetime", { type: "all", rules: [{ type: "member", collection, tokenId: DEMO_TYPES.gold.toString() }, { type: "not", rule: { type: "member", collection, tokenId: DEMO_TYPES.lifetime.toString() } }] });
    const tour = await perk("Gold and a stamp", { type: "all", rules: [{ type: "member", collection, tokenId: DEMO_TYPES.gold.toString() }, { type: "holds", collection, tokenId: DEMO_TYPES.stamp.toString() }] });
    await chain.mint(gold.account.address, DEMO_TYPES.gold);
    await chain.mint(hot.account.address, DEMO_TYPES.lifetime);
    await chain.mint(hot.account.address, DEMO_TYPES.stamp);
    await registry(gold, { functionName: "delegateAll", args: [hot.account.address, zeroHash, true] });
    await indexedHead();

    // The member is a lifetime member themselves: the vault's Gold does not make them an upgrade candidate.
    expect((await listed(hot, upgrade)).eligible).toBe(false);
    expect((await redeem(hot, upgrade, "upgrade")).statusCode).toBe(403);
    // Their own stamp and the vault's Gold together unlock the tour, and only the Gold is the vault's.
    const shown = await listed(hot, tour);
    expect(shown.eligible).toBe(true);
    expect(shown.vault?.counted).toBe(`your vault …${getAddress(gold.account.address).slice(-4)}'s Gold membership`);
    expect((await redeem(hot, tour, "tour")).statusCode).toBe(201);
  }, 60_000);
});

describe("holding periods count the vault's time", () => {
  it("a vault's membership moved in today does not unlock a held-for perk for its delegate until the period has passed", async () => {
    const [newVault, hot] = [chain.members[9]!, chain.members[10]!];
    tokens.set(hot, await server.signIn(hot));
    const created = await server.app.inject({
      method: "POST",
      url: "/v1/admin/perks",
      headers: bearer(server.apiKey),
      payload: { title: "Loyal Gold", rule: { type: "member", collection: chain.collection.address, tokenId: DEMO_TYPES.gold.toString(), heldFor: 10 * 86_400 } },
    });
    expect(created.statusCode, created.body).toBe(201);
    const loyal = created.json().id as string;
    // The delegation is old; the vault's membership is new.
    await registry(newVault, { functionName: "delegateAll", args: [hot.account.address, zeroHash, true] });
    await chain.networkHelpers.time.increase(20 * 86_400);
    await chain.mint(newVault.account.address, DEMO_TYPES.gold);
    await indexedHead();
    expect((await listed(hot, loyal)).eligible).toBe(false);
    expect((await redeem(hot, loyal, "too-soon")).statusCode).toBe(403);

    await chain.networkHelpers.time.increase(10 * 86_400 + 60);
    await expect.poll(async () => (await listed(hot, loyal)).eligible, { timeout: 15_000 }).toBe(true);
    expect((await redeem(hot, loyal, "in-time")).statusCode).toBe(201);
  }, 60_000);
});

describe("delegations as the index keeps them", () => {
  const log = (address: Address, topics: Hex[], data: Hex) => ({ address, topics, data, blockNumber: "0x5" as Hex, blockHash: `0x${"11".repeat(32)}` as Hex, blockTimestamp: "0x64" as Hex, logIndex: "0x0" as Hex, transactionHash: `0x${"22".repeat(32)}` as Hex });

  it("keeps registry events from the registry's address only: a collection emitting one forges nothing", () => {
    const topics = encodeEventTopics({ abi: delegateRegistryAbi, eventName: "DelegateAll", args: { from: chain.members[1]!.account.address, to: chain.members[2]!.account.address } });
    const data = encodeAbiParameters([{ type: "bytes32" }, { type: "bool" }], [zeroHash, true]);
    const fromRegistry = decodeIndexLog(log(DELEGATE_REGISTRY_ADDRESS, topics as Hex[], data), () => undefined);
    expect(fromRegistry).toMatchObject({ name: "DelegateAll", args: { from: chain.members[1]!.account.address.toLowerCase(), to: chain.members[2]!.account.address.toLowerCase(), enable: "true" } });
    expect(delegationsInForce(delegationRecordsOf([fromRegistry!]))).toHaveLength(1);
    expect(decodeIndexLog(log(chain.collection.address, topics as Hex[], data), () => undefined)).toBeNull();
  });

  it("the last word on each delegation stands; off, or for named rights, counts for nothing", () => {
    const event = (name: "DelegateAll" | "DelegateERC1155", blockNumber: bigint, args: Record<string, string>) =>
      ({ collection: DELEGATE_REGISTRY_ADDRESS.toLowerCase() as Address, blockNumber, blockHash: zeroHash, blockTime: 0n, logIndex: 0, txHash: zeroHash, name, args }) as const;
    const [v, d, c] = ["0x" + "01".repeat(20), "0x" + "02".repeat(20), "0x" + "03".repeat(20)];
    const records = delegationRecordsOf([
      event("DelegateAll", 1n, { from: v, to: d, rights: zeroHash, enable: "true" }),
      event("DelegateERC1155", 2n, { from: v, to: d, contract_: c, tokenId: "3", rights: zeroHash, amount: "5" }),
      event("DelegateAll", 3n, { from: v, to: d, rights: zeroHash, enable: "false" }),
      event("DelegateAll", 4n, { from: v, to: d, rights: `0x${"ab".repeat(32)}`, enable: "true" }),
    ]);
    expect(delegationsInForce(records)).toEqual([{ vault: v, delegate: d, kind: "erc1155", contract: c, tokenId: 3n, amount: 5n, sinceBlock: 2n }]);
  });
});
