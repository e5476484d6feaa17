/**
 * jest's environment in StrykerJS's mutant runs (npm run mutate): once a test has failed, the
 * mutant is killed and the run's other tests are skipped (jest cannot bail from its programmatic
 * API, and StrykerJS only needs the first failure). `filter.cjs` clears the state at the start of
 * each run. The dry run (no active mutant) runs every test.
 */
const { TestEnvironment } = require("jest-environment-node");
const state = require("./state.cjs");

class BailingEnvironment extends TestEnvironment {
  async handleTestEvent(event) {
    if (!process.env.__STRYKER_ACTIVE_MUTANT__) return;
    if (event.name === "test_fn_failure" || event.name === "hook_failure") state.failed = true;
    else if (event.name === "test_start" && state.failed) event.test.mode = "skip";
  }
}

module.exports = BailingEnvironment;
