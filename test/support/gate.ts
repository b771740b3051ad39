/**
 * The API for gate tests: the demo chain, the API listening on a loopback port (its public URL, SIWE
 * domain and URI that origin) with the brand's storefront origin registered, and a signed-in SDK
 * client whose requests carry that origin, as a browser on the storefront would send them.
 */
import { getAddress, type Address } from "viem";
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { freePort } from "../../scripts/free-port.ts";
import { createStampbookClient } from "../../sdk/src/client.ts";
import { memoryStorage } from "../../sdk/src/storage.ts";
import type { StampbookClient } from "../../sdk/src/types/client.ts";
import type { Config } from "../../server/config.ts";
import { startChain, type DemoChain } from "./chain.ts";
import { registerOrigins } from "./origins.ts";
import { startServer, type TestServer } from "./server.ts";

export const SHOP = "http://shop.localhost:3000";
export const OPERATOR_TOKEN = "operator-token-for-gate-tests-0123456789abcdef";

export type GateStack = { chain: DemoChain; server: TestServer; apiUrl: string; collection: Address; close(): Promise<void> };

/** `prepare` runs on the app before it listens (hooks cannot be added after). */
export async function startGateStack(overrides: Partial<Config> = {}, prepare: (app: TestServer["app"]) => void = () => {}): Promise<GateStack> {
  const chain = await startChain();
  const port = await freePort();
  const apiUrl = `http://127.0.0.1:${port}`;
  const server = await startServer(chain, { siweDomain: `127.0.0.1:${port}`, siweUri: new URL(apiUrl), publicUrl: new URL(apiUrl), operatorToken: OPERATOR_TOKEN, ...overrides });
  prepare(server.app);
  await registerOrigins(server.app, server.apiKey, [SHOP]);
  await server.app.listen({ port, host: "127.0.0.1" });
  return { chain, server, apiUrl, collection: getAddress(chain.collection.address), close: () => server.close() };
}

/** A member signed in through the SDK from the storefront's origin. */
export async function memberOn(stack: GateStack, account: PrivateKeyAccount = privateKeyToAccount(generatePrivateKey())): Promise<{ client: StampbookClient; account: PrivateKeyAccount }> {
  const client = createStampbookClient({
    apiUrl: stack.apiUrl,
    wallet: account,
    storage: memoryStorage(),
    retryDelay: 10,
    pollingInterval: 20,
    // As a browser on the storefront sends it.
    fetch: (input, init) => globalThis.fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), origin: SHOP } }),
  });
  await client.signIn();
  return { client, account };
}
