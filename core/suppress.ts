import { IConstruct } from "constructs";

/** A rule switched off for one construct (and everything under it), with the reason why. */
export interface Suppression {
  /** The rule's id, e.g. `audit.access-logged-elsewhere`. */
  readonly id: string;
  /** Why the rule does not apply here; a reviewer reads it in the stack's report. */
  readonly reason: string;
}

const SUPPRESSION_METADATA = "blueprint:guardrail-suppression";
/** A reason shorter than this is not a reason. */
export const MIN_REASON_LENGTH = 20;

/**
 * Suppresses guardrails on `scope` and everything under it, cdk-nag style: each suppression names
 * the rule and says why. Suppressions are listed in the stack's report; one that suppresses
 * nothing is reported as a warning, and one naming an unknown rule fails synth.
 */
export function suppressGuardrails(scope: IConstruct, suppressions: readonly Suppression[]): void {
  for (const s of suppressions) {
    if (typeof s.reason !== "string" || s.reason.trim().length < MIN_REASON_LENGTH) {
      throw new Error(`Suppression of ${s.id} on ${scope.node.path}: write the reason the rule does not apply (at least ${MIN_REASON_LENGTH} characters); it is shown to reviewers in the stack's report.`);
    }
    scope.node.addMetadata(SUPPRESSION_METADATA, { id: s.id, reason: s.reason.trim() });
  }
}

/** The suppressions set on one construct (not its children), with its path. */
export function suppressionsOf(construct: IConstruct): (Suppression & { readonly path: string })[] {
  return construct.node.metadata.filter((m) => m.type === SUPPRESSION_METADATA).map((m) => ({ path: construct.node.path, ...(m.data as Suppression) }));
}
