/**
 * Preflight on Google Cloud: what the first `cdktf deploy` of a GCP region needs that a plan cannot
 * show (the provider cannot be installed here, so these are read from the synthesized JSON only).
 */
import type { GcpRegionConfig } from "../../../config/schema";
import { TfJson, asList, one, resourcesOf } from "../../../tfjson/terraform";
import { stackRules } from "../../rule";

/** The resources a resource waits for: its depends_on and the resources its arguments reference. */
function waitsFor(body: TfJson): Set<string> {
  const out = new Set(asList<string>(body.depends_on).map((d) => d.replace(/^\$\{|\}$/g, "")));
  for (const m of JSON.stringify(body).matchAll(/\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\./g)) out.add(`${m[1]}.${m[2]}`);
  return out;
}

export const GCP_PREFLIGHT_RULES = stackRules<GcpRegionConfig>({ layers: ["gcp"] }, [
  {
    id: "preflight.workload-identity-after-cluster",
    requirement: "7.2.1, 12.5",
    fix: "Order every IAM member of <project>.svc.id.goog after the GKE cluster that enables Workload Identity (depends_on, as GkeCluster does).",
    description: "every IAM binding whose member is a Workload Identity principal (<project>.svc.id.goog) waits for the cluster that creates that pool: IAM refuses a member of a pool that does not exist yet",
    check: ({ json }) => {
      const clusters = resourcesOf(json, "google_container_cluster").filter(([, c]) => one(c.workload_identity_config).workload_pool).map(([n]) => `google_container_cluster.${n}`);
      const v: string[] = [];
      for (const type of Object.keys(json.resource ?? {}).filter((t) => /^google_.*_iam_(member|binding)$/.test(t))) {
        for (const [n, b] of resourcesOf(json, type)) {
          const members = [...asList<string>(b.members), ...(b.member ? [String(b.member)] : [])];
          if (!members.some((m) => m.includes(".svc.id.goog["))) continue;
          const before = waitsFor(b);
          if (!clusters.some((c) => before.has(c))) v.push(`${type}.${n}: names a Workload Identity principal but does not wait for the cluster that creates the pool (depends_on)`);
        }
      }
      return v;
    },
  },
  {
    id: "preflight.node-pool-starts-with-nodes",
    requirement: "12.10",
    fix: "Set the node pool's initial_node_count to its autoscaling minimum per zone (GkeCluster does).",
    description: "every autoscaled GKE node pool starts with at least its minimum of nodes per zone: an empty pool grows only for pods already pending, so the platform's own pods would wait",
    check: ({ json }) =>
      resourcesOf(json, "google_container_node_pool").flatMap(([n, p]) => {
        const min = Number(one(p.autoscaling).min_node_count ?? one(p.autoscaling).total_min_node_count ?? 0);
        const initial = Number(p.initial_node_count ?? p.node_count ?? 0);
        return initial < Math.max(1, min) ? [`google_container_node_pool.${n}: starts with ${initial} node(s) per zone, its minimum is ${min}`] : [];
      }),
  },
]);
