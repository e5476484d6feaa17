/**
 * The blueprint's layering, written down once and enforced by ESLint (`npm run lint`): which
 * top-level folder may import which. Each folder's README.md repeats its line ("May import: ..."),
 * and test/scripts/eslint-layering.test.ts checks both against this table, and that the source
 * tree has no import cycle.
 *
 * From the bottom up: region files are data; config says what a region may declare; tfjson reads
 * synthesized Terraform; model is the reference model in code; core is the blueprint's base over
 * cdktf; constructs build resources, guardrails check the synthesized JSON, stacks compose both
 * for a region, review writes the reports; main.ts lists the stacks.
 */
const path = require("path");

/** The project's root: this file is in scripts/. */
const ROOT = path.resolve(__dirname, "..");

/** What each top-level folder (or file) may import, besides itself and packages. */
const LAYERS = {
  regions: ["config"],
  config: [],
  tfjson: [],
  model: ["config", "tfjson"],
  core: ["config"],
  constructs: ["config", "model", "core"],
  guardrails: ["config", "model", "tfjson", "core"],
  stacks: ["config", "model", "core", "constructs", "guardrails"],
  review: ["config", "model", "tfjson", "core", "guardrails"],
  "main.ts": ["config", "core", "stacks", "review"],
  scripts: ["config", "guardrails", "review"],
  bench: ["regions", "config", "scripts"],
  test: ["*"],
};

/** Layers whose imports must be types only: region files are data. */
const TYPES_ONLY = ["regions"];

/** Layers that are plain TypeScript: no cdktf, no provider bindings, no constructs. */
const NO_CDKTF = ["regions", "config", "tfjson", "model"];
const CDKTF_PACKAGES = /^(cdktf|cdktf-cli|constructs|@cdktf\/.*)(\/.*)?$/;

/** The clouds' subfolders: within a layer, one cloud's code does not import another's. */
const CLOUDS = ["aws", "gcp"];

/** The top-level folder (or root file) a path of the project belongs to, or undefined outside it. */
function layerOf(absolute) {
  const rel = path.relative(ROOT, absolute);
  if (rel === "" || rel.startsWith("..") || path.isAbsolute(rel)) return undefined;
  const first = rel.split(path.sep)[0];
  if (!rel.includes(path.sep)) return /^main(\.ts)?$/.test(first) ? "main.ts" : first;
  return first;
}

/** The cloud a path belongs to inside its layer (`constructs/aws/x.ts` → `aws`; `guardrails/rules/gcp/x.ts` → `gcp`). */
function cloudOf(absolute) {
  const parts = path.relative(ROOT, absolute).split(path.sep).slice(1, -1);
  return parts.find((p) => CLOUDS.includes(p));
}

/** Why the file `from` may not import the file `to` (absolute paths), or undefined when it may. */
function violation(fromFile, toFile) {
  const from = layerOf(fromFile);
  const to = layerOf(toFile);
  if (from === undefined) return undefined;
  if (to === undefined) return `${from}/ imports a file outside the project (${toFile}); import a package or a file of the blueprint.`;
  if (from === to) {
    const [a, b] = [cloudOf(fromFile), cloudOf(toFile)];
    return a && b && a !== b ? `${path.relative(ROOT, fromFile)} (${a}) may not import ${path.relative(ROOT, toFile)} (${b}): each cloud's code stands alone; move what both share out of ${a}/ and ${b}/.` : undefined;
  }
  const allowed = LAYERS[from];
  if (!allowed) return undefined;
  if (allowed.includes("*") || allowed.includes(to)) return undefined;
  const where = from === "main.ts" ? "main.ts" : `${from}/`;
  return `${where} may not import ${to === "main.ts" ? "main.ts" : `${to}/`}: ${where} may import ${allowed.length ? allowed.map((l) => `${l}/`).join(", ") : "nothing of the blueprint"} (see ${from === "main.ts" ? "README.md" : `${from}/README.md`}). Move what both need down a layer (model/, tfjson/, core/), or pass it in.`;
}

/** The string a module specifier node holds: a literal, or a template with no placeholder. */
function specifierOf(node) {
  if (!node) return undefined;
  if (node.type === "Literal" && typeof node.value === "string") return node.value;
  if (node.type === "TemplateLiteral" && node.expressions.length === 0) return node.quasis[0].value.cooked;
  if (node.type === "TSLiteralType") return specifierOf(node.literal);
  return undefined;
}

/** ESLint rule `layering/imports`: an import that crosses the layering (see LAYERS). */
const rule = {
  meta: {
    type: "problem",
    docs: { description: "imports follow the blueprint's layering (scripts/eslint-layering.cjs)" },
    schema: [],
    messages: { layering: "{{why}}" },
  },
  create(context) {
    const filename = context.filename ?? context.getFilename();
    const from = layerOf(filename);
    if (!from || !LAYERS[from]) return {};
    const report = (node, why) => context.report({ node, messageId: "layering", data: { why } });
    /** `typeOnly`: the import brings types only (erased at run time). */
    const check = (node, source, typeOnly) => {
      const spec = specifierOf(source);
      if (spec === undefined) return;
      if (!spec.startsWith(".") && !path.isAbsolute(spec)) {
        if (NO_CDKTF.includes(from) && !typeOnly && CDKTF_PACKAGES.test(spec)) report(node, `${from}/ is plain TypeScript: it may not load ${spec} (cdktf and its bindings belong to core/, constructs/ and stacks/).`);
        return;
      }
      const why = violation(filename, path.resolve(path.dirname(filename), spec));
      if (why) return report(node, why);
      if (TYPES_ONLY.includes(from) && !typeOnly) report(node, `${from}/ holds data only: import types only (import type { ... } from "${spec}").`);
    };
    const typeOnlyImport = (node) => node.importKind === "type" || (node.specifiers.length > 0 && node.specifiers.every((s) => s.type === "ImportSpecifier" && s.importKind === "type"));
    return {
      ImportDeclaration: (node) => check(node, node.source, typeOnlyImport(node)),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source, node.exportKind === "type"),
      ExportAllDeclaration: (node) => check(node, node.source, node.exportKind === "type"),
      ImportExpression: (node) => check(node, node.source, false),
      // `import x = require("...")` and the type `import("...").X`
      TSImportEqualsDeclaration: (node) => node.moduleReference.type === "TSExternalModuleReference" && check(node, node.moduleReference.expression, node.importKind === "type"),
      TSImportType: (node) => check(node, node.argument, true),
      CallExpression: (node) => {
        const callee = node.callee;
        const isRequire = callee.type === "Identifier" && callee.name === "require";
        const isResolve = callee.type === "MemberExpression" && callee.object.type === "Identifier" && callee.object.name === "require" && callee.property.name === "resolve";
        if (isRequire || isResolve) check(node, node.arguments[0], false);
      },
    };
  },
};

module.exports = { ROOT, LAYERS, layerOf, cloudOf, violation, plugin: { rules: { imports: rule } } };
