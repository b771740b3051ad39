import { ParsedMessage } from "@spruceid/siwe-parser";
import { createSiweMessage } from "viem/siwe";
import { describe, expect, it } from "vitest";
import { SiweError } from "./errors.ts";
import { parseSiweMessage, type SiweMessage } from "./message.ts";

const ADDRESS = "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2";
const HEADER = "localhost:8787 wants you to sign in with your Ethereum account:";
const TAIL = "URI: http://localhost:8787/login\nVersion: 1\nChain ID: 31337\nNonce: abcdEF123456\nIssued At: 2026-11-22T10:00:00.000Z";

function malformed(text: string): string {
  try {
    parseSiweMessage(text);
  } catch (error) {
    expect(error).toBeInstanceOf(SiweError);
    expect((error as SiweError).code).toBe("siwe_malformed");
    return (error as SiweError).message;
  }
  throw new Error("expected the message to be refused");
}

describe("parseSiweMessage", () => {
  it("reads every field of a message viem's createSiweMessage wrote", () => {
    const text = createSiweMessage({
      scheme: "https",
      domain: "shop.example:8443",
      address: ADDRESS,
      statement: "Sign in to Stampbook",
      uri: "https://shop.example:8443/login",
      version: "1",
      chainId: 8453,
      nonce: "k2RfXpP0aW9dQq1z",
      issuedAt: new Date("2026-11-22T10:00:00.000Z"),
      expirationTime: new Date("2026-11-22T10:10:00.000Z"),
      notBefore: new Date("2026-11-22T09:59:00.000Z"),
      requestId: "req-42",
      resources: ["https://shop.example/perks/1", "ipfs://bafy"],
    });
    expect(parseSiweMessage(text)).toEqual({
      scheme: "https",
      domain: "shop.example:8443",
      address: ADDRESS,
      statement: "Sign in to Stampbook",
      uri: "https://shop.example:8443/login",
      version: "1",
      chainId: 8453,
      nonce: "k2RfXpP0aW9dQq1z",
      issuedAt: "2026-11-22T10:00:00.000Z",
      expirationTime: "2026-11-22T10:10:00.000Z",
      notBefore: "2026-11-22T09:59:00.000Z",
      requestId: "req-42",
      resources: ["https://shop.example/perks/1", "ipfs://bafy"],
    } satisfies SiweMessage);
  });

  it("leaves absent optional fields out of the object", () => {
    const msg = parseSiweMessage(`${HEADER}\n${ADDRESS}\n\n\n${TAIL}`);
    expect(Object.keys(msg).sort()).toEqual(["address", "chainId", "domain", "issuedAt", "nonce", "uri", "version"]);
  });

  it("tells no statement (one empty line) from an empty one (two)", () => {
    expect(parseSiweMessage(`${HEADER}\n${ADDRESS}\n\n\n${TAIL}`).statement).toBeUndefined();
    expect(parseSiweMessage(`${HEADER}\n${ADDRESS}\n\n\n\n${TAIL}`).statement).toBe("");
    expect(malformed(`${HEADER}\n${ADDRESS}\n\n\n\n\n${TAIL}`)).toMatch(/line 6: expected "URI: <uri>", found ""/);
  });

  it("accepts an empty Request ID and an empty Resources list", () => {
    const msg = parseSiweMessage(`${HEADER}\n${ADDRESS}\n\n\n${TAIL}\nRequest ID: \nResources:`);
    expect(msg.requestId).toBe("");
    expect(msg.resources).toEqual([]);
  });

  it("names the checksum it expected when the address is not EIP-55", () => {
    const lower = ADDRESS.toLowerCase();
    expect(malformed(`${HEADER}\n${lower}\n\n\n${TAIL}`)).toBe(
      `invalid SIWE message, line 2: address ${lower} is not EIP-55 checksummed (expected ${ADDRESS})`,
    );
  });

  it("refuses CRLF line endings", () => {
    expect(malformed(`${HEADER}\n${ADDRESS}\n\n\n${TAIL}`.replaceAll("\n", "\r\n"))).toMatch(/CRLF/);
  });

  it("refuses a trailing line break, and anything after the last field", () => {
    expect(malformed(`${HEADER}\n${ADDRESS}\n\n\n${TAIL}\n`)).toMatch(/line break at the end/);
    expect(malformed(`${HEADER}\n${ADDRESS}\n\n\n${TAIL}\nFoo: bar`)).toMatch(/line 10: unexpected "Foo: bar"/);
    expect(malformed(`${HEADER}\n${ADDRESS}\n\n\n${TAIL}\nResources:\n- https://a.example\nExpiration Time: x`)).toMatch(
      /line 12: unexpected "Expiration Time: x"/,
    );
  });

  it("refuses a message cut short", () => {
    expect(malformed(`${HEADER}\n${ADDRESS}\n`)).toMatch(/ended before the URI/);
    expect(malformed(`${HEADER}\n${ADDRESS}\n\n\nURI: http://localhost:8787\nVersion: 1`)).toMatch(/"Chain ID: " is missing/);
    expect(malformed("")).toMatch(/line 1/);
  });

  it("refuses a chain ID beyond the safe integer range", () => {
    expect(malformed(`${HEADER}\n${ADDRESS}\n\n\n${TAIL.replace("31337", "9007199254740993")}`)).toMatch(/chain ID/);
  });

  it("refuses a scheme that is not an RFC 3986 scheme", () => {
    expect(malformed(`1http://${HEADER}\n${ADDRESS}\n\n\n${TAIL}`)).toMatch(/invalid scheme/);
  });

  it("refuses what is not a string", () => {
    expect(malformed(42 as unknown as string)).toMatch(/not a string/);
  });
});

// Differential check against the reference ABNF parser (@spruceid/siwe-parser): random edits of
// valid messages must never be accepted here unless the reference accepts them too, with the same
// fields. The reference is looser in two known ways (an empty host in the domain, as in "a@";
// broken IPv4 inside an IPv6 literal), so the converse is not asserted.
describe("parseSiweMessage against the reference parser", () => {
  const seeds = [
    `${HEADER}\n${ADDRESS}\n\nI accept the Terms: https://x.example/tos\n\n${TAIL}\nExpiration Time: 2026-11-22T10:10:00Z\nNot Before: 2026-11-22t09:00:00+01:00\nRequest ID: a%20b:@!$\nResources:\n- https://a.example/x?y#z\n- did:example:123`,
    `https://[2001:db8::1]:8080 wants you to sign in with your Ethereum account:\n${ADDRESS}\n\n\n\nURI: https://u:p@[::ffff:1.2.3.4]:1/a\nVersion: 1\nChain ID: 1\nNonce: 32891757\nIssued At: 2024-02-29T23:59:59.123456-23:59`,
    `u%20x@1.2.3.4:0 wants you to sign in with your Ethereum account:\n${ADDRESS}\n\n\n${TAIL}\nRequest ID: \nResources:`,
  ];
  const alphabet = "aZ09 :/?#[]@!$&'()*+,;=-._~%\n\r\"<>\\^`{|}é.TZ+-x1:fF[]v";
  let state = 2463534242;
  const random = (n: number) => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state % n;
  };
  const reference = (text: string): Record<string, unknown> | null => {
    try {
      const { uriElements, ...fields } = new ParsedMessage(text);
      return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
    } catch {
      return null;
    }
  };

  it("never accepts what the reference refuses, over 4,000 random edits", () => {
    let accepted = 0;
    for (let n = 0; n < 4000; n++) {
      let text = seeds[random(seeds.length)] ?? "";
      for (let edits = 1 + random(3); edits > 0; edits--) {
        const at = random(text.length + 1);
        const char = alphabet[random(alphabet.length)] ?? "";
        const op = random(3);
        text = text.slice(0, at) + (op === 1 ? "" : char) + text.slice(op === 0 ? at : at + 1);
      }
      let ours: SiweMessage | null = null;
      try {
        ours = parseSiweMessage(text);
      } catch {}
      if (ours === null) continue;
      accepted += 1;
      expect(reference(text), JSON.stringify(text)).toEqual(ours);
    }
    expect(accepted).toBeGreaterThan(100);
  });
});
