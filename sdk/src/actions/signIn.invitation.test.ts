/** signIn's `invitation`: sent with the signature to POST /v1/auth/verify, only when given. */
import { describe, expect, it } from "vitest";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { createStampbookClient } from "../client.ts";
import { memoryStorage } from "../storage.ts";
import { signIn } from "./signIn.ts";

const apiUrl = "https://api.example.com";

/** A fake API that grants a nonce and accepts any signature, keeping the verify bodies. */
function fakeAuth() {
  const verified: Record<string, unknown>[] = [];
  const account = privateKeyToAccount(generatePrivateKey());
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const path = new URL(String(input)).pathname;
    if (path === "/v1/auth/nonce") {
      const now = new Date().toISOString();
      return Response.json({ nonce: "abcdefgh12345678", expiresAt: now, domain: "shop.example", uri: "https://shop.example", chainId: 31337, statement: "Sign in.", version: "1", issuedAt: now });
    }
    if (path === "/v1/auth/verify") {
      verified.push(JSON.parse(String(init?.body)));
      return Response.json({ token: `sbs_${verified.length}`, address: account.address.toLowerCase(), chainId: 31337, expiresAt: "2999-01-01T00:00:00Z" });
    }
    return new Response(null, { status: 204 });
  };
  const client = createStampbookClient({ apiUrl, fetch, wallet: account, storage: memoryStorage() });
  return { client, verified };
}

describe("signIn with an invitation", () => {
  it("passes the code in the verify body next to message and signature", async () => {
    const { client, verified } = fakeAuth();
    const session = await client.signIn({ invitation: "K7QP3XMD" });
    expect(session.token).toBe("sbs_1");
    expect(Object.keys(verified[0]!).sort()).toEqual(["invitation", "message", "signature"]);
    expect(verified[0]).toMatchObject({ invitation: "K7QP3XMD" });
  });

  it("sends no invitation field without one (undefined, null or empty)", async () => {
    const { client, verified } = fakeAuth();
    await signIn(client);
    await signIn(client, { invitation: null });
    await signIn(client, { invitation: "" });
    expect(verified.map((body) => Object.keys(body).sort())).toEqual([
      ["message", "signature"],
      ["message", "signature"],
      ["message", "signature"],
    ]);
  });
});
