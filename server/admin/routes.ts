/** Brand routes, behind an API key: manage perks, list redemptions, verify a code at the till. */
import type { FastifyInstance } from "fastify";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { Address } from "viem";
import { Problem } from "../errors.ts";
import { parseRule, requirementsOf, RuleError, ruleToJson } from "../perks/rules.ts";
import { perkView, PerkSchema, redemptionView, RedemptionPageSchema, RedemptionSchema, RuleSchema } from "../perks/schemas.ts";
import { newId, normalizeRedemptionCode, normalizeTimestamp, toTimestamp, type PerkPatch } from "../storage/index.ts";
import { AddressSchema, IdSchema, PageQueryFields, problemResponses, TimestampSchema } from "../schemas.ts";

/**
 * A cap as a request sends it: a whole number or null ("no cap"). Written as `nullable` rather than a
 * union with null: the app validates with `coerceTypes`, and in an `anyOf` the integer branch would
 * coerce null to 0 first, turning "no cap" into "never redeemable".
 */
const RequestLimit = Type.Unsafe<number | null>({ type: "integer", nullable: true, minimum: 0, maximum: Number.MAX_SAFE_INTEGER });

const PerkFields = {
  title: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.String({ maxLength: 4000 }),
  rule: RuleSchema,
  // Spelled out: Type.Partial(LimitsSchema) drops additionalProperties, so a typo ("perMemeber")
  // would pass and silently leave the perk uncapped.
  limits: Type.Object({ perMember: Type.Optional(RequestLimit), total: Type.Optional(RequestLimit) }, { additionalProperties: false }),
  startsAt: Type.Union([TimestampSchema, Type.Null()]),
  endsAt: Type.Union([TimestampSchema, Type.Null()]),
};

const CreatePerkBody = Type.Object(
  {
    title: PerkFields.title,
    description: Type.Optional(PerkFields.description),
    rule: PerkFields.rule,
    limits: Type.Optional(PerkFields.limits),
    startsAt: Type.Optional(PerkFields.startsAt),
    endsAt: Type.Optional(PerkFields.endsAt),
  },
  { additionalProperties: false },
);

const UpdatePerkBody = Type.Object(
  {
    title: Type.Optional(PerkFields.title),
    description: Type.Optional(PerkFields.description),
    rule: Type.Optional(PerkFields.rule),
    limits: Type.Optional(PerkFields.limits),
    startsAt: Type.Optional(PerkFields.startsAt),
    endsAt: Type.Optional(PerkFields.endsAt),
  },
  { additionalProperties: false, minProperties: 1 },
);

export async function adminRoutes(app: FastifyInstance, opts: { collections: readonly Address[]; onCatalogChange?: () => void; now?: () => Date }) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const now = opts.now ?? (() => new Date());
  const allowed = new Set(opts.collections.map((c) => c.toLowerCase()));

  /** Validates a rule and returns its canonical JSON and the collections it reads. */
  function checkRule(input: unknown): { rule: unknown; collections: string[] } {
    let rule;
    try {
      rule = parseRule(input);
    } catch (error) {
      if (error instanceof RuleError) throw new Problem(400, "invalid_rule", "The rule is not valid", error.message, { path: error.path });
      throw error;
    }
    const collections = [...new Set(requirementsOf(rule).map((r) => r.collection.toLowerCase()))];
    const unknown = collections.filter((c) => !allowed.has(c));
    if (unknown.length > 0) {
      throw new Problem(400, "invalid_rule", "The rule reads a collection this server does not serve", `unknown collection ${unknown[0]}`, { path: "rule" });
    }
    return { rule: ruleToJson(rule), collections };
  }

  function timestamp(value: string | null | undefined, field: string): string | null | undefined {
    if (value === null || value === undefined) return value;
    const normalized = normalizeTimestamp(value);
    if (normalized === null) throw new Problem(400, "validation_failed", "The request is not valid", `${field} must be an RFC 3339 date-time`);
    return normalized;
  }

  function checkWindow(startsAt: string | null | undefined, endsAt: string | null | undefined) {
    if (startsAt && endsAt && endsAt <= startsAt) throw new Problem(400, "validation_failed", "The request is not valid", "endsAt must be after startsAt");
  }

  const auth = { preHandler: app.requireBrand };

  api.get(
    "/v1/admin/perks",
    { ...auth, schema: { tags: ["admin"], summary: "The brand's perks", response: { 200: Type.Object({ items: Type.Array(PerkSchema) }), ...problemResponses(401) } } },
    async (request) => ({ items: (await app.store.listPerks({ brandId: request.brand!.id })).map(perkView) }),
  );

  api.post(
    "/v1/admin/perks",
    { ...auth, schema: { tags: ["admin"], summary: "Create a perk", body: CreatePerkBody, response: { 201: PerkSchema, ...problemResponses(400, 401, 413, 415) } } },
    async (request, reply) => {
      const body = request.body;
      const { rule, collections } = checkRule(body.rule);
      const startsAt = timestamp(body.startsAt, "startsAt") ?? null;
      const endsAt = timestamp(body.endsAt, "endsAt") ?? null;
      checkWindow(startsAt, endsAt);
      const at = toTimestamp(now());
      const perk = await app.store.createPerk({
        id: `perk_${newId().replaceAll("-", "")}`,
        brandId: request.brand!.id,
        title: body.title,
        description: body.description ?? "",
        collections,
        rule,
        limits: { perMember: body.limits?.perMember ?? null, total: body.limits?.total ?? null },
        startsAt,
        endsAt,
        createdAt: at,
      });
      opts.onCatalogChange?.();
      return reply.status(201).send(perkView(perk));
    },
  );

  api.patch(
    "/v1/admin/perks/:id",
    {
      ...auth,
      schema: { tags: ["admin"], summary: "Change a perk", params: Type.Object({ id: IdSchema }), body: UpdatePerkBody, response: { 200: PerkSchema, ...problemResponses(400, 401, 404) } },
    },
    async (request) => {
      const body = request.body;
      const patch: PerkPatch = { updatedAt: toTimestamp(now()) };
      if (body.title !== undefined) patch.title = body.title;
      if (body.description !== undefined) patch.description = body.description;
      if (body.limits !== undefined) patch.limits = body.limits;
      if (body.rule !== undefined) Object.assign(patch, checkRule(body.rule));
      if (body.startsAt !== undefined) patch.startsAt = timestamp(body.startsAt, "startsAt") ?? null;
      if (body.endsAt !== undefined) patch.endsAt = timestamp(body.endsAt, "endsAt") ?? null;
      const current = await app.store.getPerk(request.params.id);
      if (current === null || current.brandId !== request.brand!.id) throw new Problem(404, "perk_not_found", "No such perk");
      checkWindow(patch.startsAt === undefined ? current.startsAt : patch.startsAt, patch.endsAt === undefined ? current.endsAt : patch.endsAt);
      const perk = await app.store.updatePerk(request.brand!.id, request.params.id, patch);
      if (perk === null) throw new Problem(404, "perk_not_found", "No such perk");
      opts.onCatalogChange?.();
      return perkView(perk);
    },
  );

  api.delete(
    "/v1/admin/perks/:id",
    { ...auth, schema: { tags: ["admin"], summary: "Delete a perk (its redemptions stay)", params: Type.Object({ id: IdSchema }), response: { 204: Type.Null(), ...problemResponses(401, 404) } } },
    async (request, reply) => {
      if (!(await app.store.deletePerk(request.brand!.id, request.params.id, toTimestamp(now())))) throw new Problem(404, "perk_not_found", "No such perk");
      opts.onCatalogChange?.();
      return reply.status(204).send(null);
    },
  );

  api.get(
    "/v1/admin/redemptions",
    {
      ...auth,
      schema: {
        tags: ["admin"],
        summary: "The brand's redemptions, newest first, with filters and paging",
        querystring: Type.Object(
          {
            perk: Type.Optional(IdSchema),
            member: Type.Optional(AddressSchema),
            consumed: Type.Optional(Type.Boolean()),
            ...PageQueryFields,
          },
          { additionalProperties: false },
        ),
        response: { 200: RedemptionPageSchema, ...problemResponses(400, 401) },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await app.store.listRedemptions({
        brandId: request.brand!.id,
        limit: q.limit ?? 20,
        cursor: q.cursor ?? null,
        ...(q.perk === undefined ? {} : { perkId: q.perk }),
        ...(q.member === undefined ? {} : { member: q.member }),
        ...(q.consumed === undefined ? {} : { consumed: q.consumed }),
      });
      return { items: page.items.map(redemptionView), nextCursor: page.nextCursor };
    },
  );

  api.post(
    "/v1/admin/redemptions/verify",
    {
      ...auth,
      schema: {
        tags: ["admin"],
        summary: "A till checks a redemption code and consumes it, once",
        body: Type.Object({ code: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }),
        response: { 200: RedemptionSchema, ...problemResponses(400, 401, 404, 409) },
      },
    },
    async (request) => {
      const code = normalizeRedemptionCode(request.body.code);
      if (code === null) throw new Problem(404, "redemption_not_found", "No such redemption code");
      const result = await app.store.consumeRedemptionCode({ brandId: request.brand!.id, code, now: toTimestamp(now()) });
      if (result.status === "not_found") throw new Problem(404, "redemption_not_found", "No such redemption code");
      if (result.status === "already_consumed") {
        throw new Problem(409, "redemption_already_consumed", "This code was already used", `used at ${result.redemption.consumedAt}`, {
          redemption: redemptionView(result.redemption),
        });
      }
      return redemptionView(result.redemption);
    },
  );
}
