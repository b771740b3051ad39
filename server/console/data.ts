/**
 * The brand's data several screens read (collections, token types, levels, perks, drops, data requests), fetched
 * once and kept until a screen changes it: then `forget` makes the next read fetch again, so every
 * screen sees the change without a reload.
 */
import { api } from "./api.ts";
import type { RuleJson } from "./rules.ts";

export type Collection = { collection: `0x${string}`; brandId: string; admin: `0x${string}`; registeredAt: string };
export type TokenType = {
  collection: `0x${string}`;
  tokenId: string;
  name: string;
  description: string;
  image: string | null;
  kind: "membership" | "collectible";
  points: string;
  soulbound: boolean;
  consumable: boolean;
  maxSupply: string | null;
  minted: string;
  duration: number | null;
  attributes: Record<string, string | number | boolean>;
  metadataUrl: string;
  updatedAt: string | null;
};
export type Level = { key: string; name: string; minPoints: number };
type Limits = { perMember: number | null; total: number | null };
export type Perk = { id: string; title: string; description: string; rule: RuleJson; limits: Limits; startsAt: string | null; endsAt: string | null; createdAt: string };
export type Drop = Omit<Perk, "rule"> & { rule: RuleJson | null; collection: `0x${string}`; tokenId: string; amount: string; mode: "mint" | "voucher" };
/** What a brand may ask members to share, in the order the API lists fields. */
export const DATA_FIELDS = ["email", "name", "birthday", "city", "preferences"] as const;
export type DataField = (typeof DATA_FIELDS)[number];
/** A live data request of the brand: which fields, why, kept how long, and the perk it unlocks. */
export type DataRequest = { id: string; brandId: string; fields: DataField[]; purpose: string; retentionDays: number; perkId: string | null; createdAt: string };

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
