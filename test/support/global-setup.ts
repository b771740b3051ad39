/**
 * Runs once per `vitest run`: makes a throwaway PostgreSQL database for the run (dropped at the end)
 * and checks that Redis answers, and hands both to the tests (test/support/services.ts). Under
 * CI=true a service that cannot be reached fails the run: those tests must run there, never skip.
 */
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { DEFAULT_TEST_POSTGRES_URL, DEFAULT_TEST_REDIS_URL } from "./services.ts";

async function postgres(): Promise<{ url: string; drop: () => Promise<void> } | null> {
  const admin = process.env.TEST_POSTGRES_URL ?? DEFAULT_TEST_POSTGRES_URL;
  const client = new pg.Client({ connectionString: admin, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
  } catch (error) {
    if (process.env.CI === "true") throw new Error(`CI=true needs PostgreSQL at ${admin} (TEST_POSTGRES_URL): ${(error as Error).message}`);
    return null;
  }
  const name = `stampbook_test_${randomUUID().replaceAll("-", "").slice(0, 16)}`;
  await client.query(`CREATE DATABASE ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
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
