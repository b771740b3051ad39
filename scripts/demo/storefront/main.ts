/**
 * The demo storefront: a brand's members page built on the public SDK only. Members connect an
 * injected wallet or continue without one (an embedded key kept in this browser); see their level
 * and the points to the next; follow journeys and complete their steps; watch the stamps they earn
 * arrive in their gallery; redeem perks (grouped by what unlocks them) for a code; claim drops on
 * us; keep their data in hand ("Your data": their profile, what they share with brands and why, who
 * read it, a download, erasure). A member reads names, levels, points and dates: addresses, token
 * ids, transaction hashes and signed receipts appear only under collapsed "Technical details".
 */
import {
  createStampbookClient,
  discoverWallets,
  invitationFromUrl,
  type Eip1193Provider,
  type Level,
  type Me,
  type MemberDrop,
  type MemberJourney,
  type MemberPerk,
  type StampbookClient,
} from "@stampbook/sdk";
import { createEmbeddedWallet, type EmbeddedWallet } from "@stampbook/sdk/embedded";
import { createCodes } from "./codes.ts";
import { setupDataSection } from "./data.ts";
import { $, button, el, explain, patchList, points } from "./dom.ts";
import { dropCard, forgetDropNotes, type TokenFace } from "./drops.ts";
import { awardMoving, forgetNotes, journeyCard, type CompleteStep } from "./journeys.ts";
import { perkGroups } from "./perks.ts";
import { galleryItem, renderStanding } from "./standing.ts";

type Config = { apiUrl: string; chainId: number; rpcUrl: string; brandId: string | null; brandName: string };
type WalletChoice = { kind: "injected"; provider: Eip1193Provider; name: string } | { kind: "embedded" };

const WALLET_KIND_KEY = "demo-storefront:wallet";
/** How long the page keeps looking for a stamp on its way before it stops (a Refresh looks again). */
const AWARD_WATCH_MS = 120_000;
const POLL_MS = 1_000;
/** Perk listings may reuse a member's holdings about this long (the API's OWNERSHIP_CACHE_MS, by default). */
const LISTING_REUSE_MS = 6_000;

const config: Config = await (await fetch("/config.json")).json();
// The coffee club's storefront: its perks, drops, journeys and data requests, not every brand's on the deployment.
const client: StampbookClient = createStampbookClient({ apiUrl: config.apiUrl, ...(config.brandId ? { brand: config.brandId } : {}), chain: { rpcUrl: config.rpcUrl, name: "Stampbook local chain" } });
let embedded: EmbeddedWallet | null = null;
/** The name of the member's own wallet (null: the embedded one), for "Signed in with …". */
let walletName: string | null = null;
const invitation = invitationFromUrl();

client.on("sessionEnded", ({ reason }) => {
  showSignedOut();
  if (reason !== "signedOut") say(reason === "accountChanged" ? "Your wallet switched accounts: sign in again." : "Your session ended: sign in again.");
});

function say(message: string, error = false) {
  const status = $("status");
  status.textContent = message;
  status.classList.toggle("error", error);
}

async function attempt(action: () => Promise<void>) {
  try {
    await action();
  } catch (error) {
    say(explain(error), true);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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
    walletName = null;
    client.setWallet(embedded);
  } else {
    embedded = null;
    walletName = choice.name;
    client.setWallet(choice.provider);
  }
  localStorage.setItem(WALLET_KIND_KEY, choice.kind);
}

async function signIn(choice: WalletChoice) {
  say(choice.kind === "embedded" ? "Setting up your account…" : `Asking ${choice.name} to sign you in…`);
  await useWallet(choice, true);
  // A friend's invitation link: a first sign-in with it completes their referral step.
  await client.signIn({ invitation });
  if (invitation) history.replaceState(null, "", location.pathname);
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
    return (await client.restoreSession()) !== null;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------- what the member sees

/** The brand's levels, by brand id (public, read once). */
const levelsOf = new Map<string, Promise<Level[]>>();
let levels: Level[] = [];
/** What each part was last drawn from, so a refresh that changes nothing redraws nothing. */
const drawn = new Map<string, string>();
let lastMe: Me | null = null;

function changed(part: string, data: unknown): boolean {
  const json = JSON.stringify(data);
  if (drawn.get(part) === json) return false;
  drawn.set(part, json);
  return true;
}

function brandLevels(brandId: string): Promise<Level[]> {
  let levels = levelsOf.get(brandId);
  if (!levels) {
    levels = client.getLevels({ brandId }).catch((error: unknown) => {
      levelsOf.delete(brandId);
      throw error;
    });
    levelsOf.set(brandId, levels);
  }
  return levels;
}

async function renderMe(me?: Me) {
  me ??= await client.getMe();
  lastMe = me;
  const standing = me.loyalty.find((l) => l.brandId === config.brandId) ?? me.loyalty[0];
  const brandId = config.brandId ?? standing?.brandId;
  levels = brandId ? await brandLevels(brandId) : [];
  if (changed("standing", { standing, levels })) renderStanding(standing, levels);

  const holdings = me.collections.filter((c) => brandId === undefined || c.brandId === brandId || c.brandId === null).flatMap((c) => c.holdings.map((h) => ({ ...h, collection: c.address })));
  patchList($("gallery"), holdings, (h) => `${h.collection}:${h.tokenId}`, galleryItem);
  $("no-holdings").hidden = holdings.length > 0;
}

const completeStep: CompleteStep = async (journey, step, input) => {
  const { journey: now } = await client.completeStep({ journeyId: journey.id, stepId: step.id, input });
  renderJourneys([now], true);
  if (now.completed) {
    void watchAwards();
    return `Well done: “${journey.title}” is complete.`;
  }
  return step.kind === "quiz" ? "All correct: step done." : "Step done.";
};

let journeys: MemberJourney[] = [];

/** Draws the journeys; `partial`: only these changed (a step's answer). Keeps watching a stamp on its way. */
function renderJourneys(items: MemberJourney[], partial = false) {
  journeys = partial ? journeys.map((j) => items.find((i) => i.id === j.id) ?? j) : items;
  patchList($("journeys"), journeys, (j) => j.id, (j) => journeyCard(j, completeStep));
  $("no-journeys").hidden = journeys.length > 0;
  if (journeys.some(awardMoving)) void watchAwards();
}

const codes = createCodes(client);

/** The perks last listed ("Your data" says which one sharing unlocks). */
let listedPerks: MemberPerk[] = [];

async function renderPerks(): Promise<MemberPerk[]> {
  const codesChanged = await codes.load();
  const perks = await client.getPerks();
  listedPerks = perks;
  if (changed("perks", { perks, levels }) || codesChanged) $("perks").replaceChildren(...perkGroups(perks, levels, codes));
  return perks;
}

/** Names and pictures of the types drops give, from the API's public ERC-1155 metadata. */
const faces = new Map<string, Promise<TokenFace | null>>();
function faceOf(drop: MemberDrop): Promise<TokenFace | null> {
  const key = `${drop.collection.toLowerCase()}/${drop.tokenId}`;
  let face = faces.get(key);
  if (!face) {
    face = fetch(`${config.apiUrl}/v1/metadata/${key}`)
      .then(async (response) => (response.ok ? ((await response.json()) as { name: string; image?: string | null }) : null))
      .then((m) => (m ? { name: m.name, image: m.image ?? null } : null))
      .catch(() => null);
    faces.set(key, face);
  }
  return face;
}

async function renderDrops() {
  const drops = await client.getDrops();
  const withFaces = await Promise.all(drops.map(async (drop) => ({ drop, face: await faceOf(drop) })));
  patchList($("drops"), withFaces, ({ drop }) => drop.id, ({ drop, face }) =>
    dropCard(drop, face, async (d) => {
      const claim = await client.claimDrop({ dropId: d.id, submit: d.mode === "voucher" });
      say(`“${d.title}” is yours.`);
      await Promise.all([renderMe(), renderPerks(), renderDrops()]);
      return { message: `“${d.title}” is yours.`, txHash: claim.txHash };
    }),
  );
}

const yourData = setupDataSection({
  client,
  fallbackBrandName: (brandId) => (brandId === config.brandId ? config.brandName : "A brand"),
  perks: () => listedPerks,
  // A consent rule locks or unlocks with a grant: the perks say so at once.
  consentsChanged: () => renderPerks(),
  erased: () => {
    localStorage.removeItem(WALLET_KIND_KEY);
    showSignedOut();
    say("Your data is deleted and you are signed out. Stamps in your wallet stay yours.");
  },
});

async function refresh() {
  const [items] = await Promise.all([client.getJourneys(), renderMe(), renderDrops()]);
  renderJourneys(items);
  await renderPerks();
  await yourData.render();
}

let watching = false;

/**
 * Stamps are awarded in the background (pending → awarded): while one is on its way, or awarded but
 * not yet in the member's holdings, look again every second, so the stamp appears, the level moves
 * and perks unlock without a reload; then redraw the perks until their words agree with the points.
 */
async function watchAwards() {
  if (watching) return;
  watching = true;
  const deadline = Date.now() + AWARD_WATCH_MS;
  const watched = new Set(journeys.filter(awardMoving).map((j) => j.id));
  try {
    while (client.session && Date.now() < deadline) {
      await sleep(POLL_MS);
      if (!client.session) return;
      try {
        const [items, me] = await Promise.all([client.getJourneys(), client.getMe()]);
        const before = lastMe?.loyalty.map((l) => l.points).join();
        renderJourneys(items);
        await renderMe(me);
        if (me.loyalty.map((l) => l.points).join() !== before) await renderPerks();
        const arriving = items.some((j) => awardMoving(j) || (j.award?.status === "awarded" && !holds(me, j.stamp)));
        if (!arriving) break;
      } catch {
        // A missed look (the network, a restart): the next one tries again.
      }
    }
    await perksCaughtUp(Date.now() + LISTING_REUSE_MS + 2 * POLL_MS).catch(() => undefined);
    say("Your collection is up to date.");
  } finally {
    watching = false;
  }
  // A journey completed while this look was winding down: look again (not for a stamp it gave up on).
  if (client.session && journeys.some((j) => awardMoving(j) && !watched.has(j.id))) void watchAwards();
}

/**
 * Redraws the perks until their words agree with the member's points (a listing may reuse holdings
 * read just before the stamp arrived), or until `deadline`.
 */
async function perksCaughtUp(deadline: number) {
  for (;;) {
    const perks = await renderPerks();
    const standing = lastMe?.loyalty.find((l) => l.brandId === config.brandId) ?? lastMe?.loyalty[0];
    const stale = perks.some((p) => p.brandId === standing?.brandId && p.reasons.some((r) => (r.code === "points_too_few" || r.code === "level_too_low") && r.have !== undefined && r.have !== standing.points));
    if (!stale || Date.now() >= deadline || !client.session) return;
    await sleep(POLL_MS);
  }
}

function holds(me: Me, stamp: MemberJourney["stamp"]): boolean {
  const collection = me.collections.find((c) => c.address.toLowerCase() === stamp.collection.toLowerCase());
  return collection?.holdings.some((h) => h.tokenId === stamp.tokenId && BigInt(h.balance) > 0n) ?? false;
}

async function showMember() {
  $("welcome").hidden = true;
  $("member").hidden = false;
  $("account").hidden = false;
  // Never an address: the wallet by its name, or nothing for a member who never chose one.
  $("who").textContent = walletName ? `Signed in with ${walletName}` : "Signed in";
  $("key-panel").hidden = embedded === null;
  $("private-key").hidden = true;
  $<HTMLDetailsElement>("key-details").open = false;
  await refresh();
}

function showSignedOut() {
  $("welcome").hidden = false;
  $("member").hidden = true;
  $("account").hidden = true;
  $("invited").hidden = invitation === null;
  // The next member starts from a clean page.
  drawn.clear();
  forgetNotes();
  forgetDropNotes();
  codes.clear();
  lastMe = null;
  for (const id of ["journeys", "gallery", "drops", "perks", "levels"]) $(id).replaceChildren();
  listedPerks = [];
  yourData.clear();
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
    $("wallet-list").replaceChildren(
      ...wallets.map((w) => {
        const pick = button(w.name, "");
        pick.addEventListener("click", () => void attempt(() => signIn({ kind: "injected", ...w })));
        return el("li", {}, pick);
      }),
    );
  }),
);
$("connect-embedded").addEventListener("click", () => attempt(() => signIn({ kind: "embedded" })));
$("refresh").addEventListener("click", () =>
  attempt(async () => {
    const b = $<HTMLButtonElement>("refresh");
    b.disabled = true;
    say("Refreshing…");
    try {
      await refresh();
      say(`Up to date · ${points(lastMe?.loyalty.find((l) => l.brandId === config.brandId)?.points ?? lastMe?.loyalty[0]?.points ?? 0)}.`);
    } finally {
      b.disabled = false;
    }
  }),
);
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
