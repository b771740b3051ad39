/** The API on a {@link DemoChain}, with an in-memory store, a brand API key and a sign-in helper. */
import type { FastifyInstance } from "fastify";
import type { PublicClient, WalletClient, Address, Hex } from "viem";
import { build } from "../../server/app.ts";
import { createBrand, issueApiKey } from "../../server/brands/accounts.ts";
import { loadConfig, type Config } from "../../server/config.ts";
import { SqliteStore, type Store } from "../../server/storage/index.ts";
import { DEMO_NAMES, DEMO_TYPES, type DemoChain } from "./chain.ts";
import { siweMessage as siweMessageFrom, siweSignIn, viaInject, type SiweFields } from "./siwe.ts";
import { setMinter } from "./tenancy.ts";

/** The secret minter keys are sealed under in tests. */
export const TEST_MINTER_KEY_SECRET = "test-minter-key-secret-0123456789abcdef";

export type StartServerOptions = {
  /** The chain client the API uses (default: the chain's own). */
  client?: PublicClient;
  /** The brand's minter key; without one the brand has no minter (drops answer minter_unavailable). */
  minterKey?: Hex;
  /** Leave the demo's token types without names (default: named as DEMO_NAMES says). */
  unnamed?: boolean;
  /** The store (default: a fresh in-memory SQLite store); closed with the server. */
  store?: Store;
  /** Environment variables on top of the tests' defaults. */
  env?: Record<string, string>;
};

/**
 * The API over `chain`, with the brand "Demo Coffee Club" owning the chain's collection. The
 * registration is written to the store directly, so that servers whose chain client is made to fail
 * still start; tenancy tests register through the API (test/support/tenancy.ts).
 */
export async function startServer(chain: DemoChain, overrides: Partial<Config> = {}, options: StartServerOptions = {}) {
  const config = loadConfig(
    // Background sweeps stay out of the way unless a test asks for them (overrides).
    {
      PUBLIC_URL: "http://localhost:8787",
      DATABASE_URL: "sqlite::memory:",
      OWNERSHIP_CACHE_MS: "0",
      AUTH_RATE_LIMIT_PER_MINUTE: "100000",
      STEP_ATTEMPTS_PER_MINUTE: "100000",
      CLAIM_SWEEP_MS: "86400000",
      MINTER_KEY_SECRET: TEST_MINTER_KEY_SECRET,
      ...options.env,
    },
    overrides,
  );
  const store = options.store ?? SqliteStore.open(":memory:");
  const app = await build({ config, store, client: options.client ?? (chain.publicClient as PublicClient), logger: false });
  const brand = await createBrand(store, "Demo Coffee Club");
  const { key: apiKey } = await issueApiKey(store, brand.id, "tests");
  const now = new Date().toISOString();
  await store.registerCollection({ brandId: brand.id, collection: chain.collection.address, admin: chain.brand.account.address, nonce: `setup-${crypto.randomUUID()}`, nonceExpiresAt: now, now });
  // Named as a brand names them: members read names, never token ids.
  for (const [type, id] of options.unnamed ? [] : Object.entries(DEMO_TYPES)) {
    const name = DEMO_NAMES[type as keyof typeof DEMO_TYPES];
    await store.putTokenMetadata({ brandId: brand.id, collection: chain.collection.address, tokenId: id.toString(), name, description: "", imageUrl: null, attributes: {}, now });
  }
  if (options.minterKey !== undefined) await setMinter(app, apiKey, options.minterKey);

  const call = viaInject(app);
  /** Builds the message the server expects for `address` with a fresh nonce. */
  const siweMessage = (address: Address, fields: SiweFields = {}): Promise<string> => siweMessageFrom(call, address, fields);
  /** Signs in `wallet`'s account and returns its bearer token. */
  const signIn = (wallet: WalletClient): Promise<string> => siweSignIn(call, wallet);

  async function close() {
    await app.close();
    await store.close();
  }

  return { app, store, config, brand, apiKey, siweMessage, signIn, close };
}

export type TestServer = Awaited<ReturnType<typeof startServer>>;

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export type App = FastifyInstance;
