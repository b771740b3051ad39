/**
 * What `npm start` keeps between runs in its state directory: the local chain's journal, the demo's
 * SQLite database, the operator token, the minter key secret and the manifest. They belong together:
 * the database describes that chain. A clean start forgets them (the minter key secret stays, as it
 * seals nothing a clean database holds); a saved chain that cannot be used is set aside, with the data
 * made on it, rather than deleted.
 */
import { randomBytes } from "node:crypto";
import { access, copyFile, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";

/**
 * The state kept in `dir`. `demoDatabase` is the SQLite file of the demo's own database (none when
 * DATABASE_URL names another: that one is the developer's, never deleted here).
 */
export function savedState(options: { dir: string; manifestPath: string; demoDatabase: string | undefined }) {
  const { dir, manifestPath, demoDatabase } = options;
  const journal = join(dir, "chain-journal.ndjson");
  const operatorTokenFile = join(dir, "operator-token");
  const minterKeySecretFile = join(dir, "minter-key-secret");
  const databaseFiles = demoDatabase === undefined ? [] : ["", "-wal", "-shm"].map((suffix) => `${demoDatabase}${suffix}`);
  // What was made on the chain, and goes with it.
  const chainData = [journal, ...databaseFiles, manifestPath];

  return {
    dir,
    journal,
    /** Whether the demo's database is there: without its chain's journal it describes a chain that is gone. */
    async hasDatabase(): Promise<boolean> {
      for (const file of databaseFiles) if (await exists(file)) return true;
      return false;
    },
    /** Deletes the chain's journal and what was made on it; `andCredentials` the operator token too (a clean start asked for). */
    async forget(andCredentials: boolean) {
      await Promise.all([...chainData, ...(andCredentials ? [operatorTokenFile] : [])].map((file) => rm(file, { force: true })));
    },
    /** Moves the chain's journal and what was made on it into a new folder of `dir`; returns that folder. */
    async setAside(): Promise<string> {
      const aside = join(dir, `set-aside-${new Date().toISOString().replaceAll(":", "-")}`);
      await mkdir(aside, { recursive: true });
      for (const file of chainData) {
        if (!(await exists(file))) continue;
        const to = join(aside, basename(file));
        // A manifest kept on another file system cannot be renamed into the folder.
        await rename(file, to).catch(async () => {
          await copyFile(file, to);
          await rm(file);
        });
      }
      return aside;
    },
    /** The operator token: kept from the last run, or made now. */
    operatorToken: () => keptSecret(operatorTokenFile, () => `op_${randomBytes(24).toString("base64url")}`),
    /** MINTER_KEY_SECRET for the demo: kept from the last run, or made now. */
    minterKeySecret: () => keptSecret(minterKeySecretFile, () => randomBytes(32).toString("base64url")),
  };
}

/** A secret kept in `file` (readable by its owner only), made with `make` on first use. */
async function keptSecret(file: string, make: () => string): Promise<string> {
  const kept = (await readFile(file, "utf8").catch(() => "")).trim();
  if (kept.length >= 32) return kept;
  const secret = make();
  await mkdir(join(file, ".."), { recursive: true });
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}
