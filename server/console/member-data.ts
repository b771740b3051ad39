/**
 * Members' data: the brand's data requests (which fields it asks members to share, why, for how long,
 * and the perk sharing unlocks) in words, with withdraw; a form to publish one; and a member look-up
 * that shows only the fields the member granted the brand, each with its purpose and until when. The
 * API logs every look-up where the member sees it, and this screen says so.
 */
import type { GrantedProfile } from "../../sdk/src/protocol/data.ts";
import { getAddress, isAddress } from "viem";
import { api, ApiProblem } from "./api.ts";
import { brandData, DATA_FIELDS, fieldWords, forget, type DataField, type DataRequest, type Perk } from "./data.ts";
import { act, actionStatus, button, checkbox, el, explain, field, input, panel, report, select, shortAddress, table, when } from "./dom.ts";
import type { ConsoleContext, Screen } from "./screen.ts";

const FIELD_LABELS: Record<DataField, string> = { email: "Email", name: "Name", birthday: "Birthday", city: "City", preferences: "Preferences" };

/** What the API takes as a purpose: printable ASCII a wallet shows in a sign-in statement, no `"%<>\^`{|}`. */
const PURPOSE = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]([A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;= ]*[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=])?$/;

/** "Birthday — to send you a birthday treat — kept 365 days; unlocks “A birthday treat”". */
export function describeRequest(request: DataRequest, perks: readonly Perk[]): string {
  const kept = `kept ${request.retentionDays} ${request.retentionDays === 1 ? "day" : "days"}`;
  const words = `${fieldWords(request.fields)} — ${request.purpose} — ${kept}`;
  if (request.perkId === null) return words;
  const perk = perks.find((p) => p.id === request.perkId);
  return `${words}; unlocks ${perk ? `“${perk.title}”` : "a perk since deleted"}`;
}

/** A member's value in words: never as JSON. */
function valueWords(field: DataField, value: unknown): string {
  if (value === null || value === undefined) return "not filled in";
  if (field === "birthday" && typeof value === "object") {
    const { month, day } = value as { month: number; day: number };
    return new Date(2000, month - 1, day).toLocaleDateString(undefined, { month: "long", day: "numeric" });
  }
  if (field === "preferences" && typeof value === "object") {
    const entries = Object.entries(value as Record<string, string | boolean>);
    if (entries.length === 0) return "none given";
    return entries.map(([key, v]) => `${key.replaceAll("_", " ")}: ${v === true ? "yes" : v === false ? "no" : v}`).join("; ");
  }
  return String(value);
}

export function memberDataScreen(ctx: ConsoleContext): Screen {
  let perks: Perk[] = [];
  const list = el("div", { attrs: { id: "request-list" } });
  const listStatus = actionStatus();

  // ---- publish a request
  const boxes = DATA_FIELDS.map((f) => ({ field: f, ...checkbox(FIELD_LABELS[f]) }));
  for (const b of boxes) b.box.name = "request-field";
  const purpose = input({ id: "request-purpose", maxlength: "200", "aria-label": "Purpose", placeholder: "to send you a birthday treat" });
  const retention = input({ type: "number", min: "1", max: "3650", step: "1", value: "365", id: "request-retention", "aria-label": "Kept for (days)" });
  const perk = select([["", "No perk"]], "", { id: "request-perk", "aria-label": "Unlocks" });
  const publish = button("Publish request", "primary", "submit");
  const publishStatus = actionStatus();
  publishStatus.id = "request-status";
  const form = el(
    "form",
    { attrs: { id: "request-form", "aria-label": "Ask members for data", novalidate: "" } },
    el("fieldset", { className: "field" }, el("legend", { text: "What to ask for" }), el("div", { className: "checks" }, ...boxes.map((b) => b.label))),
    field("Purpose", purpose, "Members' wallets show it in the grant they sign: plain words, e.g. “to send you a birthday treat”."),
    el(
      "div",
      { className: "form-grid" },
      field("Kept for (days)", retention, "How long the brand keeps what members share: 1 to 3650 days."),
      field("Unlocks", perk, "Optional: members read that sharing unlocks this perk. For it to unlock, give the perk the requirement “share their …” under Perks and drops."),
    ),
    el("div", { className: "actions" }, publish),
    publishStatus,
  );

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void act(publish, publishStatus, "Publishing…", async () => {
      const fields = boxes.filter((b) => b.box.checked).map((b) => b.field);
      if (fields.length === 0) throw new Error("Tick at least one thing to ask for.");
      const why = purpose.value.trim();
      if (!why) throw new Error("Say why you ask: members read the purpose before they share.");
      if (!PURPOSE.test(why)) throw new Error("The purpose may use letters, digits, spaces and ordinary punctuation, but not \" % < > \\ ^ ` { | } (a wallet shows it in what members sign).");
      const days = retention.value.trim();
      if (!/^\d+$/.test(days) || Number(days) < 1 || Number(days) > 3650) throw new Error("Kept for must be a whole number of days from 1 to 3650.");
      const created = await api<DataRequest>("POST", "/v1/admin/data-requests", {
        fields,
        purpose: why,
        retentionDays: Number(days),
        ...(perk.value ? { perkId: perk.value } : {}),
      });
      forget("requests");
      form.reset();
      retention.value = "365";
      await showRequests();
      return `Published: ${describeRequest(created, perks)}. Members can grant it now.`;
    });
  });

  function row(request: DataRequest): Array<Node | string> {
    const words = describeRequest(request, perks);
    const withdraw = button("Withdraw", "small danger");
    withdraw.setAttribute("aria-label", `Withdraw ${words}`);
    const status = actionStatus();
    withdraw.addEventListener("click", () => {
      if (!confirm(`Withdraw “${fieldWords(request.fields)} — ${request.purpose}”? Members can no longer grant it; what they already granted stays theirs, readable until it expires or they revoke it.`)) return;
      void act(withdraw, status, "Withdrawing…", async () => {
        await api("DELETE", `/v1/admin/data-requests/${request.id}`);
        forget("requests");
        await showRequests();
        return "Withdrawn.";
      });
    });
    return [el("span", { text: words, attrs: { "data-role": "request-words" } }), when(request.createdAt), el("span", { className: "row-actions" }, withdraw, status)];
  }

  async function showRequests() {
    report(listStatus, "pending", "Loading…");
    try {
      const [requests, nextPerks] = await Promise.all([brandData.requests(), brandData.perks()]);
      perks = nextPerks;
      const chosen = perk.value;
      const options: Array<[string, string]> = [["", "No perk"], ...perks.map((p): [string, string] => [p.id, p.title])];
      perk.replaceChildren(...options.map(([value, label]) => el("option", { text: label, attrs: { value } })));
      perk.value = perks.some((p) => p.id === chosen) ? chosen : "";
      list.replaceChildren(
        requests.length === 0 ? el("p", { className: "muted", text: "No data requests: the brand asks members for nothing." }) : table(["Asks for", "Published", ""], requests.map(row)),
      );
      report(listStatus, "done", "");
    } catch (error) {
      report(listStatus, "failed", explain(error));
    }
  }

  // ---- look up a member
  const address = input({ id: "lookup-address", placeholder: "0x…", "aria-label": "Member's wallet address", spellcheck: "false" });
  const lookUp = button("Look up", "primary", "submit");
  const lookupStatus = actionStatus();
  lookupStatus.id = "lookup-status";
  const result = el("div", { attrs: { id: "lookup-result" } });
  const who = () => {
    const session = ctx.session();
    return session.address === null ? "as read by the brand's API key" : `as read by you (staff ${shortAddress(session.address)}, ${session.role})`;
  };
  const notice = el("p", { className: "muted", attrs: { id: "lookup-notice" } });
  const lookup = el("form", { attrs: { id: "lookup-form", "aria-label": "Look up a member", novalidate: "" } }, field("Member's wallet address", address), el("div", { className: "actions" }, lookUp), lookupStatus, result);

  lookup.addEventListener("submit", (event) => {
    event.preventDefault();
    result.replaceChildren();
    void act(lookUp, lookupStatus, "Looking up…", async () => {
      const text = address.value.trim();
      if (!isAddress(text, { strict: false })) throw new Error("That is not a wallet address (0x and 40 hex digits).");
      const member = getAddress(text);
      let profile: GrantedProfile;
      try {
        profile = await api<GrantedProfile>("GET", `/v1/admin/members/${member}/profile`);
      } catch (error) {
        if (error instanceof ApiProblem && error.code === "consent_required") {
          result.dataset.outcome = "not-shared";
          return `${shortAddress(member)} has not shared anything with ${ctx.session().brandName} (or what they shared has expired): there is nothing to show.`;
        }
        if (error instanceof ApiProblem && error.code === "consent_revoked") {
          result.dataset.outcome = "revoked";
          return `${shortAddress(member)} revoked their consent: nothing they shared may be read now. They may grant one of the brand's requests again.`;
        }
        throw error;
      }
      result.dataset.outcome = "shared";
      result.replaceChildren(
        table(
          ["What", "Value", "Shared", "Until"],
          profile.fields.map((f) => [FIELD_LABELS[f.field] ?? f.field, valueWords(f.field, f.value), f.purpose, new Date(f.expiresAt).toLocaleDateString()]),
          "granted-fields",
        ),
      );
      return `What ${shortAddress(member)} shared with the brand (${profile.fields.length} ${profile.fields.length === 1 ? "field" : "fields"}). This look-up is now in their access log, ${who()}.`;
    });
  });

  const element = el(
    "div",
    {},
    panel("Data requests", el("p", { className: "muted", text: "What the brand asks members to share, and why. Members see these under Your data and decide; they may revoke a grant at any time." }), list, listStatus),
    panel("Ask members for data", form),
    panel("Look up a member", notice, lookup),
  );
  return {
    element,
    show: async () => {
      notice.textContent = `Shows only what the member granted the brand, with its purpose and until when. Each look-up is shown to the member in their access log, ${who()}.`;
      forget("requests", "perks");
      await showRequests();
    },
  };
}
