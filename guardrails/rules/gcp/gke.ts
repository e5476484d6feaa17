/** GKE: the private, hardened cluster. */
import type { GcpRegionConfig } from "../../../config/schema";
import { resourceRules } from "../../rule";
import { asList, one } from "../../../tfjson/terraform";
import { GKE_LOG_COMPONENTS } from "../../../model/gcp/gke";

export const GCP_GKE_RULES = resourceRules<GcpRegionConfig>({ layers: ["gcp"] }, [
  {
    id: "gcp.gke-hardened",
    requirement: "1.3, 2.2, 3.5.1, 7.2, 8.2, 10.2",
    fix: "Create the cluster through GkeCluster: Workload Identity, Dataplane V2, shielded nodes with secure boot, GKE metadata server, all control-plane logs, no client certificates or legacy ABAC, deletion protection, the nodes' own service account.",
    description: "GKE runs Workload Identity, Dataplane V2 (NetworkPolicy enforced), shielded nodes with secure boot and the GKE metadata server, every control-plane log, no client certificates or legacy ABAC, deletion protection, and nodes under their own service account in every zone",
    resourceTypes: ["google_container_cluster", "google_container_node_pool"],
    check: (b, { stack, type }) => {
      const v: string[] = [];
      const node = one(b.node_config);
      if (type === "google_container_cluster") {
        if (!one(b.workload_identity_config).workload_pool) v.push("Workload Identity off");
        if (b.datapath_provider !== "ADVANCED_DATAPATH" && one(b.network_policy).enabled !== true) v.push("NetworkPolicies not enforced (no Dataplane V2 or network policy)");
        if (b.enable_shielded_nodes !== true) v.push("shielded nodes off");
        const logs = asList<string>(one(b.logging_config).enable_components);
        for (const c of GKE_LOG_COMPONENTS) if (!logs.includes(c)) v.push(`control-plane log ${c} off`);
        if (one(one(b.master_auth).client_certificate_config).issue_client_certificate !== false) v.push("client certificates may be issued");
        if (b.enable_legacy_abac === true) v.push("legacy ABAC on");
        if (b.deletion_protection !== true) v.push("not deletion-protected");
      }
      if (one(node.shielded_instance_config).enable_secure_boot !== true) v.push("nodes boot without secure boot");
      if (one(node.workload_metadata_config).mode !== "GKE_METADATA") v.push("pods can reach the node's metadata server (workload metadata mode is not GKE_METADATA)");
      if (!node.service_account || node.service_account === "default" || String(node.service_account).includes("-compute@developer")) v.push("nodes run as the Compute Engine default service account");
      const zones = asList<string>(b.node_locations);
      if (stack.region.zones.some((z) => !zones.includes(z))) v.push(`nodes not in every zone (${zones.join(", ") || "none"})`);
      if (type === "google_container_node_pool" && one(b.management).auto_repair !== true) v.push("auto-repair off");
      return v;
    },
  },
]);
