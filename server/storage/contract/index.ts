/**
 * The store contract: the behaviour every engine's {@link Store} must show, one file per aggregate
 * (`<aggregate>.contract.ts`, each a {@link StoreContract}). An engine's test file runs them all with
 * {@link describeStoreContract} and a factory that opens a fresh, empty store each time; a new
 * aggregate adds its file here and so runs on every engine.
 */
import { describe } from "vitest";
import { awardContract } from "./awards.contract.ts";
import { brandContract } from "./brands.contract.ts";
import { catalogContract } from "./catalog.contract.ts";
import { collectionContract } from "./collections.contract.ts";
import { consentContract } from "./consents.contract.ts";
import { dropTakeContract } from "./drop-takes.contract.ts";
import { entitlementKeyContract } from "./entitlement-keys.contract.ts";
import type { OpenStore, StoreContract } from "./fixtures.ts";
import { journeyContract } from "./journeys.contract.ts";
import { leaseContract } from "./leases.contract.ts";
import { minterContract } from "./minters.contract.ts";
import { offerQuotaContract } from "./offer-quotas.contract.ts";
import { offerContract } from "./offers.contract.ts";
import { originContract } from "./origins.contract.ts";
import { perkCodeContract } from "./perk-codes.contract.ts";
import { secretContract } from "./secrets.contract.ts";
import { signInContract } from "./sign-in.contract.ts";
import { staffContract } from "./staff.contract.ts";
import { takeConcurrencyContract } from "./take-concurrency.contract.ts";
import { takeContract } from "./takes.contract.ts";
import { webhookDeliveryContract } from "./webhook-deliveries.contract.ts";
import { webhookContract } from "./webhooks.contract.ts";

export type { OpenedStore, OpenStore, StoreContract } from "./fixtures.ts";

/** Every aggregate's contract, by the name its tests are listed under. */
export const storeContracts: Record<string, StoreContract> = {
  "sign-in": signInContract,
  leases: leaseContract,
  secrets: secretContract,
  brands: brandContract,
  origins: originContract,
  collections: collectionContract,
  minters: minterContract,
  offers: offerContract,
  "offer quotas": offerQuotaContract,
  takes: takeContract,
  "perk codes": perkCodeContract,
  "drop takes": dropTakeContract,
  "take concurrency": takeConcurrencyContract,
  catalog: catalogContract,
  consents: consentContract,
  journeys: journeyContract,
  awards: awardContract,
  staff: staffContract,
  "entitlement keys": entitlementKeyContract,
  webhooks: webhookContract,
  "webhook deliveries": webhookDeliveryContract,
};

/** Runs every aggregate's contract on one engine; each aggregate opens its own fresh stores. */
export function describeStoreContract(engine: string, open: OpenStore): void {
  describe(`Store contract: ${engine}`, () => {
    for (const [aggregate, contract] of Object.entries(storeContracts)) describe(aggregate, () => contract(open));
  });
}

