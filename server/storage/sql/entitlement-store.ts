/** Entitlement signing keys (see server/entitlements/types.ts). */
import type { EntitlementKey, EntitlementKeyStore } from "../../entitlements/types.ts";
import { StoreInputError } from "../errors.ts";
import { requireKey, requireText, requireTimestamp } from "../validate.ts";
import type { SqlDatabase } from "./database.ts";

interface KeyRow {
  generation: number | bigint;
  kid: string;
  public_jwk: string;
  sealed_private_key: string;
  created_at: string;
}

const columns = "generation, kid, public_jwk, sealed_private_key, created_at";

function toKey(row: KeyRow): EntitlementKey {
  return { generation: Number(row.generation), kid: row.kid, publicJwk: row.public_jwk, sealedPrivateKey: row.sealed_private_key, createdAt: row.created_at };
}

function requireCount(field: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1 || value > 1_000_000) throw new StoreInputError(field, `expected a whole number from 1, got ${String(value)}`);
  return value;
}

export function createEntitlementKeyStore(db: SqlDatabase): EntitlementKeyStore {
  return {
    async listEntitlementKeys(limit) {
      const rows = await db.all<KeyRow>(`SELECT ${columns} FROM entitlement_keys ORDER BY generation DESC LIMIT ?`, requireCount("limit", limit));
      return rows.map(toKey);
    },

    async addEntitlementKey(key, keep) {
      if (typeof key !== "object" || key === null) throw new StoreInputError("key", "expected an EntitlementKey");
      const row = {
        generation: requireCount("generation", key.generation),
        kid: requireKey("kid", key.kid),
        publicJwk: requireText("publicJwk", key.publicJwk),
        sealedPrivateKey: requireText("sealedPrivateKey", key.sealedPrivateKey),
        createdAt: requireTimestamp("createdAt", key.createdAt),
      };
      requireCount("keep", keep);
      return db.transaction(async (tx) => {
        // The generation is the primary key: of instances rotating at once, the first insert wins.
        const added = await tx.all<{ generation: number }>(
          `INSERT INTO entitlement_keys (${columns}) VALUES (?, ?, ?, ?, ?) ON CONFLICT (generation) DO NOTHING RETURNING generation`,
          row.generation,
          row.kid,
          row.publicJwk,
          row.sealedPrivateKey,
          row.createdAt,
        );
        if (added.length === 0) return false;
        await tx.run("DELETE FROM entitlement_keys WHERE generation <= ?", row.generation - keep);
        return true;
      });
    },
  };
}
