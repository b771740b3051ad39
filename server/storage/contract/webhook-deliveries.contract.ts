/**
 * The store contract: webhook messages and their deliveries. A message is written only for a brand
 * with an enabled endpoint subscribed to its type, with one delivery per such endpoint; deliveries are
 * claimed under a lease (a fencing `claim` counter keeps a late result from an older claim from
 * changing anything); attempts are recorded (2xx delivered, a failure pending until its retry or
 * failed, 410 or five days of failures turning the endpoint off and telling the brand's other
 * endpoints); deliveries are listed per brand, resent, replayed and pruned.
 *
 * Long because every promise of WebhookDeliveryStore is here, each with the states before and after.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { WebhookEventType } from "../../../sdk/src/protocol/webhooks.ts";
import type { AttemptOutcome, ClaimedDelivery, DisabledEndpoint, WebhookDeliveryState, WebhookMessageDraft } from "../../webhooks/types.ts";
import type { SqlDatabase } from "../sql/database.ts";
import type { Store } from "../store.ts";
import { at, freshStorePerTest, HOUR, MINUTE, type StoreContract, storeFixtures } from "./fixtures.ts";

const SECOND = 1_000;
const DAY = 24 * HOUR;
const FIVE_DAYS = 5 * DAY;

export const webhookDeliveryContract: StoreContract = (open) => {
  let store!: Store;
  let db!: SqlDatabase;
  freshStorePerTest(open, (opened) => ({ store, db } = opened));
  const { brands } = storeFixtures(() => store);

  /** Creates an endpoint (brand A's, on and subscribed to award.sent unless told otherwise). */
  async function endpoint(id: string, options: { brandId?: string; events?: WebhookEventType[]; enabled?: boolean } = {}): Promise<string> {
    const created = await store.createWebhook(
      { id, brandId: options.brandId ?? "brand-a", url: `https://crm.example/${id}`, events: options.events ?? ["award.sent"], description: "", enabled: options.enabled ?? true, sealedSecret: `sealed-${id}`, now: at(0) },
      20,
    );
    if (created.status !== "created") throw new Error(`expected created, got ${JSON.stringify(created)}`);
    return id;
  }

  let seq = 0;
  /** A message draft (brand A's award.sent at at(0) unless told otherwise), with a fresh id. */
  function message(overrides: Partial<WebhookMessageDraft> = {}): WebhookMessageDraft {
    seq += 1;
    const type = overrides.type ?? "award.sent";
    const createdAt = overrides.createdAt ?? at(0);
    return { id: `msg_${String(seq).padStart(6, "0")}`, brandId: "brand-a", type, body: JSON.stringify({ type, timestamp: createdAt, data: { n: seq } }), createdAt, ...overrides };
  }

  /** Writes a message and returns its id (fails the test when nothing was written). */
  async function write(overrides: Partial<WebhookMessageDraft> = {}): Promise<string> {
    const draft = message(overrides);
    expect(await store.writeWebhookMessage(draft)).toBe(true);
    return draft.id;
  }

  /** The webhook.disabled message the dispatcher composes, as a draft. */
  const disabledMessage = (endpoint: DisabledEndpoint): WebhookMessageDraft =>
    message({ brandId: endpoint.brandId, type: "webhook.disabled", body: JSON.stringify({ type: "webhook.disabled", data: { endpoint: { id: endpoint.endpointId, url: endpoint.url }, reason: endpoint.reason } }) });

  /** What one attempt at a claimed delivery came to (a 200 at at(MINUTE) unless told otherwise). */
  function outcome(claimed: ClaimedDelivery, overrides: Partial<AttemptOutcome> = {}): AttemptOutcome {
    const status = overrides.status === undefined ? 200 : overrides.status;
    const ok = status !== null && status >= 200 && status < 300;
    return { messageId: claimed.messageId, endpointId: claimed.endpointId, attempt: claimed.attempt, claim: claimed.claim, at: at(MINUTE), status, ok, latencyMs: 12, excerpt: ok ? "thanks" : "nope", error: null, retryAt: null, ...overrides };
  }

  /** Records outcomes at `nowMs`, the cutoff five days before it. */
  const record = (outcomes: AttemptOutcome[], nowMs = HOUR) => store.recordWebhookAttempts(outcomes, at(nowMs), at(nowMs - FIVE_DAYS), disabledMessage);

  const claim = (endpointId: string, nowMs = 0, leaseMs = MINUTE, limit = 10) => store.claimWebhookDeliveries(endpointId, limit, at(nowMs), at(nowMs + leaseMs));

  /** Claims one due delivery of the endpoint at `ms`, and records what it came to (at `ms`, retried a minute later on failure). */
  async function attemptAt(endpointId: string, ms: number, status: number | null, overrides: Partial<AttemptOutcome> = {}) {
    const [claimed] = await claim(endpointId, ms, MINUTE, 1);
    if (claimed === undefined) throw new Error(`nothing due for ${endpointId} at ${at(ms)}`);
    const ok = status !== null && status >= 200 && status < 300;
    return record([outcome(claimed, { at: at(ms), status, retryAt: ok ? null : at(ms + MINUTE), ...overrides })], ms);
  }

  async function deliveries(endpointId: string, brandId = "brand-a", state?: WebhookDeliveryState) {
    return (await store.listWebhookDeliveries(brandId, endpointId, { limit: 100, ...(state === undefined ? {} : { state }) })).items;
  }
  const delivery = async (endpointId: string, messageId: string) => (await deliveries(endpointId)).find((d) => d.messageId === messageId);
  const due = async (nowMs: number) => (await store.dueWebhookEndpoints(at(nowMs), 100)).sort();
  const messageCount = async () => Number((await db.get<{ n: number }>("SELECT CAST(count(*) AS INTEGER) AS n FROM webhook_messages"))!.n);

  beforeEach(() => brands());

  describe("webhook outbox", () => {
    it("writes nothing for a brand none of whose enabled endpoints is subscribed to the type", async () => {
      await endpoint("wh_other_type", { events: ["claim.minted"] });
      await endpoint("wh_off", { enabled: false });
      await endpoint("wh_deleted");
      await store.deleteWebhook("brand-a", "wh_deleted", at(0));
      await endpoint("wh_b", { brandId: "brand-b" });

      expect(await store.writeWebhookMessage(message())).toBe(false);
      expect(await messageCount()).toBe(0);
      expect(await due(HOUR)).toEqual([]);
      for (const id of ["wh_other_type", "wh_off"]) expect(await deliveries(id)).toEqual([]);
      expect(await deliveries("wh_b", "brand-b")).toEqual([]);
    });

    it("writes one delivery, due at once, per enabled endpoint of the brand subscribed to the type", async () => {
      await endpoint("wh_1");
      await endpoint("wh_2", { events: ["claim.minted", "award.sent"] });
      await endpoint("wh_other_type", { events: ["claim.minted"] });
      await endpoint("wh_off", { enabled: false });
      await endpoint("wh_deleted");
      await store.deleteWebhook("brand-a", "wh_deleted", at(0));
      await endpoint("wh_b", { brandId: "brand-b" });

      const id = await write({ createdAt: at(MINUTE) });
      expect(await messageCount()).toBe(1);
      for (const endpointId of ["wh_1", "wh_2"]) {
        expect(await deliveries(endpointId)).toEqual([
          { messageId: id, endpointId, type: "award.sent", state: "pending", attempts: 0, nextAttemptAt: at(MINUTE), lastAttemptAt: null, lastStatus: null, lastError: null, createdAt: at(MINUTE), log: [] },
        ]);
      }
      for (const endpointId of ["wh_other_type", "wh_off"]) expect(await deliveries(endpointId)).toEqual([]);
      expect(await deliveries("wh_b", "brand-b")).toEqual([]);
      expect(await due(0)).toEqual([]);
      expect(await due(MINUTE)).toEqual(["wh_1", "wh_2"]);
    });

    it("writes a message with a dedupe key once, and a message id once", async () => {
      await endpoint("wh_1");
      const first = message({ dedupeKey: "membership.expiring:brand-a:0xabc:2025-06-04" });
      expect(await store.writeWebhookMessage(first)).toBe(true);
      expect(await store.writeWebhookMessage(message({ dedupeKey: first.dedupeKey! }))).toBe(false);
      expect(await store.writeWebhookMessage({ ...first, dedupeKey: "another key" })).toBe(false);
      expect(await store.writeWebhookMessage(message({ dedupeKey: "another key" }))).toBe(true);
      expect(await messageCount()).toBe(2);
      expect((await deliveries("wh_1")).map((d) => d.messageId).sort()).toEqual([first.id, expect.stringMatching(/^msg_/)]);
      expect(await deliveries("wh_1")).toHaveLength(2);
    });
  });

  describe("webhook delivery claims", () => {
    it("claims a due delivery under a lease: not due again before the lease ends, due again after it with a later claim", async () => {
      await endpoint("wh_1");
      const draft = message();
      expect(await store.writeWebhookMessage(draft)).toBe(true);
      const id = draft.id;
      const [first, ...more] = await claim("wh_1", 0, MINUTE);
      expect(more).toEqual([]);
      expect(first).toEqual({ messageId: id, endpointId: "wh_1", brandId: "brand-a", url: "https://crm.example/wh_1", type: "award.sent", body: draft.body, attempt: 1, claim: 1 });

      expect(await due(30 * SECOND)).toEqual([]);
      expect(await claim("wh_1", 30 * SECOND)).toEqual([]);
      expect(await due(MINUTE)).toEqual(["wh_1"]);
      const [second] = await claim("wh_1", MINUTE, MINUTE);
      expect(second).toMatchObject({ messageId: id, attempt: 2, claim: 2 });
      expect(second!.body).toBe(first!.body);
      expect(await delivery("wh_1", id)).toMatchObject({ state: "pending", attempts: 2, nextAttemptAt: at(2 * MINUTE) });
    });

    it("claims at most `limit`, oldest due first, and nothing of an endpoint that is off or deleted", async () => {
      await endpoint("wh_1");
      const ids = [await write({ createdAt: at(2 * SECOND) }), await write({ createdAt: at(0) }), await write({ createdAt: at(SECOND) })];
      expect((await claim("wh_1", 10 * SECOND, MINUTE, 2)).map((c) => c.messageId).sort()).toEqual([ids[1], ids[2]].sort());
      expect((await claim("wh_1", 10 * SECOND, MINUTE, 2)).map((c) => c.messageId)).toEqual([ids[0]]);

      await endpoint("wh_2");
      await endpoint("wh_3");
      await write({ createdAt: at(HOUR) });
      await store.updateWebhook("brand-a", "wh_2", { enabled: false, now: at(HOUR) });
      await store.deleteWebhook("brand-a", "wh_3", at(HOUR));
      expect(await due(2 * HOUR)).toEqual(["wh_1"]);
      expect(await claim("wh_2", 2 * HOUR)).toEqual([]);
      expect(await claim("wh_3", 2 * HOUR)).toEqual([]);
    });

    it("claims of one endpoint made at once never hand out the same delivery twice", async () => {
      await endpoint("wh_1");
      const ids = new Set<string>();
      for (let i = 0; i < 30; i++) ids.add(await write({ createdAt: at(i) }));
      const claims = await Promise.all(Array.from({ length: 8 }, () => claim("wh_1", MINUTE, MINUTE, 5)));
      const rest = await claim("wh_1", MINUTE, MINUTE, 100);
      const handedOut = [...claims.flat(), ...rest].map((c) => c.messageId);
      expect(handedOut.sort()).toEqual([...ids].sort());
    });

    it("a late result from an older claim is logged but changes nothing of the delivery", async () => {
      await endpoint("wh_1");
      const id = await write();
      const [older] = await claim("wh_1", 0, MINUTE);
      // The first instance's lease lapsed: another claims the delivery again.
      const [newer] = await claim("wh_1", MINUTE, MINUTE);
      expect(newer!.claim).toBeGreaterThan(older!.claim);

      await record([outcome(older!, { at: at(MINUTE + 10 * SECOND), status: 200 })]);
      expect(await delivery("wh_1", id)).toMatchObject({
        state: "pending",
        attempts: 2,
        nextAttemptAt: at(2 * MINUTE),
        lastAttemptAt: null,
        lastStatus: null,
        log: [{ attempt: 1, at: at(MINUTE + 10 * SECOND), status: 200, latencyMs: 12, excerpt: "thanks", error: null }],
      });

      await record([outcome(newer!, { at: at(MINUTE + 20 * SECOND), status: 503, error: null, retryAt: at(2 * MINUTE + 20 * SECOND) })]);
      expect(await delivery("wh_1", id)).toMatchObject({
        state: "pending",
        nextAttemptAt: at(2 * MINUTE + 20 * SECOND),
        lastAttemptAt: at(MINUTE + 20 * SECOND),
        lastStatus: 503,
        lastError: "HTTP 503",
        log: [
          { attempt: 2, status: 503 },
          { attempt: 1, status: 200 },
        ],
      });

      // The same late result again, after the newer claim's failure: still nothing changes.
      await record([outcome(older!, { at: at(MINUTE + 30 * SECOND), status: 200 })]);
      expect(await delivery("wh_1", id)).toMatchObject({ state: "pending", lastStatus: 503, nextAttemptAt: at(2 * MINUTE + 20 * SECOND) });
      expect((await delivery("wh_1", id))!.log).toHaveLength(3);
    });
  });

  describe("recording webhook attempts", () => {
    it("a 2xx delivers; a failure with a retry time stays pending until then; one without fails", async () => {
      await endpoint("wh_1");
      const [okId, retriedId, failedId] = [await write(), await write(), await write()];
      const claimed = await claim("wh_1", 0, MINUTE);
      const of = (id: string) => claimed.find((c) => c.messageId === id)!;
      const disabled = await record([
        outcome(of(okId), { at: at(SECOND), status: 204 }),
        outcome(of(retriedId), { at: at(2 * SECOND), status: 500, retryAt: at(7 * SECOND) }),
        outcome(of(failedId), { at: at(3 * SECOND), status: null, error: "The endpoint did not answer within 15000 ms.", retryAt: null }),
      ]);
      expect(disabled).toEqual([]);

      expect(await delivery("wh_1", okId)).toMatchObject({ state: "delivered", attempts: 1, nextAttemptAt: null, lastAttemptAt: at(SECOND), lastStatus: 204, lastError: null });
      expect(await delivery("wh_1", retriedId)).toMatchObject({ state: "pending", attempts: 1, nextAttemptAt: at(7 * SECOND), lastAttemptAt: at(2 * SECOND), lastStatus: 500, lastError: "HTTP 500" });
      expect(await delivery("wh_1", failedId)).toMatchObject({
        state: "failed",
        nextAttemptAt: null,
        lastStatus: null,
        lastError: "The endpoint did not answer within 15000 ms.",
        log: [{ attempt: 1, at: at(3 * SECOND), status: null, latencyMs: 12, excerpt: "nope", error: "The endpoint did not answer within 15000 ms." }],
      });
      // Its latest attempts failed: the endpoint is failing since the first of them, but still on.
      expect(await store.getWebhook("brand-a", "wh_1")).toMatchObject({ enabled: true, disabledReason: null, failingSince: at(2 * SECOND) });

      expect(await due(6 * SECOND)).toEqual([]);
      expect(await due(7 * SECOND)).toEqual(["wh_1"]);
      const [again] = await claim("wh_1", 7 * SECOND);
      expect(again).toMatchObject({ messageId: retriedId, attempt: 2 });
      await record([outcome(again!, { at: at(8 * SECOND), status: 200 })]);
      expect(await delivery("wh_1", retriedId)).toMatchObject({ state: "delivered", attempts: 2, lastStatus: 200, lastError: null });
      expect(await store.getWebhook("brand-a", "wh_1")).toMatchObject({ enabled: true, failingSince: null });
    });

    it("a 410 turns the endpoint off with a reason, and a webhook.disabled message goes to the brand's other subscribed endpoints only", async () => {
      await endpoint("wh_gone", { events: ["award.sent", "webhook.disabled"] });
      await endpoint("wh_ops", { events: ["webhook.disabled"] });
      await endpoint("wh_crm", { events: ["award.sent"] });
      await endpoint("wh_b", { brandId: "brand-b", events: ["webhook.disabled"] });
      const [sent, waiting] = [await write(), await write({ createdAt: at(SECOND) })];

      const [claimed] = await claim("wh_gone", 0, MINUTE, 1);
      expect(claimed!.messageId).toBe(sent);
      const disabled = await record([outcome(claimed!, { status: 410, retryAt: at(2 * MINUTE) })]);
      expect(disabled).toEqual([{ endpointId: "wh_gone", brandId: "brand-a", url: "https://crm.example/wh_gone", reason: expect.stringMatching(/410/) }]);

      const gone = await store.getWebhook("brand-a", "wh_gone");
      expect(gone).toMatchObject({ enabled: false, disabledReason: disabled[0]!.reason });
      expect(await delivery("wh_gone", sent)).toMatchObject({ state: "failed", lastStatus: 410, nextAttemptAt: null });
      // Its other delivery is not sent while it is off.
      expect(await delivery("wh_gone", waiting)).toMatchObject({ state: "pending", attempts: 0 });
      expect(await claim("wh_gone", HOUR)).toEqual([]);

      const told = await deliveries("wh_ops");
      expect(told).toEqual([expect.objectContaining({ type: "webhook.disabled", state: "pending", attempts: 0 })]);
      expect(await due(HOUR)).toEqual(["wh_crm", "wh_ops"]);
      const [notice] = await claim("wh_ops", HOUR);
      expect(JSON.parse(notice!.body)).toMatchObject({ type: "webhook.disabled", data: { endpoint: { id: "wh_gone", url: "https://crm.example/wh_gone" }, reason: disabled[0]!.reason } });
      expect((await deliveries("wh_gone")).map((d) => d.type)).toEqual(["award.sent", "award.sent"]);
      expect((await deliveries("wh_crm")).map((d) => d.type)).toEqual(["award.sent", "award.sent"]);
      expect(await deliveries("wh_b", "brand-b")).toEqual([]);

      // Another 410 for it (a late result) turns nothing off twice and tells no one again.
      expect(await record([outcome(claimed!, { at: at(2 * MINUTE), status: 410, retryAt: at(3 * MINUTE) })])).toEqual([]);
      expect(await deliveries("wh_ops")).toHaveLength(1);
    });

    it("an endpoint failing since before the cutoff is turned off; a success in between starts its run of failures again", async () => {
      await endpoint("wh_1", { events: ["award.sent"] });
      await endpoint("wh_ops", { events: ["webhook.disabled"] });
      for (let i = 0; i < 4; i++) await write({ createdAt: at(0) });

      expect(await attemptAt("wh_1", 0, 500)).toEqual([]);
      expect(await store.getWebhook("brand-a", "wh_1")).toMatchObject({ enabled: true, failingSince: at(0) });
      expect(await attemptAt("wh_1", 4 * DAY, null, { error: "connection refused" })).toEqual([]);
      expect(await store.getWebhook("brand-a", "wh_1")).toMatchObject({ enabled: true, failingSince: at(0) });

      const disabled = await attemptAt("wh_1", FIVE_DAYS + MINUTE, 502);
      expect(disabled).toEqual([{ endpointId: "wh_1", brandId: "brand-a", url: "https://crm.example/wh_1", reason: expect.stringMatching(/5 days/) }]);
      expect(await store.getWebhook("brand-a", "wh_1")).toMatchObject({ enabled: false, disabledReason: disabled[0]!.reason });
      expect(await deliveries("wh_ops")).toEqual([expect.objectContaining({ type: "webhook.disabled" })]);
      expect(await due(FIVE_DAYS + HOUR)).toEqual(["wh_ops"]);

      // Turned on again by the brand: its past failures no longer count.
      await store.updateWebhook("brand-a", "wh_1", { enabled: true, now: at(6 * DAY) });
      expect(await store.getWebhook("brand-a", "wh_1")).toMatchObject({ enabled: true, disabledReason: null, failingSince: null });
      expect(await attemptAt("wh_1", 6 * DAY, 500)).toEqual([]);
      expect(await store.getWebhook("brand-a", "wh_1")).toMatchObject({ enabled: true, failingSince: at(6 * DAY) });
    });

    it("a success clears failingSince, also when it comes in one batch before a later failure", async () => {
      await endpoint("wh_1");
      for (let i = 0; i < 6; i++) await write();

      await attemptAt("wh_1", 0, 500);
      expect(await store.getWebhook("brand-a", "wh_1")).toMatchObject({ failingSince: at(0) });
      await attemptAt("wh_1", DAY, 200);
      expect(await store.getWebhook("brand-a", "wh_1")).toMatchObject({ enabled: true, failingSince: null });

      await attemptAt("wh_1", 2 * DAY, 500);
      // One batch, in time order: a success, then a failure. The failures run from the later one only.
      const claimed = await claim("wh_1", 4 * DAY, MINUTE, 2);
      expect(claimed).toHaveLength(2);
      await record(
        [outcome(claimed[0]!, { at: at(4 * DAY), status: 200 }), outcome(claimed[1]!, { at: at(4 * DAY + SECOND), status: 500, retryAt: at(4 * DAY + MINUTE) })],
        4 * DAY + SECOND,
      );
      expect(await store.getWebhook("brand-a", "wh_1")).toMatchObject({ enabled: true, failingSince: at(4 * DAY + SECOND) });
      // Five days after the first failure, but not after the latest run began: still on.
      expect(await attemptAt("wh_1", 7 * DAY + HOUR, 500)).toEqual([]);
      expect(await store.getWebhook("brand-a", "wh_1")).toMatchObject({ enabled: true, failingSince: at(4 * DAY + SECOND) });
    });
  });

  describe("webhook delivery log", () => {
    it("pages an endpoint's deliveries newest first, each with its latest ten attempts, by state, for its brand only", async () => {
      await endpoint("wh_1");
      const ids: string[] = [await write({ createdAt: at(0) })];
      // Twelve failed attempts at the oldest message: the log shows the latest ten, newest first.
      for (let attempt = 1; attempt <= 12; attempt++) {
        const nowMs = attempt * HOUR;
        const [claimed] = await claim("wh_1", nowMs, MINUTE);
        expect(claimed).toMatchObject({ messageId: ids[0], attempt });
        await record([outcome(claimed!, { at: at(nowMs + SECOND), status: 500 + (attempt % 3), retryAt: attempt === 12 ? null : at(nowMs + HOUR) })], nowMs + SECOND);
      }
      for (let i = 1; i < 5; i++) ids.push(await write({ createdAt: at(i * MINUTE) }));

      const first = await store.listWebhookDeliveries("brand-a", "wh_1", { limit: 2 });
      expect(first.items.map((d) => d.messageId)).toEqual([ids[4], ids[3]]);
      const second = await store.listWebhookDeliveries("brand-a", "wh_1", { limit: 2, cursor: first.nextCursor });
      expect(second.items.map((d) => d.messageId)).toEqual([ids[2], ids[1]]);
      const third = await store.listWebhookDeliveries("brand-a", "wh_1", { limit: 2, cursor: second.nextCursor });
      expect(third).toEqual({ items: [expect.objectContaining({ messageId: ids[0] })], nextCursor: null });

      const failed = await delivery("wh_1", ids[0]!);
      expect(failed).toMatchObject({ state: "failed", attempts: 12 });
      expect(failed!.log.map((a) => a.attempt)).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3]);
      expect(failed!.log[0]).toEqual({ attempt: 12, at: at(12 * HOUR + SECOND), status: 500, latencyMs: 12, excerpt: "nope", error: null });

      const [delivered] = await claim("wh_1", 100 * DAY, MINUTE, 1);
      await record([outcome(delivered!, { at: at(100 * DAY) })], 100 * DAY);
      expect((await deliveries("wh_1", "brand-a", "failed")).map((d) => d.messageId)).toEqual([ids[0]]);
      expect((await deliveries("wh_1", "brand-a", "delivered")).map((d) => d.messageId)).toEqual([delivered!.messageId]);
      expect(await deliveries("wh_1", "brand-a", "pending")).toHaveLength(3);

      // Another brand asking about brand A's endpoint sees nothing.
      expect(await store.listWebhookDeliveries("brand-b", "wh_1", { limit: 100 })).toEqual({ items: [], nextCursor: null });
    });
  });

  describe("resending and replaying webhook messages", () => {
    it("resends a message from its first attempt, with the same id; another brand's message or endpoint is not resent", async () => {
      await endpoint("wh_1");
      await endpoint("wh_b", { brandId: "brand-b" });
      const id = await write();
      const theirs = await write({ brandId: "brand-b" });
      await attemptAt("wh_1", 0, 500, { retryAt: null });
      expect(await delivery("wh_1", id)).toMatchObject({ state: "failed", attempts: 1 });
      const [before] = await db.all<{ claims: number }>("SELECT claims FROM webhook_deliveries WHERE message_id = ?", id);

      expect(await store.resendWebhookMessage("brand-a", "wh_1", id, at(HOUR))).toBe(true);
      expect(await delivery("wh_1", id)).toMatchObject({ messageId: id, state: "pending", attempts: 0, nextAttemptAt: at(HOUR) });
      const [again] = await claim("wh_1", HOUR);
      expect(again).toMatchObject({ messageId: id, attempt: 1 });
      expect(again!.claim).toBeGreaterThan(Number(before!.claims));
      await record([outcome(again!, { at: at(HOUR), status: 200 })], HOUR);
      expect(await delivery("wh_1", id)).toMatchObject({ state: "delivered", attempts: 1, lastStatus: 200 });

      // A resend while an attempt is under way: that attempt's late result no longer settles the resent delivery.
      const [inFlight] = await claim("wh_1", 2 * HOUR - MINUTE);
      expect(inFlight).toBeUndefined();
      expect(await store.resendWebhookMessage("brand-a", "wh_1", id, at(HOUR + MINUTE))).toBe(true);
      const [underWay] = await claim("wh_1", HOUR + MINUTE);
      expect(await store.resendWebhookMessage("brand-a", "wh_1", id, at(HOUR + 2 * MINUTE))).toBe(true);
      await record([outcome(underWay!, { at: at(HOUR + 2 * MINUTE), status: 200 })], HOUR + 2 * MINUTE);
      expect(await delivery("wh_1", id)).toMatchObject({ state: "pending", attempts: 0, nextAttemptAt: at(HOUR + 2 * MINUTE) });

      expect(await store.resendWebhookMessage("brand-a", "wh_1", theirs, at(HOUR))).toBe(false);
      expect(await store.resendWebhookMessage("brand-b", "wh_1", id, at(HOUR))).toBe(false);
      expect(await store.resendWebhookMessage("brand-b", "wh_b", id, at(HOUR))).toBe(false);
      expect(await store.resendWebhookMessage("brand-a", "wh_1", "msg_missing", at(HOUR))).toBe(false);
      expect(await deliveries("wh_b", "brand-b")).toEqual([expect.objectContaining({ messageId: theirs })]);
      await store.deleteWebhook("brand-a", "wh_1", at(HOUR));
      expect(await store.resendWebhookMessage("brand-a", "wh_1", id, at(2 * HOUR))).toBe(false);
    });

    it("replays the endpoint's subscribed types written since a time, delivered or not, and says how many", async () => {
      await endpoint("wh_1", { events: ["award.sent", "claim.minted"] });
      await endpoint("wh_journeys", { events: ["journey.completed"] });
      await endpoint("wh_b", { brandId: "brand-b" });
      const old = await write({ createdAt: at(0) });
      const award = await write({ createdAt: at(HOUR) });
      const minted = await write({ type: "claim.minted", createdAt: at(2 * HOUR) });
      const journey = await write({ type: "journey.completed", createdAt: at(3 * HOUR) });
      await write({ brandId: "brand-b", createdAt: at(HOUR) });
      // Attempted oldest first: the first two delivered, the third failed for good.
      await attemptAt("wh_1", DAY, 200);
      await attemptAt("wh_1", DAY, 200);
      await attemptAt("wh_1", DAY, 500, { retryAt: null });
      expect((await deliveries("wh_1")).map((d) => [d.messageId, d.state])).toEqual([
        [minted, "failed"],
        [award, "delivered"],
        [old, "delivered"],
      ]);

      expect(await store.replayWebhookMessages("brand-a", "wh_1", at(HOUR), at(2 * DAY))).toBe(2);
      expect((await deliveries("wh_1")).map((d) => [d.messageId, d.state, d.attempts, d.nextAttemptAt])).toEqual([
        [minted, "pending", 0, at(2 * DAY)],
        [award, "pending", 0, at(2 * DAY)],
        [old, "delivered", 1, null],
      ]);
      expect((await claim("wh_1", 2 * DAY)).map((c) => c.messageId).sort()).toEqual([award, minted].sort());
      expect(await deliveries("wh_journeys")).toEqual([expect.objectContaining({ messageId: journey })]);

      // An endpoint added later is sent what it would have been; another brand's endpoint is not.
      await endpoint("wh_new");
      expect(await store.replayWebhookMessages("brand-a", "wh_new", at(0), at(2 * DAY))).toBe(2);
      expect((await deliveries("wh_new")).map((d) => d.messageId)).toEqual([award, old]);
      expect(await store.replayWebhookMessages("brand-a", "wh_b", at(0), at(2 * DAY))).toBe(0);
      expect(await store.replayWebhookMessages("brand-b", "wh_1", at(0), at(2 * DAY))).toBe(0);
      expect(await deliveries("wh_b", "brand-b")).toHaveLength(1);
    });
  });

  describe("pruning webhook history", () => {
    it("forgets old delivered and failed deliveries, their attempts and messages, and keeps pending ones", async () => {
      await endpoint("wh_1");
      const delivered = await write({ createdAt: at(0) });
      const failed = await write({ createdAt: at(0) });
      const pending = await write({ createdAt: at(0) });
      const recent = await write({ createdAt: at(2 * DAY) });
      const claimed = await claim("wh_1", 2 * DAY, MINUTE);
      const of = (id: string) => claimed.find((c) => c.messageId === id)!;
      await record(
        [
          outcome(of(delivered), { at: at(HOUR), status: 200 }),
          outcome(of(failed), { at: at(HOUR), status: 500, retryAt: null }),
          outcome(of(pending), { at: at(HOUR), status: 500, retryAt: at(3 * DAY) }),
          outcome(of(recent), { at: at(2 * DAY), status: 200 }),
        ],
        2 * DAY,
      );

      expect(await store.pruneWebhookHistory(at(DAY))).toBeGreaterThan(0);
      expect((await deliveries("wh_1")).map((d) => [d.messageId, d.state])).toEqual([
        [recent, "delivered"],
        [pending, "pending"],
      ]);
      expect((await delivery("wh_1", recent))!.log).toHaveLength(1);
      expect(await messageCount()).toBe(2);
      // A forgotten message cannot be resent; the pending one is still sent, in full.
      expect(await store.resendWebhookMessage("brand-a", "wh_1", delivered, at(3 * DAY))).toBe(false);
      const [still] = (await claim("wh_1", 3 * DAY)).filter((c) => c.messageId === pending);
      expect(JSON.parse(still!.body)).toMatchObject({ type: "award.sent" });

      expect(await store.pruneWebhookHistory(at(DAY))).toBe(0);
    });
  });
};
