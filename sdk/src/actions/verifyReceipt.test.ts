/**
 * verifyReceipt(): consent receipts as the server writes them (its own ReCap encoder and EIP-4361
 * formatter), signed by real viem local accounts, checked offline; a stand-in chain client for the
 * contract-wallet path.
 */
import { createPublicClient, custom, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import { describe, expect, it, vi } from "vitest";
import { formatSiweMessage } from "../../../server/auth/siwe/format.ts";
import { encodeRecap, grantRecap, withRecapStatement } from "../protocol/recap.ts";
import type { ConsentReceipt, DataField } from "../index.ts";
import { verifyReceipt as verifyReceiptFromEntry } from "../receipts.ts";
import { verifyReceipt, type ReceiptChainVerifier } from "./verifyReceipt.ts";

/** Hardhat's first and second development keys: public test keys, never for value. */
const account = privateKeyToAccount("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
const other = privateKeyToAccount("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");

const ISSUED_AT = "2026-11-22T10:00:00.000Z";
const EXPIRES = "2026-12-22T10:00:00.000Z";
const BEFORE_EXPIRY = new Date("2026-11-23T00:00:00.000Z");

type Grant = { brandId: string; request: string; fields: DataField[]; purpose: string; expires: string };
const grant: Grant = { brandId: "01JBRAND00000000000000000A", request: "01JREQ0000000000000000000A", fields: ["email", "birthday"], purpose: "Birthday offers", expires: EXPIRES };

type MessageParts = {
  address: Address;
  statement: string | undefined;
  resources: string[] | undefined;
  issuedAt: string;
  expirationTime: string | undefined;
};

/** The message a grant is signed as, written by the server's formatter; `edit` changes parts of it first. */
function messageOf(g: Grant = grant, edit: (parts: MessageParts) => Partial<MessageParts> = () => ({})): string {
  const details = grantRecap(g);
  const parts: MessageParts = {
    address: account.address,
    statement: withRecapStatement(`Share my ${g.fields.join(", ")} (purpose: ${g.purpose}).`, details),
    resources: [encodeRecap(details)],
    issuedAt: ISSUED_AT,
    expirationTime: g.expires,
  };
  const fields = { ...parts, ...edit(parts) };
  return formatSiweMessage({ domain: "shop.example", uri: "https://shop.example", version: "1", chainId: 31337, nonce: "abcdEF1234567890", ...fields } as never);
}

async function signed(message: string, signer = account): Promise<ConsentReceipt> {
  return { message, signature: await signer.signMessage({ message }) };
}

/** A stand-in for a PublicClient's verifyMessage (EIP-1271/6492), answering `answer`. */
function chain(answer: boolean | Error) {
  const verifyMessage = vi.fn(async (_: { address: Address; message: string; signature: Hex }) => {
    if (answer instanceof Error) throw answer;
    return answer;
  });
  return { client: { verifyMessage } satisfies ReceiptChainVerifier, verifyMessage };
}

describe("verifyReceipt", () => {
  it("accepts a receipt signed by a real account, offline, and says what it grants", async () => {
    const receipt = await signed(messageOf());
    const expected = {
      valid: true,
      signer: account.address,
      brandId: grant.brandId,
      requestId: grant.request,
      fields: ["email", "birthday"],
      purpose: "Birthday offers",
      grantedAt: ISSUED_AT,
      expiresAt: EXPIRES,
      domain: "shop.example",
      uri: "https://shop.example",
      chainId: 31337,
      nonce: "abcdEF1234567890",
      expired: false,
    };
    expect(await verifyReceipt(receipt, { now: BEFORE_EXPIRY })).toEqual(expected);
    // From its own entry, `@stampbook/sdk/receipts`.
    expect(await verifyReceiptFromEntry(receipt, { now: BEFORE_EXPIRY })).toEqual(expected);
  });

  it("takes a viem PublicClient and does not call the chain for a plain account's receipt", async () => {
    const request = vi.fn(async () => {
      throw new Error("the chain was asked");
    });
    const publicClient = createPublicClient({ chain: hardhat, transport: custom({ request }) });
    const result = await verifyReceipt(await signed(messageOf()), { client: publicClient, now: BEFORE_EXPIRY });
    expect(result).toMatchObject({ valid: true, signer: account.address });
    expect(request).not.toHaveBeenCalled();
  });

  it("reports expired once the grant's expiry is reached (now: given, or the clock)", async () => {
    const receipt = await signed(messageOf());
    expect(await verifyReceipt(receipt, { now: new Date(Date.parse(EXPIRES) - 1) })).toMatchObject({ valid: true, expired: false });
    expect(await verifyReceipt(receipt, { now: new Date(EXPIRES) })).toMatchObject({ valid: true, expired: true });
    const old = await signed(messageOf({ ...grant, expires: "2020-01-01T00:00:00.000Z" }));
    expect(await verifyReceipt(old)).toMatchObject({ valid: true, expired: true, expiresAt: "2020-01-01T00:00:00.000Z" });
  });

  it("reads timestamps written with an offset or without milliseconds", async () => {
    const message = messageOf({ ...grant, expires: "2026-12-22T11:00:00+01:00" }, () => ({ issuedAt: "2026-11-22T11:00:00+01:00" }));
    const result = await verifyReceipt(await signed(message), { now: BEFORE_EXPIRY });
    expect(result).toMatchObject({ valid: true, grantedAt: ISSUED_AT, expiresAt: EXPIRES });
  });

  describe("a receipt edited after signing does not hold", () => {
    it("purpose or fields changed in the statement only → statement_mismatch", async () => {
      const { message, signature } = await signed(messageOf());
      for (const edited of [message.replace("(purpose: Birthday offers)", "(purpose: Anything)"), message.replace("Share my email, birthday", "Share my email")]) {
        expect(edited).not.toBe(message);
        expect(await verifyReceipt({ message: edited, signature })).toEqual({ valid: false, reason: "statement_mismatch" });
      }
    });

    it("purpose or fields changed in the ReCap only → statement_mismatch", async () => {
      const { message, signature } = await signed(messageOf());
      for (const changed of [{ ...grant, purpose: "Resale" }, { ...grant, fields: ["email", "name", "birthday"] as DataField[] }]) {
        const edited = message.replace(encodeRecap(grantRecap(grant)), encodeRecap(grantRecap(changed)));
        expect(edited).not.toBe(message);
        expect(await verifyReceipt({ message: edited, signature })).toEqual({ valid: false, reason: "statement_mismatch" });
      }
    });

    it("both changed alike → the signature no longer recovers to the address: needs_chain offline, bad_signature by the chain", async () => {
      const { signature } = await signed(messageOf());
      const edited = messageOf({ ...grant, purpose: "Resale to partners", fields: ["email", "name", "birthday", "city", "preferences"] });
      expect(await verifyReceipt({ message: edited, signature })).toEqual({ valid: false, reason: "needs_chain" });
      const { client, verifyMessage } = chain(false);
      expect(await verifyReceipt({ message: edited, signature }, { client })).toEqual({ valid: false, reason: "bad_signature" });
      expect(verifyMessage).toHaveBeenCalledWith({ address: account.address, message: edited, signature });
    });
  });

  it("a signature by another key: needs_chain without a client, bad_signature when the chain says no", async () => {
    const receipt = await signed(messageOf(), other);
    expect(await verifyReceipt(receipt)).toEqual({ valid: false, reason: "needs_chain" });
    expect(await verifyReceipt(receipt, { client: chain(false).client })).toEqual({ valid: false, reason: "bad_signature" });
    expect(await verifyReceipt(receipt, { client: chain(new Error("chain down")).client })).toEqual({ valid: false, reason: "bad_signature" });
  });

  it("a contract wallet's receipt (not recoverable offline) holds when the chain says so", async () => {
    const wallet = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
    const message = messageOf(grant, () => ({ address: wallet }));
    const signature = `0x${"ab".repeat(97)}` as Hex; // e.g. an EIP-6492 wrapper: no 65-byte recovery
    expect(await verifyReceipt({ message, signature })).toEqual({ valid: false, reason: "needs_chain" });
    const { client, verifyMessage } = chain(true);
    expect(await verifyReceipt({ message, signature }, { client, now: BEFORE_EXPIRY })).toMatchObject({ valid: true, signer: wallet, expired: false });
    expect(verifyMessage).toHaveBeenCalledWith({ address: wallet, message, signature });
  });

  it("not a grant: no ReCap, not last, two of them, another ability, or an Expiration Time that is not the grant's", async () => {
    const recap = encodeRecap(grantRecap(grant));
    const cases: [string, string][] = [
      ["a plain sign-in", messageOf(grant, () => ({ statement: "Sign in to see your memberships and perks.", resources: undefined, expirationTime: undefined }))],
      ["ReCap not last", messageOf(grant, () => ({ resources: [recap, "https://shop.example/terms"] }))],
      ["two ReCaps", messageOf(grant, () => ({ resources: [recap, recap] }))],
      ["another ReCap", messageOf(grant, (p) => ({ resources: [encodeRecap({ att: { "stampbook:b": { "data/read": [{}] } } })], statement: p.statement }))],
      ["a ReCap that is not base64url JSON", messageOf(grant, () => ({ resources: ["urn:recap:bm90IGpzb24"] }))],
      ["no Expiration Time", messageOf(grant, () => ({ expirationTime: undefined }))],
      ["an Expiration Time later than the grant's", messageOf(grant, () => ({ expirationTime: "2036-12-22T10:00:00.000Z" }))],
    ];
    for (const [why, message] of cases) expect(await verifyReceipt(await signed(message)), why).toEqual({ valid: false, reason: "not_a_grant" });
  });

  it("malformed: not EIP-4361, something unparsed in it, a lowercase address, a signature that is not hex; never throws", async () => {
    const { message, signature } = await signed(messageOf());
    const cases: [string, unknown][] = [
      ["not a message", { message: "hello", signature }],
      ["empty", { message: "", signature }],
      ["an extra line after the resources", { message: `${message}\nTrust me`, signature }],
      ["a line before the header", { message: `Hi\n${message}`, signature }],
      ["a lowercase address", { message: message.replace(account.address, account.address.toLowerCase()), signature }],
      ["a timestamp that is no time", { message: message.replace(`Issued At: ${ISSUED_AT}`, "Issued At: yesterday"), signature }],
      ["version 2", { message: message.replace("Version: 1", "Version: 2"), signature }],
      ["a signature that is not hex", { message, signature: "0xzz" }],
      ["a signature that is not a string", { message, signature: 42 }],
      ["no receipt", undefined],
      ["null", null],
    ];
    for (const [why, receipt] of cases) expect(await verifyReceipt(receipt as ConsentReceipt), why).toEqual({ valid: false, reason: "malformed" });
  });

  it("an empty signature is bad_signature", async () => {
    expect(await verifyReceipt({ message: messageOf(), signature: "0x" })).toEqual({ valid: false, reason: "bad_signature" });
  });
});
