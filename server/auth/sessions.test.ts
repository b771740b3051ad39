/**
 * The session cache and what other instances tell it: `forget` drops a session another instance
 * ended, `onSignOut` is told once the store has recorded a sign-out, and a lookup that raced a
 * `forget` does not cache what it read before it.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Address } from "viem";
import { SqliteStore, toTimestamp, type Store } from "../storage/index.ts";
import { createAuthService, SESSION_SECRET } from "./sessions.ts";
import { newSessionId, signingKey, signSession } from "./signed-tokens.ts";
import type { ChainClient } from "./siwe/index.ts";

const ADDRESS = "0x00000000000000000000000000000000000000a1" as Address;
const PARAMS = {
  siweDomain: "localhost:8787",
  siweUri: new URL("http://localhost:8787"),
  siweStatement: "Sign in",
  chainId: 31337,
  nonceTtlSeconds: 300,
  sessionTtlSeconds: 3600,
  clockSkewSeconds: 60,
};

let store: Store;
afterEach(async () => store?.close());

/** An auth service over a fresh store caching sessions for a minute, and a way to mint its tokens. */
async function setup(options: { onSignOut?: (id: string) => Promise<void>; store?: (store: Store) => Store } = {}) {
  store = SqliteStore.open(":memory:");
  const key = signingKey(await store.secret(SESSION_SECRET));
  const auth = createAuthService({
    store: options.store ? options.store(store) : store,
    // Sessions never reach the chain.
    client: {} as ChainClient,
    params: PARAMS,
    sessionCacheMs: 60_000,
    ...(options.onSignOut ? { onSignOut: options.onSignOut } : {}),
  });
  const session = () => {
    const id = newSessionId();
    const expiresAtMs = Date.now() + 3_600_000;
    return { id, expiresAt: toTimestamp(expiresAtMs), token: signSession(key, { id, address: ADDRESS, chainId: 31337, expiresAtMs }).token };
  };
  return { auth, session };
}

describe("forget", () => {
  it("drops one cached session: its next request asks the store", async () => {
    const { auth, session } = await setup();
    const [ended, other] = [session(), session()];
    expect(await auth.authenticate(ended.token)).toMatchObject({ chainId: 31337 });
    expect(await auth.authenticate(other.token)).not.toBeNull();
    // Another instance signs it out: this one's cache still trusts it...
    await store.revokeSession(ended.id, ended.expiresAt);
    await store.revokeSession(other.id, other.expiresAt);
    expect(await auth.authenticate(ended.token)).not.toBeNull();
    // ...until it is told.
    auth.forget(ended.id);
    expect(await auth.authenticate(ended.token)).toBeNull();
    expect(await auth.authenticate(other.token)).not.toBeNull();
    auth.forget("an-id-nobody-cached");
  });

  it("without an id, drops every cached session", async () => {
    const { auth, session } = await setup();
    const sessions = [session(), session()];
    for (const s of sessions) expect(await auth.authenticate(s.token)).not.toBeNull();
    for (const s of sessions) await store.revokeSession(s.id, s.expiresAt);
    auth.forget();
    for (const s of sessions) expect(await auth.authenticate(s.token)).toBeNull();
  });

  it("a lookup that read the store before a forget does not cache what it read", async () => {
    let during: (() => Promise<void>) | null = null;
    const { auth, session } = await setup({
      store: (inner) =>
        new Proxy(inner, {
          get(target, name, receiver) {
            if (name !== "isSessionRevoked") return Reflect.get(target, name, receiver);
            return async (id: string) => {
              const revoked = await target.isSessionRevoked(id);
              // The sign-out lands (and is told) while this lookup is under way.
              const hook = during;
              during = null;
              await hook?.();
              return revoked;
            };
          },
        }),
    });
    const s = session();
    during = async () => {
      await store.revokeSession(s.id, s.expiresAt);
      auth.forget(s.id);
    };
    expect(await auth.authenticate(s.token)).not.toBeNull();
    expect(await auth.authenticate(s.token)).toBeNull();
  });
});

describe("onSignOut", () => {
  it("is told the session's id once the store has recorded the sign-out, and awaited", async () => {
    const told: { id: string; revoked: boolean }[] = [];
    const { auth, session } = await setup({
      onSignOut: async (id) => {
        const revoked = await store.isSessionRevoked(id);
        await new Promise((resolve) => setTimeout(resolve, 20));
        told.push({ id, revoked });
      },
    });
    const s = session();
    await auth.signOut(s.token);
    expect(told).toEqual([{ id: s.id, revoked: true }]);
    // A token that is no session tells nobody.
    await auth.signOut("sbs_nonsense");
    expect(told).toHaveLength(1);
  });
});
