import { BaseError, encodeErrorResult } from "viem";
import { describe, expect, it } from "vitest";
import { stampbookCollectionAbi } from "../../contracts/bindings/index.ts";
import { chainErrorWords, revertOf } from "./chain-errors.ts";

/** A wallet's refusal to deploy as it reaches the page: an EIP-1193 error carrying the revert data. */
const refused = (data: unknown) => new BaseError("Execution reverted", { cause: Object.assign(new Error("execution reverted"), { code: 3, data }) });

describe("revert data without a known contract call (a deployment)", () => {
  const royalty = encodeErrorResult({ abi: stampbookCollectionAbi, errorName: "ERC2981InvalidDefaultRoyalty", args: [20_000n, 10_000n] });

  it("is decoded with the collection's ABI, and said in words", () => {
    expect(revertOf(refused(royalty))).toEqual({ errorName: "ERC2981InvalidDefaultRoyalty", args: [20_000n, 10_000n] });
    expect(chainErrorWords(refused(royalty))).toBe("A royalty of 20000 basis points is more than the whole price (10000)");
  });

  it("is found inside a JSON-RPC error's data object too", () => {
    expect(revertOf(refused({ data: royalty }))?.errorName).toBe("ERC2981InvalidDefaultRoyalty");
  });

  it("that is not the collection's is left to the wallet's message", () => {
    expect(revertOf(refused("0xdeadbeef"))).toBeNull();
    expect(revertOf(refused("not hex"))).toBeNull();
    expect(chainErrorWords(refused("0xdeadbeef"))).toBe("Execution reverted");
  });
});
