import { StoreInputError } from "./errors.ts";
import type { Address } from "viem";
import type { DropMode, NewOffer, OfferLimits, Reward, TakeError, TakePolicy } from "../offers/types.ts";
import type { Timestamp } from "./time.ts";
import { isTimestamp } from "./time.ts";

// Input checks every Store implementation applies, so all backends accept and refuse the same input.

const addressPattern = /^0x[0-9a-f]{40}$/;
const sha256HexPattern = /^[0-9a-f]{64}$/;

/** Longest id, nonce, idempotency key or code the store accepts. */
export const MAX_KEY_LENGTH = 256;

export function requireTimestamp(field: string, value: unknown): Timestamp {
  if (!isTimestamp(value)) {
    throw new StoreInputError(field, `expected an ISO-8601 UTC timestamp like 2025-01-31T12:00:00.000Z, got ${show(value)}`);
  }
  return value;
}

export function optionalTimestamp(field: string, value: unknown): Timestamp | null {
  return value === null ? null : requireTimestamp(field, value);
}

/** A non-empty string of at most MAX_KEY_LENGTH characters (ids, nonces, keys, codes). */
export function requireKey(field: string, value: unknown): string {
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_KEY_LENGTH) {
    throw new StoreInputError(field, `expected a string of 1-${MAX_KEY_LENGTH} characters, got ${show(value)}`);
  }
  return value;
}

export function requireText(field: string, value: unknown): string {
  if (typeof value !== "string") throw new StoreInputError(field, `expected a string, got ${show(value)}`);
  return value;
}

/** A web origin as browsers serialize it: http(s), lower-case host, a port only when not the default, nothing after. */
export function requireOrigin(field: string, value: unknown): string {
  if (typeof value !== "string" || !originPattern.test(value) || URL.parse(value)?.origin !== value) {
    throw new StoreInputError(field, `expected a serialized http(s) origin, got ${show(value)}`);
  }
  return value;
}
const originPattern = /^https?:\/\/[^/?#@\s]+$/;

/** An Ethereum address in any case, returned lowercase. */
export function requireAddress(field: string, value: unknown): Address {
  const lower = typeof value === "string" ? value.toLowerCase() : value;
  if (typeof lower !== "string" || !addressPattern.test(lower)) {
    throw new StoreInputError(field, `expected a 0x-prefixed 20-byte hex address, got ${show(value)}`);
  }
  return lower as Address;
}

/** A SHA-256 digest as 64 lowercase hex digits: refuses raw secrets by shape. */
export function requireSha256Hex(field: string, value: unknown): string {
  if (typeof value !== "string" || !sha256HexPattern.test(value)) {
    throw new StoreInputError(field, "expected a SHA-256 digest as 64 lowercase hex digits");
  }
  return value;
}

function requireLimit(field: string, value: unknown): number | null {
  if (value === null) return null;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new StoreInputError(field, `expected null or a non-negative integer, got ${show(value)}`);
  }
  return value;
}

export function requireLimits(field: string, value: unknown): OfferLimits {
  if (typeof value !== "object" || value === null) throw new StoreInputError(field, `expected an object, got ${show(value)}`);
  const limits = value as Record<string, unknown>;
  return {
    perMember: requireLimit(`${field}.perMember`, limits["perMember"]),
    total: requireLimit(`${field}.total`, limits["total"]),
  };
}

/** A value as JSON text; refuses values JSON cannot carry (undefined, functions, cycles, bigints). */
export function jsonText(field: string, value: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    throw new StoreInputError(field, `not serialisable as JSON (${(error as Error).message})`);
  }
  if (json === undefined) throw new StoreInputError(field, "expected a JSON value");
  return json;
}

export function requireWindow(startsAt: Timestamp | null, endsAt: Timestamp | null): void {
  if (startsAt !== null && endsAt !== null && endsAt <= startsAt) {
    throw new StoreInputError("endsAt", `must be later than startsAt (${startsAt}), got ${endsAt}`);
  }
}

const uintPattern = /^(0|[1-9][0-9]{0,77})$/;
const UINT256_MAX = 2n ** 256n - 1n;
const txHashPattern = /^0x[0-9a-f]{64}$/;

/** A uint256 as a canonical decimal string (no sign, no leading zeros), at least `min`. */
export function requireUintString(field: string, value: unknown, min = 0n): string {
  if (typeof value !== "string" || !uintPattern.test(value) || BigInt(value) > UINT256_MAX || BigInt(value) < min) {
    throw new StoreInputError(field, `expected an unsigned integer of at least ${min} as a decimal string, got ${show(value)}`);
  }
  return value;
}

/** A transaction hash in any case, returned lowercase. */
export function requireTxHash(field: string, value: unknown): string {
  const lower = typeof value === "string" ? value.toLowerCase() : value;
  if (typeof lower !== "string" || !txHashPattern.test(lower)) throw new StoreInputError(field, `expected 0x and 64 hex digits, got ${show(value)}`);
  return lower;
}

/** A signed transaction as 0x hex, returned lowercase. */
export function requireRawTx(field: string, value: unknown): string {
  const lower = typeof value === "string" ? value.toLowerCase() : value;
  if (typeof lower !== "string" || !/^0x([0-9a-f]{2})+$/.test(lower) || lower.length > 2 + 2 * 128 * 1024) {
    throw new StoreInputError(field, "expected a signed transaction as 0x-prefixed hex");
  }
  return lower;
}

export function requireTakeError(field: string, value: unknown): TakeError {
  if (typeof value !== "object" || value === null) throw new StoreInputError(field, `expected {code, message}, got ${show(value)}`);
  const error = value as Record<string, unknown>;
  return { code: requireKey(`${field}.code`, error["code"]), message: requireText(`${field}.message`, error["message"]) };
}

export function requireOneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) throw new StoreInputError(field, `expected one of ${allowed.join(", ")}, got ${show(value)}`);
  return value as T;
}

const tokenKeyPattern = /^0x[0-9a-f]{40}:(0|[1-9][0-9]{0,77})$/;

/** Holding keys (`0x…:tokenId`), lowercased and de-duplicated. */
export function requireTokens(field: string, value: unknown): string[] {
  if (!Array.isArray(value)) throw new StoreInputError(field, `expected an array of holding keys, got ${show(value)}`);
  const keys = value.map((item, i) => {
    const key = typeof item === "string" ? item.toLowerCase() : item;
    if (typeof key !== "string" || !tokenKeyPattern.test(key)) throw new StoreInputError(`${field}[${i}]`, `expected 0x<collection>:<tokenId>, got ${show(item)}`);
    return key;
  });
  return [...new Set(keys)];
}

/** How a token reward is delivered (the shapes the takes table keeps: see offers/types.ts). */
const TOKEN_MODES = ["mint", "voucher"] as const satisfies readonly DropMode[];

/** A kind's or a status's name, as offers and takes store it: lowercase letters, digits and `_`, from a letter. */
const namePattern = /^[a-z][a-z0-9_]{0,31}$/;

export function requireName(field: string, value: unknown): string {
  if (typeof value !== "string" || !namePattern.test(value)) throw new StoreInputError(field, `expected a name of lowercase letters, digits and _, starting with a letter, got ${show(value)}`);
  return value;
}

/** A kind's take policy: a status to start in and the statuses that count, all names. */
export function requireTakePolicy(field: string, value: unknown): TakePolicy {
  if (typeof value !== "object" || value === null) throw new StoreInputError(field, `expected {initial, counted}, got ${show(value)}`);
  const { initial, counted } = value as Record<string, unknown>;
  return { initial: requireName(`${field}.initial`, initial), counted: requireNames(`${field}.counted`, counted) };
}

/** A list of names (statuses), at least one. */
export function requireNames(field: string, value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0) throw new StoreInputError(field, `expected a non-empty list of names, got ${show(value)}`);
  return value.map((name, i) => requireName(`${field}[${i}]`, name));
}

/** A reward checked and normalised (collection lowercased). */
export function requireReward(field: string, value: unknown): Reward {
  if (typeof value !== "object" || value === null) throw new StoreInputError(field, `expected a reward object, got ${show(value)}`);
  const reward = value as Record<string, unknown>;
  if (reward["type"] === "code") return { type: "code" };
  if (reward["type"] === "token") {
    return {
      type: "token",
      collection: requireAddress(`${field}.collection`, reward["collection"]),
      tokenId: requireUintString(`${field}.tokenId`, reward["tokenId"]),
      amount: requireUintString(`${field}.amount`, reward["amount"], 1n),
      mode: requireOneOf(`${field}.mode`, reward["mode"], TOKEN_MODES),
    };
  }
  throw new StoreInputError(`${field}.type`, `expected "code" or "token", got ${show(reward["type"])}`);
}

/** A NewOffer checked and normalised (addresses lowercased, tokens de-duplicated). */
export function normalizeNewOffer(offer: NewOffer): NewOffer {
  // Which reward a kind yields is the kind's own declaration (offers/kind.ts), checked by the offers core.
  const kind = requireName("kind", offer.kind);
  const reward = requireReward("reward", offer.reward);
  const startsAt = optionalTimestamp("startsAt", offer.startsAt);
  const endsAt = optionalTimestamp("endsAt", offer.endsAt);
  requireWindow(startsAt, endsAt);
  jsonText("rule", offer.rule);
  return {
    id: requireKey("id", offer.id),
    brandId: requireKey("brandId", offer.brandId),
    kind,
    title: requireText("title", offer.title),
    description: requireText("description", offer.description),
    rule: offer.rule,
    tokens: requireTokens("tokens", offer.tokens),
    limits: requireLimits("limits", offer.limits),
    startsAt,
    endsAt,
    reward,
    createdAt: requireTimestamp("createdAt", offer.createdAt),
  };
}

/** Page size clamped to 1..max; non-numbers become max. */
export function clampPageSize(limit: unknown, max: number): number {
  if (typeof limit !== "number" || !Number.isFinite(limit)) return max;
  return Math.min(max, Math.max(1, Math.floor(limit)));
}

function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (typeof value === "bigint") return `${value}n`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
