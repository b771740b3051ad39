/**
 * What a brand may store as a rule, with fakes for what the deployment serves, the brand's levels
 * and who owns which data request: the same refusals for an offer (`rule`) and a journey's step.
 */
import type { Address } from "viem";
import { describe, expect, it, vi } from "vitest";
import { Problem } from "../errors.ts";
import { PLAIN_TERMS } from "./terms.ts";
import { createRuleValidator } from "./validate.ts";

const SERVED = "0x00000000000000000000000000000000000000c0" as Address;
const UNSERVED = "0x00000000000000000000000000000000000000d0" as Address;

function validator() {
  const terms = vi.fn(async (brandId: string) => ({ ...PLAIN_TERMS, levels: brandId === "brand_a" ? [{ key: "gold", name: "Gold", minPoints: 150 }] : [] }));
  const servedCollections = vi.fn(async () => new Set([SERVED]));
  const validate = createRuleValidator({ servedCollections, terms, dataRequestOwner: async (id) => (id === "ours" ? "brand_a" : id === "theirs" ? "brand_b" : null) });
  return { validate, terms, servedCollections };
}

async function refusal(promise: Promise<unknown>): Promise<Problem> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(Problem);
  return error as Problem;
}

describe("validateRule", () => {
  it("returns the rule parsed when the brand may store it, reading only what the rule needs", async () => {
    const { validate, terms, servedCollections } = validator();
    expect(await validate("brand_a", { type: "points", min: 10 })).toEqual({ type: "points", min: 10n });
    expect(servedCollections).not.toHaveBeenCalled();
    expect(terms).not.toHaveBeenCalled();
    const rule = { type: "all", rules: [{ type: "holds", collection: SERVED, tokenId: "1" }, { type: "level", min: "gold" }, { type: "consent", request: "ours" }] };
    expect(await validate("brand_a", rule)).toMatchObject({ type: "all" });
  });

  it.each([
    [{ type: "holds", collection: UNSERVED, tokenId: "1" }, "The rule reads a collection this server does not serve", `unknown collection ${UNSERVED}`],
    [{ type: "level", min: "silver" }, "The rule names a level the brand does not have", 'unknown level "silver"'],
    [{ type: "consent", request: "theirs" }, "The rule names a data request the brand does not have", 'unknown data request "theirs"'],
    [{ type: "consent", request: "gone" }, "The rule names a data request the brand does not have", 'unknown data request "gone"'],
  ])("400 invalid_rule at the rule's root: %j", async (rule, title, detail) => {
    const { validate } = validator();
    expect(await refusal(validate("brand_a", { type: "not", rule }))).toMatchObject({ status: 400, code: "invalid_rule", title, detail, extensions: { path: "rule" } });
    expect(await refusal(validate("brand_a", rule, "steps[2].rule"))).toMatchObject({ status: 400, code: "invalid_rule", title, detail, extensions: { path: "steps[2].rule" } });
  });

  it("a level is the brand's own: another brand's gold is unknown here", async () => {
    const { validate } = validator();
    expect(await refusal(validate("brand_b", { type: "level", min: "gold" }))).toMatchObject({ code: "invalid_rule", detail: 'unknown level "gold"' });
  });

  it("a grammar error names the path inside the given root", async () => {
    const { validate } = validator();
    expect(await refusal(validate("brand_a", { type: "all", rules: [{ type: "holds" }] }, "steps[0].rule"))).toMatchObject({
      code: "invalid_rule",
      title: "The rule is not valid",
      detail: "steps[0].rule.rules[0].collection: must be a 0x address",
      extensions: { path: "steps[0].rule.rules[0].collection" },
    });
  });

  it("a failure to read the brand's levels is not a verdict on the rule", async () => {
    const validate = createRuleValidator({ servedCollections: async () => new Set(), terms: async () => Promise.reject(new Error("store away")), dataRequestOwner: async () => null });
    await expect(validate("brand_a", { type: "level", min: "gold" })).rejects.toThrow("store away");
  });
});
