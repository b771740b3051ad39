import { HttpRequestError, InternalRpcError, RpcRequestError, TimeoutError } from "viem";
import { describe, expect, it } from "vitest";
import { isExecutionFailure } from "./contract-wallet.ts";

const rpcError = (code: number, message: string) =>
  new RpcRequestError({ body: {}, error: { code, message }, url: "http://rpc.invalid" });

describe("isExecutionFailure", () => {
  it.each([
    ["JSON-RPC code 3", rpcError(3, "execution reverted")],
    ["a revert reported as an internal error", new InternalRpcError(rpcError(-32603, "VM Exception: reverted with reason"))],
    ["out of gas", rpcError(-32000, "out of gas")],
    ["a plain object with code 3", { code: 3, message: "x" }],
  ])("counts %s as the EVM's answer", (_, error) => {
    expect(isExecutionFailure(error)).toBe(true);
  });

  it.each([
    ["an HTTP error", new HttpRequestError({ url: "http://rpc.invalid", status: 502 })],
    ["an HTTP error whose body mentions a revert", new HttpRequestError({ url: "http://rpc.invalid", status: 500, details: "execution reverted" })],
    ["a timeout", new TimeoutError({ body: {}, url: "http://rpc.invalid" })],
    ["a node that is not synced", rpcError(-32000, "header not found")],
    ["a rate limit", rpcError(-32005, "limit exceeded")],
    ["fetch failing", new TypeError("fetch failed")],
    ["nothing", undefined],
  ])("counts %s as no answer", (_, error) => {
    expect(isExecutionFailure(error)).toBe(false);
  });
});
