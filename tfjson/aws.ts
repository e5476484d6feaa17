/**
 * Reading an AWS stack's synthesized JSON: subnets by tier, keys by alias, the bucket a
 * resource configures, and how each data store is encrypted at rest (with the key purpose that
 * must protect it). Guardrails and reports read the stack through these.
 */
import { type TfJson, resourcesOf, ref, refName, asList, one, truthy } from "./terraform";
import { DR_KEY_ALIASES } from "../model/aws/keys";

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

/**
 * How each data store of the AWS stacks is encrypted at rest: whether it is, the KMS key
 * reference(s) it names, and the key purpose(s) allowed to protect it. The rule below and the
 * report's encryption map both read it. S3 buckets are handled by the audit rules (their
 * encryption lives in a separate resource, and log-delivery buckets must use SSE-S3).
 */
export interface AtRest {
  /** What the store holds, for the report. */
  readonly holds: string;
  readonly encrypted: (body: TfJson) => boolean;
  /** The key references the store names (empty: AWS-owned or AWS-managed key). */
  readonly keys: (body: TfJson) => unknown[];
  /** Alias suffixes (purposes) of the keys allowed to protect it. */
  readonly purposes: (body: TfJson) => readonly string[];
}

export const ENCRYPTION_AT_REST: Readonly<Record<string, AtRest>> = {
  aws_rds_cluster: { holds: "cardholder data (tokens, payments)", encrypted: (b) => truthy(b.storage_encrypted), keys: (b) => [b.kms_key_id], purposes: () => ["database"] },
  aws_rds_cluster_instance: {
    holds: "Performance Insights data",
    encrypted: (b) => truthy(b.performance_insights_enabled),
    keys: (b) => [b.performance_insights_kms_key_id],
    purposes: () => ["database"],
  },
  aws_db_instance: { holds: "database storage", encrypted: (b) => truthy(b.storage_encrypted), keys: (b) => [b.kms_key_id], purposes: () => ["database"] },
  aws_msk_cluster: {
    holds: "payment events (tokens)",
    encrypted: (b) => one(b.encryption_info).encryption_at_rest_kms_key_arn !== undefined,
    keys: (b) => [one(b.encryption_info).encryption_at_rest_kms_key_arn],
    purposes: () => ["kafka"],
  },
  aws_cloudwatch_log_group: { holds: "audit and service logs", encrypted: (b) => b.kms_key_id !== undefined, keys: (b) => [b.kms_key_id], purposes: () => ["logs"] },
  aws_secretsmanager_secret: {
    holds: "credentials",
    encrypted: (b) => b.kms_key_id !== undefined,
    keys: (b) => [b.kms_key_id],
    // MSK reads SCRAM secrets with the kafka key (it cannot use the default key).
    purposes: (b) => (String(b.name).startsWith("AmazonMSK_") ? ["kafka"] : ["secrets-manager"]),
  },
  aws_ecr_repository: {
    holds: "container images and charts",
    encrypted: (b) => one(b.encryption_configuration).encryption_type === "KMS",
    keys: (b) => [one(b.encryption_configuration).kms_key],
    purposes: () => ["ecr"],
  },
  aws_eks_cluster: {
    holds: "Kubernetes secrets",
    encrypted: (b) => asList(one(b.encryption_config).resources).includes("secrets"),
    keys: (b) => [one(one(b.encryption_config).provider).key_arn],
    purposes: () => ["eks-secrets"],
  },
  aws_launch_template: {
    holds: "node volumes",
    encrypted: (b) => asList<TfJson>(b.block_device_mappings).length > 0 && asList<TfJson>(b.block_device_mappings).every((m) => truthy(one(m.ebs).encrypted)),
    keys: (b) => asList<TfJson>(b.block_device_mappings).map((m) => one(m.ebs).kms_key_id),
    purposes: () => ["ebs"],
  },
  aws_backup_vault: {
    holds: "database backups",
    encrypted: (b) => b.kms_key_arn !== undefined,
    keys: (b) => [b.kms_key_arn],
    // At home under the database key, in the partner region under its own.
    purposes: (b) => (b.provider === "aws.dr" ? [DR_KEY_ALIASES.database] : ["database"]),
  },
  aws_ebs_volume: { holds: "volume data", encrypted: (b) => truthy(b.encrypted), keys: (b) => [b.kms_key_id], purposes: () => ["ebs"] },
  aws_sqs_queue: { holds: "messages", encrypted: (b) => b.kms_master_key_id !== undefined, keys: (b) => [b.kms_master_key_id], purposes: () => [] },
  aws_sns_topic: { holds: "messages", encrypted: (b) => b.kms_master_key_id !== undefined, keys: (b) => [b.kms_master_key_id], purposes: () => [] },
  aws_dynamodb_table: { holds: "items", encrypted: (b) => truthy(one(b.server_side_encryption).enabled), keys: (b) => [one(b.server_side_encryption).kms_key_arn], purposes: () => [] },
  aws_efs_file_system: { holds: "files", encrypted: (b) => truthy(b.encrypted), keys: (b) => [b.kms_key_id], purposes: () => [] },
};

/** The KMS key (resource name) a reference names, whatever attribute it uses. */
export function keyOfReference(value: unknown): string | undefined {
  for (const attr of ["arn", "key_id", "id"]) {
    const name = refName(value, "aws_kms_key", attr);
    if (name) return name;
  }
  return undefined;
}

/** `[address, store, key name]` of every encrypted store of a stack, for the report. */
export function encryptedStores(json: TfJson): { address: string; type: string; holds: string; keys: string[] }[] {
  return Object.entries(ENCRYPTION_AT_REST).flatMap(([type, spec]) =>
    resourcesOf(json, type).map(([name, body]) => ({
      address: `${type}.${name}`,
      type,
      holds: spec.holds,
      keys: spec.encrypted(body) ? spec.keys(body).map((k) => keyOfReference(k) ?? String(k)) : [],
    })),
  );
}
