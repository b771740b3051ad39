/**
 * Server configuration from environment variables, validated at start-up. Every mistake is reported
 * at once, each with the variable's name, so a misconfigured server never starts half-way.
 */
import { getAddress, isAddress, type Address } from "viem";

export type Config = {
  host: string;
  port: number;
  /** The API's own public origin, e.g. http://localhost:8787. */
  publicUrl: URL;
  /** EIP-4361 `domain` a sign-in message must carry (host[:port] of the site members sign in on). */
  siweDomain: string;
  /** Origin the sign-in message's `uri` must have. */
  siweUri: URL;
  siweStatement: string;
  chainId: number;
  rpcUrl: string;
  /**
   * Collections the operator serves without any brand owning them: every brand's rules may read them,
   * no brand mints on them (brands register the collections they own). `npm start` seeds this way.
   */
  collections: Address[];
  /** `sqlite:<path>`, `sqlite::memory:` or `postgres://…` (several instances share one PostgreSQL). */
  databaseUrl: string;
  /** PostgreSQL connections per instance. */
  databasePoolSize: number;
  /** How long a PostgreSQL connection or statement may take before the store counts as unreachable (503 store_unavailable). */
  databaseTimeoutMs: number;
  /**
   * How long work an instance holds (a minter's send, a background round, the award queue, a claim
   * being minted) stays its own without renewal; the holder renews it while alive, so another
   * instance takes over this soon after one dies.
   */
  leaseTtlMs: number;
  /**
   * How long a webhook delivery an instance claimed stays its own before another instance may try it
   * (with the same webhook-id): what an instance that dies mid-delivery delays its messages by. An
   * attempt's timeout is kept to half of it (at most 15 s), so a live instance's attempt ends first.
   */
  webhookLeaseMs: number;
  /** How long a stopping instance (SIGTERM) waits for requests in flight before it closes them. */
  shutdownTimeoutMs: number;
  /**
   * `redis://…` or `rediss://…` (may hold a password: never logged or echoed). null: no Redis, so rate
   * limits count per instance and other instances' changes show within the cache bounds. With it,
   * instances share rate limits and tell each other at once what changed (server/invalidation.ts).
   */
  redisUrl: string | null;
  nonceTtlSeconds: number;
  sessionTtlSeconds: number;
  clockSkewSeconds: number;
  ownershipCacheMs: number;
  /**
   * The chain index (server/chain/index/): one instance follows the chain into the store and gates
   * read it. Off: every gate reads the chain as it happens.
   */
  chainIndex: {
    enabled: boolean;
    /** Blocks under the head before what a block says is final (0 on a local chain); also how deep the server's own transactions must be before they count as settled. */
    confirmations: number;
    /** How far (blocks) the index may trail the head and still answer display reads; further, gates read the chain. */
    maxLagBlocks: number;
    /** How often the follower looks for a new head when it is caught up. */
    pollMs: number;
    /** The largest log range asked of the node at once (halved when the node refuses). */
    pageBlocks: number;
    /** No collection's history is looked for below this block (nodes without history). */
    startBlock: bigint;
    /** Follow the Delegate Registry too, so a vault's holdings count for the wallets it delegates to. */
    delegations: boolean;
  };
  /** Where the server may send brands' webhooks: private, loopback and link-local addresses, plain http (a local demo). */
  webhooks: { allowPrivate: boolean; allowHttp: boolean };
  /** How long a session lookup may be reused; see {@link createAuthService}. */
  sessionCacheMs: number;
  /** How often the store forgets used nonces and ended sessions past their expiry. */
  pruneIntervalMs: number;
  /**
   * The secret nonce and session signing keys derive from. null: keys the store makes and keeps
   * (zero setup; but then a copy of the database can sign sessions).
   */
  authSecret: string | null;
  corsOrigins: string[];
  authRateLimitPerMinute: number;
  /** Journey step attempts per member per minute (quiz answers and codes cannot be guessed by trying). */
  stepAttemptsPerMinute: number;
  /**
   * Journey step attempts per client address per minute that complete nothing (one that completes a
   * step gives its place back): wallets cost nothing, so a member's own limit alone lets one client
   * with many wallets guess a shared code many times over.
   */
  stepAttemptsPerIpPerMinute: number;
  /** Till code checks per credential (a staff session or an API key) per minute: a leaked till key cannot hammer the store. */
  tillVerifyPerMinute: number;
  bodyLimitBytes: number;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  trustProxy: boolean;
  /**
   * The secret brands' minter keys are sealed under (AES-256-GCM, key from HKDF). null: the server
   * keeps no minter keys, so no brand can have drops.
   */
  minterKeySecret: string | null;
  /** The operator's credential for creating brands on this deployment; null: no operator routes. */
  operatorToken: string | null;
  /** Per-brand bounds: live offers by kind (as each kind's declaration names its setting), distinct token types their rules read together. */
  brandMaxOffers: Readonly<Record<string, number>>;
  brandMaxTokenTypes: number;
  /** How long one brand's holdings read may hold up a member's listing before its entries show as unavailable. */
  listingReadTimeoutMs: number;
  /** How long a claim waits for its mint's receipt before answering 202 with the claim still pending. */
  mintTimeoutMs: number;
  /** How long a claim voucher stays valid after it is signed. */
  voucherTtlSeconds: number;
  /** How often unread pending claims and lapsed vouchers are settled from the chain. */
  claimSweepMs: number;
  /** The largest picture a brand may upload for a token type, in bytes. */
  imageMaxBytes: number;
  /** Most members one award airdrop transaction carries. */
  awardBatchMax: number;
  /** How long the award queue waits after a nudge (a completed journey), so awards completed together share a batch. */
  awardDelayMs: number;
  /** How often the award queue settles sent batches and sends what is pending, nudged or not. */
  awardIntervalMs: number;
  /** Lifetime of a staff session (the console, the till): shorter than a member's, a shift or so. */
  staffSessionTtlSeconds: number;
  /**
   * How long a staff member's role (owner from the chain, or the brand's staff list) may be reused
   * before it is read again: an owner whose admin role was revoked, or removed staff, lose access
   * within this time.
   */
  staffRoleCacheMs: number;
  /** How long an entitlement (a signed statement of a member's standing with a brand) is valid. */
  entitlementTtlSeconds: number;
  /** How often entitlements are signed with a new key (the previous stays published while its tokens live). */
  entitlementKeyRotationDays: number;
};

export class ConfigError extends Error {
  override name = "ConfigError";
  readonly problems: string[];

  constructor(problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.problems = problems;
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** Reads and validates the configuration; throws {@link ConfigError} listing every problem. */
export function loadConfig(env: Env = process.env, overrides: Partial<Config> = {}): Config {
  const problems: string[] = [];
  const read = new Reader(env, problems);

  const host = read.string("HOST", "127.0.0.1");
  const port = read.int("PORT", 8787, 0, 65_535);
  const publicUrl = read.url("PUBLIC_URL", `http://localhost:${port}`);
  const siweUri = read.url("SIWE_URI", publicUrl?.origin ?? "http://localhost");
  const config: Config = {
    host,
    port,
    publicUrl: publicUrl ?? new URL("http://localhost"),
    siweDomain: read.string("SIWE_DOMAIN", siweUri?.host ?? "localhost"),
    siweUri: siweUri ?? new URL("http://localhost"),
    siweStatement: read.string("SIWE_STATEMENT", "Sign in to see your memberships and perks."),
    chainId: read.int("CHAIN_ID", 31337, 1, Number.MAX_SAFE_INTEGER),
    rpcUrl: read.url("RPC_URL", "http://127.0.0.1:8545")?.toString() ?? "",
    collections: read.addresses("COLLECTIONS"),
    databaseUrl: read.databaseUrl("DATABASE_URL", "sqlite:.stampbook/stampbook.db"),
    databasePoolSize: read.int("DATABASE_POOL_SIZE", 10, 1, 1_000),
    databaseTimeoutMs: read.int("DATABASE_TIMEOUT_MS", 10_000, 1_000, 600_000),
    leaseTtlMs: read.int("LEASE_TTL_MS", 5_000, 1_000, 300_000),
    webhookLeaseMs: read.int("WEBHOOK_LEASE_MS", 60_000, 1_000, 3_600_000),
    shutdownTimeoutMs: read.int("SHUTDOWN_TIMEOUT_MS", 10_000, 0, 600_000),
    redisUrl: read.redisUrl("REDIS_URL"),
    nonceTtlSeconds: read.int("NONCE_TTL_SECONDS", 300, 10, 3600),
    sessionTtlSeconds: read.int("SESSION_TTL_SECONDS", 86_400, 60, 30 * 86_400),
    clockSkewSeconds: read.int("CLOCK_SKEW_SECONDS", 60, 0, 600),
    ownershipCacheMs: read.int("OWNERSHIP_CACHE_MS", 5_000, 0, 300_000),
    sessionCacheMs: read.int("SESSION_CACHE_MS", 2_000, 0, 60_000),
    chainIndex: {
      enabled: read.bool("CHAIN_INDEX", true),
      confirmations: read.int("CONFIRMATIONS", 0, 0, 10_000),
      maxLagBlocks: read.int("INDEX_MAX_LAG_BLOCKS", 2, 0, 100_000),
      pollMs: read.int("INDEX_POLL_MS", 1_000, 10, 600_000),
      pageBlocks: read.int("INDEX_PAGE_BLOCKS", 2_000, 1, 1_000_000),
      startBlock: BigInt(read.int("INDEX_START_BLOCK", 0, 0, Number.MAX_SAFE_INTEGER)),
      delegations: read.bool("DELEGATIONS", true),
    },
    webhooks: { allowPrivate: read.bool("WEBHOOK_ALLOW_PRIVATE", false), allowHttp: read.bool("WEBHOOK_ALLOW_HTTP", false) },
    pruneIntervalMs: read.int("PRUNE_INTERVAL_MS", 60_000, 10, 86_400_000),
    authSecret: read.secret("AUTH_SECRET", 32),
    corsOrigins: read.list("CORS_ORIGINS"),
    authRateLimitPerMinute: read.int("AUTH_RATE_LIMIT_PER_MINUTE", 60, 1, 1_000_000),
    stepAttemptsPerMinute: read.int("STEP_ATTEMPTS_PER_MINUTE", 20, 1, 1_000_000),
    stepAttemptsPerIpPerMinute: read.int("STEP_ATTEMPTS_PER_IP_PER_MINUTE", 120, 1, 1_000_000),
    tillVerifyPerMinute: read.int("TILL_VERIFY_PER_MINUTE", 120, 1, 1_000_000),
    bodyLimitBytes: read.int("BODY_LIMIT_BYTES", 64 * 1024, 1024, 10 * 1024 * 1024),
    logLevel: read.oneOf("LOG_LEVEL", LOG_LEVELS, "info"),
    trustProxy: read.bool("TRUST_PROXY", false),
    minterKeySecret: read.secret("MINTER_KEY_SECRET", 32),
    operatorToken: read.token("OPERATOR_TOKEN", 32),
    brandMaxOffers: { perk: read.int("BRAND_MAX_PERKS", 100, 1, 100_000), drop: read.int("BRAND_MAX_DROPS", 100, 1, 100_000) },
    brandMaxTokenTypes: read.int("BRAND_MAX_TOKEN_TYPES", 256, 1, 100_000),
    listingReadTimeoutMs: read.int("LISTING_READ_TIMEOUT_MS", 2_000, 10, 60_000),
    mintTimeoutMs: read.int("MINT_TIMEOUT_MS", 30_000, 100, 600_000),
    voucherTtlSeconds: read.int("VOUCHER_TTL_SECONDS", 3_600, 60, 30 * 86_400),
    claimSweepMs: read.int("CLAIM_SWEEP_MS", 30_000, 10, 86_400_000),
    imageMaxBytes: read.int("IMAGE_MAX_BYTES", 512 * 1024, 1024, 10 * 1024 * 1024),
    // 500 recipients take ~14.5M gas: well inside a 30M block.
    awardBatchMax: read.int("AWARD_BATCH_MAX", 200, 1, 500),
    awardDelayMs: read.int("AWARD_DELAY_MS", 250, 0, 60_000),
    awardIntervalMs: read.int("AWARD_INTERVAL_MS", 2_000, 10, 86_400_000),
    staffSessionTtlSeconds: read.int("STAFF_SESSION_TTL_SECONDS", 28_800, 60, 30 * 86_400),
    staffRoleCacheMs: read.int("STAFF_ROLE_CACHE_MS", 30_000, 0, 30_000),
    entitlementTtlSeconds: read.int("ENTITLEMENT_TTL_SECONDS", 300, 10, 3_600),
    entitlementKeyRotationDays: read.int("ENTITLEMENT_KEY_ROTATION_DAYS", 30, 1, 365),
    ...overrides,
  };
  config.collections = config.collections.map((c) => getAddress(c));
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

class Reader {
  private readonly env: Env;
  private readonly problems: string[];

  constructor(env: Env, problems: string[]) {
    this.env = env;
    this.problems = problems;
  }

  private raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === "" ? undefined : value;
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!/^-?\d+$/.test(value) || n < min || n > max) {
      this.problems.push(`${name} must be a whole number from ${min} to ${max} (got "${value}")`);
      return fallback;
    }
    return n;
  }

  bool(name: string, fallback: boolean): boolean {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (value === "true" || value === "1") return true;
    if (value === "false" || value === "0") return false;
    this.problems.push(`${name} must be true or false (got "${value}")`);
    return fallback;
  }

  url(name: string, fallback: string): URL | undefined {
    const value = this.raw(name) ?? fallback;
    try {
      const url = new URL(value);
      if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("protocol");
      return url;
    } catch {
      this.problems.push(`${name} must be an http(s) URL (got "${value}")`);
      return undefined;
    }
  }

  list(name: string): string[] {
    return (this.raw(name) ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  }

  addresses(name: string): Address[] {
    return this.list(name).flatMap((value) => {
      if (isAddress(value, { strict: false })) return [getAddress(value)];
      this.problems.push(`${name} must be a comma-separated list of 0x addresses (got "${value}")`);
      return [];
    });
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.problems.push(`${name} must be one of ${allowed.join(", ")} (got "${value}")`);
    return fallback;
  }

  /** A secret of at least `minLength` characters, or null when unset. The value is never echoed. */
  secret(name: string, minLength: number): string | null {
    const value = this.raw(name);
    if (value === undefined) return null;
    if (value.length < minLength) {
      this.problems.push(`${name} must be at least ${minLength} characters, e.g. from: openssl rand -base64 32 (value not shown)`);
      return null;
    }
    return value;
  }

  /** A bearer token: at least `minLength` characters a bearer header can carry, or null when unset. Never echoed. */
  token(name: string, minLength: number): string | null {
    const value = this.secret(name, minLength);
    if (value !== null && !/^[A-Za-z0-9_\-.~+/]+=*$/.test(value)) {
      this.problems.push(`${name} may hold only letters, digits and - . _ ~ + / = (value not shown)`);
      return null;
    }
    return value;
  }

  databaseUrl(name: string, fallback: string): string {
    const value = this.raw(name) ?? fallback;
    if (value.startsWith("sqlite:") && value.length > "sqlite:".length) return value;
    if (/^postgres(ql)?:\/\/./.test(value) && URL.canParse(value)) return value;
    // The value may hold a password: it is not echoed.
    this.problems.push(`${name} must be sqlite:<path>, sqlite::memory: or postgres://user@host:port/database`);
    return fallback;
  }

  /** An optional `redis://` or `rediss://` URL with a host and at most a database number for a path. */
  redisUrl(name: string): string | null {
    const value = this.raw(name);
    if (value === undefined) return null;
    const url = URL.canParse(value) ? new URL(value) : null;
    if (url !== null && (url.protocol === "redis:" || url.protocol === "rediss:") && url.hostname !== "" && /^(\/\d*)?$/.test(url.pathname) && url.search === "" && url.hash === "") return value;
    // The value may hold a password: it is not echoed.
    this.problems.push(`${name} must be redis://[user:password@]host[:port][/db] or rediss://… for TLS (value not shown)`);
    return null;
  }
}
