/**
 * Why a perk or drop is locked, as a list a member reads right: the reasons every one of which must
 * be met as bullets, and an either/or rule's as one bullet "Any one of:" with its alternatives under
 * it (the API tags those with `anyOf` and `option`).
 */
import type { MemberPerk } from "@stampbook/sdk";
import { el } from "./dom.ts";

type Reason = MemberPerk["reasons"][number];

/** One alternative in words: its own reasons joined by "and", an either/or inside it by "or". */
function alternativeWords(reasons: readonly Reason[]): string {
  const inner = reasons.filter((r) => r.option?.includes("."));
  const plain = reasons.filter((r) => !r.option?.includes("."));
  const parts = plain.map((r) => r.message);
  if (inner.length > 0) parts.push(inner.map((r) => r.message).join(", or "));
  return parts.join(", and ");
}

/** Reasons grouped for reading: a string is a reason on its own, an array the alternatives of one either/or. */
export function groupReasons(reasons: readonly Reason[]): Array<string | string[]> {
  const out: Array<string | string[]> = [];
  const groups = new Map<string, Map<string, Reason[]>>();
  for (const reason of reasons) {
    if (reason.anyOf === undefined) {
      out.push(reason.message);
      continue;
    }
    let group = groups.get(reason.anyOf);
    if (!group) {
      group = new Map();
      groups.set(reason.anyOf, group);
      out.push([]); // its place in the list, filled below
    }
    const top = (reason.option ?? "0").split(".")[0]!;
    group.set(top, [...(group.get(top) ?? []), reason]);
  }
  const filled = [...groups.values()].map((group) => [...group.values()].map(alternativeWords));
  return out.map((entry) => (typeof entry === "string" ? entry : filled.shift()!));
}

export function reasonList(reasons: readonly Reason[], label: string): HTMLUListElement {
  return el(
    "ul",
    { className: "reasons", attrs: { "aria-label": label } },
    ...groupReasons(reasons).map((entry) =>
      typeof entry === "string"
        ? el("li", { text: entry })
        : entry.length === 1
          ? el("li", { text: entry[0]! })
          : el("li", { className: "any-of" }, el("span", { text: "Any one of:" }), el("ul", {}, ...entry.map((text) => el("li", { text })))),
    ),
  );
}
