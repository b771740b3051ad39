/**
 * `GET /v1/me/entitlement?brand=`: a signed, short-lived statement of the member's standing with one
 * brand, for the brand's own server to verify offline; `GET /.well-known/jwks.json`: the keys to
 * verify it with; `POST /v1/operator/entitlement-keys/rotate`: a new signing key now.
 */
import type { FastifyInstance } from "fastify";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { problemResponses } from "../../sdk/src/protocol/common.ts";
import { EntitlementQuery, EntitlementResponse, JWKS_PATH, JwksSchema, RotatedKeySchema } from "../../sdk/src/protocol/entitlements.ts";
import { audienceFor, brandOfSite, type BrandOrigins } from "./audience.ts";
import type { Entitlements } from "./claims.ts";
import type { KeyRing } from "./keys.ts";

/** How long a verifier may reuse the JWKS: a key rotated in reaches verifiers within this (jose's remote set also fetches again on an unknown key id). */
export const JWKS_MAX_AGE_SECONDS = 60;

export async function entitlementRoutes(app: FastifyInstance, opts: { entitlements: Entitlements; keys: KeyRing; origins: BrandOrigins }) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    "/v1/me/entitlement",
    {
      preHandler: app.requireMember,
      schema: {
        tags: ["members"],
        summary: "A signed token (ES256 JWT, minutes long) stating the member's standing with one brand, for the brand's own server to verify offline against /.well-known/jwks.json",
        querystring: EntitlementQuery,
        response: { 200: EntitlementResponse, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request, reply) => {
      const { audience: named } = request.query;
      const asked = { origin: request.headers.origin, audience: named };
      // Without a brand named: the brand that registered the asking site (none: 403).
      const brand = request.query.brand ?? (await brandOfSite(opts.origins, asked));
      // An unknown brand is a 404 before the origin is looked at.
      const entitlement = await opts.entitlements.issue(request.member!.address, brand, () => audienceFor(opts.origins, brand, asked));
      reply.header("cache-control", "no-store");
      return entitlement;
    },
  );

  api.get(
    JWKS_PATH,
    { schema: { tags: ["members"], summary: "The public keys entitlements are signed with (two while a rotated key's tokens live)", response: { 200: JwksSchema, ...problemResponses(503) } } },
    async (_request, reply) => {
      const jwks = await opts.keys.jwks();
      reply.header("cache-control", `public, max-age=${JWKS_MAX_AGE_SECONDS}`);
      // Any site's server or browser may read public keys.
      reply.header("access-control-allow-origin", "*");
      return jwks;
    },
  );

  api.post(
    "/v1/operator/entitlement-keys/rotate",
    {
      preHandler: app.requireOperator,
      schema: { tags: ["operator"], summary: "Sign entitlements with a new key from now on; the previous key stays published until its tokens have expired", response: { 200: RotatedKeySchema, ...problemResponses(401, 503) } },
    },
    async (_request, reply) => {
      reply.header("cache-control", "no-store");
      return opts.keys.rotate();
    },
  );
}
