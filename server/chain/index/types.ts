/**
 * The chain index: what the deployment's collections said on chain, kept in the store so gates read
 * one table instead of asking the chain per collection. One follower writes it (server/chain/index/
 * follower.ts, under a lease); every instance reads it. Its state is a pure function of the events it
 * holds: a reorg deletes the events of the abandoned blocks and folds the affected holdings again from
 * what remains, in one transaction.
 *
 * Numbers that can exceed 2^53 (token ids, balances, units, expiries) are bigints; block numbers and
 * unix seconds are bigints too, so no caller mixes them up with milliseconds.
 */
import type { Address, Hex } from "viem";
import type { Timestamp } from "../../storage/time.ts";

/** A block the index has followed: enough to notice when the chain no longer has it. */
export type IndexedBlock = { number: bigint; hash: Hex; parentHash: Hex; time: bigint };

/** Where the index stands: the last block it has applied, and the chain head its writer last saw. */
export type IndexCursor = {
  chainId: number;
  block: IndexedBlock;
  /** The highest block number the writer saw on chain, and when (the writer's clock). */
  headNumber: bigint;
  headSeenAt: Timestamp;
  /** Bumped by every write: readers key their caches on it, writers compare it to stay the only writer. */
  generation: number;
};

/** One collection the index follows, and how far its history is applied (the cursor's block once caught up). */
export type IndexedCollection = { collection: Address; startBlock: bigint; indexedThrough: bigint };

/** The events the index keeps, by their Solidity names. */
export type IndexEventName =
  | "TransferSingle"
  | "TransferBatch"
  | "MembershipExtended"
  | "TokenTypeCreated"
  | "TokenTypeTermsUpdated"
  | "Redeemed"
  | "Paused"
  | "Unpaused"
  // The Delegate Registry's, kept from the registry's address only (server/chain/index/delegations.ts).
  | "DelegateAll"
  | "DelegateContract"
  | "DelegateERC1155";

/** One log of a followed collection, decoded. `args` holds the event's arguments, bigints as decimal strings. */
export type IndexEvent = {
  collection: Address;
  blockNumber: bigint;
  blockHash: Hex;
  blockTime: bigint;
  logIndex: number;
  txHash: Hex;
  name: IndexEventName;
  args: Record<string, string | string[]>;
};

/**
 * Units held since one moment: a holder's balance of a token type is a stack of lots, oldest at the
 * bottom. Units that arrive push a lot; units that leave come off the top. So "holds at least k
 * units since t" is true for every level k up to the sum of the lots no younger than t: a transfer
 * restarts the clock for the units that moved and only for them.
 */
export type Lot = { units: bigint; sinceBlock: bigint; sinceTime: bigint };

/** A holder's position in one token type, as the index has it. */
export type IndexedHolding = {
  collection: Address;
  tokenId: bigint;
  holder: Address;
  balance: bigint;
  /** Membership expiry (unix seconds; 2^64-1: never); 0 for collectibles and when nothing is held. */
  expiresAt: bigint;
  lots: Lot[];
};

/** What one event did to one holder's position: units in (+) or out (-), and the expiry after it when it set one. */
export type HoldingChange = {
  collection: Address;
  tokenId: bigint;
  holder: Address;
  blockNumber: bigint;
  logIndex: number;
  /** Orders the changes of one log (a batch moves several ids; a transfer has two sides). */
  position: number;
  delta: bigint;
  /** The holding's expiry after this change; undefined: unchanged. */
  expiresAt: bigint | undefined;
  blockTime: bigint;
};

/** A token type as the index knows it: what a transfer of it does to expiries, and the points it carries. */
export type IndexedTokenType = { collection: Address; tokenId: bigint; membership: boolean; points: bigint };

/** A page of history for some collections, from `fromBlock` to `toBlock`, ready to apply. */
export type IndexPage = {
  collections: readonly Address[];
  fromBlock: bigint;
  toBlock: bigint;
  events: readonly IndexEvent[];
  /** Headers of the page's blocks that enter the reorg window (every block there), oldest first. */
  blocks: readonly IndexedBlock[];
};

/**
 * A vault's delegation to a wallet, as the Delegate Registry holds it now: for everything the vault
 * holds (`all`), for one collection (`contract`), or for up to `amount` units of one token type
 * (`erc1155`). Only delegations without rights count (a delegation for named rights is for
 * something else); `since`: the block that made it what it is.
 */
export type Delegation = {
  vault: Address;
  delegate: Address;
  kind: "all" | "contract" | "erc1155";
  /** The collection for `contract` and `erc1155`; null for `all`. */
  contract: Address | null;
  /** The token type for `erc1155`; null otherwise. */
  tokenId: bigint | null;
  /** Units for `erc1155`; 2^256-1 for the others. */
  amount: bigint;
  sinceBlock: bigint;
};

/** The index's part of the store. Every write is conditional on the cursor the writer last read. */
export interface ChainIndexStore {
  /** Where the index stands, or null before its first write. */
  indexCursor(): Promise<IndexCursor | null>;
  /** Starts the index at `block` (nothing applied yet). False if it has started already. */
  startIndex(chainId: number, block: IndexedBlock, now: Timestamp): Promise<boolean>;
  /** The followed blocks from `fromNumber` on, oldest first. */
  indexedBlocks(fromNumber: bigint): Promise<IndexedBlock[]>;
  indexedCollections(): Promise<IndexedCollection[]>;
  /** Follows a collection from `startBlock`; nothing changes if it is followed already. */
  followCollection(collection: Address, startBlock: bigint): Promise<void>;
  /**
   * Applies a page, moves the collections' progress to `toBlock` and, for an advance (`advance`: the
   * page starts right after the cursor), the cursor to the page's last block. False, changing nothing,
   * when the cursor's generation is no longer `expected` (another writer, or a rollback, came first)
   * or a collection's progress is not where the page starts.
   */
  applyIndexPage(page: IndexPage, expected: number, advance: IndexedBlock | null, pruneBefore: bigint): Promise<boolean>;
  /**
   * Undoes everything after `ancestor` (a block the index holds): events, changes, blocks, token
   * types, and folds the affected holdings again. False, changing nothing, when the generation moved.
   */
  rollbackIndex(ancestor: IndexedBlock, expected: number): Promise<boolean>;
  /** Forgets everything and starts again at `block` (a reorg deeper than the window). */
  resetIndex(chainId: number, block: IndexedBlock, now: Timestamp): Promise<void>;
  /** Records the head the writer saw (readers judge the index's lag by it). False when the generation moved. */
  recordHead(headNumber: bigint, seenAt: Timestamp, expected: number): Promise<boolean>;
  /** A holder's positions in the given collections (all followed ones when omitted); nothing held is absent. */
  holdingsOf(holder: Address, collections?: readonly Address[]): Promise<IndexedHolding[]>;
  /** Every position in one collection with a balance (a check against the chain, snapshots). */
  collectionHoldings(collection: Address): Promise<IndexedHolding[]>;
  /** The token types the index has seen created in these collections. */
  indexedTokenTypes(collections: readonly Address[]): Promise<IndexedTokenType[]>;
  /** The delegations to `delegate` in force at the index's cursor: rights-less, amount above 0. */
  delegationsTo(delegate: Address): Promise<Delegation[]>;
  /** A collection's events from `fromBlock` on, in chain order, at most `limit`. */
  indexEvents(collection: Address, fromBlock: bigint, limit: number): Promise<IndexEvent[]>;
}
