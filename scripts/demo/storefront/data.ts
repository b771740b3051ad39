/**
 * "Your data": the member's profile (theirs, kept once for every brand), what each brand asks for and
 * why, with a Share or Revoke button; what each brand may see now (and what they no longer may), each
 * grant's receipt in words (which brand, which fields, why, until when), checkable in the browser;
 * every time a brand read something; a download of everything kept; and erasure, after a
 * confirmation. All in words: the signed text, signatures, ids and addresses sit only under
 * collapsed "Technical details".
 *
 * Long because the member's data page is one screen (profile, requests, grants, receipts, log,
 * export, erasure) whose parts redraw together.
 */
import { verifyReceipt, type VerifyReceiptReturnType } from "@stampbook/sdk/receipts";
import {
  type AccessLogEntry,
  type Consent,
  type DataField,
  type DataRequest,
  type MemberPerk,
  type Profile,
  type ProfileInput,
  type StampbookClient,
} from "@stampbook/sdk";
import { $, actionStatus, badge, button, el, explain, patchList, report } from "./dom.ts";

export type DataSection = {
  /** Draws the section from the API (the profile form only where the saved profile changed). */
  render(): Promise<void>;
  /** Empties it for the next member. */
  clear(): void;
};

export type DataSectionOptions = {
  client: StampbookClient;
  /** A brand's name when no request names it (a withdrawn request's grant). */
  fallbackBrandName: (brandId: string) => string;
  /** The perks last listed, to say which one a request unlocks. */
  perks: () => readonly MemberPerk[];
  /** After a grant or a revocation: redraw the perks (a consent rule locks or unlocks). */
  consentsChanged: () => Promise<unknown>;
  /** After erasure: the session has ended, tell the member. */
  erased: () => void;
};

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const ACCESS_LOG_PAGE = 20;
const EXPORT_FILE = "stampbook-export.json";

type Note = { state: "pending" | "done" | "failed"; text: string };

// ---------------------------------------------------------------- words

/** "birthday", "email and name", "email, name and city" (as the API words its rules). */
export function fieldList(fields: readonly DataField[]): string {
  return fields.length <= 1 ? (fields[0] ?? "data") : `${fields.slice(0, -1).join(", ")} and ${fields.at(-1)}`;
}

function days(n: number): string {
  return `${n.toLocaleString("en")} ${n === 1 ? "day" : "days"}`;
}

export function date(iso: string): string {
  return new Date(iso).toLocaleDateString("en", { dateStyle: "long" });
}

export function dateTime(iso: string): string {
  return new Date(iso).toLocaleString("en", { dateStyle: "long", timeStyle: "short" });
}

/** Who at the brand read it: the API's words ("the brand's API key", "staff 0x… (manager)") made plain, without an address. */
export function actorInWords(actor: string): string {
  if (actor === "the brand's API key") return "Read by the brand's own systems.";
  const staff = /^staff (0x[0-9a-fA-F]{40})(?: \((.+)\))?$/.exec(actor);
  if (staff) return `Read by a member of the brand's staff${staff[2] ? ` (a ${staff[2]})` : ""}.`;
  return `Read by ${actor.replace(/0x[0-9a-fA-F]{40,}/g, "an account")}.`;
}

/** A receipt check in words: "Checked: agreed by you on … — the receipt is genuine." */
export function receiptInWords(result: VerifyReceiptReturnType, consent: Consent, me: string | undefined): { ok: boolean; text: string } {
  if (!result.valid) {
    const why: Record<typeof result.reason, string> = {
      malformed: "This receipt is not a signed message we can read",
      not_a_grant: "This receipt does not describe a grant",
      statement_mismatch: "The words of this receipt do not match what it grants",
      bad_signature: "The signature on this receipt does not match",
      needs_chain: "This signature can only be checked on the chain (a contract wallet's)",
    };
    return { ok: false, text: `${why[result.reason]} — not valid.` };
  }
  const matches = result.requestId === consent.requestId && result.brandId === consent.brandId && result.purpose === consent.purpose && result.fields.join() === consent.fields.join();
  if (!matches) return { ok: false, text: "This receipt is signed, but for something other than this grant — not valid for it." };
  const who = me !== undefined && result.signer.toLowerCase() === me.toLowerCase() ? "you" : "another account than yours";
  const expired = result.expired ? " The grant has since expired." : "";
  return { ok: true, text: `Checked: agreed by ${who} on ${dateTime(result.grantedAt)} — the receipt is genuine.${expired}` };
}

// ---------------------------------------------------------------- the section

export function setupDataSection(options: DataSectionOptions): DataSection {
  const { client } = options;
  /** The last thing each action said (by the item it is about), kept when its item is redrawn. */
  const notes = new Map<string, Note>();
  /** The profile as last saved or read: the form is refilled only when this changes. */
  let profile: Profile | null = null;
  let profileDrawn = "";
  let requests: DataRequest[] = [];
  let consents: Consent[] = [];
  let logCursor: string | null = null;
  let log: AccessLogEntry[] = [];

  const form = $<HTMLFormElement>("profile-form");
  const email = $<HTMLInputElement>("profile-email");
  const name = $<HTMLInputElement>("profile-name");
  const month = $<HTMLSelectElement>("profile-birthday-month");
  const day = $<HTMLInputElement>("profile-birthday-day");
  const city = $<HTMLInputElement>("profile-city");
  month.append(el("option", { text: "Month", attrs: { value: "" } }), ...MONTHS.map((m, i) => el("option", { text: m, attrs: { value: String(i + 1) } })));

  const brandName = (brandId: string) => requests.find((r) => r.brandId === brandId)?.brandName ?? options.fallbackBrandName(brandId);

  function noteStatus(key: string): HTMLParagraphElement {
    const status = actionStatus();
    status.dataset.note = key;
    const note = notes.get(key);
    if (note) report(status, note.state, note.text);
    return status;
  }

  /** Runs `action` with `control` disabled, saying how it goes in the status of item `key` (wherever it is drawn now). */
  async function run(key: string, control: HTMLButtonElement, pending: string, action: () => Promise<string>): Promise<boolean> {
    const say = (state: Note["state"], text: string) => {
      notes.set(key, { state, text });
      const live = document.querySelector<HTMLElement>(`[data-note="${CSS.escape(key)}"]`);
      if (live) report(live, state, text);
    };
    control.disabled = true;
    say("pending", pending);
    try {
      say("done", await action());
      return true;
    } catch (error) {
      say("failed", explain(error));
      return false;
    } finally {
      control.disabled = false;
    }
  }

  // ------------------------------------------------------------ profile

  function fillForm(p: Profile) {
    email.value = p.email ?? "";
    name.value = p.name ?? "";
    month.value = p.birthday ? String(p.birthday.month) : "";
    day.value = p.birthday ? String(p.birthday.day) : "";
    city.value = p.city ?? "";
    $("profile-saved").textContent = p.updatedAt ? `Last saved ${dateTime(p.updatedAt)}.` : "Nothing saved yet: every field is optional.";
  }

  function drawProfile(p: Profile) {
    profile = p;
    const json = JSON.stringify(p);
    if (json === profileDrawn) return;
    profileDrawn = json;
    fillForm(p);
  }

  function readForm(): ProfileInput {
    const text = (input: HTMLInputElement) => (input.value.trim() === "" ? null : input.value.trim());
    const m = month.value === "" ? null : Number(month.value);
    const d = day.value.trim() === "" ? null : Number(day.value);
    if ((m === null) !== (d === null)) throw new Error("Choose both the month and the day of your birthday, or neither.");
    if (m !== null && d !== null && (!Number.isInteger(d) || d < 1 || d > DAYS_IN_MONTH[m - 1]!)) throw new Error(`${MONTHS[m - 1]} has no day ${day.value.trim()}.`);
    return { email: text(email), name: text(name), birthday: m !== null && d !== null ? { month: m, day: d } : null, city: text(city), preferences: profile?.preferences ?? {} };
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const save = $<HTMLButtonElement>("profile-save");
    save.disabled = true;
    const status = $("profile-status");
    report(status, "pending", "Saving…");
    void (async () => {
      try {
        const saved = await client.updateProfile(readForm());
        profileDrawn = "";
        drawProfile(saved);
        report(status, "done", "Saved. Brands see it only if you share it below.");
      } catch (error) {
        report(status, "failed", explain(error));
      } finally {
        save.disabled = false;
      }
    })();
  });

  // ------------------------------------------------------------ requests and grants

  /** The perks a grant of `request` unlocks, by name: the one the brand named, and any locked for want of it. */
  function perksOf(request: DataRequest): string[] {
    return options
      .perks()
      .filter((p) => p.id === request.perkId || p.reasons.some((r) => r.request === request.id))
      .map((p) => p.title);
  }

  async function afterConsentChange() {
    await Promise.all([drawConsents(), options.consentsChanged()]);
  }

  function requestItem({ request, grant, unlocks }: { request: DataRequest; grant: Consent | null; unlocks: string[] }): HTMLLIElement {
    const key = `request:${request.id}`;
    const li = el(
      "li",
      { className: `data-item${grant ? " shared" : ""}`, attrs: { "data-testid": "data-request", "data-request-id": request.id, "data-shared": String(grant !== null) } },
      el("p", { className: "data-line", text: `${request.brandName} asks for your ${fieldList(request.fields)} — ${request.purpose} — kept ${days(request.retentionDays)}` }),
    );
    if (unlocks.length > 0) li.append(el("p", { className: "muted", text: `Sharing it unlocks ${unlocks.map((t) => `“${t}”`).join(" and ")}.` }));
    const row = el("div", { className: "data-actions" });
    if (grant) {
      const revoke = button("Revoke", "");
      revoke.dataset.testid = "revoke";
      revoke.addEventListener("click", () =>
        void run(key, revoke, "Revoking…", async () => {
          await client.revokeConsent({ consentId: grant.id });
          await afterConsentChange();
          return `Revoked: ${request.brandName} can no longer read your ${fieldList(request.fields)}.`;
        }),
      );
      li.append(el("p", { className: "until", text: `Shared until ${date(grant.expiresAt)}.` }));
      row.append(badge("shared", "unlocked"), revoke);
    } else {
      const share = button("Share");
      share.dataset.testid = "share";
      share.addEventListener("click", () =>
        void run(key, share, "Recording your agreement…", async () => {
          await client.grantConsent({ requestId: request.id });
          await afterConsentChange();
          return `Shared with ${request.brandName}. You can revoke it any time.`;
        }),
      );
      row.append(share);
    }
    li.append(row, noteStatus(key));
    return li;
  }

  function grantSentence(consent: Consent): string {
    const brand = brandName(consent.brandId);
    const what = `your ${fieldList(consent.fields)} (${consent.purpose})`;
    if (consent.status === "active") return `${brand} can see ${what} until ${date(consent.expiresAt)}.`;
    if (consent.status === "revoked") return `${brand} could see ${what}. You revoked it on ${date(consent.revokedAt ?? consent.expiresAt)}: it sees nothing more.`;
    return `${brand} could see ${what}. That ended on ${date(consent.expiresAt)}: it sees nothing more.`;
  }

  /** The receipt in words: who agreed, with which brand, to what, why, and until when. */
  function receiptSentence(consent: Consent): string {
    return `Your receipt: on ${dateTime(consent.grantedAt)} you agreed that ${brandName(consent.brandId)} may see your ${fieldList(consent.fields)}, ${consent.purpose}, until ${date(consent.expiresAt)}.`;
  }

  /** `brand` (the name the sentence uses) is part of the item so that a change of name redraws it. */
  function grantItem({ consent }: { consent: Consent; brand: string }): HTMLLIElement {
    const key = `receipt:${consent.id}`;
    const state = consent.status === "active" ? badge("can see", "unlocked") : badge(consent.status === "revoked" ? "revoked" : "expired", "locked");
    const check = button("Check receipt", "");
    check.dataset.testid = "check-receipt";
    check.addEventListener("click", () =>
      void run(key, check, "Checking the receipt…", async () => {
        const { ok, text } = receiptInWords(await verifyReceipt(consent.receipt), consent, client.session?.address);
        if (!ok) throw new Error(text);
        return text;
      }),
    );
    // The receipt in words first; the signed text (a sign-in message with its nonce and grant) only for those who ask.
    const receipt = el(
      "details",
      { className: "tech receipt" },
      el("summary", { text: "Technical details" }),
      el("p", { text: "The signed text, word for word:" }),
      el("pre", { text: consent.receipt.message, attrs: { "data-testid": "receipt-message" } }),
      el("dl", {}, el("dt", { text: "Signature" }), el("dd", { text: consent.receipt.signature }), el("dt", { text: "Grant" }), el("dd", { text: consent.id }), el("dt", { text: "Request" }), el("dd", { text: consent.requestId })),
    );
    return el(
      "li",
      { className: `data-item ${consent.status}`, attrs: { "data-testid": "data-grant", "data-consent-id": consent.id, "data-status": consent.status } },
      el("p", { className: "data-line", text: grantSentence(consent) }),
      el("p", { className: "muted", attrs: { "data-testid": "receipt-words" }, text: receiptSentence(consent) }),
      el("div", { className: "data-actions" }, state, check),
      noteStatus(key),
      receipt,
    );
  }

  async function drawConsents() {
    [requests, consents] = await Promise.all([client.getDataRequests(), client.getConsents()]);
    const active = (requestId: string) => consents.find((c) => c.requestId === requestId && c.status === "active") ?? null;
    const items = requests.map((request) => ({ request, grant: active(request.id), unlocks: perksOf(request) }));
    patchList($("data-requests"), items, (i) => i.request.id, requestItem);
    $("no-data-requests").hidden = items.length > 0;

    // Active grants first, then the ones that ended; newest first within each.
    const order = { active: 0, revoked: 1, expired: 1 } as const;
    const grants = consents
      .map((consent, i) => ({ consent, i }))
      .sort((a, b) => order[a.consent.status] - order[b.consent.status] || a.i - b.i)
      .map(({ consent }) => ({ consent, brand: brandName(consent.brandId) }));
    patchList($("data-grants"), grants, (g) => g.consent.id, grantItem);
    $("no-data-grants").hidden = grants.length > 0;
  }

  // ------------------------------------------------------------ access log

  function logItem(entry: AccessLogEntry): HTMLLIElement {
    return el(
      "li",
      { className: "data-item", attrs: { "data-testid": "access-entry", "data-entry-id": entry.id } },
      el("p", { className: "data-line", text: `${entry.brandName} read your ${fieldList(entry.fields)} on ${dateTime(entry.at)} (${entry.purpose})` }),
      el("p", { className: "muted", text: actorInWords(entry.actor) }),
    );
  }

  function drawLog() {
    patchList($("access-log"), log, (e) => e.id, logItem);
    $("no-access-log").hidden = log.length > 0;
    $("access-log-more").hidden = logCursor === null;
  }

  /** The newest reads again; older ones the member already loaded stay, with where to go on from them. */
  async function loadLog() {
    const page = await client.getAccessLog({ limit: ACCESS_LOG_PAGE });
    const seen = new Set(page.items.map((e) => e.id));
    const last = page.items.at(-1)?.at ?? "";
    const older = page.nextCursor === null ? [] : log.filter((e) => !seen.has(e.id) && e.at <= last);
    log = [...page.items, ...older];
    if (older.length === 0) logCursor = page.nextCursor;
    drawLog();
  }

  $("access-log-more").addEventListener("click", () => {
    const more = $<HTMLButtonElement>("access-log-more");
    if (logCursor === null) return;
    void run("access-log", more, "Loading older reads…", async () => {
      const page = await client.getAccessLog({ limit: ACCESS_LOG_PAGE, cursor: logCursor! });
      log = [...log, ...page.items.filter((e) => !log.some((l) => l.id === e.id))];
      logCursor = page.nextCursor;
      drawLog();
      return "";
    });
  });

  // ------------------------------------------------------------ download and erasure

  $("download-data").addEventListener("click", () => {
    const download = $<HTMLButtonElement>("download-data");
    void run("download", download, "Gathering your data…", async () => {
      const data = await client.exportData();
      const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }));
      const link = el("a", { attrs: { href: url, download: EXPORT_FILE }, text: "Download" });
      link.hidden = true;
      document.body.append(link);
      link.click();
      link.remove();
      // Revoked later, not at once: the browser may still be reading it.
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      return `Downloaded: ${EXPORT_FILE}, everything we keep about you.`;
    });
  });

  const confirmBox = $("erase-confirm");
  $("erase-data").addEventListener("click", () => {
    confirmBox.hidden = false;
    $("erase-cancel").focus();
  });
  $("erase-cancel").addEventListener("click", () => {
    confirmBox.hidden = true;
    report($("erase-status"), "done", "");
    $("erase-data").focus();
  });
  $("erase-confirm-yes").addEventListener("click", () => {
    const yes = $<HTMLButtonElement>("erase-confirm-yes");
    const status = $("erase-status");
    yes.disabled = true;
    report(status, "pending", "Deleting your data…");
    void (async () => {
      try {
        // The session ends with it: the page shows the signed-out state (and clears this section).
        await client.eraseData();
        report(status, "done", "");
        options.erased();
      } catch (error) {
        report(status, "failed", explain(error));
      } finally {
        yes.disabled = false;
      }
    })();
  });

  // ------------------------------------------------------------ the whole section

  return {
    async render() {
      const [p] = await Promise.all([client.getProfile(), drawConsents(), loadLog()]);
      drawProfile(p);
    },
    clear() {
      notes.clear();
      profile = null;
      profileDrawn = "";
      requests = [];
      consents = [];
      log = [];
      logCursor = null;
      form.reset();
      $("profile-saved").textContent = "";
      confirmBox.hidden = true;
      for (const id of ["data-requests", "data-grants", "access-log"]) $(id).replaceChildren();
      for (const id of ["profile-status", "erase-status"]) report($(id), "done", "");
      for (const status of Array.from(document.querySelectorAll<HTMLElement>("#your-data [data-note]"))) report(status, "done", "");
      $("access-log-more").hidden = true;
    },
  };
}
