/** The problems a take or an admin write answers with, in the words of the offer's kind. */
import { getAddress } from "viem";
import { Problem } from "../errors.ts";
import type { CreateOfferResult, TakeResult } from "./types.ts";
import type { OfferKindSpec, OfferVocabulary } from "./kind.ts";

type Refusal = Exclude<TakeResult, { status: "created" | "replayed" }>;

/** The store's refusal of a take, as the problem the member sees. */
export function takeRefused(words: OfferVocabulary, result: Refusal, offerId: string): Problem {
  switch (result.status) {
    case "idempotency_conflict":
      return new Problem(422, "idempotency_conflict", `This Idempotency-Key was already used for another ${words.noun}`, `Use a new key for each new ${words.takeNoun}.`);
    case "offer_not_found":
      return offerNotFound(words, offerId);
    case "not_started":
      return new Problem(409, words.notStarted, `The ${words.noun} is not open yet`);
    case "ended":
      return new Problem(409, words.ended, `The ${words.noun} has ended`);
    case "member_limit_reached":
      return new Problem(409, "member_limit_reached", `You have ${words.taken} this ${words.noun} as often as allowed`, `limit ${result.limit} per member`, { limit: result.limit });
    case "vault_limit_reached":
      return new Problem(
        409,
        "vault_limit_reached",
        `Your vault has ${words.taken} this ${words.noun} as often as allowed`,
        `limit ${result.limit} per member, counted for vault ${getAddress(result.vault)} with every wallet it delegates to`,
        { limit: result.limit, vault: getAddress(result.vault) },
      );
    case "total_limit_reached":
      return new Problem(409, "total_limit_reached", `This ${words.noun} has run out`, `limit ${result.limit} in total`, { limit: result.limit });
  }
}

export function offerNotFound(words: OfferVocabulary, offerId?: string): Problem {
  return new Problem(404, words.notFound, `No such ${words.noun}`, offerId === undefined ? undefined : `${words.noun} ${offerId}`);
}

/** The brand reached its bound on live offers of the kind, or on the token types its rules read together. */
export function quotaExceeded(spec: OfferKindSpec, result: Extract<CreateOfferResult, { status: "quota_exceeded" }>): Problem {
  const what = result.quota === "offers" ? `${result.limit} live ${spec.words.noun}s` : `${result.limit} distinct token types across its rules`;
  const setting = result.quota === "offers" ? spec.quota.setting : "BRAND_MAX_TOKEN_TYPES";
  return new Problem(409, "quota_exceeded", "The brand is at one of its bounds", `A brand may have at most ${what}; delete some, or ask the operator to raise ${setting}.`, {
    quota: result.quota === "offers" ? `${spec.kind}s` : "token_types",
    limit: result.limit,
  });
}
