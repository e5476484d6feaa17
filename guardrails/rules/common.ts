import { TfJson, ref, resourcesOf } from "../../tfjson/terraform";

/** A parsed IAM policy statement (loosely typed: policies are data here). */
export interface Statement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: "*" | { AWS?: string | string[]; Service?: string | string[] };
  Action: string | string[];
  Resource?: string | string[];
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

const PARSED_POLICIES = new Map<string, Statement[]>();

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}

export function asList<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** The first (or only) element of a nested block, `{}` when absent: cdktf writes single blocks as objects, Terraform as lists. */
export function one(value: unknown): TfJson {
  return (asList(value as TfJson | TfJson[])[0] ?? {}) as TfJson;
}

/** A boolean argument, written as a boolean or (in some blocks) as the string "true". */
export function truthy(value: unknown): boolean {
  return value === true || value === "true";
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

/** The resource name in a reference `${type.name.attr}` (the inverse of `ref`), or undefined. */
export function refName(value: unknown, type: string, attr: string): string | undefined {
  const m = /^\$\{([^.]+)\.([^.]+)\.([^.}]+)\}$/.exec(String(value));
  return m && m[1] === type && m[3] === attr ? m[2] : undefined;
}

/** The references (`${aws_subnet.<name>.id}`) of a tier's subnets, by the Tier tag, sorted. */
export function tierSubnetRefs(json: TfJson, tier: string): string[] {
  return resourcesOf(json, "aws_subnet")
    .filter(([, s]) => s.tags?.Tier === tier)
    .map(([n]) => ref("aws_subnet", n, "id"))
    .sort();
}

/** The resource name of the KMS key an alias targets, by the alias's full name. */
export function aliasTarget(json: TfJson, aliasName: string): string | undefined {
  const alias = resourcesOf(json, "aws_kms_alias").find(([, a]) => a.name === aliasName)?.[1];
  return alias ? refName(alias.target_key_id, "aws_kms_key", "key_id") : undefined;
}

/** The resource name of the KMS key whose alias ends with `/<suffix>`, via the alias's target. */
export function keyNameByAlias(json: TfJson, suffix: string): string | undefined {
  const alias = resourcesOf(json, "aws_kms_alias").find(([, a]) => typeof a.name === "string" && a.name.endsWith(`/${suffix}`))?.[1];
  return alias ? refName(alias.target_key_id, "aws_kms_key", "key_id") : undefined;
}

/** True when `value` is the ARN reference of the named KMS key. */
export function isKeyArnRef(value: unknown, keyName: string | undefined): boolean {
  return keyName !== undefined && value === `\${aws_kms_key.${keyName}.arn}`;
}

/** The resource of `type` whose `bucket` points at the bucket named `bucketName`. */
export function forBucket(json: TfJson, type: string, bucketName: string): [string, TfJson] | undefined {
  return resourcesOf(json, type).find(([, r]) => r.bucket === ref("aws_s3_bucket", bucketName, "id"));
}

export function preventsDestroy(body: TfJson): boolean {
  return body.lifecycle?.prevent_destroy === true;
}

/** JSON with object keys sorted (the synthesized JSON sorts them; the model does not). */
const canonical = (x: unknown): string =>
  JSON.stringify(x, (_k, value: unknown) =>
    value && typeof value === "object" && !Array.isArray(value) ? Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : value,
  );

/** True when two JSON values are equal whatever the order of object keys. */
export function sameJson(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

/** A Helm release's arguments that change it outside its one reviewed values document. */
export function helmOverrideProblems(address: string, release: TfJson): string[] {
  return ["set", "set_list", "set_sensitive", "set_wo", "postrender"].filter((key) => release[key] !== undefined).map((key) => `${address}: ${key} changes the release outside the reviewed values document`);
}
