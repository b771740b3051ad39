/**
 * The brand console: staff sign in with their wallet (EIP-4361) for a brand, and see the screens
 * their role may use: owners everything, managers everything but staff, till staff only till mode.
 * A new brand, whose collection no wallet administers yet, signs in with its API key instead (it acts
 * as a manager): it deploys and registers a collection, and then the wallet signs in as owner.
 * Screens switch by the address's #fragment; each reloads its data when shown, so nothing needs a
 * page reload.
 */
import type { BrandView } from "../../sdk/src/protocol/brands.ts";
import { activityScreen } from "./activity.ts";
import { airdropScreen } from "./airdrop.ts";
import { api, ApiProblem, configureApi, onSignedOut, setToken } from "./api.ts";
import { collectionsScreen } from "./collections.ts";
import { loadConfig } from "./config.ts";
import { forget } from "./data.ts";
import { $, act, el, explain, shortAddress } from "./dom.ts";
import { journeysScreen } from "./journeys.ts";
import { memberDataScreen } from "./member-data.ts";
import { offersScreen } from "./offers.ts";
import { overviewScreen } from "./overview.ts";
import type { ConsoleContext, ConsoleSession, Screen } from "./screen.ts";
import { staffScreen, tillLink } from "./staff.ts";
import { storefrontsScreen } from "./storefronts.ts";
import { tokenTypesScreen } from "./token-types.ts";
import { webhooksScreen } from "./webhooks.ts";
import { injectedWallet, signInStaff, type Role, type StaffSession } from "./wallet.ts";

/** Where the API key waits out a reload: this tab only, gone when it closes or signs out. */
const API_KEY_STORAGE = "stampbook-console-api-key";

const config = await loadConfig();
configureApi(config.apiUrl);
let session: ConsoleSession | null = null;
const ctx: ConsoleContext = { config, session: () => session!, signInWithWallet };

type ScreenSpec = { id: string; title: string; roles: Role[]; make: () => Screen };
const SCREENS: ScreenSpec[] = [
  { id: "overview", title: "Overview", roles: ["owner", "manager"], make: overviewScreen },
  { id: "collections", title: "Collections", roles: ["owner", "manager"], make: () => collectionsScreen(ctx) },
  { id: "types", title: "Token types", roles: ["owner", "manager"], make: () => tokenTypesScreen(ctx) },
  { id: "mint", title: "Mint and airdrop", roles: ["owner", "manager"], make: () => airdropScreen(ctx) },
  { id: "offers", title: "Perks and drops", roles: ["owner", "manager"], make: offersScreen },
  { id: "journeys", title: "Journeys and levels", roles: ["owner", "manager"], make: journeysScreen },
  { id: "activity", title: "Redemptions and claims", roles: ["owner", "manager"], make: activityScreen },
  { id: "data", title: "Members' data", roles: ["owner", "manager"], make: () => memberDataScreen(ctx) },
  { id: "storefronts", title: "Storefronts", roles: ["owner", "manager"], make: storefrontsScreen },
  { id: "webhooks", title: "Webhooks", roles: ["owner", "manager"], make: webhooksScreen },
  { id: "staff", title: "Staff", roles: ["owner"], make: () => staffScreen(ctx) },
];
const ROLE_WORDS: Record<Role, string> = { owner: "Owner", manager: "Manager", till: "Till staff" };
const made = new Map<string, Screen>();

function say(message: string, error = false) {
  const status = $("status");
  status.textContent = message;
  status.classList.toggle("error", error);
}

function allowed(): ScreenSpec[] {
  return session ? SCREENS.filter((s) => s.roles.includes(session!.role)) : [];
}

/** Shows the screen the address names (or the first the role may use). */
async function route() {
  const screens = allowed();
  if (screens.length === 0) return;
  const wanted = location.hash.slice(1);
  const spec = screens.find((s) => s.id === wanted) ?? screens[0]!;
  let screen = made.get(spec.id);
  if (!screen) {
    screen = spec.make();
    made.set(spec.id, screen);
  }
  for (const link of Array.from($("screens").querySelectorAll("a"))) {
    if (link.dataset.screen === spec.id) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  $("screen").replaceChildren(screen.element);
  document.title = `${spec.title} · ${session?.brandName ?? ""} console`;
  await screen.show();
}

function showSignedIn(next: ConsoleSession) {
  // Another identity sees its own data: nothing read for the one before is kept.
  if (session !== null) {
    forget();
    made.clear();
  }
  session = next;
  $("brand-name").textContent = next.brandName;
  $("who").textContent = next.address === null ? "" : shortAddress(next.address);
  $("who").title = next.address ?? "";
  $("role").textContent = next.via === "apiKey" ? "API key" : ROLE_WORDS[next.role];
  $("role").dataset.role = next.role;
  $("account").hidden = false;
  $("sign-in").hidden = true;
  const till = next.role === "till";
  $("till-only").hidden = !till;
  $<HTMLAnchorElement>("open-till-only").href = tillLink(next.brandId);
  $("console").hidden = till;
  $("screens").replaceChildren(...allowed().map((s) => el("a", { text: s.title, attrs: { href: `#${s.id}`, "data-screen": s.id } })));
  if (!till) void route();
}

function showSignedOut() {
  session = null;
  setToken(null);
  sessionStorage.removeItem(API_KEY_STORAGE);
  forget();
  made.clear();
  $("screen").replaceChildren();
  $("account").hidden = true;
  $("console").hidden = true;
  $("till-only").hidden = true;
  $("sign-in").hidden = false;
  $("brand-name").textContent = config.brandName;
}

onSignedOut(() => {
  if (session === null) return;
  showSignedOut();
  say("Your session ended: sign in again.", true);
});

window.addEventListener("hashchange", () => void route());

const brandInput = $<HTMLInputElement>("brand-id");
brandInput.value = config.brandId ?? "";
const fromStaff = (staff: StaffSession): ConsoleSession => ({ brandId: staff.brandId, brandName: staff.brandName, role: staff.role, address: staff.address, via: "wallet" });

/** The connected wallet signs in as staff of `brandId`; the session replaces any before it (an API key's too). */
async function signInWithWallet(brandId: string): Promise<ConsoleSession> {
  const signed = await signInStaff(brandId);
  setToken(signed.token ?? null);
  sessionStorage.removeItem(API_KEY_STORAGE);
  const next = fromStaff(signed);
  showSignedIn(next);
  brandInput.value = next.brandId;
  say(`Signed in to ${next.brandName} as ${ROLE_WORDS[next.role].toLowerCase()}.`);
  return next;
}

/**
 * The brand's API key as the console's credential (sent as a bearer token; kept in this tab only).
 * The API names the key's brand (`GET /v1/admin/brand`).
 */
async function signInWithApiKey(key: string): Promise<ConsoleSession> {
  if (!/^sbk_[A-Za-z0-9_-]+$/.test(key)) throw new Error("That is not a brand API key: they start with sbk_ (the operator gives a new brand its first one).");
  setToken(key);
  try {
    const brand = await api<BrandView>("GET", "/v1/admin/brand");
    sessionStorage.setItem(API_KEY_STORAGE, key);
    return { brandId: brand.id, brandName: brand.name, role: "manager", address: null, via: "apiKey" };
  } catch (error) {
    setToken(null);
    throw error;
  }
}

$("connect").addEventListener("click", () =>
  void act($<HTMLButtonElement>("connect"), $("sign-in-status"), "Asking your wallet to sign you in…", async () => {
    const brandId = brandInput.value.trim();
    if (!brandId) throw new Error("Type the brand's id (brand_…).");
    await signInWithWallet(brandId);
    return "Signed in.";
  }),
);

const keyInput = $<HTMLInputElement>("api-key");
$("api-key-form").addEventListener("submit", (event) => {
  event.preventDefault();
  void act($<HTMLButtonElement>("api-key-connect"), $("api-key-status"), "Checking the key…", async () => {
    const next = await signInWithApiKey(keyInput.value.trim());
    keyInput.value = "";
    brandInput.value = next.brandId;
    // A new brand starts with its collections.
    if (location.hash === "" || location.hash === "#") history.replaceState(null, "", "#collections");
    showSignedIn(next);
    say(`Signed in to ${next.brandName} with its API key: deploy and register a collection, then sign in as its owner with your wallet.`);
    return "Signed in.";
  });
});

$("sign-out").addEventListener("click", async () => {
  if (session?.via === "wallet") {
    try {
      await api("POST", "/v1/staff/sign-out", {});
    } catch (error) {
      // Signed out here either way; a session the API no longer knows is as good as gone.
      if (!(error instanceof ApiProblem && error.status === 401)) say(explain(error), true);
    }
  }
  showSignedOut();
  say("Signed out.");
});

// A wallet that switches accounts no longer matches the signed-in staff member.
injectedWallet()?.on?.("accountsChanged", (accounts: string[]) => {
  if (session?.address && accounts[0]?.toLowerCase() !== session.address.toLowerCase()) say("Your wallet switched accounts: transactions are signed by the new one. Sign out and in again to act as it.", true);
});

// Back from a reload: this tab may hold the brand's API key, or the staff cookie a session.
async function resume(): Promise<ConsoleSession> {
  const key = sessionStorage.getItem(API_KEY_STORAGE);
  if (key !== null) return signInWithApiKey(key);
  return fromStaff(await api<StaffSession>("GET", "/v1/staff/me"));
}
try {
  showSignedIn(await resume());
} catch {
  showSignedOut();
}
document.body.dataset.ready = "true";
