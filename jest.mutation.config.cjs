/**
 * Jest as StrykerJS runs it (npm run mutate): the project's configuration without
 * - the tests that cannot tell one mutant of guardrails/ or config/ from another and cost minutes
 *   each (terraform's offline plans, the upgrade plans against a built state, and the HCL round
 *   trip; the ESLint layering rule);
 * - the generated-docs test, which reads the TypeScript source of config/schema.ts and the rules
 *   for their comments: StrykerJS rewrites that source to switch mutants, so the docs it would
 *   generate differ from the committed ones for every mutant, and the dry run fails;
 * and in band: StrykerJS runs jest once per mutant, in each of its own workers (two), so jest's
 * worker processes would only add their start-up (and test/support/mutation needs one process).
 * A mutant's run loads only the test files that executed its code in the dry run
 * (test/support/mutation: recorded there, applied by jest's `filter`), and of those runs only the
 * tests that cover it (StrykerJS's per-test coverage), until one fails (environment.cjs).
 */
const base = require("./jest.config.js");

module.exports = {
  ...base,
  testPathIgnorePatterns: ["/node_modules/", "/test/stacks/offline-plan\\.test\\.ts$", "/test/upgrade/", "/test/scripts/eslint-layering\\.test\\.ts$", "/test/scripts/generated-docs\\.test\\.ts$"],
  maxWorkers: 1,
  setupFilesAfterEnv: ["<rootDir>/test/support/mutation/record-coverage.cjs"],
  filter: "<rootDir>/test/support/mutation/filter.cjs",
  // An absolute path: StrykerJS loads the environment itself, without jest's <rootDir>.
  testEnvironment: require("path").join(__dirname, "test", "support", "mutation", "environment.cjs"),
  passWithNoTests: true,
};
