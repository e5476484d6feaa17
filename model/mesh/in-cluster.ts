/**
 * What the in-cluster stacks of a region install, per cloud: how they reach the cluster and its
 * registry, the mesh design the region declares, whether it has a workload CA, istiod's values.
 */
import type { AwsRegionConfig, RegionConfig } from "../../config/schema";
import { ecrRegistry, ISTIO_ECR_PATHS } from "../aws/registry";
import { EKS_OUTPUT_IDS } from "../aws/eks";
import { artifactRegistry, GKE_OUTPUT_IDS } from "../gcp/gke";
import { type MeshDesign, ISTIO_ROOT_NAMESPACE } from "./policies";
import { ISTIO_CSR_ADDRESS } from "./pki";
import { ACCESS_LOG_FORMAT, HANDSHAKE_STATS_REGEX } from "./telemetry";
import { EDGE_CALLER_PREFIX } from "./edge";

/**
 * How the in-cluster stacks reach a region's cluster and its private registry, per cloud: the
 * outputs of `region-<name>` they read, the credential plugin, and where Istio's images and charts
 * are mirrored (`<registry>/istio/<image>`, `oci://<registry>/charts/istio/<chart>`).
 */
export interface ClusterPlatform {
  readonly registry: string;
  readonly outputs: { readonly name: string; readonly endpoint: string; readonly certificateAuthority: string };
  /** What comes before the endpoint output in the provider's host (GKE outputs a bare address). */
  readonly hostPrefix: string;
  /** The credential plugin: short-lived tokens, never a static credential. */
  readonly exec: { readonly command: string; readonly args: (clusterName: string) => string[] };
}

export function clusterPlatform(region: RegionConfig): ClusterPlatform {
  if (region.cloud === "aws") {
    return {
      registry: ecrRegistry(region),
      outputs: EKS_OUTPUT_IDS,
      hostPrefix: "",
      exec: { command: "aws", args: (cluster) => ["eks", "get-token", "--cluster-name", cluster, "--region", region.cloudRegion, "--output", "json"] },
    };
  }
  return {
    registry: artifactRegistry(region),
    outputs: GKE_OUTPUT_IDS,
    hostPrefix: "https://",
    exec: { command: "gke-gcloud-auth-plugin", args: () => [] },
  };
}

/** The mesh a region declares, in the terms of the mesh model. */
export function meshDesign(region: RegionConfig): MeshDesign {
  return {
    trustDomain: region.mesh.trustDomain,
    workloads: region.services.map((s) => ({ name: s.name, namespace: s.namespace, serviceAccount: s.serviceAccount ?? s.name, port: s.port })),
    merchantNamespaces: region.mesh.merchantNamespaces,
    calls: [
      ...region.mesh.calls.map(({ cardholderData: _c, ...call }) => call),
      // Each partner route is a call from the partner, which the gateway's identity carries into the mesh.
      ...(region.edge?.partners ?? []).flatMap((p) => p.routes.map((r) => ({ from: `${EDGE_CALLER_PREFIX}${p.name}`, to: r.to, methods: r.methods, paths: r.paths }))),
    ],
    workloadCa: hasMeshPki(region),
    ...(region.edge ? { edge: region.edge } : {}),
  };
}

/** True where the region's workload certificates come from its intermediate in ACM PCA (stack `region-<name>-pki`). */
export function hasMeshPki(region: RegionConfig): region is AwsRegionConfig & { mesh: { rootCaArn: string } } {
  return region.cloud === "aws" && region.mesh.rootCaArn !== undefined;
}

/**
 * Helm values of the istiod release: private images, the region's trust domain, two replicas, JSON
 * access logs; where the region has an intermediate CA, istiod's own CA is off and istio-csr is
 * the mesh's CA (no CA key in the cluster).
 */
export function istiodValues(region: RegionConfig): Record<string, unknown> {
  const pki = hasMeshPki(region);
  return {
    global: {
      hub: `${clusterPlatform(region).registry}/${ISTIO_ECR_PATHS.images}`,
      tag: region.mesh.istioVersion,
      istioNamespace: ISTIO_ROOT_NAMESPACE,
      imagePullPolicy: "IfNotPresent",
      logAsJson: true,
      ...(pki ? { caAddress: ISTIO_CSR_ADDRESS } : {}),
    },
    meshConfig: {
      trustDomain: region.mesh.trustDomain,
      // Every request through a sidecar is logged (PCI DSS 10.2), as JSON for the log pipeline:
      // who called whom, the answer and the handshake's result; no query string, no body.
      accessLogFile: "/dev/stdout",
      accessLogEncoding: "JSON",
      accessLogFormat: JSON.stringify(ACCESS_LOG_FORMAT),
      // Envoy's counters of failed handshakes on each sidecar's metrics endpoint (off by default).
      defaultConfig: { proxyStatsMatcher: { inclusionRegexps: [HANDSHAKE_STATS_REGEX] } },
    },
    // istiod's own settings sit at the top level since Istio 1.24 (the chart copies a legacy
    // `pilot` block over them only for compatibility).
    autoscaleMin: 2,
    replicaCount: 2,
    ...(pki ? { env: { ENABLE_CA_SERVER: "false" } } : {}),
  };
}
