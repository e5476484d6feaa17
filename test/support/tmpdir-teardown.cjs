/** jest's globalTeardown: removes the run's temporary directory and gives TMPDIR back (tmpdir-setup.cjs). */
const fs = require("fs");

module.exports = async () => {
  const dir = process.env.BLUEPRINT_TEST_TMPDIR;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  if (process.env.BLUEPRINT_TEST_TMPDIR_WAS) process.env.TMPDIR = process.env.BLUEPRINT_TEST_TMPDIR_WAS;
  else delete process.env.TMPDIR;
  delete process.env.BLUEPRINT_TEST_TMPDIR;
};
