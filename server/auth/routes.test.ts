import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createPublicClient, encodeFunctionData, getAddress, http, keccak256, toHex, type Hex } from "viem";
import { serializeErc6492Signature } from "viem/utils";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { build } from "../app.ts";
import { loadConfig } from "../config.ts";
import { NONCE_SECRET, SESSION_SECRET } from "./sessions.ts";
import { newSessionId, signingKey, signNonce, signSession } from "./signed-tokens.ts";
import { startChain, type DemoChain } from "../../test/support/chain.ts";
import { bearer, startServer, type TestServer } from "../../test/support/server.ts";
import { signedSiwe, viaInject } from "../../test/support/siwe.ts";

let chain: DemoChain;
let server: TestServer;

beforeAll(async () => {
  chain = await startChain();
  server = await startServer(chain);
});
afterAll(async () => server.close());

const member = () => chain.members[0]!;

async function verify(s: TestServer, message: string, signature: Hex) {
  return s.app.inject({ method: "POST", url: "/v1/auth/verify", payload: { message, signature } });
}

async function signed(fields: Parameters<TestServer["siweMessage"]>[1] = {}, s: TestServer = server) {
  const wallet = member();
  const message = await s.siweMessage(wallet.account.address, fields);
  return { message, signature: await wallet.signMessage({ account: wallet.account, message }) };
}

describe("GET /v1/auth/nonce", () => {
  it("issues a fresh nonce with what the client needs to build the message", async () => {
    const a = await server.app.inject({ method: "GET", url: "/v1/auth/nonce" });
    const b = await server.app.inject({ method: "GET", url: "/v1/auth/nonce" });
    expect(a.statusCode).toBe(200);
    expect(a.headers["cache-control"]).toBe("no-store");
    const grant = a.json();
    expect(grant).toMatchObject({ domain: "localhost:8787", uri: "http://localhost:8787", chainId: 31337, version: "1" });
    expect(grant.nonce).toMatch(/^[A-Za-z0-9]{55}$/);
    expect(b.json().nonce).not.toBe(grant.nonce);
    // Five minutes, rounded up to the second the nonce carries.
    const lifetime = Date.parse(grant.expiresAt) - Date.parse(grant.issuedAt);
    expect(lifetime).toBeGreaterThanOrEqual(300_000);
    expect(lifetime).toBeLessThan(301_000);
    expect(Date.parse(grant.expiresAt) % 1000).toBe(0);
  });
});

describe("POST /v1/auth/verify", () => {
  it("signs a plain wallet in: session token, httpOnly cookie, and /v1/me by bearer or cookie", async () => {
    const { message, signature } = await signed();
    const response = await verify(server, message, signature);
    expect(response.statusCode).toBe(200);
    const session = response.json();
    expect(session).toMatchObject({ address: getAddress(member().account.address), chainId: 31337, method: "eoa" });
    expect(session.token).toMatch(/^sbs_/);
    const cookie = response.cookies.find((c) => c.name === "stampbook_session");
    expect(cookie).toMatchObject({ value: session.token, httpOnly: true, sameSite: "Lax", path: "/" });
    expect(cookie?.secure).toBeFalsy(); // http://localhost: no Secure flag, or browsers would drop it

    const byBearer = await server.app.inject({ method: "GET", url: "/v1/me", headers: bearer(session.token) });
    expect(byBearer.json().address).toBe(getAddress(member().account.address));
    const byCookie = await server.app.inject({ method: "GET", url: "/v1/me", cookies: { stampbook_session: session.token } });
    expect(byCookie.statusCode).toBe(200);
  });

  it("uses a nonce once: a replayed message is refused", async () => {
    const { message, signature } = await signed();
    expect((await verify(server, message, signature)).statusCode).toBe(200);
    const again = await verify(server, message, signature);
    expect(again.statusCode).toBe(401);
    expect(again.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(again.json().code).toBe("siwe_nonce_invalid");
  });

  it("uses a nonce once under concurrency: 25 simultaneous verifications give one session", async () => {
    const { message, signature } = await signed();
    const responses = await Promise.all(Array.from({ length: 25 }, () => verify(server, message, signature)));
    expect(responses.filter((r) => r.statusCode === 200)).toHaveLength(1);
    expect(responses.filter((r) => r.statusCode === 401 && r.json().code === "siwe_nonce_invalid")).toHaveLength(24);
  });

  it("uses a nonce once across restarts", async () => {
    const dir = await mkdtemp(join(tmpdir(), "stampbook-auth-"));
    try {
      const config = loadConfig({ PUBLIC_URL: "http://localhost:8787", DATABASE_URL: `sqlite:${join(dir, "db.sqlite")}` });
      const first = await build({ config, client: chain.publicClient, logger: false });
      const grant = (await first.inject({ method: "GET", url: "/v1/auth/nonce" })).json();
      const { message, signature } = await signed({ nonce: grant.nonce });
      expect((await first.inject({ method: "POST", url: "/v1/auth/verify", payload: { message, signature } })).statusCode).toBe(200);
      await first.close();

      const second = await build({ config, client: chain.publicClient, logger: false });
      const replay = await second.inject({ method: "POST", url: "/v1/auth/verify", payload: { message, signature } });
      expect(replay.statusCode).toBe(401);
      expect(replay.json().code).toBe("siwe_nonce_invalid");
      await second.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("refuses a nonce the server never issued, one with a changed expiry, one from another deployment, and an expired one", async () => {
    const refused = async (nonce: string) => {
      const attempt = await signed({ nonce });
      const response = await verify(server, attempt.message, attempt.signature);
      expect(response.statusCode).toBe(401);
      expect(response.json().code).toBe("siwe_nonce_invalid");
    };
    await refused("madeUpNonce12345");

    const { nonce } = (await server.app.inject({ method: "GET", url: "/v1/auth/nonce" })).json();
    const later = (parseInt(nonce.slice(0, 7), 36) + 3600).toString(36).padStart(7, "0");
    await refused(later + nonce.slice(7));

    const origin = server.app.config.siweUri.origin;
    await refused(signNonce(signingKey(new Uint8Array(32).fill(7)), Date.now() + 60_000, origin).nonce);

    const key = signingKey(await server.store.secret(NONCE_SECRET));
    await refused(signNonce(key, Date.now() - 1000, origin).nonce);
    await refused(signNonce(key, Date.now() + 60_000, "https://shop.example").nonce);
    // The same key with a live expiry works: the refusals above were about what they changed.
    const live = await signed({ nonce: signNonce(key, Date.now() + 60_000, origin).nonce });
    expect((await verify(server, live.message, live.signature)).statusCode).toBe(200);
  });

  it.each([
    ["another domain", { domain: "evil.example" }, "siwe_domain_mismatch"],
    ["another port", { domain: "localhost:9999" }, "siwe_domain_mismatch"],
    ["another URI origin", { uri: "https://evil.example/login" }, "siwe_uri_mismatch"],
    ["another chain", { chainId: 1 }, "siwe_chain_mismatch"],
    ["an expired message", { expirationTime: new Date(Date.now() - 3_600_000) }, "siwe_expired"],
    ["a message not valid yet", { notBefore: new Date(Date.now() + 3_600_000) }, "siwe_not_yet_valid"],
    ["a message issued in the future", { issuedAt: new Date(Date.now() + 3_600_000) }, "siwe_issued_in_future"],
  ] as const)("refuses %s, and keeps the nonce usable", async (_what, fields, code) => {
    const grant = (await server.app.inject({ method: "GET", url: "/v1/auth/nonce" })).json();
    const bad = await signed({ ...fields, nonce: grant.nonce });
    const response = await verify(server, bad.message, bad.signature);
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe(code);
    // A refused message must not burn the nonce: the member can still sign in with it.
    const good = await signed({ nonce: grant.nonce });
    expect((await verify(server, good.message, good.signature)).statusCode).toBe(200);
  });

  it("accepts a message inside the clock skew", async () => {
    const ok = await signed({ issuedAt: new Date(Date.now() + 30_000), expirationTime: new Date(Date.now() + 600_000) });
    expect((await verify(server, ok.message, ok.signature)).statusCode).toBe(200);
  });

  it("refuses a signature by another key than the message's address", async () => {
    const message = await server.siweMessage(member().account.address);
    const other = chain.members[1]!;
    const signature = await other.signMessage({ account: other.account, message });
    const response = await verify(server, message, signature);
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe("siwe_bad_signature");
  });

  it("answers malformed input with 400s", async () => {
    const notSiwe = await verify(server, "hello", `0x${"11".repeat(65)}`);
    expect(notSiwe.statusCode).toBe(400);
    expect(notSiwe.json().code).toBe("siwe_malformed");

    const { message } = await signed();
    const badHex = await server.app.inject({ method: "POST", url: "/v1/auth/verify", payload: { message, signature: "0xZZ" } });
    expect(badHex.statusCode).toBe(400);
    expect(badHex.json().code).toBe("validation_failed");

    const extra = await server.app.inject({ method: "POST", url: "/v1/auth/verify", payload: { message, signature: "0x00", admin: true } });
    expect(extra.statusCode).toBe(400);

    const shortSig = await verify(server, message, "0x1234");
    expect(shortSig.statusCode).toBe(401);
    expect(shortSig.json().code).toBe("siwe_bad_signature");
  });
});

describe("smart-contract wallets", () => {
  it("signs in a deployed EIP-1271 wallet", async () => {
    const owner = member();
    const wallet = await chain.viem.deployContract("OwnedWallet", [owner.account.address]);
    const message = await server.siweMessage(wallet.address);
    const signature = await owner.signMessage({ account: owner.account, message });
    const response = await verify(server, message, signature);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ method: "erc1271" });
    expect(response.json().address.toLowerCase()).toBe(wallet.address.toLowerCase());
  });

  it("refuses an EIP-1271 wallet's sign-in signed by a key it does not accept", async () => {
    const wallet = await chain.viem.deployContract("OwnedWallet", [member().account.address]);
    const message = await server.siweMessage(wallet.address);
    const stranger = chain.members[2]!;
    const response = await verify(server, message, await stranger.signMessage({ account: stranger.account, message }));
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe("siwe_bad_signature");
  });

  it("signs in a not-yet-deployed wallet with an ERC-6492 signature", async () => {
    const owner = member();
    const factory = await chain.viem.deployContract("OwnedWalletFactory", []);
    const salt = keccak256(toHex("member-wallet-1"));
    const address = await factory.read.addressOf([owner.account.address, salt]);
    expect(await chain.publicClient.getCode({ address })).toBeUndefined();

    const message = await server.siweMessage(address);
    const signature = serializeErc6492Signature({
      address: factory.address,
      data: encodeFunctionData({ abi: factory.abi, functionName: "deploy", args: [owner.account.address, salt] }),
      signature: await owner.signMessage({ account: owner.account, message }),
    });
    const response = await verify(server, message, signature);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ method: "erc6492" });
  });

  it("fails closed when the chain is needed but unreachable, and still signs plain wallets in", async () => {
    const dead = await startServer(chain, {}, { client: createPublicClient({ transport: http("http://127.0.0.1:9", { retryCount: 0 }) }) });
    try {
      const contractLike = privateKeyToAccount(keccak256(toHex("no-such-wallet"))).address;
      const message = await dead.siweMessage(contractLike);
      const signature = await member().signMessage({ account: member().account, message });
      const response = await verify(dead, message, signature);
      expect(response.statusCode).toBe(503);
      expect(response.json().code).toBe("chain_unavailable");

      const plain = await signed({}, dead);
      expect((await verify(dead, plain.message, plain.signature)).json().method).toBe("eoa");
    } finally {
      await dead.close();
    }
  });
});

describe("POST /v1/auth/logout", () => {
  it("revokes the session", async () => {
    const token = await server.signIn(member());
    const out = await server.app.inject({ method: "POST", url: "/v1/auth/logout", headers: bearer(token) });
    expect(out.statusCode).toBe(204);
    const after = await server.app.inject({ method: "GET", url: "/v1/me", headers: bearer(token) });
    expect(after.statusCode).toBe(401);
    expect(after.json().code).toBe("session_expired");
  });

  it("needs a session", async () => {
    const response = await server.app.inject({ method: "POST", url: "/v1/auth/logout" });
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe("unauthenticated");
  });
});

describe("session tokens", () => {
  const me = (token: string, s: TestServer = server) => s.app.inject({ method: "GET", url: "/v1/me", headers: bearer(token) });

  it("refuse any change to a token, another deployment's token, and an expired one", async () => {
    const token = await server.signIn(member());
    expect((await me(token)).statusCode).toBe(200);
    const [id, address, chainId, expiry, tag] = token.slice(4).split(".") as [string, string, string, string, string];
    const someoneElse = chain.members[1]!.account.address.slice(2).toLowerCase();
    const later = (parseInt(expiry, 36) + 86_400).toString(36).padStart(7, "0");
    const forgeries = [
      `sbs_${id}.${someoneElse}.${chainId}.${expiry}.${tag}`,
      `sbs_${id}.${address}.1.${expiry}.${tag}`,
      `sbs_${id}.${address}.${chainId}.${later}.${tag}`,
      `sbs_${id}.${address}.${chainId}.${expiry}.${tag.slice(0, -1)}${tag.endsWith("A") ? "B" : "A"}`,
      signSession(signingKey(new Uint8Array(32).fill(9)), { id, address: `0x${address}`, chainId: 31337, expiresAtMs: Date.now() + 60_000 }).token,
      signSession(signingKey(await server.store.secret(SESSION_SECRET)), { id: newSessionId(), address: `0x${address}`, chainId: 31337, expiresAtMs: Date.now() - 1000 }).token,
    ];
    for (const forged of forgeries) {
      const response = await me(forged);
      expect(response.statusCode, forged).toBe(401);
      expect(response.json().code).toBe("session_expired");
    }
  });

  it("are good on every instance sharing the store, and a sign-out on one ends the session on all", async () => {
    const other = await build({ config: server.config, store: server.store, client: chain.publicClient, logger: false });
    try {
      const token = await server.signIn(member());
      const onOther = await other.inject({ method: "GET", url: "/v1/me", headers: bearer(token) });
      expect(onOther.statusCode).toBe(200);
      expect((await other.inject({ method: "POST", url: "/v1/auth/logout", headers: bearer(token) })).statusCode).toBe(204);
      expect((await me(token)).statusCode).toBe(401);
    } finally {
      await other.close();
    }
  });
});

describe("AUTH_SECRET", () => {
  it("derives the signing keys, so only instances with the same secret accept each other's nonces and sessions", async () => {
    const secret = "a deployment secret of at least 32 characters";
    const a = await startServer(chain, { authSecret: secret });
    const b = await startServer(chain, { authSecret: secret });
    const other = await startServer(chain, { authSecret: "another deployment's secret, also long enough" });
    try {
      const token = await a.signIn(member());
      const me = (s: TestServer) => s.app.inject({ method: "GET", url: "/v1/me", headers: bearer(token) });
      expect((await me(b)).statusCode).toBe(200);
      expect((await me(other)).statusCode).toBe(401);

      // A nonce from one instance signs in on another with the same secret, not elsewhere.
      const { nonce } = (await a.app.inject({ method: "GET", url: "/v1/auth/nonce" })).json();
      const elsewhere = await signed({ nonce }, other);
      expect((await verify(other, elsewhere.message, elsewhere.signature)).json().code).toBe("siwe_nonce_invalid");
      const there = await signed({ nonce }, b);
      expect((await verify(b, there.message, there.signature)).statusCode).toBe(200);

      // The keys do not come from the store: a token signed with the store's own key is refused.
      const stored = signingKey(await a.store.secret(SESSION_SECRET));
      const forged = signSession(stored, { id: newSessionId(), address: member().account.address, chainId: 31337, expiresAtMs: Date.now() + 60_000 });
      expect((await a.app.inject({ method: "GET", url: "/v1/me", headers: bearer(forged.token) })).statusCode).toBe(401);
    } finally {
      await Promise.all([a.close(), b.close(), other.close()]);
    }
  });
});

describe("session cache", () => {
  it("a session ended by another instance sharing the store stops working within SESSION_CACHE_MS", async () => {
    const cached = await startServer(chain, { sessionCacheMs: 1_000 });
    const other = await build({ config: cached.config, store: cached.store, client: chain.publicClient, logger: false });
    // Started before the clock matters: the first request would otherwise wait for it to get ready.
    await other.ready();
    try {
      const token = await cached.signIn(member());
      const me = () => cached.app.inject({ method: "GET", url: "/v1/me", headers: bearer(token) });
      expect((await me()).statusCode).toBe(200);
      // Another instance signs the member out: only the shared store knows.
      expect((await other.inject({ method: "POST", url: "/v1/auth/logout", headers: bearer(token) })).statusCode).toBe(204);
      expect((await me()).statusCode).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 1_050));
      const after = await me();
      expect(after.statusCode).toBe(401);
      expect(after.json().code).toBe("session_expired");
    } finally {
      await other.close();
      await cached.close();
    }
  });

  it("with SESSION_CACHE_MS=0 every request asks the store", async () => {
    const uncached = await startServer(chain, { sessionCacheMs: 0 });
    const other = await build({ config: uncached.config, store: uncached.store, client: chain.publicClient, logger: false });
    try {
      const token = await uncached.signIn(member());
      expect((await uncached.app.inject({ method: "GET", url: "/v1/me", headers: bearer(token) })).statusCode).toBe(200);
      await other.inject({ method: "POST", url: "/v1/auth/logout", headers: bearer(token) });
      expect((await uncached.app.inject({ method: "GET", url: "/v1/me", headers: bearer(token) })).statusCode).toBe(401);
    } finally {
      await other.close();
      await uncached.close();
    }
  });
});

describe("sign-in hook", () => {
  it("hands the invitation to the journeys' hook, and refuses an oversized one", async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    const recordSignIn = vi.spyOn(server.store, "recordSignIn");
    try {
      const body = await signedSiwe(viaInject(server.app), account);
      const response = await server.app.inject({ method: "POST", url: "/v1/auth/verify", payload: { ...body, invitation: "abcd-efgh-jkmn" } });
      expect(response.statusCode, response.body).toBe(200);
      expect(recordSignIn).toHaveBeenCalledWith(expect.objectContaining({ member: account.address.toLowerCase(), invitation: "ABCDEFGHJKMN" }), expect.any(Function));
    } finally {
      recordSignIn.mockRestore();
    }
    const body = await signedSiwe(viaInject(server.app), account);
    expect((await server.app.inject({ method: "POST", url: "/v1/auth/verify", payload: { ...body, invitation: "x".repeat(129) } })).statusCode).toBe(400);
  });

  it("never fails a sign-in: a hook that throws is logged and the session stands", async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    const recordSignIn = vi.spyOn(server.store, "recordSignIn").mockRejectedValue(new Error("the store is down"));
    try {
      const body = await signedSiwe(viaInject(server.app), account);
      const response = await server.app.inject({ method: "POST", url: "/v1/auth/verify", payload: { ...body, invitation: "ABCD-EFGH" } });
      expect(response.statusCode, response.body).toBe(200);
      expect(recordSignIn).toHaveBeenCalled();
      expect((await server.app.inject({ method: "GET", url: "/v1/me", headers: bearer(response.json().token) })).statusCode).toBe(200);
    } finally {
      recordSignIn.mockRestore();
    }
  });
});
