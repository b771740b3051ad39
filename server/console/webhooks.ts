/**
 * Webhooks (owners and managers): the addresses where Stampbook tells the brand's own systems what
 * happened. Endpoints are listed failing first, each with its state in words (why it is off, since
 * when it fails); they are added with the event types ticked in words, turned off and on, edited,
 * deleted, sent a test message, and their signing secret rotated (a secret is shown once). Each opens
 * its latest deliveries (deliveries in webhook-deliveries.ts).
 */
import type { Webhook, WebhookEventType } from "../../sdk/src/protocol/webhooks.ts";
import { api } from "./api.ts";
import { act, actionStatus, button, checkbox, el, explain, field, input, panel, report } from "./dom.ts";
import type { Screen } from "./screen.ts";
import { deliveriesPanel } from "./webhook-deliveries.ts";
import { endpointHealth, EVENT_GROUPS, EVENT_WORDS, eventList, HEALTH_BADGE, healthWords, inAttentionOrder, moment, testResultWords } from "./webhook-words.ts";

type Created = Webhook & { secret: string };
type Rotated = { secret: string; previousValidUntil: string };
type TestResult = { messageId: string; delivered: boolean; status: number | null; latencyMs: number; error: string | null; excerpt: string };
type EndpointInput = { url: string; description: string; events: WebhookEventType[] };

// ---------------------------------------------------------------- the fields of the add and edit forms

type EndpointFields = { element: HTMLElement; value(): EndpointInput; set(endpoint: Pick<Webhook, "url" | "description" | "events">): void; clear(): void };

function endpointFields(): EndpointFields {
  const url = input({ placeholder: "https://crm.your-shop.example/stampbook", "aria-label": "Address", spellcheck: "false", inputmode: "url", autocomplete: "off" });
  const description = input({ maxlength: "500", placeholder: "e.g. Our CRM", "aria-label": "Description" });
  const boxes = new Map<WebhookEventType, HTMLInputElement>();
  const groups = EVENT_GROUPS.map((group) =>
    el(
      "div",
      { className: "event-group" },
      el("strong", { text: group.title }),
      ...group.types.map((type) => {
        const { box, label } = checkbox(EVENT_WORDS[type]);
        box.value = type;
        boxes.set(type, box);
        return label;
      }),
    ),
  );
  const all = button("Tick all", "small");
  const none = button("Untick all", "small");
  all.addEventListener("click", () => boxes.forEach((b) => (b.checked = true)));
  none.addEventListener("click", () => boxes.forEach((b) => (b.checked = false)));
  const element = el(
    "div",
    {},
    el(
      "div",
      { className: "form-grid wide" },
      field("Address", url, "Where each message is sent (POST), as a full address starting with https://."),
      field("Description", description, "What it is for, in your words: staff read it here."),
    ),
    el(
      "fieldset",
      { className: "field events" },
      el("legend", { text: "What to send" }),
      el("p", { className: "muted", text: "Tick what your service wants to hear about; it is sent a message each time." }),
      el("div", { className: "event-groups" }, ...groups),
      el("div", { className: "actions" }, all, none),
    ),
  );
  return {
    element,
    value() {
      const address = url.value.trim();
      if (!address) throw new Error("Type the address messages go to, starting with https://.");
      const events = [...boxes].filter(([, b]) => b.checked).map(([type]) => type);
      if (events.length === 0) throw new Error("Tick at least one thing to send.");
      return { url: address, description: description.value.trim(), events };
    },
    set(endpoint) {
      url.value = endpoint.url;
      description.value = endpoint.description;
      for (const [type, box] of boxes) box.checked = endpoint.events.includes(type);
    },
    clear() {
      url.value = "";
      description.value = "";
      for (const box of boxes.values()) box.checked = false;
    },
  };
}

// ---------------------------------------------------------------- a secret, shown once

/** A signing secret with a copy button and the warning that it is not shown again; "I have kept it" removes it. */
function secretShown(secret: string, title: string, note: string): HTMLElement {
  const value = el("code", { className: "secret-value", text: secret, attrs: { "data-role": "secret" } });
  const copy = button("Copy", "small primary");
  const kept = button("I have kept it", "small");
  const status = actionStatus();
  const box = el(
    "div",
    { className: "secret-box", attrs: { role: "region", "aria-label": title } },
    el("strong", { text: title }),
    el("div", { className: "secret-line" }, value, copy, kept),
    el("p", { className: "warning", text: "Copy it now: it will not be shown again." }),
    el("p", { className: "muted", text: note }),
    status,
  );
  copy.addEventListener("click", () =>
    void act(copy, status, "Copying…", async () => {
      try {
        await navigator.clipboard.writeText(secret);
      } catch {
        getSelection()?.selectAllChildren(value);
        throw new Error("The browser did not let the page copy it: it is selected, copy it with your keyboard.");
      }
      return "Copied: paste it into your receiving service's settings.";
    }),
  );
  kept.addEventListener("click", () => box.remove());
  return box;
}

// ---------------------------------------------------------------- an endpoint's card

type Card = { element: HTMLLIElement; update(endpoint: Webhook): void; forgetSecret(): void };

function endpointCard(first: Webhook, reload: () => Promise<void>): Card {
  let endpoint = first;
  const description = el("strong", { className: "endpoint-description", attrs: { "data-role": "description" } });
  const address = el("span", { className: "endpoint-url", attrs: { "data-role": "url" } });
  const badge = el("span", { className: "badge", attrs: { "data-role": "badge" } });
  const health = el("p", { className: "health", attrs: { "data-role": "health" } });
  const events = el("p", { className: "events", attrs: { "data-role": "events" } });
  const toggle = button("Turn off", "small");
  const test = button("Send a test message", "small");
  const deliveriesButton = button("Deliveries", "small");
  const edit = button("Edit", "small");
  const rotate = button("New secret", "small");
  const remove = button("Delete", "small danger");
  const status = actionStatus();
  status.dataset.role = "endpoint-status";
  const secretArea = el("div");
  const editArea = el("div");
  const deliveries = deliveriesPanel(() => endpoint);
  deliveries.element.hidden = true;
  deliveriesButton.setAttribute("aria-expanded", "false");

  const element = el(
    "li",
    { className: "endpoint" },
    el("div", { className: "endpoint-head" }, el("div", { className: "endpoint-title" }, description, address), badge),
    health,
    events,
    el("div", { className: "actions" }, toggle, test, deliveriesButton, edit, rotate, remove),
    status,
    secretArea,
    editArea,
    deliveries.element,
  );

  function update(next: Webhook) {
    endpoint = next;
    const state = endpointHealth(next);
    element.dataset.endpointId = next.id;
    element.dataset.health = state;
    address.textContent = next.url;
    description.textContent = next.description;
    description.hidden = !next.description;
    badge.textContent = HEALTH_BADGE[state];
    badge.dataset.health = state;
    health.textContent = healthWords(next);
    events.replaceChildren(el("span", { className: "muted", text: "Sent: " }), eventList(next.events));
    toggle.textContent = next.enabled ? "Turn off" : state === "turned-off" ? "Turn on again" : "Turn on";
    const name = next.description || next.url;
    for (const [control, words] of [[toggle, toggle.textContent], [test, "Send a test message to"], [deliveriesButton, "Deliveries of"], [edit, "Edit"], [rotate, "New secret for"], [remove, "Delete"]] as const) control.setAttribute("aria-label", `${words} ${name}`);
  }

  toggle.addEventListener("click", () => {
    const on = !endpoint.enabled;
    void act(toggle, status, on ? "Turning it on…" : "Turning it off…", async () => {
      update(await api<Webhook>("PATCH", `/v1/admin/webhooks/${endpoint.id}`, { enabled: on }));
      await reload();
      return on ? "Turned on: messages are sent to it again from now on." : "Turned off: nothing is sent to it until you turn it on again.";
    });
  });

  test.addEventListener("click", () =>
    void act(test, status, "Sending a test message…", async () => {
      const result = await api<TestResult>("POST", `/v1/admin/webhooks/${endpoint.id}/test`);
      const words = testResultWords(result);
      if (!result.delivered) throw new Error(words);
      return words;
    }),
  );

  deliveriesButton.addEventListener("click", () => {
    const open = deliveries.element.hidden;
    deliveries.element.hidden = !open;
    deliveriesButton.setAttribute("aria-expanded", String(open));
    if (open) void deliveries.load();
  });

  edit.addEventListener("click", () => {
    if (editArea.firstChild) return editArea.replaceChildren();
    const fields = endpointFields();
    fields.set(endpoint);
    const save = button("Save", "primary", "submit");
    const cancel = button("Cancel");
    const saveStatus = actionStatus();
    const form = el("form", { className: "endpoint-edit", attrs: { "aria-label": `Edit ${endpoint.description || endpoint.url}`, novalidate: "" } }, el("h3", { text: "Edit the endpoint" }), fields.element, el("div", { className: "actions" }, save, cancel), saveStatus);
    cancel.addEventListener("click", () => editArea.replaceChildren());
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void act(save, saveStatus, "Saving…", async () => {
        update(await api<Webhook>("PATCH", `/v1/admin/webhooks/${endpoint.id}`, fields.value()));
        editArea.replaceChildren();
        report(status, "done", "Saved.");
        await reload();
        return "Saved.";
      });
    });
    editArea.replaceChildren(form);
    form.querySelector("input")?.focus();
  });

  rotate.addEventListener("click", () => {
    if (!confirm(`Make a new signing secret for ${endpoint.url}? Messages are signed with both the old and the new one for 24 hours, so you can move your service to the new one without missing any.`)) return;
    void act(rotate, status, "Making a new secret…", async () => {
      const rotated = await api<Rotated>("POST", `/v1/admin/webhooks/${endpoint.id}/rotate-secret`);
      secretArea.replaceChildren(
        secretShown(
          rotated.secret,
          "The new signing secret",
          `The old secret keeps working until ${moment(rotated.previousValidUntil)}: put the new one in your receiving service before then. Meanwhile each message carries a signature for both.`,
        ),
      );
      return "A new secret: copy it below.";
    });
  });

  remove.addEventListener("click", () => {
    if (!confirm(`Delete the endpoint ${endpoint.url}${endpoint.description ? ` (${endpoint.description})` : ""}? Nothing more is sent to it. This cannot be undone.`)) return;
    void act(remove, status, "Deleting…", async () => {
      await api("DELETE", `/v1/admin/webhooks/${endpoint.id}`);
      await reload();
      return "Deleted.";
    });
  });

  update(first);
  return { element, update, forgetSecret: () => secretArea.replaceChildren() };
}

// ---------------------------------------------------------------- the screen

export function webhooksScreen(): Screen {
  const cards = new Map<string, Card>();
  const list = el("ul", { className: "endpoints", attrs: { id: "webhook-list" } });
  const empty = el("p", { className: "muted", text: "No endpoints yet: add one below, and Stampbook tells your service what happens as it happens." });
  const summary = el("p", { className: "muted", attrs: { id: "webhook-summary" } });
  const refresh = button("Refresh", "small");
  refresh.id = "webhook-refresh";
  const listStatus = actionStatus();
  listStatus.id = "webhook-list-status";

  // ---- add an endpoint
  const fields = endpointFields();
  const add = button("Add endpoint", "primary", "submit");
  const addStatus = actionStatus();
  addStatus.id = "webhook-status";
  const secretArea = el("div", { attrs: { id: "webhook-secret" } });
  /** The endpoint whose secret the add form shows: when it is deleted, its secret goes too. */
  let secretOf: string | null = null;
  const form = el("form", { attrs: { id: "webhook-form", "aria-label": "Add an endpoint", novalidate: "" } }, fields.element, el("div", { className: "actions" }, add), addStatus, secretArea);

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    secretArea.replaceChildren();
    void act(add, addStatus, "Adding…", async () => {
      const created = await api<Created>("POST", "/v1/admin/webhooks", fields.value());
      fields.clear();
      secretOf = created.id;
      secretArea.replaceChildren(
        secretShown(
          created.secret,
          "The endpoint's signing secret",
          "Your receiving service checks with it that each message comes from Stampbook (the webhook-signature header, the Standard Webhooks way). Lost it? Make a new secret on the endpoint.",
        ),
      );
      await load();
      return `Added ${created.url}. Send it a test message from the list above once your service has the secret.`;
    });
  });

  /** Reads the endpoints again; cards already shown are kept (with what they show) and put in order. */
  async function load() {
    const { items } = await api<{ items: Webhook[] }>("GET", "/v1/admin/webhooks");
    const ordered = inAttentionOrder(items);
    for (const id of cards.keys()) if (!items.some((e) => e.id === id)) cards.delete(id);
    if (secretOf !== null && !items.some((e) => e.id === secretOf)) secretArea.replaceChildren();
    list.replaceChildren(
      ...ordered.map((endpoint) => {
        const known = cards.get(endpoint.id);
        if (known) {
          known.update(endpoint);
          return known.element;
        }
        const card = endpointCard(endpoint, load);
        cards.set(endpoint.id, card);
        return card.element;
      }),
    );
    empty.hidden = items.length > 0;
    const attention = ordered.filter((e) => ["turned-off", "failing"].includes(endpointHealth(e))).length;
    summary.textContent =
      items.length === 0 ? "" : `${items.length} ${items.length === 1 ? "endpoint" : "endpoints"}${attention ? `, ${attention} needing attention (listed first)` : ""}.`;
  }

  async function show() {
    report(listStatus, "pending", "Loading…");
    try {
      await load();
      report(listStatus, "done", "");
    } catch (error) {
      report(listStatus, "failed", explain(error));
    }
  }
  refresh.addEventListener("click", () => void act(refresh, listStatus, "Loading…", async () => (await load(), "")));

  const element = el(
    "div",
    {},
    panel(
      "Your endpoints",
      el("div", { className: "list-head" }, el("p", { className: "muted", text: "Your own systems (a CRM, a mailing tool, a warehouse) are sent a signed message at these addresses when something happens." }), refresh),
      summary,
      list,
      empty,
      listStatus,
    ),
    panel("Add an endpoint", form),
  );
  return {
    element,
    async show() {
      // A secret is shown once: coming back to the screen, it is gone.
      secretArea.replaceChildren();
      for (const card of cards.values()) card.forgetSecret();
      await show();
    },
  };
}
