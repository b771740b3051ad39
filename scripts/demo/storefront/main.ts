/**
 * The demo storefront: a brand's members page built on the public SDK only. Members connect an
 * injected wallet or continue without one (an embedded key kept in this browser), see what they
 * hold and which perks it unlocks, redeem a perk for a code, and claim a drop without paying gas.
 */
import {
  ApiError,
  createStampbookClient,
  discoverWallets,
  StampbookError,
  UserRejectedError,
  type Eip1193Provider,
  type MemberDrop,
  type MemberPerk,
  type StampbookClient,
} from "@stampbook/sdk";
import { createEmbeddedWallet, type EmbeddedWallet } from "@stampbook/sdk/embedded";
import qrcode from "qrcode-generator";

type Config = { apiUrl: string; chainId: number; rpcUrl: string; brandName: string; tokenNames: Record<string, string> };
type WalletChoice = { kind: "injected"; provider: Eip1193Provider; name: string } | { kind: "embedded" };

const WALLET_KIND_KEY = "demo-storefront:wallet";

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const config: Config = await (await fetch("/config.json")).json();
const client: StampbookClient = createStampbookClient({ apiUrl: config.apiUrl, chain: { rpcUrl: config.rpcUrl, name: "Stampbook local chain" } });
let embedded: EmbeddedWallet | null = null;

client.on("sessionEnded", ({ reason }) => {
  showSignedOut();
  if (reason !== "signedOut") say(reason === "accountChanged" ? "Your wallet switched accounts: sign in again." : "Your session ended: sign in again.");
});

function say(message: string, error = false) {
  const status = $("status");
  status.textContent = message;
  status.classList.toggle("error", error);
}

function explain(error: unknown): string {
  if (error instanceof UserRejectedError) return "You declined the request in your wallet.";
  if (error instanceof ApiError) return error.shortMessage;
  if (error instanceof StampbookError) return error.shortMessage;
  return error instanceof Error ? error.message : String(error);
}

async function attempt(action: () => Promise<void>) {
  try {
    await action();
  } catch (error) {
    say(explain(error), true);
  }
}

// ---------------------------------------------------------------- wallets and sign-in

async function injectedWallets(): Promise<Array<{ provider: Eip1193Provider; name: string }>> {
  const announced = await discoverWallets({ timeout: 300 });
  const found = announced.map((w) => ({ provider: w.provider, name: w.info.name }));
  const legacy = (window as { ethereum?: Eip1193Provider }).ethereum;
  if (found.length === 0 && legacy) found.push({ provider: legacy, name: "Browser wallet" });
  return found;
}

async function useWallet(choice: WalletChoice, create: boolean) {
  if (choice.kind === "embedded") {
    embedded = await createEmbeddedWallet({ create });
    client.setWallet(embedded);
  } else {
    embedded = null;
    client.setWallet(choice.provider);
  }
  localStorage.setItem(WALLET_KIND_KEY, choice.kind);
}

async function signIn(choice: WalletChoice) {
  say(choice.kind === "embedded" ? "Setting up your account…" : `Asking ${choice.name} to sign you in…`);
  await useWallet(choice, true);
  await client.signIn();
  say("Signed in.");
  await showMember();
}

async function restore() {
  const kind = localStorage.getItem(WALLET_KIND_KEY);
  if (kind === null) return false;
  try {
    if (kind === "embedded") {
      await useWallet({ kind: "embedded" }, false);
    } else {
      const [first] = await injectedWallets();
      if (!first) return false;
      await useWallet({ kind: "injected", ...first }, false);
    }
    return (await client.restore()) !== null;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------- member view

function shortAddress(address: string) {
  return `${address.slice(0, 6)}…${address.slice(-4)}`;
}

function card(title: string, ...children: Array<HTMLElement | string>): HTMLLIElement {
  const li = document.createElement("li");
  li.className = "card";
  const h3 = document.createElement("h3");
  h3.textContent = title;
  li.append(h3, ...children.map((c) => (typeof c === "string" ? paragraph(c) : c)));
  return li;
}

function paragraph(text: string, className?: string): HTMLParagraphElement {
  const p = document.createElement("p");
  p.textContent = text;
  if (className) p.className = className;
  return p;
}

function badge(text: string, kind: string): HTMLSpanElement {
  const span = document.createElement("span");
  span.className = `badge ${kind}`;
  span.textContent = text;
  return span;
}

function button(text: string, onClick: (b: HTMLButtonElement) => Promise<void>, primary = true): HTMLButtonElement {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = text;
  if (primary) b.className = "primary";
  b.addEventListener("click", () => {
    b.disabled = true;
    void attempt(() => onClick(b)).finally(() => {
      if (b.dataset.done !== "true") b.disabled = false;
    });
  });
  return b;
}

async function renderHoldings() {
  const me = await client.me();
  const list = $("holdings");
  list.replaceChildren();
  const holdings = me.collections.flatMap((c) => c.holdings);
  for (const h of holdings) {
    const name = config.tokenNames[h.tokenId] ?? (h.kind === "membership" ? `Membership #${h.tokenId}` : `Collectible #${h.tokenId}`);
    const details = [badge(h.kind === "membership" ? (h.active ? "active" : "expired") : `× ${h.balance}`, h.active === false ? "locked" : "unlocked")];
    const lines: string[] = [`${h.points} points each${h.soulbound ? " · soulbound" : ""}`];
    if (h.kind === "membership") lines.push(h.expiresAt ? `Valid until ${new Date(h.expiresAt).toLocaleDateString()}` : "Never expires");
    const li = card(name, ...details, ...lines);
    li.dataset.tokenId = h.tokenId;
    list.append(li);
  }
  $("no-holdings").hidden = holdings.length > 0;
}

async function renderPerks() {
  const perks = await client.perks();
  const list = $("perks");
  list.replaceChildren(...perks.map(perkCard));
}

function perkCard(perk: MemberPerk): HTMLLIElement {
  const open = perk.status === "open";
  const state = !open
    ? badge(perk.status === "upcoming" ? "coming soon" : "ended", "locked")
    : !perk.checked
      ? badge("can't check right now", "locked")
      : perk.usedUp
        ? badge("used", "unlocked")
        : perk.eligible
          ? badge("unlocked", "unlocked")
          : badge("locked", "locked");
  const li = card(perk.title, state, perk.description, paragraph(`For holders of ${perk.requires}.`, "muted"));
  li.dataset.perkId = perk.id;
  li.classList.toggle("locked", !perk.eligible || !open);
  if (!perk.eligible && perk.reasons.length > 0) {
    const ul = document.createElement("ul");
    ul.className = "reasons";
    ul.setAttribute("aria-label", "Why it is locked");
    for (const r of perk.reasons) ul.append(Object.assign(document.createElement("li"), { textContent: r.message }));
    li.append(ul);
  }
  if (perk.eligible && open) {
    li.append(
      button(perk.usedUp ? "Show code" : "Redeem", async (b) => {
        const redemption = await redeemOnce(perk);
        b.textContent = "Show code";
        showCode(perk.title, redemption.code);
      }),
    );
  }
  return li;
}

/** Redeems a perk; if the member already used up their redemptions, shows the last code instead. */
async function redeemOnce(perk: MemberPerk) {
  try {
    const redemption = await client.redeem(perk.id);
    say(`Redeemed “${perk.title}”.`);
    return redemption;
  } catch (error) {
    if (!(error instanceof ApiError) || error.code !== "member_limit_reached") throw error;
    const { items } = await client.redemptions();
    const previous = items.find((r) => r.perkId === perk.id);
    if (!previous) throw error;
    say(`You already redeemed “${perk.title}”: here is your code again.`);
    return previous;
  }
}

function showCode(title: string, code: string) {
  const qr = qrcode(0, "M");
  qr.addData(code);
  qr.make();
  $("code-perk").textContent = title;
  $("code-text").textContent = code;
  $("code-qr").innerHTML = qr.createSvgTag({ cellSize: 6, margin: 2, scalable: true });
  $<HTMLDialogElement>("code-dialog").showModal();
}

async function renderDrops() {
  const drops = await client.drops();
  const list = $("drops");
  list.replaceChildren(...drops.map(dropCard));
}

function dropCard(drop: MemberDrop): HTMLLIElement {
  const claimed = drop.usedUp;
  const token = config.tokenNames[drop.tokenId] ?? `token #${drop.tokenId}`;
  const li = card(drop.title, drop.description, paragraph(`${drop.amount} × ${token} · for ${drop.requires}`, "muted"));
  li.dataset.dropId = drop.id;
  if (claimed) {
    li.append(badge("claimed", "unlocked"));
  } else if (!drop.eligible || drop.status !== "open") {
    li.append(badge(drop.status === "open" ? "not for you yet" : drop.status, "locked"));
  } else {
    li.append(
      button("Claim", async (b) => {
        b.textContent = "Minting…";
        const claim = await client.claim(drop.id, drop.mode === "voucher" ? { submit: true } : {});
        b.dataset.done = "true";
        b.textContent = "Claimed";
        say(`“${drop.title}” is yours${claim.txHash ? ` (transaction ${shortAddress(claim.txHash)})` : ""}.`);
        await Promise.all([renderHoldings(), renderPerks()]);
      }),
    );
  }
  return li;
}

async function refresh() {
  await Promise.all([renderHoldings(), renderPerks(), renderDrops()]);
}

async function showMember() {
  const session = client.session!;
  $("welcome").hidden = true;
  $("member").hidden = false;
  $("account").hidden = false;
  $("who").textContent = `${embedded ? "Account" : "Wallet"} ${shortAddress(session.address)}`;
  $("key-panel").hidden = embedded === null;
  $("private-key").hidden = true;
  await refresh();
}

function showSignedOut() {
  $("welcome").hidden = false;
  $("member").hidden = true;
  $("account").hidden = true;
}

// ---------------------------------------------------------------- wiring

$("connect-injected").addEventListener("click", () =>
  attempt(async () => {
    const wallets = await injectedWallets();
    if (wallets.length === 0) {
      say("No wallet found in this browser. Continue without one, or install a wallet.", true);
      return;
    }
    if (wallets.length === 1) return signIn({ kind: "injected", ...wallets[0]! });
    // Several wallets announced themselves (EIP-6963): let the member pick.
    const list = $("wallet-list");
    list.replaceChildren(
      ...wallets.map((w) => {
        const li = document.createElement("li");
        li.append(button(w.name, () => signIn({ kind: "injected", ...w }), false));
        return li;
      }),
    );
  }),
);
$("connect-embedded").addEventListener("click", () => attempt(() => signIn({ kind: "embedded" })));
$("refresh").addEventListener("click", () => attempt(refresh));
$("sign-out").addEventListener("click", () =>
  attempt(async () => {
    await client.signOut();
    localStorage.removeItem(WALLET_KIND_KEY);
    showSignedOut();
    say("Signed out.");
  }),
);
$("export-key").addEventListener("click", () => {
  if (!embedded) return;
  const pre = $("private-key");
  pre.textContent = embedded.exportPrivateKey();
  pre.hidden = false;
});

if (await restore()) {
  await attempt(showMember);
} else {
  showSignedOut();
}
document.body.dataset.ready = "true";
