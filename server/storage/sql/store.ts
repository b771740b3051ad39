/** The {@link Store} over any {@link SqlDatabase}: one store per aggregate, the same logic on every engine. */
import type { Store } from "../store.ts";
import { createBrandStore } from "./brand-store.ts";
import type { SqlDatabase } from "./database.ts";
import { createLeaseStore } from "./lease-store.ts";
import { createOfferStore } from "./offer-store.ts";
import { createSignInStore } from "./sign-in-store.ts";
import { createTakeStore } from "./take-store.ts";

export function createSqlStore(db: SqlDatabase): Store {
  const { flush, ...signIn } = createSignInStore(db);
  return {
    ...signIn,
    ...createBrandStore(db),
    ...createOfferStore(db),
    ...createTakeStore(db),
    ...createLeaseStore(db),
    async close() {
      // Nonces already handed in are recorded (or refused) before the database closes.
      if (db.isOpen) await flush();
      await db.close();
    },
  };
}
