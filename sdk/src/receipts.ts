/**
 * `@stampbook/sdk/receipts`: checks a consent's receipt offline. In its own entry because recovering
 * a signature bundles viem's secp256k1, which a storefront that never checks receipts need not ship.
 */
export {
  verifyReceipt,
  type ReceiptChainVerifier,
  type ReceiptInvalidReason,
  type VerifiedReceipt,
  type VerifyReceiptOptions,
  type VerifyReceiptParameters,
  type VerifyReceiptReturnType,
} from "./actions/verifyReceipt.ts";
