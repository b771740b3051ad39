import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.ts";

const KEY = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

describe("drop claim settings", () => {
  it("have defaults: no minter key, 30 s to wait for a mint, vouchers valid for an hour", () => {
    expect(loadConfig({})).toMatchObject({ minterPrivateKey: null, mintTimeoutMs: 30_000, voucherTtlSeconds: 3_600 });
  });

  it("read a minter key with or without 0x, lowercased", () => {
    expect(loadConfig({ MINTER_PRIVATE_KEY: `0x${KEY.toUpperCase()}` }).minterPrivateKey).toBe(`0x${KEY}`);
    expect(loadConfig({ MINTER_PRIVATE_KEY: KEY }).minterPrivateKey).toBe(`0x${KEY}`);
    expect(loadConfig({ MINT_TIMEOUT_MS: "5000", VOUCHER_TTL_SECONDS: "600" })).toMatchObject({ mintTimeoutMs: 5_000, voucherTtlSeconds: 600 });
  });

  it("refuse a malformed key without echoing it, and out-of-range timings", () => {
    const secret = KEY.slice(0, 63) + "z";
    let error: ConfigError | undefined;
    try {
      loadConfig({ MINTER_PRIVATE_KEY: secret, MINT_TIMEOUT_MS: "10", VOUCHER_TTL_SECONDS: "5" });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems).toHaveLength(3);
    expect(error!.problems[0]).toMatch(/^MINTER_PRIVATE_KEY must be a private key/);
    expect(error!.message).not.toContain(secret);
    expect(() => loadConfig({ MINTER_PRIVATE_KEY: "0x" + "0".repeat(64) })).toThrow(/MINTER_PRIVATE_KEY/);
  });
});

describe("AUTH_SECRET", () => {
  it("is optional, and read as given when long enough", () => {
    expect(loadConfig({}).authSecret).toBeNull();
    const secret = "k".repeat(31) + "!";
    expect(loadConfig({ AUTH_SECRET: secret }).authSecret).toBe(secret);
  });

  it("refuses a short one without echoing it", () => {
    const short = "tooShortSecret-123";
    let error: ConfigError | undefined;
    try {
      loadConfig({ AUTH_SECRET: short });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems).toEqual([expect.stringMatching(/^AUTH_SECRET must be at least 32 characters/)]);
    expect(error!.message).not.toContain(short);
  });
});
