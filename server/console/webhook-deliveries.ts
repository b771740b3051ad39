/**
 * One endpoint's latest deliveries on the Webhooks screen: each message's type in words, its state,
 * attempts (the log opens under them), what the endpoint last answered and when it is tried next; a
 * message sent again on request, and everything since a time sent again (replay).
 */
import type { Webhook, WebhookDelivery } from "../../sdk/src/protocol/webhooks.ts";
import { api, queryString } from "./api.ts";
import { act, actionStatus, button, el, field, input, report, select } from "./dom.ts";
import { attemptWords, deliveryStateWords, EVENT_WORDS, excerptWords, lastAnswerWords, moment, replayWords } from "./webhook-words.ts";

type Page = { items: WebhookDelivery[]; nextCursor: string | null };

const PAGE_SIZE = 20;
const DAY_MS = 24 * 3600_000;
/** Messages are kept 30 days: a replay reaches no further back. */
const KEPT_DAYS = 30;

/** A datetime-local value (the reader's local time, to the minute) for `date`, and back to an ISO time. */
const toLocal = (date: Date) => new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
const fromLocal = (value: string) => new Date(value).toISOString();

export type DeliveriesPanel = { element: HTMLElement; load(): Promise<boolean> };

export function deliveriesPanel(endpoint: () => Webhook): DeliveriesPanel {
  const state = select(
    [
      ["", "All deliveries"],
      ["pending", "Waiting or being tried again"],
      ["delivered", "Delivered"],
      ["failed", "Failed"],
    ],
    "",
    { "aria-label": "Which deliveries" },
  );
  const refresh = button("Refresh", "small");
  const rows = el("tbody");
  const table = el(
    "table",
    { className: "deliveries" },
    el("thead", {}, el("tr", {}, ...["What happened", "Written", "State", "Attempts", "Last answer", "Next attempt", ""].map((h) => el("th", { text: h, attrs: { scope: "col" } })))),
    rows,
  );
  const empty = el("p", { className: "muted", text: "Nothing sent to it yet: messages show here as things happen (a test message is not listed)." });
  const more = button("Load more", "small");
  const status = actionStatus();
  status.dataset.role = "deliveries-status";
  let cursor: string | null = null;

  const since = input({ type: "datetime-local", "aria-label": "Send again everything since" });
  const replay = button("Send again", "small");
  const replayStatus = actionStatus();
  replayStatus.dataset.role = "replay-status";

  function row(delivery: WebhookDelivery): HTMLTableRowElement {
    const what = EVENT_WORDS[delivery.type];
    const log =
      delivery.log.length === 0
        ? el("span", { className: "muted", text: "Not tried yet" })
        : el(
            "details",
            { className: "attempt-log" },
            el("summary", { text: `${delivery.attempts} ${delivery.attempts === 1 ? "attempt" : "attempts"}` }),
            el(
              "ol",
              {},
              ...delivery.log.map((a) => el("li", {}, el("span", { text: attemptWords(a) }), ...(a.excerpt.trim() ? [el("span", { className: "muted excerpt", text: ` It answered: “${excerptWords(a.excerpt, 300)}”` })] : []))),
            ),
          );
    const resend = button("Resend", "small");
    resend.setAttribute("aria-label", `Resend: ${what}, written ${moment(delivery.createdAt)}`);
    resend.addEventListener("click", () =>
      void act(resend, status, "Sending it again…", async () => {
        await api("POST", `/v1/admin/webhooks/${endpoint().id}/deliveries/${encodeURIComponent(delivery.messageId)}/resend`);
        await load(true);
        return `“${what}” is on its way again, with the same message id: your service can tell it is a repeat.`;
      }),
    );
    return el(
      "tr",
      { attrs: { "data-message-id": delivery.messageId, "data-state": delivery.state } },
      el("td", {}, el("strong", { text: what })),
      el("td", { text: moment(delivery.createdAt) }),
      el("td", {}, el("span", { className: "delivery-state", text: deliveryStateWords(delivery) })),
      el("td", {}, log),
      el("td", { text: lastAnswerWords(delivery), className: delivery.lastStatus === null ? "" : "status-code" }),
      el("td", { text: delivery.nextAttemptAt ? moment(delivery.nextAttemptAt) : "—" }),
      el("td", {}, resend),
    );
  }

  /** Reads the first page again (`reset`) or the next one; says how many are shown. */
  async function load(reset: boolean): Promise<string> {
    const page = await api<Page>("GET", `/v1/admin/webhooks/${endpoint().id}/deliveries${queryString({ limit: PAGE_SIZE, cursor: reset ? null : cursor, state: state.value })}`);
    if (reset) rows.replaceChildren();
    rows.append(...page.items.map(row));
    cursor = page.nextCursor;
    more.hidden = cursor === null;
    const shown = rows.rows.length;
    table.hidden = shown === 0;
    empty.hidden = shown !== 0;
    if (shown === 0) empty.textContent = state.value ? "No delivery in this state." : "Nothing sent to it yet: messages show here as things happen (a test message is not listed).";
    return shown === 0 ? "" : `The latest ${shown} ${shown === 1 ? "delivery" : "deliveries"}${cursor ? " (more below)" : ""}.`;
  }

  refresh.addEventListener("click", () => void act(refresh, status, "Loading…", () => load(true)));
  state.addEventListener("change", () => void act(null, status, "Loading…", () => load(true)));
  more.addEventListener("click", () => void act(more, status, "Loading more…", () => load(false)));

  replay.addEventListener("click", () => {
    if (!since.value) return report(replayStatus, "failed", "Choose the time to send everything again from.");
    const from = new Date(since.value);
    if (!confirm(`Send again every message for this endpoint since ${moment(from)}, delivered or not? Your service receives them a second time, with the same message ids.`)) return;
    void act(replay, replayStatus, "Sending again…", async () => {
      const { queued } = await api<{ queued: number }>("POST", `/v1/admin/webhooks/${endpoint().id}/replay`, { since: fromLocal(since.value) });
      await load(true);
      return replayWords(queued, from);
    });
  });
  more.hidden = true;
  table.hidden = true;

  const element = el(
    "div",
    { className: "deliveries-panel", attrs: { "data-role": "deliveries" } },
    el("div", { className: "row" }, el("h3", { text: "Latest deliveries" }), el("div", { className: "row-actions" }, state, refresh)),
    table,
    empty,
    el("div", { className: "actions" }, more),
    status,
    el("div", { className: "replay" }, field("Send again everything since", since), replay),
    el("p", { className: "muted hint", text: `Every message of this endpoint's event types written since then, delivered or not: for a service that lost what it received. Messages are kept ${KEPT_DAYS} days.` }),
    replayStatus,
  );

  return {
    element,
    /** Shows the latest deliveries; the replay's time starts at 24 hours ago. */
    async load() {
      const now = Date.now();
      since.min = toLocal(new Date(now - KEPT_DAYS * DAY_MS + 60_000));
      since.max = toLocal(new Date(now));
      if (!since.value) since.value = toLocal(new Date(now - DAY_MS));
      return act(refresh, status, "Loading the deliveries…", () => load(true));
    },
  };
}
