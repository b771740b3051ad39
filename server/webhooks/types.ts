/**
 * A brand's webhook endpoints as the store keeps them. The signing secrets are kept sealed
 * (server/webhooks/endpoints.ts seals and opens them); the store never sees them in the clear.
 */
import type { WebhookEventType } from "../../sdk/src/protocol/webhooks.ts";
import type { Timestamp } from "../storage/time.ts";

export type WebhookEndpoint = {
  id: string;
  brandId: string;
  url: string;
  events: WebhookEventType[];
  description: string;
  enabled: boolean;
  /** Why the server turned it off (410, days of failures); null when it did not. */
  disabledReason: string | null;
  /** When its current run of failed attempts began; null while it delivers. */
  failingSince: Timestamp | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
};

/** The sealed signing secrets of an endpoint: the current one, and during a rotation the previous one until it lapses. */
export type SealedWebhookSecrets = { current: string; previous: string | null; previousValidUntil: Timestamp | null };

export type NewWebhookEndpoint = Omit<WebhookEndpoint, "disabledReason" | "failingSince" | "createdAt" | "updatedAt"> & { sealedSecret: string; now: Timestamp };

export type WebhookEndpointPatch = Partial<Pick<WebhookEndpoint, "url" | "events" | "description" | "enabled">> & { now: Timestamp };

export interface WebhookStore {
  /** Creates an endpoint unless the brand has `max` already (deleted ones do not count). */
  createWebhook(input: NewWebhookEndpoint, max: number): Promise<{ status: "created"; endpoint: WebhookEndpoint } | { status: "quota_exceeded"; limit: number }>;
  /** The brand's endpoints, oldest first. */
  listWebhooks(brandId: string): Promise<WebhookEndpoint[]>;
  /** One of the brand's endpoints; null when it is another brand's, deleted or missing. */
  getWebhook(brandId: string, id: string): Promise<WebhookEndpoint | null>;
  /** Changes one of the brand's endpoints; turning it on clears why it was turned off. Null when not the brand's. */
  updateWebhook(brandId: string, id: string, patch: WebhookEndpointPatch): Promise<WebhookEndpoint | null>;
  /** Deletes one of the brand's endpoints; false when not the brand's. */
  deleteWebhook(brandId: string, id: string, now: Timestamp): Promise<boolean>;
  /** Makes `sealedSecret` the current secret; the current one keeps signing until `previousValidUntil`. Null when not the brand's. */
  rotateWebhookSecret(brandId: string, id: string, sealedSecret: string, previousValidUntil: Timestamp, now: Timestamp): Promise<WebhookEndpoint | null>;
  /** The endpoint's sealed secrets (for signing); null when it is deleted or missing. */
  webhookSecrets(id: string): Promise<SealedWebhookSecrets | null>;
}

/**
 * A message for a brand's endpoints, written by the store in the same transaction as the change it
 * reports (the outbox), and only when an enabled endpoint of the brand is subscribed to its type.
 */
export type WebhookMessageDraft = {
  /** `msg_…`: the `webhook-id` of every attempt. */
  id: string;
  brandId: string;
  type: WebhookEventType;
  /** The body as sent: `{type, timestamp, data}` (webhook-messages.ts composes it). */
  body: string;
  createdAt: Timestamp;
  /** Written at most once per key (events found by scanning, such as a membership about to expire). */
  dedupeKey?: string;
  /** A message about a block: watched while the block is in the reorg window (its reversal follows if the block goes). */
  chain?: { block: bigint; hash: string; confirmed: boolean };
};

/**
 * What a store calls inside the transaction of a change, with its result, for the messages that
 * report it (none when nothing changed). Pure and synchronous: whatever it names was read before.
 */
export type Announce<R> = (result: R) => readonly WebhookMessageDraft[];

export type WebhookDeliveryState = "pending" | "delivered" | "failed";

/** A delivery claimed by this instance for one attempt. */
export type ClaimedDelivery = {
  messageId: string;
  endpointId: string;
  brandId: string;
  url: string;
  type: WebhookEventType;
  body: string;
  /** This attempt's number, from 1. */
  attempt: number;
  /** The fencing token: the result counts only while no other claim came after this one. */
  claim: number;
};

/** What one attempt came to, and what follows from it. */
export type AttemptOutcome = {
  messageId: string;
  endpointId: string;
  attempt: number;
  claim: number;
  at: Timestamp;
  status: number | null;
  ok: boolean;
  latencyMs: number;
  excerpt: string;
  error: string | null;
  /** When to try again after a failure; null: the schedule has run out (the delivery fails). */
  retryAt: Timestamp | null;
};

/** An endpoint the store turned off while recording attempts, with the message telling the brand. */
export type DisabledEndpoint = { endpointId: string; brandId: string; url: string; reason: string };

export type WebhookDelivery = {
  messageId: string;
  endpointId: string;
  type: WebhookEventType;
  state: WebhookDeliveryState;
  attempts: number;
  nextAttemptAt: Timestamp | null;
  lastAttemptAt: Timestamp | null;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: Timestamp;
  /** The latest attempts, newest first (at most ten). */
  log: WebhookAttempt[];
};

export type WebhookAttempt = { attempt: number; at: Timestamp; status: number | null; latencyMs: number; excerpt: string; error: string | null };

export interface WebhookDeliveryStore {
  /** Endpoints with deliveries due at `now` (enabled endpoints only), most overdue first. */
  dueWebhookEndpoints(now: Timestamp, limit: number): Promise<string[]>;
  /**
   * Claims up to `limit` of the endpoint's due deliveries for one attempt each: they are not due
   * again before `leaseUntil`, on any instance. Deliveries another transaction is claiming are passed over.
   */
  claimWebhookDeliveries(endpointId: string, limit: number, now: Timestamp, leaseUntil: Timestamp): Promise<ClaimedDelivery[]>;
  /**
   * Records attempts in one transaction: the attempt log, each delivery's state (only while its claim
   * is still the latest), and each endpoint's run of failures. An endpoint that answered 410 or has
   * failed since before `failingCutoff` is turned off, and a `webhook.disabled` message (composed by
   * `disabledMessage`) goes to the brand's other endpoints.
   */
  recordWebhookAttempts(
    outcomes: readonly AttemptOutcome[],
    now: Timestamp,
    failingCutoff: Timestamp,
    disabledMessage: (endpoint: DisabledEndpoint) => WebhookMessageDraft,
  ): Promise<DisabledEndpoint[]>;
  /** The endpoint's deliveries, newest first, with their latest attempts. */
  listWebhookDeliveries(brandId: string, endpointId: string, query: { limit: number; cursor?: string | null; state?: WebhookDeliveryState }): Promise<{ items: WebhookDelivery[]; nextCursor: string | null }>;
  /** Sends one message to the endpoint again, from the first attempt; false when the brand has no such message for it. */
  resendWebhookMessage(brandId: string, endpointId: string, messageId: string, now: Timestamp): Promise<boolean>;
  /** Sends again every message of the endpoint's types written since `since` (delivered or not); resolves to how many. */
  replayWebhookMessages(brandId: string, endpointId: string, since: Timestamp, now: Timestamp): Promise<number>;
  /** Writes one message outside any other change (a test message, a scan's event); false when no endpoint wants it or its key was written before. */
  writeWebhookMessage(message: WebhookMessageDraft): Promise<boolean>;
  /** Forgets messages, deliveries and attempts older than `before` (deliveries still pending are kept). */
  pruneWebhookHistory(before: Timestamp): Promise<number>;
}

/** A message about a block, watched until its block is final or gone. */
export type WatchedChainMessage = { id: string; brandId: string; type: WebhookEventType; body: string; block: bigint; hash: string; state: "unconfirmed" | "confirmed" };

/** Where announcing a collection's chain facts stands: after which fact, and through which chain time expiries were told. */
export type ChainAnnounceCursor = { position: string; expiredThrough: bigint };

/** The level a member was last announced at with a brand (null: below every level). */
export type AnnouncedLevel = { brandId: string; member: string; levelKey: string | null; points: bigint };

export interface WebhookChainStore {
  webhookChainCursor(collection: string): Promise<ChainAnnounceCursor | null>;
  /**
   * In one transaction: writes `messages` (a dedupe key written before drops a repeat), records the
   * members' announced levels, and moves the collection's cursor. Resolves to how many messages were written.
   */
  announceChain(collection: string, messages: readonly WebhookMessageDraft[], levels: readonly AnnouncedLevel[], cursor: ChainAnnounceCursor): Promise<number>;
  /** Messages about blocks not yet final or gone, oldest block first. */
  watchedChainMessages(limit: number): Promise<WatchedChainMessage[]>;
  /** In one transaction: new states of watched messages (`settled`: no longer watched) and the messages that follow from them. */
  settleChainMessages(changes: readonly { id: string; state: "confirmed" | "settled" | "reverted" }[], followUps: readonly WebhookMessageDraft[]): Promise<void>;
  /** The levels members were last announced at with a brand. */
  announcedLevels(brandId: string, members: readonly string[]): Promise<Map<string, AnnouncedLevel>>;
}
