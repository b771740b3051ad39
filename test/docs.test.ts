/**
 * /docs: every operation behind a guard names the credential it checks, so "Try it out" in Swagger
 * UI sends it; open operations name none.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { createPublicClient, http, type PublicClient } from "viem";
import { build } from "../server/app.ts";
import { loadConfig } from "../server/config.ts";
import { SqliteStore } from "../server/storage/index.ts";

let app: FastifyInstance;
let store: ReturnType<typeof SqliteStore.open>;
let document: { paths: Record<string, Record<string, { security?: Array<Record<string, string[]>> }>>; components: { securitySchemes: Record<string, unknown> } };
let paths: typeof document.paths;

beforeAll(async () => {
  store = SqliteStore.open(":memory:");
  // The document is built from the routes alone: nothing calls this chain.
  const client = createPublicClient({ transport: http("http://127.0.0.1:9") }) as PublicClient;
  app = await build({ config: loadConfig({ DATABASE_URL: "sqlite::memory:" }), store, client, logger: false });
  // Guards in an array, and one schema object shared by routes with different guards.
  const shared = { tags: ["test"] };
  app.get("/test/both", { preHandler: [app.requireMember, app.requireBrand], schema: shared }, async () => ({}));
  app.get("/test/open", { schema: shared }, async () => ({}));
  const response = await app.inject({ method: "GET", url: "/docs/json" });
  expect(response.statusCode).toBe(200);
  document = response.json();
  paths = document.paths;
});
afterAll(async () => {
  await app?.close();
  await store?.close();
});

describe("OpenAPI security", () => {
  it("member routes ask for a session", () => {
    expect(paths["/v1/perks"]!.get!.security).toEqual([{ session: [] }]);
    expect(paths["/v1/me"]!.get!.security).toEqual([{ session: [] }]);
    expect(paths["/v1/auth/logout"]!.post!.security).toEqual([{ session: [] }]);
  });

  it("brand routes ask for an API key", () => {
    expect(paths["/v1/admin/perks"]!.get!.security).toEqual([{ apiKey: [] }]);
    expect(paths["/v1/admin/perks"]!.post!.security).toEqual([{ apiKey: [] }]);
  });

  it("open routes ask for nothing", () => {
    expect(paths["/v1/auth/nonce"]!.get!.security).toBeUndefined();
    expect(paths["/healthz"]!.get!.security).toBeUndefined();
  });

  it("a route behind several guards needs all their credentials; a shared schema stays unchanged", () => {
    expect(paths["/test/both"]!.get!.security).toEqual([{ session: [], apiKey: [] }]);
    expect(paths["/test/open"]!.get!.security).toBeUndefined();
  });

  it("every scheme an operation names is declared", () => {
    const named = Object.values(paths).flatMap((methods) => Object.values(methods).flatMap((o) => (o.security ?? []).flatMap((r) => Object.keys(r))));
    expect(named).toContain("session");
    for (const name of named) expect(document.components.securitySchemes).toHaveProperty(name);
  });
});

describe("README", () => {
  it("documents every environment variable the API reads", async () => {
    const { readFile } = await import("node:fs/promises");
    const source = await readFile(new URL("../server/config.ts", import.meta.url), "utf8");
    const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
    const variables = [...source.matchAll(/read\.\w+\("([A-Z][A-Z0-9_]+)"/g)].map((m) => m[1]!);
    expect(variables.length).toBeGreaterThan(30);
    expect(variables.filter((name) => !readme.includes(`\`${name}\``))).toEqual([]);
  });
});
