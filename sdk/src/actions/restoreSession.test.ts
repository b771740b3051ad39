/** The session across page reloads (a new client on the same storage), and signing out. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { createStampbookClient } from "../client.ts";
import { HttpRequestError } from "../index.ts";
import { memoryStorage, type StampbookStorage } from "../storage.ts";
import { startStack, type Stack } from "../../../test/support/sdk/stack.ts";
import { restoreSession } from "./restoreSession.ts";
import { signOut } from "./signOut.ts";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => stack?.close());

/** A page: a client on `storage` with `wallet`. */
const page = (storage: StampbookStorage, wallet: unknown, extra: Record<string, unknown> = {}) =>
  createStampbookClient({ apiUrl: stack.apiUrl, wallet: wallet as never, storage, retryDelay: 10, ...extra });

/** An async storage, like React Native's AsyncStorage. */
function asyncStorage(): StampbookStorage {
  const inner = memoryStorage();
  return {
    getItem: async (k) => inner.getItem(k),
    setItem: async (k, v) => inner.setItem(k, v),
    removeItem: async (k) => inner.removeItem(k),
  };
}

describe("restore", () => {
  it("restores the session after a reload, validated with GET /v1/me", async () => {
    for (const storage of [memoryStorage(), asyncStorage()]) {
      const provider = stack.provider();
      const session = await page(storage, provider).signIn();
      const reloaded = page(storage, provider);
      expect(reloaded.session).toBeNull();
      const restored = await reloaded.restoreSession();
      expect(restored?.session).toEqual(session);
      expect(restored?.me.address).toBe(provider.address);
      expect(reloaded.session).toEqual(session);
      expect((await reloaded.getPerks()).length).toBeGreaterThanOrEqual(0);
    }
  });

  it("returns null when nothing is stored", async () => {
    expect(await page(memoryStorage(), stack.provider()).restoreSession()).toBeNull();
  });

  it("returns null and clears storage for an expired or corrupt stored session, without asking the server", async () => {
    let calls = 0;
    const counting: typeof fetch = (input, init) => (calls++, fetch(input, init));
    const storage = memoryStorage();
    const client = page(storage, stack.provider(), { fetch: counting });
    storage.setItem(client.storageKey, JSON.stringify({ token: "sbs_x", address: "0x0000000000000000000000000000000000000001", chainId: 31337, expiresAt: "2020-01-01T00:00:00Z" }));
    expect(await client.restoreSession()).toBeNull();
    expect(storage.getItem(client.storageKey)).toBeNull();
    storage.setItem(client.storageKey, "{not json");
    expect(await client.restoreSession()).toBeNull();
    expect(storage.getItem(client.storageKey)).toBeNull();
    expect(calls).toBe(0);
  });

  it("returns null and emits sessionEnded (expired) when the server revoked the session meanwhile", async () => {
    const storage = memoryStorage();
    const provider = stack.provider();
    const session = await page(storage, provider).signIn();
    await fetch(`${stack.apiUrl}/v1/auth/logout`, { method: "POST", headers: { authorization: `Bearer ${session.token}` } });
    const reloaded = page(storage, provider);
    const ended: unknown[] = [];
    reloaded.on("sessionEnded", (e) => ended.push(e));
    expect(await restoreSession(reloaded)).toBeNull();
    expect(ended).toEqual([{ reason: "expired", address: session.address }]);
    expect(storage.getItem(reloaded.storageKey)).toBeNull();
  });

  it("ends the session when the wallet now shows another account (checked silently with eth_accounts)", async () => {
    const storage = memoryStorage();
    const provider = stack.provider();
    const session = await page(storage, provider).signIn();
    const other = stack.provider({ account: privateKeyToAccount(generatePrivateKey()) });
    const reloaded = page(storage, other);
    const events: unknown[] = [];
    reloaded.on("sessionEnded", (e) => events.push(e));
    reloaded.on("accountChanged", (e) => events.push(e));
    expect(await reloaded.restoreSession()).toBeNull();
    expect(other.methods()).toEqual(["eth_accounts"]);
    expect(events).toEqual([
      { reason: "accountChanged", address: session.address },
      { address: other.address, previousAddress: session.address },
    ]);
    await expect.poll(() => stack.statusWith(session.token)).toBe(401);
  });

  it("keeps the session when the wallet is locked (eth_accounts answers [])", async () => {
    const storage = memoryStorage();
    const provider = stack.provider();
    const session = await page(storage, provider).signIn();
    provider.state.noAccounts = true;
    expect((await page(storage, provider).restoreSession())?.session).toEqual(session);
  });

  it("restores without any wallet (none installed on this page)", async () => {
    const storage = memoryStorage();
    const session = await page(storage, stack.provider()).signIn();
    expect((await page(storage, undefined).restoreSession())?.session).toEqual(session);
  });

  it("throws HttpRequestError when offline and keeps the stored session for later", async () => {
    const storage = memoryStorage();
    const provider = stack.provider();
    await page(storage, provider).signIn();
    const offline = page(storage, provider, { fetch: async () => { throw new TypeError("fetch failed"); }, retryCount: 1 });
    await expect(offline.restoreSession()).rejects.toBeInstanceOf(HttpRequestError);
    expect(storage.getItem(offline.storageKey)).not.toBeNull();
    expect(await page(storage, provider).restoreSession()).not.toBeNull();
  });
});

describe("signOut", () => {
  it("forgets the session here, revokes it on the server, and emits sessionEnded (signedOut)", async () => {
    const storage = memoryStorage();
    const provider = stack.provider();
    const client = page(storage, provider);
    const session = await client.signIn();
    const ended: unknown[] = [];
    client.on("sessionEnded", (e) => ended.push(e));
    expect(await client.signOut()).toEqual({ revoked: true });
    expect(client.session).toBeNull();
    expect(storage.getItem(client.storageKey)).toBeNull();
    expect(ended).toEqual([{ reason: "signedOut", address: session.address }]);
    expect(await stack.statusWith(session.token)).toBe(401);
    expect(await page(storage, provider).restoreSession()).toBeNull();
  });

  it("signs out locally even when the server cannot be reached", async () => {
    const storage = memoryStorage();
    let offline = false;
    const flaky: typeof fetch = async (input, init) => {
      if (offline) throw new TypeError("fetch failed");
      return fetch(input, init);
    };
    const client = page(storage, stack.provider(), { fetch: flaky });
    await client.signIn();
    offline = true;
    expect(await signOut(client)).toEqual({ revoked: false });
    expect(client.session).toBeNull();
    expect(storage.getItem(client.storageKey)).toBeNull();
  });

  it("is a no-op without a session", async () => {
    expect(await page(memoryStorage(), undefined).signOut()).toEqual({ revoked: false });
  });
});
