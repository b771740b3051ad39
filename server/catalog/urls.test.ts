import { describe, expect, it } from "vitest";
import { imageOf, metadataUriOf, parseTokenIdParam } from "./urls.ts";

const C = "0xAbCdEf0123456789aBcDeF0123456789AbCdEf01" as const;

describe("metadataUriOf", () => {
  it("is the public origin and path, the lowercase collection and the ERC-1155 {id} placeholder", () => {
    expect(metadataUriOf(new URL("http://localhost:8787"), C)).toBe("http://localhost:8787/v1/metadata/0xabcdef0123456789abcdef0123456789abcdef01/{id}");
    expect(metadataUriOf(new URL("https://api.example/stampbook/"), C)).toBe("https://api.example/stampbook/v1/metadata/0xabcdef0123456789abcdef0123456789abcdef01/{id}");
    expect(metadataUriOf(new URL("https://api.example/a/b?x=1#y"), C)).toBe("https://api.example/a/b/v1/metadata/0xabcdef0123456789abcdef0123456789abcdef01/{id}");
  });
});

describe("imageOf", () => {
  const base = { collection: C.toLowerCase() as typeof C, tokenId: "3" };
  it("is the uploaded picture's address (versioned by its digest), else the picture URL, else null", () => {
    expect(imageOf(new URL("https://api.example/"), { ...base, imageUrl: null, image: { contentType: "image/png", sha256: "cd".repeat(32), size: 1 } })).toBe(
      `https://api.example/v1/metadata/${C.toLowerCase()}/3/image?v=${"cd".repeat(8)}`,
    );
    expect(imageOf(new URL("https://api.example/"), { ...base, imageUrl: "https://cdn.example/x.png", image: null })).toBe("https://cdn.example/x.png");
    expect(imageOf(new URL("https://api.example/"), { ...base, imageUrl: null, image: null })).toBeNull();
    expect(imageOf(new URL("https://api.example/"), null)).toBeNull();
  });
});

describe("parseTokenIdParam", () => {
  it("reads 64 hex digits as ERC-1155 {id}, anything shorter as a decimal", () => {
    expect(parseTokenIdParam("0".repeat(63) + "a")).toBe(10n);
    expect(parseTokenIdParam("F".repeat(64))).toBe(2n ** 256n - 1n);
    expect(parseTokenIdParam("10")).toBe(10n);
  });
});
