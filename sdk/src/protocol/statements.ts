/**
 * The statements members sign (EIP-4361 `statement` lines), built once for the API and its clients:
 * the server checks a signed message's statement against these, the SDK puts them in the message.
 */
import { grantResource, RECAP_PREAMBLE } from "./recap.ts";
import type { DataField } from "./data-fields.ts";

/** What a member signs to erase their data (`DELETE /v1/me`), exactly. */
export const ERASURE_STATEMENT = "Erase my Stampbook data: my profile, my consents and my access log, and unlink my past redemptions from me.";

/** The words the member reads before the ReCap statement of a grant: what is shared, and why. */
export function grantWords(request: { fields: readonly DataField[]; purpose: string }): string {
  return `Share my ${request.fields.join(", ")} (purpose: ${request.purpose}).`;
}

/**
 * The statement of a grant's message: the grant in words, one space, and the ReCap statement of its
 * one `data/grant` for the brand (what `withRecapStatement(grantWords(…), grantRecap(…))` gives).
 */
export function grantStatement(grant: { brandId: string; fields: readonly DataField[]; purpose: string }): string {
  return `${grantWords(grant)} ${RECAP_PREAMBLE} (1) 'data': 'grant' for '${grantResource(grant.brandId)}'.`;
}
