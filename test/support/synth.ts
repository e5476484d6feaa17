import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { produce } from "immer";
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
export function synthRegions(regions: readonly RegionConfig[] = shippedRegions(), options: { shared?: boolean } = {}): SynthResult {
  let real: SynthResult | undefined;
  const planned = regions.flatMap((region) => stackPlan(region).map((p) => ({ ...p, region })));
  const now = (): SynthResult => {
    real ??= synthForMutant(regions) ?? (options.shared ? sharedSynth(regions) : undefined) ?? withoutRuleCoverage(() => synthNow(regions));
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
const SYNTHESIZED = ["dir", "text", "json", "guardrails", "pack", "report", "peers"] as const;

function lazyStack(name: string, region: RegionConfig, layer: StackLayer, real: () => SynthStack): SynthStack {
  const stack = { name, region, layer } as SynthStack;
  for (const key of SYNTHESIZED) Object.defineProperty(stack, key, { get: () => real()[key], enumerable: true });
  return stack;
}

/** The same stack under another name (a case label), still synthesized at first use. */
function renamed<R extends RegionConfig>(stack: SynthStack<R>, name: string): SynthStack<R> {
  return lazyStack(name, stack.region, stack.layer, () => stack) as SynthStack<R>;
}

/**
 * `npm run mutate` and rule mutants: the guardrails (guardrails/rules/) and the config rules
 * (config/rules/). What synth writes does not depend on their code: stacks/ imports only
 * guardrails/pack.ts, the guardrails' findings go to the annotations and the report, not to the
 * JSON, and the config rules only report problems (config/load.ts runs them, in the test itself,
 * before the regions reach synth; nothing else imports them but the docs generator). So in a rule
 * mutant's run a test gets the synth of its regions made without the mutant, once per StrykerJS
 * worker and shared by every test file and every later rule mutant (each file parses its own copy
 * of the JSON), and every check it makes runs the rules again, mutated (`checkRule`,
 * `pack.evaluate`, and a stack's `guardrails`, evaluated again at first read). What a rule mutant
 * could then change no longer shows: synth failing on it, and the findings in a stack's report.
 * For the same reason the dry run does not count the rules' code that synth runs as covered by
 * the test that synthesized (see {@link synthNow}): a rule mutant then runs only the tests, and the
 * test files, that call the rules themselves. Every other mutant (the schema and catalog, the pack,
 * the rule runner) gets a fresh synth with it active, and keeps synth's coverage.
 */
/**
 * The shipped regions, loaded and validated as `loadRegions()` does, for a test file to name its
 * cases and synthesize (at module level, mostly). In `npm run mutate`, as for synth
 * ({@link synthForMutant}): the config rules only report problems, so a load either returns these
 * regions or throws. The dry run does not count the config rules' code a load runs as covered, and
 * a rule mutant's run gets the regions loaded without the mutant: a config rule mutant then runs
 * only the tests that validate regions themselves (test/config: the shipped regions among them, so
 * a mutant that rejects one is killed there), not every test of every file that loads regions.
 */
export function shippedRegions(): RegionConfig[] {
  return loadedForTests("shipped", () => loadRegions());
}

/** A load of region files for the tests (see {@link shippedRegions}), keyed by what it loads. */
function loadedForTests<T>(key: string, load: () => T): T {
  const mutant = process.env.__STRYKER_ACTIVE_MUTANT__;
  if (mutant === undefined || !mutation().ruleMutants.has(mutant)) return withoutRuleCoverage(load);
  if (!mutation().loads.has(key)) mutation().loads.set(key, JSON.stringify(withoutMutant(mutant, load)));
  return JSON.parse(mutation().loads.get(key)!) as T;
}

/** Runs `compute` with no mutant active (StrykerJS switches mutants by this variable and its namespace). */
function withoutMutant<T>(mutant: string, compute: () => T): T {
  const ns = stryker();
  delete process.env.__STRYKER_ACTIVE_MUTANT__;
  if (ns) ns.activeMutant = undefined;
  try {
    return compute();
  } finally {
    process.env.__STRYKER_ACTIVE_MUTANT__ = mutant;
    if (ns) ns.activeMutant = mutant;
  }
}

function synthForMutant(regions: readonly RegionConfig[]): SynthResult | undefined {
  const mutant = process.env.__STRYKER_ACTIVE_MUTANT__;
  if (mutant === undefined || !mutation().ruleMutants.has(mutant)) return undefined;
  const key = JSON.stringify(regions);
  let original = mutation().synths.get(key);
  if (!original) {
    original = withoutMutant(mutant, () => synthNow(regions));
    mutation().synths.set(key, original);
  }
  // The findings synth recorded came from the unmutated rules: each stack's are evaluated again,
  // at first read, by the rules as they are now (the mutant's).
  return {
    outdir: original.outdir,
    stacks: original.stacks.map((x: SynthStack): SynthStack => {
      let guardrails: GuardrailResult | undefined;
      return {
        ...x,
        json: JSON.parse(x.text) as TfJson,
        get guardrails() {
          return (guardrails ??= x.pack.evaluate(JSON.parse(x.text) as TfJson));
        },
      };
    }),
  };
}

const SHARED_SYNTHS = Symbol.for("blueprint.test.shared-synths");
/**
 * The synth of `regions` made by an earlier test file of this jest worker, or made now and kept for
 * the later ones (the shipped regions and the HSM stages: about a dozen files synthesize them).
 * Each file gets its own copy of every stack's JSON, parsed from the text; the outdir, the reports,
 * the guardrails' results and packs are shared (no test writes into them). Not under StrykerJS,
 * whose per-test coverage needs the synth in the test that asks for it.
 */
function sharedSynth(regions: readonly RegionConfig[]): SynthResult | undefined {
  if (stryker()) return undefined;
  const synths = workerShared(SHARED_SYNTHS, () => new Map<string, SynthResult>());
  const key = JSON.stringify(regions);
  const original = synths.get(key);
  if (!original) {
    const made = synthNow(regions);
    synths.set(key, made);
    return made;
  }
  return { outdir: original.outdir, stacks: original.stacks.map((x) => ({ ...x, json: JSON.parse(x.text) as TfJson })) };
}

/** StrykerJS's state in a test file (its namespace global), when StrykerJS runs the tests. */
interface StrykerNamespace {
  activeMutant?: string;
  currentTestId?: string;
  mutantCoverage?: { static: Record<string, number>; perTest: Record<string, Record<string, number>> };
}
const stryker = (): StrykerNamespace | undefined => (globalThis as { __stryker__?: StrykerNamespace }).__stryker__;

const MUTATION_STATE = Symbol.for("blueprint.test.mutation-state");
/**
 * State shared by every test file of a StrykerJS worker: a core module is the one object they all
 * share (jest gives each file its own registry and globals, not its own copy of node's modules).
 */
interface MutationState {
  readonly ruleMutants: Set<string>;
  readonly synths: Map<string, SynthResult>;
  /** Region loads made without the mutant, as JSON (each caller parses its own copy). */
  readonly loads: Map<string, string>;
}
function mutation(): MutationState {
  return workerShared(MUTATION_STATE, () => ({ ruleMutants: ruleMutantIds(), synths: new Map(), loads: new Map() }));
}

/**
 * What every test file of a jest worker shares under `key`, made at the first ask: a core module is
 * the one object they all share (jest gives each file its own registry and globals, not its own
 * copy of node's modules).
 */
function workerShared<T>(key: symbol, make: () => T): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const shared = require("os") as Record<symbol, unknown>;
  return (shared[key] ??= make()) as T;
}

/** The ids of the mutants StrykerJS placed in guardrails/rules/ and config/rules/ (this sandbox's instrumented source). */
function ruleMutantIds(): Set<string> {
  const ids = new Set<string>();
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, e.name);
      if (e.isDirectory()) walk(file);
      else if (e.name.endsWith(".ts")) for (const m of fs.readFileSync(file, "utf8").matchAll(/stryMutAct_9fa48\("(\d+)"\)/g)) ids.add(m[1]);
    }
  };
  walk(path.join(__dirname, "..", "..", "guardrails", "rules"));
  walk(path.join(__dirname, "..", "..", "config", "rules"));
  return ids;
}

/**
 * Runs `synth` in StrykerJS's dry run so that the rules' code it executes is not counted as
 * covered by the current test (see {@link synthForMutant}); the rest of its coverage is kept.
 * StrykerJS's instrumented code files a hit under `currentTestId`, read at each hit: synth's hits
 * go to a bucket of their own, and all but the rules' are moved to the test's.
 */
function withoutRuleCoverage<T>(synth: () => T): T {
  const ns = stryker();
  if (!ns || process.env.__STRYKER_ACTIVE_MUTANT__ !== undefined) return synth();
  const BUCKET = "\u0000synth";
  const test = ns.currentTestId;
  ns.currentTestId = BUCKET;
  try {
    return synth();
  } finally {
    ns.currentTestId = test;
    const coverage = ns.mutantCoverage;
    const hits = coverage?.perTest[BUCKET];
    if (coverage && hits) {
      delete coverage.perTest[BUCKET];
      const into = test ? (coverage.perTest[test] ??= {}) : coverage.static;
      const rules = mutation().ruleMutants;
      for (const [id, n] of Object.entries(hits)) if (!rules.has(id)) into[id] = (into[id] ?? 0) + n;
    }
  }
}

function synthNow(regions: readonly RegionConfig[]): SynthResult {
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
      return { name: stack.node.id, region: stack.region, layer: stack.layer, peers: stack.peers, dir, text, json: JSON.parse(text) as TfJson, guardrails, pack, report: fs.readFileSync(path.join(dir, REPORT_FILE), "utf8") };
    }),
  };
}

let shipped: SynthResult | undefined;
/** Every stack of the shipped regions (AWS, Istio, mesh), synthesized once per jest worker (see sharedSynth). */
export function shippedAllLayers(): readonly SynthStack[] {
  shipped ??= synthRegions(shippedRegions(), { shared: true });
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
  return loadedForTests("hsm-stages", () =>
    validateRegions([
      { file: "regions/eu.ts", data: eu },
      { file: "regions/us.ts", data: us },
    ]).map((r) => r.config as AwsRegionConfig),
  );
}

let staged: readonly SynthStack<AwsRegionConfig>[] | undefined;
/** The stacks of {@link hsmStageRegions}, named `region-<name> @hsm-<stage>`. */
export function hsmStageStacks(): readonly SynthStack<AwsRegionConfig>[] {
  staged ??= synthRegions(hsmStageRegions(), { shared: true })
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

/**
 * An edited copy of a stack's JSON (a weakening, mostly): `edit` changes a draft of it (immer), and
 * the copy shares every part the edit did not touch with the stack's own JSON. That JSON is then
 * frozen, deeply, so a test or a rule that writes into it fails rather than changing what later
 * tests read. A copy costs what the edit touches, where a parse of the stack's text took a
 * millisecond and its garbage: the weakenings of test/stacks/ take thousands.
 */
export function edited<S extends { readonly json: TfJson }>(stack: S, edit: (json: TfJson, stack: S) => void): TfJson {
  return produce(stack.json, (draft: TfJson) => {
    edit(draft, stack);
  });
}

/** A fresh copy of a synthesized stack's JSON, parsed from its text (half the work of {@link cloneJson}). */
export function jsonCopy(stack: { readonly text: string }): TfJson {
  return JSON.parse(stack.text) as TfJson;
}

/**
 * Where the tests keep the real offline plans by their inputs (scripts/offline-plan.ts
 * `planCacheDir`): a plan whose stack, prior state and options did not change since a run made it
 * is read back rather than made again (a later run on the same checkout; a clean checkout has none).
 */
export const PLAN_CACHE_DIR = path.join(__dirname, "..", "..", "node_modules", ".cache", "blueprint-plans");

/** The node arguments of cdktf.json's app command before `main.ts` (scripts/app-runner.ts). */
export const APP_RUNNER: readonly string[] = appRunnerArgs();
/** The same runner for the repository's other scripts (`--bundle` is for the app). */
export const SCRIPT_RUNNER: readonly string[] = APP_RUNNER.filter((a) => a !== "--bundle");
