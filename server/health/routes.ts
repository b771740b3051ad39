/**
 * Liveness (`/healthz`: the process answers) and readiness (`/readyz`: store and chain answer; Redis,
 * when REDIS_URL is set, is reported beside them).
 */
import type { FastifyInstance } from "fastify";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { RedisConnections } from "../plugins/redis.ts";

const Check = Type.Object({ ok: Type.Boolean(), detail: Type.Optional(Type.String()) });
const Readiness = Type.Object({
  ok: Type.Boolean(),
  store: Check,
  chain: Check,
  redis: Type.Optional(Type.Object({ ok: Type.Boolean(), detail: Type.Optional(Type.String()) }, { description: "Present when REDIS_URL is set; a Redis outage degrades the instance (per-instance rate limits, caches on their time bounds) but does not make it unready" })),
});

/**
 * @param opts.checks.store answers once the store could do work (a write, as a sign-in would), else fails.
 * @param opts.redis the Redis connections to check, or null (no REDIS_URL: no `redis` in the answer). */
export async function healthRoutes(app: FastifyInstance, opts: { chainId: number; checks: { store(): Promise<void> }; redis: Pick<RedisConnections, "check"> | null }) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get("/healthz", { schema: { tags: ["health"], response: { 200: Type.Object({ ok: Type.Literal(true) }) } } }, async () => ({ ok: true as const }));

  api.get(
    "/readyz",
    { schema: { tags: ["health"], response: { 200: Readiness, 503: Readiness } } },
    async (_request, reply) => {
      const [store, chain, redis] = await Promise.all([
        opts.checks.store().then(
          () => ({ ok: true }),
          (e: unknown) => ({ ok: false, detail: e instanceof Error ? e.message : "store error" }),
        ),
        app.chain.client.getChainId().then(
          (id) => (id === opts.chainId ? { ok: true } : { ok: false, detail: `RPC serves chain ${id}, expected ${opts.chainId}` }),
          () => ({ ok: false, detail: "RPC unreachable" }),
        ),
        opts.redis?.check(),
      ]);
      // Without Redis an instance still serves (rate limits count per instance, caches fall back to
      // their time bounds), and every instance shares one Redis: its outage is reported, not made a
      // reason to take them all out of rotation at once.
      const ok = store.ok && chain.ok;
      return reply.status(ok ? 200 : 503).send({ ok, store, chain, ...(redis ? { redis } : {}) });
    },
  );
}
