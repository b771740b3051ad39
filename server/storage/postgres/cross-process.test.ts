import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshSchema, POSTGRES_SKIPS, postgresForTests } from "../../../test/support/services.ts";
import { CREATED_AT, describeCrossProcessTakes, offer, prepare, type CrossProcessEngine, type WorkerDatabase } from "../cross-process.test-helper.ts";
import { StoreBusyError } from "../errors.ts";
import { postgresMigrations } from "./migrations.ts";
import { PostgresStore } from "./postgres-store.ts";
import { dropKind } from "../../drops/kind.ts";

// Several OS processes on one PostgreSQL schema: the deployment where several API instances share
// one database. Each process has its own pool; only the database's row locks and unique indexes
// stand between them. The take races every engine must survive are in ../cross-process.test-helper.ts;
// PostgreSQL's lock timeout is tested here. Skipped with a loud line where PostgreSQL cannot be
// reached, never under CI=true.

const url = postgresForTests("PostgresStore shared by several processes");

describe.skipIf(url === null)(`PostgresStore shared by several processes (${POSTGRES_SKIPS})`, () => {
  // A connection of the test's own, outside every store: counts what the workers left behind.
  const client = new pg.Client({ connectionString: url! });
  const schemas: string[] = [];

  beforeAll(async () => {
    await client.connect();
  });

  afterAll(async () => {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });

  const postgres: CrossProcessEngine = {
    databaseNoun: "schema",
    freshDatabase: () => {
      const schema = freshSchema();
      schemas.push(schema);
      return { url: url!, schema };
    },
    open: (db) => PostgresStore.connect(db.url, { schema: db.schema!, poolSize: 1 }),
    count: async (db, sql) => Number((await client.query<{ n: string }>(sql.replace("FROM takes", `FROM ${db.schema!}.takes`))).rows[0]!.n),
    appliedMigrations: async (db) => (await client.query<{ version: number }>(`SELECT version FROM ${db.schema!}.schema_migrations ORDER BY version`)).rows.map((r) => Number(r.version)),
    migrationVersions: postgresMigrations.map((m) => m.version),
  };

  describeCrossProcessTakes("PostgresStore", postgres);

  describe("PostgresStore shared by several processes: another connection holding the offer's lock", () => {
    it("a take waits for another connection's lock on the offer, and gives up with StoreBusyError after lockTimeoutMs, recording nothing", async () => {
      const db: WorkerDatabase = await prepare(postgres, offer("drop"));
      const schema = db.schema!;
      const store = await PostgresStore.connect(url!, { schema, poolSize: 2, lockTimeoutMs: 1_000 });
      const input = { offerId: "o", kind: "drop", member: `0x${"a".repeat(40)}`, idempotencyKey: "k", id: "t", code: null, policy: dropKind.takes, now: CREATED_AT } as const;
      const holder = new pg.Client({ connectionString: url! });
      await holder.connect();
      try {
        // Held for less than the lock timeout: the take waits, then goes through.
        await holder.query("BEGIN");
        await holder.query(`SELECT id FROM ${schema}.offers WHERE id = 'o' FOR UPDATE`);
        const t0 = performance.now();
        const waited = store.take(input);
        setTimeout(() => void holder.query("COMMIT"), 200);
        expect((await waited).status).toBe("created");
        expect(performance.now() - t0).toBeGreaterThan(150);

        // Held past it: refused as busy, and nothing is recorded.
        await holder.query("BEGIN");
        await holder.query(`SELECT id FROM ${schema}.offers WHERE id = 'o' FOR UPDATE`);
        await expect(store.take({ ...input, idempotencyKey: "k2", id: "t2" })).rejects.toBeInstanceOf(StoreBusyError);
        await holder.query("COMMIT");
        expect(await store.findTake("drop", input.member, "k2")).toBeNull();
        expect((await store.take({ ...input, idempotencyKey: "k2", id: "t2" })).status).toBe("created");
        expect(await postgres.count(db, "SELECT count(*) AS n FROM takes")).toBe(2);
      } finally {
        await holder.query("ROLLBACK").catch(() => undefined);
        await holder.end();
        await store.close();
      }
    });
  });
});
