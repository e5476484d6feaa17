import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { GuardrailPack } from "../guardrails/pack";
import { StackView, viewOf } from "../guardrails/rule";
import { allResources } from "../tfjson/terraform";
import type { RegionStack } from "../core/blueprint-stack";
import { renderReport } from "./report";
import { summarizeGuardrails } from "./posture";

/**
 * A JSON value with object keys sorted, as cdktf writes cdk.tf.json: what `sortKeys` of a deep copy
 * gave, but an object or array whose keys (and whose values' keys) are in order already is itself,
 * not a copy (most of a stack: copying every value cost 3 ms a region). The report only reads it.
 */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    value.forEach((x, i) => {
      const y = sortKeys(x);
      if (y !== x) (out ??= value.slice())[i] = y;
    });
    return out ?? value;
  }
  if (!value || typeof value !== "object") return value;
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o);
  let ordered = true;
  for (let i = 1; i < keys.length && ordered; i++) ordered = keys[i - 1] < keys[i];
  // Anything but a plain object (a Date, say) becomes one, as the copy made it.
  let changed = !ordered || Object.getPrototypeOf(o) !== Object.prototype;
  const values = keys.map((k) => {
    const y = sortKeys(o[k]);
    if (y !== o[k]) changed = true;
    return y;
  });
  if (!changed) return value;
  const byKey = new Map(keys.map((k, i) => [k, values[i]]));
  return Object.fromEntries([...keys].sort().map((k) => [k, byKey.get(k)]));
}

/** The report's file name, beside each stack's `cdk.tf.json`. */
export const REPORT_FILE = "REPORT.md";

/** What `npm run diagrams` writes beside each report: its diagram rendered (scripts/render-diagrams.ts). */
export const DIAGRAM_FILE = "diagram.svg";

/** What `npm run plan` writes beside a stack: the plan as JSON (redacted) and as text. */
export const PLAN_FILES = { json: "plan.json", text: "plan.txt" } as const;

/**
 * Everything a synth (and `npm run plan` after it) writes into the outdir: per stack, its
 * configuration in either format (`cdk.tf.json`, or `cdk.tf` with `--hcl`), its report, its
 * rendered diagram and its plan; at the top, cdktf's manifest and the reports' index.
 */
/** Beside each stack: its guardrails' outcome per rule (review/posture.ts, npm run review). */
export const GUARDRAILS_FILE = "guardrails.json";

const WRITTEN_PER_STACK = ["cdk.tf.json", "cdk.tf", REPORT_FILE, GUARDRAILS_FILE, DIAGRAM_FILE, PLAN_FILES.json, PLAN_FILES.text];
const WRITTEN_AT_TOP = ["manifest.json", "REPORTS.md"];

/**
 * Removes what a previous synth wrote into `outdir`, and nothing else (Terraform's working files,
 * `.terraform/` and its lock file, stay). Called before each synth: a synth in the other format
 * then leaves one format per stack, a stack that no longer exists leaves no configuration, and a
 * synth that fails leaves nothing that a reviewer or `npm run plan` could take for the current
 * code. Returns the files removed.
 */
export function removePreviousOutputs(outdir: string): string[] {
  const stacksDir = path.join(outdir, "stacks");
  const stackDirs = fs.existsSync(stacksDir) ? fs.readdirSync(stacksDir).sort().map((d) => path.join(stacksDir, d)) : [];
  const candidates = [...WRITTEN_AT_TOP.map((f) => path.join(outdir, f)), ...stackDirs.flatMap((d) => WRITTEN_PER_STACK.map((f) => path.join(d, f)))];
  const removed = candidates.filter((f) => fs.existsSync(f));
  for (const f of removed) fs.rmSync(f);
  return removed;
}

let revision: string | undefined;

/**
 * The source a synth is made from, for the reports' diagrams: `commit <12 hex>`, with "and
 * uncommitted changes" when tracked files differ from it, or "not from a git checkout". Read once
 * per process (git describe, ~10 ms), so every report of a synth names the same source.
 */
export function sourceRevision(): string {
  if (revision !== undefined) return revision;
  const repo = path.join(__dirname, "..");
  const r = spawnSync("git", ["describe", "--always", "--dirty", "--abbrev=12", "--exclude=*"], { cwd: repo, encoding: "utf8" });
  const out = r.status === 0 ? r.stdout.trim() : "";
  revision = /^[0-9a-f]{7,40}(-dirty)?$/.test(out) ? `commit ${out.replace(/-dirty$/, "")}${out.endsWith("-dirty") ? " and uncommitted changes" : ""}` : "not from a git checkout";
  return revision;
}

/**
 * Writes `REPORT.md` beside every synthesized stack, and an index `REPORTS.md` in the outdir.
 * Call after `app.synth()`: the reports read the JSON as written and the guardrail results.
 */
export function writeReports(outdir: string, stacks: readonly RegionStack[]): string[] {
  const { written, rows } = writeStackReports(outdir, stacks);
  writeReportsIndex(outdir, rows);
  return written;
}

/**
 * Writes `REPORT.md` (and the guardrails' outcome) beside each of `stacks`; returns the files and
 * the stacks' rows of the index, for `writeReportsIndex` (a synthesis in several threads writes
 * each thread's stacks' reports there, and the index once).
 */
export function writeStackReports(outdir: string, stacks: readonly RegionStack[], revision = sourceRevision()): { written: string[]; rows: string[] } {
  const written: string[] = [];
  const rows: string[] = [];
  for (const stack of stacks) {
    const dir = path.join(outdir, "stacks", stack.node.id);
    const pack = GuardrailPack.of(stack);
    const result = pack?.result;
    if (!pack || !result) throw new Error(`${stack.node.id}: no guardrail result; was the stack synthesized with its guardrail pack?`);
    // The JSON the guardrails checked (the same whether synth writes JSON or HCL), keys sorted as in cdk.tf.json.
    const json = sortKeys(pack.checkedJson) as StackView["json"];
    // The report does not read the text; whoever does gets it then.
    const view = viewOf<StackView>({ name: stack.node.id, region: stack.region, layer: stack.layer, peers: stack.peers }, json);
    const file = path.join(dir, REPORT_FILE);
    fs.writeFileSync(file, renderReport(view, result, revision));
    // The guardrails' outcome per rule, for the review of a change (npm run review -- --base <ref>).
    fs.writeFileSync(path.join(dir, GUARDRAILS_FILE), JSON.stringify(summarizeGuardrails(result), null, 1) + "\n");
    written.push(file);
    const resources = allResources(view.json).length;
    const suppressed = result.findings.filter((f) => f.suppressedBy).length;
    rows.push(`| ${stack.node.id} | ${stack.region.name} | ${stack.layer} | ${resources} | ${result.rules.length} rules, ${result.findings.length - suppressed} open, ${suppressed} suppressed | [REPORT.md](stacks/${stack.node.id}/${REPORT_FILE}) |`);
  }
  return { written, rows };
}

/** Writes the index `REPORTS.md` of every stack's report, from the rows `writeStackReports` returned, in the stacks' order. */
export function writeReportsIndex(outdir: string, rows: readonly string[]): void {
  const index = ["# Reviewer's reports", "", "| stack | region | layer | resources | guardrails | report |", "|---|---|---|---|---|---|", ...rows];
  fs.writeFileSync(path.join(outdir, "REPORTS.md"), index.join("\n") + "\n");
}
