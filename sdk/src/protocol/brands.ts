/** Wire shapes of a brand's own account: its registered collections, the registration it signs, its minter. */
import { Type, type Static } from "typebox";
import { AddressSchema, HexSchema, Nullable, StringEnum, TimestampSchema } from "./common.ts";

/** `GET /v1/admin/brand`: the brand the credentials act for. */
export const BrandSchema = Type.Object({ id: Type.String(), name: Type.String() });

export const CollectionSchema = Type.Object({
  collection: AddressSchema,
  brandId: Type.String(),
  admin: AddressSchema,
  registeredAt: TimestampSchema,
});

export const MinterSchema = Type.Object({
  address: AddressSchema,
  source: StringEnum(["generated", "supplied"] as const),
  createdAt: TimestampSchema,
  collections: Type.Array(Type.Object({ collection: AddressSchema, canMint: Nullable(Type.Boolean({ description: "null: the chain could not be asked" })) }), {
    description: "The brand's collections, and whether the minter holds MINTER_ROLE on each: grant it where it does not",
  }),
});

export const RegistrationRequestSchema = Type.Object(
  {
    domain: Type.Object({ name: Type.String(), version: Type.String(), chainId: Type.Integer() }),
    types: Type.Unsafe<Record<string, ReadonlyArray<{ readonly name: string; readonly type: string }>>>(Type.Unknown()),
    primaryType: Type.Literal("RegisterCollection"),
    message: Type.Object({ brand: Type.String(), brandName: Type.String(), collection: AddressSchema, nonce: HexSchema(32), expiresAt: Type.String() }),
  },
  { description: "EIP-712 typed data for eth_signTypedData_v4, to be signed by an address holding DEFAULT_ADMIN_ROLE on the collection" },
);

export const RegisterBody = Type.Object(
  {
    collection: AddressSchema,
    signer: AddressSchema,
    nonce: HexSchema(32),
    expiresAt: Type.Integer({ minimum: 0, description: "unix seconds, as signed" }),
    signature: Type.String({ pattern: "^0x[0-9a-fA-F]*$", maxLength: 65_536 }),
  },
  { additionalProperties: false },
);

export const MinterBody = Type.Object({ privateKey: Type.Optional(HexSchema(32)) }, { additionalProperties: false });

export const RegistrationQuery = Type.Object({ collection: AddressSchema }, { additionalProperties: false });

/** `GET /v1/admin/minter`: the brand's minter, or null before it has one. */
export const MinterAnswerSchema = Type.Object({ minter: Nullable(MinterSchema) });

export type BrandView = Static<typeof BrandSchema>;
/** A collection a brand registered. */
export type BrandCollection = Static<typeof CollectionSchema>;
export type Minter = Static<typeof MinterSchema>;
export type MinterAnswer = Static<typeof MinterAnswerSchema>;
export type RegistrationRequest = Static<typeof RegistrationRequestSchema>;
export type RegisterRequest = Static<typeof RegisterBody>;
