import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { checksumAddress as viemChecksum, keccak256 as viemKeccak, type Address } from "viem";
import { checksumAddress, keccak256 } from "./keccak.ts";

describe("keccak256", () => {
  it("matches viem's on empty, short, block-sized and long inputs, bytes and text", () => {
    expect(Buffer.from(keccak256(new Uint8Array())).toString("hex")).toBe("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    for (const size of [1, 31, 32, 64, 135, 136, 137, 272, 1000]) {
      const data = randomBytes(size);
      expect(`0x${Buffer.from(keccak256(data)).toString("hex")}`).toBe(viemKeccak(data));
    }
    expect(`0x${Buffer.from(keccak256("héllo ✓")).toString("hex")}`).toBe(viemKeccak(Buffer.from("héllo ✓", "utf8")));
  });
});

describe("checksumAddress", () => {
  it("agrees with viem (EIP-55) whatever the input's case", () => {
    for (let i = 0; i < 200; i++) {
      const hex = randomBytes(20).toString("hex");
      const expected = viemChecksum(`0x${hex}` as Address);
      expect(checksumAddress(`0x${hex}`)).toBe(expected);
      expect(checksumAddress(`0x${hex.toUpperCase()}`)).toBe(expected);
    }
  });

  it("gives EIP-55's own examples", () => {
    for (const address of ["0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359", "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb"]) {
      expect(checksumAddress(address.toLowerCase())).toBe(address);
    }
  });
});
