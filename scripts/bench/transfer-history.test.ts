/**
 * The index benchmarks' transfer history on a chain served over HTTP: at least the events asked
 * for, of every kind, and balances on chain that are exactly what the logs say for every holder.
 */
import { network } from "hardhat";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createPublicClient, http, parseEventLogs, zeroAddress, type PublicClient } from "viem";
import { stampbookCollectionAbi } from "../../contracts/bindings/stampbookCollectionAbi.ts";
import { freePort } from "../free-port.ts";
import { balancesFromLogs, localChain, makeTransferHistory, readHistory, transferLogs } from "./transfer-history.ts";

let server: Awaited<ReturnType<typeof network.createServer>>;
let rpcUrl: string;

beforeAll(async () => {
  server = await network.createServer("default", "127.0.0.1", await freePort());
  const { port } = await server.listen();
  rpcUrl = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await server?.close();
});

test("makes at least the events asked for, and the logs account for every balance on chain", async () => {
  const chain = localChain(rpcUrl);
  const client = createPublicClient({ chain, transport: http(rpcUrl) }) as PublicClient;
  const history = await makeTransferHistory({ rpcUrl, chain, events: 600 });

  expect(history.events).toBeGreaterThanOrEqual(600);
  const logs = await transferLogs(client, history.collection, history.deployBlock, history.toBlock);
  expect(logs.length).toBe(history.events);

  // Every kind of the mix is there.
  const singles = logs.filter((l) => l.eventName === "TransferSingle");
  const batches = logs.filter((l) => l.eventName === "TransferBatch");
  expect(history.mix.airdrops).toBeGreaterThan(1);
  expect(batches.length).toBe(history.mix.batchTransfers);
  expect(batches.length).toBeGreaterThan(0);
  expect(singles.filter((l) => l.args.to === zeroAddress).length).toBe(history.mix.redeems + history.mix.burns);
  expect(singles.filter((l) => l.args.from !== zeroAddress && l.args.to !== zeroAddress).length).toBe(history.mix.transfers);
  expect(singles.filter((l) => l.args.from === zeroAddress && l.args.id === 4n).length).toBe(history.mix.membershipMints);
  expect(history.mix.membershipMints).toBeGreaterThan(0);
  const extended = parseEventLogs({
    abi: stampbookCollectionAbi,
    eventName: "MembershipExtended",
    logs: await client.getLogs({ address: history.collection, fromBlock: history.deployBlock, toBlock: history.toBlock }),
  });
  expect(extended.length).toBe(history.mix.membershipMints);

  // Everyone the logs name is a holder the history reports, and on chain every holder's balance of
  // every token id is what the logs imply.
  const implied = balancesFromLogs(logs);
  const { balances: onChain, blocksWithEvents } = await readHistory({ rpcUrl, chain }, history);
  expect(onChain.size).toBe(history.holders.length * history.tokenIds.length);
  for (const key of implied.keys()) expect(onChain.has(key)).toBe(true);
  const mismatches = [...onChain].filter(([key, amount]) => amount !== (implied.get(key) ?? 0n));
  expect(mismatches).toEqual([]);
  expect([...onChain.values()].filter((b) => b > 0n).length).toBeGreaterThan(200);
  expect(blocksWithEvents).toBe(new Set(logs.map((l) => l.blockNumber)).size);
}, 120_000);
