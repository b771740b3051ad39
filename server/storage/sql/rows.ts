import type { Address, Hex } from "viem";
import type { ApiKey, Brand, BrandCollection, BrandMinter } from "../../brands/types.ts";
import type { Offer, OfferKind, Reward, Take, TakeStatus } from "../../offers/types.ts";

// Row shapes as the drivers return them (snake_case columns) and their mapping to the domain's
// records. The casts below are the one place that trusts the schema (sqlite/migrations.ts,
// postgres/migrations.ts).

export interface BrandRow {
  id: string;
  name: string;
  created_at: string;
}

export interface ApiKeyRow {
  id: string;
  brand_id: string;
  label: string;
  created_at: string;
  revoked_at: string | null;
}

export interface BrandCollectionRow {
  collection: string;
  brand_id: string;
  admin: string;
  registered_at: string;
}

export interface BrandMinterRow {
  brand_id: string;
  address: string;
  sealed_key: string;
  source: string;
  created_at: string;
}

export interface OfferRow {
  id: string;
  brand_id: string;
  kind: string;
  title: string;
  description: string;
  rule: string;
  tokens: string;
  per_member_limit: number | null;
  total_limit: number | null;
  starts_at: string | null;
  ends_at: string | null;
  reward: string;
  created_at: string;
  updated_at: string;
}

export interface TakeRow {
  id: string;
  offer_id: string;
  brand_id: string;
  kind: string;
  member: string;
  idempotency_key: string;
  status: string;
  reward: string;
  code: string | null;
  consumed_at: string | null;
  tx_hash: string | null;
  tx_raw: string | null;
  voucher: string | null;
  error_code: string | null;
  error_message: string | null;
  created_at: string;
  updated_at: string;
  vault: string | null;
}

export const brandColumns = "id, name, created_at";
export const apiKeyColumns = "id, brand_id, label, created_at, revoked_at";
export const brandCollectionColumns = "collection, brand_id, admin, registered_at";
export const brandMinterColumns = "brand_id, address, sealed_key, source, created_at";
export const offerColumns =
  "id, brand_id, kind, title, description, rule, tokens, per_member_limit, total_limit, starts_at, ends_at, reward, created_at, updated_at";
export const takeColumns =
  "id, offer_id, brand_id, kind, member, idempotency_key, status, reward, code, consumed_at, tx_hash, tx_raw, voucher, error_code, error_message, created_at, updated_at, vault";

export function toBrand(row: BrandRow): Brand {
  return { id: row.id, name: row.name, createdAt: row.created_at };
}

export function toApiKey(row: ApiKeyRow): ApiKey {
  return { id: row.id, brandId: row.brand_id, label: row.label, createdAt: row.created_at, revokedAt: row.revoked_at };
}

export function toBrandCollection(row: BrandCollectionRow): BrandCollection {
  return { collection: row.collection as Address, brandId: row.brand_id, admin: row.admin as Address, registeredAt: row.registered_at };
}

export function toBrandMinter(row: BrandMinterRow): BrandMinter {
  return {
    brandId: row.brand_id,
    address: row.address as Address,
    sealedKey: row.sealed_key,
    source: row.source as BrandMinter["source"],
    createdAt: row.created_at,
  };
}

export function toOffer(row: OfferRow): Offer {
  return {
    id: row.id,
    brandId: row.brand_id,
    kind: row.kind as OfferKind,
    title: row.title,
    description: row.description,
    rule: JSON.parse(row.rule) as unknown,
    tokens: JSON.parse(row.tokens) as string[],
    limits: { perMember: row.per_member_limit, total: row.total_limit },
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    reward: JSON.parse(row.reward) as Reward,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toTake(row: TakeRow): Take {
  return {
    id: row.id,
    offerId: row.offer_id,
    brandId: row.brand_id,
    kind: row.kind as OfferKind,
    member: row.member as Address,
    vault: row.vault as Address | null,
    idempotencyKey: row.idempotency_key,
    status: row.status as TakeStatus,
    reward: JSON.parse(row.reward) as Reward,
    code: row.code,
    consumedAt: row.consumed_at,
    txHash: row.tx_hash as Hex | null,
    rawTx: row.tx_raw as Hex | null,
    voucher: row.voucher === null ? null : (JSON.parse(row.voucher) as unknown),
    error: row.error_code === null ? null : { code: row.error_code, message: row.error_message ?? "" },
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
