/**
 * Builds the Next.js example (sdk/examples/next) the way a brand's app gets @stampbook/sdk: the SDK
 * package is built (its dist/, through its `exports`) and linked into the example's node_modules,
 * then `next build` runs, then the repository's `tsc` checks the example with its own tsconfig (Next's
 * own check cannot load TypeScript 7, so the example turns it off). Used by the example's browser
 * test and by `npm run bench:next`; `npm run build:next-example` runs it alone.
 */
import { spawn } from "node:child_process";
import { mkdir, readlink, symlink } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPOSITORY = fileURLToPath(new URL("..", import.meta.url));
export const NEXT_EXAMPLE = join(REPOSITORY, "sdk/examples/next");
const bin = (name: string) => join(REPOSITORY, "node_modules/.bin", name);

/** Runs a command in the repository; rejects with its output if it fails. */
export function run(command: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPOSITORY, env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(" ")} exited with ${code}:\n${output}`))));
  });
}

/** node_modules/@stampbook/sdk in the example, pointing at the SDK package (sdk/), as `npm install ../..` would link it. */
async function linkSdk(): Promise<void> {
  const scope = join(NEXT_EXAMPLE, "node_modules/@stampbook");
  await mkdir(scope, { recursive: true });
  const link = join(scope, "sdk");
  const target = "../../../..";
  if ((await readlink(link).catch(() => null)) === target) return;
  await symlink(target, link, "dir");
}

/** Builds the SDK package, links it, builds the example and type-checks it; returns `next build`'s output. */
export async function buildNextExample(): Promise<string> {
  await run(bin("tsc"), ["-p", "sdk/tsconfig.build.json"]);
  await linkSdk();
  const output = await run(process.execPath, [join(REPOSITORY, "node_modules/next/dist/bin/next"), "build", NEXT_EXAMPLE]);
  // After the build: it writes the route types (.next/types) the example's tsconfig includes.
  await run(bin("tsc"), ["-p", NEXT_EXAMPLE, "--noEmit"]);
  return output;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(await buildNextExample());
}
