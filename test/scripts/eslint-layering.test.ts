import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { RuleTester } from "eslint";
import { parser } from "typescript-eslint";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ROOT, LAYERS, layerOf, violation, plugin } = require("../../scripts/eslint-layering.cjs") as {
  ROOT: string;
  LAYERS: Record<string, string[]>;
  layerOf: (file: string) => string | undefined;
  violation: (fromFile: string, toFile: string) => string | undefined;
  plugin: { rules: { imports: import("eslint").Rule.RuleModule } };
};

/** Every source file of the project (tests aside), relative to the root. */
function sourceFiles(dir = ROOT): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const abs = path.join(dir, e.name);
    if (e.isDirectory()) return ["node_modules", "cdktf.out", "coverage", ".git", "test", ".stryker-tmp", "reports"].includes(e.name) ? [] : sourceFiles(abs);
    return /\.(ts|cjs|mjs)$/.test(e.name) && !e.name.endsWith(".d.ts") ? [path.relative(ROOT, abs)] : [];
  });
}

/** The project files a file imports (every relative import, export-from, require or import(), types included). */
function importsOf(file: string): string[] {
  const abs = path.join(ROOT, file);
  return ts
    .preProcessFile(fs.readFileSync(abs, "utf8"), true, true)
    .importedFiles.map((i) => i.fileName)
    .filter((spec) => spec.startsWith("."))
    .map((spec) => {
      const base = path.resolve(path.dirname(abs), spec);
      const found = [base, `${base}.ts`, `${base}.cjs`, `${base}.mjs`, path.join(base, "index.ts")].find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
      if (!found) throw new Error(`${file}: cannot resolve ${spec}`);
      return path.relative(ROOT, found);
    });
}

describe("the layering rule (scripts/eslint-layering.cjs)", () => {
  const tester = new RuleTester({ languageOptions: { parser, ecmaVersion: 2022, sourceType: "module" } });
  const at = (file: string) => path.join(ROOT, file);
  tester.run("layering/imports", plugin.rules.imports, {
    valid: [
      { filename: at("constructs/aws/x.ts"), code: 'import { a } from "../../model/aws/keys";' },
      { filename: at("constructs/aws/x.ts"), code: 'import { a } from "./region-keys";' },
      { filename: at("constructs/aws/x.ts"), code: 'import { a } from "../../core/cdktf";' },
      { filename: at("model/mesh/in-cluster.ts"), code: 'import { a } from "../aws/registry"; import { b } from "../gcp/gke";' },
      { filename: at("regions/xx.ts"), code: 'import type { AwsRegionFile } from "../config/schema";' },
      { filename: at("regions/xx.ts"), code: 'import { type AwsRegionFile } from "../config/schema";' },
      { filename: at("model/mesh/policies.ts"), code: 'import type { IAuthorizationPolicy } from "@kubernetes-models/istio/security.istio.io/v1/AuthorizationPolicy";' },
      { filename: at("model/aws/x.ts"), code: 'import type { Construct } from "constructs";' },
      { filename: at("guardrails/rules/aws/x.ts"), code: 'import { a } from "../../../tfjson/aws";' },
      { filename: at("stacks/index.ts"), code: 'import { GuardrailPack } from "../guardrails/pack";' },
      { filename: at("review/report.ts"), code: 'import { a } from "../guardrails/pack";' },
      { filename: at("main.ts"), code: 'import { defineStacks } from "./stacks";' },
      { filename: at("test/x.test.ts"), code: 'import { a } from "../stacks/aws-region-stack";' },
      { filename: at("constructs/aws/x.ts"), code: 'import { Construct } from "constructs";' },
    ],
    invalid: [
      // Constructs never import stacks, guardrails or review.
      { filename: at("constructs/aws/x.ts"), code: 'import { a } from "../../stacks/aws-region-stack";', errors: [{ messageId: "layering" }] },
      { filename: at("constructs/gcp/x.ts"), code: 'export { a } from "../../guardrails/pack";', errors: [{ messageId: "layering" }] },
      { filename: at("constructs/aws/x.ts"), code: 'const r = require("../../review/report");', errors: [{ messageId: "layering" }] },
      // Guardrails never import constructs or stacks.
      { filename: at("guardrails/rules/aws/x.ts"), code: 'import { a } from "../../../constructs/aws/eks-cluster";', errors: [{ messageId: "layering" }] },
      { filename: at("guardrails/pack.ts"), code: 'import type { A } from "../stacks/aws-region-stack";', errors: [{ messageId: "layering" }] },
      { filename: at("guardrails/pack.ts"), code: 'export * from "../review/report";', errors: [{ messageId: "layering" }] },
      // Review reads JSON, not constructs or stacks.
      { filename: at("review/aws.ts"), code: 'import { a } from "../constructs/aws/region-keys";', errors: [{ messageId: "layering" }] },
      // The lower layers stay below.
      { filename: at("config/rules/mesh.ts"), code: 'import { a } from "../../model/mesh/policies";', errors: [{ messageId: "layering" }] },
      { filename: at("model/aws/keys.ts"), code: 'import { a } from "../../core/cdktf";', errors: [{ messageId: "layering" }] },
      { filename: at("core/cdktf.ts"), code: 'const m = import("../constructs/aws/iam-policy");', errors: [{ messageId: "layering" }] },
      { filename: at("tfjson/aws.ts"), code: 'import { a } from "../guardrails/rule";', errors: [{ messageId: "layering" }] },
      // Region files are data; nothing imports a test.
      { filename: at("regions/xx.ts"), code: 'import type { A } from "../model/aws/keys";', errors: [{ messageId: "layering" }] },
      { filename: at("stacks/index.ts"), code: 'import { a } from "../test/support/synth";', errors: [{ messageId: "layering" }] },
      { filename: at("main.ts"), code: 'import { a } from "./constructs/aws/region-keys";', errors: [{ messageId: "layering" }] },
      // Every way of naming a module: import-equals, type imports, templates, require.resolve.
      { filename: at("constructs/aws/x.ts"), code: 'import s = require("../../stacks/aws-region-stack");', errors: [{ messageId: "layering" }] },
      { filename: at("guardrails/rule.ts"), code: 'type S = import("../stacks/aws-region-stack").AwsRegionStack;', errors: [{ messageId: "layering" }] },
      { filename: at("constructs/aws/x.ts"), code: "const r = require(`../../review/report`);", errors: [{ messageId: "layering" }] },
      { filename: at("constructs/aws/x.ts"), code: 'const f = require.resolve("../../stacks/index");', errors: [{ messageId: "layering" }] },
      { filename: at("constructs/aws/x.ts"), code: 'import { a } from "/etc/passwd";', errors: [{ messageId: "layering" }] },
      // One cloud's code does not import another's.
      { filename: at("constructs/aws/x.ts"), code: 'import { a } from "../gcp/region-keys";', errors: [{ messageId: "layering" }] },
      { filename: at("guardrails/rules/gcp/keys.ts"), code: 'import { a } from "../aws/keys";', errors: [{ messageId: "layering" }] },
      // Region files import types only, in every form.
      { filename: at("regions/xx.ts"), code: 'import { AwsRegionSchema } from "../config/schema";', errors: [{ messageId: "layering" }] },
      { filename: at("regions/xx.ts"), code: 'export { CLOUDS } from "../config/catalog";', errors: [{ messageId: "layering" }] },
      { filename: at("regions/xx.ts"), code: 'export * from "../config/catalog";', errors: [{ messageId: "layering" }] },
      { filename: at("regions/xx.ts"), code: 'const c = import("../config/catalog");', errors: [{ messageId: "layering" }] },
      // The plain layers load no cdktf, no binding, no construct.
      { filename: at("model/aws/x.ts"), code: 'import { Token } from "cdktf";', errors: [{ messageId: "layering" }] },
      { filename: at("tfjson/x.ts"), code: 'import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";', errors: [{ messageId: "layering" }] },
      { filename: at("config/x.ts"), code: 'const { Construct } = require("constructs");', errors: [{ messageId: "layering" }] },
    ],
  });

  it("names a layer for every top-level folder of the source", () => {
    const layers = new Set(sourceFiles().map((f) => layerOf(path.join(ROOT, f))));
    // eslint.config.mjs and the like sit at the root and import only packages, scripts/ and each
    // other (jest.mutation.config.cjs extends jest.config.js).
    const rootFiles = sourceFiles().filter((f) => !f.includes("/") && f !== "main.ts");
    for (const f of rootFiles) expect(importsOf(f).every((i) => i.startsWith("scripts/") || !i.includes("/"))).toBe(true);
    expect([...layers].filter((l) => l && !rootFiles.includes(l) && !LAYERS[l])).toEqual([]);
  });

  it("is a hierarchy: no layer reaches itself through the layers it may import", () => {
    const reaches = (from: string, seen = new Set<string>()): Set<string> => {
      for (const to of LAYERS[from].filter((l) => l !== "*")) if (!seen.has(to)) reaches(to, seen.add(to));
      return seen;
    };
    for (const layer of Object.keys(LAYERS)) expect([layer, [...reaches(layer)].includes(layer)]).toEqual([layer, false]);
  });

  it("every source file keeps to it (what npm run lint checks, on the real tree)", () => {
    const crossings = sourceFiles().flatMap((f) => importsOf(f).flatMap((i) => violation(path.join(ROOT, f), path.join(ROOT, i)) ?? []));
    expect(crossings).toEqual([]);
  });

  it("the source has no import cycle (type-only imports included)", () => {
    const graph = new Map(sourceFiles().map((f) => [f, importsOf(f)]));
    // Tarjan's strongly connected components: any component of two or more files is a cycle.
    let index = 0;
    const order = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const cycles: string[][] = [];
    const visit = (v: string): void => {
      order.set(v, index);
      low.set(v, index++);
      stack.push(v);
      onStack.add(v);
      for (const w of graph.get(v) ?? []) {
        if (!order.has(w)) {
          visit(w);
          low.set(v, Math.min(low.get(v)!, low.get(w)!));
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, order.get(w)!));
      }
      if (low.get(v) === order.get(v)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.push(w);
        } while (w !== v);
        if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component.sort());
      }
    };
    for (const v of graph.keys()) if (!order.has(v)) visit(v);
    expect(graph.size).toBeGreaterThan(100);
    expect(cycles).toEqual([]);
  });

  it("each top-level folder's README.md says what lives there and exactly what it may import", () => {
    for (const [layer, allowed] of Object.entries(LAYERS).filter(([l]) => l !== "main.ts")) {
      const readme = fs.readFileSync(path.join(ROOT, layer, "README.md"), "utf8");
      const line = readme.split("\n").find((l) => l.startsWith("May import:"));
      expect([layer, line !== undefined]).toEqual([layer, true]);
      const named = [...line!.matchAll(/`([a-z.]+)\/`/g)].map((m) => m[1]);
      if (allowed.includes("*")) expect(line).toBe("May import: anything.");
      else if (allowed.length === 0) expect(line).toBe("May import: nothing of the blueprint (packages only).");
      else expect([layer, named]).toEqual([layer, allowed]);
    }
  });
});
