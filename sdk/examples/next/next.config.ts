import { realpathSync } from "node:fs";
import { sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { NextConfig } from "next";

// In this repository @stampbook/sdk is linked from ../.. and the packages sit in the repository's
// node_modules, so Turbopack resolves from the repository's root; where a checkout links
// node_modules from elsewhere (a git worktree sharing one install), from the folder holding both.
// A brand's own app needs none of this.
const repository = realpathSync(fileURLToPath(new URL("../../..", import.meta.url)));
const packages = realpathSync(`${repository}/node_modules`);
const [shortest, other] = [repository, packages].sort((a, b) => a.length - b.length) as [string, string];
let root = shortest;
while (other !== root && !other.startsWith(root + sep)) root = root.slice(0, root.lastIndexOf(sep)) || sep;

const config: NextConfig = {
  // The repository's TypeScript is the native compiler (7), which Next's build-time check cannot
  // load: the example is type-checked with the repository's `tsc -p sdk/examples/next` instead
  // (the Next.js example test runs it after building).
  typescript: { ignoreBuildErrors: true },
  turbopack: { root },
  poweredByHeader: false,
  reactStrictMode: true,
};

export default config;
