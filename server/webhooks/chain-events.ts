/**
 * Webhook messages about the chain, from the chain index's facts: transfers in a brand's collections
 * (`token.transferred`), memberships granted and renewed, members crossing a level threshold,
 * memberships about to end (72 hours ahead) and ended. One instance at a time announces (a lease),
 * each collection from where it stopped: the messages and the collection's cursor are written in one
 * transaction, and dedupe keys make a fact announced once however often it is read.
 *
 * A message about a block is sent when the index applies the block, with `confirmed` saying whether
 * it is CONFIRMATIONS deep; it is watched while its block is in the reorg window: once final, an
 * unconfirmed one is sent again with `confirmed: true`; if a reorg takes its block away, it is sent
 * again with `reverted: true`. Levels are worked out again from what the index holds, so a rollback
 * moves a level back with the next message. History is not announced: a collection starts from the
 * block the index stood at when it was first seen here.
 */
import type { Address } from "viem";
import type { CollectionDirectory } from "../brands/directory.ts";
import type { NameBook } from "../catalog/names.ts";
import type { ChainFact, ChainFacts, FactPosition } from "../chain/index/facts.ts";
import type { ChainIndexStore, IndexedTokenType } from "../chain/index/types.ts";
import { standingOf } from "../loyalty/levels.ts";
import type { Level } from "../loyalty/types.ts";
import { toTimestamp } from "../storage/time.ts";
import { newMessageId, tokenTypeRef, webhookMessage } from "./messages.ts";
import type { AnnouncedLevel, WatchedChainMessage, WebhookChainStore, WebhookMessageDraft } from "./types.ts";

/** How far ahead of a membership's end `membership.expiring` is sent. */
export const EXPIRING_WITHIN_SECONDS = 72n * 3600n;
const NEVER = 2n ** 64n - 1n;
/** How much chain time (or clock time) passes between two scans of a collection's expiries. */
const EXPIRY_SCAN_SECONDS = 60n;
const ZERO = "0x0000000000000000000000000000000000000000";
/** Facts read per collection per round (more wait for the next round, at once). */
const FACTS_PER_ROUND = 1_000;

export type ChainAnnouncerDeps = {
  store: WebhookChainStore & ChainFacts & Pick<ChainIndexStore, "indexCursor" | "indexedBlocks" | "holdingsOf" | "indexedTokenTypes">;
  directory: Pick<CollectionDirectory, "list">;
  names: NameBook;
  levels: (brandId: string) => Promise<readonly Level[]>;
  confirmations: number;
  /** Blocks the index keeps for reorgs: a message's block below it is final for good. */
  window: number;
  now: () => Date;
};

const iso = (seconds: bigint) => (seconds >= NEVER ? null : toTimestamp(Number(seconds) * 1000));
const lower = (address: string) => address.toLowerCase() as Address;

export function createChainAnnouncer(deps: ChainAnnouncerDeps) {
  const { store } = deps;
  /** When each collection's expiries were last scanned, by chain time and by the clock. */
  const scans = new Map<string, { chainTime: bigint; at: number }>();

  /** One round: announces what is new for every brand's collection, then settles watched messages. Returns true when more is waiting. */
  async function round(): Promise<boolean> {
    const cursor = await store.indexCursor();
    if (cursor === null) return false;
    let more = false;
    const served = (await deps.directory.list()).filter((c): c is { collection: Address; brandId: string } => c.brandId !== null);
    const collectionsOf = (brandId: string) => served.filter((c) => c.brandId === brandId).map((c) => lower(c.collection));
    for (const { collection, brandId } of served) {
      more = (await announceCollection(lower(collection), brandId, collectionsOf(brandId), cursor.block.number, cursor.block.time)) || more;
    }
    await settleWatched(cursor.block.number);
    return more;
  }

  /** `brandCollections`: every collection of the brand (a member's points count across them). */
  async function announceCollection(collection: Address, brandId: string, brandCollections: readonly Address[], indexed: bigint, chainNow: bigint): Promise<boolean> {
    const at = deps.now();
    const known = await store.webhookChainCursor(collection);
    if (known === null) {
      // First seen: from the index's block on, not the collection's history.
      await store.announceChain(collection, [], [], { position: `${indexed}:${2 ** 31}:0`, expiredThrough: chainNow });
      return false;
    }
    const page = await store.factsAfter({ collection, after: known.position as FactPosition, limit: FACTS_PER_ROUND, confirmations: deps.confirmations });
    if (page === null) return false;
    const facts = page.facts;
    // The cursor passes only final facts: an unconfirmed one is read again (its dedupe key keeps it
    // sent once) until it is final or replaced by another branch's.
    const firstOpen = facts.findIndex((f) => !f.confirmed);
    const position = firstOpen < 0 ? (page.next ?? known.position) : firstOpen === 0 ? known.position : facts[firstOpen - 1]!.id;

    const tokenIds = new Set(facts.map((f) => f.tokenId));
    const typeRefs = new Map<bigint, Awaited<ReturnType<typeof tokenTypeRef>>>();
    for (const id of tokenIds) typeRefs.set(id, await tokenTypeRef(deps.names, collection, id));
    const messages: WebhookMessageDraft[] = facts.map((fact) => factMessage(brandId, fact, typeRefs.get(fact.tokenId)!, at));
    const { levels, messages: levelMessages } = await levelChanges(brandId, brandCollections, facts, chainNow, at);

    // Memberships about to end, and ended since the last scan (by chain time): once each. Scanned
    // when a minute of chain time or of the clock has passed (a scan reads the collection's holdings).
    const last = scans.get(collection);
    const scan = last === undefined || chainNow - last.chainTime >= EXPIRY_SCAN_SECONDS || at.getTime() - last.at >= Number(EXPIRY_SCAN_SECONDS) * 1000;
    const expiring = scan ? await store.membershipsExpiring({ collection, confirmations: deps.confirmations, within: EXPIRING_WITHIN_SECONDS, limit: 1_000 }) : null;
    const expired = scan ? await store.membershipsExpired({ collection, confirmations: deps.confirmations, since: known.expiredThrough, limit: 1_000 }) : null;
    if (scan) scans.set(collection, { chainTime: chainNow, at: at.getTime() });
    for (const state of [...(expiring?.items ?? []), ...(expired?.items ?? [])]) {
      if (!typeRefs.has(state.tokenId)) typeRefs.set(state.tokenId, await tokenTypeRef(deps.names, collection, state.tokenId));
    }
    for (const state of expiring?.items ?? []) {
      messages.push(webhookMessage(brandId, "membership.expiring", { member: { address: lower(state.holder) }, tokenType: typeRefs.get(state.tokenId)!, expiresAt: iso(state.expiresAt)! }, at, `expiring:${state.id}`));
    }
    for (const state of expired?.items ?? []) {
      messages.push(webhookMessage(brandId, "membership.expired", { member: { address: lower(state.holder) }, tokenType: typeRefs.get(state.tokenId)!, expiredAt: iso(state.expiresAt)! }, at, `expired:${state.id}`));
    }
    // Expiries are told through the time judged, unless there were more than one page of them.
    const expiredThrough = expired !== null && expired.next === null ? expired.now : known.expiredThrough;
    // Nothing new: no write (this runs every poll for every collection).
    const moved = position !== known.position || expiredThrough !== known.expiredThrough;
    if (moved || messages.length > 0 || levelMessages.length > 0 || levels.length > 0) {
      await store.announceChain(collection, [...messages, ...levelMessages], levels, { position, expiredThrough });
    }
    return facts.length >= FACTS_PER_ROUND || (expired?.next ?? null) !== null;
  }

  function factMessage(brandId: string, fact: ChainFact, tokenType: Awaited<ReturnType<typeof tokenTypeRef>>, at: Date): WebhookMessageDraft {
    const { source } = fact;
    const place = { blockNumber: Number(source.blockNumber), blockHash: source.blockHash, txHash: source.txHash, logIndex: source.logIndex };
    const finality = { confirmed: fact.confirmed, reverted: false };
    const key = `${fact.kind}:${source.collection.toLowerCase()}:${fact.id}:${source.blockHash}`;
    const chain = { block: source.blockNumber, hash: source.blockHash, confirmed: fact.confirmed };
    const draft =
      fact.kind === "transfer"
        ? webhookMessage(brandId, "token.transferred", { tokenType, from: lower(fact.from), to: lower(fact.to), amount: fact.amount.toString(), ...place, ...finality }, at, key)
        : fact.kind === "membership.granted"
          ? webhookMessage(brandId, "membership.granted", { member: { address: lower(fact.holder) }, tokenType, expiresAt: iso(fact.expiresAt), ...place, ...finality }, at, key)
          : webhookMessage(
              brandId,
              "membership.renewed",
              { member: { address: lower(fact.holder) }, tokenType, expiresAt: iso(fact.expiresAt), previousExpiresAt: iso(fact.previousExpiresAt), ...place, ...finality },
              at,
              key,
            );
    return { ...draft, chain };
  }

  /** Members whose holdings these facts changed, at their level now: a level.changed for each who crossed a threshold. */
  async function levelChanges(brandId: string, collections: readonly Address[], facts: readonly ChainFact[], chainNow: bigint, at: Date): Promise<{ levels: AnnouncedLevel[]; messages: WebhookMessageDraft[] }> {
    if (facts.length === 0) return { levels: [], messages: [] };
    const brandLevels = await deps.levels(brandId);
    if (brandLevels.length === 0) return { levels: [], messages: [] };
    const lastFact = new Map<string, ChainFact>();
    for (const fact of facts) {
      const holders = fact.kind === "transfer" ? [fact.from, fact.to] : [fact.holder];
      for (const holder of holders) if (holder.toLowerCase() !== ZERO) lastFact.set(holder.toLowerCase(), fact);
    }
    const types = new Map((await store.indexedTokenTypes(collections)).map((t: IndexedTokenType) => [`${t.collection.toLowerCase()}:${t.tokenId}`, t]));
    const announced = await store.announcedLevels(brandId, [...lastFact.keys()]);
    const levels: AnnouncedLevel[] = [];
    const messages: WebhookMessageDraft[] = [];
    for (const [member, fact] of lastFact) {
      let points = 0n;
      for (const holding of await store.holdingsOf(member as Address, collections)) {
        const type = types.get(`${holding.collection.toLowerCase()}:${holding.tokenId}`);
        if (type === undefined || type.points === 0n) continue;
        // An ended membership carries no points, as the chain counts them.
        if (type.membership && holding.expiresAt <= chainNow) continue;
        points += holding.balance * type.points;
      }
      const now = standingOf(points, brandLevels).level;
      const before = announced.get(member);
      const beforeKey = before === undefined ? null : before.levelKey;
      levels.push({ brandId, member, levelKey: now?.key ?? null, points });
      // A member first seen here is announced only if they reach a level.
      if ((now?.key ?? null) === beforeKey) continue;
      const from = beforeKey === null ? null : (brandLevels.find((l) => l.key === beforeKey) ?? null);
      const { source } = fact;
      messages.push(
        webhookMessage(
          brandId,
          "level.changed",
          {
            member: { address: member as Address },
            from: from === null ? null : { key: from.key, name: from.name },
            to: now === null ? null : { key: now.key, name: now.name },
            points: points.toString(),
            blockNumber: Number(source.blockNumber),
            blockHash: source.blockHash,
            txHash: source.txHash,
            logIndex: source.logIndex,
          },
          at,
        ),
      );
    }
    return { levels, messages };
  }

  /** Watched messages whose block is now final (an unconfirmed one is sent again, confirmed), gone (sent again, reverted) or out of the window. */
  async function settleWatched(indexed: bigint): Promise<void> {
    const watched = await store.watchedChainMessages(1_000);
    if (watched.length === 0) return;
    const low = watched[0]!.block;
    const held = new Map((await store.indexedBlocks(low)).map((b) => [b.number, b.hash.toLowerCase()]));
    const changes: { id: string; state: "confirmed" | "settled" | "reverted" }[] = [];
    const followUps: WebhookMessageDraft[] = [];
    const at = deps.now();
    const finalThrough = indexed - BigInt(deps.confirmations);
    for (const message of watched) {
      const hash = held.get(message.block);
      const gone = message.block > indexed || (hash !== undefined && hash !== message.hash.toLowerCase());
      if (gone) {
        changes.push({ id: message.id, state: "reverted" });
        followUps.push(copyOf(message, { reverted: true }, at));
      } else if (hash === undefined || message.block < indexed - BigInt(deps.window)) {
        // Out of the window the index keeps: final for good.
        if (message.state === "unconfirmed") followUps.push(copyOf(message, { confirmed: true }, at));
        changes.push({ id: message.id, state: "settled" });
      } else if (message.state === "unconfirmed" && message.block <= finalThrough) {
        changes.push({ id: message.id, state: "confirmed" });
        followUps.push(copyOf(message, { confirmed: true }, at));
      }
    }
    await store.settleChainMessages(changes, followUps);
  }

  return { round };
}

/** The same message again, with a new id and time and `change` applied to its data. */
function copyOf(message: WatchedChainMessage, change: { confirmed?: boolean; reverted?: boolean }, at: Date): WebhookMessageDraft {
  const body = JSON.parse(message.body) as { type: string; data: Record<string, unknown> };
  const createdAt = toTimestamp(at);
  return { id: newMessageId(), brandId: message.brandId, type: message.type, body: JSON.stringify({ type: body.type, timestamp: createdAt, data: { ...body.data, ...change } }), createdAt };
}

export type ChainAnnouncer = ReturnType<typeof createChainAnnouncer>;
