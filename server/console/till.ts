/**
 * Till mode, for a phone at the counter: staff open it from the link the console gives (it carries
 * the brand, named on the page) and sign in once (any role may verify), then scan the member's QR
 * code with the camera (BarcodeDetector, where the browser has it; the page says when it cannot) or
 * type the code. The API consumes it once: green "Valid" with the perk's title and the member's level
 * and points ("Silver member, 220 points", never an address); the same code again is a red "Already
 * used on <date, time>"; past the API's limit of checks a minute it says how long to wait.
 */
import type { BrandView } from "../../sdk/src/protocol/brands.ts";
import type { VerifiedRedemption } from "../../sdk/src/protocol/perks.ts";
import { api, ApiProblem, configureApi, onSignedOut, setToken } from "./api.ts";
import { loadConfig } from "./config.ts";
import { $, act, explain, report } from "./dom.ts";
import { rateLimitWords } from "./limits.ts";
import { signInStaff, type StaffSession } from "./wallet.ts";

/** The verify answer: the redemption (its `member` the address), the perk's title and the member's standing with the brand. */
type TillAnswer = VerifiedRedemption;

/** The Shape Detection API's QR reader (Chromium on Android and desktop); not in TypeScript's DOM types. */
type BarcodeDetectorLike = { detect(source: HTMLVideoElement): Promise<Array<{ rawValue: string }>> };
type BarcodeDetectorClass = new (options: { formats: string[] }) => BarcodeDetectorLike;

const config = await loadConfig();
configureApi(config.apiUrl);
const Detector = (window as { BarcodeDetector?: BarcodeDetectorClass }).BarcodeDetector;

function show(kind: "valid" | "used" | "invalid", headline: string, perk = "", member = "") {
  const result = $("result");
  result.hidden = false;
  result.dataset.kind = kind;
  $("result-headline").textContent = headline;
  $("result-perk").textContent = perk;
  $("result-member").textContent = member;
}

/** "Silver member, 220 points"; the member's address stays out of it (the brand knows them by their level). */
function memberWords(standing: TillAnswer["standing"]): string {
  if (standing.points === null) return standing.level ? `${standing.level.name} member` : "Their level could not be read just now";
  const n = Number(standing.points);
  const points = `${n.toLocaleString("en")} ${n === 1 ? "point" : "points"}`;
  return standing.level ? `${standing.level.name} member, ${points}` : `Member, ${points}`;
}

const when = (iso: string) => new Date(iso).toLocaleString("en", { dateStyle: "medium", timeStyle: "short" });

/** Verifies and shows the answer; resolves to the status line's words, rejects when the code must not be honoured. */
async function verify(code: string): Promise<string> {
  const typed = code.trim();
  if (!typed) throw new Error("Type or scan a code first.");
  try {
    const answer = await api<TillAnswer>("POST", "/v1/admin/redemptions/verify", { code: typed });
    const member = memberWords(answer.standing);
    show("valid", "Valid", answer.perk.title, member);
    return `Valid — ${answer.perk.title} — ${member}. Give it now: the code is used up.`;
  } catch (error) {
    if (error instanceof ApiProblem && error.code === "redemption_already_consumed") {
      const body = error.body as { consumedAt?: string; perk?: { title?: string }; redemption?: { consumedAt?: string } };
      const at = body.consumedAt ?? body.redemption?.consumedAt;
      show("used", "Already used", body.perk?.title ?? "", `${at ? `Used on ${when(at)}. ` : ""}Do not give it again.`);
      throw new Error("That code was used before.");
    }
    if (error instanceof ApiProblem && error.code === "redemption_not_found") {
      show("invalid", "No such code", "Check the code with the member, or ask them to show it again.");
      throw new Error("Unknown code.");
    }
    // The till's checks are limited per staff session (TILL_VERIFY_PER_MINUTE); the code was not looked at.
    const wait = rateLimitWords(error, "checks");
    if (wait !== null) {
      show("invalid", "Not checked yet", wait, "The code was not used: try it again then.");
      throw new Error(wait);
    }
    show("invalid", "Not verified", explain(error));
    throw error;
  }
}

// ---------------------------------------------------------------- the camera

let stream: MediaStream | null = null;
let scanning = false;

function stopScan() {
  scanning = false;
  for (const track of stream?.getTracks() ?? []) track.stop();
  stream = null;
  $("scanner").hidden = true;
  showScanChoice();
}

/** The camera where the browser can read codes with it; otherwise the page says so plainly. */
function showScanChoice() {
  $("scan").hidden = !Detector;
  $("no-camera").hidden = Boolean(Detector);
  $("code-label").textContent = Detector ? "Or type the code" : "Type the member's code";
}

async function scan() {
  if (!Detector) return;
  const status = $("till-status");
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
  } catch (error) {
    report(status, "failed", `The camera is not available (${error instanceof Error ? error.message : String(error)}): type the code instead.`);
    return;
  }
  const video = $<HTMLVideoElement>("camera");
  video.srcObject = stream;
  await video.play();
  $("scanner").hidden = false;
  $("scan").hidden = true;
  report(status, "pending", "Point the camera at the member's code…");
  const detector = new Detector({ formats: ["qr_code"] });
  scanning = true;
  while (scanning) {
    const [found] = await detector.detect(video).catch(() => []);
    // The storefront's QR holds the redemption code as plain text.
    if (found?.rawValue) {
      stopScan();
      $<HTMLInputElement>("code").value = found.rawValue;
      await act($<HTMLButtonElement>("verify"), status, "Verifying…", () => verify(found.rawValue));
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

// ---------------------------------------------------------------- sign-in

const ROLE_WORDS: Record<StaffSession["role"], string> = { owner: "Owner", manager: "Manager", till: "Till staff" };

// Whether a session was on: a first visit's probe answering 401 is no session that ended.
let signedIn = false;

function showSignedIn(session: StaffSession) {
  signedIn = true;
  $("brand-name").textContent = session.brandName;
  $("who").textContent = ROLE_WORDS[session.role];
  $("who").title = session.address;
  $("account").hidden = false;
  $("sign-in").hidden = true;
  $("till").hidden = false;
  showScanChoice();
  $<HTMLInputElement>("code").focus();
}

function showSignedOut() {
  signedIn = false;
  stopScan();
  setToken(null);
  $("account").hidden = true;
  $("till").hidden = true;
  $("result").hidden = true;
  $("sign-in").hidden = false;
  void nameTheBrand();
}

/** The brand the till signs in to: the console's link carries it (`?brand=`), else the deployment's. */
function brandOfLink(): string {
  return new URLSearchParams(location.search).get("brand")?.trim() || (config.brandId ?? "");
}

/** Names the brand on the sign-in screen (public: its name only), or says how to open the till for one. */
async function nameTheBrand() {
  const brandId = $<HTMLInputElement>("brand-id").value.trim();
  const line = $("sign-in-brand");
  $("brand-name").textContent = config.brandName;
  if (!brandId) {
    line.textContent = "Open the till from the link in your brand's console (Staff, then “Copy the till link”).";
    $<HTMLDetailsElement>("brand-details").open = true;
    return;
  }
  try {
    const brand = await api<BrandView>("GET", `/v1/brands/${encodeURIComponent(brandId)}`, undefined, { anonymous: true });
    $("brand-name").textContent = brand.name;
    line.textContent = `The till of ${brand.name}: sign in with the wallet your brand added you with.`;
  } catch (error) {
    line.textContent = error instanceof ApiProblem && error.code === "brand_not_found" ? "This till link names no brand we know: ask for the link again." : `The brand could not be read just now: ${explain(error)}`;
  }
}

onSignedOut(() => {
  if (!signedIn) return;
  showSignedOut();
  report($("sign-in-status"), "failed", "Your session ended: sign in again.");
});

$<HTMLInputElement>("brand-id").value = brandOfLink();
$("brand-id").addEventListener("change", () => void nameTheBrand());
$("connect").addEventListener("click", () =>
  void act($<HTMLButtonElement>("connect"), $("sign-in-status"), "Asking your wallet to sign you in…", async () => {
    const brandId = $<HTMLInputElement>("brand-id").value.trim();
    if (!brandId) throw new Error("Open the till from the link in your brand's console first.");
    const session = await signInStaff(brandId);
    setToken(session.token ?? null);
    showSignedIn(session);
    return "Signed in.";
  }),
);
$("sign-out").addEventListener("click", async () => {
  await api("POST", "/v1/staff/sign-out", {}).catch(() => undefined);
  showSignedOut();
});
$("scan").addEventListener("click", () => void scan());
$("stop-scan").addEventListener("click", stopScan);
$("code-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = $<HTMLInputElement>("code");
  void act($<HTMLButtonElement>("verify"), $("till-status"), "Verifying…", () => verify(input.value)).then(() => {
    input.select();
  });
});

try {
  showSignedIn(await api<StaffSession>("GET", "/v1/staff/me"));
} catch {
  showSignedOut();
}
document.body.dataset.ready = "true";
