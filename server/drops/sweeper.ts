/**
 * Claims nobody reads still settle: pending mints by their transaction, lapsed vouchers by the chain,
 * so their places free up. One sweep at a time per process; several instances sweeping one store is
 * harmless (every transition is conditional on the claim's current status). A sweep that cannot
 * reach the chain leaves the rest for the next.
 */
import type { FastifyInstance } from "fastify";
import type { DropVariant } from "./variant.ts";

export function startClaimSweeper(app: FastifyInstance, drops: DropVariant, intervalMs: number): void {
  let sweeping = false;
  const timer = setInterval(() => {
    if (sweeping) return;
    sweeping = true;
    drops
      .sweep()
      .catch((error: unknown) => app.log.warn({ err: error }, "claim sweep stopped early"))
      .finally(() => (sweeping = false));
  }, intervalMs).unref();
  app.addHook("onClose", async () => clearInterval(timer));
}
