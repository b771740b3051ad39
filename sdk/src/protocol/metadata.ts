/**
 * Where the API serves ERC-1155 metadata: the addresses a collection's types point wallets and
 * marketplaces at (the server serves them; the CLI and console write them into collections).
 */
import type { Address } from "viem";

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

