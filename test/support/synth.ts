import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadRegions } from "../../config/load";
import { RegionConfig } from "../../config/schema";
import { App } from "../../constructs/cdktf";
import { defineStacks } from "../../stacks";

/** A synthesized Terraform JSON document (snake_case, as Terraform reads it). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TfJson = Record<string, any>;

/** One synthesized stack: its directory, its raw text and its parsed JSON. */
export interface SynthStack {
  readonly name: string;
  readonly region: RegionConfig;
  readonly dir: string;
  readonly text: string;
  readonly json: TfJson;
}

/** The result of one `app.synth()`, exactly what `cdktf synth` writes. */
export interface SynthResult {
  readonly outdir: string;
  readonly stacks: readonly SynthStack[];
}

/**
 * Synthesizes the given regions (default: the shipped ones) through the same `defineStacks` as
 * `main.ts`, into a temporary outdir, and reads every stack back.
 */
export function synthRegions(regions: readonly RegionConfig[] = loadRegions()): SynthResult {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "blueprint-synth-"));
  const app = new App({ outdir });
  const stacks = defineStacks(app, regions);
  app.synth();
  return {
    outdir,
    stacks: stacks.map((stack, i) => {
      const dir = path.join(outdir, "stacks", stack.node.id);
      const text = fs.readFileSync(path.join(dir, "cdk.tf.json"), "utf8");
      return { name: stack.node.id, region: regions[i], dir, text, json: JSON.parse(text) as TfJson };
    }),
  };
}

let shipped: SynthResult | undefined;
/** The shipped regions, synthesized once per test file. */
export function shippedStacks(): readonly SynthStack[] {
  shipped ??= synthRegions();
  return shipped.stacks;
}

/** `[name, body]` of every resource of a type (empty when there is none). */
export function resourcesOf(json: TfJson, type: string): [string, TfJson][] {
  return Object.entries((json.resource?.[type] ?? {}) as Record<string, TfJson>);
}

/** The Terraform reference string `${type.name.attr}`. */
export function ref(type: string, name: string, attr: string): string {
  return `\${${type}.${name}.${attr}}`;
}

/** A deep copy, for tests that weaken a stack to prove a check notices. */
export function cloneJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
