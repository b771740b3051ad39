/**
 * Drops as members see them, and gasless claims.
 *
 * A claim runs like a redemption: an idempotent replay first, then the window, a fresh chain read of
 * the member's holdings, and one store transaction that checks the limits and reserves the claim
 * (status `pending`). Only then does the server act on chain:
 *
 * - mode `mint`: the brand's minter key sends `mint(member, tokenId, amount)` and pays the gas. The
 *   transaction's hash is recorded before it is broadcast. Mined: `minted`. Refused or reverted:
 *   `failed`, which frees the member's place so they can try again. No receipt within the timeout:
 *   the claim stays `pending` (it may still mine, so it keeps counting) and is settled later from
 *   the chain whenever it is read again (`GET /v1/claims/:id`, a retry with the same key, or the
 *   member's next claim of the drop): mined, it becomes `minted`; if the node never got it, it is
 *   sent again; if its nonce went to another transaction, or it was never sent at all, `failed`.
 * - mode `voucher`: the minter key signs an EIP-712 ClaimVoucher for the member (uid = keccak256 of
 *   the claim id, valid from 60 s before the chain's time until the TTL after it, price 0): `issued`.
 *   The member's wallet or any relayer submits it. A voucher that expired unused on chain stops
 *   counting (`expired`) the next time the member claims that drop.
 */
import { getAddress, keccak256, stringToHex, type Address, type Hex, type PublicClient } from "viem";
import { stampbookCollectionAbi } from "../../contracts/bindings/index.ts";
import type { CollectionCatalog } from "../chain/collections.ts";
import type { OwnershipReader } from "../chain/ownership.ts";
import { Problem } from "../errors.ts";
import { describeRule, evaluateRule, holdingKey, parseRule, requirementsOf, type LeafRule, type Reason, type Rule } from "../perks/rules.ts";
import { newId, toTimestamp, type Claim, type ClaimError, type CompleteClaimInput, type Drop, type Store } from "../storage/index.ts";
import { checkTransaction, transactionKnown, type Minter, type SignedVoucher } from "./minter.ts";
import { claimView } from "./schemas.ts";

export type DropStatus = "upcoming" | "open" | "ended";

export type MemberDrop = { drop: Drop; requires: string; status: DropStatus; eligible: boolean; reasons: Reason[]; claimed: number };

export type ClaimOutcome = { claim: Claim; replayed: boolean };

export type DropService = {
  list(member: Address, query?: { brandId?: string }): Promise<MemberDrop[]>;
  get(member: Address, dropId: string): Promise<MemberDrop>;
  /** Claims a drop; a failed mint throws the problem (with the claim), as does a replay of it. */
  claim(member: Address, dropId: string, idempotencyKey: string): Promise<ClaimOutcome>;
  /** One of the member's claims, settled from the chain first if it is pending or an issued voucher. */
  getClaim(member: Address, claimId: string): Promise<Claim>;
  /**
   * Settles a claim from the chain if it can: a pending mint by its transaction, an issued voucher
   * by whether it was used or can no longer be. Other claims come back as they are.
   */
  settle(claim: Claim): Promise<Claim>;
  /**
   * Settles every pending claim and every issued voucher past its `validUntil`, so their places
   * free up (or they show as minted) without anyone reading them. Returns how many changed.
   */
  sweep(): Promise<number>;
};

export type DropServiceDeps = {
  store: Store;
  ownership: OwnershipReader;
  client: PublicClient;
  /** The collections' token types: a membership drop is refused to a member who holds one. */
  catalog: CollectionCatalog;
  /** null: no minter key is configured, and claims answer 503 minter_unavailable. */
  minter: Minter | null;
  voucherTtlSeconds: number;
  /**
   * A pending claim with no transaction after this long was never broadcast (hashes are recorded
   * first) and is failed when read, freeing its place. Keep it well above the mint timeout.
   */
  staleAfterMs: number;
  now?: () => Date;
};

const ANYONE = "any signed-in member";
const MAX_RULE_MEMO = 1_000;

export function statusOf(drop: Pick<Drop, "startsAt" | "endsAt">, now: string): DropStatus {
  if (drop.startsAt !== null && now < drop.startsAt) return "upcoming";
  if (drop.endsAt !== null && now >= drop.endsAt) return "ended";
  return "open";
}

export function createDropService(deps: DropServiceDeps): DropService {
  const { store, ownership, client, catalog, minter } = deps;
  const now = deps.now ?? (() => new Date());
  const at = () => toTimestamp(now());
  const ruleMemo = new Map<string, Rule>();
  /** Claims this process is minting right now: a concurrent retry waits for the outcome. */
  const inflight = new Map<string, Promise<Claim>>();

  function ruleOf(drop: Drop): Rule | null {
    if (drop.rule === null) return null;
    const key = JSON.stringify(drop.rule);
    let rule = ruleMemo.get(key);
    if (rule === undefined) {
      rule = parseRule(drop.rule);
      if (ruleMemo.size >= MAX_RULE_MEMO) ruleMemo.clear();
      ruleMemo.set(key, rule);
    }
    return rule;
  }

  /** Eligibility for `drops`; `alsoRead` joins the same chain read (a claim's own token). */
  async function evaluate(member: Address, drops: Drop[], fresh: boolean, alsoRead: LeafRule[] = []) {
    const rules = drops.map(ruleOf);
    const present = rules.filter((r): r is Rule => r !== null);
    const requirements = requirementsOf(...present, ...alsoRead);
    // Drops open to anyone need no chain read to list; a claim always reads (and so learns the chain's time).
    const snapshot = fresh || requirements.length > 0 ? await (fresh ? ownership.readFresh(member, requirements) : ownership.readCached(member, requirements)) : null;
    const outcomes = rules.map((rule) => (rule === null || snapshot === null ? { eligible: true, reasons: [] } : evaluateRule(rule, snapshot.holdings, snapshot.now)));
    return { rules, outcomes, snapshot };
  }

  async function view(member: Address, drops: Drop[]): Promise<MemberDrop[]> {
    if (drops.length === 0) return [];
    const [{ rules, outcomes }, counts] = await Promise.all([evaluate(member, drops, false), store.memberClaimCounts(member)]);
    const time = at();
    return drops.map((drop, i) => ({
      drop,
      requires: rules[i] === null ? ANYONE : describeRule(rules[i]!),
      status: statusOf(drop, time),
      ...outcomes[i]!,
      claimed: counts.get(drop.id) ?? 0,
    }));
  }

  async function isMembership(token: LeafRule): Promise<boolean> {
    const types = await catalog.tokenTypes(token.collection);
    return types.find((t) => t.tokenId === token.tokenId)?.kind === "membership";
  }

  async function dropOrThrow(dropId: string): Promise<Drop> {
    const drop = await store.getDrop(dropId);
    if (drop === null) throw new Problem(404, "drop_not_found", "No such drop", `drop ${dropId}`);
    return drop;
  }

  /** The claim after `input`, or as it stands if someone else settled it first. */
  async function complete(id: string, input: CompleteClaimInput): Promise<Claim> {
    const claim = (await store.completeClaim(id, input)) ?? (await store.getClaim(id))!;
    // The member holds more now: their next listing on this instance must not answer from the cache.
    if (claim.status === "minted") ownership.forget(claim.member as Address);
    return claim;
  }

  /** @param wait for a claim this process is minting right now: wait for it (true) or return it as it is. */
  async function settle(claim: Claim, wait = true): Promise<Claim> {
    if (claim.status === "issued") return settleVoucher(claim);
    if (claim.status !== "pending") return claim;
    const running = inflight.get(claim.id);
    if (running !== undefined) return wait ? running : claim;
    if (claim.txHash !== null) {
      const hash = claim.txHash as Hex;
      let check = await checkTransaction(client, hash);
      if (check.status === "unknown" && claim.rawTx !== null && minter !== null) {
        // Not mined (yet): the node may never have received it. Sending it again is harmless.
        const resent = await minter.rebroadcast(claim.rawTx as Hex);
        check = await checkTransaction(client, hash);
        if (check.status === "unknown" && resent === "nonce_used" && !(await transactionKnown(client, hash))) {
          // Its nonce went to another transaction and it is not mined itself: it never will be.
          return complete(claim.id, { status: "failed", error: { code: "mint_failed", message: "the mint transaction was never mined (its nonce was used by another)" }, now: at() });
        }
      }
      if (check.status === "minted") return complete(claim.id, { status: "minted", now: at() });
      if (check.status === "reverted") return complete(claim.id, { status: "failed", error: { code: "mint_failed", message: "the mint transaction reverted" }, now: at() });
      return claim;
    }
    if (now().getTime() - Date.parse(claim.updatedAt) > deps.staleAfterMs) {
      // Reserved but never sent (the process stopped in between): nothing can mint it any more,
      // because the minter records the hash before it broadcasts and that now fails.
      return complete(claim.id, { status: "failed", error: { code: "mint_failed", message: "the mint was interrupted before it was sent" }, now: at() });
    }
    return claim;
  }

  async function mint(claim: Claim, m: Minter): Promise<Claim> {
    const outcome = await m.mint({
      collection: claim.collection as Address,
      to: claim.member as Address,
      tokenId: BigInt(claim.tokenId),
      amount: BigInt(claim.amount),
      beforeBroadcast: async (tx) => (await store.recordClaimTx(claim.id, tx, at())) !== null,
    });
    switch (outcome.status) {
      case "minted":
        return complete(claim.id, { status: "minted", txHash: outcome.txHash, now: at() });
      case "failed": {
        const error: ClaimError = { code: outcome.code, message: outcome.message };
        return complete(claim.id, { status: "failed", error, ...(outcome.txHash ? { txHash: outcome.txHash } : {}), now: at() });
      }
      case "pending":
      case "aborted":
        return (await store.getClaim(claim.id))!;
    }
  }

  async function issueVoucher(claim: Claim, m: Minter, chainNow: bigint): Promise<Claim> {
    const validAfter = chainNow > 60n ? chainNow - 60n : 0n;
    const signed = await m.signVoucher(claim.collection as Address, {
      to: claim.member as Address,
      id: BigInt(claim.tokenId),
      amount: BigInt(claim.amount),
      validAfter,
      validUntil: chainNow + BigInt(deps.voucherTtlSeconds),
      uid: keccak256(stringToHex(claim.id)),
      price: 0n,
    });
    return complete(claim.id, { status: "issued", voucher: voucherJson(signed), now: at() });
  }

  /** The latest block's time: vouchers lapse by chain time, as the contract checks them. */
  async function chainTime(): Promise<bigint> {
    try {
      return (await client.getBlock({ blockTag: "latest" })).timestamp;
    } catch (error) {
      throw chainUnavailable(error);
    }
  }

  /**
   * An issued voucher becomes `minted` once it was used on chain, and `expired` once it no longer
   * can be: unused while the latest block is later than its `validUntil`. The block is read first,
   * so a voucher used after it still shows as used.
   */
  async function settleVoucher(claim: Claim, chainNow?: bigint): Promise<Claim> {
    const voucher = claim.voucher as { validUntil?: string; uid?: Hex } | null;
    if (!voucher?.validUntil || !voucher.uid) return claim;
    chainNow ??= await chainTime();
    let used: boolean;
    try {
      used = await client.readContract({ address: claim.collection as Address, abi: stampbookCollectionAbi, functionName: "isVoucherUsed", args: [voucher.uid] });
    } catch (error) {
      throw chainUnavailable(error);
    }
    if (used) return complete(claim.id, { status: "minted", now: at() });
    // Every later block is later than validUntil: an unused voucher can never be used now.
    if (BigInt(voucher.validUntil) < chainNow) return complete(claim.id, { status: "expired", now: at() });
    return claim;
  }

  /**
   * Before a new claim: settles the member's earlier claims of this drop that still hold a place,
   * so that one whose mint never happened, or whose voucher expired unused, frees it.
   */
  async function releasePlaces(member: Address, drop: Drop, chainNow: bigint): Promise<void> {
    const { items } = await store.listClaims({ member, dropId: drop.id, limit: 100 });
    for (const claim of items) {
      if (claim.status === "pending") await settle(claim, false);
      else if (claim.status === "issued") await settleVoucher(claim, chainNow);
    }
  }

  return {
    async list(member, query = {}) {
      return view(member, await store.listDrops(query.brandId === undefined ? {} : { brandId: query.brandId }));
    },

    async get(member, dropId) {
      const [result] = await view(member, [await dropOrThrow(dropId)]);
      return result!;
    },

    settle: (claim) => settle(claim),

    async sweep() {
      let changed = 0;
      // Read once, and only if some voucher is still issued: an idle server asks the chain nothing.
      let chainNow: bigint | undefined;
      for (const status of ["pending", "issued"] as const) {
        let cursor: string | null = null;
        do {
          const page = await store.listClaims({ status, limit: 100, cursor });
          for (const claim of page.items) {
            // An unexpired voucher counts whether or not it was used; only a lapsed one can change that.
            const validUntil = (claim.voucher as { validUntil?: string } | null)?.validUntil;
            if (status === "issued" && (validUntil === undefined || BigInt(validUntil) >= (chainNow ??= await chainTime()))) continue;
            const settled = status === "issued" ? await settleVoucher(claim, chainNow) : await settle(claim, false);
            if (settled.status !== status) changed++;
          }
          cursor = page.nextCursor;
        } while (cursor !== null);
      }
      return changed;
    },

    async getClaim(member, claimId) {
      const claim = await store.getClaim(claimId);
      if (claim === null || claim.member !== member.toLowerCase()) throw new Problem(404, "claim_not_found", "No such claim", `claim ${claimId}`);
      return settle(claim);
    },

    async claim(member, dropId, idempotencyKey) {
      // A retry gets the original claim (settled if it can be), even if the member's holdings changed.
      const previous = await store.findClaim(member, idempotencyKey);
      if (previous !== null) {
        if (previous.dropId !== dropId) throw idempotencyConflict();
        const claim = await settle(previous);
        if (claim.status === "failed") throw claimFailed(claim);
        return { claim, replayed: true };
      }

      const drop = await dropOrThrow(dropId);
      const status = statusOf(drop, at());
      if (status === "upcoming") throw new Problem(409, "drop_not_started", "The drop is not open yet", `opens at ${drop.startsAt}`);
      if (status === "ended") throw new Problem(409, "drop_ended", "The drop has ended", `ended at ${drop.endsAt}`);
      if (minter === null) throw minterUnavailable();

      // Never a login-time or cached snapshot: what the member holds right now, on chain, the drop's
      // own token included.
      const own: LeafRule = { type: "holds", collection: getAddress(drop.collection), tokenId: BigInt(drop.tokenId), min: 1n };
      const [{ outcomes, snapshot }, membership] = await Promise.all([evaluate(member, [drop], true, [own]), isMembership(own)]);
      const checked = outcomes[0]!;
      if (!checked.eligible) {
        throw new Problem(403, "not_eligible", "You do not hold what this drop requires", checked.reasons.map((r) => r.message).join("; "), { reasons: checked.reasons });
      }
      // The contract keeps memberships one per holder: minting another would only revert, at the minter's cost.
      if (membership && (snapshot!.holdings.get(holdingKey(own.collection, own.tokenId))?.balance ?? 0n) > 0n) {
        throw new Problem(409, "membership_already_held", "You already hold this membership", `token ${drop.tokenId} is a membership, one per member; renew it instead.`);
      }
      await releasePlaces(member, drop, snapshot!.now);

      const result = await store.reserveClaim({ dropId, member, idempotencyKey, id: `claim_${newId().replaceAll("-", "")}`, now: at() });
      switch (result.status) {
        case "created":
          break;
        case "replayed": {
          const claim = await settle(result.claim);
          if (claim.status === "failed") throw claimFailed(claim);
          return { claim, replayed: true };
        }
        case "idempotency_conflict":
          throw idempotencyConflict();
        case "drop_not_found":
          throw new Problem(404, "drop_not_found", "No such drop", `drop ${dropId}`);
        case "not_started":
          throw new Problem(409, "drop_not_started", "The drop is not open yet");
        case "ended":
          throw new Problem(409, "drop_ended", "The drop has ended");
        case "member_limit_reached":
          throw new Problem(409, "member_limit_reached", "You have claimed this drop as often as allowed", `limit ${result.limit} per member`, { limit: result.limit });
        case "total_limit_reached":
          throw new Problem(409, "total_limit_reached", "This drop has run out", `limit ${result.limit} in total`, { limit: result.limit });
      }

      const reservedClaim = result.claim;
      let claim: Claim;
      if (drop.mode === "voucher") {
        claim = await issueVoucher(reservedClaim, minter, snapshot!.now);
      } else {
        const running = mint(reservedClaim, minter).finally(() => inflight.delete(reservedClaim.id));
        inflight.set(reservedClaim.id, running);
        claim = await running;
      }
      if (claim.status === "failed") throw claimFailed(claim);
      return { claim, replayed: false };
    },
  };
}

function voucherJson(signed: SignedVoucher) {
  const v = signed.voucher;
  return {
    chainId: signed.chainId,
    collection: getAddress(signed.collection),
    to: getAddress(v.to),
    id: v.id.toString(),
    amount: v.amount.toString(),
    validAfter: v.validAfter.toString(),
    validUntil: v.validUntil.toString(),
    uid: v.uid,
    price: v.price.toString(),
    signature: signed.signature,
    r: signed.r,
    vs: signed.vs,
  };
}

/** The problem a failed claim answers with, the first time and on every replay. */
export function claimFailed(claim: Claim): Problem {
  const detail = `${claim.error?.message ?? "nothing was minted"}. Nothing was minted and this claim does not count against the drop's limits: claim again with a new Idempotency-Key.`;
  if (claim.error?.code === "chain_unavailable") {
    return new Problem(503, "chain_unavailable", "The chain cannot be reached to mint right now", detail, { claim: claimView(claim) });
  }
  return new Problem(502, "mint_failed", "The mint failed", detail, { claim: claimView(claim) });
}

export function minterUnavailable(): Problem {
  return new Problem(503, "minter_unavailable", "This server has no minter key", "Drops cannot be claimed until MINTER_PRIVATE_KEY is configured.");
}

function chainUnavailable(error: unknown): Problem {
  return new Problem(503, "chain_unavailable", "The chain cannot be read right now", "Nothing was claimed.", {
    cause: error instanceof Error ? error.message.split("\n")[0] : undefined,
  });
}

function idempotencyConflict(): Problem {
  return new Problem(422, "idempotency_conflict", "This Idempotency-Key was already used for another drop", "Use a new key for a new claim.");
}
