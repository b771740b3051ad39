import { describe, expect, it } from "vitest";
import { isAuthority, isChainIdText, isNonce, isRequestId, isStatement, isUri } from "./grammar.ts";

describe("isUri (RFC 3986 URI)", () => {
  it.each([
    "https://service.org/login",
    "http://localhost:8787",
    "https://127.0.0.1:4361",
    "https://[::cafe]",
    "https://[2001:db8::1]:443/a",
    "https://[::ffff:192.0.2.1]/",
    "https://[v7.fe80::1]/",
    "https://user:pass@host:1/p?q=1&r=%20#frag/?",
    "ipfs://Qme7ss3ARVgxv6rXqVPiikMJ8u2NLgmgszg13pYrDKEoiu",
    "did:pkh:eip155:1:0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2",
    "urn:isbn:0451450523",
    "mailto:a@b.c",
    "a:",
    "file:///etc/hosts",
  ])("accepts %s", (uri) => {
    expect(isUri(uri)).toBe(true);
  });

  it.each([
    ":not_a_rfc3986_valid_uri_",
    "//no-scheme.org",
    "service.org/login",
    "1http://x",
    "https://service.org/login - https://service.org/login/2",
    "https://exa mple.org",
    "https://example.org/%zz",
    "https://example.org/<script>",
    "https://[::cafe",
    "https://[1:2:3:4:5:6:7:8:9]",
    "https://[::ffff:1.2..4]",
    "https://[::ffff:256.0.0.1]",
    "https://host:80a",
    "https://a@b@c",
    "https://example.org/\n",
    "",
  ])("refuses %j", (uri) => {
    expect(isUri(uri)).toBe(false);
  });
});

describe("isAuthority (the domain)", () => {
  it.each(["service.org", "127.0.0.1", "test@127.0.0.1:8080", "localhost:8080", "[::cafe]", "a-b.c_d~e", "u%20x@h:"])(
    "accepts %s",
    (domain) => expect(isAuthority(domain)).toBe(true),
  );

  it.each(["", "#notrfc4501", "service.org/", "service.org@", ":8080", "user@:8080", "[::cafe", "a b", "https://x"])(
    "refuses %j",
    (domain) => expect(isAuthority(domain)).toBe(false),
  );
});

describe("field rules", () => {
  it("statement: one line of reserved/unreserved characters and spaces", () => {
    expect(isStatement("I accept the ServiceOrg Terms of Service: https://service.org/tos")).toBe(true);
    expect(isStatement("Hi! #1 (c) [x] @y $z & 'q' * + , ; = ? / ~ _ - .")).toBe(true);
    expect(isStatement("")).toBe(true);
    for (const bad of ["two\nlines", 'a "quote"', "100%", "<b>", "a\\b", "^", "`", "{}", "|", "café", "tab\there", "\r"]) {
      expect(isStatement(bad), bad).toBe(false);
    }
  });

  it("nonce: at least 8 letters or digits", () => {
    expect(isNonce("32891757")).toBe(true);
    expect(isNonce("bTyXgcQxn2htgkjJn")).toBe(true);
    expect(isNonce("1234567")).toBe(false);
    expect(isNonce("1234-5678")).toBe(false);
  });

  it("request id: RFC 3986 pchar, possibly empty", () => {
    expect(isRequestId("some_id")).toBe(true);
    expect(isRequestId("")).toBe(true);
    expect(isRequestId("a:b@c%20d")).toBe(true);
    expect(isRequestId("a/b")).toBe(false);
    expect(isRequestId("a b")).toBe(false);
  });

  it("chain id: decimal digits that fit a safe integer", () => {
    expect(isChainIdText("1")).toBe(true);
    expect(isChainIdText("31337")).toBe(true);
    expect(isChainIdText("9007199254740991")).toBe(true);
    expect(isChainIdText("9007199254740993")).toBe(false);
    expect(isChainIdText("0x1")).toBe(false);
    expect(isChainIdText("-1")).toBe(false);
    expect(isChainIdText("")).toBe(false);
  });
});
