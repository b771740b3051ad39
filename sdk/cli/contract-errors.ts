/**
 * A collection's reverts in words: the custom error viem decodes from the revert data (against the
 * collection's ABI), turned into a sentence that says what went wrong and what to do about it.
 */
import {
  BaseError,
  ContractFunctionRevertedError,
  decodeErrorResult,
  formatEther,
  HttpRequestError,
  InsufficientFundsError,
  isHex,
  NonceTooLowError,
  TimeoutError,
  type Hex,
} from "viem";
import { DEFAULT_ADMIN_ROLE, MINTER_ROLE, PAUSER_ROLE, stampbookCollectionAbi } from "../../contracts/bindings/index.ts";

/** A revert decoded against the collection's ABI. */
export type DecodedRevert = { name: string; args: readonly unknown[] };

const ROLE_NAMES: Record<string, string> = {
  [DEFAULT_ADMIN_ROLE]: "DEFAULT_ADMIN_ROLE",
  [MINTER_ROLE]: "MINTER_ROLE",
  [PAUSER_ROLE]: "PAUSER_ROLE",
};

const s = (value: unknown) => String(value);
const eth = (value: unknown) => `${formatEther(BigInt(value as bigint))} ETH`;
const when = (value: unknown) => new Date(Number(value) * 1000).toISOString();

function roleMissing(account: unknown, role: unknown): string {
  const name = ROLE_NAMES[String(role).toLowerCase()] ?? String(role);
  switch (name) {
    case "MINTER_ROLE":
      return `this account (${s(account)}) lacks MINTER_ROLE on the collection: run \`stampbook minter grant\` with the collection's admin key, or mint with a key that holds the role (STAMPBOOK_MINTER_KEY)`;
    case "DEFAULT_ADMIN_ROLE":
      return `this account (${s(account)}) is not the collection's admin (it lacks DEFAULT_ADMIN_ROLE): use the admin's key (STAMPBOOK_ADMIN_KEY)`;
    case "PAUSER_ROLE":
      return `this account (${s(account)}) lacks PAUSER_ROLE on the collection: only a pauser may pause or unpause it`;
    default:
      return `this account (${s(account)}) lacks the role ${name} on the collection`;
  }
}

/** One sentence per error the collection's ABI declares: its own (IStampbookCollection) and OpenZeppelin's. */
const SENTENCES: Record<string, (a: readonly unknown[]) => string> = {
  AccessControlUnauthorizedAccount: ([account, role]) => roleMissing(account, role),
  EnforcedPause: () => "the collection is paused: an account with PAUSER_ROLE must unpause it first",
  ExpectedPause: () => "the collection is not paused",
  UnknownTokenType: ([id]) => `the collection has no token type ${s(id)}: create it with \`stampbook type create\``,
  MaxSupplyExceeded: ([id, minted, requested, max]) => {
    const left = BigInt(max as bigint) - BigInt(minted as bigint);
    return `token type ${s(id)} is capped at ${s(max)} units and ${s(minted)} are minted already: ${s(requested)} more would pass the cap (${left > 0n ? left : 0n} left)`;
  },
  AmountTooLarge: ([amount]) => `the amount ${s(amount)} is more than the collection can count`,
  SoulboundTransferRefused: ([id]) => `token type ${s(id)} is soulbound: its units never move between holders`,
  MembershipAlreadyHeld: ([holder, id]) => `${s(holder)} already holds a membership of type ${s(id)}: memberships are one per holder (renew it instead)`,
  InvalidMembershipAmount: ([id, amount]) => `token type ${s(id)} is a membership, and memberships are minted one at a time: the amount must be 1, not ${s(amount)}`,
  NotAMembership: ([id]) => `token type ${s(id)} is not a membership`,
  NotAMember: ([holder, id]) => `${s(holder)} holds no membership of type ${s(id)}`,
  MembershipNotRenewable: ([id]) => `the membership of type ${s(id)} cannot be renewed this way (it never expires, or it has no renewal price)`,
  ExpiryNotLater: ([current, requested]) => `the new expiry (${when(requested)}) must be later than the current one (${when(current)})`,
  ZeroRenewalPeriods: () => "a renewal must cover at least one period",
  IncorrectPayment: ([expected, received]) => `the payment must be exactly ${eth(expected)}, not ${eth(received)}`,
  NotConsumable: ([id]) => `token type ${s(id)} is not consumable, so it cannot be redeemed by burning`,
  EmptyAirdrop: () => "an airdrop needs at least one recipient",
  InvalidTokenTypeConfig: ([reason]) => `the token type's settings are not valid: ${s(reason)}`,
  VoucherNotYetValid: ([validAfter]) => `the voucher may be used from ${when(validAfter)}, not yet`,
  VoucherExpired: ([validUntil]) => `the voucher expired at ${when(validUntil)}`,
  VoucherAlreadyUsed: ([uid]) => `the voucher ${s(uid)} was used already`,
  VoucherSignerUnauthorized: ([signer]) => `the voucher was signed by ${s(signer)}, who lacks MINTER_ROLE on this collection`,
  InvalidTreasury: ([treasury]) => `the treasury cannot be ${s(treasury)}: give an address that can receive payments`,
  TreasuryPaymentFailed: ([treasury, amount]) => `sending ${eth(amount)} to the treasury ${s(treasury)} failed: it refuses payments`,
  IssuingMinterLacksRole: ([account]) => `${s(account)} cannot be the issuing minter: it lacks MINTER_ROLE (grant the role first)`,
  AccessControlBadConfirmation: () => "an account may only renounce its own roles",
  ERC1155InvalidReceiver: ([receiver]) => `${s(receiver)} cannot receive ERC-1155 tokens (a contract without onERC1155Received, or the zero address)`,
  ERC1155InsufficientBalance: ([sender, balance, needed, id]) => `${s(sender)} holds ${s(balance)} of type ${s(id)}, fewer than the ${s(needed)} needed`,
  ERC1155MissingApprovalForAll: ([operator, owner]) => `${s(operator)} is not approved to move ${s(owner)}'s tokens`,
  ERC2981InvalidDefaultRoyalty: ([numerator, denominator]) => `a royalty of ${s(numerator)} basis points is more than the whole price (${s(denominator)})`,
  ERC2981InvalidDefaultRoyaltyReceiver: ([receiver]) => `the royalty receiver cannot be ${s(receiver)}`,
  ERC1155InvalidSender: ([sender]) => `${s(sender)} cannot send tokens`,
  ERC1155InvalidApprover: ([approver]) => `${s(approver)} cannot approve operators`,
  ERC1155InvalidOperator: ([operator]) => `${s(operator)} cannot be an operator`,
  ERC1155InvalidArrayLength: ([ids, values]) => `the lists of ids (${s(ids)}) and amounts (${s(values)}) differ in length`,
  ERC2981InvalidTokenRoyalty: ([id, numerator, denominator]) => `a royalty of ${s(numerator)} basis points on type ${s(id)} is more than the whole price (${s(denominator)})`,
  ERC2981InvalidTokenRoyaltyReceiver: ([id, receiver]) => `the royalty receiver of type ${s(id)} cannot be ${s(receiver)}`,
  ECDSAInvalidSignature: () => "the voucher's signature is not a valid signature",
  ECDSAInvalidSignatureLength: ([length]) => `the voucher's signature has the wrong length (${s(length)} bytes)`,
  ECDSAInvalidSignatureS: () => "the voucher's signature is malleable (its s value is in the upper half of the curve order)",
  StringTooLong: () => "a text is too long for the collection",
  InvalidShortString: () => "a text is not a valid short string",
};

/** The collection's custom error in `error`'s cause chain, decoded; null when there is none. */
export function decodeRevert(error: unknown): DecodedRevert | null {
  if (!(error instanceof BaseError)) return null;
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | null;
  if (reverted?.data?.errorName !== undefined) return { name: reverted.data.errorName, args: reverted.data.args ?? [] };
  // A revert met outside a contract call (a deployment's gas estimate) carries only its raw data.
  const raw = reverted?.raw ?? rawRevertData(error);
  if (raw === undefined) return null;
  try {
    const decoded = decodeErrorResult({ abi: stampbookCollectionAbi, data: raw });
    return { name: decoded.errorName, args: decoded.args ?? [] };
  } catch {
    return null;
  }
}

function rawRevertData(error: BaseError): Hex | undefined {
  let found: Hex | undefined;
  error.walk((e) => {
    const data = (e as { data?: unknown }).data;
    if (typeof data === "string" && isHex(data) && data.length >= 10) found = data;
    return found !== undefined;
  });
  return found;
}

/** A decoded revert as a sentence. */
export function revertInWords(revert: DecodedRevert): string {
  const sentence = SENTENCES[revert.name];
  if (sentence !== undefined) return sentence(revert.args);
  if (revert.name === "Error") return `the collection refused: ${s(revert.args[0])}`;
  return `the collection refused with ${revert.name}(${revert.args.map(s).join(", ")})`;
}

/** What went wrong with a transaction or a call, in words: the collection's reason when it gave one. */
export function chainErrorInWords(error: unknown): string {
  const revert = decodeRevert(error);
  if (revert !== null) return revertInWords(revert);
  if (!(error instanceof BaseError)) return error instanceof Error ? error.message : String(error);
  if (error.walk((e) => e instanceof InsufficientFundsError)) return "the account cannot pay for this transaction's gas: send it some of the chain's currency first";
  if (error.walk((e) => e instanceof NonceTooLowError)) return "another transaction from this account was sent at the same moment (nonce too low): try again";
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | null;
  if (reverted !== null) return reverted.reason === undefined ? "the collection refused without giving a reason (is the address a Stampbook collection?)" : `the collection refused: ${reverted.reason}`;
  const http = error.walk((e) => e instanceof HttpRequestError || e instanceof TimeoutError) as HttpRequestError | null;
  if (http !== null) return `the chain's RPC did not answer (${http.url ?? "unknown URL"}): ${http.shortMessage}`;
  return error.shortMessage;
}
