/**
 * The VPC of a GCP region: Google's health-check ranges, the ports the firewall opens, the services
 * the VPC Service Controls perimeter restricts.
 */

import type { GcpRegionConfig } from "../../config/schema";

/** The PSC NAT subnet's name (GcpPrivateNetwork's `<prefix>-<name>-psc-nat`), which the partner API's service attachment names. */
export function pscNatSubnetName(region: Pick<GcpRegionConfig, "naming" | "name">): string {
  return `${region.naming.prefix}-${region.name}-psc-nat`;
}

/** Google's health checkers (documented ranges): internal load balancers need them to reach backends. */
export const GOOGLE_HEALTH_CHECK_RANGES = ["35.191.0.0/16", "130.211.0.0/22"];

/** The services the perimeter restricts: the region's data services and what guards them. */
export const PERIMETER_SERVICES = [
  "sqladmin.googleapis.com",
  "storage.googleapis.com",
  "managedkafka.googleapis.com",
  "cloudkms.googleapis.com",
  "container.googleapis.com",
  "artifactregistry.googleapis.com",
  "logging.googleapis.com",
  // What GKE's nodes and Workload Identity call as well: the VPC may reach restricted services only.
  "monitoring.googleapis.com",
  "sts.googleapis.com",
  "iamcredentials.googleapis.com",
  "compute.googleapis.com",
  // GKE's system images come from gcr.io: the VPC reaches them only as a restricted service.
  "containerregistry.googleapis.com",
  // The mesh's workload CA (the CAS issuer requests every workload certificate there).
  "privateca.googleapis.com",
];

/** The resources the perimeter protects, by type: it is created after all of them (enforced in their wave, it could stop the apply). */
export const PERIMETER_PROTECTED_TYPES = [
  "google_sql_database_instance",
  "google_managed_kafka_cluster",
  "google_storage_bucket",
  "google_container_cluster",
  "google_container_node_pool",
  "google_artifact_registry_repository",
  "google_logging_project_bucket_config",
  "google_privateca_ca_pool",
  "google_privateca_certificate_authority",
];

/** Ports the nodes may open towards the data tier: PostgreSQL and Kafka (TLS). */
export const GCP_DATA_TIER_PORTS = [
  { port: 5432, label: "Cloud SQL (PostgreSQL over TLS)" },
  { port: 3307, label: "Cloud SQL connectors (IAM-authenticated TLS)" },
  { port: 9092, label: "Managed Kafka (TLS, IAM)" },
];

/** Ports the control plane needs on the nodes beyond what GKE opens itself (Istio, istio/istio#38930). */
export const GCP_CONTROL_PLANE_TO_NODE_PORTS = [15017, 15012];
