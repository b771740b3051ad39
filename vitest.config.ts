import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["{server,sdk,scripts,test}/**/*.test.ts"],
    // A throwaway PostgreSQL database for the run, and Redis, for the tests that need them.
    globalSetup: ["test/support/global-setup.ts"],
    // Most files wait on what they started (a chain, API processes, the demo, a browser) more than
    // they compute: three at a time keep two cores busy (one per core left them idle half the run).
    maxWorkers: 3,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
