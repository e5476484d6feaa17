/**
 * Reading an AWS stack's synthesized JSON: subnets by tier, keys by alias or by reference, the
 * resource that configures a bucket.
 */
import { type TfJson, asList, attributeOf, one, resourcesOf, ref, refName } from "./terraform";
import { type Statement, policyStatements } from "./iam-policy";

/** The references (`${aws_subnet.<name>.id}`) of a tier's subnets, by the Tier tag, sorted. */
export function tierSubnetRefs(json: TfJson, tier: string): string[] {
  return resourcesOf(json, "aws_subnet")
    .filter(([, s]) => s.tags?.Tier === tier)
    .map(([n]) => ref("aws_subnet", n, "id"))
    .sort();
}

/** Every KMS alias of the stack with the resource name of the key it targets (aliases of keys outside the stack left out). */
export function kmsAliases(json: TfJson): { alias: string; key: string }[] {
  return resourcesOf(json, "aws_kms_alias")
    .map(([, a]) => ({ alias: String(a.name), key: refName(a.target_key_id, "aws_kms_key", "key_id") }))
    .filter((k): k is { alias: string; key: string } => k.key !== undefined);
}

/** The resource name of the KMS key an alias targets, by the alias's full name. */
export function aliasTarget(json: TfJson, aliasName: string): string | undefined {
  return kmsAliases(json).find((a) => a.alias === aliasName)?.key;
}

/** The resource name of the KMS key whose alias ends with `/<suffix>`, via the alias's target. */
export function keyNameByAlias(json: TfJson, suffix: string): string | undefined {
  return kmsAliases(json).find((a) => a.alias.endsWith(`/${suffix}`))?.key;
}

/** The statements of the policy of the key whose alias ends with `/<suffix>` (none without such a key). */
export function keyPolicyStatements(json: TfJson, suffix: string): Statement[] {
  return policyStatements(attributeOf(json, "aws_kms_key", keyNameByAlias(json, suffix), "policy"));
}

/** The statements of the policy a bucket of the stack has (none without one). */
export function bucketPolicyStatements(json: TfJson, bucketName: string): Statement[] {
  return policyStatements(forBucket(json, "aws_s3_bucket_policy", bucketName)?.[1].policy);
}

/** The region a KMS key of the stack lives in: `partner` for the DR provider's keys (alias `dr`), `home` otherwise. */
export function keyRegionOf(json: TfJson, keyName: string, home: string, partner: string | undefined): string {
  return json.resource?.aws_kms_key?.[keyName]?.provider === "aws.dr" && partner ? partner : home;
}

/** True when `value` is the ARN reference of the named KMS key. */
export function isKeyArnRef(value: unknown, keyName: string | undefined): boolean {
  return keyName !== undefined && value === `\${aws_kms_key.${keyName}.arn}`;
}

/** The resource of `type` whose `bucket` points at the bucket named `bucketName`. */
export function forBucket(json: TfJson, type: string, bucketName: string): [string, TfJson] | undefined {
  return resourcesOf(json, type).find(([, r]) => r.bucket === ref("aws_s3_bucket", bucketName, "id"));
}

/** The KMS key (resource name) a reference names, whatever attribute it uses. */
export function keyOfReference(value: unknown): string | undefined {
  for (const attr of ["arn", "key_id", "id"]) {
    const name = refName(value, "aws_kms_key", attr);
    if (name) return name;
  }
  return undefined;
}

/** The ports each load balancer's security group must reach on its targets in the VPC (ip or instance; traffic and health checks), by the group's reference. */
export function loadBalancerTargetPorts(json: TfJson): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  for (const [, listener] of resourcesOf(json, "aws_lb_listener")) {
    const lb = refName(listener.load_balancer_arn, "aws_lb", "arn");
    const groups = lb ? (asList(json.resource.aws_lb[lb]?.security_groups) as string[]) : [];
    for (const action of asList<TfJson>(listener.default_action)) {
      const tg = refName(action.target_group_arn, "aws_lb_target_group", "arn");
      const group = tg ? json.resource.aws_lb_target_group?.[tg] : undefined;
      // Targets on the nodes: their pods (ip) or the nodes themselves (instance, the default type).
      if (!group || !["ip", "instance", undefined].includes(group.target_type)) continue;
      for (const sg of groups) {
        const ports = out.get(sg) ?? new Set<number>();
        ports.add(Number(group.port));
        ports.add(Number(one(group.health_check).port ?? group.port));
        out.set(sg, ports);
      }
    }
  }
  return out;
}

/** The audit archive (the bucket named `<prefix>-<region>-audit-<account>`), if the stack has one. */
export function auditArchiveBucket(json: TfJson): [string, TfJson] | undefined {
  return resourcesOf(json, "aws_s3_bucket").find(([, b]) => String(b.bucket).includes("-audit-"));
}
