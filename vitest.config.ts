import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["{server,sdk,scripts,test}/**/*.test.ts"],
    // A throwaway PostgreSQL database for the run, and Redis, for the tests that need them.
    globalSetup: ["test/support/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
