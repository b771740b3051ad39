/**
 * Staff sign-in as the console and the till do it: a nonce from GET /v1/auth/nonce, the EIP-4361
 * message signed by the staff member's wallet, and POST /v1/staff/sign-in naming the brand.
 */
import { signedSiwe, type ApiCall, type SiweAnswer, type SiweSigner } from "./siwe.ts";

/** Asks to sign `signer` in as staff of `brandId`; returns the API's answer (of the type `call` answers with), whatever it is. */
export async function staffSignInAnswer<Answer extends SiweAnswer>(call: (...args: Parameters<ApiCall>) => Promise<Answer>, signer: SiweSigner, brandId: string): Promise<Answer> {
  return call("POST", "/v1/staff/sign-in", { ...(await signedSiwe(call, signer)), brandId });
}

/** Signs `signer` in as staff of `brandId`; returns the bearer token (sbt_…) and the role the API gave. */
export async function staffSignIn(call: ApiCall, signer: SiweSigner, brandId: string): Promise<{ token: string; role: string }> {
  const answer = await staffSignInAnswer(call, signer, brandId);
  if (answer.statusCode !== 200) throw new Error(`staff sign-in failed: answered ${answer.statusCode}: ${answer.body}`);
  const { token, role } = answer.json();
  return { token, role };
}
