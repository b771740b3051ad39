/**
 * `@stampbook/sdk/server`: gate the brand's own pages and routes on what a member holds, verified
 * offline, in Next.js (middleware, route handlers), Express and Fastify.
 */
export { createStampbookServer, type GateMember, type GateReason, type GateResult, type StampbookServer, type StampbookServerOptions } from "./createStampbookServer.ts";
export type { Requirement } from "./requirement.ts";
export { sendResponse, type GateRequest } from "./http.ts";
export type { EntitlementClaims } from "../protocol/entitlements.ts";
export type { WebhookEventData } from "../protocol/webhook-events.ts";
export type { WebhookEventType } from "../protocol/webhooks.ts";
export { SESSION_HEADER } from "../protocol/entitlement-format.ts";
export { verifyWebhook, WebhookVerificationError, type StampbookWebhookEvent, type VerifyWebhookOptions, type WebhookEvent, type WebhookRequest, type WebhookVerificationErrorCode, type WebhookVerificationErrorType } from "./webhooks.ts";
