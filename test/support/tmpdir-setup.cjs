/**
 * jest's globalSetup: one temporary directory per test run, as TMPDIR for every worker (they start
 * after this and inherit the environment), so that what the tests and their tools create there
 * (syntheses, cdktf's Testing outdirs, offline-plan copies, plugin caches) goes with the run:
 * tmpdir-teardown.cjs removes it and gives TMPDIR back (a process that runs jest again, as
 * StrykerJS's workers do, starts from the original).
 */
const fs = require("fs");
const os = require("os");
const path = require("path");

module.exports = async () => {
  process.env.BLUEPRINT_TEST_TMPDIR_WAS = process.env.TMPDIR ?? "";
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "blueprint-tests-"));
  process.env.BLUEPRINT_TEST_TMPDIR = dir;
  process.env.TMPDIR = dir;
};
