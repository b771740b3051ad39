/** The webhook message a claim sends when it settles: `claim.minted` or `claim.failed`, named as members see the drop and its token type. */
import type { NameBook } from "../catalog/names.ts";
import type { CompleteTakeInput, TokenReward } from "../offers/types.ts";
import type { Store } from "../storage/index.ts";
import { tokenTypeRef, webhookMessage } from "../webhooks/messages.ts";

/** What `completeTake` writes with a claim reaching `status` (nothing for other statuses). Names are read first, outside its transaction. */
export async function claimAnnouncement(store: Pick<Store, "getTake" | "offerTitle">, names: NameBook, id: string, status: CompleteTakeInput["status"]): Promise<Pick<CompleteTakeInput, "announce">> {
  if (status !== "minted" && status !== "failed") return {};
  const before = await store.getTake(id);
  if (before === null) return {};
  const token = before.reward as TokenReward;
  const [title, tokenType] = await Promise.all([store.offerTitle(before.offerId), tokenTypeRef(names, token.collection, token.tokenId)]);
  const drop = { id: before.offerId, title: title ?? "" };
  return {
    announce: (claim) => [
      claim.status === "minted"
        ? webhookMessage(claim.brandId, "claim.minted", { claimId: claim.id, drop, member: { address: claim.member }, tokenType, amount: token.amount, txHash: claim.txHash, mintedAt: claim.updatedAt }, claim.updatedAt)
        : webhookMessage(
            claim.brandId,
            "claim.failed",
            { claimId: claim.id, drop, member: { address: claim.member }, error: claim.error ?? { code: "claim_failed", message: "The claim failed." }, failedAt: claim.updatedAt },
            claim.updatedAt,
          ),
    ],
  };
}
