/** The problems token metadata and pictures answer with. */
import { Problem, type ProblemCode } from "../errors.ts";

const problem = (status: number, code: ProblemCode, title: string, detail?: string) => new Problem(status, code, title, detail);

/** Not served, no such type on chain, or an id no type can have: all look the same. */
export const tokenTypeNotFound = (detail?: string) => problem(404, "token_type_not_found", "No such token type", detail);

/** Not one of the brand's registered collections (another brand's looks exactly like an unknown one). */
export const collectionNotFound = () =>
  problem(404, "collection_not_found", "No such collection among this brand's", "Register the collection first (POST /v1/admin/collections).");

export const imageNotFound = () => problem(404, "image_not_found", "This token type has no uploaded picture");

export const imageTooLarge = (limit: number) => problem(413, "image_too_large", "The picture is too large", `At most ${limit} bytes (IMAGE_MAX_BYTES).`);

export const imageTypeUnsupported = (detail: string) => problem(415, "image_type_unsupported", "Send a PNG, JPEG, WebP or GIF picture", detail);
