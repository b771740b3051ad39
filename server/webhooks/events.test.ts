/**
 * Every webhook event type, end to end, on SQLite and on PostgreSQL: a real chain with the demo
 * collection, the API as it runs (index on, dispatcher and chain announcer running), and a receiver
 * on this machine that checks every message with the `standardwebhooks` library. Each change is
 * reported once (one webhook-id per change), with the payload naming things as members see them; a
 * transfer whose block a reorg takes away is followed by its reversal; an endpoint that answers 410
 * is turned off and the brand's other endpoint hears of it.
 *
 * Long because it is one story per engine (a member's whole life with a brand, on one chain and one
 * server); split, each part would start its own chain and server and wait for the index again.
 *
 * PostgreSQL: TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test), a fresh schema.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAddress, keccak256, stringToHex, type Address, type WalletClient } from "viem";
import { createSiweMessage } from "viem/siwe";
import { devAccount } from "../../scripts/demo/accounts.ts";
import { ERASURE_STATEMENT } from "../../sdk/src/protocol/statements.ts";
import { WEBHOOK_EVENT_TYPES } from "../../sdk/src/protocol/webhooks.ts";
import { DAY, DEMO_TYPES, startChain, type DemoChain } from "../../test/support/chain.ts";
import { bearer, startServer, type TestServer } from "../../test/support/server.ts";
import { freshSchema, POSTGRES_SKIPS, postgresForTests } from "../../test/support/services.ts";
import { PostgresStore, SqliteStore, type Store } from "../storage/index.ts";

const BRAND_KEY = devAccount(0).privateKey;
const MINTER_ROLE = keccak256(stringToHex("MINTER_ROLE"));

type Received = { id: string; type: string; data: Record<string, any>; verified: boolean };

/** A receiver on this machine: `/ok` takes every message (checked against the secret), `/gone` answers 410. */
async function startReceiver() {
  const messages: Received[] = [];
  let secret = "";
  let goneHits = 0;
  const server: Server = createServer((request, response) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => (body += chunk));
    request.on("end", () => {
      if (request.url === "/gone") {
        goneHits++;
        response.writeHead(410).end();
        return;
      }
      let verified = false;
      try {
        new Webhook(secret).verify(body, headersOf(request.headers));
        verified = true;
      } catch {
        verified = false;
      }
      const parsed = JSON.parse(body) as { type: string; data: Record<string, any> };
      messages.push({ id: String(request.headers["webhook-id"]), type: parsed.type, data: parsed.data, verified });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    messages,
    base,
    setSecret: (value: string) => (secret = value),
    goneHits: () => goneHits,
    of: (type: string) => messages.filter((m) => m.type === type),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function headersOf(headers: IncomingHttpHeaders): Record<string, string> {
  return { "webhook-id": String(headers["webhook-id"]), "webhook-timestamp": String(headers["webhook-timestamp"]), "webhook-signature": String(headers["webhook-signature"]) };
}

const postgresUrl = postgresForTests("webhook events on PostgreSQL");
const engines: { name: string; open: () => Promise<Store> | Store; skip: boolean }[] = [
  { name: "SQLite", open: () => SqliteStore.open(":memory:"), skip: false },
  { name: `PostgreSQL (${POSTGRES_SKIPS})`, open: () => PostgresStore.connect(postgresUrl!, { schema: freshSchema(), poolSize: 6 }), skip: postgresUrl === null },
];

describe.each(engines)("webhook events on $name", ({ open, skip }) => {
  let chain: DemoChain;
  let server: TestServer;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const tokens = new Map<WalletClient, string>();
  const rpc = (method: string, params: unknown[] = []) => chain.publicClient.request({ method, params } as never) as Promise<unknown>;
  const admin = (method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE", url: string, payload?: unknown, token?: string) =>
    server.app.inject({ method, url, headers: bearer(token ?? server.apiKey), ...(payload === undefined ? {} : { payload: payload as object }) });
  async function ok<T = any>(response: Awaited<ReturnType<typeof admin>>, status = 200): Promise<T> {
    expect(response.statusCode, response.body).toBe(status);
    return (status === 204 ? null : response.json()) as T;
  }
  async function tokenOf(wallet: WalletClient): Promise<string> {
    if (!tokens.has(wallet)) tokens.set(wallet, await server.signIn(wallet));
    return tokens.get(wallet)!;
  }
  const member = (i: number) => chain.members[i]!;
  const address = (wallet: WalletClient) => wallet.account!.address.toLowerCase();
  const arrived = (type: string, match: (m: Received) => boolean = () => true) =>
    expect.poll(() => receiver.of(type).filter(match).length, { timeout: 20_000, interval: 50 }).toBeGreaterThan(0);

  beforeAll(async () => {
    if (skip) return;
    chain = await startChain();
    receiver = await startReceiver();
    server = await startServer(
      chain,
      {},
      {
        minterKey: BRAND_KEY,
        store: await open(),
        env: { WEBHOOK_ALLOW_PRIVATE: "true", WEBHOOK_ALLOW_HTTP: "true", INDEX_POLL_MS: "100", AWARD_DELAY_MS: "0", AWARD_INTERVAL_MS: "200" },
      },
    );
    await ok(await admin("PUT", "/v1/admin/levels", { levels: [{ key: "silver", name: "Silver", minPoints: 100 }] }));
    const events = WEBHOOK_EVENT_TYPES.filter((t) => t !== "webhook.test");
    const created = await ok<{ secret: string }>(await admin("POST", "/v1/admin/webhooks", { url: `${receiver.base}/ok`, events, description: "CRM" }), 201);
    receiver.setSecret(created.secret);
    await ok(await admin("POST", "/v1/admin/webhooks", { url: `${receiver.base}/gone`, events: ["redemption.created"], description: "Old POS" }), 201);
    // The chain announcer starts from where the index stands once it has seen the collection.
    for (let waited = 0; (await server.store.webhookChainCursor(chain.collection.address)) === null; waited += 50) {
      if (waited > 20_000) throw new Error("the chain announcer never started on the collection");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    await receiver?.close();
    await chain?.connection.close();
  });

  it.skipIf(skip)("a redemption, its code used at the till, and a 410 that turns an endpoint off", async () => {
    const ada = member(0);
    await chain.mint(getAddress(ada.account.address), DEMO_TYPES.gold);
    const perk = await ok<{ id: string }>(
      await admin("POST", "/v1/admin/perks", { title: "Free pastry", rule: { type: "member", collection: chain.collection.address, tokenId: DEMO_TYPES.gold.toString() } }),
      201,
    );
    const redeemed = await server.app.inject({ method: "POST", url: `/v1/perks/${perk.id}/redeem`, headers: { ...bearer(await tokenOf(ada)), "idempotency-key": "ada-1" } });
    expect(redeemed.statusCode, redeemed.body).toBe(201);
    const redemption = redeemed.json();
    // The same key again is the same redemption: no second message.
    expect((await server.app.inject({ method: "POST", url: `/v1/perks/${perk.id}/redeem`, headers: { ...bearer(await tokenOf(ada)), "idempotency-key": "ada-1" } })).statusCode).toBe(200);
    await arrived("redemption.created");
    expect(receiver.of("redemption.created")[0]!.data).toMatchObject({ redemptionId: redemption.id, perk: { id: perk.id, title: "Free pastry" }, member: { address: address(ada) }, code: redemption.code });

    await ok(await admin("POST", "/v1/admin/redemptions/verify", { code: redemption.code }));
    await arrived("redemption.consumed");
    expect(receiver.of("redemption.consumed")[0]!.data).toMatchObject({ redemptionId: redemption.id, perk: { title: "Free pastry" }, code: redemption.code });

    // The old POS answered 410: it is off, says why, and the CRM endpoint was told.
    await arrived("webhook.disabled");
    expect(receiver.goneHits()).toBe(1);
    const endpoints = (await ok<{ items: { description: string; enabled: boolean; disabledReason: string | null }[] }>(await admin("GET", "/v1/admin/webhooks"))).items;
    expect(endpoints.find((e) => e.description === "Old POS")).toMatchObject({ enabled: false, disabledReason: expect.stringMatching(/410/) });
    expect(receiver.of("webhook.disabled")[0]!.data).toMatchObject({ endpoint: { url: `${receiver.base}/gone` }, reason: expect.stringMatching(/410/) });
  });

  it.skipIf(skip)("claims minted and failed, a journey completed and its stamp sent", async () => {
    const bea = member(1);
    const drop = await ok<{ id: string }>(await admin("POST", "/v1/admin/drops", { title: "Welcome stamp", collection: chain.collection.address, tokenId: DEMO_TYPES.stamp.toString() }), 201);
    const claimed = await server.app.inject({ method: "POST", url: `/v1/drops/${drop.id}/claim`, headers: { ...bearer(await tokenOf(bea)), "idempotency-key": "bea-1" } });
    expect(claimed.statusCode, claimed.body).toBe(201);
    await arrived("claim.minted");
    expect(receiver.of("claim.minted")[0]!.data).toMatchObject({ claimId: claimed.json().id, drop: { id: drop.id, title: "Welcome stamp" }, tokenType: { name: "Journey stamp", tokenId: "3" }, amount: "1" });

    // The brand's minter loses its role: the next claim fails, and the brand hears why.
    const brand = chain.brand.account.address;
    await chain.publicClient.waitForTransactionReceipt({ hash: await chain.collection.write.revokeRole([MINTER_ROLE, brand]) });
    const cal = member(2);
    const failed = await server.app.inject({ method: "POST", url: `/v1/drops/${drop.id}/claim`, headers: { ...bearer(await tokenOf(cal)), "idempotency-key": "cal-1" } });
    expect(failed.statusCode, failed.body).toBe(502);
    await chain.publicClient.waitForTransactionReceipt({ hash: await chain.collection.write.grantRole([MINTER_ROLE, brand]) });
    await arrived("claim.failed");
    expect(receiver.of("claim.failed")[0]!.data).toMatchObject({ drop: { title: "Welcome stamp" }, member: { address: address(cal) }, error: { code: "mint_failed" } });

    const journey = await ok<{ id: string }>(
      await admin("POST", "/v1/admin/journeys", {
        title: "Coffee 101",
        stamp: { collection: chain.collection.address, tokenId: DEMO_TYPES.stamp.toString(), amount: "1" },
        steps: [{ id: "word", title: "Say the word", kind: "code", mode: "shared", code: "BEANS-2026" }],
      }),
      201,
    );
    const done = await server.app.inject({ method: "POST", url: `/v1/journeys/${journey.id}/steps/word/complete`, headers: bearer(await tokenOf(bea)), payload: { code: "BEANS-2026" } });
    expect(done.statusCode, done.body).toBe(200);
    await arrived("journey.completed");
    const completed = receiver.of("journey.completed")[0]!.data;
    expect(completed).toMatchObject({ journey: { id: journey.id, title: "Coffee 101" }, member: { address: address(bea) }, awardId: expect.any(String) });
    await arrived("award.sent");
    expect(receiver.of("award.sent")[0]!.data).toMatchObject({ awardId: completed.awardId, journey: { title: "Coffee 101" }, tokenType: { name: "Journey stamp" }, member: { address: address(bea) } });
  });

  it.skipIf(skip)("a consent granted and revoked, then the member's erasure, carrying no personal data", async () => {
    const dee = member(3);
    const token = await tokenOf(dee);
    await ok(await server.app.inject({ method: "PUT", url: "/v1/me/profile", headers: bearer(token), payload: { email: "dee@example.com", name: "Dee", birthday: { month: 5, day: 17 }, city: "Lyon", preferences: { milk: "oat" } } }));
    const request = await ok<{ id: string }>(await admin("POST", "/v1/admin/data-requests", { fields: ["email"], purpose: "to send you a birthday treat", retentionDays: 30 }), 201);
    const template = await ok<{ message: string }>(await server.app.inject({ method: "GET", url: `/v1/consents/template?request=${request.id}`, headers: bearer(token) }));
    const signature = await dee.signMessage({ account: dee.account!, message: template.message });
    const consent = await ok<{ id: string }>(await server.app.inject({ method: "POST", url: "/v1/consents", headers: bearer(token), payload: { message: template.message, signature } }), 201);
    await arrived("consent.granted");
    expect(receiver.of("consent.granted")[0]!.data).toMatchObject({ consentId: consent.id, requestId: request.id, fields: ["email"], member: { address: address(dee) } });
    expect((await server.app.inject({ method: "DELETE", url: `/v1/me/consents/${consent.id}`, headers: bearer(token) })).statusCode).toBe(204);
    await arrived("consent.revoked");

    const nonce = await ok<{ chainId: number; domain: string; uri: string; nonce: string; issuedAt: string }>(await server.app.inject({ method: "GET", url: "/v1/auth/nonce" }));
    const message = createSiweMessage({ address: dee.account!.address, chainId: nonce.chainId, domain: nonce.domain, uri: nonce.uri, nonce: nonce.nonce, version: "1", issuedAt: new Date(nonce.issuedAt), statement: ERASURE_STATEMENT });
    const erased = await server.app.inject({ method: "DELETE", url: "/v1/me", headers: bearer(token), payload: { message, signature: await dee.signMessage({ account: dee.account!, message }) } });
    expect(erased.statusCode, erased.body).toBe(200);
    await arrived("member.erased");
    const told = receiver.of("member.erased");
    expect(told).toHaveLength(1);
    // Only what the brand knew already: the wallet, never the profile.
    expect(told[0]!.data).toEqual({ member: { address: address(dee) }, erasedAt: expect.any(String) });
    expect(JSON.stringify(receiver.messages)).not.toContain("dee@example.com");
  });

  it.skipIf(skip)("from the chain: transfers, memberships granted, renewed, expiring and expired, a level reached", async () => {
    const eve = member(4);
    await chain.mint(getAddress(eve.account.address), DEMO_TYPES.gold);
    await arrived("membership.granted", (m) => m.data.member.address === address(eve));
    await arrived("token.transferred", (m) => m.data.to === address(eve));
    const transfer = receiver.of("token.transferred").find((m) => m.data.to === address(eve))!.data;
    expect(transfer).toMatchObject({ tokenType: { name: "Gold membership", tokenId: "1" }, from: "0x0000000000000000000000000000000000000000", amount: "1", confirmed: true, reverted: false });
    await arrived("level.changed", (m) => m.data.member.address === address(eve));
    expect(receiver.of("level.changed").find((m) => m.data.member.address === address(eve))!.data).toMatchObject({ from: null, to: { key: "silver", name: "Silver" }, points: "100" });

    // The brand extends the membership: a renewal, from the old end to the new one.
    const granted = receiver.of("membership.granted").find((m) => m.data.member.address === address(eve))!.data;
    const end = BigInt(Date.parse(granted.expiresAt) / 1000) + BigInt(DAY);
    await chain.publicClient.waitForTransactionReceipt({ hash: await chain.collection.write.extendMembership([getAddress(eve.account.address), DEMO_TYPES.gold, end]) });
    await arrived("membership.renewed", (m) => m.data.member.address === address(eve));
    expect(receiver.of("membership.renewed").find((m) => m.data.member.address === address(eve))!.data).toMatchObject({ previousExpiresAt: granted.expiresAt, expiresAt: new Date(Number(end) * 1000).toISOString() });

    // Chain time moves to two days before the end (within 72 hours), then past it.
    const latest = await chain.publicClient.getBlock();
    await chain.networkHelpers.time.increaseTo(end - 2n * BigInt(DAY));
    await arrived("membership.expiring", (m) => m.data.member.address === address(eve));
    expect(latest.timestamp).toBeLessThan(end);
    await chain.networkHelpers.time.increaseTo(end + 60n);
    await arrived("membership.expired", (m) => m.data.member.address === address(eve));
    expect(receiver.of("membership.expiring").filter((m) => m.data.member.address === address(eve))).toHaveLength(1);
    expect(receiver.of("membership.expired").filter((m) => m.data.member.address === address(eve))).toHaveLength(1);
  });

  it.skipIf(skip)("a transfer whose block a reorg takes away is followed by its reversal", async () => {
    const fay = member(5);
    const snapshot = await rpc("evm_snapshot");
    await chain.mint(getAddress(fay.account.address), DEMO_TYPES.stamp);
    await arrived("token.transferred", (m) => m.data.to === address(fay) && !m.data.reverted);
    const first = receiver.of("token.transferred").find((m) => m.data.to === address(fay))!;
    // Another history without the mint, longer than the one the index followed.
    await rpc("evm_revert", [snapshot]);
    await rpc("hardhat_mine", ["0x3"]);
    await arrived("token.transferred", (m) => m.data.to === address(fay) && m.data.reverted === true);
    const reversal = receiver.of("token.transferred").find((m) => m.data.to === address(fay) && m.data.reverted === true)!;
    expect(reversal.id).not.toBe(first.id);
    expect(reversal.data).toEqual({ ...first.data, reverted: true });
  });

  it.skipIf(skip)("every event type arrived, each message signed, each change told once", async () => {
    const types = new Set(receiver.messages.map((m) => m.type));
    for (const type of WEBHOOK_EVENT_TYPES.filter((t) => t !== "webhook.test")) expect(types, type).toContain(type);
    expect(receiver.messages.every((m) => m.verified)).toBe(true);
    // No message was delivered twice (nothing timed out), and each one-off change was told once.
    const ids = receiver.messages.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const type of ["redemption.created", "redemption.consumed", "claim.minted", "claim.failed", "journey.completed", "award.sent", "consent.granted", "consent.revoked", "member.erased", "webhook.disabled"]) {
      expect(receiver.of(type), type).toHaveLength(1);
    }
  });

  it.skipIf(skip)("the delivery log shows every attempt; a resend and a replay send messages again with their ids", async () => {
    const endpoints = (await ok<{ items: { id: string; description: string }[] }>(await admin("GET", "/v1/admin/webhooks"))).items;
    const crm = endpoints.find((e) => e.description === "CRM")!;
    type Page = { items: { messageId: string; type: string; state: string; attempts: number; log: { status: number | null }[] }[]; nextCursor: string | null };
    const read = async () => ok<Page>(await admin("GET", `/v1/admin/webhooks/${crm.id}/deliveries?limit=100`));
    // Messages written in the last moments (a chain fact's round) may still be on their way.
    await expect.poll(async () => (await read()).items.every((d) => d.state === "delivered"), { timeout: 20_000 }).toBe(true);
    const page = await read();
    expect(page.items.length).toBeGreaterThan(10);
    expect(page.items.every((d) => d.attempts === 1 && d.log.length === 1 && d.log[0]!.status === 204)).toBe(true);
    const consumed = page.items.find((d) => d.type === "redemption.consumed")!;

    expect((await admin("POST", `/v1/admin/webhooks/${crm.id}/deliveries/${consumed.messageId}/resend`)).statusCode).toBe(202);
    await expect.poll(() => receiver.messages.filter((m) => m.id === consumed.messageId).length, { timeout: 20_000 }).toBe(2);

    const before = receiver.messages.length;
    const since = new Date(Date.now() - 3600_000).toISOString();
    const replayed = await ok<{ queued: number }>(await admin("POST", `/v1/admin/webhooks/${crm.id}/replay`, { since }), 202);
    expect(replayed.queued).toBeGreaterThanOrEqual(page.items.length);
    await expect.poll(() => receiver.messages.length - before, { timeout: 20_000 }).toBeGreaterThanOrEqual(replayed.queued);
    // Replays carry the ids of the first deliveries: a receiver that keeps ids drops them.
    const firstIds = new Set(page.items.map((d) => d.messageId));
    expect(receiver.messages.slice(before).filter((m) => firstIds.has(m.id)).length).toBeGreaterThanOrEqual(page.items.length);

    // Another brand's key, an unknown message, a time outside the 30 days: clear answers, nothing queued.
    const old = await admin("GET", `/v1/admin/webhooks/${crm.id}/deliveries`, undefined, "sbk_not-a-key");
    expect(old.statusCode).toBe(401);
    expect((await admin("POST", `/v1/admin/webhooks/${crm.id}/deliveries/msg_nope/resend`)).json()).toMatchObject({ status: 404, code: "webhook_message_not_found" });
    expect((await admin("POST", `/v1/admin/webhooks/${crm.id}/replay`, { since: "2020-01-01T00:00:00Z" })).json()).toMatchObject({ status: 400, code: "validation_failed" });
    expect((await admin("POST", `/v1/admin/webhooks/${crm.id}/replay`, { since: "yesterday" })).json()).toMatchObject({ status: 400, code: "validation_failed" });
  });
});
