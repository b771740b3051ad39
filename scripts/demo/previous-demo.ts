/**
 * The demo a restored chain comes with, read back from the last run's manifest. Seeding again would
 * issue another API key and undo a developer's changes to the demo's levels or perks, so a restored
 * start uses the manifest's brand, key and accounts instead, once it has checked they still fit: the
 * same chain id, the collection on the chain, the API key accepted and the same minter behind it.
 */
import { readFile } from "node:fs/promises";
import type { FastifyInstance } from "fastify";
import { createPublicClient, getAddress, http, isAddress, type Address, type Hex } from "viem";

/** The demo as the manifest describes it. */
export type DemoSummary = {
  collection: Address;
  tokenTypes: Array<{ tokenId: string; key: string; name: string }>;
  brand: { id: string; name: string; apiKey: string; minterAddress: Address; adminAddress: Address; adminPrivateKey: Hex };
  accounts: Array<{ role: string; address: Address; privateKey: Hex; holdings: Record<string, string> }>;
  levels: Array<{ key: string; name: string; minPoints: number }>;
  perks: Array<{ id: string; title: string }>;
  drops: Array<{ id: string; title: string; mode: string }>;
  journeys: Array<{ id: string; title: string; steps: Array<{ id: string; kind: string; code?: string }> }>;
  dataRequests: Array<{ id: string; purpose: string; fields: string[]; perkId: string | null }>;
};

/** The demo of the manifest at `manifestPath`, if it still fits this chain and the API `app` serves; else undefined. */
export async function previousDemo(options: { manifestPath: string; chainId: number; rpcUrl: string; app: FastifyInstance }): Promise<DemoSummary | undefined> {
  let manifest: Partial<DemoSummary> & { chainId?: number; contracts?: { collections?: string[] } };
  try {
    manifest = JSON.parse(await readFile(options.manifestPath, "utf8"));
  } catch {
    return undefined;
  }
  const collection = manifest.contracts?.collections?.[0];
  const { brand } = manifest;
  if (manifest.chainId !== options.chainId || collection === undefined || !isAddress(collection) || !brand?.apiKey || !Array.isArray(manifest.accounts)) return undefined;
  if ((await createPublicClient({ transport: http(options.rpcUrl) }).getCode({ address: collection })) === undefined) return undefined;
  const answer = await options.app.inject({ method: "GET", url: "/v1/admin/minter", headers: { authorization: `Bearer ${brand.apiKey}` } });
  if (answer.statusCode !== 200 || answer.json().minter?.address?.toLowerCase() !== brand.minterAddress?.toLowerCase()) return undefined;
  return {
    collection: getAddress(collection),
    tokenTypes: manifest.tokenTypes ?? [],
    brand,
    accounts: manifest.accounts,
    levels: manifest.levels ?? [],
    perks: manifest.perks ?? [],
    drops: manifest.drops ?? [],
    journeys: manifest.journeys ?? [],
    dataRequests: manifest.dataRequests ?? [],
  };
}
