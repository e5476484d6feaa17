/**
 * The KMS keys of an AWS region: one per purpose, the DR partner's own keys, and what a retired
 * tokenization key refuses.
 */

/** What each customer-managed key protects. One key per purpose (PCI DSS 3.6, 3.7). */
export const KEY_PURPOSES = ["database", "kafka", "audit", "eksSecrets", "logs", "secretsManager", "ebs", "ecr", "tokenization", "alerts"] as const;

export type KeyPurpose = (typeof KEY_PURPOSES)[number];

/** What a retired tokenization key refuses: every way to produce new ciphertext under it. */
export const RETIRED_KEY_DENIED_ACTIONS = ["kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncryptTo"] as const;

/** Alias suffixes of the partner region's keys (distinct from the home region's purposes). */
export const DR_KEY_ALIASES = { audit: "dr-audit", database: "dr-database" } as const;

/** Alias suffixes of the Kafka mirror's keys in the DR partner region (stack region-<name>-dr). */
export const DR_MIRROR_KEY_ALIASES = { kafka: "dr-kafka", logs: "dr-logs" } as const;

/** Alias suffix of each purpose, as the reference model names them. */
export const KEY_ALIAS_SUFFIXES: Readonly<Record<KeyPurpose, string>> = {
  database: "database",
  kafka: "kafka",
  audit: "audit",
  eksSecrets: "eks-secrets",
  logs: "logs",
  secretsManager: "secrets-manager",
  ebs: "ebs",
  ecr: "ecr",
  tokenization: "tokenization",
  alerts: "alerts",
};
