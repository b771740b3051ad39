/**
 * The store contract on PostgreSQL: every behaviour SQLite shows, on the run's throwaway database
 * (test/support/services.ts), each store in a schema of its own. Skipped with a loud line where
 * PostgreSQL cannot be reached, never under CI=true.
 */
import { describe, expect, it } from "vitest";
import { freshSchema, POSTGRES_SKIPS, postgresForTests } from "../../../test/support/services.ts";
import { describeStoreContract } from "../contract/index.ts";
import { storeOver } from "../contract/fixtures.ts";
import { PostgresDatabase } from "./database.ts";
import { postgresMigrations } from "./migrations.ts";

const url = postgresForTests("the PostgreSQL store contract");

describe.skipIf(url === null)(`PostgresStore (${POSTGRES_SKIPS})`, () => {
  describeStoreContract("PostgresStore", async () => storeOver(await PostgresDatabase.connect(url!, { schema: freshSchema(), poolSize: 12 })));

  describe("PostgreSQL migrations", () => {
    it("several instances starting at once on one database: one applies, the others wait and find it done", async () => {
      const schema = freshSchema();
      const dbs = await Promise.all(Array.from({ length: 6 }, () => PostgresDatabase.connect(url!, { schema, poolSize: 2 })));
      try {
        const rows = await dbs[0]!.all<{ version: number }>("SELECT version FROM schema_migrations ORDER BY version");
        expect(rows.map((r) => r.version)).toEqual(postgresMigrations.map((m) => m.version));
      } finally {
        await Promise.all(dbs.map((db) => db.close()));
      }
    });

    it("refuses a database whose migrations this code does not know", async () => {
      const schema = freshSchema();
      const db = await PostgresDatabase.connect(url!, { schema });
      await db.run("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", postgresMigrations.length + 1, "from-the-future", new Date().toISOString());
      await db.close();
      await expect(PostgresDatabase.connect(url!, { schema })).rejects.toThrow(/does not know/);
    });
  });
});
