/**
 * Deploys a StampbookCollection with Hardhat Ignition to a running chain and prints its address.
 *
 *   npm run deploy                       # to http://127.0.0.1:8545 (RPC_URL overrides)
 *   COLLECTION_NAME="Acme Club" npm run deploy
 */
import { rm } from "node:fs/promises";
import { network } from "hardhat";
import StampbookCollectionModule from "./ignition/modules/StampbookCollection.ts";

const LOCAL_CHAIN_ID = 31337;

const connection = await network.create(process.env.HARDHAT_NETWORK ?? "localhost");
const publicClient = await connection.viem.getPublicClient();
const chainId = await publicClient.getChainId();

// A local node starts empty every time, so an earlier local deployment journal is stale.
if (chainId === LOCAL_CHAIN_ID) {
  await rm(new URL(`./ignition/deployments/chain-${LOCAL_CHAIN_ID}`, import.meta.url), { recursive: true, force: true });
}

const { collection } = await connection.ignition.deploy(StampbookCollectionModule, {
  displayUi: false,
  parameters: {
    StampbookCollection: {
      name: process.env.COLLECTION_NAME ?? "Stampbook Demo",
      symbol: process.env.COLLECTION_SYMBOL ?? "STAMP",
      contractURI: process.env.COLLECTION_CONTRACT_URI ?? "",
    },
  },
});

console.log(`StampbookCollection deployed on chain ${chainId} at ${collection.address}`);
