/** The API on a {@link DemoChain}, with an in-memory store, a brand API key and a sign-in helper. */
import type { FastifyInstance } from "fastify";
import type { PublicClient, WalletClient, Address, Hex } from "viem";
import { createSiweMessage } from "viem/siwe";
import { build } from "../../server/app.ts";
import { createBrand, issueApiKey } from "../../server/admin/brands.ts";
import { loadConfig, type Config } from "../../server/config.ts";
import { SqliteStore } from "../../server/storage/index.ts";
import type { DemoChain } from "./chain.ts";

export async function startServer(chain: DemoChain, overrides: Partial<Config> = {}, options: { client?: PublicClient } = {}) {
  const config = loadConfig(
    // Background sweeps stay out of the way unless a test asks for them (overrides).
    { PUBLIC_URL: "http://localhost:8787", DATABASE_URL: "sqlite::memory:", OWNERSHIP_CACHE_MS: "0", AUTH_RATE_LIMIT_PER_MINUTE: "100000", CLAIM_SWEEP_MS: "86400000" },
    { collections: [chain.collection.address], ...overrides },
  );
  const store = SqliteStore.open(":memory:");
  const app = await build({ config, store, client: options.client ?? (chain.publicClient as PublicClient), logger: false });
  const brand = await createBrand(store, "Demo Coffee Club");
  const { key: apiKey } = await issueApiKey(store, brand.id, "tests");

  /** Builds the message the server expects for `address` with a fresh nonce. */
  async function siweMessage(address: Address, fields: Partial<Parameters<typeof createSiweMessage>[0]> = {}): Promise<string> {
    const grant = (await app.inject({ method: "GET", url: "/v1/auth/nonce" })).json();
    return createSiweMessage({
      address,
      domain: grant.domain,
      uri: grant.uri,
      chainId: grant.chainId,
      nonce: grant.nonce,
      statement: grant.statement,
      version: "1",
      issuedAt: new Date(grant.issuedAt),
      ...fields,
    });
  }

  /** Signs in `wallet`'s account and returns its bearer token. */
  async function signIn(wallet: WalletClient): Promise<string> {
    const account = wallet.account!;
    const message = await siweMessage(account.address);
    const signature: Hex = await wallet.signMessage({ account, message });
    const response = await app.inject({ method: "POST", url: "/v1/auth/verify", payload: { message, signature } });
    if (response.statusCode !== 200) throw new Error(`sign-in failed: ${response.body}`);
    return response.json().token;
  }

  async function close() {
    await app.close();
    await store.close();
  }

  return { app, store, config, brand, apiKey, siweMessage, signIn, close };
}

export type TestServer = Awaited<ReturnType<typeof startServer>>;

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export type App = FastifyInstance;
