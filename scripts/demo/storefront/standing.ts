/** The member's level, points and the way to the next level; their stamps and memberships as a gallery. */
import type { Holding, Level, LoyaltyStanding } from "@stampbook/sdk";
import { $, badge, el, picture, points, technicalDetails } from "./dom.ts";

export function renderStanding(standing: LoyaltyStanding | undefined, levels: readonly Level[]) {
  const have = Number(standing?.points ?? 0);
  const level = standing?.level ?? null;
  const next = standing?.next ?? null;
  $("level-name").textContent = level?.name ?? (levels.length > 0 ? "No level yet" : "Member");
  $("points").textContent = points(have);
  const from = level?.minPoints ?? 0;
  const share = next === null ? 1 : Math.max(0, Math.min(1, (have - from) / Math.max(1, next.minPoints - from)));
  const meter = $("level-progress");
  meter.setAttribute("aria-valuenow", String(Math.round(share * 100)));
  (meter.firstElementChild as HTMLElement).style.width = `${Math.round(share * 100)}%`;
  $("next-level").textContent = next ? `${points(next.pointsToGo)} to ${next.name}` : level ? "You have reached the top level." : "";
  $("levels").replaceChildren(
    ...levels.map((l) => el("li", { className: l.key === level?.key ? "current" : have >= l.minPoints ? "reached" : "", attrs: { "data-level": l.key } }, el("strong", { text: l.name }), ` ${points(l.minPoints)}`)),
  );
}

export function galleryItem(holding: Holding & { collection: string }): HTMLLIElement {
  const lines: HTMLElement[] = [];
  if (holding.kind === "membership") {
    lines.push(badge(holding.active ? "active" : "expired", holding.active ? "unlocked" : "locked"));
    lines.push(el("p", { className: "muted", text: holding.expiresAt ? `${holding.active ? "Valid until" : "Ended"} ${new Date(holding.expiresAt).toLocaleDateString()}` : "Never expires" }));
  } else if (holding.balance !== "1") {
    lines.push(badge(`× ${holding.balance}`, "neutral"));
  }
  lines.push(el("p", { className: "muted", text: `${points(holding.points)}${holding.kind === "membership" ? "" : " each"}${holding.soulbound ? " · yours for good" : ""}` }));
  const item = el(
    "li",
    { className: "stamp arriving", attrs: { "data-token-id": holding.tokenId } },
    picture(holding.image, "stamp-picture large"),
    el("h3", { text: holding.name }),
    ...(holding.description ? [el("p", { className: "description", text: holding.description })] : []),
    ...lines,
    technicalDetails([
      ["Collection", holding.collection],
      ["Token id", holding.tokenId],
      ["Metadata", holding.uri],
    ]),
  );
  // Once: moved or redrawn later, the item must not play its arrival again.
  item.addEventListener("animationend", () => item.classList.remove("arriving"), { once: true });
  return item;
}
