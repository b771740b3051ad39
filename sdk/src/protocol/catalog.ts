/** Wire shapes of token metadata: the brand's requests, its view of its types, and ERC-1155 metadata. */
import { Type, type Static } from "typebox";
import { AddressSchema, Nullable, StringEnum, TimestampSchema, UintStringSchema } from "./common.ts";

/** A brand's own trait of a token type: text, a number or a boolean. */
export type AttributeValue = string | number | boolean;

/** The picture formats a brand may upload. SVG is not one: it can carry script. */
export const IMAGE_TYPES = ["image/png", "image/jpeg", "image/webp", "image/gif"] as const;
export const MAX_ATTRIBUTES = 20;
export const MAX_ATTRIBUTE_KEY_LENGTH = 64;
export const MAX_ATTRIBUTE_TEXT_LENGTH = 500;
export const MAX_NAME_LENGTH = 80;
export const MAX_DESCRIPTION_LENGTH = 2000;
export const MAX_IMAGE_URL_LENGTH = 2048;

/** A token id in a metadata URL: the ERC-1155 `{id}` (64 hex digits) or a decimal. */
export const TOKEN_ID_PARAM_PATTERN = "^([0-9a-fA-F]{64}|0|[1-9][0-9]{0,79})$";

/** A scalar as one JSON type list (no `anyOf`: see Nullable in ./common.ts). */
const AttributeValueSchema = Type.Unsafe<AttributeValue>({ type: ["string", "number", "boolean"] });

const AttributesSchema = Type.Unsafe<Record<string, AttributeValue>>({
  type: "object",
  additionalProperties: { type: ["string", "number", "boolean"], maxLength: MAX_ATTRIBUTE_TEXT_LENGTH },
  propertyNames: { minLength: 1, maxLength: MAX_ATTRIBUTE_KEY_LENGTH },
  maxProperties: MAX_ATTRIBUTES,
  description: `Up to ${MAX_ATTRIBUTES} of the brand's own traits, name → text, number or boolean (kind, points, soulbound, consumable and duration are the chain's)`,
});

export const CollectionParams = Type.Object({ collection: AddressSchema });
export const TokenTypeParams = Type.Object({ collection: AddressSchema, tokenId: UintStringSchema });
export const MetadataParams = Type.Object({
  collection: AddressSchema,
  id: Type.String({ pattern: TOKEN_ID_PARAM_PATTERN, description: "The token id: 64 hex digits (ERC-1155 {id}) or a decimal" }),
});

export const MetadataBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: MAX_NAME_LENGTH, pattern: "\\S", description: 'What members read, e.g. "Gold" or "Journey stamp"' }),
    description: Type.Optional(Type.String({ maxLength: MAX_DESCRIPTION_LENGTH })),
    imageUrl: Type.Optional(
      Type.String({ maxLength: MAX_IMAGE_URL_LENGTH, pattern: "^[Hh][Tt][Tt][Pp][Ss]?://[^\\s]+$", description: "A picture hosted elsewhere; it replaces an uploaded one" }),
    ),
    attributes: Type.Optional(AttributesSchema),
  },
  { additionalProperties: false },
);

export const TokenTypeSchema = Type.Object({
  collection: AddressSchema,
  tokenId: Type.String(),
  name: Type.String({ description: "The brand's name for the type, or its kind in words when it has none yet" }),
  description: Type.String(),
  image: Nullable(Type.String({ description: "Absolute URL of the picture" })),
  kind: StringEnum(["membership", "collectible"] as const),
  points: Type.String({ description: "Points each unit held is worth (decimal)" }),
  soulbound: Type.Boolean(),
  consumable: Type.Boolean(),
  maxSupply: Nullable(Type.String({ description: "Cap on units ever minted; null: no cap" })),
  minted: Type.String({ description: "Units minted so far (up to the chain catalog's cache age old)" }),
  duration: Nullable(Type.Integer({ description: "Seconds a membership lasts; null: it never expires" })),
  attributes: Type.Unsafe<Record<string, AttributeValue>>({ type: "object", additionalProperties: { type: ["string", "number", "boolean"] } }),
  metadataUrl: Type.String({ description: "Its public ERC-1155 metadata" }),
  updatedAt: Nullable(TimestampSchema),
});

export const TokenTypeListSchema = Type.Object({ items: Type.Array(TokenTypeSchema) });

export const Erc1155MetadataSchema = Type.Object(
  {
    name: Type.String(),
    description: Type.String(),
    image: Type.Optional(Type.String()),
    attributes: Type.Array(Type.Object({ trait_type: Type.String(), value: AttributeValueSchema })),
  },
  { description: "ERC-1155 metadata JSON" },
);

export type MetadataRequest = Static<typeof MetadataBody>;
/** A token type as its brand sees it: the chain's facts and the brand's words. */
export type TokenType = Static<typeof TokenTypeSchema>;
export type TokenTypeList = Static<typeof TokenTypeListSchema>;
export type Erc1155Metadata = Static<typeof Erc1155MetadataSchema>;
