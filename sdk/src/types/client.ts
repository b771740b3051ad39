/**
 * The client's types: the configuration, the state every action works on ({@link Client}), its
 * events, and the bound client a storefront holds ({@link StampbookClient}), whose methods are the
 * actions by their own names, each taking one parameters object. Types only: the actions import
 * `Client` from here, and client.ts binds them.
 */
import type { Address } from "viem";
import type { ClaimDropParameters, ClaimDropReturnType } from "../actions/claimDrop.ts";
import type { CompleteStepParameters, CompleteStepReturnType } from "../actions/completeStep.ts";
import type { EraseDataReturnType } from "../actions/eraseData.ts";
import type { ExportDataReturnType } from "../actions/exportData.ts";
import type { GetAccessLogParameters, GetAccessLogReturnType } from "../actions/getAccessLog.ts";
import type { GetClaimParameters, GetClaimReturnType } from "../actions/getClaim.ts";
import type { GetConsentsReturnType } from "../actions/getConsents.ts";
import type { GetDataRequestsParameters, GetDataRequestsReturnType } from "../actions/getDataRequests.ts";
import type { GetDropsParameters, GetDropsReturnType } from "../actions/getDrops.ts";
import type { GetJourneysParameters, GetJourneysReturnType } from "../actions/getJourneys.ts";
import type { GetLevelsParameters, GetLevelsReturnType } from "../actions/getLevels.ts";
import type { GetMeReturnType } from "../actions/getMe.ts";
import type { GetEntitlementParameters, GetEntitlementReturnType } from "../actions/getEntitlement.ts";
import type { GetPerksParameters, GetPerksReturnType } from "../actions/getPerks.ts";
import type { GetProfileReturnType } from "../actions/getProfile.ts";
import type { GetRedemptionsParameters, GetRedemptionsReturnType } from "../actions/getRedemptions.ts";
import type { GrantConsentParameters, GrantConsentReturnType } from "../actions/grantConsent.ts";
import type { LinkWalletParameters, LinkWalletReturnType } from "../actions/linkWallet.ts";
import type { RedeemPerkParameters, RedeemPerkReturnType } from "../actions/redeemPerk.ts";
import type { RestoreSessionReturnType } from "../actions/restoreSession.ts";
import type { RevokeConsentParameters, RevokeConsentReturnType } from "../actions/revokeConsent.ts";
import type { SignInParameters, SignInReturnType } from "../actions/signIn.ts";
import type { SignOutReturnType } from "../actions/signOut.ts";
import type { SwitchChainParameters, SwitchChainReturnType } from "../actions/switchChain.ts";
import type { UpdateProfileParameters, UpdateProfileReturnType } from "../actions/updateProfile.ts";
import type { Session } from "../protocol/auth.ts";
import type { StampbookStorage } from "../storage.ts";
import type { WalletInput } from "../wallets/toWallet.ts";
import type { ChainConfig, StampbookWallet } from "../wallets/types.ts";

export type StampbookClientConfig = {
  /** The Stampbook API's base URL, e.g. "https://api.example.com". */
  apiUrl: string;
  /**
   * The brand whose storefront this is: perks, drops, journeys, levels and data requests are that
   * brand's. An action given `brand: null` lists every brand's (a member's view across programs).
   * Without it, the client lists every brand's and `getLevels` needs a `brandId`.
   */
  brand?: string;
  /**
   * The member's wallet: an EIP-1193 provider (`window.ethereum`), an entry of `discoverWallets()`, a
   * viem Account or WalletClient, an ethers Signer, or an embedded wallet. May be undefined (no wallet
   * installed): restoring a session still works, signing in throws `WalletNotFoundError`.
   */
  wallet?: WalletInput;
  /** Where the session is kept across reloads. Default: `localStorage` if the page has one, else memory. */
  storage?: StampbookStorage;
  /** Storage key of the session. Default: `stampbook:session:<apiUrl>`. */
  storageKey?: string;
  /** `fetch` to use (default: the global one). */
  fetch?: typeof globalThis.fetch;
  /** The API's chain as a wallet should add it (`wallet_addEthereumChain`) if it does not know it. */
  chain?: ChainConfig;
  /** How long to wait for the wallet (a prompt, a signature), in ms. Default 60,000. */
  walletTimeout?: number;
  /** How long to wait for one API answer, in ms. Default 30,000. */
  requestTimeout?: number;
  /** Retries of requests that are safe to repeat (GETs; redeem and claim with their Idempotency-Key). Default 3. */
  retryCount?: number;
  /** First retry delay in ms, doubled on each retry. Default 250. */
  retryDelay?: number;
  /** How often a pending claim is polled, in ms. Default 1,000. */
  pollingInterval?: number;
};

export type SessionEndReason = "signedOut" | "accountChanged" | "disconnected" | "expired";

/** Events of {@link StampbookClient.on}. */
export type StampbookEvents = {
  signedIn: { session: Session };
  /** The session is gone: signed out, the wallet changed account or disconnected, or the server expired it. */
  sessionEnded: { reason: SessionEndReason; address: Address };
  /** The wallet now uses another account (null: none, e.g. locked or disconnected from the site). */
  accountChanged: { address: Address | null; previousAddress: Address | null };
};

/** The state actions work on. */
export type Client = {
  readonly apiUrl: string;
  /** The brand this client lists for (undefined: every brand). */
  readonly brand: string | undefined;
  readonly fetch: typeof globalThis.fetch;
  readonly storage: StampbookStorage;
  readonly storageKey: string;
  readonly chain: ChainConfig | undefined;
  readonly walletTimeout: number;
  readonly requestTimeout: number;
  readonly retryCount: number;
  readonly retryDelay: number;
  readonly pollingInterval: number;
  /** The wallet actions use; replace it with {@link Client.setWallet}. */
  readonly wallet: StampbookWallet | undefined;
  /** The member's session, or null. Set by signIn/restore, cleared by signOut and session ends. */
  session: Session | null;
  /** Uses another wallet from now on (and listens to its account events instead). */
  setWallet(wallet: WalletInput): void;
  emit<E extends keyof StampbookEvents>(event: E, payload: StampbookEvents[E]): void;
};

export type StampbookClient = Client & {
  /**
   * Listens to an event; returns the function that stops listening.
   * @example
   * client.on("sessionEnded", ({ reason }) => showSignIn(reason));
   */
  on<E extends keyof StampbookEvents>(event: E, listener: (payload: StampbookEvents[E]) => void): () => void;
  /** Stops listening to the wallet's events and drops every listener (the session stays stored). */
  destroy(): void;
  signIn(parameters?: SignInParameters): Promise<SignInReturnType>;
  signOut(): Promise<SignOutReturnType>;
  /** The session kept in storage, if the server still takes it (after a reload). */
  restoreSession(): Promise<RestoreSessionReturnType>;
  getMe(): Promise<GetMeReturnType>;
  /** A short-lived signed statement of the member's standing with a brand, for the brand's own server (see startServerSession). */
  getEntitlement(parameters?: GetEntitlementParameters): Promise<GetEntitlementReturnType>;
  getPerks(parameters?: GetPerksParameters): Promise<GetPerksReturnType>;
  redeemPerk(parameters: RedeemPerkParameters): Promise<RedeemPerkReturnType>;
  getRedemptions(parameters?: GetRedemptionsParameters): Promise<GetRedemptionsReturnType>;
  getDrops(parameters?: GetDropsParameters): Promise<GetDropsReturnType>;
  claimDrop(parameters: ClaimDropParameters): Promise<ClaimDropReturnType>;
  getClaim(parameters: GetClaimParameters): Promise<GetClaimReturnType>;
  getJourneys(parameters?: GetJourneysParameters): Promise<GetJourneysReturnType>;
  /** `input`: `{ answers }` for a quiz, `{ code }` for a code step, nothing for a hold step. */
  completeStep(parameters: CompleteStepParameters): Promise<CompleteStepReturnType>;
  getLevels(parameters?: GetLevelsParameters): Promise<GetLevelsReturnType>;
  linkWallet(parameters: LinkWalletParameters): Promise<LinkWalletReturnType>;
  switchChain(parameters: SwitchChainParameters): Promise<SwitchChainReturnType>;
  /** The member's own profile. */
  getProfile(): Promise<GetProfileReturnType>;
  /** Replaces the whole profile: pass all five keys (spread `getProfile()` to change one). */
  updateProfile(parameters: UpdateProfileParameters): Promise<UpdateProfileReturnType>;
  /** The brand's live data requests (every brand's without a brand), public. */
  getDataRequests(parameters?: GetDataRequestsParameters): Promise<GetDataRequestsReturnType>;
  /** Grants a data request with a signature, after checking the message against the request. */
  grantConsent(parameters: GrantConsentParameters): Promise<GrantConsentReturnType>;
  /** The member's grants with their receipts. */
  getConsents(): Promise<GetConsentsReturnType>;
  /** Revokes one of the member's grants. */
  revokeConsent(parameters: RevokeConsentParameters): Promise<RevokeConsentReturnType>;
  /** Every brand read of the member's data, a page at a time. */
  getAccessLog(parameters?: GetAccessLogParameters): Promise<GetAccessLogReturnType>;
  /** Everything kept about the member, as one JSON document. */
  exportData(): Promise<ExportDataReturnType>;
  /** Erases the member's data after a fresh signature; the session ends. */
  eraseData(): Promise<EraseDataReturnType>;
};
