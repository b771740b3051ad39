/** The storage plugin on a bare Fastify instance: pruning on an interval, and who closes the store. */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { SqliteStore, StoreUnavailableError, type Store } from "../storage/index.ts";
import { storagePlugin } from "./storage.ts";

const PAST = "2020-01-01T00:00:00.000Z";
const FUTURE = "2099-01-01T00:00:00.000Z";

const dir = mkdtempSync(join(tmpdir(), "stampbook-storage-plugin-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const stores: Store[] = [];
const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  for (const store of stores.splice(0)) await store.close();
});

async function appWith(opts: { store?: Store; databaseUrl?: string; pruneIntervalMs?: number }): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  apps.push(app);
  await app.register(storagePlugin, { databaseUrl: "sqlite::memory:", pruneIntervalMs: 60_000, ...opts });
  await app.ready();
  return app;
}

describe("storagePlugin", () => {
  it("forgets used nonces and ended sessions past their expiry every pruneIntervalMs, and stops on close", async () => {
    const store = SqliteStore.open(":memory:");
    stores.push(store);
    await store.useNonce("expired-nonce", PAST);
    await store.useNonce("live-nonce", FUTURE);
    await store.revokeSession("expired-session", PAST);
    const app = await appWith({ store, pruneIntervalMs: 20 });
    expect(app.store).toBe(store);
    await vi.waitFor(async () => expect(await store.isSessionRevoked("expired-session")).toBe(false), { timeout: 5_000, interval: 20 });
    expect(await store.useNonce("live-nonce", FUTURE)).toBe(false);

    await app.close();
    // Forgotten while the app ran: the store takes it as new (the nonce's signed expiry keeps it
    // from signing anyone in)...
    expect(await store.useNonce("expired-nonce", PAST)).toBe(true);
    // ...and, the app closed, nothing prunes any more.
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(await store.useNonce("expired-nonce", PAST)).toBe(false);
  });

  it("leaves a store handed in open on close: it is the caller's", async () => {
    const store = SqliteStore.open(":memory:");
    stores.push(store);
    const app = await appWith({ store });
    await app.close();
    expect(await store.useNonce("after-close", FUTURE)).toBe(true);
  });

  it("opens the database from the URL when no store is handed in, making its folder, and closes it on close", async () => {
    const path = join(dir, "nested", "folder", "stampbook.db");
    const app = await appWith({ databaseUrl: `sqlite:${path}` });
    expect(existsSync(path)).toBe(true);
    const store = app.store;
    expect(await store.useNonce("while-open", FUTURE)).toBe(true);
    await app.close();
    // A closed store is one that cannot be reached: a request still arriving is answered 503.
    await expect(store.useNonce("after-close", FUTURE)).rejects.toBeInstanceOf(StoreUnavailableError);

    // The data is on disk for the next start.
    const reopened = SqliteStore.open(path);
    stores.push(reopened);
    expect(await reopened.useNonce("while-open", FUTURE)).toBe(false);
  });
});
