/**
 * Redemptions and claims: the brand's takes, newest first, filtered (by perk or drop, member, and
 * consumed or status), a page at a time (the API's `nextCursor`), and exported as CSV with the same
 * filters (every page, `GET /v1/admin/{redemptions,claims}.csv`).
 */
import type { Claim } from "../../sdk/src/protocol/drops.ts";
import type { Redemption } from "../../sdk/src/protocol/perks.ts";
import { api, apiText, queryString } from "./api.ts";
import { brandData } from "./data.ts";
import { act, actionStatus, button, download, el, explain, field, input, panel, report, select, shortAddress, when } from "./dom.ts";
import type { Screen } from "./screen.ts";

type Page<T> = { items: T[]; nextCursor: string | null };

type Spec<T> = {
  noun: "redemptions" | "claims";
  offer: "perk" | "drop";
  extra: { name: string; label: string; options: Array<[string, string]> };
  headers: string[];
  row(item: T, offerTitle: (id: string) => string): Array<Node | string>;
};

const PAGE_SIZE = 25;

function takesPanel<T>(spec: Spec<T>) {
  const offer = select([["", `Any ${spec.offer}`]], "", { "aria-label": spec.offer === "perk" ? "Perk" : "Drop", id: `${spec.noun}-offer` });
  const member = input({ placeholder: "0x… (any member)", "aria-label": "Member", id: `${spec.noun}-member`, pattern: "0x[0-9a-fA-F]{40}" });
  const extra = select(spec.extra.options, "", { "aria-label": spec.extra.label, id: `${spec.noun}-${spec.extra.name}` });
  const apply = button("Show", "primary");
  const more = button("Load more");
  const exportCsv = button("Export CSV");
  const status = actionStatus();
  const rows = el("tbody");
  const count = el("span", { className: "muted" });
  let cursor: string | null = null;
  let shown = 0;
  let titles = new Map<string, string>();

  const filters = () => {
    const who = member.value.trim();
    if (who && !/^0x[0-9a-fA-F]{40}$/.test(who)) throw new Error("The member must be an address (0x and 40 hex digits), or empty.");
    return { [spec.offer]: offer.value, member: who, [spec.extra.name]: extra.value };
  };
  const offerTitle = (id: string) => titles.get(id) ?? id;

  async function load(reset: boolean): Promise<string> {
    if (reset) {
      cursor = null;
      shown = 0;
      rows.replaceChildren();
    }
    const page = await api<Page<T>>("GET", `/v1/admin/${spec.noun}${queryString({ ...filters(), limit: PAGE_SIZE, cursor })}`);
    rows.append(...page.items.map((item) => el("tr", {}, ...spec.row(item, offerTitle).map((cell) => el("td", {}, cell)))));
    cursor = page.nextCursor;
    shown += page.items.length;
    more.hidden = cursor === null;
    count.textContent = `${shown} shown${cursor ? ", more to load" : ""}`;
    return shown === 0 ? `No ${spec.noun} match.` : `${shown} ${spec.noun}${cursor ? " (more below)" : ""}.`;
  }

  apply.addEventListener("click", () => void act(apply, status, "Loading…", () => load(true)));
  more.addEventListener("click", () => void act(more, status, "Loading more…", () => load(false)));
  exportCsv.addEventListener("click", () =>
    void act(exportCsv, status, "Exporting…", async () => {
      const csv = await apiText(`/v1/admin/${spec.noun}.csv${queryString(filters())}`);
      download(`${spec.noun}-${new Date().toISOString().slice(0, 10)}.csv`, csv, "text/csv");
      const lines = csv.trimEnd().split("\n").length - 1;
      return `Exported ${lines} ${spec.noun} as CSV.`;
    }),
  );
  more.hidden = true;

  const element = panel(
    spec.noun === "redemptions" ? "Redemptions" : "Claims",
    el("div", { className: "filters" }, field(spec.offer === "perk" ? "Perk" : "Drop", offer), field("Member", member), field(spec.extra.label, extra), el("div", { className: "actions" }, apply, exportCsv)),
    el("table", { attrs: { id: `${spec.noun}-table` } }, el("thead", {}, el("tr", {}, ...spec.headers.map((h) => el("th", { text: h, attrs: { scope: "col" } })))), rows),
    el("div", { className: "row" }, count, more),
    status,
  );

  return {
    element,
    async show(offers: Array<{ id: string; title: string }>) {
      titles = new Map(offers.map((o) => [o.id, o.title]));
      const chosen = offer.value;
      offer.replaceChildren(...[["", `Any ${spec.offer}`], ...offers.map((o) => [o.id, o.title])].map(([v, l]) => el("option", { text: l!, attrs: { value: v! } })));
      offer.value = chosen;
      await act(apply, status, "Loading…", () => load(true));
    },
  };
}

export function activityScreen(): Screen {
  const redemptions = takesPanel<Redemption>({
    noun: "redemptions",
    offer: "perk",
    extra: { name: "consumed", label: "Used at the till", options: [["", "Either"], ["true", "Used"], ["false", "Not used yet"]] },
    headers: ["When", "Perk", "Member", "Code", "Used at the till"],
    row: (r, title) => [when(r.createdAt), title(r.perkId), el("span", { className: "mono", text: shortAddress(r.member), attrs: { title: r.member } }), el("code", { text: r.code }), when(r.consumedAt)],
  });
  const claims = takesPanel<Claim>({
    noun: "claims",
    offer: "drop",
    extra: { name: "status", label: "Status", options: [["", "Any"], ["pending", "Pending"], ["minted", "Minted"], ["issued", "Voucher issued"], ["failed", "Failed"], ["expired", "Expired"]] },
    headers: ["When", "Drop", "Member", "Amount", "Status"],
    row: (c, title) => [
      when(c.createdAt),
      title(c.dropId),
      el("span", { className: "mono", text: shortAddress(c.member), attrs: { title: c.member } }),
      c.amount,
      el("span", { text: c.error ? `${c.status}: ${c.error.message}` : c.status, attrs: { title: c.txHash ?? "" } }),
    ],
  });
  const status = actionStatus();
  return {
    element: el("div", {}, redemptions.element, claims.element, status),
    show: async () => {
      try {
        const [perks, drops] = await Promise.all([brandData.perks(), brandData.drops()]);
        await Promise.all([redemptions.show(perks), claims.show(drops)]);
      } catch (error) {
        report(status, "failed", explain(error));
      }
    },
  };
}
