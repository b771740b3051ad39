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
  createdAt: Timestamp;
  updatedAt: Timestamp;
};

/** The sealed signing secrets of an endpoint: the current one, and during a rotation the previous one until it lapses. */
export type SealedWebhookSecrets = { current: string; previous: string | null; previousValidUntil: Timestamp | null };

export type NewWebhookEndpoint = Omit<WebhookEndpoint, "disabledReason" | "createdAt" | "updatedAt"> & { sealedSecret: string; now: Timestamp };

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
