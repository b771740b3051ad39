/**
 * The brand's data several screens read (collections, token types, levels, perks, drops), fetched
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

type Part = "collections" | "types" | "levels" | "perks" | "drops";
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
  for (const part of parts.length ? parts : (["collections", "types", "levels", "perks", "drops"] as Part[])) cache.delete(part);
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
};

/** A type's key in option values and lookups: `collection:tokenId`, the collection lower-cased. */
export const typeKey = (collection: string, tokenId: string | bigint) => `${collection.toLowerCase()}:${tokenId}`;

/** A type's name for lists where several collections may share names. */
export function typeLabel(type: TokenType, all: readonly TokenType[]): string {
  const twins = all.filter((t) => t.name === type.name).length > 1;
  return twins ? `${type.name} (#${type.tokenId})` : type.name;
}
