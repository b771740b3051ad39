/** Where the API serves token metadata and pictures, and the token ids those addresses carry. */
import type { Address } from "viem";
import { metadataUrlOf } from "../../sdk/src/protocol/metadata.ts";
import type { TokenMetadata } from "./types.ts";

export { metadataUriOf, metadataUrlOf } from "../../sdk/src/protocol/metadata.ts";

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
