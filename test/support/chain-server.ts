/**
 * A local chain served over HTTP from this process (Hardhat's EDR), with the demo collection
 * deployed on it (and so the Delegate Registry at its canonical address: deployDemoCollection puts
 * it there), for tests whose API instances run as their own processes and reach the chain by RPC.
 * Dev account 0 deployed the collection: it is its admin and a minter.
 */
import { network } from "hardhat";
import { createPublicClient, createWalletClient, defineChain, http } from "viem";
import { devAccount } from "../../scripts/demo/accounts.ts";
import { deployDemoCollection } from "../../scripts/demo/seed.ts";
import { freePort } from "../../scripts/free-port.ts";

export async function startChainServer() {
  const server = await network.createServer("default", "127.0.0.1", await freePort());
  const { port } = await server.listen();
  const rpcUrl = `http://127.0.0.1:${port}`;
  const chain = defineChain({ id: 31337, name: "local", nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [rpcUrl] } } });
  const { collection } = await deployDemoCollection({ rpcUrl, chain });
  const publicClient = createPublicClient({ chain, transport: http(rpcUrl) });
  const admin = createWalletClient({ account: devAccount(0).account, chain, transport: http(rpcUrl) });
  return { server, port, rpcUrl, chain, collection, publicClient, admin };
}

export type ChainServer = Awaited<ReturnType<typeof startChainServer>>;
