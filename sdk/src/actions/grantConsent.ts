import { isAddressEqual } from "viem";
import { createSiweMessage } from "viem/siwe";
import type { Client } from "../types/client.ts";
import type { ApiErrorType, HttpRequestErrorType } from "../errors/api.ts";
import {
  ConsentTemplateMismatchError,
  DataRequestNotFoundError,
  type ConsentTemplateMismatchErrorType,
  type ConsentTemplatePart,
  type DataRequestNotFoundErrorType,
} from "../errors/data.ts";
import { NotSignedInError, type NotSignedInErrorType } from "../errors/session.ts";
import type { ChainMismatchErrorType, UserRejectedErrorType, WalletErrorType, WalletNotFoundErrorType, WalletTimeoutErrorType } from "../errors/wallet.ts";
import type { Session } from "../protocol/auth.ts";
import type { Consent, ConsentTemplate, ListedDataRequest as DataRequest } from "../protocol/data.ts";
import { apiRequest } from "../utils/http.ts";
import { grantRecapUri } from "../protocol/recap.ts";
import { grantStatement } from "../protocol/statements.ts";
import { callWallet, requireWallet } from "../utils/wallet.ts";
import { getDataRequests } from "./getDataRequests.ts";
import { ensureChain } from "./switchChain.ts";

const DAY_MS = 86_400_000;

export type GrantConsentParameters = { requestId: string };
export type GrantConsentReturnType = Consent;
export type GrantConsentErrorType =
  | DataRequestNotFoundErrorType
  | ConsentTemplateMismatchErrorType
  | ApiErrorType
  | HttpRequestErrorType
  | NotSignedInErrorType
  | UserRejectedErrorType
  | WalletNotFoundErrorType
  | WalletTimeoutErrorType
  | ChainMismatchErrorType
  | WalletErrorType;

/**
 * Grants a brand's data request: the signed-in member signs an EIP-4361 message whose statement says
 * what is shared and why, and whose last resource is an ERC-5573 ReCap naming the brand, the request,
 * its fields, its purpose and the grant's expiry. The signed message is the consent's receipt.
 *
 * The SDK does not sign the server's text as given. It reads the request from `GET /v1/data-requests`,
 * gets a template with a fresh nonce (`GET /v1/consents/template?request=`), rebuilds the ReCap and the
 * statement from the request, checks the template's address is the member's, its expiry the request's
 * retention after `issuedAt`, and its statement, resources and message exactly what it built
 * (`createSiweMessage`); anything else throws {@link ConsentTemplateMismatchError} before the wallet is
 * asked. Then the wallet is put on the API's chain, signs (`personal_sign`), and the grant is sent
 * (`POST /v1/consents`; not retried: the nonce is single-use). A request that is not live throws
 * {@link DataRequestNotFoundError}.
 *
 * @example
 * const [request] = await client.getDataRequests();
 * const consent = await client.grantConsent({ requestId: request!.id });
 * console.log(consent.status, consent.expiresAt, consent.receipt.message);
 * // as an action: await grantConsent(client, { requestId });
 */
export async function grantConsent(client: Client, parameters: GrantConsentParameters): Promise<GrantConsentReturnType> {
  const { requestId } = parameters;
  const session = client.session;
  if (!session) throw new NotSignedInError({ action: "grant" });
  const wallet = requireWallet(client);

  const request = (await getDataRequests(client)).find((r) => r.id === requestId);
  if (!request) throw new DataRequestNotFoundError({ requestId });
  const template = await apiRequest<ConsentTemplate>(client, { method: "GET", path: "/v1/consents/template", query: { request: requestId }, retry: true });
  const message = consentMessage(template, request, session);

  await ensureChain(client, wallet, template.chainId);
  const signature = await callWallet(client, "personal_sign", () => wallet.signMessage(message, session.address));
  // Not retried: the nonce is single-use, so a repeat after a lost answer could only fail.
  return apiRequest<Consent>(client, { method: "POST", path: "/v1/consents", body: { message, signature } });
}

/** The message the member signs for `request`, built here; throws unless the template says exactly the same. */
function consentMessage(template: ConsentTemplate, request: DataRequest, session: Session): string {
  const mismatch = (part: ConsentTemplatePart, details: string) => new ConsentTemplateMismatchError({ part, details });
  if (typeof template.address !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(template.address) || !isAddressEqual(template.address, session.address)) {
    throw mismatch("address", `the template is for ${String(template.address)}, the member is ${session.address}`);
  }
  const issuedAt = Date.parse(template.issuedAt);
  const expiresAt = Date.parse(template.expirationTime);
  if (Number.isNaN(issuedAt) || expiresAt !== issuedAt + request.retentionDays * DAY_MS) {
    throw mismatch("expirationTime", `the grant would expire at ${template.expirationTime}, not ${request.retentionDays} days after ${template.issuedAt}`);
  }
  const grant = { brandId: request.brandId, request: request.id, fields: request.fields, purpose: request.purpose, expires: template.expirationTime };
  const statement = grantStatement(grant);
  if (template.statement !== statement) throw mismatch("statement", `the template says "${template.statement}", the request "${statement}"`);
  const resources = [grantRecapUri(grant)];
  if (!Array.isArray(template.resources) || template.resources.length !== 1 || template.resources[0] !== resources[0]) {
    throw mismatch("resources", `the template's resources are not the request's ReCap ${resources[0]}`);
  }
  let message: string;
  try {
    message = createSiweMessage({
      domain: template.domain,
      address: session.address,
      statement,
      uri: template.uri,
      version: "1",
      chainId: template.chainId,
      nonce: template.nonce,
      issuedAt: new Date(issuedAt),
      expirationTime: new Date(expiresAt),
      resources,
    });
  } catch (cause) {
    throw new ConsentTemplateMismatchError({ part: "message", details: "the template's fields do not make an EIP-4361 message", cause });
  }
  if (message !== template.message) throw mismatch("message", "the template's EIP-4361 text is not the message built from its fields");
  return message;
}
