/**
 * StrykerJS's dry run (npm run mutate), in each test file: records which mutants the file
 * executed, at load or in a test (StrykerJS's own coverage, counted before and after the file), in
 * `.mutation-coverage.jsonl` at the sandbox's root. `filter.cjs` then runs, for one mutant, only
 * the test files that executed it: a file that never ran the mutated code cannot see the mutant.
 *
 * Needs jest in band (jest.mutation.config.cjs sets it): StrykerJS's coverage is one object per
 * process, so per-file counts are differences taken while no other file runs. Outside StrykerJS
 * (no `__stryker__` global) and in the mutants' runs it does nothing.
 */
const fs = require("fs");
const path = require("path");

const COVERAGE_FILE = path.join(__dirname, "..", "..", "..", ".mutation-coverage.jsonl");

/** Every mutant's hit count so far: static (at load) plus per test. */
function hits() {
  const coverage = globalThis.__stryker__ && globalThis.__stryker__.mutantCoverage;
  if (!coverage) return undefined;
  const counts = new Map();
  const add = (byId) => {
    for (const [id, n] of Object.entries(byId || {})) counts.set(id, (counts.get(id) || 0) + n);
  };
  add(coverage.static);
  for (const byId of Object.values(coverage.perTest || {})) add(byId);
  return counts;
}

if (globalThis.__stryker__ && !process.env.__STRYKER_ACTIVE_MUTANT__) {
  const before = hits() || new Map();
  afterAll(() => {
    const after = hits();
    if (!after) return;
    const ids = [...after].filter(([id, n]) => n > (before.get(id) || 0)).map(([id]) => id);
    fs.appendFileSync(COVERAGE_FILE, JSON.stringify({ testFile: expect.getState().testPath, ids }) + "\n");
  });
}

module.exports = { COVERAGE_FILE };
