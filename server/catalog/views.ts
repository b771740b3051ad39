/** A token type as the API shows it: the chain's facts and the brand's words together. */
import type { Static } from "typebox";
import type { TokenTypeSchema } from "../../sdk/src/protocol/catalog.ts";
import { getAddress, type Address } from "viem";
import type { TokenKind } from "../../contracts/bindings/index.ts";
import type { TokenTypeInfo } from "../chain/token-types.ts";
import type { AttributeValue, TokenMetadata } from "./types.ts";
import { imageOf, metadataUrlOf } from "./urls.ts";

/** What a type without a name is called: its kind, in words, never its id. */
export const KIND_NAMES: Record<TokenKind, string> = { membership: "Membership", collectible: "Collectible" };

/** The name a type goes by: the brand's, or its kind's. */
export const nameOf = (kind: TokenKind, metadata: TokenMetadata | null | undefined) => metadata?.name ?? KIND_NAMES[kind];

/** The chain's facts as ERC-1155 attributes: these names are the API's, a brand cannot set them. */
export const CHAIN_ATTRIBUTES = ["kind", "points", "soulbound", "consumable", "duration"] as const;

/** A token type as its brand sees it (the protocol's `TokenTypeSchema`). */
export type TokenTypeView = Static<typeof TokenTypeSchema>;

export function tokenTypeView(publicUrl: URL, collection: Address, type: TokenTypeInfo, metadata: TokenMetadata | null | undefined): TokenTypeView {
  return {
    collection: getAddress(collection),
    tokenId: type.tokenId.toString(),
    name: nameOf(type.kind, metadata),
    description: metadata?.description ?? "",
    image: imageOf(publicUrl, metadata),
    kind: type.kind,
    points: type.points.toString(),
    soulbound: type.soulbound,
    consumable: type.consumable,
    maxSupply: type.maxSupply === 0n ? null : type.maxSupply.toString(),
    minted: type.minted.toString(),
    duration: type.duration === 0 ? null : type.duration,
    attributes: metadata?.attributes ?? {},
    metadataUrl: metadataUrlOf(publicUrl, collection, type.tokenId),
    updatedAt: metadata?.updatedAt ?? null,
  };
}

export type Erc1155Metadata = {
  name: string;
  description: string;
  image?: string;
  attributes: { trait_type: string; value: AttributeValue }[];
};

/** A number as JSON can carry it exactly, else as its decimal text. */
const exact = (value: bigint): number | string => (value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString());

/** The ERC-1155 metadata JSON of a type: the chain's attributes first, then the brand's. */
export function erc1155Metadata(publicUrl: URL, type: TokenTypeInfo, metadata: TokenMetadata | null): Erc1155Metadata {
  const image = imageOf(publicUrl, metadata);
  return {
    name: nameOf(type.kind, metadata),
    description: metadata?.description ?? "",
    ...(image === null ? {} : { image }),
    attributes: [
      { trait_type: "kind", value: type.kind },
      { trait_type: "points", value: exact(type.points) },
      { trait_type: "soulbound", value: type.soulbound },
      { trait_type: "consumable", value: type.consumable },
      { trait_type: "duration", value: type.duration },
      ...Object.entries(metadata?.attributes ?? {}).map(([trait_type, value]) => ({ trait_type, value })),
    ],
  };
}
