/**
 * The rule builder: requirements picked from the brand's token types (by name) and levels, with
 * amounts, and (where the rule may ask it, as a perk's) members who share data under one of the
 * brand's data requests, in all / any / none-of groups that nest. It shows the rule in words as it is built and,
 * a moment after each change, how many signed-in members qualify today (`POST /v1/admin/rules/preview`).
 */
import type { Preview } from "../../sdk/src/protocol/staff.ts";
import { api } from "./api.ts";
import { fieldWords, requestWords, typeKey, typeLabel, type DataRequest, type Level, type TokenType } from "./data.ts";
import { button, debounce, el, explain, input, report, select } from "./dom.ts";
import { emptyGroup, fromRule, ruleWords, toRule, type GroupMode, type GroupNode, type RuleJson, type RuleNode } from "./rules.ts";

const MODES: Array<[GroupMode, string]> = [
  ["all", "all of these"],
  ["any", "any of these"],
  ["none", "none of these"],
];

export type RuleBuilder = {
  element: HTMLElement;
  /** The rule built so far (null: no requirement); throws RuleTreeError while it is unfinished. */
  rule(): RuleJson | null;
  set(rule: RuleJson | null): void;
  /** The types, levels and data requests to pick from (after they change elsewhere). */
  terms(types: TokenType[], levels: Level[], requests?: DataRequest[]): void;
  /** What an empty rule means here, in words. */
  emptyWords(text: string): void;
};

/**
 * `empty`: what an empty rule means here, in words (anyone may, or one is required). `consent`: the
 * rule may require sharing data under one of the brand's data requests (perks' rules may).
 */
export function ruleBuilder(options: { empty: string; id: string; consent?: boolean }): RuleBuilder {
  let root: GroupNode = emptyGroup();
  let empty = options.empty;
  let types: TokenType[] = [];
  let levels: Level[] = [];
  let requests: DataRequest[] = [];
  const tree = el("div", { className: "rule-tree" });
  const words = el("p", { className: "rule-words", attrs: { "data-role": "rule-words", "aria-live": "polite" } });
  const preview = el("p", { className: "action-status rule-preview", attrs: { "data-role": "rule-preview", "aria-live": "polite" } });
  const element = el("div", { className: "rule-builder", attrs: { id: options.id } }, tree, words, preview);
  let asked = 0;

  // Read when words are made, so the latest terms name things.
  const names = {
    typeName: (collection: string, tokenId: string) => types.find((t) => typeKey(t.collection, t.tokenId) === typeKey(collection, tokenId))?.name,
    get levels() {
      return levels;
    },
    get requests() {
      return requestWords(requests);
    },
  };

  const askPreview = debounce(async () => {
    const ticket = asked;
    let rule: RuleJson | null;
    try {
      rule = toRule(root);
    } catch {
      return;
    }
    if (rule === null) return;
    report(preview, "pending", "Counting the members who qualify…");
    try {
      const answer = await api<Preview>("POST", "/v1/admin/rules/preview", { rule });
      if (ticket !== asked) return;
      words.textContent = `Requires ${answer.requires}.`;
      const partial = answer.checked < answer.of ? ` (checked the ${answer.checked} who signed in most recently)` : "";
      report(preview, "done", `${answer.qualifying} of ${answer.checked} signed-in ${answer.checked === 1 ? "member qualifies" : "members qualify"} today${partial}.`);
      preview.dataset.qualifying = String(answer.qualifying);
    } catch (error) {
      if (ticket === asked) report(preview, "failed", `Could not count who qualifies: ${explain(error)}`);
    }
  }, 500);

  function changed() {
    // A change makes any count still on its way stale.
    asked++;
    let rule: RuleJson | null = null;
    try {
      rule = toRule(root);
      words.textContent = rule === null ? empty : `Requires ${ruleWords(rule, names)}.`;
      words.classList.remove("unfinished");
    } catch (error) {
      words.textContent = explain(error);
      words.classList.add("unfinished");
    }
    // Nothing to count until the rule is whole; then count once typing stops.
    report(preview, "done", "");
    delete preview.dataset.qualifying;
    if (rule !== null) askPreview();
  }

  function redraw() {
    tree.replaceChildren(groupView(root, null));
    changed();
  }

  function typeOptions(): Array<[string, string]> {
    return [["", "Choose a token type…"], ...types.map((t): [string, string] => [typeKey(t.collection, t.tokenId), typeLabel(t, types)])];
  }

  function requirementView(node: RuleNode, parent: GroupNode): HTMLElement {
    const remove = button("Remove", "small");
    remove.setAttribute("aria-label", "Remove this requirement");
    remove.addEventListener("click", () => {
      parent.children.splice(parent.children.indexOf(node), 1);
      redraw();
    });
    if (node.kind === "group") return el("li", {}, groupView(node, remove));
    if (node.kind === "points") {
      const min = input({ type: "number", min: "1", step: "1", value: String(node.min), "aria-label": "Points at least" });
      min.addEventListener("input", () => {
        node.min = Number(min.value);
        changed();
      });
      return el("li", { className: "requirement" }, el("span", { text: "at least" }), min, el("span", { text: "points" }), remove);
    }
    if (node.kind === "level") {
      const level = select([["", "Choose a level…"], ...levels.map((l): [string, string] => [l.key, `${l.name} (${l.minPoints} points)`])], node.key, { "aria-label": "Level" });
      level.addEventListener("change", () => {
        node.key = level.value;
        changed();
      });
      return el("li", { className: "requirement" }, el("span", { text: "the level" }), level, el("span", { text: "or higher" }), remove);
    }
    if (node.kind === "consent") {
      const options: Array<[string, string]> = [
        ["", requests.length === 0 ? "No data requests yet: publish one under Members' data" : "Choose what they share…"],
        ...requests.map((r): [string, string] => [r.id, `${fieldWords(r.fields)} — ${r.purpose}`]),
      ];
      // A request withdrawn since keeps its place, in words, rather than being dropped from the rule.
      if (node.request && !requests.some((r) => r.id === node.request)) options.push([node.request, "a withdrawn data request"]);
      const request = select(options, node.request, { "aria-label": "Data request" });
      request.addEventListener("change", () => {
        node.request = request.value;
        changed();
      });
      return el("li", { className: "requirement" }, el("span", { text: "share their" }), request, remove);
    }
    const current = node.collection ? typeKey(node.collection, node.tokenId) : "";
    const options = typeOptions();
    // A type not (yet) in the list keeps its place rather than being dropped from the rule.
    if (current && !options.some(([value]) => value === current)) options.push([current, `type #${node.tokenId}`]);
    const type = select(options, current, { "aria-label": "Token type" });
    const need = select([["holds", "holds at least"], ["member", "has an active membership"]], node.need, { "aria-label": "Requirement" });
    const min = input({ type: "number", min: "1", step: "1", value: String(node.min), "aria-label": "Amount" });
    // How long without a break (by chain time): empty or 0 for any time.
    const days = input({ type: "number", min: "0", step: "1", value: node.heldDays ? String(node.heldDays) : "", placeholder: "any", "aria-label": "Held for at least (days)", class: "held-days" });
    const fit = () => {
      // Only a membership can be active; anything can be held.
      const chosen = types.find((t) => typeKey(t.collection, t.tokenId) === type.value);
      const membership = chosen === undefined ? node.need === "member" : chosen.kind === "membership";
      (need.options[1] as HTMLOptionElement).disabled = !membership;
      if (!membership && need.value === "member") need.value = "holds";
      min.hidden = need.value === "member";
    };
    const sync = () => {
      fit();
      const [collection = "", tokenId = ""] = type.value.split(":");
      node.collection = types.find((t) => typeKey(t.collection, t.tokenId) === type.value)?.collection ?? collection;
      node.tokenId = tokenId;
      node.need = need.value as "holds" | "member";
      node.min = Number(min.value);
      const held = Number(days.value || "0");
      if (held > 0) node.heldDays = held;
      else delete node.heldDays;
      changed();
    };
    type.addEventListener("change", sync);
    need.addEventListener("change", sync);
    min.addEventListener("input", sync);
    days.addEventListener("input", sync);
    fit();
    return el("li", { className: "requirement" }, type, need, min, el("span", { text: "held for at least" }), days, el("span", { text: "days" }), remove);
  }

  function groupView(group: GroupNode, remove: HTMLButtonElement | null): HTMLElement {
    const mode = select(MODES, group.mode, { "aria-label": "Members need" });
    mode.addEventListener("change", () => {
      group.mode = mode.value as GroupMode;
      changed();
    });
    const add = (label: string, make: () => RuleNode) => {
      const b = button(label, "small");
      b.addEventListener("click", () => {
        group.children.push(make());
        redraw();
      });
      return b;
    };
    return el(
      "div",
      { className: "rule-group" },
      el("div", { className: "rule-group-head" }, el("span", { text: "Members need" }), mode, ...(remove ? [remove] : [])),
      el("ul", {}, ...group.children.map((child) => requirementView(child, group))),
      el(
        "div",
        { className: "actions" },
        add("+ Token type", () => ({ kind: "token", collection: "", tokenId: "", need: "holds", min: 1 })),
        add("+ Points", () => ({ kind: "points", min: 100 })),
        add("+ Level", () => ({ kind: "level", key: levels[0]?.key ?? "" })),
        ...(options.consent ? [add("+ Shared data", () => ({ kind: "consent", request: requests.length === 1 ? requests[0]!.id : "" }))] : []),
        add("+ Group", () => emptyGroup("any")),
      ),
    );
  }

  redraw();
  return {
    element,
    rule: () => toRule(root),
    set(rule) {
      root = fromRule(rule);
      redraw();
    },
    terms(nextTypes, nextLevels, nextRequests) {
      types = nextTypes;
      levels = nextLevels;
      if (nextRequests !== undefined) requests = nextRequests;
      redraw();
    },
    emptyWords(text) {
      empty = text;
      changed();
    },
  };
}
