import { describe, expect, it } from "vitest";
import { parseRecipients as parseCliRecipients } from "../../sdk/cli/csv.ts";
import { batches, parseRecipients } from "./addresses.ts";

describe("recipients", () => {
  const a = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
  const b = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";

  it("reads one address per line and names every mistake by its line", () => {
    const list = parseRecipients(`${a}\n\n# a comment\n0x1234\n${b.toLowerCase()}\n${a}\n0x3C44CdDdB6a900fa2b585dd299e03d12FA4293bc`);
    expect(list.recipients).toEqual([
      { line: 1, address: a, amount: null },
      { line: 5, address: b, amount: null },
    ]);
    expect(list.problems.map((p) => p.line)).toEqual([4, 7]);
    expect(list.problems[0]!.message).toContain("is not an address");
    expect(list.problems[1]!.message).toContain("checksum");
    expect(list.repeats).toEqual([{ line: 6, first: 1 }]);
  });

  it("takes the address and amount columns of a CSV file with a header, as the CLI does", () => {
    const list = parseRecipients(`name,wallet,amount\n"Ann","${a}",3\nBob,,2\n"Cy, Jr.",${b},\n`);
    expect(list.recipients).toEqual([
      { line: 2, address: a, amount: 3n },
      { line: 4, address: b, amount: null },
    ]);
    expect(list.problems).toEqual([{ line: 3, message: "the address column is empty" }]);
    // The CLI reads the same file to the same amounts.
    expect(parseCliRecipients(`name,wallet,amount\n"Ann","${a}",3\n"Cy, Jr.",${b},\n`, 1n).recipients.map((r) => [r.address, r.amount])).toEqual([
      [a, 3n],
      [b, 1n],
    ]);
  });

  it("names an amount that is not a whole number of at least 1", () => {
    const list = parseRecipients(`address,qty\n${a},0\n${b},two\n`);
    expect(list.recipients).toEqual([]);
    expect(list.problems.map((p) => [p.line, p.message])).toEqual([
      [2, 'the amount "0" is not a whole number of at least 1'],
      [3, 'the amount "two" is not a whole number of at least 1'],
    ]);
  });

  it("splits recipients into batches of at most the size", () => {
    expect(batches([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(batches([], 100)).toEqual([]);
  });
});
