/** Brand routes for drops, behind an API key: manage the brand's drops and list its claims. */
import type { FastifyInstance } from "fastify";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { BaseError, ContractFunctionRevertedError, getAddress, type Address } from "viem";
import { stampbookCollectionAbi } from "../../contracts/bindings/index.ts";
import { Problem } from "../errors.ts";
import { parseRule, requirementsOf, RuleError, ruleToJson } from "../perks/rules.ts";
import { RuleSchema } from "../perks/schemas.ts";
import { newId, normalizeTimestamp, toTimestamp, type DropPatch } from "../storage/index.ts";
import { AddressSchema, IdSchema, PageQueryFields, problemResponses, StringEnum, TimestampSchema, UintStringSchema } from "../schemas.ts";
import type { Minter } from "./minter.ts";
import { CLAIM_STATUSES, claimView, ClaimPageSchema, DROP_MODES, dropView, DropSchema } from "./schemas.ts";
import { minterUnavailable } from "./service.ts";

/** A cap as a request sends it: a whole number or null ("no cap"); see admin/routes.ts for why `nullable`. */
const RequestLimit = Type.Unsafe<number | null>({ type: "integer", nullable: true, minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
/** A uint as a decimal string or a (safe) JSON integer, as perk rules take token ids. */
const RequestUint = Type.Union([UintStringSchema, Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })]);
const UINT64_MAX = 2n ** 64n - 1n;
const KIND_MEMBERSHIP = 1;

const DropFields = {
  title: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.String({ maxLength: 4000 }),
  rule: RuleSchema,
  limits: Type.Object({ perMember: Type.Optional(RequestLimit), total: Type.Optional(RequestLimit) }, { additionalProperties: false }),
  startsAt: Type.Union([TimestampSchema, Type.Null()]),
  endsAt: Type.Union([TimestampSchema, Type.Null()]),
};

const CreateDropBody = Type.Object(
  {
    title: DropFields.title,
    description: Type.Optional(DropFields.description),
    collection: AddressSchema,
    tokenId: RequestUint,
    amount: Type.Optional(RequestUint),
    mode: Type.Optional(StringEnum(DROP_MODES)),
    rule: Type.Optional(DropFields.rule),
    limits: Type.Optional(DropFields.limits),
    startsAt: Type.Optional(DropFields.startsAt),
    endsAt: Type.Optional(DropFields.endsAt),
  },
  { additionalProperties: false },
);

// What a drop gives (collection, tokenId, amount) and how (mode) cannot change: claims made already
// carry them. Everything else can.
const UpdateDropBody = Type.Object(
  {
    title: Type.Optional(DropFields.title),
    description: Type.Optional(DropFields.description),
    rule: Type.Optional(DropFields.rule),
    limits: Type.Optional(DropFields.limits),
    startsAt: Type.Optional(DropFields.startsAt),
    endsAt: Type.Optional(DropFields.endsAt),
  },
  { additionalProperties: false, minProperties: 1 },
);

export async function dropAdminRoutes(app: FastifyInstance, opts: { collections: readonly Address[]; minter: Minter | null; now?: () => Date }) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const now = opts.now ?? (() => new Date());
  const allowed = new Set(opts.collections.map((c) => c.toLowerCase()));
  const invalid = (detail: string, path: string) => new Problem(400, "invalid_drop", "The drop is not valid", detail, { path });

  /** A rule's canonical JSON (null stays null: any signed-in member); only served collections. */
  function checkRule(input: unknown): unknown {
    if (input === null) return null;
    let rule;
    try {
      rule = parseRule(input);
    } catch (error) {
      if (error instanceof RuleError) throw new Problem(400, "invalid_rule", "The rule is not valid", error.message, { path: error.path });
      throw error;
    }
    const unknown = requirementsOf(rule).map((r) => r.collection.toLowerCase()).filter((c) => !allowed.has(c));
    if (unknown.length > 0) {
      throw new Problem(400, "invalid_rule", "The rule reads a collection this server does not serve", `unknown collection ${unknown[0]}`, { path: "rule" });
    }
    return ruleToJson(rule);
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

  /** Asks the collection whether the token type exists and can be minted `amount` at a time by our minter. */
  async function checkOnChain(minter: Minter, collection: Address, tokenId: bigint, amount: bigint) {
    let info;
    try {
      info = await app.chain.client.readContract({ address: collection, abi: stampbookCollectionAbi, functionName: "tokenType", args: [tokenId] });
    } catch (error) {
      const reverted = error instanceof BaseError ? (error.walk((e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | null) : null;
      if (reverted?.data?.errorName === "UnknownTokenType") throw invalid(`the collection has no token type ${tokenId}`, "tokenId");
      throw chainUnavailable(error);
    }
    if (info.kind === KIND_MEMBERSHIP && amount !== 1n) throw invalid(`token ${tokenId} is a membership: a claim gives exactly 1`, "amount");
    let canMint: boolean;
    try {
      canMint = await minter.canMint(collection);
    } catch (error) {
      throw chainUnavailable(error);
    }
    if (!canMint) {
      throw new Problem(409, "minter_unauthorized", "The server's minter cannot mint on this collection", `Grant MINTER_ROLE to ${minter.address} on ${collection}.`, {
        minter: minter.address,
      });
    }
  }

  const auth = { preHandler: app.requireBrand };

  api.get(
    "/v1/admin/drops",
    { ...auth, schema: { tags: ["admin"], summary: "The brand's drops", response: { 200: Type.Object({ items: Type.Array(DropSchema) }), ...problemResponses(401) } } },
    async (request) => ({ items: (await app.store.listDrops({ brandId: request.brand!.id })).map(dropView) }),
  );

  api.post(
    "/v1/admin/drops",
    {
      ...auth,
      schema: {
        tags: ["admin"],
        summary: "Create a drop: a token members claim without gas (the server mints, or signs a voucher). Defaults: amount 1, mode mint, any signed-in member, 1 per member.",
        body: CreateDropBody,
        response: { 201: DropSchema, ...problemResponses(400, 401, 409, 413, 415, 503) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const collection = getAddress(body.collection);
      if (!allowed.has(collection.toLowerCase())) throw invalid(`this server does not serve collection ${collection}`, "collection");
      const tokenId = BigInt(body.tokenId);
      const amount = BigInt(body.amount ?? 1);
      if (amount < 1n || amount > UINT64_MAX) throw invalid("amount must be from 1 to 2^64 - 1", "amount");
      const rule = checkRule(body.rule ?? null);
      const startsAt = timestamp(body.startsAt, "startsAt") ?? null;
      const endsAt = timestamp(body.endsAt, "endsAt") ?? null;
      checkWindow(startsAt, endsAt);
      if (opts.minter === null) throw minterUnavailable();
      await checkOnChain(opts.minter, collection, tokenId, amount);

      const drop = await app.store.createDrop({
        id: `drop_${newId().replaceAll("-", "")}`,
        brandId: request.brand!.id,
        title: body.title,
        description: body.description ?? "",
        collection,
        tokenId: tokenId.toString(),
        amount: amount.toString(),
        rule,
        limits: { perMember: body.limits?.perMember === undefined ? 1 : body.limits.perMember, total: body.limits?.total ?? null },
        mode: body.mode ?? "mint",
        startsAt,
        endsAt,
        createdAt: toTimestamp(now()),
      });
      return reply.status(201).send(dropView(drop));
    },
  );

  api.patch(
    "/v1/admin/drops/:id",
    {
      ...auth,
      schema: {
        tags: ["admin"],
        summary: "Change a drop's title, description, rule, limits or window (what it gives and how are fixed)",
        params: Type.Object({ id: IdSchema }),
        body: UpdateDropBody,
        response: { 200: DropSchema, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const body = request.body;
      const patch: DropPatch = { updatedAt: toTimestamp(now()) };
      if (body.title !== undefined) patch.title = body.title;
      if (body.description !== undefined) patch.description = body.description;
      if (body.limits !== undefined) patch.limits = body.limits;
      if (body.rule !== undefined) patch.rule = checkRule(body.rule);
      if (body.startsAt !== undefined) patch.startsAt = timestamp(body.startsAt, "startsAt") ?? null;
      if (body.endsAt !== undefined) patch.endsAt = timestamp(body.endsAt, "endsAt") ?? null;
      const current = await app.store.getDrop(request.params.id);
      if (current === null || current.brandId !== request.brand!.id) throw new Problem(404, "drop_not_found", "No such drop");
      checkWindow(patch.startsAt === undefined ? current.startsAt : patch.startsAt, patch.endsAt === undefined ? current.endsAt : patch.endsAt);
      const drop = await app.store.updateDrop(request.brand!.id, request.params.id, patch);
      if (drop === null) throw new Problem(404, "drop_not_found", "No such drop");
      return dropView(drop);
    },
  );

  api.delete(
    "/v1/admin/drops/:id",
    {
      ...auth,
      schema: { tags: ["admin"], summary: "Delete a drop (its claims stay)", params: Type.Object({ id: IdSchema }), response: { 204: Type.Null(), ...problemResponses(401, 404) } },
    },
    async (request, reply) => {
      if (!(await app.store.deleteDrop(request.brand!.id, request.params.id, toTimestamp(now())))) throw new Problem(404, "drop_not_found", "No such drop");
      return reply.status(204).send(null);
    },
  );

  api.get(
    "/v1/admin/claims",
    {
      ...auth,
      schema: {
        tags: ["admin"],
        summary: "The brand's claims, newest first, with filters and paging",
        querystring: Type.Object(
          {
            drop: Type.Optional(IdSchema),
            member: Type.Optional(AddressSchema),
            status: Type.Optional(StringEnum(CLAIM_STATUSES)),
            ...PageQueryFields,
          },
          { additionalProperties: false },
        ),
        response: { 200: ClaimPageSchema, ...problemResponses(400, 401) },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await app.store.listClaims({
        brandId: request.brand!.id,
        limit: q.limit ?? 20,
        cursor: q.cursor ?? null,
        ...(q.drop === undefined ? {} : { dropId: q.drop }),
        ...(q.member === undefined ? {} : { member: q.member }),
        ...(q.status === undefined ? {} : { status: q.status }),
      });
      return { items: page.items.map(claimView), nextCursor: page.nextCursor };
    },
  );
}

function chainUnavailable(error: unknown): Problem {
  return new Problem(503, "chain_unavailable", "The chain cannot be read right now", "The collection could not be checked; nothing was created.", {
    cause: error instanceof Error ? error.message.split("\n")[0] : undefined,
  });
}
