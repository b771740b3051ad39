import { createRequire } from "node:module";
import secp256k1 from "secp256k1";
import { hashMessage, hexToBytes } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { hashPersonalMessage, recoverSigner } from "./recover.ts";

// Well-known development keys (Hardhat accounts #0 and #1): never funded anywhere real.
const ALICE = privateKeyToAccount("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
const BOB = privateKeyToAccount("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
const CURVE_ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

const MESSAGE = "localhost:8787 wants you to sign in with your Ethereum account:\nsome text, é included";
const HASH = hashPersonalMessage(MESSAGE);
const SIGNATURE = await ALICE.signMessage({ message: MESSAGE });

const hex = (n: bigint) => n.toString(16).padStart(64, "0");
const withV = (signature: string, v: number) => `${signature.slice(0, 130)}${v.toString(16).padStart(2, "0")}`;
const vOf = (signature: string) => Number.parseInt(signature.slice(130), 16);

describe("secp256k1", () => {
  it("loads the native libsecp256k1 binding (the package silently falls back to pure JS otherwise)", () => {
    expect(() => createRequire(import.meta.url)("secp256k1/bindings")).not.toThrow();
  });
});

describe("hashPersonalMessage", () => {
  it("is the EIP-191 personal_sign hash (same as viem's hashMessage)", () => {
    expect(HASH).toEqual(hexToBytes(hashMessage(MESSAGE)));
  });
});

describe("recoverSigner", () => {
  it("recovers the signer of a wallet signature (v = 27/28)", () => {
    expect([27, 28]).toContain(vOf(SIGNATURE));
    expect(recoverSigner(HASH, SIGNATURE)).toEqual({ ok: true, address: ALICE.address.toLowerCase() });
  });

  it("accepts the same signature with v as a raw recovery id (0/1)", () => {
    const raw = withV(SIGNATURE, vOf(SIGNATURE) - 27);
    expect(recoverSigner(HASH, raw)).toEqual({ ok: true, address: ALICE.address.toLowerCase() });
  });

  it("recovers another address from another key's signature", async () => {
    const bobs = await BOB.signMessage({ message: MESSAGE });
    expect(recoverSigner(HASH, bobs)).toEqual({ ok: true, address: BOB.address.toLowerCase() });
  });

  it("recovers some other address when the message differs", () => {
    const other = recoverSigner(hashPersonalMessage(`${MESSAGE}!`), SIGNATURE);
    expect(other.ok && other.address).not.toBe(ALICE.address.toLowerCase());
  });

  it("refuses the high-s twin of a valid signature", () => {
    const s = BigInt(`0x${SIGNATURE.slice(66, 130)}`);
    const twin = `${SIGNATURE.slice(0, 66)}${hex(CURVE_ORDER - s)}${(55 - vOf(SIGNATURE)).toString(16)}`;
    // The twin is valid ECDSA for the same key: libsecp256k1 alone would accept it.
    const bytes = hexToBytes(twin as `0x${string}`);
    const twinKey = secp256k1.ecdsaRecover(bytes.subarray(0, 64), vOf(twin) - 27, HASH, false);
    const realKey = secp256k1.ecdsaRecover(hexToBytes(SIGNATURE).subarray(0, 64), vOf(SIGNATURE) - 27, HASH, false);
    expect(twinKey).toEqual(realKey);
    expect(recoverSigner(HASH, twin)).toEqual({ ok: false, reason: "malleable_signature" });
  });

  it.each([
    ["64 bytes (EIP-2098 compact)", SIGNATURE.slice(0, 130)],
    ["66 bytes", `${SIGNATURE}00`],
    ["an odd number of hex digits", SIGNATURE.slice(0, 131)],
    ["no 0x prefix", SIGNATURE.slice(2)],
    ["non-hex characters", `${SIGNATURE.slice(0, 10)}zz${SIGNATURE.slice(12)}`],
    ["empty", ""],
    ["0x only", "0x"],
    ["v = 29", withV(SIGNATURE, 29)],
    ["v = 2", withV(SIGNATURE, 2)],
    ["v = 37 (EIP-155 style)", withV(SIGNATURE, 37)],
    ["r = 0", `0x${hex(0n)}${SIGNATURE.slice(66)}`],
    ["s = 0", `${SIGNATURE.slice(0, 66)}${hex(0n)}${SIGNATURE.slice(130)}`],
    ["r >= curve order", `0x${hex(CURVE_ORDER)}${SIGNATURE.slice(66)}`],
  ])("refuses a malformed signature: %s", (_, signature) => {
    expect(recoverSigner(HASH, signature)).toEqual({ ok: false, reason: "malformed_signature" });
  });

  it("refuses a hash that is not 32 bytes", () => {
    expect(recoverSigner(HASH.subarray(0, 31), SIGNATURE)).toEqual({ ok: false, reason: "malformed_signature" });
  });
});
