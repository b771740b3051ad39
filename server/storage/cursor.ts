import { StoreInputError } from "./errors.ts";
import type { Timestamp } from "./time.ts";
import { isTimestamp } from "./time.ts";

/** Position after the last item of a page, for keyset paging on (createdAt, id), newest first. */
export interface PageCursor {
  createdAt: Timestamp;
  id: string;
}

/** Opaque, URL-safe text for a cursor (base64url of a JSON pair). */
export function encodeCursor(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.id]), "utf8").toString("base64url");
}

/** The cursor `encodeCursor` made, or a StoreInputError for anything else. */
export function decodeCursor(text: string): PageCursor {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    value = undefined;
  }
  if (
    Array.isArray(value) &&
    value.length === 2 &&
    isTimestamp(value[0]) &&
    typeof value[1] === "string" &&
    value[1].length > 0
  ) {
    return { createdAt: value[0], id: value[1] };
  }
  throw new StoreInputError("cursor", "not a cursor this store issued");
}
