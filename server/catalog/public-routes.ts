/**
 * ERC-1155 metadata of served collections' token types and their pictures, for anyone: wallets and
 * marketplaces follow a collection's `uri` here. No credentials; answers may be cached and read from
 * any origin.
 */
import type { FastifyInstance } from "fastify";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { Address } from "viem";
import { problemResponses } from "../../sdk/src/protocol/common.ts";
import { etagOf, matchesIfNoneMatch } from "./images.ts";
import { Erc1155MetadataSchema, MetadataParams } from "../../sdk/src/protocol/catalog.ts";
import type { TokenCatalog } from "./service.ts";
import { parseTokenIdParam } from "./urls.ts";

const IMAGE_CACHE = "public, max-age=300";

export async function catalogPublicRoutes(app: FastifyInstance, opts: { catalog: TokenCatalog }) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { catalog } = opts;

  // Public, uncredentialed data: any page may read it. An origin the CORS plugin allows keeps its own answer.
  app.addHook("onSend", async (_request, reply) => {
    if (!reply.hasHeader("access-control-allow-origin")) reply.header("access-control-allow-origin", "*");
  });

  api.get(
    "/v1/metadata/:collection/:id",
    {
      schema: {
        tags: ["metadata"],
        summary: "A token type's ERC-1155 metadata: name, description, picture and attributes (the chain's kind, points, soulbound, consumable, duration, then the brand's)",
        params: MetadataParams,
        response: { 200: Erc1155MetadataSchema, ...problemResponses(400, 404, 503) },
      },
    },
    async (request, reply) => {
      const metadata = await catalog.metadata(request.params.collection as Address, parseTokenIdParam(request.params.id));
      reply.header("cache-control", "public, max-age=60");
      return metadata;
    },
  );

  // Untyped replies: the answer is bytes (or nothing, 304), which no JSON schema describes.
  app.get<{ Params: { collection: string; id: string } }>(
    "/v1/metadata/:collection/:id/image",
    {
      schema: {
        tags: ["metadata"],
        summary: "A token type's uploaded picture (ETag: its SHA-256; send If-None-Match for a 304)",
        params: MetadataParams,
        querystring: Type.Object({ v: Type.Optional(Type.String({ maxLength: 64, description: "Ignored: the picture's version, so a new picture gets a new address" })) }),
        response: { 200: Type.Unsafe({ type: "string", format: "binary", description: "The picture, as uploaded" }), ...problemResponses(400, 404) },
      },
    },
    async (request, reply) => {
      const collection = request.params.collection as Address;
      const tokenId = parseTokenIdParam(request.params.id);
      const ifNoneMatch = request.headers["if-none-match"];
      const cached = ifNoneMatch === undefined ? null : await catalog.imageInfo(collection, tokenId);
      if (cached !== null && matchesIfNoneMatch(ifNoneMatch, etagOf(cached.sha256))) {
        return reply.code(304).header("etag", etagOf(cached.sha256)).header("cache-control", IMAGE_CACHE).send();
      }
      const image = await catalog.image(collection, tokenId);
      return reply
        .header("content-type", image.contentType)
        .header("cache-control", IMAGE_CACHE)
        .header("etag", etagOf(image.sha256))
        // Only ever a picture: never sniffed as something else, never a document that runs anything.
        .header("x-content-type-options", "nosniff")
        .header("content-security-policy", "default-src 'none'; sandbox")
        .header("cross-origin-resource-policy", "cross-origin")
        .send(Buffer.from(image.bytes.buffer, image.bytes.byteOffset, image.bytes.byteLength));
    },
  );
}
