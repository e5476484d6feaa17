#!/usr/bin/env node
/**
 * Runs a TypeScript entry point of the blueprint (`node scripts/run-ts.cjs [--bundle] main.ts`):
 * what `cdktf synth` runs (cdktf.json, bundled: see runBundled below), and the other scripts
 * (`npm run plan`, `npm run bench`...), file by file.
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
  // Named by the file, then by what its transpiled code depends on: a new version replaces the old.
  const fileKey = crypto.createHash("sha1").update(filename).digest("hex").slice(0, 16);
  const key = `${fileKey}-${crypto.createHash("sha1").update(version).update("\0").update(source).digest("hex").slice(0, 24)}`;
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
  // The file's earlier versions go, and the entries named the way this runner named them before
  // (a hash of everything, 40 hex digits): thousands had piled up.
  if (writeAtomically(cached, code)) removeOlder((f) => f.startsWith(`${fileKey}-`) || /^[0-9a-f]{40}\.js$/.test(f), [cached]);
  return code;
}

/**
 * Writes a uniquely named file, then renames it: a concurrent run never reads half a file. A cache
 * that cannot be written (read-only node_modules, full disk) only costs time: false.
 */
function writeAtomically(file, data) {
  const partial = `${file}.${crypto.randomUUID()}`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(partial, data, { flag: "wx" });
    fs.renameSync(partial, file);
    return true;
  } catch {
    fs.rmSync(partial, { force: true });
    return false;
  }
}

/** Removes the files beside `keep[0]` whose names `older` selects, other than `keep`: what newer versions replace. */
function removeOlder(older, keep) {
  const dir = path.dirname(keep[0]);
  try {
    for (const f of fs.readdirSync(dir)) if (older(f) && !keep.includes(path.join(dir, f))) fs.rmSync(path.join(dir, f), { force: true });
  } catch {
    // gone meanwhile: nothing to remove
  }
}

Module._extensions[".ts"] = function (module, filename) {
  module._compile(transpile(filename), filename);
};

/**
 * The entry point and everything it imports, bundled into one file by esbuild and cached under
 * node_modules/.cache/run-ts/bundles with V8's code cache beside it. Starting the app was half
 * its time (`npm run bench -- --profile`): Node resolving, reading and compiling about 780
 * modules one by one. One file compiled from V8's cache starts in a fraction of that.
 *
 * The bundle is rebuilt when any file it was built from changed (size or modification time of
 * each, recorded at build), or this runner, esbuild, Node or the compiler options did. What the
 * bundle cannot hold stays a require at run time, through the `.ts` hook above: files required
 * by a computed path (the region files) and Node's own modules. `__dirname` and `__filename` in
 * the repository's files are replaced by their real values, so files read beside a module (a Lua
 * filter, the regions folder) are found as before. BLUEPRINT_NO_BUNDLE=1 (or source maps on)
 * loads the files one by one instead.
 */
function bundlePaths(entryFile) {
  const entryKey = crypto.createHash("sha1").update(entryFile).digest("hex").slice(0, 20);
  const versionKey = crypto.createHash("sha1").update(version).digest("hex").slice(0, 20);
  const dir = path.join(cacheDir, "bundles");
  const base = path.join(dir, `${entryKey}-${versionKey}`);
  // V8 rejects a code cache made under other flags (the cdktf CLI runs the app with its own
  // NODE_OPTIONS): one per set of flags, or the two would overwrite each other's on every run.
  const flagsKey = crypto.createHash("sha1").update(JSON.stringify([process.execArgv, process.env.NODE_OPTIONS ?? ""])).digest("hex").slice(0, 12);
  return { dir, entryKey, code: `${base}.js`, inputs: `${base}.inputs.json`, v8: `${base}.${flagsKey}.v8` };
}

function freshInputs(file) {
  let inputs;
  try {
    inputs = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return false;
  }
  for (const [input, size, mtimeMs] of inputs) {
    let stat;
    try {
      stat = fs.statSync(input);
    } catch {
      return false;
    }
    if (stat.size !== size || stat.mtimeMs !== mtimeMs) return false;
  }
  return true;
}

const devDependencies = Object.keys(JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).devDependencies ?? {});

async function buildBundle(entryFile, paths) {
  esbuild ??= require("esbuild");
  const ownFile = (file) => !file.split(path.sep).includes("node_modules") && file.startsWith(root + path.sep);
  const result = await esbuild.build({
    entryPoints: [entryFile],
    absWorkingDir: root,
    bundle: true,
    write: false,
    metafile: true,
    platform: "node",
    format: "cjs",
    target,
    logLevel: "silent",
    tsconfigRaw: { compilerOptions },
    // The app's dependencies are bundled; the development tools (a browser driver, the compiler,
    // the linter) are loaded from node_modules as before.
    external: devDependencies.flatMap((name) => [name, `${name}/*`]),
    plugins: [
      {
        // cdktf writes each stack with json-stable-stringify: the same output, faster (scripts/stable-stringify.cjs).
        name: "stable-stringify",
        setup(build) {
          build.onResolve({ filter: /^json-stable-stringify$/ }, (a) => (a.importer.split(path.sep).includes("cdktf") ? { path: path.join(__dirname, "stable-stringify.cjs") } : undefined));
        },
      },
      {
        name: "real-dirname",
        setup(build) {
          build.onLoad({ filter: /\.ts$/ }, (a) => {
            if (!ownFile(a.path)) return undefined;
            const source = fs.readFileSync(a.path, "utf8");
            return {
              contents: source.replace(/\b__dirname\b/g, JSON.stringify(path.dirname(a.path))).replace(/\b__filename\b/g, JSON.stringify(a.path)),
              loader: "ts",
            };
          });
        },
      },
    ],
  });
  const code = result.outputFiles[0].text;
  const inputs = Object.keys(result.metafile.inputs).map((input) => {
    const file = path.resolve(root, input);
    const stat = fs.statSync(file);
    return [file, stat.size, stat.mtimeMs];
  });
  // The entry's bundles made by another runner, esbuild, Node or compiler options go (10 MB each),
  // and the code caches of the bundle this one replaces.
  if (writeAtomically(paths.code, code) && writeAtomically(paths.inputs, JSON.stringify(inputs))) removeOlder((f) => f.startsWith(`${paths.entryKey}-`), [paths.code, paths.inputs]);
  return code;
}

async function runBundled(entryFile) {
  const paths = bundlePaths(entryFile);
  let code;
  if (freshInputs(paths.inputs)) {
    try {
      code = fs.readFileSync(paths.code, "utf8");
    } catch {
      // removed meanwhile
    }
  }
  code ??= await buildBundle(entryFile, paths);
  let cachedData;
  try {
    cachedData = fs.readFileSync(paths.v8);
  } catch {
    // not cached yet
  }
  const vm = require("vm");
  const script = new vm.Script(Module.wrap(code), { filename: entryFile, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) {
    // After the run, so that the functions it compiled are in the cache too.
    process.once("exit", () => writeAtomically(paths.v8, script.createCachedData()));
  }
  const module = new Module(entryFile, null);
  module.filename = entryFile;
  module.paths = Module._nodeModulePaths(path.dirname(entryFile));
  module.loaded = true;
  process.mainModule = module;
  const requireFn = Module.createRequire(entryFile);
  requireFn.main = module;
  script.runInThisContext().call(module.exports, module.exports, requireFn, module, entryFile, path.dirname(entryFile));
}

// `--bundle` before the entry: run it bundled (the app: cdktf.json, `npm run synth`).
const bundle = process.argv[2] === "--bundle";
const [entry, ...args] = process.argv.slice(bundle ? 3 : 2);
if (!entry) {
  console.error("usage: node scripts/run-ts.cjs [--bundle] <file.ts> [args...]");
  process.exit(2);
}
const entryFile = path.resolve(entry);
process.argv = [process.argv[0], entryFile, ...args];
// How this runner was started on the entry: the app's synthesis starts its worker threads the same
// way (core/synth-threads.ts), so that they load the same bundle and code cache.
globalThis[Symbol.for("pci-blueprint.run-ts")] = { file: __filename, args: bundle ? ["--bundle", entryFile] : [entryFile] };
if (!bundle || sourceMaps || process.env.BLUEPRINT_NO_BUNDLE === "1") require(entryFile);
else
  runBundled(entryFile).catch((e) => {
    console.error(e);
    process.exit(1);
  });
