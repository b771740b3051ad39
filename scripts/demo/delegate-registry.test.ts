/**
 * The Delegate Registry on a local chain (delegate-registry.ts), on an in-process Hardhat chain: the
 * install puts the code at the canonical address once, and a second one changes nothing; a vault
 * delegates to a hot wallet for its whole wallet, for one contract and for an amount of one ERC-1155
 * token id, and the registry's checks answer through the bindings' ABI as the published registry's
 * do; revoking takes each back; the events carry what a chain index needs, under the registry's own
 * event signatures.
 */
import { network } from "hardhat";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAddress, maxUint256, parseEventLogs, stringToHex, toEventSelector, toFunctionSelector, zeroHash, type Address, type Hex, type TransactionReceipt } from "viem";
import { DELEGATE_REGISTRY_ADDRESS, delegateRegistryAbi } from "../../contracts/bindings/index.ts";
import { DEMO_TYPES, startChain, type DemoChain } from "../../test/support/chain.ts";
import { delegateRegistryRuntimeCode, installDelegateRegistry } from "./delegate-registry.ts";

const registry = { address: DELEGATE_REGISTRY_ADDRESS, abi: delegateRegistryAbi } as const;
/** Rights that narrow a delegation to one purpose (zero rights are a full delegation). */
const STAMPBOOK_RIGHTS = stringToHex("stampbook", { size: 32 });

let chain: DemoChain;
let collection: Address;

beforeAll(async () => {
  chain = await startChain();
  collection = getAddress(chain.collection.address);
});

afterAll(async () => {
  await chain?.connection.close();
});

/** A vault and its hot wallet: a different pair of the chain's member accounts for each test. */
function pair(n: number) {
  const vault = chain.members[n * 2]!;
  const hot = chain.members[n * 2 + 1]!;
  // Checksummed, as decoded event arguments are.
  return { vault, hot, from: getAddress(vault.account.address), to: getAddress(hot.account.address) };
}

async function sent(hash: Hex): Promise<TransactionReceipt> {
  const receipt = await chain.publicClient.waitForTransactionReceipt({ hash });
  expect(receipt.status).toBe("success");
  return receipt;
}

const checkAll = (to: Address, from: Address, rights: Hex = zeroHash) => chain.publicClient.readContract({ ...registry, functionName: "checkDelegateForAll", args: [to, from, rights] });
const checkContract = (to: Address, from: Address, contract: Address, rights: Hex = zeroHash) =>
  chain.publicClient.readContract({ ...registry, functionName: "checkDelegateForContract", args: [to, from, contract, rights] });
const check1155 = (to: Address, from: Address, contract: Address, tokenId: bigint, rights: Hex = zeroHash) =>
  chain.publicClient.readContract({ ...registry, functionName: "checkDelegateForERC1155", args: [to, from, contract, tokenId, rights] });

describe("installing the Delegate Registry", () => {
  it("puts its runtime code at the canonical (checksummed) address once; a second install changes nothing", async () => {
    expect(DELEGATE_REGISTRY_ADDRESS).toBe(getAddress("0x00000000000000447e69651d841bd8d104bed493"));
    const bare = await network.create();
    try {
      const publicClient = await bare.viem.getPublicClient();
      expect(await publicClient.getCode({ address: DELEGATE_REGISTRY_ADDRESS })).toBeUndefined();
      const head = await publicClient.getBlockNumber();

      expect(await installDelegateRegistry(bare.provider)).toBe("installed");
      const code = await publicClient.getCode({ address: DELEGATE_REGISTRY_ADDRESS });
      expect(code).toBe(await delegateRegistryRuntimeCode());
      expect(code!.length).toBeGreaterThan(2);

      // Again, through a viem client this time: the code is left as it is and nothing is mined.
      expect(await installDelegateRegistry(publicClient)).toBe("present");
      expect(await publicClient.getCode({ address: DELEGATE_REGISTRY_ADDRESS })).toBe(code);
      expect(await publicClient.getBlockNumber()).toBe(head);

      // It works straight away: nothing to initialise.
      const [account] = await bare.viem.getWalletClients();
      expect(await publicClient.readContract({ ...registry, functionName: "checkDelegateForAll", args: [account!.account.address, account!.account.address, zeroHash] })).toBe(false);
    } finally {
      await bare.close();
    }
  });

  it("is on every test chain startChain makes", async () => {
    expect(await chain.publicClient.getCode({ address: DELEGATE_REGISTRY_ADDRESS })).toBe(await delegateRegistryRuntimeCode());
    expect(await installDelegateRegistry(chain.connection.provider)).toBe("present");
  });
});

describe("delegations", () => {
  it("for the whole wallet: every check says yes, for any contract, token and rights; revoked, every one says no", async () => {
    const { vault, from, to } = pair(0);
    expect(await checkAll(to, from)).toBe(false);
    await sent(await vault.writeContract({ ...registry, functionName: "delegateAll", args: [to, zeroHash, true] }));

    expect(await checkAll(to, from)).toBe(true);
    expect(await checkAll(to, from, STAMPBOOK_RIGHTS)).toBe(true);
    expect(await checkContract(to, from, collection)).toBe(true);
    expect(await check1155(to, from, collection, DEMO_TYPES.gold)).toBe(maxUint256);
    // One way only: the hot wallet did not delegate to the vault.
    expect(await checkAll(from, to)).toBe(false);

    await sent(await vault.writeContract({ ...registry, functionName: "delegateAll", args: [to, zeroHash, false] }));
    expect(await checkAll(to, from)).toBe(false);
    expect(await checkAll(to, from, STAMPBOOK_RIGHTS)).toBe(false);
    expect(await checkContract(to, from, collection)).toBe(false);
    expect(await check1155(to, from, collection, DEMO_TYPES.gold)).toBe(0n);
  });

  it("for one contract: that contract and its tokens, not the whole wallet nor another contract; revoked, none", async () => {
    const { vault, from, to } = pair(1);
    const other = chain.brand.account.address;
    await sent(await vault.writeContract({ ...registry, functionName: "delegateContract", args: [to, collection, zeroHash, true] }));

    expect(await checkContract(to, from, collection)).toBe(true);
    expect(await check1155(to, from, collection, DEMO_TYPES.stamp)).toBe(maxUint256);
    expect(await checkAll(to, from)).toBe(false);
    expect(await checkContract(to, from, other)).toBe(false);

    await sent(await vault.writeContract({ ...registry, functionName: "delegateContract", args: [to, collection, zeroHash, false] }));
    expect(await checkContract(to, from, collection)).toBe(false);
    expect(await check1155(to, from, collection, DEMO_TYPES.stamp)).toBe(0n);
  });

  it("for an amount of one ERC-1155 token id: that amount of that id only; a new amount replaces it, 0 revokes", async () => {
    const { vault, from, to } = pair(0);
    await sent(await vault.writeContract({ ...registry, functionName: "delegateERC1155", args: [to, collection, DEMO_TYPES.stamp, zeroHash, 3n] }));

    expect(await check1155(to, from, collection, DEMO_TYPES.stamp)).toBe(3n);
    expect(await check1155(to, from, collection, DEMO_TYPES.gold)).toBe(0n);
    expect(await checkContract(to, from, collection)).toBe(false);
    expect(await checkAll(to, from)).toBe(false);

    await sent(await vault.writeContract({ ...registry, functionName: "delegateERC1155", args: [to, collection, DEMO_TYPES.stamp, zeroHash, 1n] }));
    expect(await check1155(to, from, collection, DEMO_TYPES.stamp)).toBe(1n);

    await sent(await vault.writeContract({ ...registry, functionName: "delegateERC1155", args: [to, collection, DEMO_TYPES.stamp, zeroHash, 0n] }));
    expect(await check1155(to, from, collection, DEMO_TYPES.stamp)).toBe(0n);
  });

  it("with rights: seen by a check for those rights, not by one for a full delegation", async () => {
    const { vault, from, to } = pair(1);
    await sent(await vault.writeContract({ ...registry, functionName: "delegateAll", args: [to, STAMPBOOK_RIGHTS, true] }));
    await sent(await vault.writeContract({ ...registry, functionName: "delegateERC1155", args: [to, collection, DEMO_TYPES.coffee, STAMPBOOK_RIGHTS, 2n] }));

    expect(await checkAll(to, from)).toBe(false);
    expect(await checkAll(to, from, STAMPBOOK_RIGHTS)).toBe(true);
    expect(await checkContract(to, from, collection, STAMPBOOK_RIGHTS)).toBe(true);
    expect(await check1155(to, from, collection, DEMO_TYPES.coffee)).toBe(0n);
    expect(await check1155(to, from, collection, DEMO_TYPES.coffee, STAMPBOOK_RIGHTS)).toBe(maxUint256);

    await sent(await vault.writeContract({ ...registry, functionName: "delegateAll", args: [to, STAMPBOOK_RIGHTS, false] }));
    expect(await checkAll(to, from, STAMPBOOK_RIGHTS)).toBe(false);
    // The amount delegated with those rights is what is left.
    expect(await check1155(to, from, collection, DEMO_TYPES.coffee, STAMPBOOK_RIGHTS)).toBe(2n);
    await sent(await vault.writeContract({ ...registry, functionName: "delegateERC1155", args: [to, collection, DEMO_TYPES.coffee, STAMPBOOK_RIGHTS, 0n] }));
    expect(await check1155(to, from, collection, DEMO_TYPES.coffee, STAMPBOOK_RIGHTS)).toBe(0n);
  });
});

describe("the registry's events", () => {
  it("have the published registry's signatures, and its functions its selectors", () => {
    const events = Object.fromEntries(delegateRegistryAbi.filter((item) => item.type === "event").map((e) => [e.name, toEventSelector(e)]));
    expect(events).toEqual({
      DelegateAll: toEventSelector("DelegateAll(address,address,bytes32,bool)"),
      DelegateContract: toEventSelector("DelegateContract(address,address,address,bytes32,bool)"),
      DelegateERC1155: toEventSelector("DelegateERC1155(address,address,address,uint256,bytes32,uint256)"),
    });
    const functions = Object.fromEntries(delegateRegistryAbi.filter((item) => item.type === "function").map((f) => [f.name, toFunctionSelector(f)]));
    expect(functions).toEqual({
      delegateAll: toFunctionSelector("delegateAll(address,bytes32,bool)"),
      delegateContract: toFunctionSelector("delegateContract(address,address,bytes32,bool)"),
      delegateERC1155: toFunctionSelector("delegateERC1155(address,address,uint256,bytes32,uint256)"),
      checkDelegateForAll: toFunctionSelector("checkDelegateForAll(address,address,bytes32)"),
      checkDelegateForContract: toFunctionSelector("checkDelegateForContract(address,address,address,bytes32)"),
      checkDelegateForERC1155: toFunctionSelector("checkDelegateForERC1155(address,address,address,uint256,bytes32)"),
    });
  });

  it("carry who delegated to whom, for what, with which rights, and whether it was given or taken back (or the amount)", async () => {
    const { vault, from, to } = pair(0);
    const receipts = [
      await sent(await vault.writeContract({ ...registry, functionName: "delegateAll", args: [to, zeroHash, true] })),
      await sent(await vault.writeContract({ ...registry, functionName: "delegateAll", args: [to, zeroHash, false] })),
      await sent(await vault.writeContract({ ...registry, functionName: "delegateContract", args: [to, collection, STAMPBOOK_RIGHTS, true] })),
      await sent(await vault.writeContract({ ...registry, functionName: "delegateERC1155", args: [to, collection, DEMO_TYPES.founder, zeroHash, 7n] })),
      await sent(await vault.writeContract({ ...registry, functionName: "delegateERC1155", args: [to, collection, DEMO_TYPES.founder, zeroHash, 0n] })),
    ];
    const logs = receipts.map((r) => {
      expect(r.logs).toHaveLength(1);
      expect(getAddress(r.logs[0]!.address)).toBe(DELEGATE_REGISTRY_ADDRESS);
      return parseEventLogs({ abi: delegateRegistryAbi, logs: r.logs })[0]!;
    });
    expect(logs.map(({ eventName, args }) => ({ eventName, args }))).toEqual([
      { eventName: "DelegateAll", args: { from, to, rights: zeroHash, enable: true } },
      { eventName: "DelegateAll", args: { from, to, rights: zeroHash, enable: false } },
      { eventName: "DelegateContract", args: { from, to, contract_: collection, rights: STAMPBOOK_RIGHTS, enable: true } },
      { eventName: "DelegateERC1155", args: { from, to, contract_: collection, tokenId: DEMO_TYPES.founder, rights: zeroHash, amount: 7n } },
      { eventName: "DelegateERC1155", args: { from, to, contract_: collection, tokenId: DEMO_TYPES.founder, rights: zeroHash, amount: 0n } },
    ]);
    // An index can ask for a vault's, a delegate's or a collection's delegations by topic: those are indexed.
    const erc1155 = receipts[3]!.logs[0]!;
    expect(erc1155.topics.slice(1).map((t) => getAddress(`0x${t!.slice(26)}`))).toEqual([from, to, collection]);
  });
});
