import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.ts";
import { DEFAULT_GUESS_LIMITS } from "./journeys/code-strength.ts";

describe("drop claim settings", () => {
  it("have defaults: no minter key secret, 30 s to wait for a mint, vouchers valid for an hour", () => {
    expect(loadConfig({})).toMatchObject({ minterKeySecret: null, mintTimeoutMs: 30_000, voucherTtlSeconds: 3_600 });
    expect(loadConfig({ MINT_TIMEOUT_MS: "5000", VOUCHER_TTL_SECONDS: "600" })).toMatchObject({ mintTimeoutMs: 5_000, voucherTtlSeconds: 600 });
  });

  it("refuse a short minter key secret without echoing it, and out-of-range timings", () => {
    const secret = "short-secret";
    let error: ConfigError | undefined;
    try {
      loadConfig({ MINTER_KEY_SECRET: secret, MINT_TIMEOUT_MS: "10", VOUCHER_TTL_SECONDS: "5" });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems).toHaveLength(3);
    expect(error!.problems[0]).toMatch(/^MINTER_KEY_SECRET must be at least 32 characters/);
    expect(error!.message).not.toContain(secret);
  });

  it("no longer take one server-wide minter key: MINTER_PRIVATE_KEY is not read", () => {
    expect(loadConfig({ MINTER_PRIVATE_KEY: "0x" + "11".repeat(32) })).not.toHaveProperty("minterPrivateKey");
  });
});

describe("award queue settings", () => {
  it("batch up to 200 members, wait 250 ms after a nudge, and go round every 2 s by default", () => {
    expect(loadConfig({})).toMatchObject({ awardBatchMax: 200, awardDelayMs: 250, awardIntervalMs: 2_000 });
    expect(loadConfig({ AWARD_BATCH_MAX: "50", AWARD_DELAY_MS: "0", AWARD_INTERVAL_MS: "500" })).toMatchObject({ awardBatchMax: 50, awardDelayMs: 0, awardIntervalMs: 500 });
  });

  it("refuse batches no block could hold, and out-of-range timings", () => {
    let error: ConfigError | undefined;
    try {
      loadConfig({ AWARD_BATCH_MAX: "5000", AWARD_DELAY_MS: "-1", AWARD_INTERVAL_MS: "1" });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error!.problems).toEqual([expect.stringMatching(/^AWARD_BATCH_MAX/), expect.stringMatching(/^AWARD_DELAY_MS/), expect.stringMatching(/^AWARD_INTERVAL_MS/)]);
  });
});

describe("staff settings", () => {
  it("keep a staff session 8 hours and a role at most 30 s by default", () => {
    expect(loadConfig({})).toMatchObject({ staffSessionTtlSeconds: 28_800, staffRoleCacheMs: 30_000 });
    expect(loadConfig({ STAFF_SESSION_TTL_SECONDS: "3600", STAFF_ROLE_CACHE_MS: "0" })).toMatchObject({ staffSessionTtlSeconds: 3_600, staffRoleCacheMs: 0 });
  });

  it("refuse a role kept longer than 30 s, and sessions shorter than a minute", () => {
    let error: ConfigError | undefined;
    try {
      loadConfig({ STAFF_SESSION_TTL_SECONDS: "10", STAFF_ROLE_CACHE_MS: "60000" });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error!.problems).toEqual([expect.stringMatching(/^STAFF_SESSION_TTL_SECONDS/), expect.stringMatching(/^STAFF_ROLE_CACHE_MS must be a whole number from 0 to 30000/)]);
  });
});

describe("IMAGE_MAX_BYTES", () => {
  it("is 512 KiB by default, and read as given within 1 KiB to 10 MiB", () => {
    expect(loadConfig({}).imageMaxBytes).toBe(524_288);
    expect(loadConfig({ IMAGE_MAX_BYTES: "2048" }).imageMaxBytes).toBe(2_048);
    expect(() => loadConfig({ IMAGE_MAX_BYTES: "100" })).toThrow(/IMAGE_MAX_BYTES must be a whole number from 1024 to 10485760/);
    expect(() => loadConfig({ IMAGE_MAX_BYTES: "1mb" })).toThrow(/IMAGE_MAX_BYTES/);
  });
});

describe("tenancy settings", () => {
  it("bound each brand by default, and read other bounds", () => {
    expect(loadConfig({})).toMatchObject({ brandMaxOffers: { perk: 100, drop: 100 }, brandMaxTokenTypes: 256, listingReadTimeoutMs: 2_000, operatorToken: null });
    expect(loadConfig({ BRAND_MAX_PERKS: "5", BRAND_MAX_DROPS: "6", BRAND_MAX_TOKEN_TYPES: "7" })).toMatchObject({ brandMaxOffers: { perk: 5, drop: 6 }, brandMaxTokenTypes: 7 });
    expect(() => loadConfig({ BRAND_MAX_PERKS: "0" })).toThrow(/BRAND_MAX_PERKS/);
  });

  it("take an operator token a bearer header can carry, and never echo it", () => {
    const token = "op_".padEnd(40, "x");
    expect(loadConfig({ OPERATOR_TOKEN: token }).operatorToken).toBe(token);
    for (const bad of ["short", "a token with spaces in it that is long enough"]) {
      let error: ConfigError | undefined;
      try {
        loadConfig({ OPERATOR_TOKEN: bad });
      } catch (e) {
        error = e as ConfigError;
      }
      expect(error!.problems).toEqual([expect.stringMatching(/^OPERATOR_TOKEN/)]);
      expect(error!.message).not.toContain(bad);
    }
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

describe("REDIS_URL", () => {
  it("is optional: without it there is no Redis", () => {
    expect(loadConfig({}).redisUrl).toBeNull();
    expect(loadConfig({ REDIS_URL: "  " }).redisUrl).toBeNull();
  });

  it("takes redis:// and rediss:// URLs, with credentials and a database number", () => {
    for (const url of ["redis://127.0.0.1:6379", "redis://cache", "rediss://default:s3cret@cache.example:6380/2", "redis://:pw@[::1]:6379/"]) {
      expect(loadConfig({ REDIS_URL: url }).redisUrl).toBe(url);
    }
  });

  it("refuses anything else without echoing it (it may hold a password)", () => {
    for (const bad of ["http://user:hunter2-secret@cache:6379", "redis://:hunter2-secret@", "redis://:hunter2-secret@cache/not-a-db", "redis://:hunter2-secret@cache?db=1", "hunter2-secret"]) {
      let error: ConfigError | undefined;
      try {
        loadConfig({ REDIS_URL: bad });
      } catch (e) {
        error = e as ConfigError;
      }
      expect(error, bad).toBeInstanceOf(ConfigError);
      expect(error!.problems).toEqual([expect.stringMatching(/^REDIS_URL must be redis:\/\//)]);
      expect(error!.message).not.toContain("hunter2");
    }
  });
});

describe("guessing limits", () => {
  it("allow 20 step attempts a minute per member, 120 that complete nothing per address, 120 till checks per credential by default", () => {
    expect(loadConfig({})).toMatchObject({ stepAttemptsPerMinute: 20, stepAttemptsPerIpPerMinute: 120, tillVerifyPerMinute: 120 });
    expect(loadConfig({ STEP_ATTEMPTS_PER_IP_PER_MINUTE: "600", TILL_VERIFY_PER_MINUTE: "30" })).toMatchObject({ stepAttemptsPerIpPerMinute: 600, tillVerifyPerMinute: 30 });
  });

  it("are the defaults the console words a shared code's warning with, before the API answers", () => {
    const { stepAttemptsPerMinute, stepAttemptsPerIpPerMinute } = loadConfig({});
    expect({ perMember: stepAttemptsPerMinute, perAddress: stepAttemptsPerIpPerMinute }).toEqual(DEFAULT_GUESS_LIMITS);
  });

  it("refuse no limit at all, and what is not a whole number", () => {
    let error: ConfigError | undefined;
    try {
      loadConfig({ STEP_ATTEMPTS_PER_IP_PER_MINUTE: "0", TILL_VERIFY_PER_MINUTE: "lots" });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error!.problems).toEqual([
      expect.stringMatching(/^STEP_ATTEMPTS_PER_IP_PER_MINUTE must be a whole number from 1 to 1000000/),
      expect.stringMatching(/^TILL_VERIFY_PER_MINUTE must be a whole number from 1 to 1000000/),
    ]);
  });
});
