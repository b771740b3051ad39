/** CSV cells: RFC 4180 quoting, and nothing a spreadsheet would run as a formula. */
import { describe, expect, it } from "vitest";
import { Type } from "typebox";
import { Nullable } from "../../sdk/src/protocol/common.ts";
import { csvCell, csvColumns, csvLine, csvRows } from "./csv.ts";

describe("csvCell", () => {
  it("writes plain text as it is, null as nothing, structured values as JSON", () => {
    expect(csvCell("RED-0001")).toBe("RED-0001");
    expect(csvCell(null)).toBe("");
    expect(csvCell(undefined)).toBe("");
    expect(csvCell(42)).toBe("42");
    expect(csvCell(true)).toBe("true");
    expect(csvCell({ a: 1 })).toBe('"{""a"":1}"');
  });

  it("quotes commas, quotes and line breaks (RFC 4180), doubling quotes", () => {
    expect(csvCell("a,b")).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell("two\nlines")).toBe('"two\nlines"');
    expect(csvCell("two\r\nlines")).toBe('"two\r\nlines"');
  });

  it.each([
    ["=1+1", "'=1+1"],
    ["+1", "'+1"],
    ["-1", "'-1"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["\t=1", "'\t=1"],
    ['=HYPERLINK("http://evil.example","x")', `"'=HYPERLINK(""http://evil.example"",""x"")"`],
    ["=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"],
  ])("defuses %j as a formula", (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it("leaves formula characters inside a cell alone", () => {
    expect(csvCell("a=b")).toBe("a=b");
    expect(csvCell("2026-11-27T10:00:00.000Z")).toBe("2026-11-27T10:00:00.000Z");
  });
});

describe("csvColumns and csvRows", () => {
  const schema = Type.Object({ id: Type.String(), count: Type.Integer(), error: Nullable(Type.Object({ code: Type.String(), message: Type.String() })) });

  it("name a column per field, an object's fields one level deep", () => {
    expect(csvColumns(schema).map((c) => c.header)).toEqual(["id", "count", "error.code", "error.message"]);
    expect(() => csvColumns(Type.String())).toThrow();
  });

  it("write the header, then a CRLF line per row of every page", async () => {
    async function* pages() {
      yield [{ id: "a", count: 1, error: null }];
      yield [];
      yield [{ id: "b", count: 2, error: { code: "mint_failed", message: "=reverted, twice" } }];
    }
    let text = "";
    for await (const chunk of csvRows(csvColumns(schema), pages())) text += chunk;
    expect(text).toBe(`id,count,error.code,error.message\r\na,1,,\r\nb,2,mint_failed,"'=reverted, twice"\r\n`);
    expect(csvLine(["x", null])).toBe("x,\r\n");
  });
});
