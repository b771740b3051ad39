import { describe, expect, it } from "vitest";
import { batches, parseRecipients } from "./addresses.ts";

describe("recipients", () => {
  const a = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
  const b = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";

  it("reads one address per line and names every mistake by its line", () => {
    const list = parseRecipients(`${a}\n\n# a comment\n0x1234\n${b.toLowerCase()}\n${a}\n0x3C44CdDdB6a900fa2b585dd299e03d12FA4293bc`);
    expect(list.recipients).toEqual([
      { line: 1, address: a },
      { line: 5, address: b },
    ]);
    expect(list.problems.map((p) => p.line)).toEqual([4, 7]);
    expect(list.problems[0]!.message).toContain("is not an address");
    expect(list.problems[1]!.message).toContain("checksum");
    expect(list.repeats).toEqual([{ line: 6, first: 1 }]);
  });

  it("takes the address column of a CSV file with a header", () => {
    const list = parseRecipients(`name,wallet,amount\n"Ann","${a}",1\nBob,,2\n`);
    expect(list.recipients).toEqual([{ line: 2, address: a }]);
    expect(list.problems).toEqual([{ line: 3, message: "the address column is empty" }]);
  });

  it("splits recipients into batches of at most the size", () => {
    expect(batches([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(batches([], 100)).toEqual([]);
  });
});
