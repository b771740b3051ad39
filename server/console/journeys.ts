/**
 * Journeys and levels: the brand's levels (named point thresholds) edited in place; its journeys
 * listed with who completed them, batches of single-use codes for code steps (shown once, and
 * downloadable), and a form that builds a journey from quiz, code, event, hold and referral steps. A
 * shared code a guesser could find is warned about in words while it is typed, and on its journey.
 */
import { DEFAULT_GUESS_LIMITS, sharedCodeWarning } from "../journeys/code-strength.ts";
import { api } from "./api.ts";
import { brandData, forget, typeKey, typeLabel, type Level, type TokenType } from "./data.ts";
import { act, actionStatus, button, checkbox, download, el, explain, field, input, panel, report, select, shortAddress, table, when } from "./dom.ts";
import { ruleBuilder, type RuleBuilder } from "./rule-builder.ts";
import type { Screen } from "./screen.ts";

type StepKind = "quiz" | "code" | "event" | "hold" | "referral";
type AdminStep = { id: string; title: string; kind: StepKind; mode?: "batch" | "shared"; code?: string; event?: string; match?: Record<string, unknown>; questions?: unknown[]; rule?: unknown };
type Journey = {
  id: string;
  title: string;
  description: string;
  startsAt: string | null;
  endsAt: string | null;
  ordered: boolean;
  stamp: { collection: string; tokenId: string; amount: string };
  steps: AdminStep[];
  /** What the API advises changing, in words (a shared code a guesser could find). */
  warnings?: Array<{ stepId: string; code: string; message: string }>;
};
type Progress = { items: Array<{ member: string; startedAt: string; steps: Record<string, string>; completedAt: string | null; award: { status: string } | null }>; nextCursor: string | null };

const KIND_WORDS: Record<StepKind, string> = { quiz: "Quiz", code: "Code", event: "Event", hold: "Hold", referral: "Referral" };

/** A step id from its title: letters, digits, dashes; unique among `taken`. */
function stepId(title: string, taken: Set<string>): string {
  const base = title.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 28) || "step";
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  taken.add(id);
  return id;
}

/** `key=value` lines as event properties; numbers and true/false as such. */
function parseMatch(text: string): Record<string, string | number | boolean> {
  const match: Record<string, string | number | boolean> = {};
  for (const [i, line] of text.split("\n").entries()) {
    if (!line.trim()) continue;
    const at = line.indexOf("=");
    if (at <= 0) throw new Error(`Match line ${i + 1}: write it as property=value`);
    const key = line.slice(0, at).trim();
    const raw = line.slice(at + 1).trim();
    match[key] = raw === "true" ? true : raw === "false" ? false : /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
  }
  return match;
}

// ---------------------------------------------------------------- levels

function levelsPanel(): { element: HTMLElement; show(levels: Level[]): void } {
  const rows = el("tbody");
  const add = button("+ Level", "small");
  const save = button("Save levels", "primary");
  const status = actionStatus();
  const row = (level: Partial<Level>) => {
    const remove = button("Remove", "small");
    const tr = el(
      "tr",
      {},
      el("td", {}, input({ value: level.name ?? "", "aria-label": "Level name", "data-field": "name", maxlength: "40" })),
      el("td", {}, input({ value: level.key ?? "", "aria-label": "Key", "data-field": "key", pattern: "[a-z0-9-]{1,32}", placeholder: "from the name" })),
      el("td", {}, input({ type: "number", min: "0", step: "1", value: String(level.minPoints ?? 0), "aria-label": "Points from", "data-field": "minPoints" })),
      el("td", {}, remove),
    );
    remove.addEventListener("click", () => tr.remove());
    return tr;
  };
  add.addEventListener("click", () => rows.append(row({})));
  save.addEventListener("click", () =>
    void act(save, status, "Saving the levels…", async () => {
      const levels = Array.from(rows.rows).map((tr) => {
        const value = (name: string) => (tr.querySelector(`[data-field="${name}"]`) as HTMLInputElement).value.trim();
        const name = value("name");
        const key = value("key") || name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 32);
        return { key, name, minPoints: Number(value("minPoints")) };
      });
      const saved = await api<{ levels: Level[] }>("PUT", "/v1/admin/levels", { levels });
      forget("levels");
      rows.replaceChildren(...saved.levels.map(row));
      return `Saved ${saved.levels.length} ${saved.levels.length === 1 ? "level" : "levels"}: ${saved.levels.map((l) => `${l.name} from ${l.minPoints}`).join(", ")}.`;
    }),
  );
  const element = panel(
    "Levels",
    el("p", { className: "muted", text: "A member's points are the sum of what their stamps and memberships carry; levels name thresholds, lowest first." }),
    el("table", { attrs: { id: "levels" } }, el("thead", {}, el("tr", {}, ...["Name", "Key (rules use it)", "From points", ""].map((h) => el("th", { text: h })))), rows),
    el("div", { className: "actions" }, add, save),
    status,
  );
  return { element, show: (levels) => rows.replaceChildren(...levels.map(row)) };
}

// ---------------------------------------------------------------- a step in the create form

type StepEditor = { element: HTMLElement; value(taken: Set<string>): AdminStep; builder?: RuleBuilder };

function stepEditor(kind: StepKind, types: TokenType[], levels: Level[], onRemove: (editor: StepEditor) => void): StepEditor {
  const title = input({ "aria-label": "Step title", maxlength: "120", placeholder: `${KIND_WORDS[kind]} step` });
  const remove = button("Remove step", "small");
  const body = el("div", { className: "step-body" });
  let value: (base: { id: string; title: string; kind: StepKind }) => AdminStep = (base) => base;
  let builder: RuleBuilder | undefined;

  if (kind === "quiz") {
    const questions = el("ol", { className: "questions" });
    const addQuestion = () => {
      const prompt = input({ "aria-label": "Question", maxlength: "300" });
      const choices = el("textarea", { attrs: { rows: "3", "aria-label": "Choices, one per line" } });
      const answer = select([], undefined, { "aria-label": "Right answer" });
      choices.addEventListener("input", () => {
        const kept = answer.value;
        answer.replaceChildren(...choices.value.split("\n").filter((c) => c.trim()).map((c, i) => el("option", { text: c.trim(), attrs: { value: String(i) } })));
        if (kept && Number(kept) < answer.options.length) answer.value = kept;
      });
      questions.append(el("li", { className: "question" }, field("Question", prompt), field("Choices, one per line", choices), field("Right answer", answer)));
    };
    const more = button("+ Question", "small");
    more.addEventListener("click", addQuestion);
    addQuestion();
    body.append(questions, more);
    value = (base) => ({
      ...base,
      questions: Array.from(questions.children).map((li, i) => {
        const [prompt, choices, answer] = ["input", "textarea", "select"].map((tag) => li.querySelector(tag)) as [HTMLInputElement, HTMLTextAreaElement, HTMLSelectElement];
        const list = choices.value.split("\n").map((c) => c.trim()).filter(Boolean);
        if (!prompt.value.trim() || list.length < 2) throw new Error(`“${base.title}”, question ${i + 1}: write the question and at least two choices.`);
        return { prompt: prompt.value.trim(), choices: list, answer: Number(answer.value || 0) };
      }),
    });
  } else if (kind === "code") {
    const mode = select([["batch", "Single-use codes (generate batches after creating)"], ["shared", "One shared code, once per member"]], "batch", { "aria-label": "Codes" });
    const code = input({ "aria-label": "Shared code", maxlength: "64", placeholder: "e.g. 7QXM-KD3H-R2" });
    const codeField = field("Shared code", code);
    // Said while it is typed, at the default limits; the API's answer then says it at the deployment's.
    const warning = el("p", { className: "warning", attrs: { "aria-live": "polite" } });
    const sync = () => {
      codeField.hidden = mode.value !== "shared";
      const words = mode.value === "shared" && code.value.trim() ? sharedCodeWarning(code.value.trim(), DEFAULT_GUESS_LIMITS, { assumed: true }) : null;
      warning.textContent = words ?? "";
      warning.hidden = words === null;
    };
    mode.addEventListener("change", sync);
    code.addEventListener("input", sync);
    sync();
    body.append(field("Codes", mode), codeField, warning);
    value = (base) => {
      if (mode.value === "shared" && !code.value.trim()) throw new Error(`“${base.title}”: write the shared code.`);
      return { ...base, mode: mode.value as "batch" | "shared", ...(mode.value === "shared" ? { code: code.value.trim() } : {}) };
    };
  } else if (kind === "event") {
    const event = input({ "aria-label": "Event type", placeholder: "e.g. purchase", pattern: "[A-Za-z0-9_.:-]{1,64}" });
    const match = el("textarea", { attrs: { rows: "2", "aria-label": "Matching properties", placeholder: "sku=latte" } });
    body.append(field("Event type your systems report", event), field("Properties it must have (property=value per line)", match));
    value = (base) => {
      if (!event.value.trim()) throw new Error(`“${base.title}”: name the event type.`);
      const props = parseMatch(match.value);
      return { ...base, event: event.value.trim(), ...(Object.keys(props).length ? { match: props } : {}) };
    };
  } else if (kind === "hold") {
    builder = ruleBuilder({ empty: "Add what the member must hold.", id: `hold-${Math.random().toString(36).slice(2, 8)}` });
    builder.terms(types, levels);
    body.append(builder.element);
    value = (base) => {
      const rule = builder!.rule();
      if (rule === null) throw new Error(`“${base.title}”: add what the member must hold.`);
      return { ...base, rule };
    };
  } else {
    body.append(el("p", { className: "muted", text: "Each member gets an invitation link; a friend who signs in for the first time with it completes the step." }));
  }

  const editor: StepEditor = {
    element: el("li", { className: "step-editor", attrs: { "data-kind": kind } }, el("div", { className: "row" }, el("strong", { text: KIND_WORDS[kind] }), title, remove), body),
    value: (taken) => {
      const text = title.value.trim() || `${KIND_WORDS[kind]} step`;
      return value({ id: stepId(text, taken), title: text, kind });
    },
    ...(builder ? { builder } : {}),
  };
  remove.addEventListener("click", () => onRemove(editor));
  return editor;
}

// ---------------------------------------------------------------- the screen

export function journeysScreen(): Screen {
  let types: TokenType[] = [];
  let levels: Level[] = [];
  const levelEditor = levelsPanel();
  const list = el("div", { attrs: { id: "journey-list" } });
  const listStatus = actionStatus();

  // ---- create form
  const title = input({ "aria-label": "Journey title", maxlength: "200" });
  const description = el("textarea", { attrs: { rows: "2", "aria-label": "Journey description" } });
  const stamp = select([], undefined, { "aria-label": "Stamp it awards" });
  const amount = input({ type: "number", min: "1", step: "1", value: "1", "aria-label": "Stamps awarded" });
  const ordered = checkbox("Steps in order");
  const startsAt = input({ type: "datetime-local", "aria-label": "Opens" });
  const endsAt = input({ type: "datetime-local", "aria-label": "Closes" });
  const steps = el("ol", { className: "step-editors" });
  let editors: StepEditor[] = [];
  const removeStep = (editor: StepEditor) => {
    editors = editors.filter((e) => e !== editor);
    editor.element.remove();
  };
  const addButtons = (Object.keys(KIND_WORDS) as StepKind[]).map((kind) => {
    const b = button(`+ ${KIND_WORDS[kind]} step`, "small");
    b.addEventListener("click", () => {
      const editor = stepEditor(kind, types, levels, removeStep);
      editors.push(editor);
      steps.append(editor.element);
    });
    return b;
  });
  const create = button("Create journey", "primary", "submit");
  const createStatus = actionStatus();
  const form = el(
    "form",
    { attrs: { id: "journey-form", "aria-label": "New journey" } },
    el("div", { className: "form-grid" }, field("Title", title), field("Stamp it awards", stamp, "a collectible type"), field("Stamps awarded", amount), field("Opens", startsAt, "empty: now"), field("Closes", endsAt, "empty: never")),
    field("Description", description),
    ordered.label,
    el("h3", { text: "Steps" }),
    steps,
    el("div", { className: "actions" }, ...addButtons),
    el("div", { className: "actions" }, create),
    createStatus,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void act(create, createStatus, "Creating the journey…", async () => {
      if (!title.value.trim()) throw new Error("Give the journey a title.");
      const type = types.find((t) => typeKey(t.collection, t.tokenId) === stamp.value);
      if (!type) throw new Error("Choose the stamp it awards.");
      if (editors.length === 0) throw new Error("Add at least one step.");
      const taken = new Set<string>();
      const body = {
        title: title.value.trim(),
        description: description.value.trim(),
        stamp: { collection: type.collection, tokenId: type.tokenId, amount: amount.value.trim() || "1" },
        ordered: ordered.box.checked,
        startsAt: startsAt.value ? new Date(startsAt.value).toISOString() : null,
        endsAt: endsAt.value ? new Date(endsAt.value).toISOString() : null,
        steps: editors.map((e) => e.value(taken)),
      };
      const journey = await api<Journey>("POST", "/v1/admin/journeys", body);
      form.reset();
      for (const e of editors) e.element.remove();
      editors = [];
      await showList();
      const batch = journey.steps.some((s) => s.kind === "code" && s.mode === "batch");
      const guessable = (journey.warnings ?? []).length > 0;
      return `Created “${journey.title}”.${batch ? " Generate its codes in the list above." : ""}${guessable ? " Its shared code is easy to guess: see why in the list above." : ""}`;
    });
  });

  function codesControl(journey: Journey, step: AdminStep): HTMLElement {
    const count = input({ type: "number", min: "1", max: "1000", value: "50", "aria-label": `How many codes for ${step.title}` });
    const generate = button("Generate codes", "small");
    const status = actionStatus();
    const shown = el("div");
    generate.addEventListener("click", () =>
      void act(generate, status, "Generating…", async () => {
        const { batchId, codes } = await api<{ batchId: string; codes: string[] }>("POST", `/v1/admin/journeys/${journey.id}/steps/${step.id}/codes`, { count: Number(count.value) });
        const text = `${codes.join("\n")}\n`;
        const save = button("Download", "small");
        save.addEventListener("click", () => download(`${journey.title.replace(/[^A-Za-z0-9]+/g, "-")}-${step.id}-${batchId}.txt`, text));
        shown.replaceChildren(el("p", { className: "warning", text: "Shown this once: the server keeps only their hashes. Download or copy them now." }), el("pre", { className: "codes", text }), save);
        return `${codes.length} codes made.`;
      }),
    );
    return el("div", { className: "codes-control" }, el("span", { text: `Codes for “${step.title}”:` }), count, generate, status, shown);
  }

  function journeyCard(journey: Journey): HTMLElement {
    const type = types.find((t) => typeKey(t.collection, t.tokenId) === typeKey(journey.stamp.collection, journey.stamp.tokenId));
    const remove = button("Delete", "small danger");
    const who = button("Who completed it", "small");
    const status = actionStatus();
    const progress = el("div");
    remove.addEventListener("click", () => {
      if (!confirm(`Delete “${journey.title}”? It leaves members' lists; progress and awards stay.`)) return;
      void act(remove, status, "Deleting…", async () => {
        await api("DELETE", `/v1/admin/journeys/${journey.id}`);
        await showList();
        return "Deleted.";
      });
    });
    who.addEventListener("click", () =>
      void act(who, status, "Loading…", async () => {
        const page = await api<Progress>("GET", `/v1/admin/journeys/${journey.id}/progress?limit=50`);
        progress.replaceChildren(
          page.items.length === 0
            ? el("p", { className: "muted", text: "Nobody has started it yet." })
            : table(["Member", "Started", "Steps done", "Completed", "Stamp"], page.items.map((p) => [el("span", { className: "mono", text: shortAddress(p.member), attrs: { title: p.member } }), when(p.startedAt), `${Object.keys(p.steps).length} of ${journey.steps.length}`, when(p.completedAt), p.award?.status ?? "—"])),
        );
        return `${page.items.length}${page.nextCursor ? "+" : ""} ${page.items.length === 1 ? "member" : "members"} with progress.`;
      }),
    );
    const window = journey.startsAt || journey.endsAt ? ` · ${journey.startsAt ? new Date(journey.startsAt).toLocaleDateString() : "now"} – ${journey.endsAt ? new Date(journey.endsAt).toLocaleDateString() : "open-ended"}` : "";
    return el(
      "li",
      { className: "card", attrs: { "data-journey-id": journey.id } },
      el("h3", { text: journey.title }),
      el("p", { className: "muted", text: `Awards ${journey.stamp.amount} × ${type?.name ?? `type #${journey.stamp.tokenId}`}${journey.ordered ? " · steps in order" : ""}${window}` }),
      el("ol", {}, ...journey.steps.map((s) => el("li", { text: `${s.title} (${KIND_WORDS[s.kind]}${s.kind === "code" ? `, ${s.mode === "shared" ? `shared code ${s.code}` : "single-use codes"}` : s.kind === "event" ? `: ${s.event}` : ""})` }))),
      ...(journey.warnings ?? []).map((w) => el("p", { className: "warning", text: w.message, attrs: { "data-step-id": w.stepId } })),
      ...journey.steps.filter((s) => s.kind === "code" && s.mode === "batch").map((s) => codesControl(journey, s)),
      el("div", { className: "actions" }, who, remove),
      status,
      progress,
    );
  }

  async function showList() {
    report(listStatus, "pending", "Loading…");
    try {
      const { items } = await api<{ items: Journey[] }>("GET", "/v1/admin/journeys");
      list.replaceChildren(items.length === 0 ? el("p", { className: "muted", text: "No journeys yet." }) : el("ul", { className: "cards" }, ...items.map(journeyCard)));
      report(listStatus, "done", "");
    } catch (error) {
      report(listStatus, "failed", explain(error));
    }
  }

  const element = el("div", {}, levelEditor.element, panel("Journeys", list, listStatus), panel("New journey", form));
  return {
    element,
    show: async () => {
      forget("types", "levels");
      try {
        [types, levels] = await Promise.all([brandData.types(), brandData.levels()]);
        levelEditor.show(levels);
        const chosen = stamp.value;
        const collectibles = types.filter((t) => t.kind === "collectible");
        stamp.replaceChildren(...collectibles.map((t) => el("option", { text: typeLabel(t, collectibles), attrs: { value: typeKey(t.collection, t.tokenId) } })));
        if (chosen) stamp.value = chosen;
        for (const e of editors) e.builder?.terms(types, levels);
      } catch (error) {
        report(listStatus, "failed", explain(error));
      }
      await showList();
    },
  };
}
