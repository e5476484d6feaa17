/**
 * Reading IAM policy documents in synthesized JSON: their statements, principals and account
 * conditions.
 */
import { asList } from "./terraform";

/** A parsed IAM policy statement (loosely typed: policies are data here). */
export interface Statement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: "*" | { AWS?: string | string[]; Service?: string | string[] };
  Action: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

/**
 * The statements of a policy document. A policy the rules cannot read (not literal JSON, e.g. a
 * `${jsonencode(...)}` expression, or no Statement) throws, and the pack reports that as a finding
 * of the rule that tried: a policy nobody can review does not pass.
 */
export function statementsOf(policy: string): Statement[] {
  // Many rules read the same policies: each document is parsed once (and frozen: rules only read).
  const cached = PARSED_POLICIES.get(policy);
  if (cached) return cached;
  let doc: { Statement?: Statement | Statement[] };
  try {
    doc = JSON.parse(policy) as typeof doc;
  } catch {
    throw new Error(`a policy is not a literal JSON document the guardrails can read: ${String(policy).slice(0, 80)}`);
  }
  if (!doc || typeof doc !== "object" || doc.Statement === undefined) throw new Error("a policy document has no Statement");
  const statements = deepFreeze((Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]).filter((s): s is Statement => !!s && typeof s === "object"));
  if (PARSED_POLICIES.size >= 20000) PARSED_POLICIES.clear();
  PARSED_POLICIES.set(policy, statements);
  return statements;
}

/** The statements of a policy attribute, none where the resource has no policy (a missing resource, an unset attribute). */
export function policyStatements(policy: unknown): Statement[] {
  return typeof policy === "string" ? statementsOf(policy) : [];
}

/** A statement's condition value for one operator and key (`undefined` where it has none). */
export function conditionValue(s: Statement, operator: string, key: string): string | string[] | undefined {
  return s.Condition?.[operator]?.[key];
}

const PARSED_POLICIES = new Map<string, Statement[]>();

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}

/** Condition keys that pin a caller (or the calling service's source) to one account. */
const ACCOUNT_KEYS = ["aws:PrincipalAccount", "aws:SourceAccount", "kms:CallerAccount", "aws:ResourceAccount"];

/** True when the statement's conditions limit it to `accountId` (an equality on an account key). */
export function limitedToAccount(s: Statement, accountId: string): boolean {
  return Object.entries(s.Condition ?? {}).some(([op, kv]) => /^String(Equals|Like)$/.test(op) && ACCOUNT_KEYS.some((k) => JSON.stringify(asList(kv[k])) === JSON.stringify([accountId])));
}

/** The AWS principals a statement names (`*` for a bare wildcard principal). */
export function principalArns(principal: Statement["Principal"]): string[] {
  if (principal === undefined) return [];
  if (principal === "*") return ["*"];
  return asList(principal.AWS);
}

/** The service principals a statement names. */
export function principalServices(principal: Statement["Principal"]): string[] {
  if (principal === undefined || principal === "*") return [];
  return asList(principal.Service);
}

/**
 * True when an IAM action pattern matches `action` as IAM matches it: case-insensitively, `*`
 * standing for any run of characters and `?` for one, anywhere in the pattern (`kms:*crypt`,
 * `s3:Get*`, `secretsmanager:GetSecretValu?`).
 */
export function actionPatternMatches(pattern: string, action: string): boolean {
  let compiled = ACTION_PATTERNS.get(pattern);
  if (!compiled) {
    const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
    compiled = new RegExp(`^${escaped}$`, "i");
    if (ACTION_PATTERNS.size >= 5000) ACTION_PATTERNS.clear();
    ACTION_PATTERNS.set(pattern, compiled);
  }
  return compiled.test(action);
}

/** The action patterns compiled so far (the rules match the same few dozen patterns against every statement). */
const ACTION_PATTERNS = new Map<string, RegExp>();

/**
 * True when a key policy lets `roleArn` call `action`: named as a principal, or by `aws:PrincipalArn`
 * under the account root (`root`), or through the root's unconditioned delegation to IAM; and, if
 * `viaService` is given, through that service (`kms:ViaService`) or any.
 */
export function keyPolicyAdmits(policy: readonly Statement[], root: string, roleArn: string, action: string, viaService?: string): boolean {
  return policy.some((s) => {
    if (s.Effect !== "Allow" || !asList(s.Action).some((a) => actionPatternMatches(a, action))) return false;
    const arns = principalArns(s.Principal);
    const named = arns.includes(roleArn) || (arns.includes(root) && (s.Condition === undefined || asList(s.Condition.ArnEquals?.["aws:PrincipalArn"]).includes(roleArn)));
    const via = asList(s.Condition?.StringEquals?.["kms:ViaService"]);
    return named && (viaService === undefined || via.length === 0 || via.includes(viaService));
  });
}
