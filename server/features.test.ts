/**
 * Features wire themselves: each is a plugin that declares what it needs, so one can start on the
 * bare infrastructure with just the features it uses, and one whose needs are missing does not start.
 */
import { createPublicClient, http, type PublicClient } from "viem";
import { afterEach, describe, expect, it } from "vitest";
import { buildInfrastructure, FEATURES } from "./app.ts";
import { brandsPlugin } from "./brands/plugin.ts";
import { createBrand, issueApiKey } from "./brands/accounts.ts";
import { catalogPlugin } from "./catalog/plugin.ts";
import { loadConfig } from "./config.ts";
import { memberDataPlugin } from "./member-data/plugin.ts";
import { loyaltyPlugin } from "./loyalty/plugin.ts";
import { perksPlugin } from "./perks/plugin.ts";
import { SqliteStore } from "./storage/index.ts";

const INFRASTRUCTURE = ["context", "problems", "requests", "redis", "rate-limits", "docs", "storage", "chain", "invalidation", "sessions"];
const metaOf = (plugin: unknown) => (plugin as Record<symbol, { name: string; dependencies?: string[] }>)[Symbol.for("plugin-meta")]!;

// Nothing here reads the chain: a client for an address nobody serves.
const client = createPublicClient({ transport: http("http://127.0.0.1:9") }) as PublicClient;
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const thing of open.splice(0).reverse()) await thing.close();
});

async function bare() {
  const store = SqliteStore.open(":memory:");
  open.push(store);
  const config = loadConfig({ PUBLIC_URL: "http://localhost:8787", DATABASE_URL: "sqlite::memory:" });
  const app = await buildInfrastructure({ config, store, client, logger: false });
  open.push(app);
  return { app, store };
}

describe("features", () => {
  it("are listed after everything each declares it needs", () => {
    const started = new Set(INFRASTRUCTURE);
    for (const feature of FEATURES) {
      const { name, dependencies = [] } = metaOf(feature);
      expect(dependencies.filter((needed) => !started.has(needed)), name).toEqual([]);
      started.add(name);
    }
  });

  it("start alone with the features they use: levels on brands, catalog, member data and loyalty", async () => {
    const { app, store } = await bare();
    for (const feature of [brandsPlugin, catalogPlugin, memberDataPlugin, loyaltyPlugin]) await app.register(feature);
    const brand = await createBrand(store, "Alone");
    const { key } = await issueApiKey(store, brand.id, "test");
    const put = await app.inject({ method: "PUT", url: "/v1/admin/levels", headers: { authorization: `Bearer ${key}` }, payload: { levels: [{ key: "green", name: "Green", minPoints: 0 }] } });
    expect(put.statusCode).toBe(200);
    const read = await app.inject({ url: `/v1/brands/${brand.id}/levels` });
    expect(read.json()).toMatchObject({ levels: [{ key: "green", name: "Green", minPoints: 0 }] });
    // Perks were not started: their routes do not exist.
    expect((await app.inject({ url: `/v1/perks?brand=${brand.id}` })).statusCode).toBe(404);
  });

  it("refuse to start without what they need, and say what is missing", async () => {
    const { app } = await bare();
    await expect(app.register(perksPlugin)).rejects.toThrow(/offers/);
  });
});
