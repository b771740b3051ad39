/** Token types' names and pictures (ERC-1155 metadata) and brands' levels, as the store keeps them. */
import type { Address } from "viem";
import type { Level } from "../loyalty/types.ts";
import type { Timestamp } from "../storage/time.ts";

import { IMAGE_TYPES } from "../../sdk/src/protocol/catalog.ts";

export { IMAGE_TYPES };
export type ImageType = (typeof IMAGE_TYPES)[number];

// A brand attribute's value and the metadata's size limits are the wire protocol's.
export { MAX_ATTRIBUTE_KEY_LENGTH, MAX_ATTRIBUTE_TEXT_LENGTH, MAX_ATTRIBUTES, MAX_DESCRIPTION_LENGTH, MAX_IMAGE_URL_LENGTH, MAX_NAME_LENGTH, type AttributeValue } from "../../sdk/src/protocol/catalog.ts";
import type { AttributeValue } from "../../sdk/src/protocol/catalog.ts";

/** An uploaded picture, without its bytes. */
export interface StoredImage {
  contentType: ImageType;
  /** SHA-256 of the bytes, 64 lowercase hex digits (the ETag it is served with). */
  sha256: string;
  size: number;
}

/** An uploaded picture with its bytes. */
export interface TokenImage extends StoredImage {
  bytes: Uint8Array;
  updatedAt: Timestamp;
}

/**
 * What a brand said about one of its token types. The chain says what the type is (kind, points,
 * supply); this says what it is called and looks like.
 */
export interface TokenMetadata {
  /** Lowercase. */
  collection: Address;
  /** Decimal. */
  tokenId: string;
  /** The brand that wrote it (the collection's owner). */
  brandId: string;
  /** null: only a picture was uploaded so far; the type is called by its kind. */
  name: string | null;
  description: string;
  /** A picture hosted elsewhere; null when there is none or one was uploaded (the latest of the two wins). */
  imageUrl: string | null;
  /** The brand's own attributes, in the order given. */
  attributes: Record<string, AttributeValue>;
  /** The uploaded picture, or null. */
  image: StoredImage | null;
  updatedAt: Timestamp;
}

export interface PutTokenMetadataInput {
  brandId: string;
  collection: Address;
  tokenId: string;
  name: string;
  description: string;
  /** Setting one drops an uploaded picture; null keeps it. */
  imageUrl: string | null;
  attributes: Record<string, AttributeValue>;
  now: Timestamp;
}

export interface PutTokenImageInput {
  brandId: string;
  collection: Address;
  tokenId: string;
  contentType: ImageType;
  bytes: Uint8Array;
  now: Timestamp;
}

export interface CatalogStore {
  /**
   * Replaces a token type's name, description, picture URL and attributes (an uploaded picture stays
   * unless `imageUrl` is set). Null, changing nothing, unless `brandId` registered the collection:
   * a brand writes only its own collections' metadata.
   */
  putTokenMetadata(input: PutTokenMetadataInput): Promise<TokenMetadata | null>;
  /**
   * Sets a token type's uploaded picture (and drops its `imageUrl`), keeping the rest. Null,
   * changing nothing, unless `brandId` registered the collection.
   */
  putTokenImage(input: PutTokenImageInput): Promise<TokenMetadata | null>;
  /** A token type's metadata (without picture bytes), or null. */
  getTokenMetadata(collection: Address, tokenId: string): Promise<TokenMetadata | null>;
  /** The metadata of every token type of these collections that has some, by collection then token id. */
  listTokenMetadata(collections: readonly Address[]): Promise<TokenMetadata[]>;
  /** A token type's uploaded picture with its bytes, or null. */
  getTokenImage(collection: Address, tokenId: string): Promise<TokenImage | null>;

  /**
   * Replaces a brand's levels (keys unique, `minPoints` strictly increasing in the order given;
   * an empty list removes them). Fails if the brand does not exist.
   */
  setLevels(brandId: string, levels: readonly Level[], now: Timestamp): Promise<Level[]>;
  /** A brand's levels, lowest threshold first; empty when it has none. */
  getLevels(brandId: string): Promise<Level[]>;
}
