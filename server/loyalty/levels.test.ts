import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Store } from "../storage/index.ts";
import { createLevelBook, standingOf } from "./levels.ts";
import type { Level } from "./types.ts";

const LEVELS: Level[] = [
  { key: "green", name: "Green", minPoints: 10 },
  { key: "gold", name: "Gold", minPoints: 150 },
  { key: "black", name: "Black", minPoints: 1_000 },
];

describe("standingOf", () => {
  it("puts points below the first level at no level, with the first to go", () => {
    expect(standingOf(0n, LEVELS)).toEqual({ points: "0", level: null, next: { key: "green", name: "Green", minPoints: 10, pointsToGo: "10" } });
    expect(standingOf(9n, LEVELS).next?.pointsToGo).toBe("1");
  });

  it("reaches a level at exactly its threshold, and names the next with what it still needs", () => {
    expect(standingOf(10n, LEVELS)).toEqual({ points: "10", level: { key: "green", name: "Green", minPoints: 10 }, next: { key: "gold", name: "Gold", minPoints: 150, pointsToGo: "140" } });
    expect(standingOf(149n, LEVELS)).toMatchObject({ level: { key: "green" }, next: { key: "gold", pointsToGo: "1" } });
    expect(standingOf(150n, LEVELS)).toMatchObject({ level: { key: "gold" }, next: { key: "black", pointsToGo: "850" } });
  });

  it("has no next level at the top, whatever the points (beyond any number too)", () => {
    expect(standingOf(1_000n, LEVELS)).toEqual({ points: "1000", level: { key: "black", name: "Black", minPoints: 1_000 }, next: null });
    const huge = 2n ** 200n;
    expect(standingOf(huge, LEVELS)).toMatchObject({ points: huge.toString(), level: { key: "black" }, next: null });
  });

  it("takes levels in any order, and none at all", () => {
    expect(standingOf(200n, [...LEVELS].reverse())).toMatchObject({ level: { key: "gold" }, next: { key: "black" } });
    expect(standingOf(200n, [])).toEqual({ points: "200", level: null, next: null });
    expect(standingOf(0n, [{ key: "base", name: "Base", minPoints: 0 }])).toMatchObject({ level: { key: "base" }, next: null });
  });
});

describe("createLevelBook", () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ["Date"] }));
  afterEach(() => vi.useRealTimers());

  function fakeStore() {
    const levels = new Map<string, Level[]>([["brand-a", LEVELS]]);
    const getLevels = vi.fn(async (brandId: string) => levels.get(brandId) ?? []);
    return { levels, getLevels, store: { getLevels } as unknown as Store };
  }

  it("answers from memory while fresh, one store query per brand however many ask at once", async () => {
    const f = fakeStore();
    const book = createLevelBook({ store: f.store, ttlMs: 5_000 });
    const answers = await Promise.all(Array.from({ length: 20 }, () => book.levels("brand-a")));
    expect(answers.every((l) => l.length === 3)).toBe(true);
    expect(await book.levels("brand-b")).toEqual([]);
    expect(f.getLevels).toHaveBeenCalledTimes(2);
    await book.levels("brand-a");
    expect(f.getLevels).toHaveBeenCalledTimes(2);
    vi.setSystemTime(Date.now() + 5_001);
    await book.levels("brand-a");
    expect(f.getLevels).toHaveBeenCalledTimes(3);
  });

  it("forget() shows a brand's new levels at once; cached levels cannot be changed by a caller", async () => {
    const f = fakeStore();
    const book = createLevelBook({ store: f.store, ttlMs: 60_000 });
    const first = await book.levels("brand-a");
    expect(() => first.push({ key: "x", name: "X", minPoints: 1 })).toThrow();
    f.levels.set("brand-a", [{ key: "only", name: "Only", minPoints: 0 }]);
    expect(await book.levels("brand-a")).toHaveLength(3);
    book.forget("brand-a");
    expect(await book.levels("brand-a")).toEqual([{ key: "only", name: "Only", minPoints: 0 }]);
    f.levels.set("brand-a", []);
    book.forget();
    expect(await book.levels("brand-a")).toEqual([]);
  });

  it("a failed read is not cached: the next asks again", async () => {
    const f = fakeStore();
    f.getLevels.mockRejectedValueOnce(new Error("store down"));
    const book = createLevelBook({ store: f.store, ttlMs: 60_000 });
    await expect(book.levels("brand-a")).rejects.toThrow("store down");
    expect(await book.levels("brand-a")).toHaveLength(3);
  });
});
