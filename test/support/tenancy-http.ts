/**
 * A brand's onboarding and a member's sign-in against a running API over HTTP (an {@link ApiProcess}),
 * the way the brand's and the member's own tools do it: test/support/tenancy.ts does the same
 * through `app.inject` for in-process servers.
 */
import type { Address, Hex, LocalAccount } from "viem";
import type { ApiAnswer, ApiProcess } from "./api-process.ts";
import { signedSiwe, siweSignIn, viaHttp } from "./siwe.ts";

type Api = Pick<ApiProcess, "call">;

/** The answer's JSON if its status is one of `ok`, else an error that shows the answer. */
export function expectStatus(answer: ApiAnswer, what: string, ok: number[] = [200, 201]): any {
  if (!ok.includes(answer.statusCode)) throw new Error(`${what}: answered ${answer.statusCode}: ${answer.body}`);
  return answer.json();
}

/** The operator creates a brand; returns it and its first API key. */
export async function createBrandHttp(api: Api, operatorToken: string, name: string): Promise<{ brand: { id: string; name: string }; apiKey: string }> {
  const created = expectStatus(await api.call("POST", "/v1/operator/brands", { token: operatorToken, body: { name, keyLabel: "tests" } }), "creating the brand", [201]);
  return { brand: created.brand, apiKey: created.key.apiKey };
}

/** Registers `collection` for the brand of `apiKey` with a registration signed by `admin` (who must hold DEFAULT_ADMIN_ROLE); returns the API's answer. */
export async function registerCollectionHttp(api: Api, apiKey: string, admin: LocalAccount, collection: Address): Promise<ApiAnswer> {
  const typed = expectStatus(await api.call("GET", `/v1/admin/collections/registration?collection=${collection}`, { token: apiKey }), "the registration request");
  const signature = await admin.signTypedData({
    domain: typed.domain,
    types: typed.types,
    primaryType: "RegisterCollection",
    message: { ...typed.message, expiresAt: BigInt(typed.message.expiresAt) },
  });
  const body = { collection, signer: admin.address, nonce: typed.message.nonce as Hex, expiresAt: Number(typed.message.expiresAt), signature };
  return api.call("POST", "/v1/admin/collections", { token: apiKey, body });
}

/** Makes `privateKey` the brand's minter; returns the minter's address. */
export async function setMinterHttp(api: Api, apiKey: string, privateKey: Hex): Promise<Address> {
  return expectStatus(await api.call("POST", "/v1/admin/minter", { token: apiKey, body: { privateKey } }), "setting the minter", [201]).address;
}

/** A nonce from `api` and the EIP-4361 message for `account` built from it, signed. */
export const signedSignIn = (api: Api, account: LocalAccount): Promise<{ message: string; signature: Hex }> => signedSiwe(viaHttp(api), account);

/** Signs `account` in on `api`; returns its bearer token. */
export const signInHttp = (api: Api, account: LocalAccount): Promise<string> => siweSignIn(viaHttp(api), account);
