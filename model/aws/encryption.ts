/**
 * Encryption at rest on AWS: for each data store type, whether a synthesized resource is
 * encrypted, the key it names, and the key purposes allowed to protect it (PCI DSS 3.5). The
 * guardrail encryption.customer-managed-key checks it; the report's encryption map shows it.
 */
import { type TfJson, resourcesOf, asList, one, truthy } from "../../tfjson/terraform";
import { keyOfReference } from "../../tfjson/aws";
import { DR_KEY_ALIASES } from "./keys";

/**
 * How each data store of the AWS stacks is encrypted at rest: whether it is, the KMS key
 * reference(s) it names, and the key purpose(s) allowed to protect it. S3 buckets are handled by
 * the audit rules (their encryption lives in a separate resource, and log-delivery buckets must
 * use SSE-S3).
 */
interface AtRest {
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
  // The mesh's counters: AMP's managed collector cannot write under a customer managed key (MeshMetrics suppresses this, with its reason).
  aws_prometheus_workspace: { holds: "mesh request and handshake counters", encrypted: (b) => b.kms_key_arn !== undefined, keys: (b) => [b.kms_key_arn], purposes: () => ["logs"] },
  aws_sqs_queue: { holds: "messages", encrypted: (b) => b.kms_master_key_id !== undefined, keys: (b) => [b.kms_master_key_id], purposes: () => [] },
  // The security topic's alerts name resources and principals: under the alerts key.
  aws_sns_topic: { holds: "alert messages", encrypted: (b) => b.kms_master_key_id !== undefined, keys: (b) => [b.kms_master_key_id], purposes: () => ["alerts"] },
  aws_dynamodb_table: { holds: "items", encrypted: (b) => truthy(one(b.server_side_encryption).enabled), keys: (b) => [one(b.server_side_encryption).kms_key_arn], purposes: () => [] },
  aws_efs_file_system: { holds: "files", encrypted: (b) => truthy(b.encrypted), keys: (b) => [b.kms_key_id], purposes: () => [] },
};

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
