/**
 * The real thing for SDK tests: the in-process chain with the demo collection, and the API listening
 * on a loopback port (its SIWE domain and URI set to that origin), plus brand-side helpers.
 */
import { expect } from "vitest";
import { getAddress, type Address, type Hex } from "viem";
import { freePort } from "../../../scripts/free-port.ts";
import { startChain, type DemoChain } from "../chain.ts";
import { startServer, type TestServer } from "../server.ts";
import type { Config } from "../../../server/config.ts";
import { memoryStorage } from "../../../sdk/src/storage.ts";
import { createTestProvider, type TestProviderOptions } from "./provider.ts";

export type Stack = {
  chain: DemoChain;
  server: TestServer;
  apiUrl: string;
  collection: Address;
  /** Creates a perk with the brand's API key and returns it. */
  createPerk(input: { title?: string; rule: unknown; limits?: { perMember?: number | null; total?: number | null } }): Promise<{ id: string }>;
  /** Calls a brand (admin) route with the brand's API key; returns status and body. */
  admin(method: "GET" | "POST", path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** A test wallet whose transactions go to the chain. */
  provider(options?: TestProviderOptions): ReturnType<typeof createTestProvider>;
  /** GETs a member route with a raw bearer token (to check what the server thinks of it). */
  statusWith(token: string, path?: string): Promise<number>;
  close(): Promise<void>;
};

export type StackOptions = {
  /** The brand's minter key (it needs MINTER_ROLE on the demo collection); without one, drops answer minter_unavailable. */
  minterKey?: Hex;
};

/** The chain and the API; `overrides` go to the server's configuration. */
export async function startStack(overrides: Partial<Config> = {}, options: StackOptions = {}): Promise<Stack> {
  const chain = await startChain();
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const server = await startServer(
    chain,
    { siweDomain: `127.0.0.1:${port}`, siweUri: new URL(origin), publicUrl: new URL(origin), ...overrides },
    options.minterKey === undefined ? {} : { minterKey: options.minterKey },
  );
  await server.app.listen({ port, host: "127.0.0.1" });
  return {
    chain,
    server,
    apiUrl: origin,
    collection: getAddress(chain.collection.address),
    async createPerk(input) {
      const response = await fetch(`${origin}/v1/admin/perks`, {
        method: "POST",
        headers: { authorization: `Bearer ${server.apiKey}`, "content-type": "application/json" },
        body: JSON.stringify({ title: "A perk", ...input }),
      });
      const body = await response.json();
      expect(response.status, JSON.stringify(body)).toBe(201);
      return body;
    },
    async admin(method, path, body) {
      const response = await fetch(`${origin}${path}`, {
        method,
        headers: { authorization: `Bearer ${server.apiKey}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, body: await response.json() };
    },
    provider: (options = {}) => createTestProvider({ chainProvider: chain.connection.provider as never, ...options }),
    async statusWith(token, path = "/v1/me") {
      return (await fetch(`${origin}${path}`, { headers: { authorization: `Bearer ${token}` } })).status;
    },
    close: () => server.close(),
  };
}

/** Client options every test uses: memory storage, short delays. */
export const fastOptions = () => ({ storage: memoryStorage(), retryDelay: 10, pollingInterval: 20 });
