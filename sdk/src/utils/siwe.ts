/** The EIP-4361 message a sign-in (member or staff) or an erasure signs, built from the API's nonce grant. */
import type { Address } from "viem";
import { createSiweMessage } from "viem/siwe";
import type { NonceGrant } from "../protocol/auth.ts";

/** The message for `address` from a nonce grant, with the grant's statement unless another is given. */
export function nonceMessage(grant: NonceGrant, address: Address, statement: string = grant.statement): string {
  return createSiweMessage({
    address,
    chainId: grant.chainId,
    domain: grant.domain,
    uri: grant.uri,
    nonce: grant.nonce,
    statement,
    version: "1",
    issuedAt: new Date(grant.issuedAt),
  });
}
