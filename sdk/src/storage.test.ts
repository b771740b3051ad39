/** Where the session lives by default. */
import { afterEach, describe, expect, it } from "vitest";
import { defaultStorage, memoryStorage } from "./storage.ts";

const g = globalThis as { localStorage?: unknown };
afterEach(() => {
  delete g.localStorage;
});

describe("defaultStorage", () => {
  it("is memory when there is no localStorage (Node)", () => {
    const storage = defaultStorage();
    storage.setItem("a", "1");
    expect(storage.getItem("a")).toBe("1");
  });

  it("is globalThis.localStorage when it works", () => {
    const local = memoryStorage();
    g.localStorage = local;
    expect(defaultStorage()).toBe(local);
  });

  it("falls back to memory when localStorage throws (sandboxed iframe, storage disabled) or is not a Storage", () => {
    g.localStorage = { getItem: () => null, setItem: () => { throw new DOMException("denied", "SecurityError"); }, removeItem: () => {} };
    const storage = defaultStorage();
    expect(storage).not.toBe(g.localStorage);
    storage.setItem("a", "1");
    expect(storage.getItem("a")).toBe("1");
    g.localStorage = {};
    expect(defaultStorage()).not.toBe(g.localStorage);
  });
});
