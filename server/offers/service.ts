/**
 * The offers core: what perks, drops and every later kind of offer share. Brands create, change and
 * delete offers (rules checked by the rules module, per-brand bounds held by the store); members list
 * them with eligibility and take them, exactly once per idempotency key, with their holdings read
 * fresh from the chain at that moment. A variant (see variant.ts) says what a take yields and how it
 * is delivered.
 */
import type { Address } from "viem";
import { Problem } from "../errors.ts";
import { newId, normalizeTimestamp, toTimestamp, type Page, type Store } from "../storage/index.ts";
import { offerNotFound, quotaExceeded, takeRefused } from "./problems.ts";
import { createListing, type OfferList, type MemberOffer } from "./listing.ts";
import { holdingKey, PLAIN_TERMS, requirementsOf, ruleToJson, type BrandTerms, type Rules, type TermsOf } from "../rules/index.ts";
import type { Offer, OfferKind, OfferLimits, OfferPatch, OfferQuota, Take, TakeQuery } from "./types.ts";
import type { OfferKindSpec } from "./kind.ts";
import type { OfferVariant } from "./variant.ts";
import { offerStatus } from "./window.ts";

/**
 * Per-brand bounds: live offers by kind (every registered kind has one), distinct token types all the
 * brand's rules read together. Rule size is bounded by the rule grammar itself (server/rules/grammar.ts).
 */
export type OfferQuotas = { offers: Readonly<Record<OfferKind, number>>; tokenTypes: number };

export type OfferServiceDeps = {
  store: Store;
  /** Checks brands' rules and members' eligibility (holdings fresh for a take, cached for a listing). */
  rules: Pick<Rules, "validate" | "plan" | "read" | "check">;
  quotas: OfferQuotas;
  /**
   * How long an offer list may be reused for listing (0: read the store every time). Other instances'
   * writes show up after at most this long (at once when `onChange` tells them and they call
   * `offersChanged`); a take always reads the store.
   */
  listCacheMs: number;
  /** How long a member's take counts may be reused for listing; default `listCacheMs`. Takes on other instances show up after at most this long. */
  takeCountCacheMs?: number;
  /** Told after each offer this instance creates, changes or deletes (app.ts tells the other instances). */
  onChange?: () => void;
  /** How long one brand's holdings read may hold up a listing before its entries show as unavailable. */
  listingReadTimeoutMs: number;
  now?: () => Date;
  /** Told about each brand whose terms could not be read for a listing. */
  onUnavailable?: (brandId: string, error: unknown) => void;
  /** Brands' names, levels and token types, for words and points (default: plain words, no points). */
  terms?: TermsOf;
};

/** What a brand sends to create an offer; `reward` is the variant's own input. */
export type NewOfferInput<RewardInput> = {
  title: string;
  description?: string;
  rule?: unknown;
  limits?: Partial<OfferLimits>;
  startsAt?: string | null;
  endsAt?: string | null;
  reward: RewardInput;
};

export type OfferChanges = Partial<Omit<NewOfferInput<never>, "reward">>;

export type TakeOutcome = { take: Take; replayed: boolean };

export type OfferKindService = {
  // Brands
  create(brandId: string, input: NewOfferInput<unknown>): Promise<Offer>;
  update(brandId: string, id: string, changes: OfferChanges): Promise<Offer>;
  remove(brandId: string, id: string): Promise<void>;
  ofBrand(brandId: string): Promise<Offer[]>;
  takesOfBrand(brandId: string, query: Omit<TakeQuery, "kind" | "brandId">): Promise<Page<Take>>;
  // Members
  /** While neither the offers, the holdings, the counts nor any status changed, this is the same array: do not change it. */
  list(member: Address, query?: { brandId?: string }): Promise<readonly MemberOffer[]>;
  get(member: Address, id: string): Promise<MemberOffer>;
  take(member: Address, id: string, idempotencyKey: string): Promise<TakeOutcome>;
  takesOfMember(member: Address, query: { offerId?: string; limit: number; cursor: string | null }): Promise<Page<Take>>;
  /** One of the member's takes of this kind, as stored. */
  takeOfMember(member: Address, takeId: string): Promise<Take>;
};

const MAX_OFFER_LISTS = 1_000;
const MAX_COUNTS = 10_000;

export function createOffers(deps: OfferServiceDeps) {
  const { store, rules } = deps;
  const now = deps.now ?? (() => new Date());
  const at = () => toTimestamp(now());
  const listing = createListing({ eligibility: rules, readTimeoutMs: deps.listingReadTimeoutMs, now });
  const offerLists = new Map<string, OfferList>();
  const counts = new Map<string, { at: number; counts: ReadonlyMap<string, number> }>();
  const takeCountCacheMs = deps.takeCountCacheMs ?? deps.listCacheMs;
  // Counts offersChanged calls: a list read from the store before one must not be cached.
  let generation = 0;

  function quotaOf(kind: OfferKind): OfferQuota {
    const offers = deps.quotas.offers[kind];
    // A kind registered without a bound is a wiring mistake: say so rather than allow any number.
    if (offers === undefined) throw new Error(`no quota for offers of kind ${JSON.stringify(kind)}: configure brandMaxOffers.${kind}`);
    return { offers, tokens: deps.quotas.tokenTypes };
  }

  const termsOf: TermsOf = deps.terms ?? (async () => PLAIN_TERMS);

  /** Each brand's terms; one that cannot be read is left out (its words stay plain, its points unread). */
  async function termsFor(offers: readonly Offer[]): Promise<Map<string, BrandTerms>> {
    const brandIds = [...new Set(offers.map((o) => o.brandId))];
    const read = await Promise.allSettled(brandIds.map((id) => termsOf(id)));
    const terms = new Map<string, BrandTerms>();
    read.forEach((r, i) => {
      if (r.status === "fulfilled") terms.set(brandIds[i]!, r.value);
      else deps.onUnavailable?.(brandIds[i]!, r.reason);
    });
    return terms;
  }

  async function offerListFor(kind: OfferKind, brandId: string | undefined): Promise<OfferList> {
    const key = `${kind}|${brandId ?? ""}`;
    const cached = offerLists.get(key);
    if (cached && Date.now() - cached.loadedAt < deps.listCacheMs) return cached;
    const loading = generation;
    const offers = await store.listOffers(brandId === undefined ? { kind } : { kind, brandId });
    const offerList = listing.offerListOf(offers, await termsFor(offers));
    if (deps.listCacheMs > 0 && loading === generation) {
      if (offerLists.size >= MAX_OFFER_LISTS) offerLists.clear();
      offerLists.set(key, offerList);
    }
    return offerList;
  }

  async function takeCounts(spec: OfferKindSpec, member: Address): Promise<ReadonlyMap<string, number>> {
    const key = `${spec.kind}|${member.toLowerCase()}`;
    const cached = counts.get(key);
    if (cached && Date.now() - cached.at < takeCountCacheMs) return cached.counts;
    const fresh = await store.memberTakeCounts(spec.kind, member, spec.takes.counted);
    if (takeCountCacheMs > 0) {
      if (counts.size >= MAX_COUNTS) counts.clear();
      counts.set(key, { at: Date.now(), counts: fresh });
    }
    return fresh;
  }

  /** Offers changed (here or, when told, on another instance): list them from the store again. */
  function offersChanged(): void {
    generation++;
    offerLists.clear();
  }

  /** This instance changed an offer: forget the lists, and say so. */
  function changed(): void {
    offersChanged();
    deps.onChange?.();
  }

  /** A rule's canonical JSON and the holding keys it reads, once the rules module let the brand store it. */
  async function checkRule(brandId: string, input: unknown): Promise<{ rule: unknown; tokens: string[] }> {
    if (input === null) return { rule: null, tokens: [] };
    const rule = await rules.validate(brandId, input);
    return { rule: ruleToJson(rule), tokens: requirementsOf(rule).map((leaf) => holdingKey(leaf.collection, leaf.tokenId)) };
  }

  function timestamp(value: string | null | undefined, field: string): string | null | undefined {
    if (value === null || value === undefined) return value;
    const normalized = normalizeTimestamp(value);
    if (normalized === null) throw new Problem(400, "validation_failed", "The request is not valid", `${field} must be an RFC 3339 date-time`);
    return normalized;
  }

  function checkWindow(startsAt: string | null | undefined, endsAt: string | null | undefined): void {
    if (startsAt && endsAt && endsAt <= startsAt) throw new Problem(400, "validation_failed", "The request is not valid", "endsAt must be after startsAt");
  }

  function forKind(variant: OfferVariant): OfferKindService {
    const { spec } = variant;
    const { kind, words } = spec;
    // A kind wired without a bound fails here, at start-up, not at its first offer.
    quotaOf(kind);

    async function offerOrThrow(id: string): Promise<Offer> {
      const offer = await store.getOffer(id);
      if (offer === null || offer.kind !== kind) throw offerNotFound(words, id);
      return offer;
    }

    return {
      async create(brandId, input) {
        if ((input.rule === undefined || input.rule === null) && spec.ruleRequired) throw new Problem(400, "invalid_rule", "The rule is not valid", "a rule is required", { path: "rule" });
        const { rule, tokens } = await checkRule(brandId, input.rule ?? null);
        const startsAt = timestamp(input.startsAt, "startsAt") ?? null;
        const endsAt = timestamp(input.endsAt, "endsAt") ?? null;
        checkWindow(startsAt, endsAt);
        const reward = await variant.reward(brandId, input.reward);
        // The kind's declaration says what its offers yield; the store keeps any reward it is given.
        if (reward.type !== spec.reward) throw new Error(`a ${kind}'s reward is ${spec.reward}, its variant gave ${reward.type}`);
        const result = await store.createOffer(
          {
            id: `${spec.idPrefixes.offer}_${newId().replaceAll("-", "")}`,
            brandId,
            kind,
            title: input.title,
            description: input.description ?? "",
            rule,
            tokens,
            limits: { ...spec.defaultLimits, ...input.limits },
            startsAt,
            endsAt,
            reward,
            createdAt: at(),
          },
          quotaOf(kind),
        );
        if (result.status === "quota_exceeded") throw quotaExceeded(spec, result);
        changed();
        return result.offer;
      },

      async update(brandId, id, changes) {
        const patch: OfferPatch = { updatedAt: at() };
        if (changes.title !== undefined) patch.title = changes.title;
        if (changes.description !== undefined) patch.description = changes.description;
        if (changes.limits !== undefined) patch.limits = changes.limits;
        if (changes.rule !== undefined) {
          if (changes.rule === null && spec.ruleRequired) throw new Problem(400, "invalid_rule", "The rule is not valid", "a rule is required", { path: "rule" });
          Object.assign(patch, await checkRule(brandId, changes.rule));
        }
        if (changes.startsAt !== undefined) patch.startsAt = timestamp(changes.startsAt, "startsAt") ?? null;
        if (changes.endsAt !== undefined) patch.endsAt = timestamp(changes.endsAt, "endsAt") ?? null;
        const current = await store.getOffer(id);
        if (current === null || current.kind !== kind || current.brandId !== brandId) throw offerNotFound(words);
        checkWindow(patch.startsAt === undefined ? current.startsAt : patch.startsAt, patch.endsAt === undefined ? current.endsAt : patch.endsAt);
        const result = await store.updateOffer(brandId, id, patch, quotaOf(kind));
        if (result.status === "not_found") throw offerNotFound(words);
        if (result.status === "quota_exceeded") throw quotaExceeded(spec, result);
        changed();
        return result.offer;
      },

      async remove(brandId, id) {
        const current = await store.getOffer(id);
        if (current === null || current.kind !== kind || !(await store.deleteOffer(brandId, id, at()))) throw offerNotFound(words);
        changed();
      },

      ofBrand: (brandId) => store.listOffers({ kind, brandId }),

      takesOfBrand: (brandId, query) => store.listTakes({ ...query, kind, brandId }),

      async list(member, query = {}) {
        const offerList = await offerListFor(kind, query.brandId);
        if (offerList.offers.length === 0) {
          // Only an empty list asks: a brand with live offers exists.
          if (query.brandId !== undefined && (await store.getBrand(query.brandId)) === null) throw new Problem(404, "brand_not_found", "No such brand", `brand ${query.brandId}`);
          return [];
        }
        return listing.list(offerList, member, await takeCounts(spec, member));
      },

      async get(member, id) {
        const offer = await offerOrThrow(id);
        const offerList = listing.offerListOf([offer], await termsFor([offer]));
        const [item] = await listing.list(offerList, member, await store.memberTakeCounts(kind, member, spec.takes.counted));
        return item!;
      },

      async take(member, id, idempotencyKey) {
        // A retry gets the original answer, even if the member's holdings changed since (or the offer
        // was deleted). The offer is read meanwhile: a first take needs it, and waits for one round trip, not two.
        const [previous, read] = await Promise.all([
          store.findTake(kind, member, idempotencyKey),
          offerOrThrow(id).then(
            (offer) => ({ offer }),
            (error: unknown) => ({ error }),
          ),
        ]);
        if (previous !== null) {
          if (previous.offerId !== id) throw takeRefused(words, { status: "idempotency_conflict" }, id);
          return { take: await variant.replay(previous), replayed: true };
        }
        if ("error" in read) throw read.error;
        const { offer } = read;
        const status = offerStatus(offer, at());
        if (status === "upcoming") throw new Problem(409, words.notStarted, `The ${words.noun} is not open yet`, `opens at ${offer.startsAt}`);
        if (status === "ended") throw new Problem(409, words.ended, `The ${words.noun} has ended`, `ended at ${offer.endsAt}`);
        await variant.precheck(offer);

        // Never a login-time or cached snapshot: what the member holds right now, on chain, and
        // grants as the store has them now (a revocation a moment ago already counts).
        const plan = await rules.plan(offer.brandId, [listing.ruleOf(offer)], { also: variant.alsoRead(offer) });
        const { snapshot, outcomes } = await rules.check(member, plan, { fresh: true });
        const outcome = outcomes[0]!;
        if (!outcome.eligible) {
          throw new Problem(403, "not_eligible", `You do not hold what this ${words.noun} requires`, outcome.reasons.map((r) => r.message).join("; "), { reasons: outcome.reasons });
        }
        await variant.beforeTake(member, offer, snapshot);

        const result = await store.take({
          offerId: id,
          kind,
          member,
          // Unlocked by a vault's holdings: its limit counts too, whichever of its wallets takes it.
          vault: outcome.vault?.address ?? null,
          idempotencyKey,
          id: `${spec.idPrefixes.take}_${newId().replaceAll("-", "")}`,
          code: variant.newCode(),
          policy: spec.takes,
          now: at(),
          ...(variant.announceTake === undefined ? {} : { announce: variant.announceTake(offer), offer: { brandId: offer.brandId, reward: offer.reward } }),
        });
        if (result.status === "replayed") return { take: await variant.replay(result.take), replayed: true };
        if (result.status !== "created") throw takeRefused(words, result, id);
        // This instance shows the member's new count at once; others within takeCountCacheMs.
        counts.delete(`${kind}|${member.toLowerCase()}`);
        return { take: await variant.deliver(result.take, offer, snapshot), replayed: false };
      },

      takesOfMember: (member, query) =>
        store.listTakes({ kind, member, limit: query.limit, cursor: query.cursor, ...(query.offerId === undefined ? {} : { offerId: query.offerId }) }),

      async takeOfMember(member, takeId) {
        const take = await store.getTake(takeId);
        if (take === null || take.kind !== kind || take.member !== member.toLowerCase()) {
          throw new Problem(404, words.takeNotFound, `No such ${words.takeNoun}`, `${words.takeNoun} ${takeId}`);
        }
        return take;
      },
    };
  }

  return { forKind, offersChanged };
}

export type Offers = ReturnType<typeof createOffers>;
