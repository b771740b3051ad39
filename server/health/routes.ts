/** Liveness (`/healthz`: the process answers) and readiness (`/readyz`: store and chain answer). */
import type { FastifyInstance } from "fastify";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { toTimestamp } from "../storage/index.ts";

const Check = Type.Object({ ok: Type.Boolean(), detail: Type.Optional(Type.String()) });

export async function healthRoutes(app: FastifyInstance, opts: { chainId: number }) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get("/healthz", { schema: { tags: ["health"], response: { 200: Type.Object({ ok: Type.Literal(true) }) } } }, async () => ({ ok: true as const }));

  api.get(
    "/readyz",
    { schema: { tags: ["health"], response: { 200: Type.Object({ ok: Type.Boolean(), store: Check, chain: Check }), 503: Type.Object({ ok: Type.Boolean(), store: Check, chain: Check }) } } },
    async (_request, reply) => {
      const [store, chain] = await Promise.all([
        app.store.pruneExpired(toTimestamp()).then(
          () => ({ ok: true }),
          (e: unknown) => ({ ok: false, detail: e instanceof Error ? e.message : "store error" }),
        ),
        app.chain.client.getChainId().then(
          (id) => (id === opts.chainId ? { ok: true } : { ok: false, detail: `RPC serves chain ${id}, expected ${opts.chainId}` }),
          () => ({ ok: false, detail: "RPC unreachable" }),
        ),
      ]);
      const ok = store.ok && chain.ok;
      return reply.status(ok ? 200 : 503).send({ ok, store, chain });
    },
  );
}
