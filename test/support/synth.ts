import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadRegions, validateRegions } from "../../config/load";
import { AwsRegionConfig, RegionConfig } from "../../config/schema";
import euFile from "../../regions/eu";
import usFile from "../../regions/us";
import { REPORT_FILE, writeReports } from "../../review/write-reports";
import { stackPlan } from "../../stacks/plan";
import type { StackLayer } from "../../core/blueprint-stack";
import { appRunnerArgs } from "../../scripts/app-runner";
import { TEST_TRUST_ANCHOR_PEM } from "./trust-anchor";
import type { GuardrailPack, GuardrailResult } from "../../guardrails/pack";
import { StackView } from "../../guardrails/rule";
import { TfJson } from "../../tfjson/terraform";

export { ref, resourcesOf } from "../../tfjson/terraform";
export type { TfJson } from "../../tfjson/terraform";

/** One synthesized stack as the guardrails see it, plus the directory it was written to. */
export interface SynthStack<R extends RegionConfig = RegionConfig> extends StackView<R> {
  readonly dir: string;
  /** What the guardrail pack found during synth (findings that a suppression covers). */
  readonly guardrails: GuardrailResult;
  /** The reviewer's report written beside the stack (`REPORT.md`). */
  readonly report: string;
  /** The stack's guardrail pack: `pack.evaluate(json)` runs what synth ran (every rule of the stack's layer, its suppressions) over a weakened copy. */
  readonly pack: GuardrailPack;
}

/** The result of one `app.synth()`, exactly what `cdktf synth` writes. */
export interface SynthResult {
  readonly outdir: string;
  readonly stacks: readonly SynthStack[];
}

/**
 * Synthesizes the given regions (default: the shipped ones) through the same `defineStacks` and
 * `writeReports` as `main.ts`, into a temporary outdir, and reads every stack back.
 *
 * Lazily: each stack's name, region and layer are known from the config (stacks/plan.ts), and the
 * synth runs at the first read of anything else (its JSON, text, findings, report, directory), so a
 * test file names its cases without synthesizing, and a run that selects none of its tests (a
 * mutant's run in `npm run mutate`, `jest -t`) never builds a stack. A synth that throws throws at
 * that first read, inside the test.
 */
export function synthRegions(regions: readonly RegionConfig[] = loadRegions()): SynthResult {
  let real: SynthResult | undefined;
  const planned = regions.flatMap((region) => stackPlan(region).map((p) => ({ ...p, region })));
  const now = (): SynthResult => {
    real ??= synthNow(regions);
    const names = real.stacks.map((x) => x.name);
    if (names.join() !== planned.map((p) => p.name).join()) throw new Error(`synth built ${names.join(", ")} where stacks/plan.ts plans ${planned.map((p) => p.name).join(", ")}`);
    return real;
  };
  return {
    get outdir() {
      return now().outdir;
    },
    stacks: planned.map((p, i) => lazyStack(p.name, p.region, p.layer, () => now().stacks[i])),
  };
}

/** The synthesized fields of a stack, read from `real()` at first use. */
const SYNTHESIZED = ["dir", "text", "json", "guardrails", "pack", "report"] as const;

function lazyStack(name: string, region: RegionConfig, layer: StackLayer, real: () => SynthStack): SynthStack {
  const stack = { name, region, layer } as SynthStack;
  for (const key of SYNTHESIZED) Object.defineProperty(stack, key, { get: () => real()[key], enumerable: true });
  return stack;
}

/** The same stack under another name (a case label), still synthesized at first use. */
function renamed<R extends RegionConfig>(stack: SynthStack<R>, name: string): SynthStack<R> {
  return lazyStack(name, stack.region, stack.layer, () => stack) as SynthStack<R>;
}

function synthNow(regions: readonly RegionConfig[]): SynthResult {
  if (process.env.SYNTH_TRACE) console.log(new Error("synth").stack);
  // Loaded here, not at the top: a test file that imports this module and runs none of its tests
  // does not pay for cdktf and the provider bindings.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { App } = require("../../core/cdktf") as typeof import("../../core/cdktf");
  const { defineStacks } = require("../../stacks") as typeof import("../../stacks");
  const { GuardrailPack } = require("../../guardrails/pack") as typeof import("../../guardrails/pack");
  /* eslint-enable @typescript-eslint/no-require-imports */
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "blueprint-synth-"));
  const app = new App({ outdir });
  const stacks = defineStacks(app, regions);
  app.synth();
  writeReports(outdir, stacks);
  return {
    outdir,
    stacks: stacks.map((stack) => {
      const dir = path.join(outdir, "stacks", stack.node.id);
      const text = fs.readFileSync(path.join(dir, "cdk.tf.json"), "utf8");
      const pack = GuardrailPack.of(stack);
      const guardrails = pack?.result;
      if (!pack || !guardrails) throw new Error(`${stack.node.id}: synthesized without the guardrail pack`);
      return { name: stack.node.id, region: stack.region, layer: stack.layer, dir, text, json: JSON.parse(text) as TfJson, guardrails, pack, report: fs.readFileSync(path.join(dir, REPORT_FILE), "utf8") };
    }),
  };
}

let shipped: SynthResult | undefined;
/** Every stack of the shipped regions (AWS, Istio, mesh), synthesized once per test file. */
export function shippedAllLayers(): readonly SynthStack[] {
  shipped ??= synthRegions();
  return shipped.stacks;
}

/** The shipped regions' AWS stacks (`region-<name>`). */
export function shippedStacks(): readonly SynthStack<AwsRegionConfig>[] {
  return shippedAllLayers().filter((s): s is SynthStack<AwsRegionConfig> => s.layer === "aws");
}

/** One region's in-cluster stacks: the workload CA chain (where the region has one), the Istio install and the mesh's policies. */
export interface MeshStacks {
  readonly region: RegionConfig;
  readonly pki?: SynthStack;
  readonly istio: SynthStack;
  readonly mesh: SynthStack;
}

/** The in-cluster stacks of every shipped region. */
export function shippedMeshStacks(): MeshStacks[] {
  const all = shippedAllLayers();
  return all
    .filter((s) => s.layer === "aws" || s.layer === "gcp")
    .map((cloud) => {
      const of = (layer: StackLayer) => all.find((s) => s.region.name === cloud.region.name && s.layer === layer);
      return { region: cloud.region, pki: of("pki"), istio: of("istio")!, mesh: of("mesh")! };
    });
}

/**
 * The CloudHSM stages the shipped regions have not reached, as validated configs: eu at
 * "keystore", us at "keys" with the tokenization key in its second generation (one manual
 * rotation done). Each goes through the same schema and rules as a region file.
 */
export function hsmStageRegions(): AwsRegionConfig[] {
  const eu = cloneJson(euFile);
  eu.hsm = { ...eu.hsm, stage: "keystore", trustAnchorCertificate: TEST_TRUST_ANCHOR_PEM };
  const us = cloneJson(usFile);
  us.hsm = { ...us.hsm, stage: "keys", trustAnchorCertificate: TEST_TRUST_ANCHOR_PEM, tokenizationKeyGeneration: 2 };
  return validateRegions([
    { file: "regions/eu.ts", data: eu },
    { file: "regions/us.ts", data: us },
  ]).map((r) => r.config as AwsRegionConfig);
}

let staged: readonly SynthStack<AwsRegionConfig>[] | undefined;
/** The stacks of {@link hsmStageRegions}, named `region-<name> @hsm-<stage>`. */
export function hsmStageStacks(): readonly SynthStack<AwsRegionConfig>[] {
  staged ??= synthRegions(hsmStageRegions())
    .stacks.filter((s): s is SynthStack<AwsRegionConfig> => s.layer === "aws")
    .map((s) => renamed(s, `${s.name} @hsm-${s.region.hsm.stage}`));
  return staged;
}

/** Every AWS region stack the tests check: the shipped regions, then the later HSM stages. */
export function allStacks(): readonly SynthStack<AwsRegionConfig>[] {
  return [...shippedStacks(), ...hsmStageStacks()];
}

/** A deep copy, for tests that weaken a stack to prove a check notices. */
export function cloneJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** The node arguments of cdktf.json's app command before `main.ts` (scripts/app-runner.ts). */
export const APP_RUNNER: readonly string[] = appRunnerArgs();
