/**
 * Tests are transpiled by esbuild without type-checking (test/support/esbuild-transform.cjs;
 * tsconfig `isolatedModules`: each file is transpiled alone); `npm run typecheck` type-checks.
 */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": "<rootDir>/test/support/esbuild-transform.cjs",
  },
  // The real offline plans run terraform; everything else is fast.
  testTimeout: 300000,
  // One temporary directory per run, removed at its end (test/support/tmpdir-setup.cjs).
  globalSetup: "<rootDir>/test/support/tmpdir-setup.cjs",
  globalTeardown: "<rootDir>/test/support/tmpdir-teardown.cjs",
  // At least two workers (jest's default is one on the 2-core machines): the offline plans spend
  // most of their time in terraform child processes, and the other files run beside them.
  maxWorkers: Math.max(2, require("os").cpus().length - 1),
};
