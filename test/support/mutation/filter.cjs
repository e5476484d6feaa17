/**
 * jest's `filter` in StrykerJS's mutant runs (npm run mutate): the active mutant
 * (`__STRYKER_ACTIVE_MUTANT__`, which StrykerJS sets in this process before each run) gets only
 * the test files that executed its code in the dry run (record-coverage.cjs). StrykerJS already
 * narrows the tests by name; without this, jest would still load every test file to find them.
 * With no active mutant, no recorded coverage, or a mutant no file recorded, every file runs.
 */
const fs = require("fs");
const { COVERAGE_FILE } = require("./record-coverage.cjs");
const state = require("./state.cjs");

/** mutant id → the test files that executed it; read once, at the first mutant's run. */
let filesByMutant;

function load() {
  const map = new Map();
  if (!fs.existsSync(COVERAGE_FILE)) return map;
  for (const line of fs.readFileSync(COVERAGE_FILE, "utf8").split("\n").filter(Boolean)) {
    const { testFile, ids } = JSON.parse(line);
    for (const id of ids) {
      if (!map.has(id)) map.set(id, new Set());
      map.get(id).add(testFile);
    }
  }
  return map;
}

module.exports = async (testPaths) => {
  const mutant = process.env.__STRYKER_ACTIVE_MUTANT__;
  // A new run: no test of it has failed yet (environment.cjs).
  state.failed = false;
  const all = { filtered: testPaths.map((test) => ({ test })) };
  if (!mutant) return all;
  filesByMutant ??= load();
  const files = filesByMutant.get(mutant);
  if (!files) return all;
  return { filtered: testPaths.filter((p) => files.has(p)).map((test) => ({ test })) };
};
