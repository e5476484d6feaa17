/**
 * The Cloud KMS keys of a GCP region: one per purpose, their destroy delay, the service agent
 * that uses each.
 */

/** One Cloud KMS key per purpose (the GCP counterpart of RegionKeys' purposes). */
export const GCP_KEY_PURPOSES = ["database", "kafka", "audit", "gke-secrets", "logs", "disks", "registry", "tokenization"] as const;

export type GcpKeyPurpose = (typeof GCP_KEY_PURPOSES)[number];

/** Days a destroyed key version can still be restored (the AWS keys' 30-day deletion window). */
export const KEY_DESTROY_DELAY_DAYS = 30;

/**
 * The Google service agent that uses each key on the project's behalf (`service-<number>@...`):
 * it gets encrypt/decrypt on its key and no other. The tokenization key has no agent: the
 * tokenization service's own identity is granted it (GkeCluster's workload identities).
 */
export function serviceAgentOf(purpose: GcpKeyPurpose, projectNumber: string, loggingServiceAccount?: string): string | undefined {
  const agents: Record<GcpKeyPurpose, string | undefined> = {
    database: `service-${projectNumber}@gcp-sa-cloud-sql.iam.gserviceaccount.com`,
    kafka: `service-${projectNumber}@gcp-sa-managedkafka.iam.gserviceaccount.com`,
    audit: `service-${projectNumber}@gs-project-accounts.iam.gserviceaccount.com`,
    "gke-secrets": `service-${projectNumber}@container-engine-robot.iam.gserviceaccount.com`,
    // Cloud Logging's CMEK account where the project's settings name one (kms.loggingServiceAccount).
    logs: loggingServiceAccount ?? `service-${projectNumber}@gcp-sa-logging.iam.gserviceaccount.com`,
    disks: `service-${projectNumber}@compute-system.iam.gserviceaccount.com`,
    registry: `service-${projectNumber}@gcp-sa-artifactregistry.iam.gserviceaccount.com`,
    tokenization: undefined,
  };
  return agents[purpose];
}

/**
 * How long a consumer of a key waits after the key's grant to its service agent: IAM grants take
 * time to propagate, and Cloud SQL, GKE or Managed Kafka created right after fail intermittently.
 */
export const CMEK_GRANT_PROPAGATION = "120s";
