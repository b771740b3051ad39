/**
 * Liveness (`/healthz`: the process answers) and readiness (`/readyz`: store and chain answer; Redis,
 * when REDIS_URL is set, and the chain index, when CHAIN_INDEX is on, are reported beside them).
 */
import type { FastifyInstance } from "fastify";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type, type Static } from "typebox";
import type { RedisConnections } from "../plugins/redis.ts";

const Check = Type.Object({ ok: Type.Boolean(), detail: Type.Optional(Type.String()) });
const IndexCheck = Type.Object(
  {
    ok: Type.Boolean({ description: "The index is within INDEX_MAX_LAG_BLOCKS of the head: gates read it. Otherwise they read the chain, and this says why" }),
    detail: Type.Optional(Type.String()),
    indexedBlock: Type.Optional(Type.String({ description: "The last block the index applied" })),
    headBlock: Type.Optional(Type.String({ description: "The chain's head as this instance reads it now" })),
    lagBlocks: Type.Optional(Type.Integer()),
    confirmedBlock: Type.Optional(Type.String({ description: "Blocks up to this one are CONFIRMATIONS deep: final; the index marks later ones unconfirmed" })),
    confirmations: Type.Integer(),
    writer: Type.Boolean({ description: "This instance is the one following the chain" }),
    catchingUp: Type.Optional(Type.Integer({ description: "Collections still catching up on their history (read from the chain until they are done)" })),
  },
  { description: "Present when CHAIN_INDEX is on. An index that lags or stopped does not make the instance unready: its gates read the chain instead" },
);
const Readiness = Type.Object({
  ok: Type.Boolean(),
  store: Check,
  chain: Check,
  redis: Type.Optional(Type.Object({ ok: Type.Boolean(), detail: Type.Optional(Type.String()) }, { description: "Present when REDIS_URL is set; a Redis outage degrades the instance (per-instance rate limits, caches on their time bounds) but does not make it unready" })),
  index: Type.Optional(IndexCheck),
});

/**
 * The chain index as /readyz reports it, or undefined when it is off. `nodeChainId`: the chain the
 * node says it serves (null: it did not answer).
 */
async function indexCheck(app: FastifyInstance, chainId: number, nodeChainId: Promise<number | null>): Promise<Static<typeof IndexCheck> | undefined> {
  const reader = app.chain.index;
  if (reader === null) return undefined;
  const { confirmations, maxLagBlocks } = app.config.chainIndex;
  const follower = app.chainIndex?.status();
  const base = { confirmations, writer: app.chainIndex?.runner.writing ?? false, ...(follower && follower.catchingUp > 0 ? { catchingUp: follower.catchingUp } : {}) };
  // Read beside the node's chain id, not after it: a node that hangs costs one time-out, not two.
  const reading = reader.lag();
  reading.catch(() => undefined); // answered below, or not needed
  // Another chain's head says nothing of this index: no lag, no confirmed block, and not ready.
  const serving = await nodeChainId;
  if (serving !== null && serving !== chainId) return { ok: false, detail: `the node serves chain ${serving}, not CHAIN_ID ${chainId}: nothing is indexed from it, and the index answers nothing`, ...base };
  try {
    const lag = await reading;
    if (lag === null) return { ok: false, detail: "the index has not started yet", ...base };
    const confirmed = lag.head - BigInt(confirmations);
    const facts = { indexedBlock: lag.indexed.toString(), headBlock: lag.head.toString(), lagBlocks: lag.lagBlocks, confirmedBlock: (confirmed < 0n ? 0n : confirmed).toString() };
    const failure = app.chainIndex?.runner.writing ? app.chainIndex.runner.failure : null;
    if (lag.lagBlocks > maxLagBlocks) return { ok: false, detail: `the index is ${lag.lagBlocks} blocks behind the head (INDEX_MAX_LAG_BLOCKS ${maxLagBlocks}): gates read the chain${failure ? `; ${failure}` : ""}`, ...facts, ...base };
    return { ok: true, ...facts, ...base };
  } catch (error) {
    if ((error as { code?: string }).code === "chain_unavailable") return { ok: false, detail: "the node did not answer: how far the index is behind is unknown", ...base };
    return { ok: false, detail: error instanceof Error ? error.message : "the index could not be read", ...base };
  }
}

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
      const nodeChainId = app.chain.client.getChainId().catch(() => null);
      const [store, chain, redis, index] = await Promise.all([
        opts.checks.store().then(
          () => ({ ok: true }),
          (e: unknown) => ({ ok: false, detail: e instanceof Error ? e.message : "store error" }),
        ),
        nodeChainId.then((id) => (id === null ? { ok: false, detail: "RPC unreachable" } : id === opts.chainId ? { ok: true } : { ok: false, detail: `RPC serves chain ${id}, expected ${opts.chainId}` })),
        opts.redis?.check(),
        indexCheck(app, opts.chainId, nodeChainId),
      ]);
      // Without Redis an instance still serves (rate limits count per instance, caches fall back to
      // their time bounds), and every instance shares one Redis: its outage is reported, not made a
      // reason to take them all out of rotation at once.
      const ok = store.ok && chain.ok;
      return reply.status(ok ? 200 : 503).send({ ok, store, chain, ...(redis ? { redis } : {}), ...(index ? { index } : {}) });
    },
  );
}
