/** EIP-6963 discovery, with wallets announcing themselves on an EventTarget as they do on `window`. */
import { describe, expect, it } from "vitest";
import { discoverWallets, watchWallets, type Eip6963ProviderDetail } from "./discover.ts";
import { toWallet } from "./toWallet.ts";

/** A wallet extension: announces on load and whenever a dapp asks. */
function installWallet(target: EventTarget, name: string, uuid = crypto.randomUUID()): Eip6963ProviderDetail {
  const detail: Eip6963ProviderDetail = {
    info: { uuid, name, icon: "data:image/svg+xml,<svg/>", rdns: `test.${name.toLowerCase()}` },
    provider: { request: async () => [] },
  };
  const announce = () => target.dispatchEvent(new CustomEvent("eip6963:announceProvider", { detail: Object.freeze(detail) }));
  target.addEventListener("eip6963:requestProvider", announce);
  announce();
  return detail;
}

describe("discoverWallets", () => {
  it("lists every announced wallet once", async () => {
    const target = new EventTarget();
    const a = installWallet(target, "Alpha");
    const b = installWallet(target, "Beta");
    const wallets = await discoverWallets({ target, timeout: 10 });
    expect(wallets.map((w) => w.info.name)).toEqual(["Alpha", "Beta"]);
    expect(wallets[0]!.provider).toBe(a.provider);
    expect(wallets[1]!.info).toEqual(b.info);
  });

  it("collects a wallet that announces late, within the timeout, and ignores malformed announcements", async () => {
    const target = new EventTarget();
    setTimeout(() => installWallet(target, "Late"), 5);
    target.addEventListener("eip6963:requestProvider", () => target.dispatchEvent(new CustomEvent("eip6963:announceProvider", { detail: { info: {}, provider: null } })));
    const wallets = await discoverWallets({ target, timeout: 50 });
    expect(wallets.map((w) => w.info.name)).toEqual(["Late"]);
  });

  it("finds nothing where there is no window (Node)", async () => {
    expect(await discoverWallets({ timeout: 1 })).toEqual([]);
  });

  it("an announced wallet is usable as the client's wallet as is", async () => {
    const target = new EventTarget();
    installWallet(target, "Alpha");
    const [detail] = await discoverWallets({ target, timeout: 1 });
    expect(toWallet(detail)?.kind).toBe("eip1193");
  });
});

describe("watchWallets", () => {
  it("reports wallets as they come and stops when asked", () => {
    const target = new EventTarget();
    installWallet(target, "Alpha");
    const seen: string[][] = [];
    const stop = watchWallets((wallets) => seen.push(wallets.map((w) => w.info.name)), { target });
    installWallet(target, "Beta");
    stop();
    installWallet(target, "Gamma");
    expect(seen).toEqual([["Alpha"], ["Alpha", "Beta"]]);
  });
});
