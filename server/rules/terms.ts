/**
 * A brand's terms: what its rules are worded and judged with besides holdings. Names turn token ids
 * into words, levels turn points into names, data requests say what a consent rule asks shared, and `standing` lists every token type of the brand's
 * collections: read together with a rule's own types, the chain adds up the member's points over all
 * of them in the same call.
 */
import type { LeafRule, LevelWords, RequestWords, TokenWords } from "./grammar.ts";

export type BrandTerms = {
  names: TokenWords;
  /** Lowest first. */
  levels: readonly LevelWords[];
  /** Every token type of the brand's collections. */
  standing: readonly LeafRule[];
  /** The brand's live data requests, by id: consent rules are worded with them. */
  requests: ReadonlyMap<string, RequestWords>;
};

/** Looks a brand's terms up (cached by the implementation). Throws when they cannot be read just now. */
export type TermsOf = (brandId: string) => Promise<BrandTerms>;

/** Terms for a brand with no names, no levels and no standing: rules still work, in plainer words. */
export const PLAIN_TERMS: BrandTerms = { names: { label: () => undefined }, levels: [], standing: [], requests: new Map() };
