/**
 * ReCaps against ERC-5573's own example (ethereum/ERCs, ERCS/erc-5573.md, "ReCap Details Object
 * Schema"): the same details object gives the spec's URI and its recap-transformed statement; and
 * Stampbook's grant round-trips and refuses anything but exactly one grant.
 */
import { describe, expect, it } from "vitest";
import { decodeRecap, encodeRecap, grantRecap, readGrant, recapStatement, withRecapStatement } from "./recap.ts";

const SPEC_URI =
  "urn:recap:eyJhdHQiOnsiaHR0cHM6Ly9leGFtcGxlLmNvbS9waWN0dXJlcy8iOnsiY3J1ZC9kZWxldGUiOlt7fV0sImNydWQvdXBkYXRlIjpbe31dLCJvdGhlci9hY3Rpb24iOlt7fV19LCJtYWlsdG86dXNlcm5hbWVAZXhhbXBsZS5jb20iOnsibXNnL3JlY2VpdmUiOlt7Im1heF9jb3VudCI6NSwidGVtcGxhdGVzIjpbIm5ld3NsZXR0ZXIiLCJtYXJrZXRpbmciXX1dLCJtc2cvc2VuZCI6W3sidG8iOiJzb21lb25lQGVtYWlsLmNvbSJ9LHsidG8iOiJqb2VAZW1haWwuY29tIn1dfX0sInByZiI6WyJ6ZGo3V2o2Rk5TNHJVVWJzaUp2amp4Y3NOcVpkRENTaVlSOHNLUVhmb1BmcFNadUF3Il19";
const SPEC_STATEMENT =
  "I further authorize the stated URI to perform the following actions on my behalf: (1) 'crud': 'delete', 'update' for 'https://example.com/pictures/'. (2) 'other': 'action' for 'https://example.com/pictures/'. (3) 'msg': 'receive', 'send' for 'mailto:username@example.com'.";

describe("ERC-5573", () => {
  it("encodes the spec's example details object to the spec's URI, with keys in any order, and translates it to the spec's statement", () => {
    const details = {
      prf: ["zdj7Wj6FNS4rUUbsiJvjjxcsNqZdDCSiYR8sKQXfoPfpSZuAw"],
      att: {
        "mailto:username@example.com": { "msg/send": [{ to: "someone@email.com" }, { to: "joe@email.com" }], "msg/receive": [{ templates: ["newsletter", "marketing"], max_count: 5 }] },
        "https://example.com/pictures/": { "other/action": [{}], "crud/update": [{}], "crud/delete": [{}] },
      },
    };
    expect(encodeRecap(details)).toBe(SPEC_URI);
    const decoded = decodeRecap(SPEC_URI)!;
    expect(recapStatement(decoded)).toBe(SPEC_STATEMENT);
    expect(encodeRecap(decoded)).toBe(SPEC_URI);
  });

  it("appends the ReCap statement to a SIWE statement after one space", () => {
    const details = grantRecap({ brandId: "b1", request: "r1", fields: ["email"], purpose: "news", expires: "2027-01-01T00:00:00.000Z" });
    expect(withRecapStatement(undefined, details)).toBe("I further authorize the stated URI to perform the following actions on my behalf: (1) 'data': 'grant' for 'stampbook:b1'.");
    expect(withRecapStatement("Share my email.", details)).toBe(`Share my email. ${recapStatement(details)}`);
  });

  it("round-trips a grant with its qualification's keys sorted", () => {
    const grant = { brandId: "brand-1", request: "req-1", fields: ["email", "birthday"] as const, purpose: "to send you a birthday treat", expires: "2027-01-01T00:00:00.000Z" };
    const uri = encodeRecap(grantRecap({ ...grant, fields: [...grant.fields] }));
    expect(Buffer.from(uri.slice("urn:recap:".length), "base64url").toString()).toBe(
      '{"att":{"stampbook:brand-1":{"data/grant":[{"expires":"2027-01-01T00:00:00.000Z","fields":["email","birthday"],"purpose":"to send you a birthday treat","request":"req-1"}]}}}',
    );
    expect(uri).not.toMatch(/[=+/]/);
    expect(readGrant(decodeRecap(uri)!)).toEqual({ ...grant, fields: ["email", "birthday"] });
  });

  it("reads nothing but exactly one Stampbook grant", () => {
    const note = { request: "r", fields: ["email"], purpose: "p", expires: "2027-01-01T00:00:00.000Z" };
    const read = (att: unknown, prf?: unknown) => readGrant(decodeRecap(encodeRecap({ att, ...(prf ? { prf } : {}) } as never))!);
    expect(read({ "stampbook:b": { "data/grant": [note] } })).not.toBeNull();
    expect(read({ "stampbook:b": { "data/grant": [note, note] } })).toBeNull();
    expect(read({ "stampbook:b": { "data/grant": [{ ...note, extra: 1 }] } })).toBeNull();
    expect(read({ "stampbook:b": { "data/grant": [{ ...note, fields: ["ssn"] }] } })).toBeNull();
    expect(read({ "stampbook:b": { "data/read": [note] } })).toBeNull();
    expect(read({ "https://b": { "data/grant": [note] } })).toBeNull();
    expect(read({ "stampbook:a": { "data/grant": [note] }, "stampbook:b": { "data/grant": [note] } })).toBeNull();
    expect(read({ "stampbook:b": { "data/grant": [note] } }, ["x"])).toBeNull();
    expect(decodeRecap("urn:recap:!!")).toBeNull();
    expect(decodeRecap("urn:other:e30")).toBeNull();
    expect(decodeRecap(`urn:recap:${Buffer.from("[1]").toString("base64url")}`)).toBeNull();
  });
});
