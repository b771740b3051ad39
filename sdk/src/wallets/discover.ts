/** EIP-6963: wallets announce themselves with events instead of fighting over `window.ethereum`. */
import type { Eip1193Provider } from "./types.ts";

export type Eip6963ProviderInfo = {
  /** Unique per page load. */
  uuid: string;
  name: string;
  /** Data URI of the wallet's icon. */
  icon: string;
  /** Reverse-DNS id, e.g. "io.metamask". */
  rdns: string;
};

export type Eip6963ProviderDetail = { info: Eip6963ProviderInfo; provider: Eip1193Provider };

export type DiscoverWalletsParameters = {
  /** How long to wait for announcements, in ms. Default 100 (wallets normally answer at once). */
  timeout?: number;
  /** Where wallets announce; default `window`. Without one (Node), nothing is found. */
  target?: EventTarget;
};

const ANNOUNCE = "eip6963:announceProvider";
const REQUEST = "eip6963:requestProvider";

function announced(event: Event): Eip6963ProviderDetail | null {
  const detail = (event as CustomEvent<Eip6963ProviderDetail>).detail;
  if (!detail?.info?.uuid || typeof detail.provider?.request !== "function") return null;
  return detail;
}

function defaultTarget(): EventTarget | undefined {
  return (globalThis as { window?: EventTarget }).window;
}

/**
 * Lists the wallets installed in the browser (EIP-6963): asks them to announce and collects the
 * answers for `timeout` ms. Each entry can be passed to `createStampbookClient({ wallet })` as is.
 *
 * @example
 * const wallets = await discoverWallets();
 * const choice = wallets.find((w) => w.info.rdns === "io.metamask") ?? wallets[0];
 * const client = createStampbookClient({ apiUrl, wallet: choice });
 */
export async function discoverWallets(parameters: DiscoverWalletsParameters = {}): Promise<Eip6963ProviderDetail[]> {
  const found: Eip6963ProviderDetail[] = [];
  const stop = watchWallets((wallets) => found.splice(0, found.length, ...wallets), parameters);
  await new Promise((resolve) => setTimeout(resolve, parameters.timeout ?? 100));
  stop();
  return found;
}

/**
 * Calls `onChange` with every wallet announced so far, now and whenever another one announces itself
 * (a wallet extension that loads late). Returns the function that stops listening.
 *
 * @example
 * const stop = watchWallets((wallets) => render(wallets));
 */
export function watchWallets(onChange: (wallets: Eip6963ProviderDetail[]) => void, parameters: Pick<DiscoverWalletsParameters, "target"> = {}): () => void {
  const target = parameters.target ?? defaultTarget();
  if (!target || typeof target.addEventListener !== "function") return () => {};
  const wallets = new Map<string, Eip6963ProviderDetail>();
  const listener = (event: Event) => {
    const detail = announced(event);
    if (!detail) return;
    wallets.set(detail.info.uuid, detail);
    onChange([...wallets.values()]);
  };
  target.addEventListener(ANNOUNCE, listener);
  target.dispatchEvent(new Event(REQUEST));
  return () => target.removeEventListener(ANNOUNCE, listener);
}
