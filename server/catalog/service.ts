/**
 * Token metadata: brands name and picture the token types of their own collections; anyone reads a
 * served collection's types as ERC-1155 metadata. The chain says what a type is (it must exist
 * there); the store keeps what the brand said about it.
 */
import type { Address } from "viem";
import type { CollectionDirectory } from "../brands/directory.ts";
import type { TokenTypeReader, TokenTypeInfo } from "../chain/token-types.ts";
import { Problem } from "../errors.ts";
import type { Store } from "../storage/index.ts";
import { toTimestamp } from "../storage/time.ts";
import { declaredImageType, IMAGE_FORMAT_NAMES, sniffImageType } from "./images.ts";
import type { NameBook } from "./names.ts";
import { collectionNotFound, imageNotFound, imageTooLarge, imageTypeUnsupported, tokenTypeNotFound } from "./problems.ts";
import type { AttributeValue, StoredImage, TokenImage } from "./types.ts";
import { CHAIN_ATTRIBUTES, erc1155Metadata, tokenTypeView, type Erc1155Metadata, type TokenTypeView } from "./views.ts";

export type MetadataInput = {
  name: string;
  description?: string;
  imageUrl?: string;
  attributes?: Record<string, AttributeValue>;
};

export type TokenCatalog = {
  /** The brand's collection's types: the chain's facts and the brand's words. */
  listTypes(brandId: string, collection: Address): Promise<TokenTypeView[]>;
  /** Replaces what the brand says about one of its types. */
  putMetadata(brandId: string, collection: Address, tokenId: bigint, input: MetadataInput): Promise<TokenTypeView>;
  /** Sets one of the brand's types' picture from uploaded bytes (`contentType` as the request declared it). */
  putImage(brandId: string, collection: Address, tokenId: bigint, contentType: string | undefined, bytes: Uint8Array): Promise<TokenTypeView>;
  /** A served collection's type as ERC-1155 metadata. */
  metadata(collection: Address, tokenId: bigint): Promise<Erc1155Metadata>;
  /** A served collection's type's uploaded picture, without its bytes (to answer a conditional request). */
  imageInfo(collection: Address, tokenId: bigint): Promise<StoredImage>;
  /** A served collection's type's uploaded picture. */
  image(collection: Address, tokenId: bigint): Promise<TokenImage>;
};

const UINT256_MAX = 2n ** 256n - 1n;

function invalid(path: string, message: string): Problem {
  return new Problem(400, "validation_failed", "The request is not valid", `body${path.replaceAll("/", ".")} ${message}`, { errors: [{ in: "body", path, message }] });
}

/**
 * @param deps.names told to forget what it cached when a brand changes metadata (this instance);
 * @param deps.onChange told too, to tell the other instances.
 */
export function createTokenCatalog(deps: {
  store: Store;
  directory: CollectionDirectory;
  tokenTypes: TokenTypeReader;
  publicUrl: URL;
  imageMaxBytes: number;
  names?: Pick<NameBook, "forget">;
  onChange?: () => void;
  now?: () => Date;
}): TokenCatalog {
  const { store, directory, tokenTypes, publicUrl } = deps;
  const now = () => toTimestamp(deps.now?.() ?? new Date());

  /** The brand's own collection, or 404 (another brand's looks exactly like an unknown one). */
  async function requireOwn(brandId: string, collection: Address): Promise<void> {
    if ((await directory.ownerOf(collection)) !== brandId) throw collectionNotFound();
  }

  async function requireType(collection: Address, tokenId: bigint): Promise<TokenTypeInfo> {
    const type = tokenId > UINT256_MAX ? null : await tokenTypes.tokenType(collection, tokenId);
    if (type === null) throw tokenTypeNotFound(`The collection has no token type ${tokenId}.`);
    return type;
  }

  async function requireServed(collection: Address): Promise<void> {
    if (!(await directory.served()).has(collection.toLowerCase())) throw tokenTypeNotFound();
  }

  function changed(): void {
    deps.names?.forget();
    deps.onChange?.();
  }

  return {
    async listTypes(brandId, collection) {
      await requireOwn(brandId, collection);
      const [types, metadata] = await Promise.all([tokenTypes.tokenTypes(collection), store.listTokenMetadata([collection])]);
      const byId = new Map(metadata.map((m) => [m.tokenId, m]));
      return types.map((t) => tokenTypeView(publicUrl, collection, t, byId.get(t.tokenId.toString())));
    },

    async putMetadata(brandId, collection, tokenId, input) {
      const attributes = input.attributes ?? {};
      for (const key of Object.keys(attributes)) {
        if ((CHAIN_ATTRIBUTES as readonly string[]).includes(key.trim().toLowerCase())) {
          throw invalid(`/attributes/${key}`, `"${key}" is the chain's to say: choose another name (${CHAIN_ATTRIBUTES.join(", ")} are taken)`);
        }
      }
      if (input.imageUrl !== undefined && !URL.canParse(input.imageUrl)) throw invalid("/imageUrl", "is not a URL");
      await requireOwn(brandId, collection);
      const type = await requireType(collection, tokenId);
      const written = await store.putTokenMetadata({
        brandId,
        collection,
        tokenId: tokenId.toString(),
        name: input.name,
        description: input.description ?? "",
        imageUrl: input.imageUrl ?? null,
        attributes,
        now: now(),
      });
      if (written === null) throw collectionNotFound();
      changed();
      return tokenTypeView(publicUrl, collection, type, written);
    },

    async putImage(brandId, collection, tokenId, contentType, bytes) {
      if (bytes.length > deps.imageMaxBytes) throw imageTooLarge(deps.imageMaxBytes);
      const declared = declaredImageType(contentType);
      if (declared === null) throw imageTypeUnsupported(`Declare Content-Type image/png, image/jpeg, image/webp or image/gif (got ${JSON.stringify(contentType?.slice(0, 100) ?? null)}).`);
      const actual = sniffImageType(bytes);
      if (actual === null) throw imageTypeUnsupported("The bytes are not a PNG, JPEG, WebP or GIF picture.");
      if (actual !== declared) throw imageTypeUnsupported(`The bytes are a ${IMAGE_FORMAT_NAMES[actual]} picture, but the Content-Type says ${IMAGE_FORMAT_NAMES[declared]}.`);
      await requireOwn(brandId, collection);
      const type = await requireType(collection, tokenId);
      const written = await store.putTokenImage({ brandId, collection, tokenId: tokenId.toString(), contentType: actual, bytes, now: now() });
      if (written === null) throw collectionNotFound();
      changed();
      return tokenTypeView(publicUrl, collection, type, written);
    },

    async metadata(collection, tokenId) {
      await requireServed(collection);
      const type = await requireType(collection, tokenId);
      return erc1155Metadata(publicUrl, type, await store.getTokenMetadata(collection, tokenId.toString()));
    },

    async imageInfo(collection, tokenId) {
      await requireServed(collection);
      const image = tokenId > UINT256_MAX ? null : (await store.getTokenMetadata(collection, tokenId.toString()))?.image;
      if (!image) throw imageNotFound();
      return image;
    },

    async image(collection, tokenId) {
      await requireServed(collection);
      const image = tokenId > UINT256_MAX ? null : await store.getTokenImage(collection, tokenId.toString());
      if (image === null) throw imageNotFound();
      return image;
    },
  };
}
