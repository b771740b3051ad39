import { describe, expect, it } from "vitest";
import { declaredImageType, etagOf, matchesIfNoneMatch, sniffImageType } from "./images.ts";

const bytes = (...parts: (string | number[])[]) => new Uint8Array(parts.flatMap((p) => (typeof p === "string" ? [...Buffer.from(p, "latin1")] : p)));

describe("sniffImageType", () => {
  it("knows PNG, JPEG, GIF and WebP by their signatures", () => {
    expect(sniffImageType(bytes([0x89], "PNG\r\n\x1a\n", [0, 0]))).toBe("image/png");
    expect(sniffImageType(bytes([0xff, 0xd8, 0xff, 0xe0]))).toBe("image/jpeg");
    expect(sniffImageType(bytes("GIF87a", [1]))).toBe("image/gif");
    expect(sniffImageType(bytes("GIF89a"))).toBe("image/gif");
    expect(sniffImageType(bytes("RIFF", [0, 0, 0, 0], "WEBPVP8 "))).toBe("image/webp");
  });

  it("refuses SVG, HTML, other RIFF files, truncated signatures and nothing at all", () => {
    for (const refused of [
      bytes('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
      bytes('<?xml version="1.0"?><svg/>'),
      bytes("<html><body>hi</body></html>"),
      bytes("RIFF", [0, 0, 0, 0], "WAVEfmt "),
      bytes([0x89], "PNG"),
      bytes([0xff, 0xd8]),
      bytes("GIF88a"),
      new Uint8Array(),
    ]) {
      expect(sniffImageType(refused)).toBeNull();
    }
  });
});

describe("declaredImageType", () => {
  it("takes the four types, in any case and with parameters; nothing else", () => {
    expect(declaredImageType("image/png")).toBe("image/png");
    expect(declaredImageType("IMAGE/JPEG; q=1")).toBe("image/jpeg");
    expect(declaredImageType("image/webp")).toBe("image/webp");
    expect(declaredImageType("image/gif")).toBe("image/gif");
    for (const other of [undefined, "", "image/svg+xml", "image/jpg", "application/octet-stream", "text/html", "image/png2"]) expect(declaredImageType(other)).toBeNull();
  });
});

describe("matchesIfNoneMatch", () => {
  const etag = etagOf("ab".repeat(32));
  it("matches the tag, a weak form of it, one of a list, and *", () => {
    expect(matchesIfNoneMatch(etag, etag)).toBe(true);
    expect(matchesIfNoneMatch(`W/${etag}`, etag)).toBe(true);
    expect(matchesIfNoneMatch(`"x", ${etag}`, etag)).toBe(true);
    expect(matchesIfNoneMatch("*", etag)).toBe(true);
  });
  it("does not match another tag, an unquoted one, or no header", () => {
    expect(matchesIfNoneMatch(etagOf("cd".repeat(32)), etag)).toBe(false);
    expect(matchesIfNoneMatch("ab".repeat(32), etag)).toBe(false);
    expect(matchesIfNoneMatch(undefined, etag)).toBe(false);
  });
});
