/**
 * CORS: browsers may call from the deployment's own pages and each brand's registered storefronts
 * (`app.origins`, decorated by the sessions plugin; asked per request, so an origin a brand adds
 * works at once). An origin that cannot be looked up just now gets no grant. The console changes
 * things with PUT, PATCH and DELETE too.
 */
import cors from "@fastify/cors";
import fp from "fastify-plugin";
import type { FastifyInstance } from "fastify";

export const corsPlugin = fp(
  async (app: FastifyInstance) => {
    const origin = (origin: string | undefined, grant: (error: Error | null, allow: boolean) => void) => {
      if (origin === undefined) return grant(null, false);
      app.origins.isAllowed(origin).then((allowed) => grant(null, allowed), () => grant(null, false));
    };
    await app.register(cors, { origin, credentials: true, methods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"], exposedHeaders: ["x-request-id"] });
  },
  { name: "cors", fastify: "5.x" },
);
