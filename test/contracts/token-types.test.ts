import { describe, expect, it } from "vitest";
import {
  DEFAULT_ADMIN_ROLE,
  Kind,
  MINTER_ROLE,
  MONTH,
  RENEWAL_PRICE,
  createTokenType,
  eventsOf,
  loadCollection,
  tokenTypeConfig,
  viem,
} from "./fixtures.ts";

describe("createTokenType", () => {
  it("numbers types from 1 upwards and counts them", async () => {
    const { collection, ids } = await loadCollection();
    const fixtureTypes = Object.values(ids);
    expect(fixtureTypes).toEqual(fixtureTypes.map((_, i) => BigInt(i + 1)));
    expect(await collection.read.tokenTypeCount()).toBe(BigInt(fixtureTypes.length));

    const next = await createTokenType(collection);
    expect(next).toBe(BigInt(fixtureTypes.length + 1));
    expect(await collection.read.tokenTypeCount()).toBe(next);
    expect(await collection.read.exists([next])).toBe(true);
    expect(await collection.read.exists([next + 1n])).toBe(false);
    expect(await collection.read.exists([0n])).toBe(false);
  });

  it("emits TokenTypeCreated, TokenTypeTermsUpdated and URI, and no Locked for a transferable type", async () => {
    const { collection } = await loadCollection();
    const id = (await collection.read.tokenTypeCount()) + 1n;
    const config = tokenTypeConfig({
      kind: Kind.Membership,
      maxSupply: 500n,
      duration: MONTH,
      renewalPrice: RENEWAL_PRICE,
      points: 42n,
      uri: "ipfs://platinum.json",
    });
    const hash = await collection.write.createTokenType([config]);

    const [created] = await eventsOf(collection, hash, "TokenTypeCreated");
    expect(created?.args).toEqual({
      id,
      kind: Kind.Membership,
      maxSupply: 500n,
      duration: MONTH,
      soulbound: false,
      consumable: false,
    });
    const [terms] = await eventsOf(collection, hash, "TokenTypeTermsUpdated");
    expect(terms?.args).toEqual({ id, renewalPrice: RENEWAL_PRICE, points: 42n });
    const [uriEvent] = await eventsOf(collection, hash, "URI");
    expect(uriEvent?.args).toEqual({ value: "ipfs://platinum.json", id });
    expect(await eventsOf(collection, hash, "Locked")).toHaveLength(0);
    expect(await collection.read.locked([id])).toBe(false);
  });

  it("emits Locked for a soulbound type, which locked() reports", async () => {
    const { collection } = await loadCollection();
    const id = (await collection.read.tokenTypeCount()) + 1n;
    const hash = collection.write.createTokenType([tokenTypeConfig({ soulbound: true, consumable: true })]);
    await viem.assertions.emitWithArgs(hash, collection, "Locked", [id]);
    await viem.assertions.emitWithArgs(hash, collection, "TokenTypeCreated", [id, Kind.Collectible, 0n, 0, true, true]);
    expect(await collection.read.locked([id])).toBe(true);
  });

  it("stores every setting, which tokenType returns with zero supply", async () => {
    const { collection } = await loadCollection();
    const id = await createTokenType(collection, {
      kind: Kind.Membership,
      maxSupply: 250n,
      duration: 7 * 86_400,
      soulbound: true,
      renewalPrice: 123n,
      points: 9n,
      uri: "ipfs://weekly.json",
    });
    expect(await collection.read.tokenType([id])).toEqual({
      kind: Kind.Membership,
      soulbound: true,
      consumable: false,
      duration: 7 * 86_400,
      maxSupply: 250n,
      minted: 0n,
      supply: 0n,
      renewalPrice: 123n,
      points: 9n,
      uri: "ipfs://weekly.json",
    });
    expect(await collection.read.maxSupply([id])).toBe(250n);
    expect(await collection.read.totalSupply([id])).toBe(0n);
    expect(await collection.read.totalMinted([id])).toBe(0n);
    expect(await collection.read.uri([id])).toBe("ipfs://weekly.json");
  });

  it("rejects kind None", async () => {
    const { collection } = await loadCollection();
    const before = await collection.read.tokenTypeCount();
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.createTokenType([tokenTypeConfig({ kind: Kind.None })]),
      collection,
      "InvalidTokenTypeConfig",
      ["kind"],
    );
    expect(await collection.read.tokenTypeCount()).toBe(before);
  });

  it("rejects a collectible with a duration", async () => {
    const { collection } = await loadCollection();
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.createTokenType([tokenTypeConfig({ kind: Kind.Collectible, duration: 1 })]),
      collection,
      "InvalidTokenTypeConfig",
      ["collectibles never expire"],
    );
  });

  it("rejects a consumable membership", async () => {
    const { collection } = await loadCollection();
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.createTokenType([tokenTypeConfig({ kind: Kind.Membership, duration: MONTH, consumable: true })]),
      collection,
      "InvalidTokenTypeConfig",
      ["memberships are not consumable"],
    );
  });

  it("rejects a renewal price on a collectible and on a membership that never expires", async () => {
    const { collection } = await loadCollection();
    for (const config of [
      tokenTypeConfig({ kind: Kind.Collectible, renewalPrice: 1n }),
      tokenTypeConfig({ kind: Kind.Membership, duration: 0, renewalPrice: 1n }),
    ]) {
      await viem.assertions.revertWithCustomErrorWithArgs(
        collection.write.createTokenType([config]),
        collection,
        "InvalidTokenTypeConfig",
        ["renewal price needs an expiring membership"],
      );
    }
  });

  it("accepts a renewal price on an expiring membership", async () => {
    const { collection } = await loadCollection();
    const id = await createTokenType(collection, { kind: Kind.Membership, duration: 1, renewalPrice: 1n });
    expect((await collection.read.tokenType([id])).renewalPrice).toBe(1n);
  });

  it("is reserved to DEFAULT_ADMIN_ROLE, even for a minter", async () => {
    const { collection, alice } = await loadCollection();
    await collection.write.grantRole([MINTER_ROLE, alice.account.address]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.createTokenType([tokenTypeConfig()], { account: alice.account }),
      collection,
      "AccessControlUnauthorizedAccount",
      [alice.account.address, DEFAULT_ADMIN_ROLE],
    );
  });
});

describe("setTokenTypeTerms", () => {
  it("changes the renewal price and points and emits TokenTypeTermsUpdated", async () => {
    const { collection, ids } = await loadCollection();
    const hash = collection.write.setTokenTypeTerms([ids.membership, 77n, 5n]);
    await viem.assertions.emitWithArgs(hash, collection, "TokenTypeTermsUpdated", [ids.membership, 77n, 5n]);
    const info = await collection.read.tokenType([ids.membership]);
    expect([info.renewalPrice, info.points]).toEqual([77n, 5n]);
  });

  it("sets points on a collectible and clears a renewal price", async () => {
    const { collection, ids } = await loadCollection();
    await collection.write.setTokenTypeTerms([ids.collectible, 0n, 1_000n]);
    await collection.write.setTokenTypeTerms([ids.membership, 0n, 0n]);
    expect((await collection.read.tokenType([ids.collectible])).points).toBe(1_000n);
    expect((await collection.read.tokenType([ids.membership])).renewalPrice).toBe(0n);
  });

  it("rejects a renewal price on a collectible or a lifetime membership", async () => {
    const { collection, ids } = await loadCollection();
    for (const id of [ids.collectible, ids.lifetime]) {
      await viem.assertions.revertWithCustomErrorWithArgs(
        collection.write.setTokenTypeTerms([id, 1n, 0n]),
        collection,
        "InvalidTokenTypeConfig",
        ["renewal price needs an expiring membership"],
      );
    }
    expect((await collection.read.tokenType([ids.lifetime])).renewalPrice).toBe(0n);
  });

  it("reverts UnknownTokenType for an id never created", async () => {
    const { collection } = await loadCollection();
    await viem.assertions.revertWithCustomErrorWithArgs(collection.write.setTokenTypeTerms([99n, 0n, 1n]), collection, "UnknownTokenType", [99n]);
  });

  it("is reserved to DEFAULT_ADMIN_ROLE", async () => {
    const { collection, ids, alice } = await loadCollection();
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.setTokenTypeTerms([ids.membership, 1n, 1n], { account: alice.account }),
      collection,
      "AccessControlUnauthorizedAccount",
      [alice.account.address, DEFAULT_ADMIN_ROLE],
    );
  });
});

describe("setTokenURI", () => {
  it("changes uri() and emits URI", async () => {
    const { collection, ids } = await loadCollection();
    await viem.assertions.emitWithArgs(collection.write.setTokenURI([ids.capped, "ar://new.json"]), collection, "URI", ["ar://new.json", ids.capped]);
    expect(await collection.read.uri([ids.capped])).toBe("ar://new.json");
    expect((await collection.read.tokenType([ids.capped])).uri).toBe("ar://new.json");
    expect(await collection.read.uri([ids.collectible])).toBe("ipfs://collectible.json");
  });

  it("reverts UnknownTokenType for an id never created", async () => {
    const { collection } = await loadCollection();
    await viem.assertions.revertWithCustomErrorWithArgs(collection.write.setTokenURI([0n, "x"]), collection, "UnknownTokenType", [0n]);
  });

  it("is reserved to DEFAULT_ADMIN_ROLE", async () => {
    const { collection, ids, bob } = await loadCollection();
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.setTokenURI([ids.collectible, "x"], { account: bob.account }),
      collection,
      "AccessControlUnauthorizedAccount",
      [bob.account.address, DEFAULT_ADMIN_ROLE],
    );
  });
});

describe("token type views", () => {
  it("tokenType and locked revert UnknownTokenType for an unknown id", async () => {
    const { collection } = await loadCollection();
    await viem.assertions.revertWithCustomErrorWithArgs(collection.read.tokenType([0n]), collection, "UnknownTokenType", [0n]);
    await viem.assertions.revertWithCustomErrorWithArgs(collection.read.locked([1234n]), collection, "UnknownTokenType", [1234n]);
  });

  it("supply views and uri read as empty for an unknown id", async () => {
    const { collection } = await loadCollection();
    expect(await collection.read.totalSupply([99n])).toBe(0n);
    expect(await collection.read.totalMinted([99n])).toBe(0n);
    expect(await collection.read.maxSupply([99n])).toBe(0n);
    expect(await collection.read.uri([99n])).toBe("");
  });

  it("reports the fixture's types as configured", async () => {
    const { collection, ids } = await loadCollection();
    expect(await collection.read.maxSupply([ids.capped])).toBe(10n);
    expect(await collection.read.maxSupply([ids.collectible])).toBe(0n);
    expect(await collection.read.locked([ids.soulbound])).toBe(true);
    expect(await collection.read.locked([ids.soulboundMembership])).toBe(true);
    expect(await collection.read.locked([ids.membership])).toBe(false);
    const consumable = await collection.read.tokenType([ids.consumable]);
    expect([consumable.kind, consumable.consumable, consumable.duration]).toEqual([Kind.Collectible, true, 0]);
    const lifetime = await collection.read.tokenType([ids.lifetime]);
    expect([lifetime.kind, lifetime.duration, lifetime.renewalPrice]).toEqual([Kind.Membership, 0, 0n]);
  });

  it("totalSupply and totalMinted follow mints and burns", async () => {
    const { collection, ids, alice } = await loadCollection();
    await collection.write.mint([alice.account.address, ids.collectible, 8n]);
    await collection.write.burn([alice.account.address, ids.collectible, 3n], { account: alice.account });
    expect(await collection.read.totalSupply([ids.collectible])).toBe(5n);
    expect(await collection.read.totalMinted([ids.collectible])).toBe(8n);
    const info = await collection.read.tokenType([ids.collectible]);
    expect([info.minted, info.supply]).toEqual([8n, 5n]);
  });
});
