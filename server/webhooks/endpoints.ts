/**
 * A brand's webhook endpoints: created, listed, changed, deleted and their secrets rotated by the
 * brand's managers and owners, each brand seeing only its own. URLs are checked as the server will
 * fetch them (https, no private addresses unless the deployment allows them). Signing secrets are
 * shown once and kept sealed; a rotated secret keeps signing beside the new one for a day, so a
 * receiver can move to the new one without missing a message.
 */
import { Problem } from "../errors.ts";
import type { KeySealer } from "../sealing.ts";
import { newId } from "../storage/index.ts";
import { toTimestamp, type Timestamp } from "../storage/time.ts";
import { webhookMessage } from "./messages.ts";
import type { WebhookEventType } from "../../sdk/src/protocol/webhooks.ts";
import { checkWebhookUrl } from "./address-guard.ts";
import { deliverWebhook } from "./deliver.ts";
import { newSigningSecret, webhookHeaders } from "./signing.ts";
import { HISTORY_KEPT_MS } from "./dispatcher.ts";
import type { WebhookDeliveryState, WebhookDeliveryStore, WebhookEndpoint, WebhookStore } from "./types.ts";

/** How long a rotated secret keeps signing beside the new one. */
export const ROTATION_OVERLAP_MS = 24 * 3600 * 1000;

export type WebhookEndpointsDeps = {
  store: WebhookStore & WebhookDeliveryStore;
  sealer: KeySealer;
  /** Private, loopback and link-local addresses allowed (a local demo); plain http allowed. */
  allowPrivate: boolean;
  allowHttp: boolean;
  /** Endpoints per brand. */
  maxEndpoints: number;
  now: () => Date;
  /** Told when deliveries were queued (a resend, a replay): the dispatcher looks at once. */
  onQueued?: () => void;
};

export type NewEndpointInput = { url: string; events: WebhookEventType[]; description?: string; enabled?: boolean };

export function createWebhookEndpoints(deps: WebhookEndpointsDeps) {
  const at = (): Timestamp => toTimestamp(deps.now().getTime());

  function checkedUrl(url: string): string {
    const checked = checkWebhookUrl(url, { allowPrivate: deps.allowPrivate, allowHttp: deps.allowHttp });
    if (!checked.ok) throw new Problem(400, "invalid_webhook_url", "The webhook URL cannot be used", checked.reason, { reason: checked.code });
    return checked.url.toString();
  }

  async function found(brandId: string, id: string): Promise<WebhookEndpoint> {
    const endpoint = await deps.store.getWebhook(brandId, id);
    if (endpoint === null) throw new Problem(404, "webhook_not_found", "No such webhook endpoint", `webhook ${id}`);
    return endpoint;
  }

  /** The secrets that sign now: the current one, and the previous one until it lapses. */
  async function signingSecrets(id: string): Promise<string[]> {
    const sealed = await deps.store.webhookSecrets(id);
    if (sealed === null) return [];
    const open = async (text: string) => (await deps.sealer.open(`webhook:${id}`, text)).toString("utf8");
    const secrets = [await open(sealed.current)];
    if (sealed.previous !== null && sealed.previousValidUntil !== null && at() < sealed.previousValidUntil) secrets.push(await open(sealed.previous));
    return secrets;
  }

  return {
    async create(brandId: string, input: NewEndpointInput): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
      const url = checkedUrl(input.url);
      const id = `wh_${newId().replaceAll("-", "")}`;
      const secret = newSigningSecret();
      const result = await deps.store.createWebhook(
        { id, brandId, url, events: input.events, description: input.description ?? "", enabled: input.enabled ?? true, sealedSecret: await deps.sealer.seal(`webhook:${id}`, Buffer.from(secret, "utf8")), now: at() },
        deps.maxEndpoints,
      );
      if (result.status === "quota_exceeded") throw new Problem(409, "quota_exceeded", "The brand has as many webhook endpoints as allowed", `at most ${result.limit}`, { limit: result.limit });
      return { endpoint: result.endpoint, secret };
    },

    list: (brandId: string) => deps.store.listWebhooks(brandId),

    get: found,

    async update(brandId: string, id: string, changes: Partial<NewEndpointInput>): Promise<WebhookEndpoint> {
      const { url, events, description, enabled } = changes;
      const patch = {
        now: at(),
        ...(url === undefined ? {} : { url: checkedUrl(url) }),
        ...(events === undefined ? {} : { events }),
        ...(description === undefined ? {} : { description }),
        ...(enabled === undefined ? {} : { enabled }),
      };
      return (await deps.store.updateWebhook(brandId, id, patch)) ?? found(brandId, id);
    },

    async remove(brandId: string, id: string): Promise<void> {
      if (!(await deps.store.deleteWebhook(brandId, id, at()))) await found(brandId, id);
    },

    async rotateSecret(brandId: string, id: string): Promise<{ secret: string; previousValidUntil: Timestamp }> {
      await found(brandId, id);
      const secret = newSigningSecret();
      const previousValidUntil = toTimestamp(deps.now().getTime() + ROTATION_OVERLAP_MS);
      const rotated = await deps.store.rotateWebhookSecret(brandId, id, await deps.sealer.seal(`webhook:${id}`, Buffer.from(secret, "utf8")), previousValidUntil, at());
      if (rotated === null) await found(brandId, id);
      return { secret, previousValidUntil };
    },

    /** Sends a `webhook.test` message now, signed as every message is, and says what the endpoint answered. */
    async sendTest(brandId: string, id: string) {
      const endpoint = await found(brandId, id);
      // Composed as every message is (its timestamp in whole seconds, as the signature's).
      const timestamp = Math.floor(deps.now().getTime() / 1000);
      const message = webhookMessage(brandId, "webhook.test", { endpointId: endpoint.id, brandId }, timestamp * 1000);
      const messageId = message.id;
      // Checked again as it is now allowed: the deployment's rules may have changed since it was stored.
      const allowed = checkWebhookUrl(endpoint.url, { allowPrivate: deps.allowPrivate, allowHttp: deps.allowHttp });
      if (!allowed.ok) return { messageId, status: null, ok: false, latencyMs: 0, excerpt: "", error: allowed.reason };
      const { body } = message;
      const attempt = await deliverWebhook({ url: endpoint.url, headers: webhookHeaders(messageId, timestamp, body, await signingSecrets(endpoint.id)), body, allowPrivate: deps.allowPrivate, allowHttp: deps.allowHttp });
      return { messageId, ...attempt };
    },

    signingSecrets,

    /** The endpoint's deliveries, newest first, each with its latest attempts. */
    async deliveries(brandId: string, id: string, query: { limit?: number; cursor?: string; state?: WebhookDeliveryState }) {
      await found(brandId, id);
      return deps.store.listWebhookDeliveries(brandId, id, { limit: query.limit ?? 20, cursor: query.cursor ?? null, ...(query.state === undefined ? {} : { state: query.state }) });
    },

    /** Sends one message to the endpoint again, as a new run of attempts with the same webhook-id. */
    async resend(brandId: string, id: string, messageId: string): Promise<void> {
      await found(brandId, id);
      if (!(await deps.store.resendWebhookMessage(brandId, id, messageId, at())))
        throw new Problem(404, "webhook_message_not_found", "No such message for this endpoint", `message ${messageId} (messages are kept 30 days)`);
      deps.onQueued?.();
    },

    /** Sends again every message of the endpoint's types since `since` (within the 30 days messages are kept). */
    async replay(brandId: string, id: string, since: string): Promise<number> {
      await found(brandId, id);
      const sinceMs = Date.parse(since);
      const nowMs = deps.now().getTime();
      if (!Number.isFinite(sinceMs) || sinceMs > nowMs || sinceMs < nowMs - HISTORY_KEPT_MS) {
        throw new Problem(400, "validation_failed", "The request is not valid", "body.since must be a time in the last 30 days (messages are kept 30 days)", {
          errors: [{ in: "body", path: "/since", message: "must be a time in the last 30 days" }],
        });
      }
      const queued = await deps.store.replayWebhookMessages(brandId, id, toTimestamp(sinceMs), at());
      if (queued > 0) deps.onQueued?.();
      return queued;
    },
  };
}

export type WebhookEndpoints = ReturnType<typeof createWebhookEndpoints>;
