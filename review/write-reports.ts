import * as fs from "fs";
import * as path from "path";
import { GuardrailPack } from "../guardrails/pack";
import { StackView } from "../guardrails/rule";
import { allResources } from "../tfjson/terraform";
import type { RegionStack } from "../core/blueprint-stack";
import { renderReport } from "./report";

/** A JSON value with object keys sorted, as cdktf writes cdk.tf.json. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
  return value;
}

/** The report's file name, beside each stack's `cdk.tf.json`. */
export const REPORT_FILE = "REPORT.md";

/**
 * Writes `REPORT.md` beside every synthesized stack, and an index `REPORTS.md` in the outdir.
 * Call after `app.synth()`: the reports read the JSON as written and the guardrail results.
 */
export function writeReports(outdir: string, stacks: readonly RegionStack[]): string[] {
  const written: string[] = [];
  const index: string[] = ["# Reviewer's reports", "", "| stack | region | layer | resources | guardrails | report |", "|---|---|---|---|---|---|"];
  for (const stack of stacks) {
    const dir = path.join(outdir, "stacks", stack.node.id);
    const pack = GuardrailPack.of(stack);
    const result = pack?.result;
    if (!pack || !result) throw new Error(`${stack.node.id}: no guardrail result; was the stack synthesized with its guardrail pack?`);
    // The JSON the guardrails checked (the same whether synth writes JSON or HCL), keys sorted as in cdk.tf.json.
    // sortKeys copies the JSON, so the report cannot change what the guardrails hold.
    const json = sortKeys(pack.checkedJson) as StackView["json"];
    const view: StackView = {
      name: stack.node.id,
      region: stack.region,
      layer: stack.layer,
      json,
      // The report does not read the text; whoever does gets it then.
      get text() {
        return JSON.stringify(json);
      },
    };
    const file = path.join(dir, REPORT_FILE);
    fs.writeFileSync(file, renderReport(view, result));
    written.push(file);
    const resources = allResources(view.json).length;
    const suppressed = result.findings.filter((f) => f.suppressedBy).length;
    index.push(`| ${stack.node.id} | ${stack.region.name} | ${stack.layer} | ${resources} | ${result.rules.length} rules, ${result.findings.length - suppressed} open, ${suppressed} suppressed | [REPORT.md](stacks/${stack.node.id}/${REPORT_FILE}) |`);
  }
  fs.writeFileSync(path.join(outdir, "REPORTS.md"), index.join("\n") + "\n");
  return written;
}
