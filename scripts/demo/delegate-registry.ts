/**
 * Puts a Delegate Registry on a local development chain, at the address the registry has on every
 * public chain, so that delegations (a vault naming the hot wallet that signs in for it) work locally
 * as they do there. The code put there is contracts/local/LocalDelegateRegistry.sol's runtime code
 * (run `npm run compile` first): it has no constructor and no immutables, so `hardhat_setCode` alone
 * makes a working registry, with no deployment transaction and no account's nonce used.
 *
 * Idempotent: an address that already has code is left as it is (the stand-in from an earlier start,
 * or the published registry itself on a chain forked from one that has it). On the demo's journaled
 * chain (local-chain.ts) the `hardhat_setCode` is journaled like any other state change and replayed
 * on the next start.
 */
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Hex } from "viem";
import { DELEGATE_REGISTRY_ADDRESS } from "../../contracts/bindings/index.ts";

/**
 * An EIP-1193 provider, or anything with its `request`: a Hardhat connection's provider, a viem client.
 * Loosely typed: a viem client's `request` is typed for its own schema, which has no `hardhat_` methods.
 */
export type Eip1193Like = { request(args: { method: any; params?: any }): Promise<unknown> };

// A path, not a URL: environments that replace the URL global (happy-dom) hand readFile one it refuses.
const ARTIFACT = join(dirname(fileURLToPath(import.meta.url)), "../../artifacts/contracts/local/LocalDelegateRegistry.sol/LocalDelegateRegistry.json");

/** The stand-in's runtime code, from its compiled artifact. */
export async function delegateRegistryRuntimeCode(): Promise<Hex> {
  const text = await readFile(ARTIFACT, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") throw new Error(`${ARTIFACT} is missing: run \`npm run compile\` first`);
    throw error;
  });
  const { deployedBytecode } = JSON.parse(text) as { deployedBytecode: Hex };
  return deployedBytecode;
}

/**
 * Makes sure the chain behind `provider` has a Delegate Registry at DELEGATE_REGISTRY_ADDRESS:
 * `installed` when it put the stand-in there now, `present` when the address already had code.
 * The chain must answer `hardhat_setCode` (Hardhat, and Anvil) when there is none.
 */
export async function installDelegateRegistry(provider: Eip1193Like): Promise<"installed" | "present"> {
  const existing = (await provider.request({ method: "eth_getCode", params: [DELEGATE_REGISTRY_ADDRESS, "latest"] })) as Hex | null;
  if (existing && existing !== "0x") return "present";
  const code = await delegateRegistryRuntimeCode();
  await provider.request({ method: "hardhat_setCode", params: [DELEGATE_REGISTRY_ADDRESS, code] });
  return "installed";
}
