/** Drops a member claims on us: what each gives (by name and picture) and a Claim button. */
import type { MemberDrop } from "@stampbook/sdk";
import { actionStatus, badge, button, el, explain, picture, report, technicalDetails } from "./dom.ts";
import { reasonList } from "./reasons.ts";

/** A token type's name and picture, from the API's public ERC-1155 metadata. */
export type TokenFace = { name: string; image: string | null };

/** Claims a drop and answers what to tell the member, with the transaction if there is one (for technical details). */
export type Claim = (drop: MemberDrop) => Promise<{ message: string; txHash: string | null }>;

type Note = { state: "pending" | "done" | "failed"; text: string; txHash?: string | null };

/** The last thing each drop's card said (by drop id): a claim redraws the card, and its words stay. */
const notes = new Map<string, Note>();

export function forgetDropNotes() {
  notes.clear();
}

export function dropCard(drop: MemberDrop, face: TokenFace | null, claim: Claim): HTMLLIElement {
  const gives = `${drop.amount} × ${face?.name ?? "collectible"}`;
  const who = drop.requires === "any signed-in member" ? "for every member" : `needs ${drop.requires}`;
  const note = notes.get(drop.id);
  const tech = technicalDetails([
    ["Collection", drop.collection],
    ["Token id", drop.tokenId],
    ["Transaction", note?.txHash],
  ]);
  const status = actionStatus();
  if (note) report(status, note.state, note.text);
  // The card is redrawn while the claim settles: report in the one on the page.
  const say = (next: Note) => {
    notes.set(drop.id, next);
    const live = document.querySelector<HTMLElement>(`li.drop[data-drop-id="${CSS.escape(drop.id)}"] > .action-status`);
    report(live ?? status, next.state, next.text);
  };
  const li = el(
    "li",
    { className: "card drop", attrs: { "data-drop-id": drop.id } },
    el("div", { className: "drop-head" }, picture(face?.image ?? null, "stamp-picture"), el("h3", { text: drop.title })),
    el("p", { text: drop.description }),
    el("p", { className: "muted", text: `${gives} · on us · ${who}` }),
  );
  if (drop.usedUp) {
    li.append(badge("claimed", "unlocked"));
  } else if (!drop.eligible || drop.status !== "open") {
    li.append(badge(drop.status === "open" ? "not for you yet" : drop.status, "locked"));
    if (drop.reasons.length > 0) li.append(reasonList(drop.reasons, "Why you cannot claim it yet"));
  } else {
    if (drop.vault) li.append(el("p", { className: "muted vault", text: `Counting ${drop.vault.counted}.` }));
    const claimButton = button("Claim");
    claimButton.addEventListener("click", () => {
      claimButton.disabled = true;
      say({ state: "pending", text: "Claiming…" });
      void claim(drop)
        .then(({ message, txHash }) => {
          say({ state: "done", text: message, txHash });
          claimButton.replaceWith(badge("claimed", "unlocked"));
        })
        .catch((error: unknown) => say({ state: "failed", text: explain(error) }))
        .finally(() => (claimButton.disabled = false));
    });
    li.append(claimButton);
  }
  li.append(status, tech);
  return li;
}
