/**
 * What the in-cluster stacks of a region install, per cloud: how they reach the cluster and its
 * registry, the mesh design the region declares, whether it has a workload CA, istiod's values.
 */
import type { RegionConfig } from "../../config/schema";
import { ecrRegistry, ISTIO_ECR_PATHS } from "../aws/registry";
import { EKS_OUTPUT_IDS } from "../aws/eks";
import { artifactRegistry, GKE_OUTPUT_IDS } from "../gcp/gke";
import { type ExternalDestination, type MeshDesign, type MeshSegmentation, ISTIO_ROOT_NAMESPACE } from "./policies";
import { POSTGRES_PORT } from "../aws/database";
import { KAFKA_PORTS } from "../aws/kafka";
import { GCP_DATA_TIER_PORTS } from "../gcp/network";
import { CA_ISSUERS, ISTIO_CSR_ADDRESS, MESH_CA_OUTPUT_IDS, casIssuer, meshCaIssuer } from "./pki";
import { CAS_OUTPUT_IDS } from "../gcp/pki";
import { ACCESS_LOG_FORMAT, HANDSHAKE_STATS_REGEX } from "./telemetry";
import { EDGE_CALLER_PREFIX, type EdgePartner, NODE_PORT_SERVICE, PARTNER_CERTIFICATE_LIFETIME, internalLoadBalancerService, partnerServerCertificate, partnerServiceAttachment } from "./edge";
import { pscNatSubnetName } from "../gcp/network";
import { MERCHANT_NODES, RUNTIME_DEFAULT_SECCOMP } from "./pod-security";
import { eastWestDesign } from "./cross-region";

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

/** How the model names an output of region-<name> where no stack reads it (the stacks and rules pass their own reader). */
const namedOutput = (region: RegionConfig) => (id: string) => `<region-${region.name} output ${id}>`;

/**
 * The mesh a region declares, in the terms of the mesh model; with its part of the path between
 * regions from the calls `peers` declare (the region's stacks pass every region), where it reads
 * region-<name>'s outputs through `output`.
 */
export function meshDesign(region: RegionConfig, peers: readonly RegionConfig[] = [region], output: (id: string) => string = namedOutput(region)): MeshDesign {
  const eastWest = eastWestDesign(region, peers, output);
  return {
    trustDomain: region.mesh.trustDomain,
    workloads: region.services.map((s) => ({ name: s.name, namespace: s.namespace, serviceAccount: s.serviceAccount ?? s.name, port: s.port, egress: workloadEgress(region, s) })),
    merchantNamespaces: region.mesh.merchantNamespaces,
    calls: [
      ...region.mesh.calls.map(({ cardholderData: _c, ...call }) => call),
      // Each partner route is a call from the partner, which the gateway's identity carries into the mesh.
      ...(region.edge?.partners ?? []).flatMap((p) => p.routes.map((r) => ({ from: `${EDGE_CALLER_PREFIX}${p.name}`, to: r.to, methods: r.methods, paths: r.paths }))),
    ],
    workloadCa: hasMeshPki(region),
    ...(region.edge ? { edge: region.edge } : {}),
    segmentation: meshSegmentation(region),
    proxyImage: `${clusterPlatform(region).registry}/${ISTIO_ECR_PATHS.images}/proxyv2`,
    // The merchants' node group (EKS) or pool (GKE), where the region has merchants.
    merchantNodes: { label: { ...MERCHANT_NODES.label }, taintKey: MERCHANT_NODES.taint.key },
    ...(eastWest ? { eastWest } : {}),
  };
}

/** The address blocks no public endpoint uses: the object store's allowance leaves them closed. */
export const PRIVATE_RANGES = ["10.0.0.0/8", "100.64.0.0/10", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16"] as const;

/** Where a pod fetches its cloud credentials: EKS's Pod Identity agent, GKE's metadata server (each on the pod's node). */
export const CREDENTIAL_ENDPOINTS = {
  aws: { cidr: "169.254.170.23/32", ports: [80] },
  gcp: { cidr: "169.254.169.254/32", ports: [80] },
} as const;

const tcp = (...ports: number[]) => ports.map((port) => ({ protocol: "TCP" as const, port }));

/**
 * What one service may reach outside the cluster's pods, from what it declares and nothing else:
 * its cloud credentials where it has a cloud identity, the database and the brokers where it
 * declares them, the cloud APIs of its keys and of the audit archive. No service reaches the HSMs
 * (only KMS does, through the custom key store).
 */
export function workloadEgress(region: RegionConfig, service: RegionConfig["services"][number]): ExternalDestination[] {
  const access = service.access;
  if (!access) return [];
  const kafka = access.kafka.read.length + access.kafka.write.length > 0;
  const out: ExternalDestination[] = [];
  if (region.cloud === "aws") {
    const { data, endpoints } = region.network.subnets;
    out.push({ name: "credentials", cidrs: [CREDENTIAL_ENDPOINTS.aws.cidr], ports: tcp(...CREDENTIAL_ENDPOINTS.aws.ports) });
    if (access.database) out.push({ name: "database", cidrs: data, ports: tcp(POSTGRES_PORT) });
    if (kafka) out.push({ name: "kafka", cidrs: data, ports: tcp(KAFKA_PORTS.iam, ...(region.kafka.scramUsers.includes(service.name) ? [KAFKA_PORTS.saslScram] : [])) });
    // KMS through its interface endpoint (the endpoints tier); S3 through the gateway endpoint,
    // whose addresses are S3's public ones: the workload tier routes no other public address.
    if (access.tokenizationKey) out.push({ name: "cloud-apis", cidrs: endpoints, ports: tcp(443) });
    if (access.auditWritePrefix) {
      out.push({ name: "object-store", cidrs: ["0.0.0.0/0"], except: [...PRIVATE_RANGES], ports: tcp(443), serverNames: [`s3.${region.cloudRegion}.amazonaws.com`, `*.s3.${region.cloudRegion}.amazonaws.com`] });
    }
    return out;
  }
  const { dataCidr, googleApisAddress } = region.network;
  out.push({ name: "credentials", cidrs: [CREDENTIAL_ENDPOINTS.gcp.cidr], ports: tcp(...CREDENTIAL_ENDPOINTS.gcp.ports) });
  if (access.database) out.push({ name: "database", cidrs: [dataCidr], ports: tcp(...GCP_DATA_TIER_PORTS.filter((p) => p.port !== 9092).map((p) => p.port)) });
  if (kafka) out.push({ name: "kafka", cidrs: [dataCidr], ports: tcp(9092) });
  // Cloud KMS and Cloud Storage through the PSC endpoint for Google APIs.
  if (access.tokenizationKey || access.auditWritePrefix) out.push({ name: "cloud-apis", cidrs: [`${googleApisAddress}/32`], ports: tcp(443) });
  return out;
}

/** Google Managed Service for Prometheus' collectors: pods of this namespace with these labels (prometheus-engine's operator manifest). */
export const GMP_COLLECTORS = { namespace: "gmp-system", pods: { "app.kubernetes.io/name": "collector" } } as const;

/** NodeLocal DNSCache's address on GKE nodes (on by default in GKE Standard 1.33.1 and later). */
export const GKE_NODE_LOCAL_DNS = "169.254.20.10/32";

/**
 * Who reaches the namespaces' pods from outside the mesh, per cloud: the metrics scrapers (AMP's
 * managed collector from its interfaces in the workload subnets; GKE's managed collectors, pods of
 * gmp-system) and, where the region has partners, the partner API's load balancer (the endpoints
 * tier on AWS; the PSC service attachment's NAT range on GCP).
 */
export function meshSegmentation(region: RegionConfig): MeshSegmentation {
  if (region.cloud === "aws") {
    return {
      metricsScrapers: region.network.subnets.workload.map((cidr) => ({ ipBlock: { cidr } })),
      ...(region.edge ? { loadBalancerCidrs: region.network.subnets.endpoints } : {}),
    };
  }
  return {
    metricsScrapers: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": GMP_COLLECTORS.namespace } }, podSelector: { matchLabels: { ...GMP_COLLECTORS.pods } } }],
    nodeLocalDns: GKE_NODE_LOCAL_DNS,
    // The partners' connections arrive through the PSC service attachment, from its NAT range.
    // (TLS only: GKE's health checks reach the node's health-check port, not the pod.)
    ...(region.edge ? { loadBalancerCidrs: [region.network.pscNatCidr], loadBalancerPorts: [443] } : {}),
  };
}

/** Where GKE's nodes keep CNI plugins (Istio's chart reads it from the `gke` platform profile, set explicitly too). */
export const GKE_CNI_BIN_DIR = "/home/kubernetes/bin";

/**
 * Helm values of the istio-cni release (Istio's `cni` chart, in the root namespace): the node agent
 * that writes each injected pod's redirection rules, chained after the cluster's CNI (the VPC CNI,
 * GKE's), from the private registry, sidecar mode only (no ambient). On GKE its pods run at
 * `system-node-critical` outside kube-system, which needs the chart's ResourceQuota.
 */
export function istioCniValues(region: RegionConfig): Record<string, unknown> {
  return {
    global: {
      hub: `${clusterPlatform(region).registry}/${ISTIO_ECR_PATHS.images}`,
      tag: region.mesh.istioVersion,
      imagePullPolicy: "IfNotPresent",
      logAsJson: true,
      ...(region.cloud === "gcp" ? { platform: "gke" } : {}),
    },
    chained: true,
    ambient: { enabled: false },
    ...(region.cloud === "gcp" ? { cniBinDir: GKE_CNI_BIN_DIR, resourceQuotas: { enabled: true } } : {}),
  };
}

/**
 * True where the region's workload certificates come from its intermediate (stack
 * `region-<name>-pki`): in ACM PCA where an AWS region names the root; in CA Service once a GCP
 * region's intermediate is signed (activated by `region-<name>`).
 */
export function hasMeshPki(region: RegionConfig): region is RegionConfig & { mesh: { rootCaArn: string } } {
  return region.mesh.rootCaArn !== undefined && (region.cloud === "aws" || region.mesh.intermediateCertificate !== undefined);
}

/**
 * The region's issuer in `namespace`, from `region-<name>`'s outputs (read through `output`): the
 * AWS PCA issuer on the intermediate's ARN, or the CAS issuer on the mesh's pool.
 */
export function issuerManifest(region: RegionConfig, output: (id: string) => string, namespace: string): Record<string, unknown> {
  return region.cloud === "aws"
    ? meshCaIssuer(output(MESH_CA_OUTPUT_IDS.arn), region.cloudRegion, namespace)
    : casIssuer(region.projectId, region.cloudRegion, output(CAS_OUTPUT_IDS.pool), namespace);
}

/** The in-cluster issuer of the region's cloud (CA_ISSUERS). */
export function caIssuerOf(region: RegionConfig): (typeof CA_ISSUERS)[keyof typeof CA_ISSUERS] {
  return CA_ISSUERS[region.cloud];
}

/**
 * Helm values of the istiod release: private images, the region's trust domain, two replicas, JSON
 * access logs; where the region has an intermediate CA, istiod's own CA is off and istio-csr is
 * the mesh's CA (no CA key in the cluster).
 */
export function istiodValues(region: RegionConfig, peers: readonly RegionConfig[] = [region]): Record<string, unknown> {
  const pki = hasMeshPki(region);
  const eastWest = eastWestDesign(region, peers, namedOutput(region));
  const callers = eastWest?.callerTrustDomains ?? [];
  return {
    global: {
      hub: `${clusterPlatform(region).registry}/${ISTIO_ECR_PATHS.images}`,
      tag: region.mesh.istioVersion,
      istioNamespace: ISTIO_ROOT_NAMESPACE,
      imagePullPolicy: "IfNotPresent",
      logAsJson: true,
      ...(pki ? { caAddress: ISTIO_CSR_ADDRESS } : {}),
      // The injected containers under seccomp's runtime default, as Pod Security Admission `restricted` requires.
      proxy: { seccompProfile: { ...RUNTIME_DEFAULT_SECCOMP } },
    },
    meshConfig: {
      trustDomain: region.mesh.trustDomain,
      // Every request through a sidecar is logged (PCI DSS 10.2), as JSON for the log pipeline:
      // who called whom, the answer and the handshake's result; no query string, no body.
      // A sidecar forwards only to the mesh's services and the ServiceEntries of what its
      // namespace's services declare (serviceEntries); anything else goes to Istio's black hole.
      outboundTrafficPolicy: { mode: "REGISTRY_ONLY" },
      accessLogFile: "/dev/stdout",
      accessLogEncoding: "JSON",
      accessLogFormat: JSON.stringify(ACCESS_LOG_FORMAT),
      // Envoy's counters of failed handshakes on each sidecar's metrics endpoint (off by default).
      defaultConfig: { proxyStatsMatcher: { inclusionRegexps: [HANDSHAKE_STATS_REGEX] } },
      // Where other regions call in, their trust domains are accepted in mTLS (the same root
      // verifies their chains); their principals stay their own (trustDomainAliases would rewrite
      // the authorization policies' principals and merge identities across regions).
      ...(callers.length > 0 ? { caCertificates: [{ trustDomains: [...callers] }] } : {}),
    },
    // istiod's own settings sit at the top level since Istio 1.24 (the chart copies a legacy
    // `pilot` block over them only for compatibility).
    autoscaleMin: 2,
    replicaCount: 2,
    // Istio CNI sets up each pod's traffic redirection: the injected init container only checks it
    // (istio-validation, no capability), where istio-init needed NET_ADMIN and NET_RAW.
    cni: { enabled: true },
    seccompProfile: { ...RUNTIME_DEFAULT_SECCOMP },
    ...(pki ? { env: { ENABLE_CA_SERVER: "false" } } : {}),
  };
}

/** The partner gateway's Service, per cloud: node ports behind the NLB (AWS), GKE's internal load balancer behind the PSC service attachment (GCP). */
export function partnerGatewayService(region: RegionConfig): Record<string, unknown> {
  return region.cloud === "aws" ? { ...NODE_PORT_SERVICE } : internalLoadBalancerService(region.network.pscNatCidr);
}

/** A partner's server certificate, from the region's issuer, for as long as its CA issues. */
export function partnerCertificateFor(region: RegionConfig & { edge: NonNullable<RegionConfig["edge"]> }, partner: EdgePartner): Record<string, unknown> {
  return partnerServerCertificate(region.edge, partner, caIssuerOf(region).ref, PARTNER_CERTIFICATE_LIFETIME[region.cloud]);
}

/** On GCP, the partner API's PSC service attachment (GKE's ServiceAttachment), for the region file's partner projects. */
export function partnerAttachmentFor(region: RegionConfig): Record<string, unknown> | undefined {
  return region.cloud === "gcp" && region.edge ? partnerServiceAttachment(pscNatSubnetName(region), region.paymentApi.consumerAcceptList) : undefined;
}
