/** Overview: members who signed in, redemptions and claims per day as a bar chart, the busiest perks. */
import type { Stats } from "../../sdk/src/protocol/staff.ts";
import { api } from "./api.ts";
import { actionStatus, button, el, explain, panel, report, table } from "./dom.ts";
import type { Screen } from "./screen.ts";

const SVG = "http://www.w3.org/2000/svg";

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, ...children: Array<Node | string>): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  node.append(...children);
  return node;
}

/** Redemptions and claims per day, side by side, as inline SVG bars. */
export function dayChart(days: Stats["days"]): SVGSVGElement {
  const width = 720;
  const height = 220;
  const pad = { left: 36, right: 8, top: 12, bottom: 28 };
  const max = Math.max(1, ...days.map((d) => Math.max(d.redemptions, d.claims)));
  const slot = (width - pad.left - pad.right) / Math.max(1, days.length);
  const bar = Math.max(1, slot * 0.4);
  const y = (n: number) => pad.top + (height - pad.top - pad.bottom) * (1 - n / max);
  const total = days.reduce((sum, d) => sum + d.redemptions + d.claims, 0);
  const chart = svg(
    "svg",
    { viewBox: `0 0 ${width} ${height}`, class: "chart", role: "img", "aria-label": `Redemptions and claims per day over ${days.length} days: ${total} in all` },
    svg("line", { x1: pad.left, x2: width - pad.right, y1: y(0), y2: y(0), class: "axis" }),
    svg("text", { x: pad.left - 6, y: y(max) + 4, "text-anchor": "end", class: "tick" }, String(max)),
    svg("text", { x: pad.left - 6, y: y(0) + 4, "text-anchor": "end", class: "tick" }, "0"),
  );
  days.forEach((day, i) => {
    const x = pad.left + i * slot + (slot - 2 * bar) / 2;
    for (const [n, kind, dx] of [[day.redemptions, "redemptions", 0], [day.claims, "claims", bar]] as const) {
      chart.append(svg("rect", { x: x + dx, y: y(n), width: bar, height: y(0) - y(n), class: `bar ${kind}` }, svg("title", {}, `${day.date}: ${n} ${kind}`)));
    }
  });
  const label = (i: number, anchor: string) => svg("text", { x: pad.left + i * slot + slot / 2, y: height - 8, "text-anchor": anchor, class: "tick" }, days[i]!.date.slice(5));
  if (days.length > 0) chart.append(label(0, "start"), label(days.length - 1, "end"));
  return chart;
}

export function overviewScreen(): Screen {
  const figures = el("div", { className: "figures" });
  const chart = el("div", { className: "chart-box" });
  const busiest = el("div");
  const status = actionStatus();
  const refresh = button("Refresh");
  const days = el("select", { attrs: { "aria-label": "Period" } }, ...[7, 30, 90].map((n) => el("option", { text: `Last ${n} days`, attrs: { value: String(n) } })));
  days.value = "30";
  const element = el(
    "div",
    {},
    panel("Members", figures),
    panel(
      "Redemptions and claims per day",
      el("div", { className: "row" }, days, el("span", { className: "legend" }, el("span", { className: "swatch redemptions" }), " redemptions ", el("span", { className: "swatch claims" }), " claims"), refresh),
      chart,
      status,
    ),
    panel("Busiest perks", busiest),
  );

  async function show() {
    refresh.disabled = true;
    report(status, "pending", "Loading…");
    try {
      const stats = await api<Stats>("GET", `/v1/admin/stats?days=${days.value}`);
      figures.replaceChildren(
        el("div", { className: "figure" }, el("strong", { text: String(stats.members.signedIn), attrs: { "data-figure": "signed-in" } }), el("span", { text: "members signed in" })),
        el("div", { className: "figure" }, el("strong", { text: String(stats.members.active) }), el("span", { text: `active in the last ${days.value} days` })),
      );
      chart.replaceChildren(dayChart(stats.days));
      busiest.replaceChildren(
        stats.busiestPerks.length === 0
          ? el("p", { className: "muted", text: "No redemptions in this period yet." })
          : table(["Perk", "Redemptions"], stats.busiestPerks.map((p) => [p.title, String(p.redemptions)])),
      );
      report(status, "done", `Up to date (${new Date().toLocaleTimeString()}).`);
    } catch (error) {
      report(status, "failed", explain(error));
    } finally {
      refresh.disabled = false;
    }
  }
  refresh.addEventListener("click", () => void show());
  days.addEventListener("change", () => void show());
  return { element, show };
}
