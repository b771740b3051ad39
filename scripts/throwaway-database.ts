/**
 * A throwaway PostgreSQL database: created on a server for one run (a benchmark, a test run) and
 * dropped at its end, with whatever is still connected to it.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";

export type ThrowawayDatabase = {
  /** The new database's URL (same server, user and options; its own name). */
  url: string;
  name: string;
  /** Drops the database, ending whatever is still connected to it. Safe to call twice. */
  drop(): Promise<void>;
};

/** The server could not be reached: distinct from a server that refused to create the database. */
export class PostgresUnreachableError extends Error {
  override name = "PostgresUnreachableError";
}

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

/**
 * @param serverUrl the server to create it on (`postgres://user@host:port/database`)
 * @param options.variable the setting `serverUrl` came from, named in every error
 * @param options.prefix the new database's name before its random part
 */
export async function createThrowawayDatabase(serverUrl: string, options: { variable: string; prefix: string }): Promise<ThrowawayDatabase> {
  const setting = `${options.variable}=${shown(serverUrl)}`;
  let parsed: URL;
  try {
    parsed = new URL(serverUrl);
    if (!/^postgres(ql)?:$/.test(parsed.protocol)) throw new Error("not a postgres:// URL");
  } catch (error) {
    throw new Error(`${setting} is not a postgres://user@host:port/database URL (${(error as Error).message})`);
  }
  const connect = async () => {
    const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5_000 });
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      throw new PostgresUnreachableError(`PostgreSQL at ${setting} cannot be reached: ${(error as Error).message}`);
    }
    return client;
  };

  const name = `${options.prefix}_${randomBytes(6).toString("hex")}`;
  const admin = await connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } catch (error) {
    throw new Error(`${setting}: CREATE DATABASE ${name} failed (this user must be allowed to create databases): ${(error as Error).message}`);
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
