/**
 * What each webhook message says: the `data` of every event type, with things named as members see
 * them (perk titles, token type names) beside their ids. Messages never carry a member's profile:
 * only the wallet address the brand already sees on its redemptions, and what the member granted.
 * The server composes messages with these types; the OpenAPI document lists them under `webhooks`.
 */
import { Type, type Static, type TSchema } from "typebox";
import { AddressSchema, HexSchema, Nullable, TimestampSchema, UintStringSchema } from "./common.ts";
import type { WebhookEventType } from "./webhooks.ts";

const Member = Type.Object({ address: AddressSchema }, { description: "The member, by the wallet they signed in with" });
const Named = (what: string) => Type.Object({ id: Type.String(), title: Type.String({ description: `The ${what}'s title, as members see it` }) });
const TokenType = Type.Object(
  { collection: AddressSchema, tokenId: UintStringSchema, name: Type.String({ description: "The token type's name, as members see it" }) },
  { description: "A token type of one of the brand's collections" },
);
const Level = Nullable(Type.Object({ key: Type.String(), name: Type.String() }));
const TxHash = HexSchema(32, "The transaction");
const Expiry = Nullable({ ...TimestampSchema, description: "When the membership ends; null: it never does" });
/** Messages about a block: sent when the index applies it, again when it is final, and reversed if a reorg takes it away. */
const Finality = {
  confirmed: Type.Boolean({ description: "The block is as deep as the deployment's CONFIRMATIONS. An unconfirmed message is followed by the same one with confirmed: true once it is" }),
  reverted: Type.Boolean({ description: "True: a reorg took the block away and this did not happen; undo what the earlier message with the same data did" }),
};
const ChainPlace = {
  blockNumber: Type.Integer({ minimum: 0 }),
  blockHash: HexSchema(32),
  txHash: TxHash,
  logIndex: Type.Integer({ minimum: 0 }),
};

export const WEBHOOK_EVENT_DATA = {
  "redemption.created": Type.Object({
    redemptionId: Type.String(),
    perk: Named("perk"),
    member: Member,
    vault: Nullable(Type.String({ description: "The vault whose holdings unlocked it (a delegated wallet); null: the member's own" })),
    code: Nullable(Type.String({ description: "The one-time code a till consumes; null when the perk has none" })),
    createdAt: TimestampSchema,
  }),
  "redemption.consumed": Type.Object({ redemptionId: Type.String(), perk: Named("perk"), member: Member, code: Type.String(), consumedAt: TimestampSchema }),
  "claim.minted": Type.Object({
    claimId: Type.String(),
    drop: Named("drop"),
    member: Member,
    tokenType: TokenType,
    amount: UintStringSchema,
    txHash: Nullable(HexSchema(32)),
    mintedAt: TimestampSchema,
  }),
  "claim.failed": Type.Object({
    claimId: Type.String(),
    drop: Named("drop"),
    member: Member,
    error: Type.Object({ code: Type.String(), message: Type.String() }),
    failedAt: TimestampSchema,
  }),
  "award.sent": Type.Object({
    awardId: Type.String(),
    journey: Named("journey"),
    member: Member,
    tokenType: TokenType,
    amount: UintStringSchema,
    txHash: TxHash,
    sentAt: TimestampSchema,
  }),
  "journey.completed": Type.Object({
    journey: Named("journey"),
    member: Member,
    awardId: Nullable(Type.String({ description: "The stamp the journey awards, queued; null when it awards none" })),
    completedAt: TimestampSchema,
  }),
  "level.changed": Type.Object(
    { member: Member, from: Level, to: Level, points: UintStringSchema, ...ChainPlace },
    { description: "The member's holdings moved them across a level threshold (the place is the last transfer that did). Worked out again from what the chain holds: after a reorg, the next message moves the level back" },
  ),
  "membership.granted": Type.Object({ member: Member, tokenType: TokenType, expiresAt: Expiry, ...ChainPlace, ...Finality }),
  "membership.renewed": Type.Object({ member: Member, tokenType: TokenType, expiresAt: Expiry, previousExpiresAt: Expiry, ...ChainPlace, ...Finality }),
  "membership.expiring": Type.Object({ member: Member, tokenType: TokenType, expiresAt: TimestampSchema }, { description: "Sent once, within 72 hours of a membership's end (by chain time)" }),
  "membership.expired": Type.Object({ member: Member, tokenType: TokenType, expiredAt: TimestampSchema }),
  "token.transferred": Type.Object({
    tokenType: TokenType,
    from: AddressSchema,
    to: AddressSchema,
    amount: UintStringSchema,
    ...ChainPlace,
    ...Finality,
  }),
  "consent.granted": Type.Object({
    consentId: Type.String(),
    member: Member,
    requestId: Type.String(),
    fields: Type.Array(Type.String(), { description: "The fields the member agreed to share (their values are read through the data API)" }),
    purpose: Type.String(),
    grantedAt: TimestampSchema,
    expiresAt: TimestampSchema,
  }),
  "consent.revoked": Type.Object({ consentId: Type.String(), member: Member, requestId: Type.String(), revokedAt: TimestampSchema }),
  "member.erased": Type.Object(
    { member: Member, erasedAt: TimestampSchema },
    { description: "The member erased their data: delete what your systems keep about this wallet. Stampbook's records of them go on under a pseudonym" },
  ),
  "webhook.disabled": Type.Object({ endpoint: Type.Object({ id: Type.String(), url: Type.String() }), reason: Type.String() }),
  "webhook.test": Type.Object({ endpointId: Type.String(), brandId: Type.String() }),
} satisfies Record<WebhookEventType, TSchema>;

export type WebhookEventData = { [T in WebhookEventType]: Static<(typeof WEBHOOK_EVENT_DATA)[T]> };

/** A message's body: what a receiver parses after verifying the signature. */
export type WebhookMessageBody<T extends WebhookEventType = WebhookEventType> = { type: T; timestamp: string; data: WebhookEventData[T] };

/** The OpenAPI 3.1 `webhooks` map: one POST per event type, its body `{type, timestamp, data}`. */
export function webhooksOpenApi(): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(WEBHOOK_EVENT_DATA).map(([type, data]) => [
      type,
      {
        post: {
          summary: type,
          description: "Signed the Standard Webhooks way: verify `webhook-signature` over `webhook-id.webhook-timestamp.body` with the endpoint's secret, and use `webhook-id` to drop repeats.",
          requestBody: {
            content: {
              "application/json": {
                schema: { type: "object", required: ["type", "timestamp", "data"], properties: { type: { type: "string", enum: [type] }, timestamp: { type: "string", format: "date-time" }, data } },
              },
            },
          },
          responses: { "2XX": { description: "Received: any 2xx stops the retries. 410 turns the endpoint off; anything else is tried again." } },
        },
      },
    ]),
  );
}
