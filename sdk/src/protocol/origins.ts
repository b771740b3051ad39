/** Wire shapes of a brand's origins: the web addresses its storefronts and apps run on. */
import { Type, type Static } from "typebox";
import { TimestampSchema } from "./common.ts";

export const OriginSchema = Type.Object({
  origin: Type.String({ description: "Scheme, host and port as browsers send them in the Origin header, e.g. https://shop.example" }),
  createdAt: TimestampSchema,
});

export const AddOriginBody = Type.Object(
  {
    origin: Type.String({
      minLength: 1,
      maxLength: 255,
      description: "https://host[:port] (plain http only for localhost and loopback addresses); a trailing slash is dropped, nothing else may follow the host",
    }),
  },
  { additionalProperties: false },
);

export const OriginParams = Type.Object({ origin: Type.String({ minLength: 1, maxLength: 255, description: "The origin, URL-encoded" }) });

/** `GET /v1/admin/origins`: the brand's origins, oldest first. */
export const OriginList = Type.Object({ items: Type.Array(OriginSchema) });

export type BrandOriginView = Static<typeof OriginSchema>;
export type AddOriginRequest = Static<typeof AddOriginBody>;
