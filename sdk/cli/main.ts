#!/usr/bin/env node
/**
 * The `stampbook` command (`npx stampbook …`, `npm run stampbook -- …`). Runs on the project's
 * Node 24, which npx and npm put first on PATH; it runs this TypeScript file as it is.
 */
import { hardhatKeystore } from "./keys.ts";
import { run } from "./run.ts";

process.exitCode = await run(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
  readSecret: hardhatKeystore(),
});
