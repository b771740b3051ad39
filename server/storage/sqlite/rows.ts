import type { ApiKey, Brand, Claim, ClaimStatus, Drop, DropMode, Perk, Redemption } from "../store.ts";

// Row shapes as SQLite returns them (snake_case columns) and their mapping to the store's records.
// node:sqlite returns Record<string, SQLOutputValue>; the casts below are the one place that trusts
// the schema in migrations.ts.

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

export interface PerkRow {
  id: string;
  brand_id: string;
  title: string;
  description: string;
  collections: string;
  rule: string;
  per_member_limit: number | null;
  total_limit: number | null;
  starts_at: string | null;
  ends_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface RedemptionRow {
  id: string;
  perk_id: string;
  brand_id: string;
  member: string;
  code: string;
  idempotency_key: string;
  created_at: string;
  consumed_at: string | null;
}

export const brandColumns = "id, name, created_at";
export const apiKeyColumns = "id, brand_id, label, created_at, revoked_at";
export const perkColumns =
  "id, brand_id, title, description, collections, rule, per_member_limit, total_limit, starts_at, ends_at, created_at, updated_at";
export const redemptionColumns = "id, perk_id, brand_id, member, code, idempotency_key, created_at, consumed_at";

export function toBrand(row: BrandRow): Brand {
  return { id: row.id, name: row.name, createdAt: row.created_at };
}

export function toApiKey(row: ApiKeyRow): ApiKey {
  return { id: row.id, brandId: row.brand_id, label: row.label, createdAt: row.created_at, revokedAt: row.revoked_at };
}

export function toPerk(row: PerkRow): Perk {
  return {
    id: row.id,
    brandId: row.brand_id,
    title: row.title,
    description: row.description,
    collections: JSON.parse(row.collections) as string[],
    rule: JSON.parse(row.rule) as unknown,
    limits: { perMember: row.per_member_limit, total: row.total_limit },
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toRedemption(row: RedemptionRow): Redemption {
  return {
    id: row.id,
    perkId: row.perk_id,
    brandId: row.brand_id,
    member: row.member,
    code: row.code,
    idempotencyKey: row.idempotency_key,
    createdAt: row.created_at,
    consumedAt: row.consumed_at,
  };
}

export interface DropRow {
  id: string;
  brand_id: string;
  title: string;
  description: string;
  collection: string;
  token_id: string;
  amount: string;
  rule: string;
  per_member_limit: number | null;
  total_limit: number | null;
  mode: string;
  starts_at: string | null;
  ends_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface ClaimRow {
  id: string;
  drop_id: string;
  brand_id: string;
  member: string;
  idempotency_key: string;
  collection: string;
  token_id: string;
  amount: string;
  mode: string;
  status: string;
  tx_hash: string | null;
  tx_raw: string | null;
  voucher: string | null;
  error_code: string | null;
  error_message: string | null;
  created_at: string;
  updated_at: string;
}

export const dropColumns =
  "id, brand_id, title, description, collection, token_id, amount, rule, per_member_limit, total_limit, mode, starts_at, ends_at, created_at, updated_at";
export const claimColumns =
  "id, drop_id, brand_id, member, idempotency_key, collection, token_id, amount, mode, status, tx_hash, tx_raw, voucher, error_code, error_message, created_at, updated_at";

export function toDrop(row: DropRow): Drop {
  return {
    id: row.id,
    brandId: row.brand_id,
    title: row.title,
    description: row.description,
    collection: row.collection,
    tokenId: row.token_id,
    amount: row.amount,
    rule: JSON.parse(row.rule) as unknown,
    limits: { perMember: row.per_member_limit, total: row.total_limit },
    mode: row.mode as DropMode,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toClaim(row: ClaimRow): Claim {
  return {
    id: row.id,
    dropId: row.drop_id,
    brandId: row.brand_id,
    member: row.member,
    idempotencyKey: row.idempotency_key,
    collection: row.collection,
    tokenId: row.token_id,
    amount: row.amount,
    mode: row.mode as DropMode,
    status: row.status as ClaimStatus,
    txHash: row.tx_hash,
    rawTx: row.tx_raw,
    voucher: row.voucher === null ? null : (JSON.parse(row.voucher) as unknown),
    error: row.error_code === null ? null : { code: row.error_code, message: row.error_message ?? "" },
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
