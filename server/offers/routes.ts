/**
 * The routes every kind of offer has, built from one spec per kind: members list, read and take
 * offers and list their takes; brands create, change, delete and list offers and list the takes.
 * A kind adds only what is its own (a till verifying codes, a claim settled from the chain).
 */
import { Readable } from "node:stream";
import type { FastifyInstance } from "fastify";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type, type Static, type TObject, type TProperties, type TSchema } from "typebox";
import { Problem } from "../errors.ts";
import { AddressSchema, IdSchema, PageQueryFields, problemResponses } from "../../sdk/src/protocol/common.ts";
import { MAX_PAGE_SIZE } from "../storage/index.ts";
import { csvColumns, csvRows } from "./csv.ts";
import type { MemberOffer } from "./listing.ts";
import { createOfferBody, UpdateOfferBody } from "../../sdk/src/protocol/offers.ts";
import type { OfferChanges, OfferKindService } from "./service.ts";
import type { Offer, Take, TakeQuery } from "./types.ts";
import type { OfferVariant } from "./variant.ts";

/** The path words of a kind: `/v1/{offers}`, `/v1/{offers}/:id/{take}`, `/v1/{takes}`; `{offer}` filters by offer. */
function pathsOf({ spec: { words } }: OfferVariant) {
  return { offers: `${words.noun}s`, offer: words.noun, take: words.verb, takes: `${words.takeNoun}s` };
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export type OfferRouteSpec<CreateFields extends TProperties = TProperties, AdminTakeFields extends TProperties = TProperties> = {
  offers: OfferKindService;
  /** Its words name the paths (`/v1/{noun}s`, `/v1/{noun}s/:id/{verb}`, `/v1/{takeNoun}s`) and the member routes' tag. */
  variant: OfferVariant;
  summaries: { create: string; take: string };
  schemas: { offer: TSchema; memberOffer: TSchema; memberOfferDetail: TSchema; take: TSchema; takePage: TSchema };
  views: {
    offer(offer: Offer): unknown;
    memberOffer(item: MemberOffer): unknown;
    memberOfferDetail(item: MemberOffer): unknown;
    take(take: Take): unknown;
  };
  /** The kind's own fields of a create request, and how they become the variant's reward input. */
  createFields: CreateFields;
  rewardInput(body: Static<TObject<CreateFields>>): unknown;
  /** The kind's own filters of the brand's take list, and how they become a query. */
  adminTakeFilters: AdminTakeFields;
  adminTakeQuery(query: Static<TObject<AdminTakeFields>>): Partial<TakeQuery>;
  /** The status code of a take's answer (a retry with the same key is 200). */
  takeStatus(take: Take, replayed: boolean): 200 | 201 | 202;
};

/** Every route of a kind of offer: the members' and the brand's. */
export async function offerRoutes(app: FastifyInstance, spec: OfferRouteSpec) {
  await memberOfferRoutes(app, spec);
  await adminOfferRoutes(app, spec);
}

/** Member routes: `GET /v1/{offers}`, `GET /v1/{offers}/:id`, `POST /v1/{offers}/:id/{take}`, `GET /v1/{takes}`. */
async function memberOfferRoutes(app: FastifyInstance, spec: OfferRouteSpec) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { offers, schemas, views } = spec;
  const paths = pathsOf(spec.variant);
  const tag = paths.offers;
  // A listing is the same array while nothing in it changed; its JSON is rendered once.
  const rendered = new WeakMap<readonly MemberOffer[], string>();

  api.get(
    `/v1/${paths.offers}`,
    {
      preHandler: app.requireMember,
      schema: {
        tags: [tag],
        summary: `${tag[0]!.toUpperCase()}${tag.slice(1)}, with whether the signed-in member may take them and why not; 404 brand_not_found for a brand that does not exist`,
        querystring: Type.Object({ brand: Type.Optional(IdSchema) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(schemas.memberOffer) }), ...problemResponses(400, 401, 404, 503) },
      },
    },
    async (request, reply) => {
      const brandId = request.query.brand;
      const items = await offers.list(request.member!.address, brandId === undefined ? {} : { brandId });
      let body = rendered.get(items);
      if (body === undefined) {
        // The route's own response serializer, so the body is exactly what the schema promises.
        body = reply.serialize({ items: items.map(views.memberOffer) }) as string;
        rendered.set(items, body);
      }
      // Already JSON: Fastify sends a string as it is.
      return reply.type("application/json; charset=utf-8").send(body as never);
    },
  );

  api.get(
    `/v1/${paths.offers}/:id`,
    {
      preHandler: app.requireMember,
      schema: {
        tags: [tag],
        summary: `One ${paths.offer}, with the member's eligibility`,
        params: Type.Object({ id: IdSchema }),
        response: { 200: schemas.memberOfferDetail, ...problemResponses(400, 401, 404, 503) },
      },
    },
    async (request) => views.memberOfferDetail(await offers.get(request.member!.address, request.params.id)),
  );

  api.post(
    `/v1/${paths.offers}/:id/${paths.take}`,
    {
      preHandler: app.requireMember,
      schema: {
        tags: [tag],
        summary: spec.summaries.take,
        params: Type.Object({ id: IdSchema }),
        headers: Type.Object({ "idempotency-key": Type.Optional(Type.String()) }),
        response: { 200: schemas.take, 201: schemas.take, 202: schemas.take, ...problemResponses(400, 401, 403, 404, 409, 422, 502, 503) },
      },
    },
    async (request, reply) => {
      const key = request.headers["idempotency-key"];
      if (key === undefined || !IDEMPOTENCY_KEY.test(key)) {
        throw new Problem(400, "idempotency_key_required", "Send an Idempotency-Key header", "1 to 255 visible ASCII characters, new for each new one.");
      }
      const { take, replayed } = await offers.take(request.member!.address, request.params.id, key);
      return reply.status(spec.takeStatus(take, replayed)).send(views.take(take));
    },
  );

  api.get(
    `/v1/${paths.takes}`,
    {
      preHandler: app.requireMember,
      schema: {
        tags: [tag],
        summary: `The signed-in member's ${paths.takes}, newest first`,
        querystring: Type.Object({ [paths.offer]: Type.Optional(IdSchema), ...PageQueryFields }, { additionalProperties: false }),
        response: { 200: schemas.takePage, ...problemResponses(400, 401) },
      },
    },
    async (request) => {
      const q = request.query as { limit?: number; cursor?: string } & Record<string, string | undefined>;
      const offerId = q[paths.offer];
      const page = await offers.takesOfMember(request.member!.address, { limit: q.limit ?? 20, cursor: q.cursor ?? null, ...(offerId === undefined ? {} : { offerId }) });
      return { items: page.items.map(views.take), nextCursor: page.nextCursor };
    },
  );
}

/**
 * Brand routes, behind an API key or a manager's staff session: `/v1/admin/{offers}` (list, create),
 * `/v1/admin/{offers}/:id` (change, delete), `/v1/admin/{takes}` and its CSV export `/v1/admin/{takes}.csv`.
 */
async function adminOfferRoutes(app: FastifyInstance, spec: OfferRouteSpec) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { offers, schemas, views } = spec;
  const paths = pathsOf(spec.variant);
  const auth = { preHandler: app.requireBrand };
  const CreateBody = createOfferBody(spec.createFields, { ruleRequired: spec.variant.spec.ruleRequired });

  api.get(
    `/v1/admin/${paths.offers}`,
    { ...auth, schema: { tags: ["admin"], summary: `The brand's ${paths.offers}`, response: { 200: Type.Object({ items: Type.Array(schemas.offer) }), ...problemResponses(401) } } },
    async (request) => ({ items: (await offers.ofBrand(request.brand!.id)).map(views.offer) }),
  );

  api.post(
    `/v1/admin/${paths.offers}`,
    { ...auth, schema: { tags: ["admin"], summary: spec.summaries.create, body: CreateBody, response: { 201: schemas.offer, ...problemResponses(400, 401, 403, 409, 413, 415, 503) } } },
    async (request, reply) => {
      const body = request.body as Static<typeof CreateBody>;
      const { title, description, rule, limits, startsAt, endsAt } = body as { title: string; description?: string; rule?: unknown; limits?: object; startsAt?: string | null; endsAt?: string | null };
      const offer = await offers.create(request.brand!.id, {
        title,
        ...(description === undefined ? {} : { description }),
        ...(rule === undefined ? {} : { rule }),
        ...(limits === undefined ? {} : { limits }),
        ...(startsAt === undefined ? {} : { startsAt }),
        ...(endsAt === undefined ? {} : { endsAt }),
        reward: spec.rewardInput(body),
      });
      return reply.status(201).send(views.offer(offer));
    },
  );

  api.patch(
    `/v1/admin/${paths.offers}/:id`,
    {
      ...auth,
      schema: {
        tags: ["admin"],
        summary: `Change a ${paths.offer}'s title, description, rule, limits or window (what it gives is fixed)`,
        params: Type.Object({ id: IdSchema }),
        body: UpdateOfferBody,
        response: { 200: schemas.offer, ...problemResponses(400, 401, 404, 409) },
      },
    },
    async (request) => views.offer(await offers.update(request.brand!.id, request.params.id, request.body as OfferChanges)),
  );

  api.delete(
    `/v1/admin/${paths.offers}/:id`,
    {
      ...auth,
      schema: { tags: ["admin"], summary: `Delete a ${paths.offer} (its ${paths.takes} stay)`, params: Type.Object({ id: IdSchema }), response: { 204: Type.Null(), ...problemResponses(401, 404) } },
    },
    async (request, reply) => {
      await offers.remove(request.brand!.id, request.params.id);
      return reply.status(204).send(null);
    },
  );

  // The list's filters, shared by its JSON pages and its CSV export.
  const takeFilters = { [paths.offer]: Type.Optional(IdSchema), member: Type.Optional(AddressSchema), ...spec.adminTakeFilters };
  const filtersOf = (q: { member?: `0x${string}` } & Record<string, unknown>): Omit<TakeQuery, "kind" | "brandId" | "limit" | "cursor"> => {
    const offerId = q[paths.offer] as string | undefined;
    return { ...(offerId === undefined ? {} : { offerId }), ...(q.member === undefined ? {} : { member: q.member }), ...spec.adminTakeQuery(q as never) };
  };

  api.get(
    `/v1/admin/${paths.takes}`,
    {
      ...auth,
      schema: {
        tags: ["admin"],
        summary: `The brand's ${paths.takes}, newest first, with filters and paging`,
        querystring: Type.Object({ ...takeFilters, ...PageQueryFields }, { additionalProperties: false }),
        response: { 200: schemas.takePage, ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const q = request.query as { limit?: number; cursor?: string; member?: `0x${string}` } & Record<string, unknown>;
      const page = await offers.takesOfBrand(request.brand!.id, { limit: q.limit ?? 20, cursor: q.cursor ?? null, ...filtersOf(q) });
      return { items: page.items.map(views.take), nextCursor: page.nextCursor };
    },
  );

  // Its offer's title beside its id (perkTitle, dropTitle), as the CLI's export has it: a spreadsheet reads names.
  const idColumn = `${paths.offer}Id`;
  const titleColumn = `${paths.offer}Title`;
  const columns = csvColumns(schemas.take).flatMap((c) => (c.header === idColumn ? [c, { header: titleColumn, cell: (row: Record<string, unknown>) => row[titleColumn] }] : [c]));
  api.get(
    `/v1/admin/${paths.takes}.csv`,
    {
      ...auth,
      schema: {
        tags: ["admin"],
        summary: `Every one of the brand's ${paths.takes} matching the filters, newest first, as CSV (RFC 4180): a column per field of the JSON list's items, and ${paths.offer}Title after ${paths.offer}Id`,
        querystring: Type.Object(takeFilters, { additionalProperties: false }),
        produces: ["text/csv"],
        response: { 200: Type.String({ description: "text/csv; charset=utf-8" }), ...problemResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const brandId = request.brand!.id;
      const filters = filtersOf(request.query as Record<string, unknown>);
      const pageOf = (cursor: string | null) => offers.takesOfBrand(brandId, { ...filters, limit: MAX_PAGE_SIZE, cursor });
      // The first page is read before answering: a failure then is still a problem, not a cut-off file.
      const [first, listed] = await Promise.all([pageOf(null), offers.ofBrand(brandId)]);
      // A deleted offer's takes stay: their title cell is empty.
      const titles = new Map(listed.map((o) => [o.id, o.title]));
      async function* pages() {
        let page = first;
        for (;;) {
          yield page.items.map((take) => ({ ...(views.take(take) as Record<string, unknown>), [titleColumn]: titles.get(take.offerId) ?? null }));
          if (page.nextCursor === null) return;
          page = await pageOf(page.nextCursor);
        }
      }
      reply.header("cache-control", "no-store");
      reply.header("content-disposition", `attachment; filename="${paths.takes}.csv"`);
      return reply.type("text/csv; charset=utf-8").send(Readable.from(csvRows(columns, pages())) as never);
    },
  );
}
