/**
 * The local chain's journal and replay (scripts/demo/local-chain.ts), in process: every kind of
 * transaction the chain takes (its own accounts', raw legacy with and without a chain id, access-list,
 * EIP-1559, EIP-7702, impersonated ones), state changes outside transactions (the Delegate Registry's
 * install among them), snapshots reverted,
 * hardhat_mine and blocks of several transactions come back with the same block hashes; a last line
 * cut short is dropped; a journal that replays differently is refused with a reason.
 */
import { appendFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { privateKeyToAccount } from "viem/accounts";
import { toHex, type Hex } from "viem";
import { DELEGATE_REGISTRY_ADDRESS } from "../contracts/bindings/index.ts";
import { delegateRegistryRuntimeCode, installDelegateRegistry } from "../scripts/demo/delegate-registry.ts";
import { newLocalChain, restoreLocalChain, type LocalChain } from "../scripts/demo/local-chain.ts";

const GHOST = "0x1234567890123456789012345678901234567890";
const SINK = "0x000000000000000000000000000000000000dEaD";
// Hardhat's development account 1: it signs locally here, as wallets and the API do.
const signer = privateKeyToAccount("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");

let dir: string;
let journalPath: string;
const unrestorable: string[] = [];
const options = () => ({ host: "127.0.0.1", port: 0, journalPath, onUnrestorable: (reason: string) => unrestorable.push(reason) });

/** A chain listening on a free port, and a JSON-RPC call to it. */
async function serve(chain: LocalChain) {
  const { port } = await chain.server.listen();
  return async (method: string, params: unknown[] = []): Promise<any> => {
    const response = await fetch(`http://127.0.0.1:${port}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
    const answer = await response.json();
    if (answer.error) throw new Error(`${method}: ${answer.error.message}`);
    return answer.result;
  };
}

/** What a restored chain must show again. */
async function snapshotOf(rpc: Awaited<ReturnType<typeof serve>>) {
  const head = Number(await rpc("eth_blockNumber"));
  const blocks = [];
  for (let n = 0; n <= head; n++) blocks.push((await rpc("eth_getBlockByNumber", [toHex(n), false])).hash);
  return {
    head,
    blocks,
    sink: await rpc("eth_getBalance", [SINK, "latest"]),
    ghost: await rpc("eth_getBalance", [GHOST, "latest"]),
    code: await rpc("eth_getCode", [signer.address, "latest"]),
    registry: await rpc("eth_getCode", [DELEGATE_REGISTRY_ADDRESS, "latest"]),
  };
}

let before: Awaited<ReturnType<typeof snapshotOf>>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "stampbook-journal-"));
  journalPath = join(dir, "chain-journal.ndjson");
  const chain = await newLocalChain(options());
  const rpc = await serve(chain);
  const [own] = await rpc("eth_accounts");
  const sign = async (tx: Record<string, unknown>) => {
    const nonce = Number(await rpc("eth_getTransactionCount", [signer.address, "pending"]));
    return rpc("eth_sendRawTransaction", [await signer.signTransaction({ to: SINK, value: 1n, gas: 100_000n, nonce, ...tx } as never)]);
  };

  await rpc("eth_sendTransaction", [{ from: own, to: SINK, value: "0x10" }]);
  await sign({ type: "legacy", gasPrice: 10n ** 10n });
  await sign({ type: "legacy", gasPrice: 10n ** 10n, chainId: 31337 });
  await sign({ type: "eip2930", gasPrice: 10n ** 10n, chainId: 31337, accessList: [{ address: SINK, storageKeys: [] }] });
  await sign({ type: "eip1559", maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 1n, chainId: 31337 });
  const nonce = Number(await rpc("eth_getTransactionCount", [signer.address, "pending"]));
  const authorization = await signer.signAuthorization({ chainId: 31337, address: SINK, nonce: nonce + 1 });
  await sign({ type: "eip7702", to: signer.address, value: 0n, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 1n, chainId: 31337, authorizationList: [authorization] });

  // Outside transactions, and someone the chain impersonates.
  await rpc("hardhat_setBalance", [GHOST, toHex(10n ** 18n)]);
  expect(await installDelegateRegistry({ request: ({ method, params }) => rpc(method, params) })).toBe("installed");
  await rpc("hardhat_impersonateAccount", [GHOST]);
  await rpc("eth_sendTransaction", [{ from: GHOST, to: SINK, value: "0x7" }]);
  await rpc("eth_sendTransaction", [{ from: GHOST, to: SINK, value: "0x7", gasPrice: toHex(10n ** 10n) }]);

  // Undone: it must not come back.
  const snapshot = await rpc("evm_snapshot");
  await rpc("hardhat_setBalance", [SINK, "0x5"]);
  await rpc("eth_sendTransaction", [{ from: own, to: SINK, value: "0x99" }]);
  await rpc("evm_revert", [snapshot]);

  await rpc("hardhat_mine", ["0x32", "0x3"]);
  await rpc("evm_setAutomine", [false]);
  await rpc("eth_sendTransaction", [{ from: own, to: SINK, value: "0x1" }]);
  await rpc("eth_sendTransaction", [{ from: GHOST, to: SINK, value: "0x2" }]);
  await rpc("evm_mine");
  await rpc("evm_setAutomine", [true]);

  before = await snapshotOf(rpc);
  await chain.close();
  // A kill in the middle of a write leaves half a line.
  await appendFile(journalPath, '{"block":99,"ti');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("the local chain's journal", () => {
  it("comes back block for block: same hashes, balances, code and impersonation; a half-written last line dropped", async () => {
    const chain = await restoreLocalChain(options());
    if (!("server" in chain)) throw new Error(chain.problem);
    const rpc = await serve(chain);
    try {
      expect(chain.restored?.blocks).toBe(before.head);
      const after = await snapshotOf(rpc);
      // One more block may bring the clock to now; the ones before are the same.
      expect(after.blocks.slice(0, before.head + 1)).toEqual(before.blocks);
      expect(after).toMatchObject({ sink: before.sink, ghost: before.ghost, code: before.code, registry: before.registry });
      expect(after.code).toMatch(/^0xef0100/i);
      expect(after.registry).toBe(await delegateRegistryRuntimeCode());
      await rpc("eth_sendTransaction", [{ from: GHOST, to: SINK, value: "0x3" }]);
      before = await snapshotOf(rpc);
    } finally {
      await chain.close();
    }
    const lines = (await readFile(journalPath, "utf8")).split("\n");
    expect(lines.pop()).toBe("");
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
  });

  it("goes on journaling after a restore: restored again, it has the blocks made since", async () => {
    const chain = await restoreLocalChain(options());
    if (!("server" in chain)) throw new Error(chain.problem);
    await serve(chain);
    await chain.close();
    expect(chain.restored?.blocks).toBe(before.head);
  });

  it("refuses a journal that replays differently, saying which block", async () => {
    const text = await readFile(journalPath, "utf8");
    const lines = text.split("\n");
    const i = lines.findIndex((l) => l.startsWith('{"block":3,'));
    lines[i] = lines[i]!.replace(/"hash":"0x[0-9a-f]+"/, `"hash":"0x${"ab".repeat(32)}"`);
    await writeFile(journalPath, lines.join("\n"));
    expect(await restoreLocalChain(options())).toEqual({ problem: "it could not be replayed: block 3 came back different", missing: false });
    await writeFile(journalPath, text);
  });

  it("no journal at all is told apart from an unusable one; nothing happened that a journal cannot replay", async () => {
    expect(await restoreLocalChain({ ...options(), journalPath: join(dir, "none.ndjson") })).toEqual({ problem: "there is no saved chain", missing: true });
    expect(unrestorable).toEqual([]);
  });
});
