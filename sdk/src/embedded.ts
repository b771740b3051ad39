/** `@stampbook/sdk/embedded`: the embedded wallet, in its own entry so only apps that use it bundle viem/accounts. */
export { createEmbeddedWallet, type CreateEmbeddedWalletParameters, type EmbeddedWallet } from "./wallets/embedded.ts";
