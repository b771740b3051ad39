/** Where the API serves token metadata and pictures, and the token ids those addresses carry. */
import type { Address } from "viem";
import type { TokenMetadata } from "./types.ts";

/** The API's public base: origin and path, without a trailing slash. */
const baseOf = (publicUrl: URL) => `${publicUrl.origin}${publicUrl.pathname.replace(/\/+$/, "")}`;

/**
 * The ERC-1155 metadata URI of a collection's types, with the standard's `{id}` placeholder (wallets
 * put the id there as 64 lowercase hex digits): what a collection's per-type `uri` should be.
 *
 * @example
 * metadataUriOf(new URL("https://api.example/stampbook/"), "0xAbC…");
 * // "https://api.example/stampbook/v1/metadata/0xabc…/{id}"
 */
export function metadataUriOf(publicUrl: URL, collection: Address): string {
  return `${baseOf(publicUrl)}/v1/metadata/${collection.toLowerCase()}/{id}`;
}

/** The metadata URL of one type (decimal id). */
export function metadataUrlOf(publicUrl: URL, collection: Address, tokenId: bigint | string): string {
  return `${baseOf(publicUrl)}/v1/metadata/${collection.toLowerCase()}/${tokenId}`;
}

/**
 * A type's picture as an absolute URL: the uploaded one (its address changes with its bytes, so
 * caches never show an old one for long), else the brand's picture URL, else null.
 */
export function imageOf(publicUrl: URL, metadata: Pick<TokenMetadata, "collection" | "tokenId" | "image" | "imageUrl"> | null | undefined): string | null {
  if (!metadata) return null;
  if (metadata.image !== null) return `${metadataUrlOf(publicUrl, metadata.collection, metadata.tokenId)}/image?v=${metadata.image.sha256.slice(0, 16)}`;
  return metadata.imageUrl;
}

/** An id as the metadata route takes it: 64 hex digits (ERC-1155 `{id}`) or a decimal. */
export { TOKEN_ID_PARAM_PATTERN } from "../../sdk/src/protocol/catalog.ts";
import { TOKEN_ID_PARAM_PATTERN } from "../../sdk/src/protocol/catalog.ts";

/** The token id a metadata address names (see {@link TOKEN_ID_PARAM_PATTERN}). */
export function parseTokenIdParam(id: string): bigint {
  return id.length === 64 ? BigInt(`0x${id}`) : BigInt(id);
}
