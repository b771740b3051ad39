/**
 * The brand console: staff sign in with their wallet (EIP-4361) for a brand, and see the screens
 * their role may use: owners everything, managers everything but staff, till staff only till mode.
 * Screens switch by the address's #fragment; each reloads its data when shown, so nothing needs a
 * page reload.
 */
import { activityScreen } from "./activity.ts";
import { airdropScreen } from "./airdrop.ts";
import { api, ApiProblem, configureApi, onSignedOut, setToken } from "./api.ts";
import { loadConfig } from "./config.ts";
import { forget } from "./data.ts";
import { $, act, el, explain, shortAddress } from "./dom.ts";
import { journeysScreen } from "./journeys.ts";
import { offersScreen } from "./offers.ts";
import { overviewScreen } from "./overview.ts";
import type { ConsoleContext, Screen } from "./screen.ts";
import { staffScreen } from "./staff.ts";
import { tokenTypesScreen } from "./token-types.ts";
import { injectedWallet, signInStaff, type Role, type StaffSession } from "./wallet.ts";

const config = await loadConfig();
configureApi(config.apiUrl);
let session: StaffSession | null = null;
const ctx: ConsoleContext = { config, session: () => session! };

type ScreenSpec = { id: string; title: string; roles: Role[]; make: () => Screen };
const SCREENS: ScreenSpec[] = [
  { id: "overview", title: "Overview", roles: ["owner", "manager"], make: overviewScreen },
  { id: "types", title: "Token types", roles: ["owner", "manager"], make: () => tokenTypesScreen(ctx) },
  { id: "mint", title: "Mint and airdrop", roles: ["owner", "manager"], make: () => airdropScreen(ctx) },
  { id: "offers", title: "Perks and drops", roles: ["owner", "manager"], make: offersScreen },
  { id: "journeys", title: "Journeys and levels", roles: ["owner", "manager"], make: journeysScreen },
  { id: "activity", title: "Redemptions and claims", roles: ["owner", "manager"], make: activityScreen },
  { id: "staff", title: "Staff", roles: ["owner"], make: staffScreen },
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

function showSignedIn(next: StaffSession) {
  session = next;
  $("brand-name").textContent = next.brandName;
  $("who").textContent = shortAddress(next.address);
  $("who").title = next.address;
  $("role").textContent = ROLE_WORDS[next.role];
  $("role").dataset.role = next.role;
  $("account").hidden = false;
  $("sign-in").hidden = true;
  const till = next.role === "till";
  $("till-only").hidden = !till;
  $("console").hidden = till;
  $("screens").replaceChildren(...allowed().map((s) => el("a", { text: s.title, attrs: { href: `#${s.id}`, "data-screen": s.id } })));
  if (!till) void route();
}

function showSignedOut() {
  session = null;
  setToken(null);
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
$("connect").addEventListener("click", () =>
  void act($<HTMLButtonElement>("connect"), $("sign-in-status"), "Asking your wallet to sign you in…", async () => {
    const brandId = brandInput.value.trim();
    if (!brandId) throw new Error("Type the brand's id (brand_…).");
    const signed = await signInStaff(brandId);
    setToken(signed.token ?? null);
    showSignedIn(signed);
    say(`Signed in to ${signed.brandName} as ${ROLE_WORDS[signed.role].toLowerCase()}.`);
    return "Signed in.";
  }),
);

$("sign-out").addEventListener("click", async () => {
  try {
    await api("POST", "/v1/staff/sign-out", {});
  } catch (error) {
    // Signed out here either way; a session the API no longer knows is as good as gone.
    if (!(error instanceof ApiProblem && error.status === 401)) say(explain(error), true);
  }
  showSignedOut();
  say("Signed out.");
});

// A wallet that switches accounts no longer matches the signed-in staff member.
injectedWallet()?.on?.("accountsChanged", (accounts: string[]) => {
  if (session && accounts[0]?.toLowerCase() !== session.address.toLowerCase()) say("Your wallet switched accounts: transactions are signed by the new one. Sign out and in again to act as it.", true);
});

// Back from a reload: the staff cookie may still hold a session.
try {
  showSignedIn(await api<StaffSession>("GET", "/v1/staff/me"));
} catch {
  showSignedOut();
}
document.body.dataset.ready = "true";
