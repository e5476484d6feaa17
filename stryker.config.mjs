// @ts-check
/**
 * Mutation testing of the rules (issue 17): `npm run mutate` mutates guardrails/ and config/, runs
 * per mutant only the tests that cover it (per-test coverage), and keeps the results in
 * reports/mutation/ (HTML, JSON, and the incremental file: a later run re-tests only the mutants
 * whose code or covering tests changed). The score must stay at or above `thresholds.break`.
 *
 * Mutants that no test can tell apart from the original (equivalent mutants) are marked where they
 * occur, with `// Stryker disable next-line <mutator>: <reason>`, never excluded here in bulk.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: "jest",
  jest: { configFile: "jest.mutation.config.cjs", enableFindRelatedTests: false },
  coverageAnalysis: "perTest",
  mutate: ["guardrails/**/*.ts", "config/**/*.ts"],
  // Module-level values (rule ids, descriptions, fixes, catalog tables) run once at load: a mutant
  // there would need every test. They are data the generated docs and the snapshots pin.
  ignoreStatic: true,
  concurrency: 2,
  incremental: true,
  incrementalFile: "reports/mutation/stryker-incremental.json",
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/index.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  thresholds: { high: 95, low: 90, break: 90 },
  timeoutMS: 60000,
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
  ignorePatterns: ["cdktf.out", "reports", ".stryker-tmp", "bench/RESULTS.md"],
};
