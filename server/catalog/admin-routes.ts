/**
 * A brand's token types, behind its API key: the list with the chain's facts, and the words and
 * picture the brand gives each type of its own collections.
 */
import type { FastifyError, FastifyInstance } from "fastify";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { Address } from "viem";
import { problemResponses } from "../../sdk/src/protocol/common.ts";
import { imageTooLarge } from "./problems.ts";
import { CollectionParams, MetadataBody, TokenTypeListSchema, TokenTypeParams, TokenTypeSchema } from "../../sdk/src/protocol/catalog.ts";
import type { TokenCatalog } from "./service.ts";

export async function catalogAdminRoutes(app: FastifyInstance, opts: { catalog: TokenCatalog; imageMaxBytes: number }) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { catalog } = opts;
  const auth = { preHandler: app.requireBrand };

  api.get(
    "/v1/admin/collections/:collection/types",
    {
      ...auth,
      schema: {
        tags: ["admin"],
        summary: "The token types of one of this brand's collections: what the chain says of each, and the brand's name, description and picture",
        params: CollectionParams,
        response: { 200: TokenTypeListSchema, ...problemResponses(400, 401, 404, 503) },
      },
    },
    async (request) => ({ items: await catalog.listTypes(request.brand!.id, request.params.collection as Address) }),
  );

  api.put(
    "/v1/admin/collections/:collection/types/:tokenId/metadata",
    {
      ...auth,
      schema: {
        tags: ["admin"],
        summary:
          "Name a token type of this brand's collection, with a description, a picture URL and attributes; replaces what was said before (an uploaded picture stays unless imageUrl is given). The type must exist on chain.",
        params: TokenTypeParams,
        body: MetadataBody,
        response: { 200: TokenTypeSchema, ...problemResponses(400, 401, 404, 503) },
      },
    },
    async (request) => {
      const { collection, tokenId } = request.params;
      return catalog.putMetadata(request.brand!.id, collection as Address, BigInt(tokenId), request.body);
    },
  );

  // Pictures arrive as raw bytes: this scope reads any body as a Buffer, up to the picture limit.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: opts.imageMaxBytes }, (_request, body, done) => done(null, body));
    scope.setErrorHandler((error: FastifyError) => {
      // The parent handler turns every other error (and this problem) into problem+json.
      throw error.code === "FST_ERR_CTP_BODY_TOO_LARGE" ? imageTooLarge(opts.imageMaxBytes) : error;
    });

    scope.withTypeProvider<TypeBoxTypeProvider>().put(
      "/v1/admin/collections/:collection/types/:tokenId/image",
      {
        // Checked before the body is read: strangers' uploads are refused without reading them.
        onRequest: app.requireBrand,
        bodyLimit: opts.imageMaxBytes,
        schema: {
          tags: ["admin"],
          summary: `Upload a token type's picture as the raw body: Content-Type image/png, image/jpeg, image/webp or image/gif (the bytes must be one), at most ${opts.imageMaxBytes} bytes. It replaces a picture URL.`,
          security: [{ apiKey: [] }],
          params: TokenTypeParams,
          response: { 200: TokenTypeSchema, ...problemResponses(400, 401, 404, 413, 415, 503) },
        },
      },
      async (request) => {
        const { collection, tokenId } = request.params;
        const bytes = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        return catalog.putImage(request.brand!.id, collection as Address, BigInt(tokenId), request.headers["content-type"], bytes);
      },
    );
  });
}
