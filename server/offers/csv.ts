/**
 * Takes as CSV (RFC 4180), for a brand's spreadsheet: one column per field of the take's wire shape,
 * an object's fields one level deep as `object.field`. A cell a spreadsheet would run as a formula
 * (starting with = + - @, or a tab or carriage return) is prefixed with `'`.
 */
import type { TSchema } from "typebox";

type Column = { header: string; cell(row: Record<string, unknown>): unknown };

const isObjectSchema = (schema: TSchema): schema is TSchema & { properties: Record<string, TSchema> } => {
  const { type, properties } = schema as { type?: unknown; properties?: unknown };
  return (type === "object" || (Array.isArray(type) && type.includes("object"))) && typeof properties === "object" && properties !== null;
};

/** The columns of rows shaped by `schema`, an object schema (its properties, in order). */
export function csvColumns(schema: TSchema): Column[] {
  if (!isObjectSchema(schema)) throw new Error("CSV columns need an object schema");
  return Object.entries(schema.properties).flatMap(([key, property]): Column[] =>
    isObjectSchema(property)
      ? Object.keys(property.properties).map((inner) => ({ header: `${key}.${inner}`, cell: (row) => (row[key] as Record<string, unknown> | null | undefined)?.[inner] }))
      : [{ header: key, cell: (row) => row[key] }],
  );
}

const FORMULA = /^[=+\-@\t\r]/;

/** One cell: empty for null, JSON for anything structured, defused and quoted as needed. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  let text = typeof value === "object" ? JSON.stringify(value) : String(value);
  if (FORMULA.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A line of cells, CRLF-terminated. */
export function csvLine(cells: readonly unknown[]): string {
  return `${cells.map(csvCell).join(",")}\r\n`;
}

/** The header line, then a line per row of every page `pages` yields. */
export async function* csvRows(columns: readonly Column[], pages: AsyncIterable<readonly Record<string, unknown>[]>): AsyncGenerator<string> {
  yield csvLine(columns.map((c) => c.header));
  for await (const rows of pages) {
    if (rows.length > 0) yield rows.map((row) => csvLine(columns.map((c) => c.cell(row)))).join("");
  }
}
