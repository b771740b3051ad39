/**
 * The wire protocol's building blocks: TypeBox schemas shared by several routes. The protocol is the
 * one description of the API: the server validates and serialises with these schemas, the SDK and the
 * console derive their types from them (`import type`), so nothing here imports the server or the SDK.
 */
import { Type, type Static, type TSchema } from "typebox";

/** The largest page a list route answers. */
export const MAX_PAGE_SIZE = 100;

/**
 * `T | null` written as a JSON type array. fast-json-stringify serialises it directly, where the
 * `anyOf` that `Type.Union` produces would run a validator on every value of every response.
 */
export function Nullable<T extends TSchema>(schema: T) {
  const { type } = schema as { type?: string };
  if (typeof type !== "string") throw new Error("Nullable needs a schema with a single JSON type");
  return Type.Unsafe<Static<T> | null>({ ...schema, type: [type, "null"] });
}

/** A string from a fixed set, as `enum` (not an `anyOf` of literals, for the same reason). */
export function StringEnum<const T extends readonly string[]>(values: T, options: { description?: string } = {}) {
  return Type.Unsafe<T[number]>({ type: "string", enum: [...values], ...options });
}

/** A hex string, typed as viem's `Hex` (`0x…`). */
export type HexString = `0x${string}`;

export const AddressSchema = Type.Unsafe<HexString>(Type.String({ pattern: "^0x[0-9a-fA-F]{40}$", description: "0x-prefixed, 20-byte address" }));
/** `bytes` bytes as 0x-prefixed hex. */
export const HexSchema = (bytes: number, description?: string) =>
  Type.Unsafe<HexString>(Type.String({ pattern: `^0x[0-9a-fA-F]{${bytes * 2}}$`, ...(description === undefined ? {} : { description }) }));
export const UintStringSchema = Type.String({ pattern: "^(0|[1-9][0-9]{0,77})$", description: "unsigned integer as a decimal string" });
export const TimestampSchema = Type.String({ format: "date-time" });
export const IdSchema = Type.String({ minLength: 1, maxLength: 64, pattern: "^[A-Za-z0-9_-]+$" });

/** A page of a list, newest first, and the cursor of the next one (null: the last page). */
export const pageOf = <T extends TSchema>(item: T) => Type.Object({ items: Type.Array(item), nextCursor: Nullable(Type.String()) });

export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
  },
  { additionalProperties: true, description: "RFC 9457 problem details" },
);

/** Standard error responses, referenced from every route's `response` map. */
export const problemResponses = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, ProblemSchema])) as Record<number, typeof ProblemSchema>;

/** Keyset paging of a list, newest first: `limit` items from the opaque `cursor` of the last page. */
export const PageQueryFields = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE })),
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
};
