/**
 * Perks grouped by what unlocks them ("Open to everyone", "For Silver members and up", "With a Gold
 * membership"…), the groups named from each perk's rule in words; locked perks say why. A perk the
 * member used up shows their code while it is unused, and when the till used it once it is.
 */
import type { Level, MemberPerk } from "@stampbook/sdk";
import { usedWords, type Codes } from "./codes.ts";
import { act, actionStatus, badge, button, el } from "./dom.ts";
import { reasonList } from "./reasons.ts";

/** How the API words a perk without a rule. */
const ANYONE = "any signed-in member";

/** A group's heading from the rule in words, e.g. "the Silver level or higher" → "For Silver members and up". */
export function groupHeading(requires: string, levels: readonly Level[]): string {
  if (requires === ANYONE) return "Open to everyone";
  const level = /^the (.+) level or higher$/.exec(requires)?.[1];
  if (level) return levels.at(-1)?.name === level ? `For ${level} members` : `For ${level} members and up`;
  // "sharing your birthday (to send you a birthday treat)" → "When you share your birthday"
  const shared = /^sharing (your [^()]+) \([^()]+\)$/.exec(requires)?.[1];
  if (shared) return `When you share ${shared}`;
  const simple = !/ (and|or|not) |[()]/.test(requires);
  const membership = /^an active (.+)$/.exec(requires)?.[1];
  if (simple && membership) return `With ${/^[aeiou]/i.test(membership) ? "an" : "a"} ${membership}`;
  // "(A or B) and C" reads "A or B, and C" in a heading.
  return `With ${requires.replace(/^\(([^()]+)\) (and|or) /, "$1, $2 ")}`;
}

/** Open-to-everyone first, then level groups from the lowest level, then the rest as listed. */
function rank(requires: string, levels: readonly Level[]): number {
  if (requires === ANYONE) return 0;
  const level = /^the (.+) level or higher$/.exec(requires)?.[1];
  const index = levels.findIndex((l) => l.name === level);
  return level !== undefined ? 1 + (index < 0 ? levels.length : index) : 100;
}

export function perkGroups(perks: readonly MemberPerk[], levels: readonly Level[], codes: Codes): HTMLElement[] {
  const groups = new Map<string, MemberPerk[]>();
  for (const perk of perks) groups.set(perk.requires, [...(groups.get(perk.requires) ?? []), perk]);
  return [...groups]
    .map(([requires, members], order) => ({ requires, members, order, rank: rank(requires, levels) }))
    .sort((a, b) => a.rank - b.rank || a.order - b.order)
    .map(({ requires, members }) => {
      const heading = groupHeading(requires, levels);
      return el("section", { className: "perk-group", attrs: { "aria-label": heading } }, el("h3", { text: heading }), el("ul", { className: "cards" }, ...members.map((p) => perkCard(p, codes))));
    });
}

function perkCard(perk: MemberPerk, codes: Codes): HTMLLIElement {
  const open = perk.status === "open";
  // Used up: the member's code, unless the till used it already (then it is never offered again).
  const code = perk.usedUp ? codes.latest(perk.id) : null;
  const usedAt = code?.usedAt ?? null;
  const state = !open
    ? badge(perk.status === "upcoming" ? (perk.startsAt ? `opens ${new Date(perk.startsAt).toLocaleDateString("en", { dateStyle: "long" })}` : "coming soon") : "ended", "locked")
    : !perk.checked
      ? badge("can't check right now", "locked")
      : perk.usedUp
        ? badge(usedAt !== null ? "used" : "redeemed", "unlocked")
        : perk.eligible
          ? badge("unlocked", "unlocked")
          : badge("locked", "locked");
  const li = el("li", { className: `card${perk.eligible && open ? "" : " locked"}`, attrs: { "data-perk-id": perk.id } }, el("h4", { text: perk.title }), state, el("p", { text: perk.description }));
  if (!perk.eligible && perk.reasons.length > 0) li.append(reasonList(perk.reasons, "Why it is locked"));
  // Unlocked by a wallet that lets its holdings count for this one (a delegation): say whose.
  if (perk.eligible && perk.vault) li.append(el("p", { className: "muted vault", text: `Counting ${perk.vault.counted}.` }));
  if (usedAt !== null) {
    li.append(el("p", { className: "used", attrs: { "data-used-at": usedAt }, text: usedWords(usedAt) }));
    return li;
  }
  if (perk.eligible && open) {
    const redeemButton = button(perk.usedUp ? "Show code" : "Redeem");
    const status = actionStatus();
    redeemButton.addEventListener("click", () =>
      void act(redeemButton, status, "Redeeming…", async () => {
        const { code, again } = await codes.redeem(perk);
        redeemButton.textContent = "Show code";
        codes.show(perk.title, code);
        return again ? "Your code is not used yet: show it at the counter." : "Redeemed: show the code at the counter.";
      }),
    );
    li.append(redeemButton, status);
  }
  return li;
}
