import type { LeaseStore } from "../store.ts";
import type { Timestamp } from "../time.ts";
import { requireKey, requireTimestamp } from "../validate.ts";
import type { SqlDatabase } from "./database.ts";

/** Leases for background work. */
export function createLeaseStore(db: SqlDatabase): LeaseStore {
  return {
    async acquireLease(name: string, holder: string, expiresAt: Timestamp, now: Timestamp): Promise<boolean> {
      requireKey("name", name);
      requireKey("holder", holder);
      requireTimestamp("expiresAt", expiresAt);
      requireTimestamp("now", now);
      // One statement: whoever's insert or update lands holds it; a live lease of another holder is left alone.
      const changed = await db.transaction((tx) =>
        tx.run(
          `INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
           ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
           WHERE leases.expires_at <= ? OR leases.holder = excluded.holder`,
          name,
          holder,
          expiresAt,
          now,
        ),
        // A lease lost to a power cut only lets another holder start sooner.
        { durability: "ephemeral" },
      );
      return changed === 1;
    },

    async releaseLease(name: string, holder: string): Promise<void> {
      await db.transaction((tx) => tx.run("DELETE FROM leases WHERE name = ? AND holder = ?", String(name), String(holder)), { durability: "ephemeral" });
    },
  };
}
