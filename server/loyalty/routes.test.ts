/** Levels end to end: a brand replaces its own, anyone reads any brand's; bad lists change nothing. */
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPublicClient, http, type PublicClient } from "viem";
import { expectProblem } from "../../test/support/problems.ts";
import { bearer } from "../../test/support/server.ts";
import { build } from "../app.ts";
import { createBrand, issueApiKey } from "../brands/accounts.ts";
import { loadConfig } from "../config.ts";
import { SqliteStore } from "../storage/index.ts";

let app: FastifyInstance;
let store: ReturnType<typeof SqliteStore.open>;
let brandA: { id: string; key: string };
let brandB: { id: string; key: string };

beforeAll(async () => {
  store = SqliteStore.open(":memory:");
  // Levels never ask the chain.
  const client = createPublicClient({ transport: http("http://127.0.0.1:9") }) as PublicClient;
  app = await build({ config: loadConfig({ DATABASE_URL: "sqlite::memory:", OWNERSHIP_CACHE_MS: "60000" }), store, client, logger: false });
  for (const name of ["A", "B"]) {
    const brand = await createBrand(store, `Brand ${name}`);
    const entry = { id: brand.id, key: (await issueApiKey(store, brand.id, "tests")).key };
    if (name === "A") brandA = entry;
    else brandB = entry;
  }
});
afterAll(async () => {
  await app?.close();
  await store?.close();
});

const LEVELS = [
  { key: "green", name: "Green", minPoints: 10 },
  { key: "gold", name: "Gold", minPoints: 150 },
  { key: "black-card", name: "Black Card", minPoints: 1_000_000_000_000_000 },
];

const put = (body: unknown, key = brandA.key) =>
  app.inject({ method: "PUT", url: "/v1/admin/levels", headers: { ...bearer(key), "content-type": "application/json" }, payload: JSON.stringify(body) });
const get = (key = brandA.key) => app.inject({ method: "GET", url: "/v1/admin/levels", headers: bearer(key) });
const pub = (brandId: string) => app.inject({ method: "GET", url: `/v1/brands/${brandId}/levels` });

describe("levels", () => {
  it("a brand starts with none", async () => {
    expect((await get()).json()).toEqual({ levels: [] });
    expect((await pub(brandA.id)).json()).toEqual({ levels: [] });
  });

  it("PUT replaces the brand's levels; the admin and public reads show them at once (the cache forgets)", async () => {
    // The public read caches the empty answer first.
    expect((await pub(brandA.id)).json()).toEqual({ levels: [] });
    const response = await put({ levels: LEVELS });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ levels: LEVELS });
    expect((await get()).json()).toEqual({ levels: LEVELS });
    const read = await pub(brandA.id);
    expect(read.json()).toEqual({ levels: LEVELS });
    expect(read.headers["cache-control"]).toBe("public, max-age=60");
    // Another brand's are its own.
    expect((await get(brandB.key)).json()).toEqual({ levels: [] });

    const fewer = [{ key: "gold", name: "Gold", minPoints: 0 }];
    expect((await put({ levels: fewer })).json()).toEqual({ levels: fewer });
    expect((await pub(brandA.id)).json()).toEqual({ levels: fewer });
  });

  it("400 validation_failed for every malformed list, changing nothing", async () => {
    await put({ levels: LEVELS });
    const bad: unknown[] = [
      {},
      { levels: [] },
      { levels: Array.from({ length: 21 }, (_, i) => ({ key: `l${i}`, name: `L${i}`, minPoints: i })) },
      { levels: [{ key: "Gold", name: "Gold", minPoints: 1 }] },
      { levels: [{ key: "gold!", name: "Gold", minPoints: 1 }] },
      { levels: [{ key: "g".repeat(33), name: "Gold", minPoints: 1 }] },
      { levels: [{ key: "gold", name: "", minPoints: 1 }] },
      { levels: [{ key: "gold", name: "  ", minPoints: 1 }] },
      { levels: [{ key: "gold", name: "x".repeat(41), minPoints: 1 }] },
      { levels: [{ key: "gold", name: "Gold", minPoints: -1 }] },
      { levels: [{ key: "gold", name: "Gold", minPoints: 1.5 }] },
      { levels: [{ key: "gold", name: "Gold", minPoints: "10" }] },
      { levels: [{ key: "gold", name: "Gold", minPoints: 1e15 + 1 }] },
      { levels: [{ key: "gold", name: "Gold" }] },
      { levels: [{ key: "gold", name: "Gold", minPoints: 1, extra: 1 }] },
      { levels: [{ key: "a", name: "A", minPoints: 1 }, { key: "a", name: "Again", minPoints: 2 }] },
      { levels: [{ key: "a", name: "A", minPoints: 5 }, { key: "b", name: "B", minPoints: 5 }] },
      { levels: [{ key: "a", name: "A", minPoints: 5 }, { key: "b", name: "B", minPoints: 4 }] },
      { levels: LEVELS, extra: true },
      [],
      null,
    ];
    for (const body of bad) {
      const problem = expectProblem(await put(body), 400, "validation_failed");
      expect(problem.errors?.length ?? 1, JSON.stringify(body).slice(0, 100)).toBeGreaterThan(0);
    }
    const duplicate = expectProblem(await put({ levels: [{ key: "a", name: "A", minPoints: 1 }, { key: "a", name: "Again", minPoints: 2 }] }), 400, "validation_failed");
    expect(duplicate.errors).toEqual([expect.objectContaining({ path: "/levels/1/key" })]);
    expect((await get()).json()).toEqual({ levels: LEVELS });
  });

  it("admin routes need the brand's key; the public read needs nothing and 404s an unknown brand", async () => {
    expectProblem(await app.inject({ method: "GET", url: "/v1/admin/levels" }), 401, "unauthenticated");
    expectProblem(await app.inject({ method: "PUT", url: "/v1/admin/levels", payload: { levels: LEVELS } }), 401, "unauthenticated");
    expectProblem(await pub("brand_nope"), 404, "brand_not_found");
    expectProblem(await pub("not a brand"), 400, "validation_failed");
  });
});
