import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import { Construct } from "constructs";
import { RegionConfig } from "../../config/schema";
import { MeshManifest, meshManifests } from "../../model/mesh/policies";
import { meshDesign } from "../../model/mesh/in-cluster";
import { type PodMonitoring, sidecarPodMonitoring } from "../../model/mesh/alerts";
import { workloadNamespaces } from "../../model/mesh/policies";
import { ClusterStack } from "./cluster-stack";

/**
 * `region-<name>-mesh`: the mesh's policies as `kubernetes_manifest`s, planned only once Istio's
 * CRDs exist (after `region-<name>-istio`): STRICT mTLS, deny-all in every workload namespace, the
 * ALLOW policies of the declared calls, every workload namespace's NetworkPolicies; on GKE, the
 * sidecars' scrape (PodMonitoring).
 */
export class MeshStack extends ClusterStack {
  readonly manifests: readonly (MeshManifest | PodMonitoring)[];

  constructor(scope: Construct, region: RegionConfig, peers?: readonly RegionConfig[]) {
    super(scope, region, "mesh", peers);
    // The remote services' ServiceEntries name this region's interface endpoints (region-<name>'s outputs).
    const design = meshDesign(region, this.peers, (id) => this.regionState.getString(id));
    // On GKE, Managed Service for Prometheus scrapes the sidecars of each workload namespace (the
    // mesh's alerts; on EKS, AMP's collector scrapes them from region-<name>).
    const monitoring = region.cloud === "gcp" ? workloadNamespaces(design).map((ns) => sidecarPodMonitoring(ns.name)) : [];
    this.manifests = [...meshManifests(design), ...monitoring];
    const scopes = new Map<string, Construct>();
    for (const m of this.manifests) {
      // Cluster-scoped objects (the workload pod policy and its binding) under "_cluster" (no namespace can be named so).
      const namespace = m.metadata!.namespace ?? "_cluster";
      let nsScope = scopes.get(namespace);
      if (!nsScope) scopes.set(namespace, (nsScope = new Construct(this, namespace)));
      new Manifest(nsScope, `${m.kind}-${m.metadata!.name}`, { manifest: m as unknown as Record<string, unknown> });
    }
  }
}
