/**
 * A collection's transfer history for index benchmarks: deploys a StampbookCollection on the chain
 * behind `rpcUrl` (dev account 0 is its admin and minter) and gives it at least `events` ERC-1155
 * transfer events in the mix a brand's collection sees:
 *   - airdrops (`airdrop(id, recipients, amount)`, one TransferSingle per recipient): the bulk, to a
 *     pool of members (a few hundred holders with keys, who trade, and addresses that only receive);
 *   - membership mints (`mint`: TransferSingle and MembershipExtended), one per holder at most;
 *   - holder-to-holder `safeTransferFrom` (TransferSingle) and `safeBatchTransferFrom` (TransferBatch,
 *     two or three ids), sent by the holders themselves, a fifth of them to receive-only addresses;
 *   - a few burns: vouchers redeemed (`redeem`) and units burned (`burn`).
 * The history runs in epochs (airdrops and mints, then transfer rounds, then burns) so that the
 * kinds interleave along the chain as they would over a collection's life.
 *
 * Everything is deterministic for given `events` and `perTransaction`: the holders' keys derive from
 * fixed strings, the choices from a seeded generator. Transactions are signed here with managed
 * nonces and sent without waiting for their receipts; a holder sends at most one transaction per
 * round and spends only what it held when the round began, so no transaction depends on another of
 * the same round. On a chain that mines every transaction at once (Hardhat's and Anvil's default)
 * each lands in its own block, as a collection's transactions mostly do on a public chain.
 *
 * The returned count is read back from the chain (TransferSingle + TransferBatch logs, a
 * TransferBatch counting once) and must equal the planned count: a reverted transaction fails here.
 *
 * Long because the plan (epochs, rounds, who may send what), the signing with managed nonces and the
 * check against the chain must agree with each other, so they live in one file.
 */
import {
  BaseError,
  createPublicClient,
  defineChain,
  encodeDeployData,
  encodeFunctionData,
  getAddress,
  http,
  keccak256,
  parseEther,
  parseGwei,
  ResponseBodyTooLargeError,
  stringToHex,
  toEventSelector,
  toHex,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
} from "viem";
import { privateKeyToAccount, type LocalAccount } from "viem/accounts";
import { stampbookCollectionAbi } from "../../contracts/bindings/stampbookCollectionAbi.ts";
import { stampbookCollectionBytecode } from "../../contracts/bindings/stampbookCollectionBytecode.ts";
import { TOKEN_KIND } from "../../contracts/bindings/tokenTypes.ts";
import { devAccount } from "../demo/accounts.ts";
import { seededRandom } from "../seeded-random.ts";

export type TransferHistory = {
  collection: Address;
  deployBlock: bigint;
  toBlock: bigint;
  /** TransferSingle + TransferBatch logs of the collection on chain (a TransferBatch counts once). */
  events: number;
  /** Every address the history gives units to: the holders with keys first, then the receive-only ones. */
  holders: Address[];
  tokenIds: bigint[];
  /** What the history is made of, as planned (and checked against the chain's count). */
  mix: TransferMix;
};

export type TransferMix = {
  airdrops: number;
  airdropEvents: number;
  membershipMints: number;
  transfers: number;
  batchTransfers: number;
  redeems: number;
  burns: number;
  holdersWithKeys: number;
  receiveOnlyAddresses: number;
  transactions: number;
};

/** The collection's types: three transferable collectibles and one transferable, expiring membership. */
export const HISTORY_TOKEN_TYPES = [
  { key: "stamp", kind: TOKEN_KIND.collectible, maxSupply: 0n, duration: 0, consumable: false },
  { key: "voucher", kind: TOKEN_KIND.collectible, maxSupply: 0n, duration: 0, consumable: true },
  { key: "edition", kind: TOKEN_KIND.collectible, maxSupply: 100_000_000n, duration: 0, consumable: false },
  { key: "membership", kind: TOKEN_KIND.membership, maxSupply: 0n, duration: 30 * 24 * 3600, consumable: false },
] as const;
const COLLECTIBLES = [1n, 2n, 3n];
const VOUCHER = 2n;
const MEMBERSHIP = 4n;

/** Gas limits, generous (unused gas is not paid) so that no estimate is asked for. */
const GAS = {
  createType: 400_000n,
  fund: 21_000n,
  mint: 150_000n,
  transfer: 150_000n,
  batchTransfer: 300_000n,
  burn: 120_000n,
  airdropBase: 100_000n,
  airdropPerRecipient: 40_000n,
};
/** 350 recipients stay under the 16,777,216 gas a transaction may use since Osaka (EIP-7825). */
const MAX_PER_TRANSACTION = 350;
const MAX_HOLDERS_WITH_KEYS = 300;
/** Transactions in flight at once (different senders). */
const IN_FLIGHT = 8;

/** A key that signs locally and numbers its transactions itself. */
type Sender = { account: LocalAccount; nonce: number; last?: Hex };
type Fees = { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint };
type Call = { to: Address; data?: Hex; value?: bigint; gas: bigint };

const random = seededRandom;

/** The i-th holder with a key: the same on every run. Never use these keys on a real chain. */
export function historyHolderKey(i: number): Hex {
  return keccak256(stringToHex(`stampbook bench holder ${i}`));
}

function receiveOnlyAddress(i: number): Address {
  return getAddress(`0x${keccak256(stringToHex(`stampbook bench member ${i}`)).slice(26)}`);
}

async function runLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export async function makeTransferHistory(options: { rpcUrl: string; chain: Chain; events: number; perTransaction?: number }): Promise<TransferHistory> {
  const perTransaction = options.perTransaction ?? 250;
  if (!Number.isInteger(options.events) || options.events < 1) throw new Error(`events must be a positive integer, got ${options.events}`);
  if (!Number.isInteger(perTransaction) || perTransaction < 1 || perTransaction > MAX_PER_TRANSACTION) {
    throw new Error(`perTransaction must be 1 to ${MAX_PER_TRANSACTION} (more recipients need more gas than a transaction may use), got ${perTransaction}`);
  }
  const { chain } = options;
  const client = createPublicClient({ chain, transport: http(options.rpcUrl) }) as PublicClient;

  // ------------------------------------------------------------------ plan sizes
  const E = options.events;
  const holderCount = Math.min(MAX_HOLDERS_WITH_KEYS, Math.max(10, Math.ceil(E / 60)));
  const membershipTarget = Math.min(holderCount, Math.max(1, Math.round(E * 0.015)));
  const transferTarget = Math.max(2, Math.round(E * 0.08));
  const burnTarget = Math.max(1, Math.round(E * 0.005));
  const airdropEventTarget = Math.max(1, E - membershipTarget - transferTarget - burnTarget);
  // Each address receives about four airdrops over the history; the pool is at least one airdrop wide.
  const poolSize = Math.max(holderCount, perTransaction, Math.ceil(airdropEventTarget / 4));
  const airdropCount = Math.ceil(airdropEventTarget / perTransaction);
  const epochs = Math.min(4, airdropCount);

  // ------------------------------------------------------------------ accounts
  const admin: Sender = { account: devAccount(0).account, nonce: await client.getTransactionCount({ address: devAccount(0).account.address, blockTag: "pending" }) };
  const holders: Sender[] = Array.from({ length: holderCount }, (_, i) => ({ account: privateKeyToAccount(historyHolderKey(i)), nonce: 0 }));
  await runLimited(holders, IN_FLIGHT, async (h) => {
    h.nonce = await client.getTransactionCount({ address: h.account.address, blockTag: "pending" });
  });
  const holderAddresses = holders.map((h) => h.account.address);
  const receiveOnly = Array.from({ length: poolSize - holderCount }, (_, i) => receiveOnlyAddress(i));
  // Airdrop recipients in the order drops reach them: the holders with keys spread evenly among the others.
  const pool: Address[] = [];
  {
    const stride = poolSize / holderCount;
    let h = 0;
    let r = 0;
    for (let i = 0; i < poolSize; i++) {
      if (h < holderCount && i >= Math.floor(h * stride)) pool.push(holderAddresses[h++]!);
      else pool.push(receiveOnly[r++]!);
    }
  }

  // ------------------------------------------------------------------ sending
  let fees: Fees = { maxFeePerGas: parseGwei("10"), maxPriorityFeePerGas: parseGwei("1") };
  const refreshFees = async () => {
    const block = await client.getBlock({ blockTag: "latest" });
    const base = block.baseFeePerGas ?? parseGwei("1");
    const tip = parseGwei("1");
    fees = { maxFeePerGas: base * 3n + tip, maxPriorityFeePerGas: tip };
  };
  let transactions = 0;
  const send = async (sender: Sender, call: Call): Promise<Hex> => {
    const signed = await sender.account.signTransaction({
      chainId: chain.id,
      type: "eip1559",
      nonce: sender.nonce,
      to: call.to,
      data: call.data,
      value: call.value ?? 0n,
      gas: call.gas,
      ...fees,
    });
    sender.nonce++;
    const hash = await client.request({ method: "eth_sendRawTransaction", params: [signed] });
    sender.last = hash;
    transactions++;
    return hash;
  };
  /**
   * Waits until every sender's last transaction is mined, and fails if it reverted (on a chain that
   * mines at once, a reverting transaction already fails its send; the event count at the end
   * catches any other).
   */
  const settle = async (senders: Sender[]) => {
    await runLimited(senders.filter((s) => s.last !== undefined), IN_FLIGHT, async (s) => {
      const receipt = await client.waitForTransactionReceipt({ hash: s.last!, pollingInterval: 50 });
      if (receipt.status !== "success") throw new Error(`transfer history: transaction ${s.last} from ${s.account.address} reverted`);
      s.last = undefined;
    });
  };

  await refreshFees();

  // ------------------------------------------------------------------ collection and types
  const deployData = encodeDeployData({
    abi: stampbookCollectionAbi,
    bytecode: stampbookCollectionBytecode,
    args: ["Bench Coffee Club", "BCC", admin.account.address, admin.account.address, "", 250n],
  });
  const deployGas = await client.estimateGas({ account: admin.account.address, data: deployData });
  const signedDeploy = await admin.account.signTransaction({ chainId: chain.id, type: "eip1559", nonce: admin.nonce++, data: deployData, gas: deployGas + deployGas / 5n, ...fees });
  transactions++;
  const deployment = await client.waitForTransactionReceipt({ hash: await client.request({ method: "eth_sendRawTransaction", params: [signedDeploy] }), pollingInterval: 50 });
  if (deployment.status !== "success" || !deployment.contractAddress) throw new Error("transfer history: the collection's deployment failed");
  const collection = getAddress(deployment.contractAddress);
  const deployBlock = deployment.blockNumber;
  const call = (data: Hex, gas: bigint): Call => ({ to: collection, data, gas });

  for (const t of HISTORY_TOKEN_TYPES) {
    const config = { kind: t.kind, maxSupply: t.maxSupply, duration: t.duration, soulbound: false, consumable: t.consumable, renewalPrice: 0n, points: 10n, uri: "" };
    await send(admin, call(encodeFunctionData({ abi: stampbookCollectionAbi, functionName: "createTokenType", args: [config] }), GAS.createType));
  }
  // Gas money for the holders who send transactions.
  for (const h of holders) await send(admin, { to: h.account.address, value: parseEther("1"), gas: GAS.fund });
  await settle([admin]);

  // ------------------------------------------------------------------ the model of who holds what
  const balances = new Map<Address, Map<bigint, bigint>>();
  const balanceOf = (a: Address, id: bigint) => balances.get(a)?.get(id) ?? 0n;
  const credit = (a: Address, id: bigint, amount: bigint) => {
    let row = balances.get(a);
    if (!row) balances.set(a, (row = new Map()));
    row.set(id, (row.get(id) ?? 0n) + amount);
  };

  const rng = random(0x5a17b00c ^ E ^ (perTransaction << 20));
  const mix: TransferMix = { airdrops: 0, airdropEvents: 0, membershipMints: 0, transfers: 0, batchTransfers: 0, redeems: 0, burns: 0, holdersWithKeys: holderCount, receiveOnlyAddresses: receiveOnly.length, transactions: 0 };
  const planned = () => mix.airdropEvents + mix.membershipMints + mix.transfers + mix.batchTransfers + mix.redeems + mix.burns;
  let poolCursor = 0;

  const airdrop = async (recipientCount: number) => {
    const k = mix.airdrops;
    const id = COLLECTIBLES[k % COLLECTIBLES.length]!;
    const amount = [1n, 1n, 2n, 3n][k % 4]!;
    const recipients: Address[] = [];
    for (let i = 0; i < recipientCount; i++) {
      recipients.push(pool[poolCursor]!);
      poolCursor = (poolCursor + 1) % pool.length;
    }
    for (const to of recipients) credit(to, id, amount);
    const gas = GAS.airdropBase + GAS.airdropPerRecipient * BigInt(recipientCount);
    await send(admin, call(encodeFunctionData({ abi: stampbookCollectionAbi, functionName: "airdrop", args: [id, recipients, amount] }), gas));
    mix.airdrops++;
    mix.airdropEvents += recipientCount;
  };

  /** A holder's transaction in a round, and the units it gives (credited once the round is mined). */
  type Move = { call: Call; gifts: Array<[Address, bigint, bigint]> };
  type Chooser = (h: Sender, available: (id: bigint) => bigint, spend: (id: bigint, amount: bigint) => void) => Move | undefined;

  /**
   * One round: every chosen holder sends one transaction, spending only what it held when the round
   * began (what it receives in the round counts from the next one). Returns how many were sent.
   */
  const round = async (wanted: number, choose: Chooser) => {
    const moves: Array<[Sender, Move, Map<bigint, bigint>]> = [];
    const order = rng.shuffled(holders);
    for (const h of order) {
      if (moves.length >= wanted) break;
      const a = h.account.address;
      const spent = new Map<bigint, bigint>();
      const move = choose(
        h,
        (id) => balanceOf(a, id) - (spent.get(id) ?? 0n),
        (id, amount) => spent.set(id, (spent.get(id) ?? 0n) + amount),
      );
      if (move) moves.push([h, move, spent]);
    }
    await runLimited(moves, IN_FLIGHT, async ([h, move]) => {
      await send(h, move.call);
    });
    await settle(moves.map(([h]) => h));
    for (const [h, move, spent] of moves) {
      for (const [id, amount] of spent) credit(h.account.address, id, -amount);
      for (const [to, id, amount] of move.gifts) credit(to, id, amount);
    }
    return moves.length;
  };

  const recipientFor = (from: Address) => {
    if (receiveOnly.length > 0 && rng.next() < 0.2) return rng.pick(receiveOnly);
    let to = rng.pick(holderAddresses);
    while (to === from && holderAddresses.length > 1) to = rng.pick(holderAddresses);
    return to;
  };

  const chooseTransfer: Chooser = (h, available, spend) => {
    const from = h.account.address;
    const held = COLLECTIBLES.filter((id) => available(id) > 0n);
    if (held.length === 0) return undefined;
    const to = recipientFor(from);
    const amountOf = (id: bigint) => 1n + BigInt(rng.int(Number(available(id) < 3n ? available(id) : 3n)));
    if (held.length >= 2 && rng.next() < 0.3) {
      const ids = rng.shuffled(held).slice(0, 2 + rng.int(held.length - 1));
      const amounts = ids.map(amountOf);
      ids.forEach((id, i) => spend(id, amounts[i]!));
      mix.batchTransfers++;
      return {
        call: call(encodeFunctionData({ abi: stampbookCollectionAbi, functionName: "safeBatchTransferFrom", args: [from, to, ids, amounts, "0x"] }), GAS.batchTransfer),
        gifts: ids.map((id, i) => [to, id, amounts[i]!] as [Address, bigint, bigint]),
      };
    }
    const id = rng.pick(held);
    const amount = amountOf(id);
    spend(id, amount);
    mix.transfers++;
    return { call: call(encodeFunctionData({ abi: stampbookCollectionAbi, functionName: "safeTransferFrom", args: [from, to, id, amount, "0x"] }), GAS.transfer), gifts: [[to, id, amount]] };
  };

  const chooseBurn: Chooser = (h, available, spend) => {
    const from = h.account.address;
    if (available(VOUCHER) > 0n) {
      spend(VOUCHER, 1n);
      mix.redeems++;
      const ref = keccak256(toHex(`order ${mix.redeems}`));
      return { call: call(encodeFunctionData({ abi: stampbookCollectionAbi, functionName: "redeem", args: [VOUCHER, 1n, ref] }), GAS.burn), gifts: [] };
    }
    const held = COLLECTIBLES.filter((id) => available(id) > 0n);
    if (held.length === 0) return undefined;
    const id = rng.pick(held);
    spend(id, 1n);
    mix.burns++;
    return { call: call(encodeFunctionData({ abi: stampbookCollectionAbi, functionName: "burn", args: [from, id, 1n] }), GAS.burn), gifts: [] };
  };

  const rounds = async (count: number, choose: Chooser) => {
    let left = count;
    while (left > 0) {
      const sent = await round(left, choose);
      if (sent === 0) break;
      left -= sent;
    }
  };

  // ------------------------------------------------------------------ epochs
  const share = (total: number, epoch: number) => Math.floor((total * (epoch + 1)) / epochs) - Math.floor((total * epoch) / epochs);
  let airdropEventsLeft = airdropEventTarget;
  let memberships = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    await refreshFees();
    const drops = share(airdropCount, epoch);
    for (let d = 0; d < drops && airdropEventsLeft > 0; d++) {
      const n = Math.min(perTransaction, airdropEventsLeft);
      await airdrop(n);
      airdropEventsLeft -= n;
    }
    for (let m = 0; m < share(membershipTarget, epoch); m++) {
      const to = holderAddresses[memberships++]!;
      credit(to, MEMBERSHIP, 1n);
      await send(admin, call(encodeFunctionData({ abi: stampbookCollectionAbi, functionName: "mint", args: [to, MEMBERSHIP, 1n] }), GAS.mint));
      mix.membershipMints++;
    }
    await settle([admin]);
    await rounds(share(transferTarget, epoch), chooseTransfer);
    await rounds(share(burnTarget, epoch), chooseBurn);
  }
  // Whatever could not be planned (holders with nothing left to send) is made up by more airdrops.
  while (planned() < E) await airdrop(Math.min(perTransaction, E - planned()));
  await settle([admin]);

  // ------------------------------------------------------------------ read back
  const toBlock = await client.getBlockNumber();
  const events = await countTransferEvents(client, collection, deployBlock, toBlock);
  mix.transactions = transactions;
  if (events !== planned()) throw new Error(`transfer history: planned ${planned()} transfer events, the chain has ${events}`);
  return { collection, deployBlock, toBlock, events, holders: [...holderAddresses, ...receiveOnly], tokenIds: HISTORY_TOKEN_TYPES.map((_, i) => BigInt(i + 1)), mix };
}

const TRANSFER_EVENTS = stampbookCollectionAbi.filter((item) => item.type === "event" && (item.name === "TransferSingle" || item.name === "TransferBatch"));

/**
 * What `read` returns for every block from `fromBlock` to `toBlock`, asked `range` blocks at a time; a
 * range whose answer is too large for the client is asked for in halves.
 */
async function inRanges<T>(fromBlock: bigint, toBlock: bigint, range: bigint, read: (from: bigint, to: bigint) => Promise<T[]>): Promise<T[]> {
  const split = async (from: bigint, to: bigint): Promise<T[]> => {
    try {
      return await read(from, to);
    } catch (error) {
      const tooLarge = error instanceof BaseError && error.walk((e) => e instanceof ResponseBodyTooLargeError) !== null;
      if (!tooLarge || from === to) throw error;
      const middle = (from + to) / 2n;
      return [...(await split(from, middle)), ...(await split(middle + 1n, to))];
    }
  };
  const all: T[] = [];
  for (let start = fromBlock; start <= toBlock; start += range) all.push(...(await split(start, start + range - 1n < toBlock ? start + range - 1n : toBlock)));
  return all;
}

/** The collection's TransferSingle and TransferBatch logs from `fromBlock` to `toBlock`, decoded. */
export function transferLogs(client: PublicClient, collection: Address, fromBlock: bigint, toBlock: bigint) {
  return inRanges(fromBlock, toBlock, 200n, (from, to) => client.getLogs({ address: collection, events: TRANSFER_EVENTS, fromBlock: from, toBlock: to, strict: true }));
}

/** How many TransferSingle and TransferBatch logs the collection has in the blocks: counted, not decoded. */
async function countTransferEvents(client: PublicClient, collection: Address, fromBlock: bigint, toBlock: bigint) {
  const topics = TRANSFER_EVENTS.map((event) => toEventSelector(event));
  const counts = await inRanges(fromBlock, toBlock, 200n, async (from, to) => {
    const logs = await client.request({ method: "eth_getLogs", params: [{ address: collection, topics: [topics], fromBlock: toHex(from), toBlock: toHex(to) }] });
    return [logs.length];
  });
  return counts.reduce((sum, n) => sum + n, 0);
}

/** The local chain (chain id 31337) behind `rpcUrl`, as viem takes it. */
export function localChain(rpcUrl: string): Chain {
  return defineChain({ id: 31337, name: "local", nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [rpcUrl] } } });
}

/**
 * What the chain says of a history, for checking an index of it: every holder's balance of every
 * token id (`balanceOfBatch`, keyed `holder:id` with the holder in lower case) and how many blocks
 * hold its transfer events.
 */
export async function readHistory(options: { rpcUrl: string; chain: Chain }, history: TransferHistory) {
  const client = createPublicClient({ chain: options.chain, transport: http(options.rpcUrl) }) as PublicClient;
  const pairs = history.holders.flatMap((holder) => history.tokenIds.map((id) => [holder, id] as const));
  const balances = new Map<string, bigint>();
  for (let i = 0; i < pairs.length; i += 500) {
    const chunk = pairs.slice(i, i + 500);
    const amounts = await client.readContract({ address: history.collection, abi: stampbookCollectionAbi, functionName: "balanceOfBatch", args: [chunk.map(([h]) => h), chunk.map(([, id]) => id)] });
    chunk.forEach(([holder, id], j) => balances.set(`${holder.toLowerCase()}:${id}`, amounts[j]!));
  }
  const logs = await transferLogs(client, history.collection, history.deployBlock, history.toBlock);
  return { balances, blocksWithEvents: new Set(logs.map((l) => l.blockNumber)).size };
}

/** Balances per holder and token id that a list of transfer logs implies, keyed as {@link readHistory} keys them (the zero address left out). */
export function balancesFromLogs(logs: Awaited<ReturnType<typeof transferLogs>>) {
  const balances = new Map<string, bigint>();
  const add = (holder: Address, id: bigint, amount: bigint) => {
    if (holder === "0x0000000000000000000000000000000000000000") return;
    const key = `${holder.toLowerCase()}:${id}`;
    balances.set(key, (balances.get(key) ?? 0n) + amount);
  };
  for (const log of logs) {
    if (log.eventName === "TransferSingle") {
      add(log.args.from, log.args.id, -log.args.value);
      add(log.args.to, log.args.id, log.args.value);
    } else {
      log.args.ids.forEach((id, i) => {
        add(log.args.from, id, -log.args.values[i]!);
        add(log.args.to, id, log.args.values[i]!);
      });
    }
  }
  return balances;
}
