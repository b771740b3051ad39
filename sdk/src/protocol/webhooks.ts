/** Wire shapes of a brand's webhook endpoints: where Stampbook tells the brand's systems what happened. */
import { Type, type Static } from "typebox";
import { Nullable, PageQueryFields, pageOf, StringEnum, TimestampSchema } from "./common.ts";

/** What a brand's systems can be told, by type name (the `type` of each message). */
export const WEBHOOK_EVENT_TYPES = [
  "redemption.created",
  "redemption.consumed",
  "claim.minted",
  "claim.failed",
  "award.sent",
  "journey.completed",
  "level.changed",
  "membership.granted",
  "membership.renewed",
  "membership.expiring",
  "membership.expired",
  "token.transferred",
  "consent.granted",
  "consent.revoked",
  "member.erased",
  "webhook.disabled",
  "webhook.test",
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

const Events = Type.Array(StringEnum(WEBHOOK_EVENT_TYPES), {
  minItems: 1,
  maxItems: WEBHOOK_EVENT_TYPES.length,
  uniqueItems: true,
  description: "The event types this endpoint is sent (at least one)",
});

const Url = Type.String({ minLength: 1, maxLength: 2048, description: "Where messages are POSTed: https (plain http and private addresses only where the deployment allows them)" });
const Description = Type.String({ maxLength: 500, description: "What the endpoint is for, in the brand's words" });

const WebhookFields = {
  id: Type.String(),
  url: Type.String(),
  events: Type.Array(StringEnum(WEBHOOK_EVENT_TYPES)),
  description: Type.String(),
  enabled: Type.Boolean({ description: "False: nothing is sent to it (the brand turned it off, or it was disabled after failing)" }),
  disabledReason: Nullable(Type.String({ description: "Why Stampbook turned it off, in words; null when it did not" })),
  failingSince: Nullable({ ...TimestampSchema, description: "When its current run of failed attempts began; null while it delivers. Five days of it turn the endpoint off" }),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
};

export const WebhookSchema = Type.Object(WebhookFields);

export const CreateWebhookBody = Type.Object(
  { url: Url, events: Events, description: Type.Optional(Description), enabled: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);

export const UpdateWebhookBody = Type.Object(
  { url: Type.Optional(Url), events: Type.Optional(Events), description: Type.Optional(Description), enabled: Type.Optional(Type.Boolean()) },
  { additionalProperties: false, minProperties: 1 },
);

/** An endpoint as created, with its signing secret: shown this once. */
export const CreatedWebhookSchema = Type.Object({
  ...WebhookFields,
  secret: Type.String({ description: "The signing secret (whsec_…): shown once; keep it in the receiving service" }),
});

export const RotatedSecretSchema = Type.Object({
  secret: Type.String({ description: "The new signing secret (whsec_…): shown once" }),
  previousValidUntil: TimestampSchema,
});

export const WebhookParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
export const WebhookList = Type.Object({ items: Type.Array(WebhookSchema) });

export type Webhook = Static<typeof WebhookSchema>;
export type CreateWebhookRequest = Static<typeof CreateWebhookBody>;
export type UpdateWebhookRequest = Static<typeof UpdateWebhookBody>;

/** What a test message's delivery came to. */
export const WebhookTestResultSchema = Type.Object({
  messageId: Type.String({ description: "The webhook-id the test message carried" }),
  delivered: Type.Boolean({ description: "The endpoint answered 2xx" }),
  status: Nullable(Type.Integer({ description: "The endpoint's HTTP status; null when it could not be reached" })),
  latencyMs: Type.Integer(),
  error: Nullable(Type.String({ description: "Why it was not delivered, in words; null when it was" })),
  excerpt: Type.String({ description: "The start of the endpoint's answer (at most 1 KB)" }),
});

export const WEBHOOK_DELIVERY_STATES = ["pending", "delivered", "failed"] as const;

const AttemptSchema = Type.Object({
  attempt: Type.Integer({ minimum: 1, description: "1 for the first attempt (counting again from 1 after a resend)" }),
  at: TimestampSchema,
  status: Nullable(Type.Integer({ description: "The endpoint's HTTP status; null when it could not be reached" })),
  latencyMs: Type.Integer(),
  excerpt: Type.String({ description: "The start of the endpoint's answer (at most 1 KB)" }),
  error: Nullable(Type.String({ description: "Why it failed, in words; null when an answer came" })),
});

export const WebhookDeliverySchema = Type.Object({
  messageId: Type.String({ description: "The webhook-id every attempt of this message carries" }),
  type: StringEnum(WEBHOOK_EVENT_TYPES),
  state: StringEnum(WEBHOOK_DELIVERY_STATES, { description: "pending: not delivered yet (retries are scheduled); delivered: a 2xx came; failed: the retries ran out or the endpoint answered 410" }),
  attempts: Type.Integer({ minimum: 0 }),
  nextAttemptAt: Nullable({ ...TimestampSchema, description: "When it is tried next; null unless pending" }),
  lastAttemptAt: Nullable(TimestampSchema),
  lastStatus: Nullable(Type.Integer()),
  lastError: Nullable(Type.String()),
  createdAt: TimestampSchema,
  log: Type.Array(AttemptSchema, { description: "The latest attempts, newest first (at most ten)" }),
});

export const WebhookDeliveryPage = pageOf(WebhookDeliverySchema);
export const WebhookDeliveryQuery = Type.Object({ ...PageQueryFields, state: Type.Optional(StringEnum(WEBHOOK_DELIVERY_STATES)) }, { additionalProperties: false });
export const WebhookMessageParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }), messageId: Type.String({ minLength: 1, maxLength: 64 }) });
export const ReplayWebhookBody = Type.Object(
  { since: Type.String({ format: "date-time", description: "Every message of the endpoint's event types written since then is sent again (messages are kept 30 days)" }) },
  { additionalProperties: false },
);
export const ReplayResultSchema = Type.Object({ queued: Type.Integer({ minimum: 0, description: "How many messages are on their way again" }) });

export type WebhookDelivery = Static<typeof WebhookDeliverySchema>;
