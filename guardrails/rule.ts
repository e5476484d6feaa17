import type { RegionConfig } from "../config/schema";
import type { StackLayer } from "../core/blueprint-stack";
import { TfJson, resourcesOf } from "../tfjson/terraform";

/** One synthesized stack, as a guardrail sees it (a rule of an AWS layer sees an AWS region). */
export interface StackView<R extends RegionConfig = RegionConfig> {
  /** The stack's name (`region-eu`, `region-eu-mesh`). */
  readonly name: string;
  readonly region: R;
  readonly layer: StackLayer;
  /** Every region deployed beside this one (itself included), for what joins regions. @default the region alone */
  readonly peers?: readonly RegionConfig[];
  /** The synthesized Terraform JSON. */
  readonly json: TfJson;
  /** The same JSON as text (for checks that must find a literal anywhere). */
  readonly text: string;
}

/**
 * The view of `json` as a stack beside `stack` (its name, region, layer and peers), its text made
 * at the first read and kept: most rules read only the JSON, and a stack's text is a third of a
 * megabyte.
 */
export function viewOf<S extends StackView>(stack: Omit<S, "json" | "text">, json: TfJson): S {
  let text: string | undefined;
  return {
    ...stack,
    json,
    get text() {
      return (text ??= JSON.stringify(json));
    },
  } as S;
}

/** `error` fails synth; `warning` is printed and reported. */
export type Level = "error" | "warning";

/** What every rule says about itself: the report lists it, a violation prints it. */
export interface RuleInfo {
  /** `<family>.<what>`, e.g. `database.encrypted-with-database-key`; suppressions name it. */
  readonly id: string;
  readonly level: Level;
  /** PCI DSS v4.0 requirement(s) the rule serves, e.g. `3.5.1`. */
  readonly requirement: string;
  /** One line: what the rule demands. */
  readonly description: string;
  /** One line: what to change when the rule fails. */
  readonly fix: string;
  /** The stacks of a region the rule applies to. */
  readonly layers: readonly StackLayer[];
}

/**
 * A rule over one whole stack (for properties that span resources: one key per purpose, two HSMs
 * in distinct AZs, the ALLOW rules equal the declared calls). `check` returns one message per
 * violation, `<address>: <what is wrong>`, empty when the stack complies.
 */
export interface StackRule<R extends RegionConfig = RegionConfig> extends RuleInfo {
  readonly check: (stack: StackView<R>) => string[];
}

/**
 * A rule over one resource of the given types, called for each. `check` returns what is wrong
 * (without the address, which the pack adds), empty when the resource complies.
 */
export interface ResourceRule<R extends RegionConfig = RegionConfig> extends RuleInfo {
  readonly resourceTypes: readonly string[];
  readonly check: (resource: TfJson, context: ResourceContext<R>) => string[];
}

/** Where a resource rule is looking. */
export interface ResourceContext<R extends RegionConfig = RegionConfig> {
  readonly stack: StackView<R>;
  readonly type: string;
  readonly name: string;
}

export type Rule = StackRule | ResourceRule;

export function isResourceRule(rule: Rule): rule is ResourceRule {
  return "resourceTypes" in rule;
}

/**
 * The violations of one rule in one stack, each `<address>: <what is wrong>`. A rule that cannot
 * read what it checks (it throws) fails with that reason: what cannot be checked does not pass.
 */
/** What checkRule reports, after the address, when a rule throws: the stack fails closed. */
export const COULD_NOT_CHECK = "the rule could not check this";

export function checkRule(rule: Rule, stack: StackView): string[] {
  if (!rule.layers.includes(stack.layer)) return [];
  const guarded = (address: string, fn: () => string[]): string[] => {
    try {
      return fn();
    } catch (e) {
      return [`${address}: ${COULD_NOT_CHECK} (${(e as Error).message})`];
    }
  };
  if (!isResourceRule(rule)) return guarded("(stack)", () => rule.check(stack));
  return rule.resourceTypes.flatMap((type) =>
    resourcesOf(stack.json, type).flatMap(([name, body]) => guarded(`${type}.${name}`, () => rule.check(body, { stack, type, name }).map((what) => `${type}.${name}: ${what}`))),
  );
}

/** Runs rules over a stack and returns `{ id: violations }` for those that fail. */
export function failures(rules: readonly Rule[], stack: StackView): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const rule of rules) {
    const v = checkRule(rule, stack);
    if (v.length > 0) out[rule.id] = v;
  }
  return out;
}

type Defaults = { readonly layers: readonly StackLayer[]; readonly level?: Level };
type Spec<R extends RuleInfo> = Omit<R, "layers" | "level"> & Partial<Pick<R, "layers" | "level">>;

/**
 * A family of stack rules sharing layers (and a level, `error` unless said otherwise). `R` is the
 * region type the layers imply: the `aws` layer only exists in AWS regions, `gcp` in GCP regions.
 */
export function stackRules<R extends RegionConfig = RegionConfig>(defaults: Defaults, specs: readonly Spec<StackRule<R>>[]): StackRule[] {
  return specs.map((s) => ({ level: defaults.level ?? "error", layers: defaults.layers, ...s }) as unknown as StackRule);
}

/** A family of resource rules sharing layers (and a level, `error` unless said otherwise). */
export function resourceRules<R extends RegionConfig = RegionConfig>(defaults: Defaults, specs: readonly Spec<ResourceRule<R>>[]): ResourceRule[] {
  return specs.map((s) => ({ level: defaults.level ?? "error", layers: defaults.layers, ...s }) as unknown as ResourceRule);
}
