/**
 * Jest as StrykerJS runs it (npm run mutate): the project's configuration without the tests that
 * cannot tell one mutant of guardrails/ or config/ from another and cost minutes each (terraform's
 * offline plans and the HCL round trip; the ESLint layering rule), so that a mutant
 * re-runs only the tests that cover it, in seconds.
 */
const base = require("./jest.config.js");

module.exports = {
  ...base,
  testPathIgnorePatterns: ["/node_modules/", "/test/stacks/offline-plan\\.test\\.ts$", "/test/scripts/eslint-layering\\.test\\.ts$"],
};
