/**
 * `createStampbookClient` holds the configuration, the member's session and wallet, and binds the
 * actions in `./actions/` to itself (each action can also be called as `action(client, params)`).
 */
import type { Address } from "viem";
import { claimDrop, type ClaimDropParameters, type ClaimDropReturnType } from "./actions/claimDrop.ts";
import { completeStep, type CompleteStepReturnType, type StepInput } from "./actions/completeStep.ts";
import { eraseData, type EraseDataReturnType } from "./actions/eraseData.ts";
import { exportData, type ExportDataReturnType } from "./actions/exportData.ts";
import { getAccessLog, type GetAccessLogParameters, type GetAccessLogReturnType } from "./actions/getAccessLog.ts";
import { getClaim, type GetClaimReturnType } from "./actions/getClaim.ts";
import { getConsents, type GetConsentsReturnType } from "./actions/getConsents.ts";
import { getDataRequests, type GetDataRequestsReturnType } from "./actions/getDataRequests.ts";
import { getDrops, type GetDropsParameters, type GetDropsReturnType } from "./actions/getDrops.ts";
import { getJourneys, type GetJourneysReturnType } from "./actions/getJourneys.ts";
import { getLevels, type GetLevelsReturnType } from "./actions/getLevels.ts";
import { getMe, type GetMeReturnType } from "./actions/getMe.ts";
import { getPerks, type GetPerksParameters, type GetPerksReturnType } from "./actions/getPerks.ts";
import { getProfile, type GetProfileReturnType } from "./actions/getProfile.ts";
import { getRedemptions, type GetRedemptionsParameters, type GetRedemptionsReturnType } from "./actions/getRedemptions.ts";
import { grantConsent, type GrantConsentReturnType } from "./actions/grantConsent.ts";
import { linkWallet, type LinkWalletReturnType } from "./actions/linkWallet.ts";
import { redeemPerk, type RedeemPerkParameters, type RedeemPerkReturnType } from "./actions/redeemPerk.ts";
import { restoreSession, type RestoreSessionReturnType } from "./actions/restoreSession.ts";
import { revokeConsent, type RevokeConsentReturnType } from "./actions/revokeConsent.ts";
import { signIn, type SignInParameters, type SignInReturnType } from "./actions/signIn.ts";
import { signOut, type SignOutReturnType } from "./actions/signOut.ts";
import { switchChain } from "./actions/switchChain.ts";
import { updateProfile, type UpdateProfileParameters, type UpdateProfileReturnType } from "./actions/updateProfile.ts";
import { defaultStorage, type StampbookStorage } from "./storage.ts";
import type { Session } from "./protocol/auth.ts";
import { endSession } from "./utils/session.ts";
import { toWallet, type WalletInput } from "./wallets/toWallet.ts";
import type { ChainConfig, StampbookWallet } from "./wallets/types.ts";

export type StampbookClientConfig = {
  /** The Stampbook API's base URL, e.g. "https://api.example.com". */
  apiUrl: string;
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
  restore(): Promise<RestoreSessionReturnType>;
  me(): Promise<GetMeReturnType>;
  perks(parameters?: GetPerksParameters): Promise<GetPerksReturnType>;
  redeem(perkId: string, options?: Omit<RedeemPerkParameters, "perkId">): Promise<RedeemPerkReturnType>;
  redemptions(parameters?: GetRedemptionsParameters): Promise<GetRedemptionsReturnType>;
  drops(parameters?: GetDropsParameters): Promise<GetDropsReturnType>;
  claim(dropId: string, options?: Omit<ClaimDropParameters, "dropId">): Promise<ClaimDropReturnType>;
  getClaim(claimId: string): Promise<GetClaimReturnType>;
  journeys(): Promise<GetJourneysReturnType>;
  /** `input`: `{ answers }` for a quiz, `{ code }` for a code step, nothing for a hold step. */
  completeStep(journeyId: string, stepId: string, input?: StepInput): Promise<CompleteStepReturnType>;
  levels(brandId: string): Promise<GetLevelsReturnType>;
  linkWallet(wallet: WalletInput): Promise<LinkWalletReturnType>;
  switchChain(chainId: number): Promise<void>;
  /** The member's own profile. */
  profile(): Promise<GetProfileReturnType>;
  /** Replaces the whole profile: pass all five keys (spread `profile()` to change one). */
  updateProfile(profile: UpdateProfileParameters): Promise<UpdateProfileReturnType>;
  /** Every brand's live data requests (public). */
  dataRequests(): Promise<GetDataRequestsReturnType>;
  /** Grants a data request with a signature, after checking the message against the request. */
  grant(requestId: string): Promise<GrantConsentReturnType>;
  /** The member's grants with their receipts. */
  consents(): Promise<GetConsentsReturnType>;
  /** Revokes one of the member's grants. */
  revoke(consentId: string): Promise<RevokeConsentReturnType>;
  /** Every brand read of the member's data, a page at a time. */
  accessLog(parameters?: GetAccessLogParameters): Promise<GetAccessLogReturnType>;
  /** Everything kept about the member, as one JSON document. */
  exportData(): Promise<ExportDataReturnType>;
  /** Erases the member's data after a fresh signature; the session ends. */
  eraseData(): Promise<EraseDataReturnType>;
};

/**
 * Creates the client a storefront embeds: sign in with the member's wallet, restore the session
 * after a reload, list perks and redeem them, claim drops, follow journeys and complete their steps,
 * and let members manage their data: profile, consents to brands' data requests, access log, export, erasure.
 *
 * @example
 * import { createStampbookClient, discoverWallets } from "@stampbook/sdk";
 *
 * const [wallet] = await discoverWallets();
 * const client = createStampbookClient({ apiUrl: "https://api.example.com", wallet });
 * if (!(await client.restore())) await client.signIn();
 * const perks = await client.perks();
 * const redemption = await client.redeem(perks.find((p) => p.eligible)!.id);
 * console.log(redemption.code);
 */
export function createStampbookClient(config: StampbookClientConfig): StampbookClient {
  const apiUrl = config.apiUrl.replace(/\/+$/, "");
  const listeners = new Map<keyof StampbookEvents, Set<(payload: never) => void>>();
  let wallet: StampbookWallet | undefined;
  let unsubscribe = () => {};

  const client: StampbookClient = {
    apiUrl,
    fetch: config.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    storage: config.storage ?? defaultStorage(),
    storageKey: config.storageKey ?? `stampbook:session:${apiUrl}`,
    chain: config.chain,
    walletTimeout: config.walletTimeout ?? 60_000,
    requestTimeout: config.requestTimeout ?? 30_000,
    retryCount: config.retryCount ?? 3,
    retryDelay: config.retryDelay ?? 250,
    pollingInterval: config.pollingInterval ?? 1_000,
    get wallet() {
      return wallet;
    },
    session: null,
    setWallet(input) {
      unsubscribe();
      wallet = toWallet(input);
      unsubscribe = wallet?.subscribe?.({ accountsChanged: onAccountsChanged, disconnect: onDisconnect }) ?? (() => {});
    },
    emit(event, payload) {
      for (const listener of listeners.get(event) ?? []) {
        try {
          (listener as (p: typeof payload) => void)(payload);
        } catch {
          // a listener's bug must not break the SDK
        }
      }
    },
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as (payload: never) => void);
      return () => void set.delete(listener as (payload: never) => void);
    },
    destroy() {
      unsubscribe();
      unsubscribe = () => {};
      listeners.clear();
    },
    signIn: (parameters) => signIn(client, parameters),
    signOut: () => signOut(client),
    restore: () => restoreSession(client),
    me: () => getMe(client),
    perks: (parameters) => getPerks(client, parameters),
    redeem: (perkId, options) => redeemPerk(client, { ...options, perkId }),
    redemptions: (parameters) => getRedemptions(client, parameters),
    drops: (parameters) => getDrops(client, parameters),
    claim: (dropId, options) => claimDrop(client, { ...options, dropId }),
    getClaim: (claimId) => getClaim(client, { claimId }),
    journeys: () => getJourneys(client),
    completeStep: (journeyId, stepId, input) => completeStep(client, { journeyId, stepId, ...(input === undefined ? {} : { input }) }),
    levels: (brandId) => getLevels(client, { brandId }),
    linkWallet: (input) => linkWallet(client, { wallet: input }),
    switchChain: (chainId) => switchChain(client, { chainId }),
    profile: () => getProfile(client),
    updateProfile: (profile) => updateProfile(client, profile),
    dataRequests: () => getDataRequests(client),
    grant: (requestId) => grantConsent(client, { requestId }),
    consents: () => getConsents(client),
    revoke: (consentId) => revokeConsent(client, { consentId }),
    accessLog: (parameters) => getAccessLog(client, parameters),
    exportData: () => exportData(client),
    eraseData: () => eraseData(client),
  };

  function onAccountsChanged(accounts: Address[]) {
    const next = accounts[0] ?? null;
    const previous = client.session?.address ?? null;
    if (next !== null && next === previous) return;
    if (client.session) void endSession(client, next === null ? "disconnected" : "accountChanged", { revoke: true }).catch(() => {});
    client.emit("accountChanged", { address: next, previousAddress: previous });
  }

  function onDisconnect() {
    if (client.session) void endSession(client, "disconnected", { revoke: true }).catch(() => {});
  }

  client.setWallet(config.wallet);
  return client;
}
