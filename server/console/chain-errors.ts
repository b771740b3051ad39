/**
 * What a failed transaction means, in words: the collection's custom errors (decoded by viem from the
 * revert data) and the wallet's refusals. Ids and hashes stay out unless they are the point.
 */
import { BaseError, ContractFunctionRevertedError, decodeErrorResult, isHex, type Hex } from "viem";
import { DEFAULT_ADMIN_ROLE, MINTER_ROLE, PAUSER_ROLE, stampbookCollectionAbi } from "../../contracts/bindings/index.ts";

/** A revert decoded from the collection's ABI: the error's name and arguments. */
export type Revert = { errorName: string; args: readonly unknown[] };

const ROLE_NAMES: Record<string, string> = { [DEFAULT_ADMIN_ROLE]: "the collection's admin role", [MINTER_ROLE]: "MINTER_ROLE", [PAUSER_ROLE]: "PAUSER_ROLE" };

/** The decoded revert inside `error`, if the chain refused with one of the collection's errors. */
export function revertOf(error: unknown): Revert | null {
  if (!(error instanceof BaseError)) return null;
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | null;
  if (reverted?.data?.errorName) return { errorName: reverted.data.errorName, args: reverted.data.args ?? [] };
  // Not a contract call viem knew the ABI of (a deployment): the raw revert data, decoded here.
  const data = rawRevertData(error);
  if (data === null) return null;
  try {
    const decoded = decodeErrorResult({ abi: stampbookCollectionAbi, data });
    return { errorName: decoded.errorName, args: decoded.args ?? [] };
  } catch {
    return null;
  }
}

/** Revert data (a selector and its arguments) somewhere along the error's causes. */
function rawRevertData(error: BaseError): Hex | null {
  let found: Hex | null = null;
  error.walk((e) => {
    const data = (e as { data?: unknown }).data;
    const hex = typeof data === "object" && data !== null ? (data as { data?: unknown }).data : data;
    if (found === null && typeof hex === "string" && isHex(hex) && hex.length >= 10) found = hex;
    return false;
  });
  return found;
}

/** A revert in words, e.g. "0xAbc… already holds this membership". */
export function revertWords({ errorName, args }: Revert): string {
  const a = args.map((x) => String(x));
  switch (errorName) {
    case "AccessControlUnauthorizedAccount":
      return `the connected wallet (${a[0]}) lacks ${ROLE_NAMES[a[1]!] ?? "the role this needs"} on this collection${a[1] === MINTER_ROLE ? ": the collection's admin can grant it" : ""}`;
    case "MaxSupplyExceeded": {
      const left = BigInt(a[3]!) - BigInt(a[1]!);
      return `only ${left} more of this type can ever be minted (${a[1]} of ${a[3]} minted); this asks for ${a[2]}`;
    }
    case "MembershipAlreadyHeld":
      return `${a[0]} already holds this membership`;
    case "InvalidMembershipAmount":
      return "a membership is given one at a time: the amount must be 1";
    case "InvalidTokenTypeConfig":
      return `the collection refused these settings: ${a[0]}`;
    case "UnknownTokenType":
      return `token type ${a[0]} does not exist on this collection`;
    case "EnforcedPause":
      return "the collection is paused";
    case "ERC1155InvalidReceiver":
      return `${a[0]} cannot receive tokens (a contract that does not accept them)`;
    case "EmptyAirdrop":
      return "there is no one to send to";
    case "ERC2981InvalidDefaultRoyalty":
      return `a royalty of ${a[0]} basis points is more than the whole price (${a[1]})`;
    case "InvalidTreasury":
      return `${a[0]} cannot be the treasury: payments would be lost`;
    case "IssuingMinterLacksRole":
      return `${a[0]} must hold MINTER_ROLE before it can be the issuing minter`;
    case "AmountTooLarge":
      return `the amount ${a[0]} is too large`;
    default:
      return `the collection refused it (${errorName}${a.length ? `: ${a.join(", ")}` : ""})`;
  }
}

/** Any wallet or chain failure in words. */
export function chainErrorWords(error: unknown): string {
  const revert = revertOf(error);
  if (revert) return capitalise(revertWords(revert));
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 4001 || (error instanceof BaseError && error.walk((e) => (e as { code?: unknown }).code === 4001))) return "You declined the request in your wallet.";
  if (error instanceof BaseError) return error.shortMessage;
  return error instanceof Error ? error.message : String(error);
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
