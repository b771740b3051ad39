/** `GET /v1/brands/:brandId`: anyone reads a brand's id and name, and nothing else of it. */
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPublicClient, http, type PublicClient } from "viem";
import { expectProblem } from "../../test/support/problems.ts";
import { build } from "../app.ts";
import { loadConfig } from "../config.ts";
import { SqliteStore } from "../storage/index.ts";
import { createBrand } from "./accounts.ts";

let app: FastifyInstance;
let store: ReturnType<typeof SqliteStore.open>;

beforeAll(async () => {
  store = SqliteStore.open(":memory:");
  // A brand's name never asks the chain.
  const client = createPublicClient({ transport: http("http://127.0.0.1:9") }) as PublicClient;
  app = await build({ config: loadConfig({ DATABASE_URL: "sqlite::memory:" }), store, client, logger: false });
});
afterAll(async () => {
  await app?.close();
  await store?.close();
});

describe("a brand's public name", () => {
  it("answers the id and name without credentials, cacheable", async () => {
    const brand = await createBrand(store, "Demo Coffee Club");
    const response = await app.inject({ method: "GET", url: `/v1/brands/${brand.id}` });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ id: brand.id, name: "Demo Coffee Club" });
    expect(response.headers["cache-control"]).toBe("public, max-age=60");
  });

  it("says no such brand for an unknown id, and refuses one that is not an id", async () => {
    expectProblem(await app.inject({ method: "GET", url: "/v1/brands/brand_nope" }), 404, "brand_not_found");
    expect((await app.inject({ method: "GET", url: "/v1/brands/not%20an%20id" })).statusCode).toBe(400);
  });
});
