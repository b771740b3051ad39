/**
 * Sign-In with Ethereum as a member's own tools do it, against the API in-process (`app.inject`) or
 * over HTTP (an {@link ApiProcess}): a nonce from GET /v1/auth/nonce, the EIP-4361 message built from
 * the grant, signed by the member's wallet, and POST /v1/auth/verify.
 */
import type { FastifyInstance } from "fastify";
import type { Address, Hex, LocalAccount, WalletClient } from "viem";
import { createSiweMessage } from "viem/siwe";
import type { ApiProcess } from "./api-process.ts";

/** What the helpers read of an answer: both `app.inject`'s responses and {@link ApiProcess}'s answers have it. */
export type SiweAnswer = { statusCode: number; body: string; json: () => any };

/** One request to the API: `body` goes out as JSON. */
export type ApiCall = (method: "GET" | "POST", url: string, body?: unknown) => Promise<SiweAnswer>;

/** Requests through `app.inject`, to an API built in-process. */
export const viaInject =
  (app: Pick<FastifyInstance, "inject">): ApiCall =>
  async (method, url, body) =>
    app.inject(body === undefined ? { method, url } : { method, url, payload: body as object });

/** Requests over HTTP, to an API running as its own process. */
export const viaHttp =
  (api: Pick<ApiProcess, "call">): ApiCall =>
  (method, url, body) =>
    api.call(method, url, body === undefined ? {} : { body });

/** Fields of the EIP-4361 message to set instead of what the nonce grant says. */
export type SiweFields = Partial<Parameters<typeof createSiweMessage>[0]>;

/** Who signs: a local account, or a wallet client with an account. */
export type SiweSigner = LocalAccount | WalletClient;

/** The message the server expects for `address`, with a fresh nonce from `call`'s API (and `fields` on top). */
export async function siweMessage(call: ApiCall, address: Address, fields: SiweFields = {}): Promise<string> {
  const answer = await call("GET", "/v1/auth/nonce");
  if (answer.statusCode !== 200) throw new Error(`the nonce: answered ${answer.statusCode}: ${answer.body}`);
  const grant = answer.json();
  return createSiweMessage({
    address,
    domain: grant.domain,
    uri: grant.uri,
    chainId: grant.chainId,
    nonce: grant.nonce,
    statement: grant.statement,
    version: "1",
    issuedAt: new Date(grant.issuedAt),
    ...fields,
  });
}

/** A fresh message for `signer` and its signature: the body of POST /v1/auth/verify. */
export async function signedSiwe(call: ApiCall, signer: SiweSigner, fields: SiweFields = {}): Promise<{ message: string; signature: Hex }> {
  if ("account" in signer) {
    const account = signer.account!;
    const message = await siweMessage(call, account.address, fields);
    return { message, signature: await signer.signMessage({ account, message }) };
  }
  const message = await siweMessage(call, signer.address, fields);
  return { message, signature: await signer.signMessage({ message }) };
}

/** Signs `signer` in on `call`'s API; returns the bearer token. */
export async function siweSignIn(call: ApiCall, signer: SiweSigner): Promise<string> {
  const answer = await call("POST", "/v1/auth/verify", await signedSiwe(call, signer));
  if (answer.statusCode !== 200) throw new Error(`sign-in failed: answered ${answer.statusCode}: ${answer.body}`);
  return answer.json().token;
}
