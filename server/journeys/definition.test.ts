import { describe, expect, it } from "vitest";
import { Problem } from "../errors.ts";
import { checkChangedWindow, parseJourney, parseJourneyChanges } from "./definition.ts";

const COLLECTION = "0xC0C0C0C0C0C0C0C0C0C0C0C0C0C0C0C0C0C0C0C0";
const base = { title: "Coffee 101", stamp: { collection: COLLECTION, tokenId: 3 }, steps: [{ id: "word", title: "Say it", kind: "code", mode: "shared", code: "BEANS" }] };

function refusal(run: () => unknown): { path: string; detail: string } {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(Problem);
    expect((error as Problem).code).toBe("invalid_journey");
    return { path: (error as Problem).extensions["path"] as string, detail: (error as Problem).detail! };
  }
  throw new Error("expected a refusal");
}

describe("journey definitions", () => {
  it("normalises what a brand sends: defaults, lowercase collection, decimal strings, canonical times", () => {
    expect(parseJourney({ ...base, startsAt: "2030-01-01T01:00:00+01:00" })).toEqual({
      title: "Coffee 101",
      description: "",
      startsAt: "2030-01-01T00:00:00.000Z",
      endsAt: null,
      ordered: false,
      stamp: { collection: COLLECTION.toLowerCase(), tokenId: "3", amount: "1" },
      steps: base.steps,
    });
  });

  it("keeps each kind's own fields and refuses another kind's", () => {
    const steps = [
      { id: "q", title: "Q", kind: "quiz", questions: [{ prompt: "?", choices: ["a", "b"], answer: 1 }] },
      { id: "b", title: "B", kind: "code", mode: "batch" },
      { id: "e", title: "E", kind: "event", event: "purchase", match: { sku: "latte", size: 2, hot: true } },
      { id: "h", title: "H", kind: "hold", rule: { type: "points", min: 10 } },
      { id: "r", title: "R", kind: "referral" },
    ];
    expect(parseJourney({ ...base, steps }).steps).toEqual(steps);
    expect(parseJourney({ ...base, steps: [{ id: "e", title: "E", kind: "event", event: "visit" }] }).steps).toEqual([{ id: "e", title: "E", kind: "event", event: "visit", match: {} }]);
    expect(refusal(() => parseJourney({ ...base, steps: [{ id: "b", title: "B", kind: "code", mode: "batch", code: "X" }] })).path).toBe("steps[0].code");
    expect(refusal(() => parseJourney({ ...base, steps: [{ id: "r", title: "R", kind: "referral", questions: [] }] })).path).toBe("steps[0].questions");
  });

  it.each([
    [{ title: "" }, "title"],
    [{ title: "x".repeat(201) }, "title"],
    [{ description: "x".repeat(4001) }, "description"],
    [{ ordered: "yes" }, "ordered"],
    [{ startsAt: "tomorrow" }, "startsAt"],
    [{ startsAt: "2030-01-02T00:00:00Z", endsAt: "2030-01-02T00:00:00Z" }, "endsAt"],
    [{ stamp: { collection: "0x12", tokenId: "1" } }, "stamp.collection"],
    [{ stamp: { collection: COLLECTION, tokenId: "-1" } }, "stamp.tokenId"],
    [{ stamp: { collection: COLLECTION, tokenId: "1", amount: "18446744073709551616" } }, "stamp.amount"],
    [{ steps: [{ id: "has space", title: "X", kind: "referral" }] }, "steps[0].id"],
    [{ steps: [{ id: "x", title: "", kind: "referral" }] }, "steps[0].title"],
    [{ steps: [{ id: "x", title: "X", kind: "quiz", questions: [] }] }, "steps[0].questions"],
    [{ steps: [{ id: "x", title: "X", kind: "quiz", questions: [{ prompt: "?", choices: ["a", ""], answer: 0 }] }] }, "steps[0].questions[0].choices[1]"],
    [{ steps: [{ id: "x", title: "X", kind: "quiz", questions: [{ prompt: "?", choices: ["a", "b"], answer: 0.5 }] }] }, "steps[0].questions[0].answer"],
    [{ steps: [{ id: "x", title: "X", kind: "code", mode: "shared", code: "AB" }] }, "steps[0].code"],
    [{ steps: [{ id: "x", title: "X", kind: "code", mode: "sometimes" }] }, "steps[0].mode"],
    [{ steps: [{ id: "x", title: "X", kind: "event", event: "has space" }] }, "steps[0].event"],
    [{ steps: [{ id: "x", title: "X", kind: "event", event: "buy", match: { sku: null } }] }, "steps[0].match.sku"],
    [{ steps: [{ id: "x", title: "X", kind: "event", event: "buy", match: { sku: "x".repeat(201) } }] }, "steps[0].match.sku"],
    [{ steps: [{ id: "x", title: "X", kind: "hold" }] }, "steps[0].rule"],
  ])("refuses %j at %s", (change, path) => {
    expect(refusal(() => parseJourney({ ...base, ...change })).path).toBe(path);
  });

  it("changes: at least one known field; the window is checked against the journey's", () => {
    expect(parseJourneyChanges({ title: "New", endsAt: null })).toEqual({ title: "New", endsAt: null });
    expect(refusal(() => parseJourneyChanges({})).path).toBe("body");
    expect(refusal(() => parseJourneyChanges({ stamp: { collection: COLLECTION } })).path).toBe("stamp.tokenId");
    expect(refusal(() => checkChangedWindow({ startsAt: "2030-01-02T00:00:00.000Z", endsAt: null }, { endsAt: "2030-01-01T00:00:00.000Z" })).path).toBe("endsAt");
    expect(() => checkChangedWindow({ startsAt: "2030-01-02T00:00:00.000Z", endsAt: null }, { startsAt: null, endsAt: "2030-01-01T00:00:00.000Z" })).not.toThrow();
  });
});
