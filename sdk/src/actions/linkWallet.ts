import type { Address } from "viem";
import type { Client } from "../types/client.ts";
import { NotSignedInError } from "../errors/session.ts";
import type { Session } from "../protocol/auth.ts";
import type { WalletInput } from "../wallets/toWallet.ts";
import type { StampbookWallet } from "../wallets/types.ts";
import { signIn, type SignInErrorType } from "./signIn.ts";

export type LinkWalletParameters = { wallet: WalletInput };
export type LinkWalletReturnType = {
  /** The new session, for the new wallet's address. */
  session: Session;
  address: Address;
  /** The address signed in before (e.g. the embedded wallet's). */
  previousAddress: Address;
  /** The wallet used before; for an embedded wallet, still holding its key (export or forget it). */
  previousWallet: StampbookWallet | undefined;
};
export type LinkWalletErrorType = SignInErrorType;

/**
 * Moves a signed-in member to a real wallet, typically from the embedded wallet they started with.
 *
 * What "link" means here: the client signs in with the new wallet (one more signature), revokes the
 * previous session, makes the new wallet the client's wallet and emits `accountChanged`. Sessions and
 * perks follow the new address from then on. Nothing moves on chain: tokens held by the previous
 * address stay there (soulbound ones cannot move at all, and moving the rest needs gas the embedded
 * address does not have). The embedded key is NOT deleted, so the member can still
 * `exportPrivateKey()` it into the new wallet and move what is transferable, then `forget()` it.
 * The server keeps no record tying the two addresses. If the new wallet's signature is refused,
 * nothing changes: the previous session stays.
 *
 * @example
 * const embedded = await createEmbeddedWallet({ storage: localStorage });
 * const client = createStampbookClient({ apiUrl, wallet: embedded });
 * await client.signIn();
 * // later, the member installs a wallet:
 * const { previousAddress, address } = await client.linkWallet({ wallet: window.ethereum });
 */
export async function linkWallet(client: Client, parameters: LinkWalletParameters): Promise<LinkWalletReturnType> {
  const previous = client.session;
  if (!previous) throw new NotSignedInError({ action: "linkWallet" });
  const previousWallet = client.wallet;
  const session = await signIn(client, { wallet: parameters.wallet });
  if (session.address !== previous.address) client.emit("accountChanged", { address: session.address, previousAddress: previous.address });
  return { session, address: session.address, previousAddress: previous.address, previousWallet };
}
