/**
 * Perks grouped by what unlocks them ("Open to everyone", "For Silver members and up", "With a Gold
 * membership"…), the groups named from each perk's rule in words; locked perks say why.
 */
import type { Level, MemberPerk } from "@stampbook/sdk";
import { act, actionStatus, badge, button, el } from "./dom.ts";

/** How the API words a perk without a rule. */
const ANYONE = "any signed-in member";

/** Redeems a perk and answers its code (an earlier code when the member used up their redemptions). */
export type Redeem = (perk: MemberPerk) => Promise<{ code: string; again: boolean }>;

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

export function perkGroups(perks: readonly MemberPerk[], levels: readonly Level[], redeem: Redeem, showCode: (title: string, code: string) => void): HTMLElement[] {
  const groups = new Map<string, MemberPerk[]>();
  for (const perk of perks) groups.set(perk.requires, [...(groups.get(perk.requires) ?? []), perk]);
  return [...groups]
    .map(([requires, members], order) => ({ requires, members, order, rank: rank(requires, levels) }))
    .sort((a, b) => a.rank - b.rank || a.order - b.order)
    .map(({ requires, members }) => {
      const heading = groupHeading(requires, levels);
      return el("section", { className: "perk-group", attrs: { "aria-label": heading } }, el("h3", { text: heading }), el("ul", { className: "cards" }, ...members.map((p) => perkCard(p, redeem, showCode))));
    });
}

function perkCard(perk: MemberPerk, redeem: Redeem, showCode: (title: string, code: string) => void): HTMLLIElement {
  const open = perk.status === "open";
  const state = !open
    ? badge(perk.status === "upcoming" ? (perk.startsAt ? `opens ${new Date(perk.startsAt).toLocaleDateString()}` : "coming soon") : "ended", "locked")
    : !perk.checked
      ? badge("can't check right now", "locked")
      : perk.usedUp
        ? badge("used", "unlocked")
        : perk.eligible
          ? badge("unlocked", "unlocked")
          : badge("locked", "locked");
  const li = el("li", { className: `card${perk.eligible && open ? "" : " locked"}`, attrs: { "data-perk-id": perk.id } }, el("h4", { text: perk.title }), state, el("p", { text: perk.description }));
  if (!perk.eligible && perk.reasons.length > 0) {
    li.append(el("ul", { className: "reasons", attrs: { "aria-label": "Why it is locked" } }, ...perk.reasons.map((r) => el("li", { text: r.message }))));
  }
  if (perk.eligible && open) {
    const redeemButton = button(perk.usedUp ? "Show code" : "Redeem");
    const status = actionStatus();
    redeemButton.addEventListener("click", () =>
      void act(redeemButton, status, "Redeeming…", async () => {
        const { code, again } = await redeem(perk);
        redeemButton.textContent = "Show code";
        showCode(perk.title, code);
        return again ? "Here is your code again." : "Redeemed: show the code at the counter.";
      }),
    );
    li.append(redeemButton, status);
  }
  return li;
}
