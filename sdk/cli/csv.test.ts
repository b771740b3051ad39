import { describe, expect, it } from "vitest";
import { cellsOf, csvCell, parseRecipients, toCsv } from "./csv.ts";

const A = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const B = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";

describe("parseRecipients", () => {
  it("reads one address a row, with or without a header and an amount column", () => {
    expect(parseRecipients(`${A}\n${B.toLowerCase()},3\n`, 1n)).toEqual({
      recipients: [
        { line: 1, address: A, amount: 1n },
        { line: 2, address: B, amount: 3n },
      ],
      problems: [],
    });
    // A header may name the columns in any order; blank lines, comments and a BOM are skipped.
    expect(parseRecipients(`\uFEFF# members\n\nAmount;Wallet\n2;"${A}"\r\n;${B}`, 5n).recipients).toEqual([
      { line: 4, address: A, amount: 2n },
      { line: 5, address: B, amount: 5n },
    ]);
  });

  it("reports every bad row by its line number", () => {
    const bad = "0x70997970c51812dc3a010c7d01b50e0d17dc79C8"; // one letter's case changed: checksum fails
    const { problems } = parseRecipients(["address,amount", A, "hello", bad, A, `${B},-1`, `${B},1.5`].join("\n"), 1n);
    expect(problems).toEqual([
      'line 3: "hello" is not an address (0x and 40 hex digits)',
      `line 4: ${bad} has mixed case that is not a valid checksum (a typo?); write it all in lowercase if it is right`,
      `line 5: ${A} is listed already on line 2`,
      'line 6: the amount "-1" is not a whole number of at least 1',
      `line 7: ${B} is listed already on line 6; the amount "1.5" is not a whole number of at least 1`,
    ]);
  });

  it("says when there is nobody to send to", () => {
    expect(parseRecipients("address\n\n", 1n).problems).toEqual(["the file lists no addresses"]);
    expect(parseRecipients("name,amount\nx,1", 1n).problems).toEqual(['line 1: the header names no address column (call it "address")']);
  });
});

describe("CSV out", () => {
  it("quotes what must be quoted and defuses spreadsheet formulas", () => {
    expect(cellsOf('a,"b, ""c""",d')).toEqual(["a", 'b, "c"', "d"]);
    expect(csvCell('Say "hi", then')).toBe('"Say ""hi"", then"');
    expect(csvCell("=HYPERLINK(1)")).toBe("'=HYPERLINK(1)");
    expect(csvCell(null)).toBe("");
    expect(toCsv(["id", "title"], [{ id: "1", title: "Free, coffee" }])).toBe('id,title\r\n1,"Free, coffee"\r\n');
  });
});
