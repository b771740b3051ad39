/**
 * A grant's ReCap as a client builds and reads it: the URI pinned byte for byte, the statement as the
 * server checks it (`withRecapStatement(grantWords(…), …)`), and a reader that takes exactly the
 * grants the server would write.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { DataField } from "./data-fields.ts";
import { canonicalJson, decodeRecap, encodeRecap, grantRecap, grantRecapUri, readGrant, readGrantRecap, withRecapStatement, type DataGrant } from "./recap.ts";
import { grantStatement, grantWords } from "./statements.ts";

const grants: DataGrant[] = [
  { brandId: "brd_1", request: "req_1", fields: ["email"], purpose: "Birthday offers", expires: "2027-05-01T10:00:00.000Z" },
  { brandId: "01JBRAND000000000000000000", request: "01JREQ0000000000000000000", fields: ["email", "name", "birthday", "city", "preferences"], purpose: "Tailored offers: shoes & bags (EU/UK only) - 10% off!", expires: "2036-12-31T23:59:59.999Z" },
  { brandId: "b", request: "r", fields: ["birthday", "preferences"], purpose: "a~b_c.d:e/f?g#h[i]j@k!l$m&n'o(p)q*r+s,t;u=v", expires: "2026-01-01T00:00:00.000Z" },
  // Beyond what the server lets a purpose be, to show the UTF-8 encoding agrees too.
  { brandId: "café", request: "r-2", fields: ["city"], purpose: "Café – crème brûlée ☕ \"quoted\" \\ back", expires: "2026-01-01T00:00:00.000Z" },
];

const server = (g: DataGrant) => encodeRecap(grantRecap({ ...g, fields: [...g.fields] }));

describe("grantRecapUri", () => {
  it("gives the server's URI byte for byte", () => {
    for (const grant of grants) expect(grantRecapUri(grant)).toBe(server(grant));
  });

  it("is canonical JSON, unpadded base64url (pinned once from the server's encoder)", () => {
    expect(grantRecapUri(grants[0]!)).toBe(
      "urn:recap:eyJhdHQiOnsic3RhbXBib29rOmJyZF8xIjp7ImRhdGEvZ3JhbnQiOlt7ImV4cGlyZXMiOiIyMDI3LTA1LTAxVDEwOjAwOjAwLjAwMFoiLCJmaWVsZHMiOlsiZW1haWwiXSwicHVycG9zZSI6IkJpcnRoZGF5IG9mZmVycyIsInJlcXVlc3QiOiJyZXFfMSJ9XX19fQ",
    );
    for (const grant of grants) expect(grantRecapUri(grant)).toMatch(/^urn:recap:[A-Za-z0-9_-]+$/);
    expect(canonicalJson({ b: [3, { z: 1, a: "x" }], a: null })).toBe('{"a":null,"b":[3,{"a":"x","z":1}]}');
  });

  it("uses browser APIs only (no Buffer)", () => {
    const source = readFileSync(new URL("./recap.ts", import.meta.url), "utf8");
    expect(source).not.toMatch(/\bBuffer\s*[.(]/);
  });
});

describe("grantStatement", () => {
  it("is the grant in words, then the server's ReCap statement", () => {
    for (const grant of grants) {
      const details = grantRecap({ ...grant, fields: [...grant.fields] });
      expect(grantStatement(grant)).toBe(withRecapStatement(grantWords(grant), details));
      expect(grantWords(grant)).toBe(`Share my ${grant.fields.join(", ")} (purpose: ${grant.purpose}).`);
    }
    expect(grantStatement(grants[0]!)).toBe(
      "Share my email (purpose: Birthday offers). I further authorize the stated URI to perform the following actions on my behalf: (1) 'data': 'grant' for 'stampbook:brd_1'.",
    );
  });
});

describe("readGrantRecap", () => {
  const encode = (json: string) => `urn:recap:${Buffer.from(json, "utf8").toString("base64url")}`;
  const note = (overrides: Record<string, unknown> = {}) => ({ expires: "2027-05-01T10:00:00.000Z", fields: ["email", "name"], purpose: "p", request: "req_1", ...overrides });
  const details = (n: unknown = note()) => ({ att: { "stampbook:brd_1": { "data/grant": [n] } } });

  it("reads back every grant it writes, and agrees with the server's reader", () => {
    for (const grant of grants) {
      expect(readGrantRecap(grantRecapUri(grant))).toEqual(grant);
      expect(readGrant(decodeRecap(server(grant))!)).toEqual(grant);
    }
  });

  it("takes nothing but one canonical Stampbook grant", () => {
    const canonical = encode(canonicalJson(details()));
    const urlSafe = encode(canonicalJson(details(note({ purpose: "~~~???" }))));
    const standard = urlSafe.replace(/-/g, "+").replace(/_/g, "/");
    expect(readGrantRecap(urlSafe)).not.toBeNull();
    expect(standard).not.toBe(urlSafe);
    expect(readGrantRecap(canonical)).toMatchObject({ brandId: "brd_1", fields: ["email", "name"] });
    const refused: Record<string, string> = {
      "not a recap": "urn:other:eyJ9",
      "padded": `${canonical}==`,
      "standard base64": standard,
      "not JSON": encode("{att"),
      "keys not sorted": encode(JSON.stringify({ att: { "stampbook:brd_1": { "data/grant": [{ request: "req_1", fields: ["email"], purpose: "p", expires: "x" }] } } })),
      "whitespace": encode(JSON.stringify(details(), null, 1)),
      "two resources": encode(canonicalJson({ att: { ...details().att, "stampbook:brd_2": details().att["stampbook:brd_1"] } })),
      "another resource kind": encode(canonicalJson({ att: { "https://example.com": details().att["stampbook:brd_1"] } })),
      "another ability": encode(canonicalJson({ att: { "stampbook:brd_1": { "data/read": [note()] } } })),
      "two abilities": encode(canonicalJson({ att: { "stampbook:brd_1": { "data/grant": [note()], "data/read": [note()] } } })),
      "two notes": encode(canonicalJson({ att: { "stampbook:brd_1": { "data/grant": [note(), note()] } } })),
      "proofs": encode(canonicalJson({ ...details(), prf: ["bafy"] })),
      "an extra key": encode(canonicalJson(details(note({ perk: "x" })))),
      "a missing key": encode(canonicalJson(details({ expires: "x", fields: ["email"], purpose: "p" }))),
      "an unknown field": encode(canonicalJson(details(note({ fields: ["email", "phone"] })))),
      "fields out of order": encode(canonicalJson(details(note({ fields: ["name", "email"] as DataField[] })))),
      "a field twice": encode(canonicalJson(details(note({ fields: ["email", "email"] })))),
      "no fields": encode(canonicalJson(details(note({ fields: [] })))),
      "a number for the purpose": encode(canonicalJson(details(note({ purpose: 3 })))),
    };
    for (const [why, uri] of Object.entries(refused)) expect(readGrantRecap(uri), why).toBeNull();
  });
});
