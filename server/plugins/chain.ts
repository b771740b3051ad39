/**
 * Decorates the instance with a viem public client for the configured chain, the ownership reader
 * and the reader of collections' token types.
 */
import fp from "fastify-plugin";
import type { FastifyInstance } from "fastify";
import { createPublicClient, http, type PublicClient } from "viem";
import { createTokenTypeReader, type TokenTypeReader } from "../chain/token-types.ts";
import { createOwnershipReader, type OwnershipReader } from "../chain/ownership.ts";
import { createIndexedOwnershipReader, type IndexedOwnershipReader } from "../chain/index/reader.ts";
import { createDelegateReader, type DelegateReader } from "../chain/delegates.ts";

declare module "fastify" {
  interface FastifyInstance {
    chain: {
      client: PublicClient;
      /** The index's reader (its lag), or null when CHAIN_INDEX is off. */
      index: IndexedOwnershipReader | null;
      ownership: OwnershipReader;
      /** Whose vaults count for a member; null without the index following the Delegate Registry. */
      delegates: DelegateReader | null;
      tokenTypes: TokenTypeReader;
    };
  }
}

/** @param options.timeoutMs how long one request (or batch) may take before it fails; default 5 s. */
export function createChainClient(rpcUrl: string, chainId: number, options: { timeoutMs?: number } = {}): PublicClient {
  return createPublicClient({
    chain: {
      id: chainId,
      name: `chain ${chainId}`,
      nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
      rpcUrls: { default: { http: [rpcUrl] } },
    },
    // Fail fast: a gate that waits on a dead RPC helps nobody, and the answer is a 503 either way.
    // Requests issued together (a block and holdingsOf per collection) travel as one JSON-RPC batch.
    // A node that hangs costs at most two time-outs: nothing waits on it for ever (the index's follower neither).
    transport: http(rpcUrl, { retryCount: 1, timeout: options.timeoutMs ?? 5_000, batch: { wait: 0 } }),
  });
}

export const chainPlugin = fp(
  async (app: FastifyInstance, opts: { client: PublicClient; ownershipCacheMs: number; ownership?: OwnershipReader }) => {
    const { chainIndex } = app.config;
    const fromChain = createOwnershipReader(opts.client, { cacheMs: opts.ownershipCacheMs });
    // With the index on, gates read it while it keeps up with the chain, and the chain when it does not.
    const indexed = chainIndex.enabled
      ? createIndexedOwnershipReader({
          store: app.store,
          client: opts.client,
          chain: fromChain,
          maxLagBlocks: chainIndex.maxLagBlocks,
          // Display reads may reuse a head this old: OWNERSHIP_CACHE_MS says how stale they may be, a second at most.
          headCacheMs: Math.min(opts.ownershipCacheMs, 1_000),
        })
      : null;
    app.decorate("chain", {
      client: opts.client,
      index: indexed,
      ownership: opts.ownership ?? indexed ?? fromChain,
      delegates:
        chainIndex.enabled && chainIndex.delegations
          ? createDelegateReader({
              store: app.store,
              client: opts.client,
              cacheMs: Math.min(opts.ownershipCacheMs, 1_000),
              onUnconfirmed: (delegation, error) => app.log.warn({ vault: delegation.vault, err: error }, "a delegation could not be confirmed on chain: the vault does not count just now"),
            })
          : null,
      // A collection's token types change only when its brand adds one: read again every 30 seconds.
      tokenTypes: createTokenTypeReader(opts.client, { ttlMs: 30_000 }),
    });
  },
  { name: "chain", fastify: "5.x", dependencies: ["context", "storage"] },
);
