/**
 * Composing webhook messages: the body `{type, timestamp, data}` exactly as it will be signed and
 * sent on every attempt, and a fresh `msg_` id (the receivers' idempotency key). Stores write the
 * drafts in the transaction of the change they report (storage/sql/webhook-outbox.ts).
 */
import type { Address } from "viem";
import type { NameBook } from "../catalog/names.ts";
import type { WebhookEventData } from "../../sdk/src/protocol/webhook-events.ts";
import type { WebhookEventType } from "../../sdk/src/protocol/webhooks.ts";
import { newId } from "../storage/index.ts";
import { toTimestamp } from "../storage/time.ts";
import type { WebhookMessageDraft } from "./types.ts";

/** The largest body a message may have: payloads are ids and names, far below it. */
export const MAX_MESSAGE_BYTES = 64 * 1024;

export const newMessageId = () => `msg_${newId().replaceAll("-", "")}`;

/** A message of `type` for the brand's endpoints, stamped `at`. */
export function webhookMessage<T extends WebhookEventType>(brandId: string, type: T, data: WebhookEventData[T], at: Date | number | string, dedupeKey?: string): WebhookMessageDraft {
  const createdAt = typeof at === "string" ? at : toTimestamp(at);
  const body = JSON.stringify({ type, timestamp: createdAt, data });
  if (Buffer.byteLength(body) > MAX_MESSAGE_BYTES) throw new Error(`A ${type} message would be ${Buffer.byteLength(body)} bytes, more than ${MAX_MESSAGE_BYTES}.`);
  return { id: newMessageId(), brandId, type, body, createdAt, ...(dedupeKey === undefined ? {} : { dedupeKey }) };
}

/** A token type as messages name it: its collection and id, and the name members see. */
export async function tokenTypeRef(names: NameBook, collection: Address, tokenId: string | bigint): Promise<{ collection: Address; tokenId: string; name: string }> {
  const id = BigInt(tokenId);
  const label = (await names.names([collection])).label(collection, id);
  return { collection, tokenId: id.toString(), name: label?.name ?? `Token type #${id}` };
}
