/**
 * Perks and drops: the brand's lists (what each requires in words, limits, window) with edit and
 * delete, and one form for both kinds with the rule builder. A drop also names what it gives (a token
 * type and an amount) and how (minted by the brand's minter, or a voucher); that is fixed once made.
 */
import { api } from "./api.ts";
import { brandData, forget, requestWords, typeKey, typeLabel, type DataRequest, type Drop, type Level, type Perk, type TokenType } from "./data.ts";
import { act, actionStatus, button, el, explain, field, input, panel, report, select, table } from "./dom.ts";
import { ruleBuilder } from "./rule-builder.ts";
import { ruleWords } from "./rules.ts";
import type { Screen } from "./screen.ts";

type Kind = "perk" | "drop";
type Editing = { kind: Kind; id: string } | null;

/** A datetime-local value for an ISO timestamp (local time), and back. */
const toLocal = (iso: string | null) => (iso ? new Date(new Date(iso).getTime() - new Date(iso).getTimezoneOffset() * 60_000).toISOString().slice(0, 16) : "");
const fromLocal = (value: string) => (value ? new Date(value).toISOString() : null);

function limitValue(value: string, what: string): number | null {
  const text = value.trim();
  if (text === "") return null;
  if (!/^\d+$/.test(text)) throw new Error(`${what} must be a whole number, or empty for no limit.`);
  return Number(text);
}

function limitWords(limits: { perMember: number | null; total: number | null }): string {
  const per = limits.perMember === null ? "no limit per member" : `${limits.perMember} per member`;
  return limits.total === null ? per : `${per}, ${limits.total} in all`;
}

function windowWords(o: { startsAt: string | null; endsAt: string | null }): string {
  if (!o.startsAt && !o.endsAt) return "always";
  return `${o.startsAt ? new Date(o.startsAt).toLocaleDateString() : "now"} – ${o.endsAt ? new Date(o.endsAt).toLocaleDateString() : "open-ended"}`;
}

export function offersScreen(): Screen {
  let types: TokenType[] = [];
  let levels: Level[] = [];
  let requests: DataRequest[] = [];
  let editing: Editing = null;
  const perkList = el("div", { attrs: { id: "perk-list" } });
  const dropList = el("div", { attrs: { id: "drop-list" } });
  const listStatus = actionStatus();

  // ---- the form
  const heading = el("h2", { text: "New perk" });
  const kind = select([["perk", "Perk: a one-time code shown at the till"], ["drop", "Drop: tokens members claim without gas"]], "perk", { id: "offer-kind", "aria-label": "Kind" });
  const title = input({ id: "offer-title", maxlength: "200", "aria-label": "Title" });
  const description = el("textarea", { attrs: { id: "offer-description", rows: "2", maxlength: "4000", "aria-label": "Description" } });
  const gives = select([], undefined, { id: "drop-type", "aria-label": "Gives" });
  const amount = input({ type: "number", min: "1", step: "1", value: "1", id: "drop-amount", "aria-label": "Amount" });
  const mode = select([["mint", "Minted for the member by the brand's minter"], ["voucher", "A signed voucher the member submits"]], "mint", { id: "drop-mode", "aria-label": "Delivery" });
  const perMember = input({ type: "number", min: "0", step: "1", value: "1", id: "offer-per-member", "aria-label": "Per member" });
  const total = input({ type: "number", min: "0", step: "1", id: "offer-total", "aria-label": "In all" });
  const startsAt = input({ type: "datetime-local", id: "offer-starts", "aria-label": "Starts" });
  const endsAt = input({ type: "datetime-local", id: "offer-ends", "aria-label": "Ends" });
  const builder = ruleBuilder({ empty: "A perk needs at least one requirement.", id: "offer-rule", consent: true });
  const submit = button("Create perk", "primary", "submit");
  const cancel = button("Cancel");
  const status = actionStatus();
  status.id = "offer-status";
  const dropFields = el("div", { className: "form-grid" }, field("Gives", gives), field("Amount", amount), field("Delivery", mode));
  const form = el(
    "form",
    { attrs: { id: "offer-form", "aria-label": "Perk or drop" } },
    heading,
    el("div", { className: "form-grid" }, field("Kind", kind), field("Title", title)),
    field("Description", description),
    dropFields,
    el("h3", { text: "Who may take it" }),
    builder.element,
    el("h3", { text: "Limits and window" }),
    el("div", { className: "form-grid" }, field("Per member", perMember, "empty: no limit"), field("In all", total, "empty: no limit"), field("Starts", startsAt, "empty: now"), field("Ends", endsAt, "empty: never")),
    el("div", { className: "actions" }, submit, cancel),
    status,
  );

  function syncKind() {
    const drop = kind.value === "drop";
    dropFields.hidden = !drop;
    builder.emptyWords(drop ? "No requirement: any signed-in member may claim it." : "A perk needs at least one requirement.");
    heading.textContent = editing ? `Edit ${editing.kind}` : drop ? "New drop" : "New perk";
    submit.textContent = editing ? "Save" : drop ? "Create drop" : "Create perk";
    kind.disabled = editing !== null;
    for (const control of [gives, amount, mode]) control.disabled = editing !== null;
  }
  kind.addEventListener("change", syncKind);

  function resetForm() {
    editing = null;
    form.reset();
    perMember.value = "1";
    amount.value = "1";
    builder.set(null);
    syncKind();
  }
  cancel.addEventListener("click", () => {
    resetForm();
    report(status, "done", "");
  });

  function edit(k: Kind, offer: Perk | Drop) {
    editing = { kind: k, id: offer.id };
    kind.value = k;
    title.value = offer.title;
    description.value = offer.description;
    perMember.value = offer.limits.perMember === null ? "" : String(offer.limits.perMember);
    total.value = offer.limits.total === null ? "" : String(offer.limits.total);
    startsAt.value = toLocal(offer.startsAt);
    endsAt.value = toLocal(offer.endsAt);
    if (k === "drop") {
      const d = offer as Drop;
      gives.value = typeKey(d.collection, d.tokenId);
      amount.value = d.amount;
      mode.value = d.mode;
    }
    builder.set(offer.rule);
    syncKind();
    form.scrollIntoView({ block: "start" });
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const k = kind.value as Kind;
    void act(submit, status, editing ? "Saving…" : `Creating the ${k}…`, async () => {
      if (!title.value.trim()) throw new Error("Give it a title: members read it.");
      const rule = builder.rule();
      if (rule === null && k === "perk") throw new Error("A perk needs a rule: add at least one requirement.");
      const fields = {
        title: title.value.trim(),
        description: description.value.trim(),
        limits: { perMember: limitValue(perMember.value, "Per member"), total: limitValue(total.value, "In all") },
        startsAt: fromLocal(startsAt.value),
        endsAt: fromLocal(endsAt.value),
      };
      if (editing) {
        const path = `/v1/admin/${editing.kind}s/${editing.id}`;
        const saved = await api<Perk | Drop>("PATCH", path, { ...fields, rule });
        forget(`${editing.kind}s`);
        resetForm();
        await showLists();
        return `Saved “${saved.title}”.`;
      }
      let body: Record<string, unknown> = { ...fields, ...(rule === null ? {} : { rule }) };
      if (k === "drop") {
        const type = types.find((t) => typeKey(t.collection, t.tokenId) === gives.value);
        if (!type) throw new Error("Choose the token type the drop gives.");
        if (!/^[1-9]\d*$/.test(amount.value.trim())) throw new Error("The amount must be a whole number of at least 1.");
        body = { ...body, collection: type.collection, tokenId: type.tokenId, amount: amount.value.trim(), mode: mode.value };
      }
      const created = await api<Perk | Drop>("POST", `/v1/admin/${k}s`, body);
      forget(`${k}s`);
      resetForm();
      await showLists();
      return `Created the ${k} “${created.title}”.`;
    });
  });

  function offerTable(k: Kind, offers: Array<Perk | Drop>): HTMLElement {
    if (offers.length === 0) return el("p", { className: "muted", text: `No ${k}s yet.` });
    const names = {
      typeName: (c: string, id: string) => types.find((t) => typeKey(t.collection, t.tokenId) === typeKey(c, id))?.name,
      levels,
      requests: requestWords(requests),
    };
    return table(
      k === "perk" ? ["Title", "Requires", "Limits", "Window", ""] : ["Title", "Gives", "Requires", "Limits", "Window", ""],
      offers.map((offer) => {
        const editButton = button("Edit", "small");
        editButton.setAttribute("aria-label", `Edit ${offer.title}`);
        editButton.addEventListener("click", () => edit(k, offer));
        const remove = button("Delete", "small danger");
        remove.setAttribute("aria-label", `Delete ${offer.title}`);
        const rowStatus = actionStatus();
        remove.addEventListener("click", () => {
          if (!confirm(`Delete the ${k} “${offer.title}”? Members will no longer see it; its ${k === "perk" ? "redemptions" : "claims"} stay.`)) return;
          void act(remove, rowStatus, "Deleting…", async () => {
            await api("DELETE", `/v1/admin/${k}s/${offer.id}`);
            forget(`${k}s`);
            await showLists();
            return "Deleted.";
          });
        });
        const requires = ruleWords(offer.rule, names);
        const cells: Array<Node | string> = [el("strong", { text: offer.title }), requires, limitWords(offer.limits), windowWords(offer), el("span", { className: "row-actions" }, editButton, remove, rowStatus)];
        if (k === "drop") {
          const d = offer as Drop;
          cells.splice(1, 0, `${d.amount} × ${names.typeName(d.collection, d.tokenId) ?? `type #${d.tokenId}`} (${d.mode})`);
        }
        return cells;
      }),
    );
  }

  async function showLists() {
    report(listStatus, "pending", "Loading…");
    try {
      const [perks, drops, nextTypes, nextLevels, nextRequests] = await Promise.all([brandData.perks(), brandData.drops(), brandData.types(), brandData.levels(), brandData.requests()]);
      if (JSON.stringify([nextTypes, nextLevels, nextRequests]) !== JSON.stringify([types, levels, requests])) {
        types = nextTypes;
        levels = nextLevels;
        requests = nextRequests;
        const chosen = gives.value;
        gives.replaceChildren(...types.map((t) => el("option", { text: typeLabel(t, types), attrs: { value: typeKey(t.collection, t.tokenId) } })));
        if (chosen) gives.value = chosen;
        builder.terms(types, levels, requests);
      }
      perkList.replaceChildren(offerTable("perk", perks));
      dropList.replaceChildren(offerTable("drop", drops));
      report(listStatus, "done", "");
    } catch (error) {
      report(listStatus, "failed", explain(error));
    }
  }

  syncKind();
  const element = el("div", {}, panel("Perks", perkList), panel("Drops", dropList, listStatus), el("section", { className: "panel" }, form));
  return {
    element,
    show: async () => {
      forget("perks", "drops", "types", "levels", "requests");
      await showLists();
    },
  };
}
