import { TfJson, ref, resourcesOf } from "../tfjson";

/** A parsed IAM policy statement (loosely typed: policies are data here). */
export interface Statement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: "*" | { AWS?: string | string[]; Service?: string | string[] };
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export function statementsOf(policy: string): Statement[] {
  const doc = JSON.parse(policy) as { Statement: Statement | Statement[] };
  return Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
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

export function preventsDestroy(body: TfJson): boolean {
  return body.lifecycle?.prevent_destroy === true;
}
