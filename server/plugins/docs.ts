/**
 * The OpenAPI document and its page (`/docs`). An operation names the credentials its guards check,
 * so "Try it out" sends them: registered before any route, and read as routes register (after the
 * guards are decorated). A new guard gets its scheme here.
 */
import fp from "fastify-plugin";
import type { FastifyInstance } from "fastify";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import { webhooksOpenApi } from "../../sdk/src/protocol/webhook-events.ts";

export const docsPlugin = fp(
  async (app: FastifyInstance) => {
    // A fresh schema object per route: route plugins may share one between routes with different guards.
    const guardSchemes = () => new Map<unknown, string>([[app.requireMember, "session"], [app.requireBrand, "apiKey"], [app.requireStaff, "staff"], [app.requireOperator, "operator"]]);
    app.addHook("onRoute", (route) => {
      if (route.schema?.security !== undefined) return;
      const schemes = guardSchemes();
      const names = [route.preHandler ?? []].flat().flatMap((guard) => schemes.get(guard) ?? []);
      // Every guard of a route must pass: one requirement naming them all.
      if (names.length > 0) route.schema = { ...route.schema, security: [Object.fromEntries(names.map((name) => [name, []]))] };
    });
    await app.register(swagger, {
      openapi: {
        // 3.1: the document lists the messages sent to brands' endpoints under `webhooks`.
        openapi: "3.1.0",
        webhooks: webhooksOpenApi() as Record<string, object>,
        info: { title: "Stampbook API", version: "1", description: "Sign in with Ethereum, see holders-only perks, redeem them once." },
        components: {
          securitySchemes: {
            session: { type: "http", scheme: "bearer", description: "Member session token (sbs_…) or the stampbook_session cookie" },
            apiKey: { type: "http", scheme: "bearer", description: "Brand API key (sbk_…); brand routes also take a staff session (sbt_… or the stampbook_staff cookie) whose role allows them" },
            staff: { type: "http", scheme: "bearer", description: "Staff session token (sbt_…) or the stampbook_staff cookie" },
            operator: { type: "http", scheme: "bearer", description: "The deployment's OPERATOR_TOKEN" },
          },
        },
      },
    });
    await app.register(swaggerUi, { routePrefix: "/docs" });
  },
  { name: "docs", fastify: "5.x" },
);
