/**
 * The store contract: brands' webhook endpoints, each brand's own: created under a quota, changed,
 * deleted, their sealed secrets rotated (the previous one kept with the time it stops signing).
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { Store } from "../store.ts";
import { at, freshStorePerTest, HOUR, MINUTE, type StoreContract, storeFixtures } from "./fixtures.ts";

export const webhookContract: StoreContract = (open) => {
  let store!: Store;
  freshStorePerTest(open, (opened) => ({ store } = opened));
  const { brands } = storeFixtures(() => store);
  const endpoint = (id: string, brandId = "brand-a") => ({ id, brandId, url: `https://crm.example/${id}`, events: ["award.sent" as const], description: "CRM", enabled: true, sealedSecret: `sealed-${id}`, now: at(0) });

  describe("webhook endpoints", () => {
    beforeEach(() => brands());

    it("creates, lists, changes and deletes an endpoint, for its brand only", async () => {
      const created = await store.createWebhook(endpoint("wh_1"), 5);
      expect(created).toEqual({ status: "created", endpoint: { id: "wh_1", brandId: "brand-a", url: "https://crm.example/wh_1", events: ["award.sent"], description: "CRM", enabled: true, disabledReason: null, failingSince: null, createdAt: at(0), updatedAt: at(0) } });
      expect(await store.listWebhooks("brand-a")).toHaveLength(1);
      expect(await store.listWebhooks("brand-b")).toEqual([]);
      expect(await store.getWebhook("brand-b", "wh_1")).toBeNull();
      expect(await store.updateWebhook("brand-b", "wh_1", { enabled: false, now: at(MINUTE) })).toBeNull();
      expect(await store.deleteWebhook("brand-b", "wh_1", at(MINUTE))).toBe(false);
      expect(await store.rotateWebhookSecret("brand-b", "wh_1", "stolen", at(HOUR), at(MINUTE))).toBeNull();

      const changed = await store.updateWebhook("brand-a", "wh_1", { events: ["claim.minted", "award.sent"], enabled: false, now: at(MINUTE) });
      expect(changed).toMatchObject({ events: ["claim.minted", "award.sent"], enabled: false, url: "https://crm.example/wh_1", updatedAt: at(MINUTE) });
      expect(await store.deleteWebhook("brand-a", "wh_1", at(2 * MINUTE))).toBe(true);
      expect(await store.getWebhook("brand-a", "wh_1")).toBeNull();
      expect(await store.listWebhooks("brand-a")).toEqual([]);
      expect(await store.webhookSecrets("wh_1")).toBeNull();
      expect(await store.deleteWebhook("brand-a", "wh_1", at(3 * MINUTE))).toBe(false);
    });

    it("keeps a brand under its quota; deleted endpoints do not count, another brand's neither", async () => {
      for (const id of ["wh_1", "wh_2"]) expect((await store.createWebhook(endpoint(id), 2)).status).toBe("created");
      expect(await store.createWebhook(endpoint("wh_3"), 2)).toEqual({ status: "quota_exceeded", limit: 2 });
      expect((await store.createWebhook(endpoint("wh_b", "brand-b"), 2)).status).toBe("created");
      await store.deleteWebhook("brand-a", "wh_1", at(MINUTE));
      expect((await store.createWebhook(endpoint("wh_3"), 2)).status).toBe("created");
    });

    it("rotates the sealed secret, keeping the previous one with the time it stops signing", async () => {
      await store.createWebhook(endpoint("wh_1"), 5);
      expect(await store.webhookSecrets("wh_1")).toEqual({ current: "sealed-wh_1", previous: null, previousValidUntil: null });
      expect(await store.rotateWebhookSecret("brand-a", "wh_1", "sealed-new", at(HOUR), at(MINUTE))).toMatchObject({ id: "wh_1", updatedAt: at(MINUTE) });
      expect(await store.webhookSecrets("wh_1")).toEqual({ current: "sealed-new", previous: "sealed-wh_1", previousValidUntil: at(HOUR) });
    });
  });
};
