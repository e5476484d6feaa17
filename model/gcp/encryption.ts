/**
 * Encryption at rest on Google Cloud: for each data store type, the key a synthesized resource
 * names and the key purpose it must have. The guardrail gcp.cmek checks it; the report shows it.
 */
import { type TfJson, one } from "../../tfjson/terraform";
import type { GcpKeyPurpose } from "./keys";

/** How each Google data store names its key, and the purpose it must have. */
export const GCP_ENCRYPTION_AT_REST: Readonly<Record<string, { holds: string; purpose: GcpKeyPurpose; keys: (b: TfJson) => unknown[] }>> = {
  google_sql_database_instance: { holds: "cardholder data (tokens, payments)", purpose: "database", keys: (b) => [b.encryption_key_name] },
  google_managed_kafka_cluster: { holds: "payment events (tokens)", purpose: "kafka", keys: (b) => [one(b.gcp_config).kms_key] },
  google_storage_bucket: { holds: "audit records and access logs", purpose: "audit", keys: (b) => [one(b.encryption).default_kms_key_name] },
  google_container_cluster: { holds: "Kubernetes secrets; the first nodes' disks", purpose: "gke-secrets", keys: (b) => [one(b.database_encryption).key_name] },
  google_container_node_pool: { holds: "node boot disks", purpose: "disks", keys: (b) => [one(b.node_config).boot_disk_kms_key] },
  google_artifact_registry_repository: { holds: "container images and charts", purpose: "registry", keys: (b) => [b.kms_key_name] },
  google_logging_project_bucket_config: { holds: "every log of the project", purpose: "logs", keys: (b) => [one(b.cmek_settings).kms_key_name] },
  google_compute_disk: { holds: "disk data", purpose: "disks", keys: (b) => [one(b.disk_encryption_key).kms_key_self_link] },
};
