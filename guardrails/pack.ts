import { IConstruct } from "constructs";
import { Annotations, App, Aspects, IAspect, TerraformResource, TerraformStack, constructTreeVersion } from "../core/cdktf";
import type { RegionStack } from "../core/blueprint-stack";
import { GUARDRAILS } from "./index";
import { Rule, RuleInfo, StackView, checkRule, viewOf } from "./rule";
import { suppressionsOf } from "../core/suppress";
import { withStringIndex } from "../tfjson/terraform";

/** One violation of one rule. */
export interface Finding {
  readonly rule: RuleInfo;
  /** The resource address (`aws_s3_bucket.x`) or the part of the stack (`provider.aws`) at fault. */
  readonly address: string;
  /** What is wrong. */
  readonly message: string;
  /** Set when a suppression covers the finding. */
  readonly suppressedBy?: { readonly path: string; readonly reason: string };
}

/** A suppression that covered nothing: stale, or on the wrong construct. */
export interface UnusedSuppression {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

/** What the pack found in one stack. */
export interface GuardrailResult {
  readonly stack: string;
  /** The rules that applied to the stack. */
  readonly rules: readonly RuleInfo[];
  readonly findings: readonly Finding[];
  readonly unusedSuppressions: readonly UnusedSuppression[];
}

/** What a rule says about itself, without its check. */
function infoOf(rule: Rule): RuleInfo {
  const { id, level, requirement, description, fix, layers } = rule;
  return { id, level, requirement, description, fix, layers };
}

/**
 * Splits `<address>: <what>` (the rules' message format). The address is a resource
 * (`aws_s3_bucket.x`, `kubernetes_manifest.y`), a resource type (`aws_kms_alias`, for a missing
 * resource) or a block of the stack (`provider.aws`, `terraform.backend.s3`); anything else is
 * about the whole stack.
 */
export function splitMessage(message: string): { address: string; message: string } {
  const m = /^((?:data\.)?[a-z][a-z0-9_]*(?:\.[A-Za-z0-9_-]+)*|\(stack\)): ([\s\S]*)$/.exec(message);
  return m ? { address: m[1], message: m[2] } : { address: "(stack)", message };
}

/**
 * The guardrail pack, as an aspect of one stack (in cdktf 0.21 an aspect added to the App is never
 * invoked). When it visits its stack it registers a validation, so the rules see the final tree
 * after every aspect, as the JSON that synth is about to write. An `error` finding that no
 * suppression covers fails synth before the stack is written, naming the stack, the address, the
 * rule, the PCI DSS requirement and the fix; warnings are printed.
 */
export class GuardrailPack implements IAspect {
  /** Adds the pack to a region stack. */
  static applyTo(stack: RegionStack, rules: readonly Rule[] = GUARDRAILS): GuardrailPack {
    const pack = new GuardrailPack(stack, rules);
    Aspects.of(stack).add(pack);
    return pack;
  }

  /** The pack added to a stack, if any. */
  static of(stack: TerraformStack): GuardrailPack | undefined {
    return Aspects.of(stack).all.find((a): a is GuardrailPack => a instanceof GuardrailPack);
  }

  private registered = false;
  private lastResult?: GuardrailResult;
  private lastJson?: Record<string, unknown>;
  /** What evaluate reads of the construct tree, kept while the tree does not change (constructTreeVersion). */
  private tree?: { readonly version: number; readonly constructs: IConstruct[]; readonly suppressions: ReturnType<typeof suppressionsOf>; byAddress?: Map<string, IConstruct> };

  private constructor(
    private readonly stack: RegionStack,
    private readonly rules: readonly Rule[],
  ) {}

  visit(node: IConstruct): void {
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent (the validation goes on the stack whichever of its nodes is visited first; a region stack always has some)
    if (node !== this.stack || this.registered) return;
    if (App.of(this.stack).skipValidation) {
      throw new Error(`${this.stack.node.id}: the guardrails run as the stack's validation; an App with skipValidation would skip them. Remove skipValidation, and suppress a rule where it does not apply (suppressGuardrails, with a reason).`);
    }
    this.registered = true;
    this.stack.node.addValidation({ validate: () => this.validate() });
  }

  /** The stack's JSON as the rules last saw it (what synth writes). */
  get checkedJson(): Record<string, unknown> {
    if (!this.lastJson) throw new Error(`${this.stack.node.id}: the guardrails have not run yet (synthesize first)`);
    return this.lastJson;
  }

  /** The result of the last synth (undefined before it). */
  get result(): GuardrailResult | undefined {
    return this.lastResult;
  }

  /**
   * Evaluates the rules over the stack's JSON as it is now, or over `json` (a weakened copy, in the
   * tests), with the stack's suppressions; `only` limits it to those rules (a test of one rule then
   * runs that rule alone, as synth would run it).
   */
  evaluate(json: Record<string, unknown> = this.stack.toTerraform(), only?: readonly string[]): GuardrailResult {
    const view = viewOf<StackView>({ name: this.stack.node.id, region: this.stack.region, layer: this.stack.layer, peers: this.stack.peers }, json);
    const selected = (id: string) => only === undefined || only.includes(id);
    const rules = this.rules.filter((r) => r.layers.includes(this.stack.layer) && selected(r.id));
    // The stack's constructs and their suppressions, read again only where the tree changed (the
    // tests evaluate thousands of weakened copies against one synthesized stack).
    const version = constructTreeVersion();
    if (this.tree?.version !== version) {
      const constructs = this.stack.node.findAll();
      this.tree = { version, constructs, suppressions: constructs.flatMap(suppressionsOf) };
    }
    const tree = this.tree;
    // The resources by address, to find a finding's suppressions: made at the first finding only.
    const byAddress = () => {
      if (!tree.byAddress) {
        tree.byAddress = new Map();
        // Stryker disable next-line ConditionalExpression: equivalent (a construct that is not a resource has no type: its key, "undefined.<id>", is no finding's address)
        for (const c of tree.constructs) if (c instanceof TerraformResource) tree.byAddress.set(`${c.terraformResourceType}.${c.friendlyUniqueId}`, c);
      }
      return tree.byAddress;
    };
    const used = new Set<string>();
    const findings: Finding[] = [];
    // Every rule that walks the stack's strings gets them from one walk (the same strings, in the same order).
    const outcomes = withStringIndex(view.json, () => rules.map((rule) => checkRule(rule, view)));
    for (const [i, rule] of rules.entries()) {
      for (const raw of outcomes[i]) {
        const { address, message } = splitMessage(raw);
        const construct = byAddress().get(address.split(".").slice(0, 2).join("."));
        const scopes = construct ? construct.node.scopes.slice(construct.node.scopes.indexOf(this.stack)) : [this.stack];
        const covering = scopes.flatMap(suppressionsOf).find((s) => s.id === rule.id);
        if (covering) used.add(`${covering.path}\u0000${covering.id}`);
        findings.push({ rule: infoOf(rule), address, message, ...(covering ? { suppressedBy: { path: covering.path, reason: covering.reason } } : {}) });
      }
    }
    const known = new Set(this.rules.map((r) => r.id));
    const all = tree.suppressions;
    for (const s of all.filter((x) => !known.has(x.id))) {
      findings.push({
        rule: { id: "guardrails.known-suppression", level: "error", requirement: "12.5", description: "a suppression names a rule of the pack", fix: `Name one of the pack's rules (see the report's rule list); ${s.id} is not one.`, layers: [this.stack.layer] },
        address: s.path,
        message: `suppresses unknown rule ${s.id}`,
      });
    }
    const unusedSuppressions = all.filter((x) => known.has(x.id) && selected(x.id) && !used.has(`${x.path}\u0000${x.id}`)).map(({ path, id, reason }) => ({ path, id, reason }));
    return { stack: view.name, rules: rules.map(infoOf), findings, unusedSuppressions };
  }

  private validate(): string[] {
    const json = this.stack.resolveFresh();
    const result = this.evaluate(json);
    // The synthesizer writes this same JSON (one resolution of the stack, not two).
    this.stack.reuseForSynth(json);
    // What synth wrote and what the report shows: only the real synth records it.
    this.lastJson = json;
    this.lastResult = result;
    for (const f of result.findings.filter((x) => !x.suppressedBy && x.rule.level === "warning")) {
      Annotations.of(this.stack).addWarning(formatFinding(f));
    }
    for (const u of result.unusedSuppressions) {
      Annotations.of(this.stack).addWarning(`guardrail suppression of ${u.id} on ${u.path} covers nothing; remove it`);
    }
    return result.findings.filter((x) => !x.suppressedBy && x.rule.level === "error").map((f) => formatFinding(f));
  }
}

/** One finding as a person reads it in synth's output (cdktf prefixes the stack's name). */
export function formatFinding(f: Finding): string {
  return [
    `${f.address}: ${f.message}`,
    `    rule ${f.rule.id} (${f.rule.level}, PCI DSS v4.0 ${f.rule.requirement}): ${f.rule.description}`,
    `    fix: ${f.rule.fix}`,
    `    (if the rule does not apply here: suppressGuardrails(<construct>, [{ id: "${f.rule.id}", reason: "<why>" }]); the reason is shown in the report)`,
  ].join("\n");
}
