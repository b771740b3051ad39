/**
 * Brands' data requests: which of a member's fields, the purpose in plain words, how many days the
 * brand keeps what it gets, and optionally the perk it unlocks. Members see every brand's live ones.
 *
 * A purpose is written in the characters an EIP-4361 statement allows (printable ASCII but
 * `" % < > \ ^ \` { | }`), because the member's wallet shows it in the statement they sign.
 */
import { Problem } from "../errors.ts";
import { newId, toTimestamp, type Store } from "../storage/index.ts";
import type { RequestWords } from "../rules/grammar.ts";
import { canonicalFields, DATA_FIELDS, type DataRequest, type ListedDataRequest } from "./types.ts";
import { type DataRequestInput } from "../../sdk/src/protocol/data.ts";

/** Live requests a brand may have at once. */
export const MAX_DATA_REQUESTS_PER_BRAND = 50;

export type DataRequests = {
  create(brandId: string, input: DataRequestInput): Promise<DataRequest>;
  /** One brand's live requests, or (without a brand) every brand's, with brand names. */
  list(brandId?: string): Promise<ListedDataRequest[]>;
  remove(brandId: string, id: string): Promise<void>;
  /** A live request, or the problem `data_request_not_found`. */
  get(id: string): Promise<DataRequest>;
};

export const dataRequestNotFound = () => new Problem(404, "data_request_not_found", "No such data request", "It does not exist, or was withdrawn.");

export function createDataRequests(deps: { store: Store; now: () => Date; onChange?: () => void }): DataRequests {
  const { store } = deps;
  return {
    async create(brandId, input) {
      if (input.perkId !== undefined) {
        const perk = await store.getOffer(input.perkId);
        if (perk === null || perk.kind !== "perk" || perk.brandId !== brandId) throw new Problem(404, "perk_not_found", "No such perk", "perkId must name one of the brand's live perks.");
      }
      if ((await store.listDataRequests({ brandId })).length >= MAX_DATA_REQUESTS_PER_BRAND) {
        throw new Problem(409, "quota_exceeded", "The brand is at one of its bounds", `A brand may have at most ${MAX_DATA_REQUESTS_PER_BRAND} live data requests; withdraw some first.`, { quota: "dataRequests", limit: MAX_DATA_REQUESTS_PER_BRAND });
      }
      const created = await store.createDataRequest({
        id: newId(),
        brandId,
        fields: canonicalFields(input.fields),
        purpose: input.purpose,
        retentionDays: input.retentionDays,
        perkId: input.perkId ?? null,
        createdAt: toTimestamp(deps.now()),
      });
      deps.onChange?.();
      return created;
    },
    list: (brandId) => store.listDataRequests(brandId === undefined ? {} : { brandId }),
    async remove(brandId, id) {
      if (!(await store.deleteDataRequest(brandId, id, toTimestamp(deps.now())))) throw dataRequestNotFound();
      deps.onChange?.();
    },
    async get(id) {
      const request = await store.getDataRequest(id);
      if (request === null) throw dataRequestNotFound();
      return request;
    },
  };
}

/** A brand's live data requests in words (fields, purpose), by id: what consent rules are worded with. */
export type RequestBook = {
  wordsOf(brandId: string): Promise<ReadonlyMap<string, RequestWords>>;
  /** Drops what this instance cached (a brand changed its requests, here or elsewhere). */
  forget(): void;
};

export function createRequestBook(deps: { store: Pick<Store, "listDataRequests">; ttlMs: number }): RequestBook {
  const cache = new Map<string, { at: number; words: ReadonlyMap<string, RequestWords> }>();
  // Counts forgets: words read before one are handed to their callers, never cached.
  let generation = 0;
  return {
    async wordsOf(brandId) {
      const cached = cache.get(brandId);
      if (cached !== undefined && Date.now() - cached.at < deps.ttlMs) return cached.words;
      const started = generation;
      const at = Date.now();
      const words = new Map((await deps.store.listDataRequests({ brandId })).map((r) => [r.id, { fields: r.fields, purpose: r.purpose }] as const));
      if (started === generation && deps.ttlMs > 0) {
        if (cache.size >= 10_000) cache.clear();
        cache.set(brandId, { at, words });
      }
      return words;
    },
    forget() {
      generation++;
      cache.clear();
    },
  };
}
