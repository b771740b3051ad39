/**
 * Where delegate.xyz's Delegate Registry v2 lives: one address on every chain it is deployed to (it
 * was created through a CREATE2 factory with a fixed salt). A vault delegates to a hot wallet there,
 * and the vault's holdings count for that wallet. Local chains get a stand-in at the same address
 * (contracts/local/LocalDelegateRegistry.sol, installed by scripts/demo/delegate-registry.ts).
 */
import type { Address } from "viem";

/** The registry's canonical address, checksummed. */
export const DELEGATE_REGISTRY_ADDRESS: Address = "0x00000000000000447e69651d841bD8D104Bed493";
