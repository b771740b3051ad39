/** The error classes: one base, viem-style fields, cause chains, and what wallet failures become. */
import { describe, expect, it } from "vitest";
import { UserRejectedRequestError, RpcRequestError } from "viem";
import { ApiError, HttpRequestError } from "./api.ts";
import { StampbookError, walk } from "./base.ts";
import { BrandNotFoundError } from "./brand.ts";
import { StepRefusedError } from "./journey.ts";
import { NotSignedInError } from "./session.ts";
import { ChainMismatchError, toWalletError, UserRejectedError, WalletError, WalletNotFoundError, WalletTimeoutError } from "./wallet.ts";

describe("StampbookError", () => {
  it("has shortMessage, details, metaMessages, code, and a message made of them", () => {
    const cause = new Error("socket hang up");
    const error = new StampbookError("Something failed", { cause, metaMessages: ["Request: GET /x"], code: "x_failed" });
    expect(error).toMatchObject({ name: "StampbookError", shortMessage: "Something failed", details: "socket hang up", code: "x_failed", cause });
    expect(error.message).toBe("Something failed\nRequest: GET /x\nDetails: socket hang up");
  });

  it("walk() follows the cause chain to the deepest error or the first match", () => {
    const root = Object.assign(new Error("root"), { code: 4001 });
    const middle = new Error("middle", { cause: root });
    const error = new WalletError({ method: "personal_sign", cause: middle });
    expect(error.walk()).toBe(root);
    expect(error.walk((e) => e === middle)).toBe(middle);
    expect(error.walk((e) => e === "nothing")).toBeNull();
    expect(walk("not an error")).toBe("not an error");
  });

  it("every SDK error is a StampbookError with its own name", () => {
    const problem = { type: "urn:stampbook:problem:not_eligible", title: "Not eligible", status: 403, code: "not_eligible" as const };
    const errors = [
      new ApiError({ problem, method: "POST", url: "/v1/perks/p/redeem" }),
      new HttpRequestError({ method: "GET", url: "/v1/me", timedOut: true, timeout: 5 }),
      new NotSignedInError(),
      new UserRejectedError(),
      new WalletNotFoundError(),
      new WalletTimeoutError({ method: "personal_sign", timeout: 1 }),
      new ChainMismatchError({ expected: 1, actual: 2 }),
      new WalletError({ method: "eth_sendTransaction", unsupported: true }),
      new StepRefusedError(new ApiError({ problem: { type: "urn:stampbook:problem:step_locked", title: "Complete the earlier steps first", status: 409, code: "step_locked" }, method: "POST", url: "/v1/journeys/j/steps/s/complete" })),
      new BrandNotFoundError(new ApiError({ problem: { type: "urn:stampbook:problem:brand_not_found", title: "No such brand", status: 404, code: "brand_not_found" }, method: "GET", url: "/v1/perks?brand=b" }), "b"),
    ];
    for (const error of errors) expect(error).toBeInstanceOf(StampbookError);
    expect(errors.map((e) => [e.name, e.code])).toEqual([
      ["ApiError", "not_eligible"],
      ["HttpRequestError", "request_timeout"],
      ["NotSignedInError", "not_signed_in"],
      ["UserRejectedError", "user_rejected"],
      ["WalletNotFoundError", "wallet_not_found"],
      ["WalletTimeoutError", "wallet_timeout"],
      ["ChainMismatchError", "chain_mismatch"],
      ["WalletError", "wallet_unsupported"],
      ["StepRefusedError", "step_locked"],
      ["BrandNotFoundError", "brand_not_found"],
    ]);
    expect(errors[0]).toMatchObject({ status: 403, shortMessage: "Not eligible" });
    expect(errors[6]!.details).toBe("the wallet is on chain 2");
  });
});

describe("toWalletError", () => {
  it("recognises a rejection however it is wrapped: EIP-1193 4001, viem's UserRejectedRequestError, ethers' ACTION_REJECTED", () => {
    const eip1193 = Object.assign(new Error("User rejected the request."), { code: 4001 });
    const viem = new UserRejectedRequestError(new Error("denied"));
    const wrapped = new Error("outer", { cause: viem });
    const ethers = Object.assign(new Error("user rejected action"), { code: "ACTION_REJECTED" });
    for (const error of [eip1193, viem, wrapped, ethers]) {
      const mapped = toWalletError(error, "personal_sign");
      expect(mapped).toBeInstanceOf(UserRejectedError);
      expect(mapped.cause).toBe(error);
    }
  });

  it("keeps other failures as WalletError with the RPC code", () => {
    const mapped = toWalletError(new RpcRequestError({ body: {}, url: "x", error: { code: -32603, message: "internal" } }), "eth_sendTransaction");
    expect(mapped).toBeInstanceOf(WalletError);
    expect(mapped).toMatchObject({ method: "eth_sendTransaction", rpcCode: -32603, code: "wallet_error" });
  });

  it("passes SDK errors through unchanged", () => {
    const error = new ChainMismatchError({ expected: 1 });
    expect(toWalletError(error, "x")).toBe(error);
  });
});
