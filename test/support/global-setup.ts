/**
 * Runs once per `vitest run`: makes a throwaway PostgreSQL database for the run (dropped at the end)
 * and checks that Redis answers, and hands both to the tests (test/support/services.ts). Under
 * CI=true a service that cannot be reached fails the run: those tests must run there, never skip.
 */
import { Redis } from "ioredis";
import type { TestProject } from "vitest/node";
import { createThrowawayDatabase, PostgresUnreachableError, type ThrowawayDatabase } from "../../scripts/throwaway-database.ts";
import { DEFAULT_TEST_POSTGRES_URL, DEFAULT_TEST_REDIS_URL } from "./services.ts";

async function postgres(): Promise<ThrowawayDatabase | null> {
  try {
    return await createThrowawayDatabase(process.env.TEST_POSTGRES_URL ?? DEFAULT_TEST_POSTGRES_URL, { variable: "TEST_POSTGRES_URL", prefix: "stampbook_test" });
  } catch (error) {
    // Unreachable outside CI: those tests skip, loudly. Anything else (no right to create a database) fails the run.
    if (error instanceof PostgresUnreachableError && process.env.CI !== "true") return null;
    throw error;
  }
}

async function redis(): Promise<string | null> {
  const url = process.env.TEST_REDIS_URL ?? DEFAULT_TEST_REDIS_URL;
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 3_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await client.connect();
    await client.ping();
    return url;
  } catch (error) {
    if (process.env.CI === "true") throw new Error(`CI=true needs Redis at ${url} (TEST_REDIS_URL): ${(error as Error).message}`);
    return null;
  } finally {
    client.disconnect();
  }
}

export default async function setup(project: TestProject) {
  const [database, redisUrl] = await Promise.all([postgres(), redis()]);
  project.provide("postgresUrl", database?.url ?? null);
  project.provide("redisUrl", redisUrl);
  return async () => {
    await database?.drop();
  };
}
