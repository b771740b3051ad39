/**
 * What the Stampbook contracts define for TypeScript: the collection's ABI, its EIP-712 claim voucher,
 * token kinds and roles, and the Delegate Registry's address and ABI. The one bridge from Solidity to
 * TypeScript; `server/` and `sdk/` import it and never Hardhat. The ABI modules are generated
 * (`npm run abi`); the rest mirrors the Solidity source.
 */
export { stampbookCollectionAbi } from "./stampbookCollectionAbi.ts";
export { delegateRegistryAbi } from "./delegateRegistryAbi.ts";
export { DELEGATE_REGISTRY_ADDRESS } from "./delegateRegistry.ts";
export { claimVoucherDomain, claimVoucherTypes, type ClaimVoucher } from "./claimVoucher.ts";
export { DEFAULT_ADMIN_ROLE, MINTER_ROLE, PAUSER_ROLE } from "./roles.ts";
export { NEVER_EXPIRES, TOKEN_KIND, tokenKindName, type TokenKind } from "./tokenTypes.ts";
