/**
 * The brand's staff list, for owners only: `GET /v1/admin/staff`, `PUT /v1/admin/staff/:address`
 * `{ role }`, `DELETE /v1/admin/staff/:address`. Owners themselves are whoever administers one of the
 * brand's collections on chain: they are never listed.
 */
import type { FastifyInstance } from "fastify";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { Address } from "viem";
import { AddressSchema, problemResponses } from "../../sdk/src/protocol/common.ts";
import type { StaffList } from "./list.ts";
import { StaffMemberSchema, StaffPutBody } from "../../sdk/src/protocol/staff.ts";
import { staffMemberView } from "./views.ts";

export async function staffAdminRoutes(app: FastifyInstance, opts: { staff: StaffList }) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const owner = { preHandler: app.requireBrand, config: { staffRole: "owner" as const } };
  const params = Type.Object({ address: AddressSchema });

  api.get(
    "/v1/admin/staff",
    { ...owner, schema: { tags: ["admin"], summary: "The brand's staff list (owners only)", response: { 200: Type.Object({ items: Type.Array(StaffMemberSchema) }), ...problemResponses(401, 403, 503) } } },
    async (request) => ({ items: (await opts.staff.list(request.brand!.id)).map(staffMemberView) }),
  );

  api.put(
    "/v1/admin/staff/:address",
    {
      ...owner,
      schema: {
        tags: ["admin"],
        summary: "Give an address the manager or till role (owners only); 201 when it was not on the list",
        params,
        body: StaffPutBody,
        response: { 200: StaffMemberSchema, 201: StaffMemberSchema, ...problemResponses(400, 401, 403, 503) },
      },
    },
    async (request, reply) => {
      const { member, created } = await opts.staff.put(request.brand!.id, request.params.address as Address, request.body.role, request.staff!.address);
      return reply.status(created ? 201 : 200).send(staffMemberView(member));
    },
  );

  api.delete(
    "/v1/admin/staff/:address",
    { ...owner, schema: { tags: ["admin"], summary: "Take an address off the staff list (owners only)", params, response: { 204: Type.Null(), ...problemResponses(400, 401, 403, 404, 503) } } },
    async (request, reply) => {
      await opts.staff.remove(request.brand!.id, request.params.address as Address);
      return reply.status(204).send(null);
    },
  );
}
