/**
 * The blueprint's layering, written down once and enforced by ESLint (`npm run lint`): which
 * top-level folder may import which. Each folder's README.md repeats its line ("May import: ..."),
 * and test/scripts/eslint-layering.test.ts checks both against this table, and that the source
 * tree has no import cycle.
 *
 * From the bottom up: region files are data; config says what a region may declare; model is the
 * reference model in code; tfjson reads synthesized Terraform; core is the blueprint's base over
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
  model: ["config"],
  tfjson: ["config", "model"],
  core: ["config", "model"],
  constructs: ["config", "model", "core"],
  guardrails: ["config", "model", "tfjson", "core"],
  stacks: ["config", "model", "core", "constructs", "guardrails"],
  review: ["config", "model", "tfjson", "core", "guardrails"],
  "main.ts": ["config", "core", "stacks", "review"],
  scripts: ["regions", "config", "model", "tfjson", "core", "constructs", "guardrails", "stacks", "review"],
  bench: ["regions", "config", "scripts"],
  test: ["*"],
};

/** The top-level folder (or root file) a path of the project belongs to, or undefined outside it. */
function layerOf(absolute) {
  const rel = path.relative(ROOT, absolute);
  if (rel === "" || rel.startsWith("..") || path.isAbsolute(rel)) return undefined;
  const first = rel.split(path.sep)[0];
  if (!rel.includes(path.sep)) return /^main(\.ts)?$/.test(first) ? "main.ts" : first;
  return first;
}

/** Why `from` may not import `to`, or undefined when it may. */
function violation(from, to) {
  if (from === undefined || to === undefined || from === to) return undefined;
  const allowed = LAYERS[from];
  if (!allowed) return undefined;
  if (allowed.includes("*") || allowed.includes(to)) return undefined;
  const where = from === "main.ts" ? "main.ts" : `${from}/`;
  return `${where} may not import ${to === "main.ts" ? "main.ts" : `${to}/`}: ${where} may import ${allowed.length ? allowed.map((l) => `${l}/`).join(", ") : "nothing of the blueprint"} (see ${from === "main.ts" ? "README.md" : `${from}/README.md`}). Move what both need down a layer (model/, tfjson/, core/), or pass it in.`;
}

/** ESLint rule `layering/imports`: a relative import that crosses the layering. */
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
    const check = (node, source) => {
      if (!source || typeof source.value !== "string" || !source.value.startsWith(".")) return;
      const why = violation(from, layerOf(path.resolve(path.dirname(filename), source.value)));
      if (why) context.report({ node, messageId: "layering", data: { why } });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source),
      CallExpression: (node) => {
        if (node.callee.type === "Identifier" && node.callee.name === "require" && node.arguments[0]?.type === "Literal") check(node, node.arguments[0]);
      },
    };
  },
};

module.exports = { ROOT, LAYERS, layerOf, violation, plugin: { rules: { imports: rule } } };
