/** The {@link Store} over any {@link SqlDatabase}: one store per aggregate, the same logic on every engine. */
import type { Store } from "../store.ts";
import { createAwardStore } from "./award-store.ts";
import { createBrandStore } from "./brand-store.ts";
import { createChainIndexStore } from "./chain-index-store.ts";
import { createChainFacts } from "./chain-index-facts.ts";
import { createCatalogStore } from "./catalog-store.ts";
import { createConsentStore } from "./consent-store.ts";
import type { SqlDatabase } from "./database.ts";
import { createEntitlementKeyStore } from "./entitlement-store.ts";
import { createJourneyStore } from "./journey-store.ts";
import { createLeaseStore } from "./lease-store.ts";
import { createOfferStore } from "./offer-store.ts";
import { createOriginStore } from "./origin-store.ts";
import { createSignInStore } from "./sign-in-store.ts";
import { createStaffStore } from "./staff-store.ts";
import { createTakeStore } from "./take-store.ts";
import { createWebhookChainStore } from "./webhook-chain-store.ts";
import { createWebhookDeliveryStore } from "./webhook-delivery-store.ts";
import { createWebhookStore } from "./webhook-store.ts";

export function createSqlStore(db: SqlDatabase): Store {
  const { flush, ...signIn } = createSignInStore(db);
  return {
    ...signIn,
    ...createBrandStore(db),
    ...createOriginStore(db),
    ...createOfferStore(db),
    ...createTakeStore(db),
    ...createLeaseStore(db),
    ...createCatalogStore(db),
    ...createJourneyStore(db),
    ...createAwardStore(db),
    ...createStaffStore(db),
    ...createConsentStore(db),
    ...createEntitlementKeyStore(db),
    ...createChainIndexStore(db),
    ...createChainFacts(db),
    ...createWebhookStore(db),
    ...createWebhookDeliveryStore(db),
    ...createWebhookChainStore(db),
    async close() {
      // Nonces already handed in are recorded (or refused) before the database closes.
      if (db.isOpen) await flush();
      await db.close();
    },
  };
}
