/**
 * The brand's data several screens read (collections, token types, levels, perks, drops, data requests), fetched
 * once and kept until a screen changes it: then `forget` makes the next read fetch again, so every
 * screen sees the change without a reload.
 */
import type { BrandCollection } from "../../sdk/src/protocol/brands.ts";
import type { Drop as WireDrop } from "../../sdk/src/protocol/drops.ts";
import type { Perk as WirePerk } from "../../sdk/src/protocol/perks.ts";
import { api } from "./api.ts";
import type { RuleJson } from "./rules.ts";

// The wire shapes are the protocol's (sdk/src/protocol/); only a rule's grammar is the console's own.
export type { TokenType } from "../../sdk/src/protocol/catalog.ts";
export type { DataRequest } from "../../sdk/src/protocol/data.ts";
export { DATA_FIELDS, type DataField } from "../../sdk/src/protocol/data-fields.ts";
export type { Level } from "../../sdk/src/protocol/levels.ts";
import type { TokenType } from "../../sdk/src/protocol/catalog.ts";
import type { DataRequest } from "../../sdk/src/protocol/data.ts";
import type { Level } from "../../sdk/src/protocol/levels.ts";

export type Collection = BrandCollection;
export type Perk = Omit<WirePerk, "rule"> & { rule: RuleJson };
export type Drop = Omit<WireDrop, "rule"> & { rule: RuleJson | null };

type Part = "collections" | "types" | "levels" | "perks" | "drops" | "requests";
const cache = new Map<Part, Promise<unknown>>();

function cached<T>(part: Part, load: () => Promise<T>): Promise<T> {
  let value = cache.get(part) as Promise<T> | undefined;
  if (!value) {
    value = load();
    cache.set(part, value);
    // A failed read is not kept: the next one tries again.
    value.catch(() => cache.delete(part));
  }
  return value;
}

export function forget(...parts: Part[]) {
  for (const part of parts.length ? parts : (["collections", "types", "levels", "perks", "drops", "requests"] as Part[])) cache.delete(part);
}

export const brandData = {
  collections: () => cached("collections", async () => (await api<{ items: Collection[] }>("GET", "/v1/admin/collections")).items),
  /** Every token type of every collection the brand registered. */
  types: () =>
    cached("types", async () => {
      const collections = await brandData.collections();
      const lists = await Promise.all(collections.map(async (c) => (await api<{ items: TokenType[] }>("GET", `/v1/admin/collections/${c.collection}/types`)).items));
      return lists.flat();
    }),
  levels: () => cached("levels", async () => (await api<{ levels: Level[] }>("GET", "/v1/admin/levels")).levels),
  perks: () => cached("perks", async () => (await api<{ items: Perk[] }>("GET", "/v1/admin/perks")).items),
  drops: () => cached("drops", async () => (await api<{ items: Drop[] }>("GET", "/v1/admin/drops")).items),
  requests: () => cached("requests", async () => (await api<{ items: DataRequest[] }>("GET", "/v1/admin/data-requests")).items),
};

/** A type's key in option values and lookups: `collection:tokenId`, the collection lower-cased. */
export const typeKey = (collection: string, tokenId: string | bigint) => `${collection.toLowerCase()}:${tokenId}`;

/** A type's name for lists where several collections may share names. */
export function typeLabel(type: TokenType, all: readonly TokenType[]): string {
  const twins = all.filter((t) => t.name === type.name).length > 1;
  return twins ? `${type.name} (#${type.tokenId})` : type.name;
}

/** "Birthday", "Email, name and city": a request's fields in words. */
export function fieldWords(fields: readonly string[]): string {
  const text = fields.length <= 1 ? (fields[0] ?? "data") : `${fields.slice(0, -1).join(", ")} and ${fields.at(-1)}`;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The requests by id, as the API's rule wording takes them. */
export function requestWords(requests: readonly DataRequest[]): Map<string, { fields: string[]; purpose: string }> {
  return new Map(requests.map((r) => [r.id, { fields: r.fields, purpose: r.purpose }]));
}
