import { BaseError, encodeErrorResult, zeroAddress, type AbiParameter } from "viem";
import { describe, expect, it } from "vitest";
import { MINTER_ROLE, stampbookCollectionAbi } from "../../contracts/bindings/index.ts";
import { decodeRevert, revertInWords } from "./contract-errors.ts";

/** A value of each Solidity type the collection's errors take. */
function sample(input: AbiParameter): unknown {
  if (input.type === "address") return zeroAddress;
  if (input.type === "bytes32") return MINTER_ROLE;
  if (input.type === "string") return "a reason";
  return 7n;
}

const errors = stampbookCollectionAbi.filter((item) => item.type === "error");

describe("contract errors in words", () => {
  // A custom error added to the contract without a sentence here fails this test.
  it.each(errors.map((e) => [e.name, e] as const))("%s has a sentence of its own", (_name, error) => {
    const words = revertInWords({ name: error.name, args: error.inputs.map(sample) });
    expect(words).not.toMatch(/^the collection refused with /);
  });

  it("decodes raw revert data against the collection's ABI", () => {
    const data = encodeErrorResult({ abi: stampbookCollectionAbi, errorName: "MaxSupplyExceeded", args: [2n, 3n, 3n, 5n] });
    const wrapped = new BaseError("estimateGas failed", { cause: Object.assign(new BaseError("execution reverted"), { data }) });
    const revert = decodeRevert(wrapped);
    expect(revert).toEqual({ name: "MaxSupplyExceeded", args: [2n, 3n, 3n, 5n] });
    expect(revertInWords(revert!)).toBe("token type 2 is capped at 5 units and 3 are minted already: 3 more would pass the cap (2 left)");
  });

  it("names the missing role and the command that grants it", () => {
    expect(revertInWords({ name: "AccessControlUnauthorizedAccount", args: [zeroAddress, MINTER_ROLE] })).toBe(
      `this account (${zeroAddress}) lacks MINTER_ROLE on the collection: run \`stampbook minter grant\` with the collection's admin key, or mint with a key that holds the role (STAMPBOOK_MINTER_KEY)`,
    );
    expect(revertInWords({ name: "EnforcedPause", args: [] })).toBe("the collection is paused: an account with PAUSER_ROLE must unpause it first");
  });
});
