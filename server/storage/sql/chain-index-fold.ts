/**
 * How events change holdings: the one place that knows what a transfer, a mint, a burn or a renewal
 * does to a holder's balance, membership expiry and lots (see {@link Lot}). The store folds pages
 * forward with {@link foldEvents} and, after a rollback, folds each affected position again from the
 * changes that remain with {@link applyChange}. Pure: no I/O, no clock.
 */
import type { Address } from "viem";
import { TOKEN_KIND } from "../../../contracts/bindings/index.ts";
import type { HoldingChange, IndexEvent, IndexedTokenType, Lot } from "../../chain/index/types.ts";

const ZERO = "0x0000000000000000000000000000000000000000";

/** A holder's position in one token type. */
export type Position = { balance: bigint; expiresAt: bigint; lots: Lot[] };

export const EMPTY_POSITION: Position = { balance: 0n, expiresAt: 0n, lots: [] };

export function positionKey(collection: string, tokenId: bigint, holder: string): string {
  return `${collection.toLowerCase()}|${tokenId}|${holder.toLowerCase()}`;
}

export function typeKey(collection: string, tokenId: bigint): string {
  return `${collection.toLowerCase()}|${tokenId}`;
}

/** The position after one change: units in push a lot, units out come off the top; the last unit out clears the expiry. */
export function applyChange(position: Position, change: Pick<HoldingChange, "delta" | "expiresAt" | "blockNumber" | "blockTime">): Position {
  let balance = position.balance;
  let lots = position.lots;
  if (change.delta > 0n) {
    balance += change.delta;
    lots = [...lots, { units: change.delta, sinceBlock: change.blockNumber, sinceTime: change.blockTime }];
  } else if (change.delta < 0n) {
    let out = -change.delta;
    if (out > balance) throw new Error(`a change takes ${out} units from a balance of ${balance}`);
    balance -= out;
    lots = [...lots];
    while (out > 0n) {
      const top = lots.pop()!;
      if (top.units > out) {
        lots.push({ ...top, units: top.units - out });
        out = 0n;
      } else out -= top.units;
    }
  }
  // Units that leave for good take the expiry with them; a membership's mint sets it just before its units arrive.
  const expiresAt = change.delta < 0n && balance === 0n ? 0n : change.expiresAt ?? position.expiresAt;
  return { balance, expiresAt, lots };
}

/** The keys of the positions `events` touch (transfers' senders and recipients, renewals' holders). */
export function touchedPositions(events: readonly IndexEvent[]): { collection: Address; tokenId: bigint; holder: Address }[] {
  const seen = new Map<string, { collection: Address; tokenId: bigint; holder: Address }>();
  const add = (collection: Address, tokenId: bigint, holder: string) => {
    if (holder === ZERO) return;
    const key = positionKey(collection, tokenId, holder);
    if (!seen.has(key)) seen.set(key, { collection, tokenId, holder: holder as Address });
  };
  for (const event of events) {
    const a = event.args;
    if (event.name === "TransferSingle") {
      add(event.collection, BigInt(a.id as string), a.from as string);
      add(event.collection, BigInt(a.id as string), a.to as string);
    } else if (event.name === "TransferBatch") {
      for (const id of a.ids as string[]) {
        add(event.collection, BigInt(id), a.from as string);
        add(event.collection, BigInt(id), a.to as string);
      }
    } else if (event.name === "MembershipExtended") add(event.collection, BigInt(a.id as string), a.holder as string);
  }
  return [...seen.values()];
}

export type Fold = {
  /** Every change the events made, in chain order. */
  changes: HoldingChange[];
  /** The touched positions after the events, keyed by {@link positionKey}. */
  positions: Map<string, Position>;
  /** Token types created or given new points by the events, keyed by {@link typeKey}. */
  types: Map<string, IndexedTokenType & { createdBlock: bigint | undefined; pointsBlock: bigint }>;
};

/**
 * Folds events (chain order) over the positions they touch. `positions` holds each touched
 * position's state before the events (missing: nothing held); `types` the token types known before
 * (a membership's transfer carries its expiry to the recipient, as the collection does).
 */
export function foldEvents(events: readonly IndexEvent[], positions: ReadonlyMap<string, Position>, types: ReadonlyMap<string, IndexedTokenType>): Fold {
  const state = new Map(positions);
  const changes: HoldingChange[] = [];
  const changedTypes: Fold["types"] = new Map();
  const position = (key: string) => state.get(key) ?? EMPTY_POSITION;
  const isMembership = (collection: Address, tokenId: bigint) => {
    const key = typeKey(collection, tokenId);
    return (changedTypes.get(key) ?? types.get(key))?.membership ?? false;
  };

  for (const event of events) {
    const { collection, blockNumber, blockTime, logIndex } = event;
    let slot = 0;
    const change = (tokenId: bigint, holder: string, delta: bigint, expiresAt: bigint | undefined) => {
      const key = positionKey(collection, tokenId, holder);
      const c: HoldingChange = { collection, tokenId, holder: holder as Address, blockNumber, logIndex, position: slot++, delta, expiresAt, blockTime };
      state.set(key, applyChange(position(key), c));
      changes.push(c);
    };
    const move = (from: string, to: string, tokenId: bigint, value: bigint) => {
      if (value === 0n || from === to) return; // nothing moves (a collection refuses to move a membership to its holder)
      // A membership moving between holders takes its expiry along; a mint's expiry came just before it.
      const carried = from !== ZERO && to !== ZERO && isMembership(collection, tokenId) ? position(positionKey(collection, tokenId, from)).expiresAt : undefined;
      if (from !== ZERO) change(tokenId, from, -value, undefined);
      if (to !== ZERO) change(tokenId, to, value, carried);
    };
    const a = event.args;
    switch (event.name) {
      case "TransferSingle":
        move(a.from as string, a.to as string, BigInt(a.id as string), BigInt(a.value as string));
        break;
      case "TransferBatch": {
        const ids = a.ids as string[];
        const values = a.values as string[];
        ids.forEach((id, i) => move(a.from as string, a.to as string, BigInt(id), BigInt(values[i]!)));
        break;
      }
      case "MembershipExtended":
        change(BigInt(a.id as string), a.holder as string, 0n, BigInt(a.expiresAt as string));
        break;
      case "TokenTypeCreated": {
        const tokenId = BigInt(a.id as string);
        const key = typeKey(collection, tokenId);
        const known = changedTypes.get(key) ?? types.get(key);
        changedTypes.set(key, { collection, tokenId, membership: a.kind === String(TOKEN_KIND.membership), points: known?.points ?? 0n, createdBlock: blockNumber, pointsBlock: blockNumber });
        break;
      }
      case "TokenTypeTermsUpdated": {
        const tokenId = BigInt(a.id as string);
        const key = typeKey(collection, tokenId);
        const known = changedTypes.get(key) ?? types.get(key);
        const createdBlock = changedTypes.get(key)?.createdBlock;
        changedTypes.set(key, { collection, tokenId, membership: known?.membership ?? false, points: BigInt(a.points as string), createdBlock, pointsBlock: blockNumber });
        break;
      }
      default:
        break; // Redeemed, Paused, Unpaused: kept as events; holdings change through their transfers
    }
  }
  const touched = new Map<string, Position>();
  for (const c of changes) {
    const key = positionKey(c.collection, c.tokenId, c.holder);
    touched.set(key, state.get(key)!);
  }
  return { changes, positions: touched, types: changedTypes };
}
