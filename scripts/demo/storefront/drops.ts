/** Drops a member claims without paying gas: what each gives (by name and picture) and a Claim button. */
import type { MemberDrop } from "@stampbook/sdk";
import { act, actionStatus, badge, button, el, picture, technicalDetails } from "./dom.ts";

/** A token type's name and picture, from the API's public ERC-1155 metadata. */
export type TokenFace = { name: string; image: string | null };

/** Claims a drop and answers what to tell the member, with the mint transaction if there is one. */
export type Claim = (drop: MemberDrop) => Promise<{ message: string; txHash: string | null }>;

export function dropCard(drop: MemberDrop, face: TokenFace | null, claim: Claim): HTMLLIElement {
  const gives = `${drop.amount} × ${face?.name ?? "collectible"}`;
  const who = drop.requires === "any signed-in member" ? "for every member" : `needs ${drop.requires}`;
  const tech = technicalDetails([
    ["Collection", drop.collection],
    ["Token id", drop.tokenId],
  ]);
  const li = el(
    "li",
    { className: "card drop", attrs: { "data-drop-id": drop.id } },
    el("div", { className: "drop-head" }, picture(face?.image ?? null, "stamp-picture"), el("h3", { text: drop.title })),
    el("p", { text: drop.description }),
    el("p", { className: "muted", text: `${gives} · ${who}` }),
  );
  if (drop.usedUp) {
    li.append(badge("claimed", "unlocked"));
  } else if (!drop.eligible || drop.status !== "open") {
    li.append(badge(drop.status === "open" ? "not for you yet" : drop.status, "locked"));
    if (drop.reasons.length > 0) li.append(el("ul", { className: "reasons", attrs: { "aria-label": "Why you cannot claim it yet" } }, ...drop.reasons.map((r) => el("li", { text: r.message }))));
  } else {
    const claimButton = button("Claim");
    const status = actionStatus();
    claimButton.addEventListener("click", () =>
      void act(claimButton, status, "Minting…", async () => {
        const { message, txHash } = await claim(drop);
        claimButton.replaceWith(badge("claimed", "unlocked"));
        if (txHash) tech.querySelector("dl")!.append(el("dt", { text: "Mint transaction" }), el("dd", { text: txHash }));
        return message;
      }),
    );
    li.append(claimButton, status);
  }
  li.append(tech);
  return li;
}
