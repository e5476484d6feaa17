/** GKE: the private, hardened cluster. */
import { MERCHANT_NODES, hasMerchantTaint } from "../../../model/mesh/pod-security";
import type { GcpRegionConfig } from "../../../config/schema";
import { resourceRules, stackRules } from "../../rule";
import { TfJson, asList, one, resourcesOf } from "../../../tfjson/terraform";
import { GCP_DATA_TIER_PORTS } from "../../../model/gcp/network";
import { parseCidr, rangesOverlap } from "../../../config/cidr";
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

/** The merchants' own node pool (stack-wide: the pool, its service account and the firewall together). */
export const GCP_MERCHANT_NODE_RULES = stackRules<GcpRegionConfig>({ layers: ["gcp"] }, [
  {
    id: "gcp.merchant-nodes",
    requirement: "1.3.1, 1.4.4, 2.2.1",
    fix: "Keep GkeCluster's merchants' pool (props.merchantNodes, from gke.merchantNodes where the region has merchant namespaces): MERCHANT_NODES' taint and label, a service account of its own, which no firewall rule to the data tier names.",
    description:
      "where the region has merchant namespaces, the merchants run on a node pool of their own, tainted (NoSchedule) and labelled so that only their pods run there, under a service account of its own that no firewall rule allowing the data tier's ports targets (nor any such rule without targets, which would apply to every instance): a tenant that escapes its container lands on a node with no path to Cloud SQL or Kafka; where it has none, no such pool",
    check: ({ json, region }) => {
      const pools = resourcesOf(json, "google_container_node_pool").filter(([, p]) => hasMerchantTaint(asList<TfJson>(one(p.node_config).taint)));
      if (region.mesh.merchantNamespaces.length === 0) return pools.map(([n]) => `google_container_node_pool.${n}: a merchants' pool where the region has no merchant namespaces`);
      if (pools.length !== 1) return [`google_container_node_pool: ${pools.length} merchants' pools (tainted ${MERCHANT_NODES.taint.key}), expected 1`];
      const [pn, pool] = pools[0];
      const node = one(pool.node_config);
      const v: string[] = [];
      const taint = asList<TfJson>(node.taint).find((t) => t.key === MERCHANT_NODES.taint.key)!;
      if (taint.value !== MERCHANT_NODES.taint.value || taint.effect !== MERCHANT_NODES.taint.effect) v.push(`google_container_node_pool.${pn}: taint ${taint.key}=${taint.value}:${taint.effect}, expected ${MERCHANT_NODES.taint.value}:${MERCHANT_NODES.taint.effect}`);
      if (node.labels?.[MERCHANT_NODES.label.key] !== MERCHANT_NODES.label.value) v.push(`google_container_node_pool.${pn}: no label ${MERCHANT_NODES.label.key}=${MERCHANT_NODES.label.value} (the merchants' pods select it)`);
      const platform = resourcesOf(json, "google_container_node_pool").filter(([n]) => n !== pn).map(([, p]) => one(p.node_config).service_account);
      if (platform.includes(node.service_account)) return [...v, `google_container_node_pool.${pn}: runs as the platform nodes' service account (the firewall cannot tell the merchants apart)`];
      const dataPorts = new Set(GCP_DATA_TIER_PORTS.map((p) => String(p.port)));
      const data = parseCidr(region.network.dataCidr);
      // A destination that reaches the data subnet (or a range that is not a block, which cannot be told apart).
      const reachesData = (cidr: string) => {
        const r = parseCidr(cidr);
        // Stryker disable next-line ConditionalExpression,StringLiteral: equivalent for the data subnet's own test (the config rules hold dataCidr to a block)
        return typeof r === "string" || typeof data === "string" || rangesOverlap(r, data);
      };
      for (const [fn, f] of resourcesOf(json, "google_compute_firewall").filter(([, x]) => x.direction === "EGRESS" && x.allow !== undefined)) {
        const toData = asList<string>(f.destination_ranges).length === 0 || asList<string>(f.destination_ranges).some(reachesData);
        const opensData = toData && asList<TfJson>(f.allow).some((a) => a.protocol === "all" || asList(a.ports).length === 0 || asList<string>(a.ports).some((p) => dataPorts.has(p)));
        const targets = asList<string>(f.target_service_accounts);
        if (opensData && (targets.length === 0 || targets.includes(node.service_account))) v.push(`google_compute_firewall.${fn}: lets ${targets.length === 0 ? "every instance" : "the merchant nodes"} open the data tier's ports`);
      }
      return v;
    },
  },
]);
