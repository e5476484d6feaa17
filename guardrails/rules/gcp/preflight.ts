/**
 * Preflight on Google Cloud: what the first `cdktf deploy` of a GCP region needs that a plan cannot
 * show (the provider cannot be installed here, so these are read from the synthesized JSON only).
 */
import type { GcpRegionConfig } from "../../../config/schema";
import { TfJson, allResources, asList, one, resourcesOf, waitsFor } from "../../../tfjson/terraform";
import { GCP_ENCRYPTION_AT_REST } from "../../../model/gcp/encryption";
import { PERIMETER_PROTECTED_TYPES } from "../../../model/gcp/network";
import { stackRules } from "../../rule";
import { appliedPerimeterConfig } from "./common";

/** Seconds in a time_sleep duration such as "120s" or "2m". */
function seconds(duration: unknown): number {
  const m = /^(\d+)(s|m|h)$/.exec(String(duration));
  return m ? Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2] as "s" | "m" | "h"] : 0;
}

export const GCP_PREFLIGHT_RULES = stackRules<GcpRegionConfig>({ layers: ["gcp"] }, [
  {
    id: "preflight.cmek-grant-propagated",
    requirement: "3.6.1, 12.5",
    fix: "Make every resource that names a Cloud KMS key wait for the key's grant to its service agent and a time_sleep of at least 60 s after it (GcpRegionKeys.after).",
    description:
      "every CMEK consumer waits until its key's grant to the service agent has propagated (a time_sleep of at least 60 s after the grant): consumers created right after the grant fail intermittently",
    check: ({ json }) => {
      const v: string[] = [];
      const grantsByKey = new Map<string, string[]>();
      for (const [n, g] of resourcesOf(json, "google_kms_crypto_key_iam_member")) {
        // Google's service agents (service-<project number>@...): the CMEK consumers' identities.
        if (!/^serviceAccount:service-\d+@/.test(String(g.member))) continue;
        grantsByKey.set(String(g.crypto_key_id), [...(grantsByKey.get(String(g.crypto_key_id)) ?? []), `google_kms_crypto_key_iam_member.${n}`]);
      }
      const sleeps = resourcesOf(json, "time_sleep").map(([n, s]) => ({ address: `time_sleep.${n}`, after: waitsFor(s), long: seconds(s.create_duration) >= 60 }));
      for (const [type, spec] of Object.entries(GCP_ENCRYPTION_AT_REST)) {
        for (const [n, body] of resourcesOf(json, type)) {
          const before = waitsFor(body);
          for (const key of spec.keys(body)) {
            for (const grant of grantsByKey.get(String(key)) ?? []) {
              const waited = sleeps.some((s) => s.long && s.after.has(grant) && before.has(s.address));
              if (!waited) v.push(`${type}.${n}: does not wait for ${grant} to propagate (a time_sleep of at least 60 s after it)`);
            }
          }
        }
      }
      return v;
    },
  },
  {
    id: "preflight.perimeter-staged",
    requirement: "1.3.1, 12.5",
    fix: "Deploy the perimeter as a dry run first (vpcServiceControls.enforced false: spec with use_explicit_dry_run_spec), enforce it once its logs show nothing needed is denied, order it after everything it protects, give it a break-glass ingress, and set the provider's quota project (user_project_override, billing_project).",
    description:
      "a VPC Service Controls perimeter cannot lock the deploy out half-way: a dry-run spec until the region file enforces it, ordered after every data service it protects, with a break-glass way in, and Access Context Manager called with a quota project",
    check: ({ json, region }) => {
      const sc = region.vpcServiceControls;
      const perimeters = resourcesOf(json, "google_access_context_manager_service_perimeter");
      if (!sc) return perimeters.map(([n]) => `google_access_context_manager_service_perimeter.${n}: the region file names no access policy`);
      const v: string[] = [];
      for (const [n, p] of perimeters) {
        const a = `google_access_context_manager_service_perimeter.${n}`;
        if (sc.enforced && asList(p.status).length === 0) v.push(`${a}: enforced in the region file, but has no status`);
        if (!sc.enforced && (asList(p.status).length > 0 || p.use_explicit_dry_run_spec !== true || asList(p.spec).length === 0)) v.push(`${a}: enforced before its dry run (status set, or no dry-run spec); set vpcServiceControls.enforced only after the dry run`);
        const before = waitsFor(p);
        for (const type of PERIMETER_PROTECTED_TYPES) for (const [rn] of resourcesOf(json, type)) if (!before.has(`${type}.${rn}`)) v.push(`${a}: not ordered after ${type}.${rn}, which it protects`);
        const config = appliedPerimeterConfig(p, sc.enforced);
        const breakGlass = asList<TfJson>(config.ingress_policies).some((i) => JSON.stringify([...asList<string>(one(i.ingress_from).identities)].sort()) === JSON.stringify([...sc.breakGlass.identities].sort()));
        if (!breakGlass) v.push(`${a}: no break-glass ingress`);
      }
      const provider = asList<TfJson>(json.provider?.google)[0] ?? {};
      if (perimeters.length > 0 && (provider.user_project_override !== true || provider.billing_project !== region.projectId)) v.push("provider.google: no quota project (user_project_override, billing_project) for Access Context Manager");
      return v;
    },
  },
  {
    id: "preflight.workload-identity-after-cluster",
    requirement: "7.2.1, 12.5",
    fix: "Order every IAM member of <project>.svc.id.goog after the GKE cluster that enables Workload Identity (depends_on, as GkeCluster does).",
    description: "every IAM binding whose member is a Workload Identity principal (<project>.svc.id.goog) waits for the cluster that creates that pool: IAM refuses a member of a pool that does not exist yet",
    check: ({ json }) => {
      const clusters = resourcesOf(json, "google_container_cluster").filter(([, c]) => one(c.workload_identity_config).workload_pool).map(([n]) => `google_container_cluster.${n}`);
      const v: string[] = [];
      // Stryker disable next-line MethodExpression,Regex: equivalent (only the IAM resources of the google provider have member or members arguments)
      for (const [type, n, b] of allResources(json).filter(([t]) => /^google_.*_iam_(member|binding)$/.test(t))) {
        const members = [...asList<string>(b.members), ...asList<string>(b.member)];
        if (!members.some((m) => m.includes(".svc.id.goog["))) continue;
        const before = waitsFor(b);
        if (!clusters.some((c) => before.has(c))) v.push(`${type}.${n}: names a Workload Identity principal but does not wait for the cluster that creates the pool (depends_on)`);
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
