/** The embedded wallet (members without a wallet) and linking a real wallet later, against the real API. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recoverMessageAddress, stringToHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { createStampbookClient } from "./client.ts";
import { createEmbeddedWallet } from "./embedded.ts";
import { NotSignedInError, StampbookError, UserRejectedError } from "./index.ts";
import { memoryStorage } from "./storage.ts";
import { startStack, type Stack } from "../../test/support/sdk/stack.ts";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => stack?.close());

const KEY = "stampbook:embedded-wallet";

describe("createEmbeddedWallet", () => {
  it("creates a key for a member who has none, keeps it in storage, and loads the same one next time", async () => {
    const storage = memoryStorage();
    const first = await createEmbeddedWallet({ storage });
    expect(first).toMatchObject({ kind: "embedded", created: true });
    const stored = JSON.parse(String(storage.getItem(KEY)));
    expect(stored).toMatchObject({ version: 1, address: first.address });
    const again = await createEmbeddedWallet({ storage });
    expect(again).toMatchObject({ created: false, address: first.address });
  });

  it("signs invisibly: EIP-191 signatures by its address, also through EIP-1193-style requests", async () => {
    const wallet = await createEmbeddedWallet({ storage: memoryStorage() });
    const signature = await wallet.signMessage("hello");
    expect(await recoverMessageAddress({ message: "hello", signature })).toBe(wallet.address);
    expect(await wallet.request({ method: "eth_requestAccounts" })).toEqual([wallet.address]);
    const viaRequest = (await wallet.request({ method: "personal_sign", params: [stringToHex("hello"), wallet.address] })) as `0x${string}`;
    expect(viaRequest).toBe(signature);
    await expect(wallet.request({ method: "eth_sendTransaction", params: [{}] })).rejects.toMatchObject({ code: 4200 });
  });

  it("exportPrivateKey() gives the key of its address (self-custody exit)", async () => {
    const wallet = await createEmbeddedWallet({ storage: memoryStorage() });
    const key = wallet.exportPrivateKey();
    expect(key).toMatch(/^0x[0-9a-f]{64}$/);
    expect(privateKeyToAccount(key).address).toBe(wallet.address);
  });

  it("forget() deletes the key; the object stops signing; a new call makes a new wallet", async () => {
    const storage = memoryStorage();
    const wallet = await createEmbeddedWallet({ storage });
    await wallet.forget();
    expect(storage.getItem(KEY)).toBeNull();
    await expect(wallet.signMessage("x")).rejects.toMatchObject({ code: "embedded_wallet_forgotten" });
    expect(() => wallet.exportPrivateKey()).toThrow(StampbookError);
    expect(await wallet.request({ method: "eth_accounts" })).toEqual([]);
    const next = await createEmbeddedWallet({ storage });
    expect(next.created).toBe(true);
    expect(next.address).not.toBe(wallet.address);
  });

  it("with create: false, a missing key throws instead of making one", async () => {
    await expect(createEmbeddedWallet({ storage: memoryStorage(), create: false })).rejects.toMatchObject({ code: "embedded_wallet_missing" });
  });

  it("never overwrites a stored value it cannot read", async () => {
    const storage = memoryStorage();
    storage.setItem(KEY, "garbage");
    await expect(createEmbeddedWallet({ storage })).rejects.toMatchObject({ code: "embedded_wallet_corrupt" });
    expect(storage.getItem(KEY)).toBe("garbage");
  });
});

describe("signing in with the embedded wallet", () => {
  it("signs in without any prompt, and the session restores after a reload with the same storage", async () => {
    const storage = memoryStorage();
    const wallet = await createEmbeddedWallet({ storage });
    const client = createStampbookClient({ apiUrl: stack.apiUrl, wallet, storage });
    const session = await client.signIn();
    expect(session.address).toBe(wallet.address);
    expect(client.wallet?.kind).toBe("embedded");

    const reloadedWallet = await createEmbeddedWallet({ storage });
    const reloaded = createStampbookClient({ apiUrl: stack.apiUrl, wallet: reloadedWallet, storage });
    expect((await reloaded.restoreSession())?.session).toEqual(session);
  });
});

describe("linkWallet", () => {
  async function embeddedMember() {
    const storage = memoryStorage();
    const embedded = await createEmbeddedWallet({ storage });
    const client = createStampbookClient({ apiUrl: stack.apiUrl, wallet: embedded, storage });
    const session = await client.signIn();
    return { storage, embedded, client, session };
  }

  it("signs in with the real wallet, revokes the embedded session, switches the client's wallet, emits accountChanged", async () => {
    const { storage, embedded, client, session } = await embeddedMember();
    const events: unknown[] = [];
    client.on("accountChanged", (e) => events.push(e));
    const provider = stack.provider();
    const linked = await client.linkWallet({ wallet: provider });
    expect(linked).toMatchObject({ address: provider.address, previousAddress: embedded.address });
    expect(linked.previousWallet?.kind).toBe("embedded");
    expect(client.session).toEqual(linked.session);
    expect(client.wallet?.kind).toBe("eip1193");
    expect(events).toEqual([{ address: provider.address, previousAddress: embedded.address }]);
    expect((await client.getMe()).address).toBe(provider.address);
    await expect.poll(() => stack.statusWith(session.token)).toBe(401);
    // The embedded key is kept for export; tokens do not move.
    expect(JSON.parse(String(storage.getItem(KEY))).address).toBe(embedded.address);
    expect(privateKeyToAccount(embedded.exportPrivateKey()).address).toBe(embedded.address);
    // From now on the client follows the real wallet's account events.
    provider.lock();
    expect(client.session).toBeNull();
  });

  it("keeps the embedded session when the member declines in the real wallet", async () => {
    const { client, session } = await embeddedMember();
    const provider = stack.provider();
    provider.state.reject.add("personal_sign");
    await expect(client.linkWallet({ wallet: provider })).rejects.toBeInstanceOf(UserRejectedError);
    expect(client.session).toEqual(session);
    expect(client.wallet?.kind).toBe("embedded");
    expect(await stack.statusWith(session.token)).toBe(200);
  });

  it("needs a signed-in member", async () => {
    const client = createStampbookClient({ apiUrl: stack.apiUrl, wallet: await createEmbeddedWallet({ storage: memoryStorage() }), storage: memoryStorage() });
    await expect(client.linkWallet({ wallet: stack.provider() })).rejects.toBeInstanceOf(NotSignedInError);
  });
});
