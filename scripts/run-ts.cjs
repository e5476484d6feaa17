#!/usr/bin/env node
/**
 * Runs a TypeScript entry point of the blueprint (`node scripts/run-ts.cjs main.ts`): what
 * `cdktf synth` runs (cdktf.json), and `npm run plan` and `npm run bench`.
 *
 * Each `.ts` file the program requires is transpiled by esbuild (types stripped, no type check:
 * `npm run typecheck` does that; tsconfig's compilerOptions are passed on) and the result is cached
 * under node_modules/.cache/run-ts, keyed by the file's content, esbuild's version, Node's major
 * version, the compiler options and this runner. A cache that cannot be written is skipped. Only `.ts` files pass through here. tsx, which ran the app
 * before, hooks every `.js` file too (it reads each to look for ESM syntax), and the provider
 * bindings are hundreds of large files: the shipped regions' synth took 1.07 s under tsx and
 * 0.80 s under this runner (`npm run bench`). Node's source maps stay off (the bindings' inline
 * maps would be decoded on every load); BLUEPRINT_SOURCE_MAPS=1 (or node's own
 * --enable-source-maps) keeps them on, with inline maps for the transpiled files, when a stack
 * trace must point into the TypeScript.
 */
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");
const Module = require("module");

const sourceMaps =
  process.env.BLUEPRINT_SOURCE_MAPS === "1" || process.execArgv.includes("--enable-source-maps") || /--enable-source-maps/.test(process.env.NODE_OPTIONS ?? "");
process.setSourceMapsEnabled(sourceMaps);

const root = path.join(__dirname, "..");
const cacheDir = path.join(root, "node_modules", ".cache", "run-ts");
const target = `node${process.versions.node.split(".")[0]}`;
const compilerOptions = JSON.parse(fs.readFileSync(path.join(root, "tsconfig.json"), "utf8")).compilerOptions ?? {};
// What the transpiled code depends on besides the source (esbuild is loaded only on a cache miss).
const version = JSON.stringify([require("esbuild/package.json").version, target, compilerOptions, sourceMaps, fs.readFileSync(__filename, "utf8")]);
let esbuild;

function transpile(filename) {
  const source = fs.readFileSync(filename, "utf8");
  const key = crypto.createHash("sha1").update(version).update("\0").update(filename).update("\0").update(source).digest("hex");
  const cached = path.join(cacheDir, `${key}.js`);
  try {
    return fs.readFileSync(cached, "utf8");
  } catch {
    // not cached yet
  }
  esbuild ??= require("esbuild");
  const { code } = esbuild.transformSync(source, {
    loader: "ts",
    format: "cjs",
    platform: "node",
    target,
    sourcefile: filename,
    sourcemap: sourceMaps ? "inline" : false,
    tsconfigRaw: { compilerOptions },
  });
  // Write a uniquely named file, then rename: a concurrent run never reads half a file.
  const partial = `${cached}.${crypto.randomUUID()}`;
  try {
    fs.mkdirSync(cacheDir, { recursive: true });
    fs.writeFileSync(partial, code, { flag: "wx" });
    fs.renameSync(partial, cached);
  } catch {
    // A cache that cannot be written (read-only node_modules, full disk) only costs time.
    fs.rmSync(partial, { force: true });
  }
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
