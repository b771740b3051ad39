/** A signer object, such as an ethers v6 Signer, as a {@link StampbookWallet} (duck-typed: ethers is not imported). */
import { getAddress, type Hex } from "viem";
import type { StampbookWallet } from "./types.ts";

/** The part of an ethers v6 `Signer` the SDK uses. `provider` and `sendTransaction` are needed only to send. */
export type SignerLike = {
  getAddress(): Promise<string>;
  signMessage(message: string): Promise<string>;
  sendTransaction?(request: { to: string; data: string; value: bigint }): Promise<{ hash: string }>;
  provider?: { getNetwork(): Promise<{ chainId: bigint | number }> } | null;
};

/**
 * Wraps anything with `getAddress()` and `signMessage(message)`: an ethers v6 `Signer`
 * (`new ethers.Wallet(key)`, `await browserProvider.getSigner()`) or the embedded wallet.
 * With a `provider` it can also send transactions (on the provider's chain; it cannot switch).
 *
 * @example
 * const client = createStampbookClient({ apiUrl, wallet: signerWallet(await browserProvider.getSigner()) });
 */
export function signerWallet(signer: SignerLike, kind: "signer" | "embedded" = "signer"): StampbookWallet {
  const provider = signer.provider ?? null;
  return {
    kind,
    requestAddress: async () => getAddress(await signer.getAddress()),
    getAddress: async () => getAddress(await signer.getAddress()),
    signMessage: async (message) => (await signer.signMessage(message)) as Hex,
    ...(provider && typeof provider.getNetwork === "function"
      ? { getChainId: async () => Number((await provider.getNetwork()).chainId) }
      : {}),
    ...(provider && typeof signer.sendTransaction === "function"
      ? { sendTransaction: async ({ to, data, value }) => (await signer.sendTransaction!({ to, data, value })).hash as Hex }
      : {}),
  };
}
