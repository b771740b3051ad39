export { checkSiweMessage, type SiweExpectations } from "./checks.ts";
export type { ChainClient } from "./contract-wallet.ts";
export { SIWE_ERROR_CODES, SiweError, type SiweErrorCode } from "./errors.ts";
export { formatSiweMessage } from "./format.ts";
export { parseSiweMessage, type SiweMessage } from "./message.ts";
export { checksumAddress } from "./keccak.ts";
export { hashPersonalMessage } from "./recover.ts";
export {
  verifySiweSignature,
  type SiweSignatureVerification,
  type VerifySiweSignatureParameters,
} from "./signature.ts";
export { parseTimestamp } from "./time.ts";
