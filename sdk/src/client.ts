/**
 * `createStampbookClient` holds the configuration, the member's session and wallet, and binds the
 * actions in `./actions/` to itself under their own names (each can also be called as
 * `action(client, parameters)`). Its types are in ./types/client.ts.
 */
import type { Address } from "viem";
import { claimDrop } from "./actions/claimDrop.ts";
import { completeStep } from "./actions/completeStep.ts";
import { eraseData } from "./actions/eraseData.ts";
import { exportData } from "./actions/exportData.ts";
import { getAccessLog } from "./actions/getAccessLog.ts";
import { getClaim } from "./actions/getClaim.ts";
import { getConsents } from "./actions/getConsents.ts";
import { getDataRequests } from "./actions/getDataRequests.ts";
import { getDrops } from "./actions/getDrops.ts";
import { getEntitlement } from "./actions/getEntitlement.ts";
import { getJourneys } from "./actions/getJourneys.ts";
import { getLevels } from "./actions/getLevels.ts";
import { getMe } from "./actions/getMe.ts";
import { getPerks } from "./actions/getPerks.ts";
import { getProfile } from "./actions/getProfile.ts";
import { getRedemptions } from "./actions/getRedemptions.ts";
import { grantConsent } from "./actions/grantConsent.ts";
import { linkWallet } from "./actions/linkWallet.ts";
import { redeemPerk } from "./actions/redeemPerk.ts";
import { restoreSession } from "./actions/restoreSession.ts";
import { revokeConsent } from "./actions/revokeConsent.ts";
import { signIn } from "./actions/signIn.ts";
import { signOut } from "./actions/signOut.ts";
import { switchChain } from "./actions/switchChain.ts";
import { updateProfile } from "./actions/updateProfile.ts";
import { defaultStorage } from "./storage.ts";
import type { StampbookClient, StampbookClientConfig, StampbookEvents } from "./types/client.ts";
import { endSession } from "./utils/session.ts";
import { toWallet } from "./wallets/toWallet.ts";
import type { StampbookWallet } from "./wallets/types.ts";

export type { Client, SessionEndReason, StampbookClient, StampbookClientConfig, StampbookEvents } from "./types/client.ts";

/**
 * Creates the client a storefront embeds: sign in with the member's wallet, restore the session
 * after a reload, list perks and redeem them, claim drops, follow journeys and complete their steps,
 * and let members manage their data: profile, consents to brands' data requests, access log, export, erasure.
 *
 * @example
 * import { createStampbookClient, discoverWallets } from "@stampbook/sdk";
 *
 * const [wallet] = await discoverWallets();
 * const client = createStampbookClient({ apiUrl: "https://api.example.com", brand: "brand_42c40df8895c4f5a", wallet });
 * if (!(await client.restoreSession())) await client.signIn();
 * const perk = (await client.getPerks()).find((p) => p.redeemable);
 * if (perk) console.log((await client.redeemPerk({ perkId: perk.id })).code);
 */
export function createStampbookClient(config: StampbookClientConfig): StampbookClient {
  const apiUrl = config.apiUrl.replace(/\/+$/, "");
  const listeners = new Map<keyof StampbookEvents, Set<(payload: never) => void>>();
  let wallet: StampbookWallet | undefined;
  let unsubscribe = () => {};

  const client: StampbookClient = {
    apiUrl,
    brand: config.brand,
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
    restoreSession: () => restoreSession(client),
    getMe: () => getMe(client),
    getEntitlement: (parameters) => getEntitlement(client, parameters),
    getPerks: (parameters) => getPerks(client, parameters),
    redeemPerk: (parameters) => redeemPerk(client, parameters),
    getRedemptions: (parameters) => getRedemptions(client, parameters),
    getDrops: (parameters) => getDrops(client, parameters),
    claimDrop: (parameters) => claimDrop(client, parameters),
    getClaim: (parameters) => getClaim(client, parameters),
    getJourneys: (parameters) => getJourneys(client, parameters),
    completeStep: (parameters) => completeStep(client, parameters),
    getLevels: (parameters) => getLevels(client, parameters),
    linkWallet: (parameters) => linkWallet(client, parameters),
    switchChain: (parameters) => switchChain(client, parameters),
    getProfile: () => getProfile(client),
    updateProfile: (parameters) => updateProfile(client, parameters),
    getDataRequests: (parameters) => getDataRequests(client, parameters),
    grantConsent: (parameters) => grantConsent(client, parameters),
    getConsents: () => getConsents(client),
    revokeConsent: (parameters) => revokeConsent(client, parameters),
    getAccessLog: (parameters) => getAccessLog(client, parameters),
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
