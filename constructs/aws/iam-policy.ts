/**
 * Typed IAM policy documents, rendered with JSON.stringify so that a policy whose values are all
 * known shows up as literal JSON in the synthesized stack and in the plan, where a reviewer reads
 * it. Values that are Terraform references (tokens) are interpolated by Terraform.
 */

/** A condition block: operator → key → value(s). */
export type PolicyCondition = Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;

/** Who a statement applies to. A bare `*` principal is never used by this blueprint. */
export type PolicyPrincipal = Readonly<{ AWS?: string | readonly string[]; Service?: string | readonly string[] }> | "*";

/** One statement. `Sid` is required so that reviewers and guardrails can refer to it. */
export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: PolicyPrincipal;
  readonly Action: string | readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: PolicyCondition;
}

/** A statement on every resource but some (`NotResource`): only a Deny, where the exceptions are narrower than the denial. */
export type DenyExceptStatement = Omit<PolicyStatement, "Resource" | "Effect"> & { readonly Effect: "Deny"; readonly NotResource: readonly string[] };

/** A statement of a role's trust policy, which names no resource. */
export type TrustStatement = Omit<PolicyStatement, "Resource" | "Principal"> & { readonly Principal: Exclude<PolicyPrincipal, "*"> };

/** Renders a policy document (identity, resource or trust policy). */
export function renderPolicy(statements: readonly (PolicyStatement | TrustStatement | DenyExceptStatement)[]): string {
  const sids = new Set<string>();
  for (const s of statements) {
    if (sids.has(s.Sid)) throw new Error(`Policy statement id "${s.Sid}" is used twice; each statement needs its own Sid.`);
    sids.add(s.Sid);
  }
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/** True for `"*"` and for `{ AWS: "*" }`: both mean any principal of any account. */
export function isAnyone(principal: PolicyPrincipal | undefined): boolean {
  if (principal === "*") return true;
  const aws = principal?.AWS;
  return aws === "*" || (Array.isArray(aws) && aws.includes("*"));
}

/** The AWS partition of a region (aws, aws-us-gov, aws-cn). */
export function partitionOf(region: string): string {
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  if (region.startsWith("cn-")) return "aws-cn";
  return "aws";
}
