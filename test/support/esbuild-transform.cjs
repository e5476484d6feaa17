/**
 * Jest's transform for the TypeScript files: esbuild, as scripts/run-ts.cjs runs the app (types
 * stripped, no type check: `npm run typecheck` checks them; tsconfig's `isolatedModules` keeps
 * every file transpilable alone). ts-jest, before, took 11 CPU seconds of a run whose jest cache
 * was empty (every CI run): the TypeScript compiler's transpile of each file.
 */
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");
const esbuild = require("esbuild");

const compilerOptions = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "tsconfig.json"), "utf8")).compilerOptions ?? {};
const target = `node${process.versions.node.split(".")[0]}`;
const version = JSON.stringify([require("esbuild/package.json").version, target, compilerOptions, fs.readFileSync(__filename, "utf8")]);

module.exports = {
  getCacheKey(source, filename) {
    return crypto.createHash("sha1").update(version).update("\0").update(filename).update("\0").update(source).digest("hex");
  },
  process(source, filename) {
    const { code, map } = esbuild.transformSync(source, {
      loader: "ts",
      format: "cjs",
      platform: "node",
      target,
      sourcefile: filename,
      sourcemap: "external",
      tsconfigRaw: { compilerOptions },
    });
    return { code, map };
  },
};
