/**
 * A throwaway PostgreSQL database for one bench run: created on the server BENCH_POSTGRES_URL names
 * (default postgres://postgres@127.0.0.1:5432/test), dropped at the end, with its connections.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";

export const DEFAULT_BENCH_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test";

export type ThrowawayDatabase = {
  /** The new database's URL (same server, user and options; its own name). */
  url: string;
  name: string;
  /** Drops the database, ending whatever is still connected to it. Safe to call twice. */
  drop(): Promise<void>;
};

/** The URL without its password, for messages. */
function shown(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return url;
  }
}

export async function createThrowawayDatabase(serverUrl: string = process.env.BENCH_POSTGRES_URL || DEFAULT_BENCH_POSTGRES_URL): Promise<ThrowawayDatabase> {
  let parsed: URL;
  try {
    parsed = new URL(serverUrl);
    if (!/^postgres(ql)?:$/.test(parsed.protocol)) throw new Error("not a postgres:// URL");
  } catch (error) {
    throw new Error(`BENCH_POSTGRES_URL=${shown(serverUrl)} is not a postgres://user@host:port/database URL (${(error as Error).message})`);
  }
  const connect = async () => {
    const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5_000 });
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      throw new Error(
        `the API benchmark's PostgreSQL run could not reach PostgreSQL at BENCH_POSTGRES_URL=${shown(serverUrl)}: ${(error as Error).message}. ` +
          "Start PostgreSQL there, or set BENCH_POSTGRES_URL to a server where this user may CREATE DATABASE.",
      );
    }
    return client;
  };

  const name = `stampbook_bench_${randomBytes(6).toString("hex")}`;
  const admin = await connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } catch (error) {
    throw new Error(`BENCH_POSTGRES_URL=${shown(serverUrl)}: CREATE DATABASE ${name} failed: ${(error as Error).message}`);
  } finally {
    await admin.end().catch(() => undefined);
  }
  parsed.pathname = `/${name}`;

  let dropped: Promise<void> | undefined;
  return {
    url: parsed.toString(),
    name,
    drop() {
      dropped ??= (async () => {
        const client = await connect();
        try {
          await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        } finally {
          await client.end().catch(() => undefined);
        }
      })();
      return dropped;
    },
  };
}
