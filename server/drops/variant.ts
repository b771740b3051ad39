/**
 * Drops: offers whose take yields tokens, minted for the member without gas. A claim runs through
 * the offers core (replay, window, a fresh chain read, one store transaction that checks the limits
 * and reserves the claim as `pending`); only then does the brand's own minter act on chain, and only
 * on a collection the brand registered:
 *
 * - mode `mint`: the minter sends `mint(member, tokenId, amount)` and pays the gas. The transaction's
 *   hash is recorded before it is broadcast. Mined: `minted`. Refused or reverted: `failed`, which
 *   frees the member's place so they can try again. No receipt within the timeout: the claim stays
 *   `pending` (it may still mine, so it keeps counting) and is settled later from the chain when it is
 *   read again, retried, or swept: mined CONFIRMATIONS deep, it becomes `minted` (less deep it stays
 *   `pending`: a reorg may still take it out); if the node never got it or a reorg took it out, the
 *   same transaction is sent again; if its nonce went to another transaction, `failed`.
 * - Until its transaction is recorded, a claim is held by the one instance minting it, which renews
 *   the hold while it works (LEASE_TTL_MS). A claim whose instance died before sending is taken over
 *   within about a lease time by another instance (the member's retry, a read of it, or the takeover
 *   round) and minted there; only the holder can record a transaction, so it is never sent twice.
 * - mode `voucher`: the minter signs an EIP-712 ClaimVoucher for the member (uid = keccak256 of the
 *   claim id, valid from 60 s before the chain's time until the TTL after it, price 0): `issued`. The
 *   member's wallet or any relayer submits it. Used on chain it becomes `minted`; lapsed unused, `expired`.
 */
import { BaseError, ContractFunctionRevertedError, getAddress, keccak256, stringToHex, type Address, type Hex, type PublicClient } from "viem";
import { stampbookCollectionAbi, TOKEN_KIND } from "../../contracts/bindings/index.ts";
import type { CollectionDirectory } from "../brands/directory.ts";
import type { TokenTypeReader } from "../chain/token-types.ts";
import type { NameBook } from "../catalog/names.ts";
import { claimAnnouncement } from "./announce.ts";
import { chainUnavailable } from "../chain/errors.ts";
import { minterUnavailable, type BrandSenders } from "../chain/sender/brand-senders.ts";
import type { Sender, SignedVoucher } from "../chain/sender/sender.ts";
import { settleTransaction } from "../chain/sender/settlement.ts";
import type { OwnershipReader } from "../chain/ownership.ts";
import { Problem } from "../errors.ts";
import { holdingKey, type LeafRule } from "../rules/grammar.ts";
import type { CompleteTakeInput, DropMode, Offer, Take, TakeError, TokenReward } from "../offers/types.ts";
import type { OfferVariant } from "../offers/variant.ts";
import { toTimestamp, type Store } from "../storage/index.ts";
import { dropKind } from "./kind.ts";
import { claimView } from "./views.ts";

/** What a brand sends to say what a drop gives. */
export type DropRewardInput = { collection: string; tokenId: string | number; amount?: string | number; mode?: DropMode };

export type DropVariant = OfferVariant<DropRewardInput> & {
  /** One claim of the member's, settled from the chain first if it is pending or an issued voucher. */
  settle(claim: Take): Promise<Take>;
  /** Settles every pending claim and every issued voucher past its `validUntil`; returns how many changed. */
  sweep(): Promise<number>;
  /** Takes over the unsent claims whose instance stopped renewing them and mints them here; returns how many. */
  takeOver(): Promise<number>;
  /** Waits for the mints this instance has under way (a stopping instance finishes them). */
  drain(): Promise<void>;
};

export type DropVariantDeps = {
  store: Store;
  ownership: OwnershipReader;
  client: PublicClient;
  /** The collections' token types: a membership drop is refused to a member who holds one. */
  tokenTypes: TokenTypeReader;
  /** What token types are called, for webhook messages. */
  names: NameBook;
  directory: CollectionDirectory;
  /** Each brand's sender: its key mints and signs vouchers for its drops. */
  senders: Pick<BrandSenders, "forBrand">;
  /** Blocks a mint must be under the head before its claim is `minted` (CONFIRMATIONS). */
  confirmations: number;
  voucherTtlSeconds: number;
  /** This instance, as the holder of the claims it mints. */
  holder: string;
  /** How long an unsent claim stays its holder's without renewal (LEASE_TTL_MS) before another instance takes it over. */
  leaseTtlMs: number;
  now?: () => Date;
  /** Where a mint taken over in the background reports a failure to reach the store or chain. */
  onError?: (error: unknown) => void;
};

const UINT256_MAX = 2n ** 256n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

const invalidDrop = (detail: string, path: string) => new Problem(400, "invalid_drop", "The drop is not valid", detail, { path });
const tokenOf = (take: Take | Offer): TokenReward => take.reward as TokenReward;

export function createDropVariant(deps: DropVariantDeps): DropVariant {
  const { store, ownership, client, tokenTypes, directory, senders } = deps;
  const now = deps.now ?? (() => new Date());
  const at = () => toTimestamp(now());
  /** Claims this process is minting right now: a concurrent retry waits for the outcome. */
  const inflight = new Map<string, Promise<Take>>();

  /** Registers a mint under way; a failure no caller waits for is reported, never left unhandled. */
  function track(id: string, work: Promise<Take>): Promise<Take> {
    const running = work.finally(() => inflight.delete(id));
    inflight.set(id, running);
    running.catch((error: unknown) => deps.onError?.(error));
    return running;
  }

  /** Whether an unsent claim's holder stopped renewing it a lease time ago. */
  const abandoned = (claim: Take) => claim.status === "pending" && claim.txHash === null && now().getTime() - Date.parse(claim.updatedAt) > deps.leaseTtlMs;

  async function minterOf(brandId: string): Promise<Sender> {
    const minter = await senders.forBrand(brandId);
    if (minter === null) throw minterUnavailable("This brand has no minter yet: the brand creates one (POST /v1/admin/minter) and grants it MINTER_ROLE.");
    return minter;
  }

  /** The claim after `input`, or as it stands if someone else settled it first. */
  async function complete(id: string, input: CompleteTakeInput): Promise<Take> {
    const claim = (await store.completeTake(id, { ...input, ...(await claimAnnouncement(store, deps.names, id, input.status)) })) ?? (await store.getTake(id))!;
    // The member holds more now: their next listing on this instance must not answer from the cache.
    if (claim.status === "minted") ownership.forget(claim.member);
    return claim;
  }

  /** The latest block's time: vouchers lapse by chain time, as the contract checks them. */
  async function chainTime(): Promise<bigint> {
    try {
      return (await client.getBlock({ blockTag: "latest" })).timestamp;
    } catch (error) {
      throw chainUnavailable("Nothing was claimed.", error);
    }
  }

  /** @param wait for a claim this process is minting right now: wait for it (true) or return it as it is. */
  async function settle(claim: Take, wait = true): Promise<Take> {
    if (claim.status === "issued") return settleVoucher(claim);
    if (claim.status !== "pending") return claim;
    const running = inflight.get(claim.id);
    if (running !== undefined) return wait ? running : claim;
    if (claim.txHash !== null) {
      // Recorded before broadcast: only the chain can say what became of it (sent again if the node lost
      // it); mined but not final yet (confirming), it stays pending.
      const settled = await settleTransaction(client, { hash: claim.txHash, raw: claim.rawTx }, { confirmations: deps.confirmations });
      if (settled.status === "mined") return complete(claim.id, { status: "minted", now: at() });
      if (settled.status === "reverted") return complete(claim.id, { status: "failed", error: { code: "mint_failed", message: "the mint transaction reverted" }, now: at() });
      if (settled.status === "dropped") {
        // Never mined, and never can be: its nonce went to another transaction, final (a reorg, or a
        // broadcast that never reached the node). The same claim is signed again, by one instance.
        const released = await store.releaseTakeTx(claim.id, claim.txHash, deps.holder, at());
        if (released === null) return (await store.getTake(claim.id)) ?? claim;
        const resent = track(claim.id, resume(released));
        return wait ? resent : released;
      }
      return claim;
    }
    // Reserved and not sent: its holder is minting it, or died before it could.
    if (!abandoned(claim)) return claim;
    const resumed = track(claim.id, resume(claim));
    return wait ? resumed : claim;
  }

  /** Takes over a claim whose holder stopped renewing it, and delivers it here. */
  async function resume(claim: Take): Promise<Take> {
    const held = await store.holdTake(claim.id, deps.holder, at(), toTimestamp(now().getTime() - deps.leaseTtlMs));
    // Another instance took it first, or it was sent or settled meanwhile.
    if (held === null) return (await store.getTake(claim.id)) ?? claim;
    const minter = await senders.forBrand(held.brandId);
    if (minter === null) return complete(held.id, { status: "failed", error: { code: "mint_failed", message: "the brand has no minter this server can use" }, now: at() });
    return tokenOf(held).mode === "voucher" ? issueVoucher(held, minter, await chainTime()) : mintHeld(held, minter);
  }

  /** Mints a claim this instance holds, renewing the hold until the mint ends (its transaction recorded, or nothing sent). */
  async function mintHeld(claim: Take, minter: Sender): Promise<Take> {
    const renewal = setInterval(() => void store.renewTake(claim.id, deps.holder, at()).catch(() => undefined), Math.max(100, Math.floor(deps.leaseTtlMs / 3)));
    try {
      return await mint(claim, minter);
    } finally {
      clearInterval(renewal);
    }
  }

  /**
   * An issued voucher becomes `minted` once it was used on chain, and `expired` once it no longer
   * can be: unused while the latest block is later than its `validUntil`. The block is read first,
   * so a voucher used after it still shows as used.
   */
  async function settleVoucher(claim: Take, chainNow?: bigint): Promise<Take> {
    const voucher = claim.voucher as { validUntil?: string; uid?: Hex } | null;
    if (!voucher?.validUntil || !voucher.uid) return claim;
    chainNow ??= await chainTime();
    let used: boolean;
    try {
      used = await client.readContract({ address: tokenOf(claim).collection, abi: stampbookCollectionAbi, functionName: "isVoucherUsed", args: [voucher.uid] });
    } catch (error) {
      throw chainUnavailable("Nothing was claimed.", error);
    }
    if (used) return complete(claim.id, { status: "minted", now: at() });
    // Every later block is later than validUntil: an unused voucher can never be used now.
    if (BigInt(voucher.validUntil) < chainNow) return complete(claim.id, { status: "expired", now: at() });
    return claim;
  }

  async function mint(claim: Take, minter: Sender): Promise<Take> {
    const reward = tokenOf(claim);
    const outcome = await minter.mint({
      collection: reward.collection,
      to: claim.member,
      tokenId: BigInt(reward.tokenId),
      amount: BigInt(reward.amount),
      // Only while this instance holds the claim: one that took it over sends its own, never both.
      beforeBroadcast: async (tx) => (await store.recordTakeTx(claim.id, tx, at(), deps.holder)) !== null,
    });
    switch (outcome.status) {
      case "minted":
        return complete(claim.id, { status: "minted", txHash: outcome.txHash, now: at() });
      case "failed": {
        const error: TakeError = { code: outcome.code, message: outcome.message };
        return complete(claim.id, { status: "failed", error, ...(outcome.txHash ? { txHash: outcome.txHash } : {}), now: at() });
      }
      case "pending":
      case "aborted":
        return (await store.getTake(claim.id))!;
    }
  }

  async function issueVoucher(claim: Take, minter: Sender, chainNow: bigint): Promise<Take> {
    const reward = tokenOf(claim);
    const signed = await minter.signVoucher(reward.collection, {
      to: claim.member,
      id: BigInt(reward.tokenId),
      amount: BigInt(reward.amount),
      validAfter: chainNow > 60n ? chainNow - 60n : 0n,
      validUntil: chainNow + BigInt(deps.voucherTtlSeconds),
      uid: keccak256(stringToHex(claim.id)),
      price: 0n,
    });
    return complete(claim.id, { status: "issued", voucher: voucherJson(signed), now: at() });
  }

  /** Whether the token type is a membership (one per holder). */
  async function isMembership(token: LeafRule): Promise<boolean> {
    const types = await tokenTypes.tokenTypes(token.collection);
    return types.find((t) => t.tokenId === token.tokenId)?.kind === "membership";
  }

  const ownToken = (offer: Offer): LeafRule => {
    const reward = tokenOf(offer);
    return { type: "holds", collection: getAddress(reward.collection), tokenId: BigInt(reward.tokenId), min: 1n };
  };

  /** Minting never crosses brands: the drop's collection must be one its brand registered. */
  async function requireOwned(brandId: string, collection: Address): Promise<void> {
    if ((await directory.ownerOf(collection)) !== brandId) {
      throw new Problem(403, "collection_not_owned", "Drops mint only on the brand's own collections", `${getAddress(collection)} is not registered to this brand: register it first (POST /v1/admin/collections).`);
    }
  }

  return {
    spec: dropKind,

    async reward(brandId, input) {
      const collection = getAddress(input.collection);
      const tokenId = BigInt(input.tokenId);
      const amount = BigInt(input.amount ?? 1);
      if (tokenId > UINT256_MAX) throw invalidDrop("tokenId must be below 2^256", "tokenId");
      if (amount < 1n || amount > UINT64_MAX) throw invalidDrop("amount must be from 1 to 2^64 - 1", "amount");
      await requireOwned(brandId, collection);
      const minter = await minterOf(brandId);
      let info;
      try {
        info = await client.readContract({ address: collection, abi: stampbookCollectionAbi, functionName: "tokenType", args: [tokenId] });
      } catch (error) {
        const reverted = error instanceof BaseError ? (error.walk((e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | null) : null;
        if (reverted?.data?.errorName === "UnknownTokenType") throw invalidDrop(`the collection has no token type ${tokenId}`, "tokenId");
        throw chainUnavailable("The collection could not be checked; nothing was created.", error);
      }
      if (info.kind === TOKEN_KIND.membership && amount !== 1n) throw invalidDrop(`token ${tokenId} is a membership: a claim gives exactly 1`, "amount");
      let canMint: boolean;
      try {
        canMint = await minter.canMint(collection);
      } catch (error) {
        throw chainUnavailable("The collection could not be checked; nothing was created.", error);
      }
      if (!canMint) {
        throw new Problem(409, "minter_unauthorized", "The brand's minter cannot mint on this collection", `Grant MINTER_ROLE to ${minter.address} on ${collection}.`, { minter: minter.address });
      }
      return { type: "token", collection: collection.toLowerCase() as Address, tokenId: tokenId.toString(), amount: amount.toString(), mode: input.mode ?? "mint" };
    },

    newCode: () => null,

    async precheck(offer) {
      await requireOwned(offer.brandId, tokenOf(offer).collection);
      await minterOf(offer.brandId);
    },

    alsoRead: (offer) => [ownToken(offer)],

    async beforeTake(member, offer, snapshot) {
      const own = ownToken(offer);
      // The contract keeps memberships one per holder: minting another would only revert, at the minter's cost.
      if ((snapshot.holdings.get(holdingKey(own.collection, own.tokenId))?.balance ?? 0n) > 0n && (await isMembership(own))) {
        throw new Problem(409, "membership_already_held", "You already hold this membership", "A membership is one per member; renew it instead.", { collection: getAddress(own.collection), tokenId: own.tokenId.toString() });
      }
      // Earlier claims of this drop that still hold a place may free it: a mint that never happened, a voucher that lapsed.
      const { items } = await store.listTakes({ kind: "drop", member, offerId: offer.id, limit: 100 });
      for (const claim of items) {
        // One left by a dead instance is taken over (in the background): it keeps its place and mints.
        if (claim.status === "pending") await settle(claim, false);
        else if (claim.status === "issued") await settleVoucher(claim, snapshot.now);
      }
    },

    async deliver(claim, offer, snapshot) {
      const minter = await minterOf(offer.brandId);
      let settled: Take;
      if (tokenOf(claim).mode === "voucher") {
        settled = await issueVoucher(claim, minter, snapshot.now);
      } else {
        const held = await store.holdTake(claim.id, deps.holder, at());
        // Null: another instance took it over already (this one looked dead); it mints it.
        settled = held === null ? ((await store.getTake(claim.id)) ?? claim) : await track(claim.id, mintHeld(held, minter));
      }
      if (settled.status === "failed") throw claimFailed(settled);
      return settled;
    },

    async replay(claim) {
      const settled = await settle(claim);
      if (settled.status === "failed") throw claimFailed(settled);
      return settled;
    },

    settle: (claim) => settle(claim),

    async sweep() {
      let changed = 0;
      // Read once, and only if some voucher is still issued: an idle server asks the chain nothing.
      let chainNow: bigint | undefined;
      for (const status of ["pending", "issued"] as const) {
        let cursor: string | null = null;
        do {
          const page = await store.listTakes({ kind: "drop", status, limit: 100, cursor });
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

    async takeOver() {
      let taken = 0;
      let cursor: string | null = null;
      do {
        const page = await store.listTakes({ kind: "drop", status: "pending", limit: 100, cursor });
        for (const claim of page.items) {
          if (!abandoned(claim) || inflight.has(claim.id)) continue;
          // In the background: one slow mint must not hold up the others' takeover.
          void track(claim.id, resume(claim));
          taken++;
        }
        cursor = page.nextCursor;
      } while (cursor !== null);
      return taken;
    },

    async drain() {
      await Promise.allSettled([...inflight.values()]);
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
export function claimFailed(claim: Take): Problem {
  const detail = `${claim.error?.message ?? "nothing was minted"}. Nothing was minted and this claim does not count against the drop's limits: claim again with a new Idempotency-Key.`;
  if (claim.error?.code === "chain_unavailable") return chainUnavailable(detail, undefined, { claim: claimView(claim) });
  return new Problem(502, "mint_failed", "The mint failed", detail, { claim: claimView(claim) });
}
