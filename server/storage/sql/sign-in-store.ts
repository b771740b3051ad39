import { randomBytes } from "node:crypto";
import { StoreUnavailableError } from "../errors.ts";
import type { PruneResult, SignInStore } from "../store.ts";
import { toTimestamp, type Timestamp } from "../time.ts";
import { requireAddress, requireKey, requireTimestamp } from "../validate.ts";
import type { SqlDatabase } from "./database.ts";

/** Used nonces, ended sessions and signing secrets; `flush` records nonces still waiting for their batch. */
export function createSignInStore(db: SqlDatabase): SignInStore & { flush(): Promise<void> } {
  let pendingNonces: { nonce: string; expiresAt: Timestamp; settle: (used: boolean | Error) => void }[] = [];

  /** Records the nonces handed in so far, in one transaction; each caller hears its own answer after the commit. */
  async function flush(): Promise<void> {
    const batch = pendingNonces;
    pendingNonces = [];
    if (batch.length === 0) return;
    let used: boolean[];
    try {
      // A closed store cannot be reached either: the caller answers 503, as for any other outage.
      if (!db.isOpen) throw new StoreUnavailableError(new Error("the store is closed"));
      used = await db.transaction(async (tx) => {
        // In nonce order: instances inserting the same nonces then take their row locks in one
        // order, and cannot deadlock each other.
        const order = batch.map((_, i) => i).sort((i, j) => (batch[i]!.nonce < batch[j]!.nonce ? -1 : batch[i]!.nonce > batch[j]!.nonce ? 1 : 0));
        const firsts: boolean[] = new Array(batch.length);
        for (const i of order) firsts[i] = (await tx.run("INSERT INTO used_nonces (nonce, expires_at) VALUES (?, ?) ON CONFLICT DO NOTHING", batch[i]!.nonce, batch[i]!.expiresAt)) === 1;
        return firsts;
      }, { durability: "ephemeral" });
    } catch (error) {
      for (const b of batch) b.settle(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    batch.forEach((b, i) => b.settle(used[i]!));
  }

  return {
    flush,

    /**
     * Sign-ins come in bursts, and a commit costs more than the row: nonces used in the same turn of
     * the event loop are recorded in one transaction. Each caller still gets its own answer, after
     * that transaction committed.
     */
    useNonce(nonce: string, expiresAt: Timestamp): Promise<boolean> {
      try {
        requireKey("nonce", nonce);
        requireTimestamp("expiresAt", expiresAt);
      } catch (error) {
        return Promise.reject(error);
      }
      return new Promise((resolve, reject) => {
        if (pendingNonces.length === 0) setImmediate(() => void flush());
        pendingNonces.push({ nonce, expiresAt, settle: (used) => (used instanceof Error ? reject(used) : resolve(used)) });
      });
    },

    async revokeSession(id: string, expiresAt: Timestamp): Promise<boolean> {
      requireKey("id", id);
      requireTimestamp("expiresAt", expiresAt);
      return db.transaction(async (tx) => (await tx.run("INSERT INTO revoked_sessions (id, expires_at) VALUES (?, ?) ON CONFLICT DO NOTHING", id, expiresAt)) === 1, {
        durability: "ephemeral",
      });
    },

    async isSessionRevoked(id: string, holder?: { address: string; expiresAt: Timestamp }): Promise<boolean> {
      if (holder === undefined) return (await db.get("SELECT 1 AS revoked FROM revoked_sessions WHERE id = ?", String(id))) !== undefined;
      const row = await db.get(
        `SELECT 1 AS revoked FROM revoked_sessions WHERE id = ?
         UNION ALL SELECT 1 AS revoked FROM ended_member_sessions WHERE address = ? AND sessions_expire_by >= ?`,
        String(id),
        requireAddress("address", holder.address),
        requireTimestamp("expiresAt", holder.expiresAt),
      );
      return row !== undefined;
    },

    async secret(name: string): Promise<Uint8Array> {
      requireKey("name", name);
      const read = async () => (await db.get<{ value: Uint8Array }>("SELECT value FROM secrets WHERE name = ?", name))?.value;
      // Whoever comes first makes it; everyone else reads that one.
      const value =
        (await read()) ??
        (await db.transaction(async (tx) => {
          await tx.run("INSERT INTO secrets (name, value, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", name, randomBytes(32), toTimestamp());
          return (await tx.get<{ value: Uint8Array }>("SELECT value FROM secrets WHERE name = ?", name))?.value;
        }));
      if (value === undefined) throw new Error(`secret ${name} could not be created`);
      return new Uint8Array(value);
    },

    async pruneExpired(now: Timestamp): Promise<PruneResult> {
      requireTimestamp("now", now);
      return db.transaction(
        async (tx) => ({
          nonces: await tx.run("DELETE FROM used_nonces WHERE expires_at <= ?", now),
          revokedSessions:
            (await tx.run("DELETE FROM revoked_sessions WHERE expires_at <= ?", now)) + (await tx.run("DELETE FROM ended_member_sessions WHERE sessions_expire_by <= ?", now)),
        }),
        { durability: "ephemeral" },
      );
    },
  };
}
