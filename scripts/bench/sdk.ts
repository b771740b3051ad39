/**
 * SDK bundle size, as a storefront ships it: each entry bundled for browsers with esbuild (ESM,
 * minified, tree-shaken, platform browser) and gzipped at level 9.
 *   - sdk_bundle_gzip_bytes: `@stampbook/sdk` with everything it imports (viem included);
 *   - sdk_own_gzip_bytes: the SDK's own code alone (viem and every other package external; the
 *     generated ABI module is the SDK's own and counts);
 *   - the same two for `@stampbook/sdk/embedded` and `@stampbook/sdk/receipts` (no bars: apps opt in to them);
 *   - sdk_react_own_gzip_bytes: `@stampbook/sdk/react`'s hooks alone: packages external (React,
 *     TanStack Query, viem) and the SDK's core too (every module outside sdk/src/react/), since an app
 *     that uses the hooks has the core already, through the client it hands the provider.
 *   - sdk_server_own_gzip_bytes: `@stampbook/sdk/server`'s own code, bundled for node (jose external).
 * Writes bench/results/sdk.json, prints it, and exits 1 if a figure is over its bar. With --check it
 * writes nothing (sizes are deterministic, so `npm test` runs it that way).
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build, type Plugin } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const BARS: Record<string, number> = { sdk_bundle_gzip_bytes: 60_000, sdk_own_gzip_bytes: 15_000, sdk_react_own_gzip_bytes: 6_000, sdk_server_own_gzip_bytes: 6_000 };

/** Leaves out every module of the repository outside `folder` (relative imports only reach them). */
function onlyFolder(folder: string): Plugin {
  return {
    name: "only-folder",
    setup(build) {
      build.onResolve({ filter: /^\./ }, (args) => (resolve(args.resolveDir, args.path).startsWith(folder) ? undefined : { path: args.path, external: true }));
    },
  };
}

async function measure(entry: string, ownOnly: boolean, folder?: string, platform: "browser" | "node" = "browser"): Promise<{ min: number; gzip: number }> {
  const result = await build({
    entryPoints: [join(root, entry)],
    bundle: true,
    format: "esm",
    minify: true,
    treeShaking: true,
    platform,
    target: "es2022",
    write: false,
    logLevel: "warning",
    ...(ownOnly ? { packages: "external" as const } : {}),
    ...(folder ? { plugins: [onlyFolder(join(root, folder))] } : {}),
  });
  const code = result.outputFiles[0]!.contents;
  return { min: code.byteLength, gzip: gzipSync(code, { level: 9 }).byteLength };
}

const main = await measure("sdk/src/index.ts", false);
const own = await measure("sdk/src/index.ts", true);
const embedded = await measure("sdk/src/embedded.ts", false);
const embeddedOwn = await measure("sdk/src/embedded.ts", true);
const receipts = await measure("sdk/src/receipts.ts", false);
const receiptsOwn = await measure("sdk/src/receipts.ts", true);
const reactOwn = await measure("sdk/src/react/index.ts", true, "sdk/src/react/");
// The server kit runs on the brand's server: bundled for node, jose and every other package external.
const serverOwn = await measure("sdk/src/server/index.ts", true, undefined, "node");

const results = {
  sdk_bundle_gzip_bytes: main.gzip,
  sdk_own_gzip_bytes: own.gzip,
  sdk_embedded_gzip_bytes: embedded.gzip,
  sdk_embedded_own_gzip_bytes: embeddedOwn.gzip,
  sdk_receipts_gzip_bytes: receipts.gzip,
  sdk_receipts_own_gzip_bytes: receiptsOwn.gzip,
  sdk_react_own_gzip_bytes: reactOwn.gzip,
  sdk_server_own_gzip_bytes: serverOwn.gzip,
  minified_bytes: { sdk_bundle: main.min, sdk_own: own.min, sdk_embedded: embedded.min, sdk_embedded_own: embeddedOwn.min, sdk_receipts: receipts.min, sdk_receipts_own: receiptsOwn.min, sdk_react_own: reactOwn.min, sdk_server_own: serverOwn.min },
  bars: BARS,
  settings: { bundler: "esbuild", format: "esm", minify: true, treeShaking: true, platform: "browser", target: "es2022", gzipLevel: 9 },
};

if (!process.argv.includes("--check")) {
  await mkdir(join(root, "bench", "results"), { recursive: true });
  await writeFile(join(root, "bench", "results", "sdk.json"), `${JSON.stringify(results, null, 2)}\n`);
}

let over = false;
for (const [name, value] of Object.entries(results)) {
  if (typeof value !== "number") continue;
  const bar = BARS[name];
  const verdict = bar === undefined ? "" : value <= bar ? `  (bar <= ${bar.toLocaleString("en")}: ok)` : `  (bar <= ${bar.toLocaleString("en")}: OVER)`;
  if (bar !== undefined && value > bar) over = true;
  console.log(`${name.padEnd(28)} ${value.toLocaleString("en").padStart(8)} B${verdict}`);
}
if (!process.argv.includes("--check")) console.log("wrote bench/results/sdk.json");
if (over) process.exit(1);
