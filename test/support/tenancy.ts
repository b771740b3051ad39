/**
 * A brand's tenancy steps as a brand's own tools take them, through the API: register a collection
 * with its admin's EIP-712 signature, and give the brand a minter.
 */
import type { FastifyInstance } from "fastify";
import type { Address, Hex, WalletClient } from "viem";

type Api = Pick<FastifyInstance, "inject">;

/** The registration the API hands out for `collection`, signed by `admin` (who must hold DEFAULT_ADMIN_ROLE). */
export async function signRegistration(app: Api, apiKey: string, admin: WalletClient, collection: Address) {
  const response = await app.inject({ method: "GET", url: `/v1/admin/collections/registration?collection=${collection}`, headers: { authorization: `Bearer ${apiKey}` } });
  if (response.statusCode !== 200) throw new Error(`registration request failed: ${response.body}`);
  const typed = response.json();
  const signature = await admin.signTypedData({
    account: admin.account!,
    domain: typed.domain,
    types: typed.types,
    primaryType: "RegisterCollection",
    message: { ...typed.message, expiresAt: BigInt(typed.message.expiresAt) },
  });
  return { collection, signer: admin.account!.address, nonce: typed.message.nonce as Hex, expiresAt: Number(typed.message.expiresAt), signature };
}

/** Registers `collection` for the brand of `apiKey`; returns the API's answer. */
export async function registerCollection(app: Api, apiKey: string, admin: WalletClient, collection: Address) {
  const body = await signRegistration(app, apiKey, admin, collection);
  return app.inject({ method: "POST", url: "/v1/admin/collections", headers: { authorization: `Bearer ${apiKey}` }, payload: body });
}

/** Makes `privateKey` the brand's minter (or a fresh key when none is given); returns the minter's address. */
export async function setMinter(app: Api, apiKey: string, privateKey?: Hex): Promise<Address> {
  const response = await app.inject({ method: "POST", url: "/v1/admin/minter", headers: { authorization: `Bearer ${apiKey}` }, payload: privateKey === undefined ? {} : { privateKey } });
  if (response.statusCode !== 201) throw new Error(`setting the minter failed: ${response.body}`);
  return response.json().address;
}
