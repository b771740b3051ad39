import { afterEach, describe, expect, it, vi } from "vitest";
import { createPublicClient, http, type PublicClient } from "viem";
import { build } from "../app.ts";
import { loadConfig } from "../config.ts";
import { SqliteStore } from "../storage/index.ts";

const PAST = "2020-01-01T00:00:00.000Z";
const FUTURE = "2099-01-01T00:00:00.000Z";
// Never asked: nothing here reads the chain.
const client = createPublicClient({ transport: http("http://127.0.0.1:9") }) as PublicClient;

const stores: SqliteStore[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

describe("storagePlugin", () => {
  it("forgets used nonces and ended sessions past their expiry every PRUNE_INTERVAL_MS, and stops on close", async () => {
    const store = SqliteStore.open(":memory:");
    stores.push(store);
    await store.useNonce("expired-nonce", PAST);
    await store.useNonce("live-nonce", FUTURE);
    await store.revokeSession("expired-session", PAST);
    const app = await build({ config: loadConfig({ PRUNE_INTERVAL_MS: "20" }), store, client, logger: false });
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
});
