#!/usr/bin/env node
/**
 * Runs a TypeScript entry point of the blueprint (`node scripts/run-ts.cjs main.ts`): what
 * `cdktf synth` runs (cdktf.json), and `npm run plan` and `npm run bench`.
 *
 * Each `.ts` file the program requires is transpiled by esbuild (types stripped, no type check:
 * `npm run typecheck` does that) and the result is cached under node_modules/.cache/run-ts, keyed
 * by the file's path, size and mtime. Only `.ts` files pass through here. tsx, which ran the app
 * before, hooks every `.js` file too (it reads each to look for ESM syntax), and the provider
 * bindings are hundreds of large files: the shipped regions' synth took 1.07 s under tsx and
 * 0.80 s under this runner (`npm run bench`). Node's source maps stay off (the bindings' inline
 * maps would be decoded on every load); BLUEPRINT_SOURCE_MAPS=1 turns them on, with inline maps
 * for the transpiled files, when a stack trace must point into the TypeScript.
 */
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");
const Module = require("module");

const sourceMaps = process.env.BLUEPRINT_SOURCE_MAPS === "1";
process.setSourceMapsEnabled(sourceMaps);

const cacheDir = path.join(__dirname, "..", "node_modules", ".cache", "run-ts");
let esbuild;
let version;

function transpile(filename) {
  const stat = fs.statSync(filename);
  esbuild ??= require("esbuild");
  version ??= `${esbuild.version}/${fs.statSync(__filename).mtimeMs}/${sourceMaps}`;
  const key = crypto.createHash("sha1").update(`${version}\0${filename}\0${stat.size}\0${stat.mtimeMs}`).digest("hex");
  const cached = path.join(cacheDir, `${key}.js`);
  try {
    return fs.readFileSync(cached, "utf8");
  } catch {
    // not cached yet
  }
  const { code } = esbuild.transformSync(fs.readFileSync(filename, "utf8"), {
    loader: "ts",
    format: "cjs",
    platform: "node",
    target: `node${process.versions.node.split(".")[0]}`,
    sourcefile: filename,
    sourcemap: sourceMaps ? "inline" : false,
  });
  fs.mkdirSync(cacheDir, { recursive: true });
  // Write then rename: a concurrent run never reads half a file.
  const partial = `${cached}.${process.pid}`;
  fs.writeFileSync(partial, code);
  fs.renameSync(partial, cached);
  return code;
}

Module._extensions[".ts"] = function (module, filename) {
  module._compile(transpile(filename), filename);
};

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error("usage: node scripts/run-ts.cjs <file.ts> [args...]");
  process.exit(2);
}
process.argv = [process.argv[0], path.resolve(entry), ...args];
require(path.resolve(entry));
