/**
 * Starts the API from environment variables and stops it gracefully on SIGTERM/SIGINT: it stops
 * taking requests (those arriving on open connections get 503 `shutting_down`, to retry elsewhere),
 * finishes the ones in flight (for at most SHUTDOWN_TIMEOUT_MS), lets its leases go and exits 0.
 *
 * A database that cannot be reached at start is waited for, not a crash loop. An unhandled rejection
 * or an uncaught exception is a bug: it is logged as one (the fault tests fail on such a line); after
 * an uncaught exception the process state is unknown, so it exits.
 */
import type { FastifyInstance } from "fastify";
import { build } from "./app.ts";
import { ConfigError, loadConfig } from "./config.ts";
import { StoreUnavailableError } from "./storage/index.ts";

let config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}

let app: FastifyInstance | undefined;

process.on("unhandledRejection", (reason) => {
  if (app) app.log.error({ err: reason }, "unhandled rejection");
  else console.error("unhandled rejection", reason);
});
process.on("uncaughtException", (error) => {
  if (app) app.log.fatal({ err: error }, "uncaught exception");
  else console.error("uncaught exception", error);
  process.exit(1);
});

/** The app, once its store answers: an instance started during a database outage waits for it. */
async function start(): Promise<FastifyInstance> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await build({ config: config! });
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      const waitMs = Math.min(attempt * 1_000, 5_000);
      console.error(`The database cannot be reached (${(error.cause as Error | undefined)?.message ?? error.message}); trying again in ${waitMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
}

app = await start();
await app.listen({ host: config.host, port: config.port });

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    const running = app!;
    if (stopping) return;
    stopping = true;
    running.log.info({ signal }, "shutting down: finishing the requests in flight");
    // Bounded: connections still busy after the timeout are closed (their clients retry elsewhere
    // with the same Idempotency-Key), and a close that hangs even then ends the process.
    const force = setTimeout(() => {
      running.log.warn({ timeoutMs: config.shutdownTimeoutMs }, "closing connections still open after the shutdown timeout");
      running.server.closeAllConnections();
      setTimeout(() => process.exit(1), 5_000).unref();
    }, config.shutdownTimeoutMs).unref();
    running.close().then(
      () => {
        clearTimeout(force);
        process.exit(0);
      },
      (error: unknown) => {
        running.log.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  });
}
