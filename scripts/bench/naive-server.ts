/**
 * The baseline of bench:api: the API exactly as it ships, except that it learns what a member holds
 * the way most token-gating tutorials do, for every request: one `balanceOf` call per token type a
 * perk names and its `expiresAt` (for memberships), one after another, plus the latest block for the
 * time. No cache, no batching. Configured by the same environment variables as server/main.ts.
 */
import { createPublicClient, http, type Address } from "viem";
import { stampbookCollectionAbi } from "../../contracts/bindings/index.ts";
import { build } from "../../server/app.ts";
import type { OwnershipReader, OwnershipSnapshot } from "../../server/chain/ownership.ts";
import { loadConfig } from "../../server/config.ts";
import { holdingKey, type Holding, type LeafRule } from "../../server/rules/grammar.ts";

const config = loadConfig();
const client = createPublicClient({ transport: http(config.rpcUrl) });

async function readEachToken(member: Address, requirements: readonly LeafRule[]): Promise<OwnershipSnapshot> {
  const holdings = new Map<string, Holding>();
  for (const { collection, tokenId } of requirements) {
    const balance = await client.readContract({ address: collection, abi: stampbookCollectionAbi, functionName: "balanceOf", args: [member, tokenId] });
    const expiresAt = BigInt(await client.readContract({ address: collection, abi: stampbookCollectionAbi, functionName: "expiresAt", args: [member, tokenId] }));
    holdings.set(holdingKey(collection, tokenId), { balance, expiresAt });
  }
  // The benchmark's rules read no points: the naive baseline leaves them out.
  return { holdings, points: 0n, now: (await client.getBlock()).timestamp };
}

const ownership: OwnershipReader = { readFresh: readEachToken, readCached: readEachToken, cached: () => undefined, forget: () => {} };
const app = await build({ config, ownership });
await app.listen({ host: config.host, port: config.port });
