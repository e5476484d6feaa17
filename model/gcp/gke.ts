/**
 * The GKE cluster of a GCP region: the nodes' project roles, the control-plane log components,
 * the outputs the cluster stacks read, its Artifact Registry repository.
 */
import type { GcpRegionConfig } from "../../config/schema";

/** The only project roles the nodes get: write their logs and metrics (images come from one repository). */
export const GKE_NODE_ROLES = ["roles/logging.logWriter", "roles/monitoring.metricWriter", "roles/monitoring.viewer", "roles/stackdriver.resourceMetadata.writer"];

/** Control-plane log components, all on (PCI DSS 10.2). */
export const GKE_LOG_COMPONENTS = ["SYSTEM_COMPONENTS", "APISERVER", "CONTROLLER_MANAGER", "SCHEDULER", "WORKLOADS"];

/** Outputs the mesh stacks read (through the state of `region-<name>`). */
export const GKE_OUTPUT_IDS = {
  name: "gke_cluster_name",
  endpoint: "gke_cluster_endpoint",
  certificateAuthority: "gke_cluster_certificate_authority",
} as const;

/** The region's Artifact Registry host and repository path (`<host>/<project>/<repository>`). */
export function artifactRegistry(region: Pick<GcpRegionConfig, "cloudRegion" | "projectId" | "naming" | "name">): string {
  return `${region.cloudRegion}-docker.pkg.dev/${region.projectId}/${region.naming.prefix}-${region.name}`;
}
