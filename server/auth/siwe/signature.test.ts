import { createPublicClient, custom, http, serializeErc6492Signature, HttpRequestError, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { createSiweMessage } from "viem/siwe";
import { describe, expect, it } from "vitest";
import { SiweError } from "./errors.ts";
import { hashPersonalMessage } from "./recover.ts";
import { verifySiweSignature } from "./signature.ts";

const ALICE = privateKeyToAccount("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
const BOB = privateKeyToAccount("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
const CURVE_ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const CONTRACT_CODE = "0x6080604052";

const messageFor = (address: Hex) =>
  createSiweMessage({
    domain: "localhost:8787",
    address,
    uri: "http://localhost:8787",
    version: "1",
    chainId: 31337,
    nonce: "abcdEF123456",
    issuedAt: new Date("2026-11-22T10:00:00.000Z"),
  });
const MESSAGE = messageFor(ALICE.address);
const SIGNATURE = await ALICE.signMessage({ message: MESSAGE });
const BOBS_SIGNATURE = await BOB.signMessage({ message: MESSAGE });

type Answer = (method: string, params: unknown) => unknown;

/** A client whose node is a function, recording the methods it was asked. */
function stubClient(answer: Answer) {
  const calls: string[] = [];
  const client = createPublicClient({
    transport: custom(
      {
        async request({ method, params }: { method: string; params?: unknown }) {
          calls.push(method);
          return answer(method, params);
        },
      },
      { retryCount: 0 },
    ),
  });
  return { client, calls };
}

const contractWallet = (callResult: () => unknown) =>
  stubClient((method) => {
    if (method === "eth_getCode") return CONTRACT_CODE;
    if (method === "eth_call") return callResult();
    throw new Error(`unexpected ${method}`);
  });

async function rejection(run: Promise<unknown>): Promise<SiweError> {
  const error = await run.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SiweError);
  return error as SiweError;
}

describe("verifySiweSignature, plain wallets (local)", () => {
  it("accepts a wallet's signature without any RPC", async () => {
    const { client, calls } = stubClient(() => {
      throw new Error("no RPC expected");
    });
    expect(await verifySiweSignature({ message: MESSAGE, signature: SIGNATURE, client })).toEqual({ ok: true, method: "eoa" });
    expect(calls).toEqual([]);
  });

  it("accepts v = 0/1 as well as 27/28", async () => {
    const v = Number.parseInt(SIGNATURE.slice(130), 16);
    const raw = `${SIGNATURE.slice(0, 130)}0${v - 27}`;
    expect(await verifySiweSignature({ message: MESSAGE, signature: raw })).toEqual({ ok: true, method: "eoa" });
  });

  it("refuses a signature by another key", async () => {
    expect(await verifySiweSignature({ message: MESSAGE, signature: BOBS_SIGNATURE })).toEqual({
      ok: false,
      reason: "signer_mismatch",
    });
  });

  it("refuses a signature of a different message", async () => {
    const other = await ALICE.signMessage({ message: `${MESSAGE}\nRequest ID: 1` });
    expect(await verifySiweSignature({ message: MESSAGE, signature: other })).toEqual({ ok: false, reason: "signer_mismatch" });
  });

  it("refuses the high-s twin of a valid signature", async () => {
    const s = BigInt(`0x${SIGNATURE.slice(66, 130)}`);
    const v = Number.parseInt(SIGNATURE.slice(130), 16);
    const twin = `${SIGNATURE.slice(0, 66)}${(CURVE_ORDER - s).toString(16).padStart(64, "0")}${(55 - v).toString(16)}`;
    expect(await verifySiweSignature({ message: MESSAGE, signature: twin })).toEqual({ ok: false, reason: "malleable_signature" });
  });

  it.each([
    ["64 bytes", SIGNATURE.slice(0, 130)],
    ["66 bytes", `${SIGNATURE}00`],
    ["not hex", "not a signature"],
  ])("refuses a malformed signature (%s)", async (_, signature) => {
    expect(await verifySiweSignature({ message: MESSAGE, signature })).toEqual({ ok: false, reason: "malformed_signature" });
  });

  it("uses a precomputed hash when given one", async () => {
    const hash = `0x${Buffer.from(hashPersonalMessage(MESSAGE)).toString("hex")}` as Hex;
    expect(await verifySiweSignature({ message: MESSAGE, signature: SIGNATURE, hash })).toEqual({ ok: true, method: "eoa" });
    const wrong = `0x${"11".repeat(32)}` as Hex;
    expect(await verifySiweSignature({ message: MESSAGE, signature: SIGNATURE, hash: wrong })).toMatchObject({ ok: false });
    await expect(verifySiweSignature({ message: MESSAGE, signature: SIGNATURE, hash: "0x1234" })).rejects.toThrow(TypeError);
  });

  it("throws siwe_malformed for a message that does not parse", async () => {
    const error = await rejection(verifySiweSignature({ message: MESSAGE.replace("Version: 1", "Version: 2"), signature: SIGNATURE }));
    expect(error.code).toBe("siwe_malformed");
  });
});

describe("verifySiweSignature, contract wallets (through the client)", () => {
  it("does not ask the chain about a malformed signature", async () => {
    const { client, calls } = stubClient(() => CONTRACT_CODE);
    expect(await verifySiweSignature({ message: MESSAGE, signature: "0xabc", client })).toEqual({
      ok: false,
      reason: "malformed_signature",
    });
    expect(calls).toEqual([]);
  });

  it("refuses, after one eth_getCode, when nothing is deployed at the address", async () => {
    const { client, calls } = stubClient((method) => (method === "eth_getCode" ? "0x" : null));
    expect(await verifySiweSignature({ message: MESSAGE, signature: BOBS_SIGNATURE, client })).toEqual({
      ok: false,
      reason: "signer_mismatch",
    });
    expect(calls).toEqual(["eth_getCode"]);
  });

  it("accepts what the deployed wallet accepts (EIP-1271)", async () => {
    const { client, calls } = contractWallet(() => "0x01");
    expect(await verifySiweSignature({ message: MESSAGE, signature: BOBS_SIGNATURE, client })).toEqual({
      ok: true,
      method: "erc1271",
    });
    expect(calls).toEqual(["eth_getCode", "eth_call"]);
  });

  it("refuses what the deployed wallet refuses", async () => {
    const { client } = contractWallet(() => "0x00");
    expect(await verifySiweSignature({ message: MESSAGE, signature: BOBS_SIGNATURE, client })).toEqual({
      ok: false,
      reason: "contract_rejected",
    });
  });

  it("treats a revert as a refusal, not an outage", async () => {
    const { client } = contractWallet(() => {
      throw Object.assign(new Error("execution reverted"), { code: 3, data: "0x" });
    });
    expect(await verifySiweSignature({ message: MESSAGE, signature: BOBS_SIGNATURE, client })).toEqual({
      ok: false,
      reason: "contract_rejected",
    });
  });

  it("accepts an ERC-6492 signature for a wallet not yet deployed, without eth_getCode", async () => {
    const wrapped = serializeErc6492Signature({
      address: "0x000000000000000000000000000000000000fac7",
      data: "0xdeadbeef",
      signature: BOBS_SIGNATURE,
    });
    const { client, calls } = stubClient((method) => (method === "eth_call" ? "0x01" : "0x"));
    expect(await verifySiweSignature({ message: MESSAGE, signature: wrapped, client })).toEqual({
      ok: true,
      method: "erc6492",
    });
    expect(calls).toEqual(["eth_call"]);
  });

  it("throws chain_unavailable when the node cannot be reached", async () => {
    const client = createPublicClient({ transport: http("http://127.0.0.1:1", { retryCount: 0, timeout: 5_000 }) });
    const error = await rejection(verifySiweSignature({ message: MESSAGE, signature: BOBS_SIGNATURE, client }));
    expect(error.code).toBe("chain_unavailable");
    expect(error.cause).toBeDefined();
  });

  it("throws chain_unavailable when the eth_call fails in transport (viem's verifyHash would say false)", async () => {
    const { client } = contractWallet(() => {
      throw new HttpRequestError({ url: "http://rpc.invalid", status: 503, details: "Service Unavailable" });
    });
    const error = await rejection(verifySiweSignature({ message: MESSAGE, signature: BOBS_SIGNATURE, client }));
    expect(error.code).toBe("chain_unavailable");
    expect(error.cause).toBeInstanceOf(HttpRequestError);
  });

  it("throws chain_unavailable when the node answers with an error that is not a revert", async () => {
    const { client } = contractWallet(() => {
      throw Object.assign(new Error("rate limited"), { code: -32005 });
    });
    const error = await rejection(verifySiweSignature({ message: MESSAGE, signature: BOBS_SIGNATURE, client }));
    expect(error.code).toBe("chain_unavailable");
  });
});
