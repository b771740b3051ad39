/**
 * First-load JS of the Next.js example's members-only page (sdk/examples/next, route /members), as a
 * visitor's browser fetches it: `next build` (scripts/build-next-example.ts), then, from Next's own
 * manifests, every script a first visit to the route loads:
 *   - build-manifest.json `rootMainFiles` (the React and Next runtime every App Router page boots with),
 *   - the route's client-reference manifest `entryJSFiles` (the chunks of its layouts and page:
 *     the example's client components, TanStack Query and the parts of the SDK they import),
 * each file counted once, gzipped at level 9 (what a server sends compressed), summed in kB (1,000 B).
 * Left out: `polyfillFiles` (nomodule: modern browsers do not fetch them), CSS, and chunks loaded only
 * on use (the embedded wallet's key code is imported when a member chooses it). Next 16 no longer
 * prints this figure, so it is read here. Writes bench/results/next.json and prints it.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { buildNextExample, NEXT_EXAMPLE, REPOSITORY } from "../build-next-example.ts";

const BUILD = join(NEXT_EXAMPLE, ".next");

/** The scripts a first visit to `route` (an App Router page, e.g. "/members") loads, as paths under .next/. */
async function firstLoadScripts(route: string): Promise<string[]> {
  const build = JSON.parse(await readFile(join(BUILD, "build-manifest.json"), "utf8")) as { rootMainFiles: string[] };
  // The client-reference manifest is a script that sets globalThis.__RSC_MANIFEST[<route>/page].
  const scope: { __RSC_MANIFEST?: Record<string, { entryJSFiles: Record<string, string[]> }> } = {};
  const source = await readFile(join(BUILD, "server/app", route === "/" ? "" : route, "page_client-reference-manifest.js"), "utf8");
  new Function("globalThis", "self", source)(scope, scope);
  const entry = scope.__RSC_MANIFEST?.[`${route === "/" ? "" : route}/page`];
  if (!entry) throw new Error(`no client-reference manifest entry for ${route}`);
  return [...new Set([...build.rootMainFiles, ...Object.values(entry.entryJSFiles).flat()])].filter((file) => file.endsWith(".js"));
}

async function gzipKb(files: string[]): Promise<number> {
  let bytes = 0;
  for (const file of files) bytes += gzipSync(await readFile(join(BUILD, file)), { level: 9 }).byteLength;
  return Math.round(bytes / 100) / 10;
}

await buildNextExample();
const members = await firstLoadScripts("/members");
const home = await firstLoadScripts("/");
const nextVersion = (JSON.parse(await readFile(join(REPOSITORY, "node_modules/next/package.json"), "utf8")) as { version: string }).version;
const results = {
  next_first_load_js_kb: await gzipKb(members),
  next_home_first_load_js_kb: await gzipKb(home),
  scripts: { members: members.length, home: home.length },
  settings: { route: "/members", next: nextVersion, bundler: "turbopack", gzipLevel: 9, kb: 1000, counted: "build-manifest rootMainFiles + the route's entryJSFiles, each once", left_out: "polyfillFiles (nomodule), CSS, chunks loaded on use" },
};
await writeFile(join(REPOSITORY, "bench/results/next.json"), `${JSON.stringify(results, null, 2)}\n`);
console.log(JSON.stringify(results, null, 2));
console.log("wrote bench/results/next.json");
