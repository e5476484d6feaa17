/**
 * What the jest filter and environment of StrykerJS's mutant runs share, in the process that runs
 * jest (both load in it, outside the test files' sandboxes): whether a test of the current run has
 * already failed.
 */
module.exports = { failed: false };
