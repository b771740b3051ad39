/**
 * Wire shapes of members' data: the profile, brands' data requests, consents (grants) and their
 * signing template, what a brand may read, the access log, the export and the erasure.
 */
import { Type, type Static } from "typebox";
import { AddressSchema, IdSchema, Nullable, pageOf, StringEnum, TimestampSchema, type HexString } from "./common.ts";
import { DATA_FIELDS } from "./data-fields.ts";

/** Hex of any length (a signature: 65 bytes from plain wallets, longer from contract wallets). */
const HexSchemaAny = Type.Unsafe<HexString>(Type.String());

/** At most this many preferences, keys this long, string values this long. */
export const MAX_PREFERENCES = 20;

const BirthdaySchema = Type.Object({ month: Type.Integer({ minimum: 1, maximum: 12 }), day: Type.Integer({ minimum: 1, maximum: 31 }) }, { additionalProperties: false });

export const ProfileBody = Type.Object(
  {
    email: Nullable(Type.String({ format: "email", maxLength: 254 })),
    name: Nullable(Type.String({ minLength: 1, maxLength: 100 })),
    birthday: Type.Union([BirthdaySchema, Type.Null()]),
    city: Nullable(Type.String({ minLength: 1, maxLength: 100 })),
    preferences: Type.Record(Type.String({ pattern: "^[a-z][a-z0-9_.-]{0,39}$" }), Type.Union([Type.String({ maxLength: 200 }), Type.Boolean()]), {
      maxProperties: MAX_PREFERENCES,
      description: `Up to ${MAX_PREFERENCES} preferences: lowercase keys of up to 40 characters, each a string (up to 200 characters) or a boolean`,
    }),
  },
  { additionalProperties: false },
);
export type ProfileInput = Static<typeof ProfileBody>;

export const ProfileSchema = Type.Object({
  email: Nullable(Type.String()),
  name: Nullable(Type.String()),
  birthday: Type.Union([Type.Object({ month: Type.Integer(), day: Type.Integer() }), Type.Null()]),
  city: Nullable(Type.String()),
  preferences: Type.Record(Type.String(), Type.Union([Type.String(), Type.Boolean()])),
  updatedAt: Nullable(TimestampSchema),
});
export type ProfileView = Static<typeof ProfileSchema>;

export const DataRequestBody = Type.Object(
  {
    fields: Type.Array(StringEnum(DATA_FIELDS), { minItems: 1, maxItems: DATA_FIELDS.length, uniqueItems: true }),
    purpose: Type.String({ minLength: 1, maxLength: 200, pattern: "^[A-Za-z0-9\\-._~:/?#\\[\\]@!$&'()*+,;=]([A-Za-z0-9\\-._~:/?#\\[\\]@!$&'()*+,;= ]*[A-Za-z0-9\\-._~:/?#\\[\\]@!$&'()*+,;=])?$", description: "Why, in plain words (1-200 characters a wallet can show in a sign-in statement; no leading or trailing spaces)" }),
    retentionDays: Type.Integer({ minimum: 1, maximum: 3650, description: "How many days the brand keeps what it is granted" }),
    perkId: Type.Optional(IdSchema),
  },
  { additionalProperties: false },
);
export type DataRequestInput = Static<typeof DataRequestBody>;

export const DataRequestSchema = Type.Object({
  id: Type.String(),
  brandId: Type.String(),
  brandName: Type.Optional(Type.String()),
  fields: Type.Array(StringEnum(DATA_FIELDS)),
  purpose: Type.String(),
  retentionDays: Type.Integer(),
  perkId: Nullable(Type.String()),
  createdAt: TimestampSchema,
});

/** A data request in every member's list (`GET /v1/data-requests`): with its brand's name. */
export const ListedDataRequestSchema = Type.Object({ ...DataRequestSchema.properties, brandName: Type.String() });

export const ConsentSchema = Type.Object({
  id: Type.String(),
  brandId: Type.String(),
  requestId: Type.String(),
  fields: Type.Array(StringEnum(DATA_FIELDS)),
  purpose: Type.String(),
  grantedAt: TimestampSchema,
  expiresAt: TimestampSchema,
  revokedAt: Nullable(TimestampSchema),
  status: StringEnum(["active", "revoked", "expired"] as const),
  receipt: Type.Object({ message: Type.String(), signature: HexSchemaAny }, { description: "The EIP-4361 message exactly as signed, and the signature: verifiable by anyone" }),
});
export type ConsentView = Static<typeof ConsentSchema>;

export const ConsentTemplateSchema = Type.Object({
  domain: Type.String(),
  address: AddressSchema,
  statement: Type.String(),
  uri: Type.String(),
  version: Type.Literal("1"),
  chainId: Type.Integer(),
  nonce: Type.String(),
  issuedAt: TimestampSchema,
  expirationTime: TimestampSchema,
  resources: Type.Array(Type.String()),
  message: Type.String({ description: "The same fields as the EIP-4361 text to sign" }),
});
export type ConsentTemplate = Static<typeof ConsentTemplateSchema>;

export const ConsentBody = Type.Object(
  {
    message: Type.String({ minLength: 1, maxLength: 8192, description: "The EIP-4361 message exactly as signed" }),
    signature: Type.String({ pattern: "^0x[0-9a-fA-F]*$", maxLength: 65_536, description: "Hex signature (65 bytes for plain wallets; longer for contract wallets)" }),
  },
  { additionalProperties: false },
);

export const GrantedProfileSchema = Type.Object({
  address: AddressSchema,
  fields: Type.Array(
    Type.Object({
      field: StringEnum(DATA_FIELDS),
      value: Type.Unknown({ description: "The member's value (null: they have not filled it in)" }),
      grantId: Type.String(),
      purpose: Type.String(),
      expiresAt: TimestampSchema,
    }),
    { description: "Only fields under an active grant of this brand, in the order email, name, birthday, city, preferences" },
  ),
});
export type GrantedProfile = Static<typeof GrantedProfileSchema>;

export const AccessLogEntrySchema = Type.Object({
  id: Type.String(),
  brandId: Type.String(),
  brandName: Type.String(),
  consentId: Type.String(),
  fields: Type.Array(StringEnum(DATA_FIELDS)),
  purpose: Type.String(),
  actor: Type.String({ description: "Who at the brand read it, in words" }),
  at: TimestampSchema,
});
export type AccessLogEntryView = Static<typeof AccessLogEntrySchema>;

export const AccessLogPageSchema = pageOf(AccessLogEntrySchema);

export const DataExportSchema = Type.Object({
  exportedAt: TimestampSchema,
  address: AddressSchema,
  firstSignedInAt: Type.Union([TimestampSchema, Type.Null()]),
  profile: ProfileSchema,
  consents: Type.Array(ConsentSchema),
  accessLog: Type.Array(AccessLogEntrySchema),
  redemptions: Type.Array(Type.Record(Type.String(), Type.Unknown())),
  claims: Type.Array(Type.Record(Type.String(), Type.Unknown())),
  journeys: Type.Object({
    steps: Type.Array(Type.Object({ journeyId: Type.String(), stepId: Type.String(), completedAt: TimestampSchema })),
    invitations: Type.Array(Type.Object({ journeyId: Type.String(), code: Type.String() })),
    awards: Type.Array(Type.Object({ journeyId: Type.String(), status: Type.String(), txHash: Type.Union([Type.String(), Type.Null()]) })),
    events: Type.Array(
      Type.Object({ brandId: Type.String(), brandName: Type.String(), type: Type.String(), properties: Type.Record(Type.String(), Type.Unknown()), occurredAt: TimestampSchema }),
      { description: "What brands reported the member did (POST /v1/admin/events)" },
    ),
  }),
});
export type DataExport = Static<typeof DataExportSchema>;

export const ErasureSchema = Type.Object({
  erased: Type.Object({
    profile: Type.Boolean(),
    consents: Type.Integer(),
    accessLog: Type.Integer(),
    redemptionsUnlinked: Type.Integer(),
    claimsUnlinked: Type.Integer(),
    journeyRecordsUnlinked: Type.Integer(),
  }),
});
export type ErasureView = Static<typeof ErasureSchema>;

/** A birthday: a day of any year (February 29 allowed). */
export type Birthday = NonNullable<Profile["birthday"]>;
/** The member's profile: their own, kept once for every brand. Every field may be empty (null). */
export type Profile = ProfileView;
/** A brand's request for some of a member's fields: why, and for how long the brand keeps them. */
export type DataRequest = Static<typeof DataRequestSchema>;
/** A data request as every member may read it (`GET /v1/data-requests`), with the brand's name. */
export type ListedDataRequest = Static<typeof ListedDataRequestSchema>;
export type Consent = ConsentView;
export type ConsentStatus = Consent["status"];
/** A signed consent as kept: the EIP-4361 message exactly as signed and its signature. */
export type ConsentReceipt = Consent["receipt"];
export type ConsentRequest = Static<typeof ConsentBody>;
export type AccessLogEntry = AccessLogEntryView;
export type AccessLogPage = Static<typeof AccessLogPageSchema>;
/** What an erasure removed and unlinked from the member. */
export type Erased = ErasureView["erased"];
