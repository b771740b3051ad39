/**
 * Till mode, for a phone at the counter: staff sign in once (any role may verify), then scan the
 * member's QR code with the camera (BarcodeDetector, where the browser has it) or type the code. The
 * API consumes it once: green "Valid: consumed" with the perk's title and the member's level; the
 * same code again is a red "Already used at <time>"; past the API's limit of checks a minute it says
 * how long to wait.
 */
import type { VerifiedRedemption } from "../../sdk/src/protocol/perks.ts";
import { api, ApiProblem, configureApi, onSignedOut, setToken } from "./api.ts";
import { loadConfig } from "./config.ts";
import { $, act, explain, report, shortAddress } from "./dom.ts";
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

function memberWords(answer: TillAnswer): string {
  const { member: address, standing } = answer;
  const level = standing.level ? `${standing.level.name} level` : "level unknown";
  return `${level}${standing.points !== null ? ` · ${Number(standing.points).toLocaleString("en")} points` : ""} · ${shortAddress(address)}`;
}

/** Verifies and shows the answer; resolves to the status line's words, rejects when the code must not be honoured. */
async function verify(code: string): Promise<string> {
  const typed = code.trim();
  if (!typed) throw new Error("Type or scan a code first.");
  try {
    const answer = await api<TillAnswer>("POST", "/v1/admin/redemptions/verify", { code: typed });
    show("valid", "Valid: consumed", answer.perk.title, memberWords(answer));
    return `Code ${answer.code} consumed.`;
  } catch (error) {
    if (error instanceof ApiProblem && error.code === "redemption_already_consumed") {
      const body = error.body as { consumedAt?: string; perk?: { title?: string }; redemption?: { consumedAt?: string } };
      const at = body.consumedAt ?? body.redemption?.consumedAt;
      show("used", `Already used${at ? ` at ${new Date(at).toLocaleString()}` : ""}`, body.perk?.title ?? "", "Do not give it again.");
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
  $("scan").hidden = !Detector;
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

// Whether a session was on: a first visit's probe answering 401 is no session that ended.
let signedIn = false;

function showSignedIn(session: StaffSession) {
  signedIn = true;
  $("brand-name").textContent = session.brandName;
  $("who").textContent = `${shortAddress(session.address)} · ${session.role}`;
  $("account").hidden = false;
  $("sign-in").hidden = true;
  $("till").hidden = false;
  $("scan").hidden = !Detector;
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
  $("brand-name").textContent = config.brandName;
}

onSignedOut(() => {
  if (!signedIn) return;
  showSignedOut();
  report($("sign-in-status"), "failed", "Your session ended: sign in again.");
});

$<HTMLInputElement>("brand-id").value = config.brandId ?? "";
$("connect").addEventListener("click", () =>
  void act($<HTMLButtonElement>("connect"), $("sign-in-status"), "Asking your wallet to sign you in…", async () => {
    const brandId = $<HTMLInputElement>("brand-id").value.trim();
    if (!brandId) throw new Error("Type the brand's id (brand_…).");
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
