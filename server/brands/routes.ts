/**
 * A brand's own account, behind its API key: the collections it registered (and the signed
 * registration that proves it controls one), and its minter.
 */
import type { FastifyInstance } from "fastify";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type, type Static } from "typebox";
import { getAddress, type Address, type Hex } from "viem";
import { BrandSchema, CollectionSchema, MinterAnswerSchema, MinterBody, MinterSchema, RegisterBody, RegistrationQuery, RegistrationRequestSchema } from "../../sdk/src/protocol/brands.ts";
import { IdSchema, problemResponses } from "../../sdk/src/protocol/common.ts";
import type { BrandMinters } from "./minters.ts";
import type { PublicBrands } from "./public.ts";
import type { Registrations } from "./registration.ts";
import type { BrandCollection, BrandMinter } from "./types.ts";

const collectionView = (c: BrandCollection): Static<typeof CollectionSchema> => ({ ...c, collection: getAddress(c.collection), admin: getAddress(c.admin) });

export async function brandRoutes(app: FastifyInstance, opts: { registrations: Registrations; minters: BrandMinters; brands: PublicBrands }) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const auth = { preHandler: app.requireBrand };
  const { registrations, minters, brands } = opts;

  api.get(
    "/v1/brands/:brandId",
    {
      schema: {
        tags: ["members"],
        summary: "A brand's id and name, for anyone (the till names the brand its link opens before staff sign in)",
        params: Type.Object({ brandId: IdSchema }),
        response: { 200: BrandSchema, ...problemResponses(400, 404) },
      },
    },
    async (request, reply) => {
      const brand = await brands.get(request.params.brandId);
      reply.header("cache-control", "public, max-age=60");
      return brand;
    },
  );

  async function minterView(brandId: string, minter: Omit<BrandMinter, "sealedKey">): Promise<Static<typeof MinterSchema>> {
    const [collections, ready] = await Promise.all([registrations.ofBrand(brandId), minters.forBrand(brandId)]);
    const roles = await Promise.all(collections.map((c) => (ready === null ? Promise.resolve(null) : ready.canMint(c.collection).catch(() => null))));
    return {
      address: getAddress(minter.address),
      source: minter.source,
      createdAt: minter.createdAt,
      collections: collections.map((c, i) => ({ collection: getAddress(c.collection), canMint: roles[i]! })),
    };
  }

  api.get(
    "/v1/admin/brand",
    {
      ...auth,
      config: { staffRole: "till" },
      schema: {
        tags: ["admin"],
        summary: "The brand these credentials act for (an API key, or a staff session of any role)",
        response: { 200: BrandSchema, ...problemResponses(401) },
      },
    },
    async (request) => ({ id: request.brand!.id, name: request.brand!.name }),
  );

  api.get(
    "/v1/admin/collections",
    { ...auth, schema: { tags: ["admin"], summary: "The collections this brand registered: only these can its drops mint on", response: { 200: Type.Object({ items: Type.Array(CollectionSchema) }), ...problemResponses(401) } } },
    async (request) => ({ items: (await registrations.ofBrand(request.brand!.id)).map(collectionView) }),
  );

  api.get(
    "/v1/admin/collections/registration",
    {
      ...auth,
      schema: {
        tags: ["admin"],
        summary: "A registration of a collection for this brand, to be signed (EIP-712) by the collection's admin; valid for a short while, once",
        querystring: RegistrationQuery,
        response: { 200: RegistrationRequestSchema, ...problemResponses(400, 401) },
      },
    },
    async (request, reply) => {
      reply.header("cache-control", "no-store");
      return registrations.request(request.brand!, request.query.collection as Address);
    },
  );

  api.post(
    "/v1/admin/collections",
    {
      ...auth,
      schema: {
        tags: ["admin"],
        summary: "Register a collection for this brand with its admin's signature of the registration; checks the signer's DEFAULT_ADMIN_ROLE on chain. 201 registered, 200 already this brand's.",
        body: RegisterBody,
        response: { 200: CollectionSchema, 201: CollectionSchema, ...problemResponses(400, 401, 403, 409, 503) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const { collection, created } = await registrations.register(request.brand!, {
        collection: body.collection as Address,
        signer: body.signer as Address,
        nonce: body.nonce as Hex,
        expiresAt: body.expiresAt,
        signature: body.signature as Hex,
      });
      return reply.status(created ? 201 : 200).send(collectionView(collection));
    },
  );

  api.get(
    "/v1/admin/minter",
    {
      ...auth,
      schema: {
        tags: ["admin"],
        summary: "The brand's minter (its address; the key is never shown) and where it may mint",
        response: { 200: MinterAnswerSchema, ...problemResponses(401) },
      },
    },
    async (request) => {
      const minter = await minters.describe(request.brand!.id);
      return { minter: minter === null ? null : await minterView(request.brand!.id, minter) };
    },
  );

  api.post(
    "/v1/admin/minter",
    {
      ...auth,
      schema: {
        tags: ["admin"],
        summary:
          "Give the brand a minter: a key the server makes (send {}), or the brand's own ({privateKey}). It replaces any earlier one; the key is stored encrypted and never shown. Grant its address MINTER_ROLE on the brand's collections, and make it the collection's issuing minter (setIssuingMinter) so its mints cost one storage read less.",
        body: MinterBody,
        response: { 201: MinterSchema, ...problemResponses(400, 401, 503) },
      },
    },
    async (request, reply) => {
      const brandId = request.brand!.id;
      const key = request.body.privateKey as Hex | undefined;
      const minter = key === undefined ? await minters.generate(brandId) : await minters.supply(brandId, key.toLowerCase() as Hex);
      return reply.status(201).send(await minterView(brandId, minter));
    },
  );
}
