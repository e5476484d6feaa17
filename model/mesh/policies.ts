/**
 * The in-cluster objects of a region's mesh, as typed Kubernetes and Istio manifests built from the
 * region's declared services and calls. Pure data: the mesh stacks turn it into Terraform, the
 * tests validate it against the upstream schemas (@kubernetes-models: Istio's CRDs at
 * security.istio.io/v1, Kubernetes' OpenAPI).
 *
 * Only the packages' types are imported here (erased at run time). The versions support the
 * README's Node 20 (`@kubernetes-models/istio` 2.3, `kubernetes-models` 4.5; their later majors
 * require Node 22). Istio 2.3 has no model of PeerAuthentication at v1, only at v1beta1: Istio's
 * CRD serves both versions with one schema (crd-all.gen.yaml, checked at 1.30.3), so the v1beta1
 * type with the v1 apiVersion is the v1 object.
 */
import type { IAuthorizationPolicy } from "@kubernetes-models/istio/security.istio.io/v1/AuthorizationPolicy";
import type { IPeerAuthentication as IPeerAuthenticationV1beta1 } from "@kubernetes-models/istio/security.istio.io/v1beta1/PeerAuthentication";
import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import type { INetworkPolicyPeer } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer";
import type { ISidecar as ISidecarV1beta1 } from "@kubernetes-models/istio/networking.istio.io/v1beta1/Sidecar";
import type { IServiceEntry } from "./istio-kinds";

export type { IServiceEntry } from "./istio-kinds";

/** A Sidecar at networking.istio.io/v1 (Istio's CRD serves v1 and v1beta1 with one schema). */
export type ISidecar = Omit<ISidecarV1beta1, "apiVersion"> & { apiVersion: "networking.istio.io/v1" };

/** A PeerAuthentication at security.istio.io/v1 (the same schema as v1beta1's). */
export type IPeerAuthentication = Omit<IPeerAuthenticationV1beta1, "apiVersion"> & { apiVersion: "security.istio.io/v1" };
import { ISTIO_CSR_POD, PKI_NAMESPACE } from "./pki";
import { isRemote } from "../../config/mesh";
import { type EdgeDesign, EDGE_NAMESPACE, PARTNER_GATEWAY, edgeManifests, gatewayPrincipal, isEdgeCall } from "./edge";
import { ENVOY_PROMETHEUS_PORT } from "./alerts";
import { type EastWestDesign, EAST_WEST_GATEWAY, eastWestManifests } from "./cross-region";
import { type TenantNodes, WORKLOAD_POD_SECURITY, tenantPlacementPolicies, workloadPodPolicy } from "./pod-security";

/** Istio's root namespace: istiod runs there and a PeerAuthentication there applies mesh-wide. */
export const ISTIO_ROOT_NAMESPACE = "istio-system";

/**
 * The pod label a workload's policies select it by. Deployments label their pods
 * `app: <service name>` and run as the service's service account.
 */
export const WORKLOAD_LABEL = "app";

/** Namespace labels: sidecar injection on every workload namespace, and the seeds' tenant label. */
export const INJECTION_LABELS = { "istio-injection": "enabled" } as const;
export const MERCHANT_LABELS = { isolation: "true" } as const;

/** The cluster DNS's Service as a Sidecar host (`<namespace>/<host>`; both clouds' clusters use the domain cluster.local). */
export const CLUSTER_DNS_HOST = "kube-system/kube-dns.kube-system.svc.cluster.local";

/** The label Kubernetes sets on every namespace: its own name. */
const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/** Where a sidecar must reach outside its namespace: namespace, pods, ports. */
export interface ControlPlaneEgress {
  readonly namespace: string;
  readonly pods: Readonly<Record<string, string>>;
  readonly ports: readonly { readonly protocol: "TCP" | "UDP"; readonly port: number }[];
}

/** Ports a sidecar needs outside its namespace: istiod (xDS and certificates) and cluster DNS. */
export const MESH_CONTROL_PLANE_EGRESS: readonly ControlPlaneEgress[] = [
  { namespace: ISTIO_ROOT_NAMESPACE, pods: { app: "istiod" }, ports: [{ protocol: "TCP", port: 15012 }] },
  { namespace: "kube-system", pods: { "k8s-app": "kube-dns" }, ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }] },
];

/** The control plane a sidecar reaches: with a workload CA, istio-csr too (its certificates come from there). */
export function controlPlaneEgress(design: Pick<MeshDesign, "workloadCa">): readonly ControlPlaneEgress[] {
  return design.workloadCa
    ? [...MESH_CONTROL_PLANE_EGRESS, { namespace: PKI_NAMESPACE, pods: { ...ISTIO_CSR_POD.labels }, ports: [{ protocol: "TCP", port: ISTIO_CSR_POD.port }] }]
    : MESH_CONTROL_PLANE_EGRESS;
}

/** A destination outside the cluster's pods that a workload may open connections to, by address block and port. */
export interface ExternalDestination {
  /** Names its NetworkPolicy, `egress-<workload>-to-<name>`: database, kafka, credentials, cloud-apis, object-store. */
  readonly name: string;
  readonly cidrs: readonly string[];
  /** Blocks inside `cidrs` that stay closed (the object store: every private range). */
  readonly except?: readonly string[];
  /**
   * Where the destination has no addresses of its own (S3 through the gateway endpoint, at S3's
   * public addresses), the TLS server names the sidecars let through instead; otherwise they let
   * through `cidrs`.
   */
  readonly serverNames?: readonly string[];
  readonly ports: readonly { readonly protocol: "TCP"; readonly port: number }[];
}

export interface MeshWorkload {
  readonly name: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  /** The port its Kubernetes Service serves HTTP on. @default 8080 */
  readonly port?: number;
  /** What it may reach outside the cluster's pods, from what it declares (its data-tier and cloud access). @default nothing */
  readonly egress?: readonly ExternalDestination[];
}

/** What the namespaces' NetworkPolicies admit from outside the mesh's pods, per cloud. */
export interface MeshSegmentation {
  /** Who scrapes every sidecar's metrics (Envoy's port 15090). */
  readonly metricsScrapers: readonly INetworkPolicyPeer[];
  /** Where the partner API's load balancer reaches the gateway's pods from (its addresses in the VPC). */
  readonly loadBalancerCidrs?: readonly string[];
  /** The gateway ports the load balancer reaches. @default TLS 443 and Istio's readiness 15021 (the NLB's health checks) */
  readonly loadBalancerPorts?: readonly number[];
  /** A node-local DNS cache's address, where the cloud has one (GKE), beside the cluster DNS's pods. */
  readonly nodeLocalDns?: string;
}

export interface MeshCall {
  /** `<namespace>/<serviceAccount>` of the caller, or `edge/<partner>` for a partner through the gateway. */
  readonly from: string;
  /** `<namespace>/<name>` of the called service. */
  readonly to: string;
  readonly methods: readonly string[];
  readonly paths: readonly string[];
  /** The caller's trust domain when it runs in another region. @default the design's */
  readonly fromTrustDomain?: string;
}

export interface MeshDesign {
  readonly trustDomain: string;
  readonly workloads: readonly MeshWorkload[];
  readonly merchantNamespaces: readonly string[];
  readonly calls: readonly MeshCall[];
  /** True when the region's certificates come from istio-csr (an intermediate in ACM PCA), not istiod. */
  readonly workloadCa?: boolean;
  /** The partners' way in, where the region declares one (its routes are among `calls`, from `edge/<partner>`). */
  readonly edge?: EdgeDesign;
  /** The NetworkPolicies' allowances from outside the mesh's pods. @default none: the sidecars' metrics are not scraped */
  readonly segmentation?: MeshSegmentation;
  /** The repository of the mesh's proxy image (`<registry>/istio/proxyv2`): the only image Istio's containers may run. */
  readonly proxyImage: string;
  /** The merchants' own nodes, where the cluster has them: merchants' pods run there and the platform's never do. */
  readonly merchantNodes?: TenantNodes;
  /** Calls between regions: the services the east-west gateway exposes, the remote services this region's workloads reach. @default none */
  readonly eastWest?: EastWestDesign;
}

export type MeshManifest = IPeerAuthentication | IAuthorizationPolicy | INetworkPolicy | ISidecar | IServiceEntry | ReturnType<typeof eastWestManifests>[number] | ReturnType<typeof edgeManifests>[number] | ReturnType<typeof workloadPodPolicy>[number];

/** The placement policies where the design has merchants' nodes and merchants (else none). */
export function placementPolicies(design: MeshDesign): ReturnType<typeof tenantPlacementPolicies> {
  const merchants = new Set(design.merchantNamespaces);
  if (!design.merchantNodes || merchants.size === 0) return [];
  const all = podSecurityNamespaces(design);
  return tenantPlacementPolicies(design.merchantNodes, all.filter((n) => merchants.has(n)), all.filter((n) => !merchants.has(n)));
}

/** A namespace of the mesh and its labels. */
export interface MeshNamespace {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** Locale-independent ordering (the output must not depend on the machine's ICU or LANG). */
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The Istio principal of a service account: `<trustDomain>/ns/<namespace>/sa/<serviceAccount>`. */
export function principal(trustDomain: string, identity: string): string {
  const [namespace, serviceAccount] = identity.split("/");
  return `${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
}

/** Every namespace that runs workloads (services' and merchants'), sorted, each with its labels (injection, Pod Security Admission `restricted`, a merchant's isolation). */
export function workloadNamespaces(design: MeshDesign): MeshNamespace[] {
  const merchants = new Set(design.merchantNamespaces);
  const names = [...new Set([...design.workloads.map((w) => w.namespace), ...merchants])].sort();
  return names.map((name) => ({ name, labels: { ...INJECTION_LABELS, ...WORKLOAD_POD_SECURITY, ...(merchants.has(name) ? MERCHANT_LABELS : {}) } }));
}

/** Mutual TLS required for every workload of the mesh (a PeerAuthentication `default` in the root namespace). */
export function strictMtls(): IPeerAuthentication {
  return {
    apiVersion: "security.istio.io/v1",
    kind: "PeerAuthentication",
    metadata: { name: "default", namespace: ISTIO_ROOT_NAMESPACE },
    spec: { mtls: { mode: "STRICT" } },
  };
}

/**
 * An AuthorizationPolicy with an empty spec: it matches every workload of the namespace and allows
 * nothing. In Istio's root namespace it applies to every workload of the mesh, so that a namespace
 * outside the design (created later, by hand) is deny-all too, not allow-all.
 */
export function denyAll(namespace: string): IAuthorizationPolicy {
  return { apiVersion: "security.istio.io/v1", kind: "AuthorizationPolicy", metadata: { name: "deny-all", namespace }, spec: {} };
}

function workloadOf(design: MeshDesign, ref: string, by: "name" | "identity"): MeshWorkload {
  const found = design.workloads.find((w) => `${w.namespace}/${by === "name" ? w.name : w.serviceAccount}` === ref);
  // The config rules reject calls that name unknown services; reaching this is a programming error.
  if (!found) throw new Error(`Mesh: "${ref}" is not a declared service ${by === "name" ? "(<namespace>/<name>)" : "identity (<namespace>/<serviceAccount>)"}.`);
  return found;
}

/**
 * One ALLOW policy per called service, `allow-<service>`, selecting its pods, with one rule per
 * declared call: exactly that caller's principal, exactly those methods and paths. Rules are not
 * merged, so no caller gains another caller's methods or paths.
 */
export function allowPolicies(design: MeshDesign): IAuthorizationPolicy[] {
  const byTarget = new Map<string, MeshCall[]>();
  for (const call of design.calls) {
    if (!isRemote(design, call) && !isEdgeCall(call)) workloadOf(design, call.from, "identity");
    byTarget.set(call.to, [...(byTarget.get(call.to) ?? []), call]);
  }
  return [...byTarget.keys()].sort().map((to) => {
    const target = workloadOf(design, to, "name");
    const calls = [...byTarget.get(to)!].sort((a, b) => byCodeUnits(a.from, b.from));
    return {
      apiVersion: "security.istio.io/v1",
      kind: "AuthorizationPolicy",
      metadata: { name: `allow-${target.name}`, namespace: target.namespace },
      spec: {
        selector: { matchLabels: { [WORKLOAD_LABEL]: target.name } },
        action: "ALLOW",
        rules: calls.map((call) => ({
          from: [{ source: { principals: [isEdgeCall(call) ? gatewayPrincipal(design.trustDomain) : principal(call.fromTrustDomain ?? design.trustDomain, call.from)] } }],
          to: [{ operation: { methods: [...call.methods], paths: [...call.paths] } }],
        })),
      },
    };
  });
}

const inNamespace = (namespace: string, pods: Readonly<Record<string, string>>) => ({
  namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } },
  podSelector: { matchLabels: { ...pods } },
});

/** A NetworkPolicy of the design, with what it is for (the guardrail's message when it is missing). */
export interface SegmentationPolicy {
  readonly policy: INetworkPolicy;
  readonly purpose: string;
}

/**
 * NetworkPolicies of every workload namespace (services' and merchants') and of the partner
 * gateway's: `default-deny` (all ingress and egress), then `allow-mesh-control-plane` (istiod, DNS,
 * istio-csr), then one policy per allowance the design declares, between exactly the pods it names:
 * - a declared call: egress from the caller's pods to the callee's, ingress into the callee's from
 *   the caller's (a partner's call: from the gateway's pods);
 * - what a service declares outside the cluster (database, Kafka, its cloud credentials, the cloud
 *   APIs it uses), from its pods only, to those address blocks and ports only: a pod whose service
 *   declares no data-tier access cannot open the database, the brokers or the HSMs;
 * - the metrics scrapers to every sidecar's port 15090; the partner API's load balancer to the gateway.
 * Istio still authorizes each request (STRICT mTLS and the AuthorizationPolicies); these stop what
 * is not the mesh, including a pod whose sidecar is bypassed.
 */
export function segmentation(design: MeshDesign): SegmentationPolicy[] {
  const policies: SegmentationPolicy[] = [];
  const add = (namespace: string, name: string, spec: INetworkPolicy["spec"], purpose: string) =>
    policies.push({ policy: { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace }, spec }, purpose });
  const app = (name: string) => ({ matchLabels: { [WORKLOAD_LABEL]: name } });
  const gateway = inNamespace(EDGE_NAMESPACE, PARTNER_GATEWAY.selector);
  // Callers in other regions never reach a pod directly (they come through a gateway).
  const calls = design.calls.filter((c) => !isRemote(design, c)).sort((a, b) => byCodeUnits(`${a.from} ${a.to}`, `${b.from} ${b.to}`));
  const eastWest = design.eastWest;
  const eastWestGateway = inNamespace(EAST_WEST_GATEWAY.namespace, EAST_WEST_GATEWAY.selector);
  const namespaces = podSecurityNamespaces(design);
  for (const namespace of namespaces) {
    add(namespace, "default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] }, "the namespace's default-deny NetworkPolicy for ingress and egress");
    add(
      namespace,
      "allow-mesh-control-plane",
      {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [
          ...controlPlaneEgress(design).map((e) => ({ to: [inNamespace(e.namespace, e.pods)], ports: e.ports.map((p) => ({ ...p })) })),
          ...(design.segmentation?.nodeLocalDns ? [{ to: [{ ipBlock: { cidr: design.segmentation.nodeLocalDns } }], ports: [{ protocol: "UDP" as const, port: 53 }, { protocol: "TCP" as const, port: 53 }] }] : []),
        ],
      },
      "the sidecars' way to the mesh's control plane (istiod, DNS, istio-csr)",
    );
    if (namespace === EDGE_NAMESPACE) {
      if (design.segmentation?.loadBalancerCidrs) {
        add(
          namespace,
          "ingress-partner-gateway-from-load-balancer",
          {
            podSelector: { matchLabels: { ...PARTNER_GATEWAY.selector } },
            policyTypes: ["Ingress"],
            ingress: [{ from: design.segmentation.loadBalancerCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: (design.segmentation.loadBalancerPorts ?? [443, 15021]).map((port) => ({ protocol: "TCP" as const, port })) }],
          },
          `the partner API's load balancer to the gateway (${(design.segmentation.loadBalancerPorts ?? [443, 15021]).map((p) => (p === 443 ? "TLS 443" : `readiness ${p}`)).join(", ")})`,
        );
      }
      if (design.segmentation) {
        add(
          namespace,
          "allow-metrics-scrape",
          { podSelector: { matchLabels: { ...PARTNER_GATEWAY.selector } }, policyTypes: ["Ingress"], ingress: [{ from: design.segmentation.metricsScrapers.map((p) => ({ ...p })), ports: [{ protocol: "TCP", port: ENVOY_PROMETHEUS_PORT }] }] },
          "the metrics scrapers' way to the gateway's port 15090 (its handshake failures and rate-limit answers)",
        );
      }
      const targets = [...new Set(calls.filter(isEdgeCall).map((c) => c.to))].sort();
      for (const to of targets) {
        const target = workloadOf(design, to, "name");
        add(
          namespace,
          `egress-partner-gateway-to-${target.namespace}-${target.name}`,
          { podSelector: { matchLabels: { ...PARTNER_GATEWAY.selector } }, policyTypes: ["Egress"], egress: [{ to: [inNamespace(target.namespace, { [WORKLOAD_LABEL]: target.name })] }] },
          `the partners' routes to ${to} have no egress NetworkPolicy from the gateway`,
        );
      }
      continue;
    }
    if (namespace === EAST_WEST_GATEWAY.namespace && eastWest) {
      const ports = [EAST_WEST_GATEWAY.port, 15021];
      add(
        namespace,
        "ingress-east-west-gateway-from-load-balancer",
        { podSelector: { matchLabels: { ...EAST_WEST_GATEWAY.selector } }, policyTypes: ["Ingress"], ingress: [{ from: eastWest.loadBalancerCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: ports.map((port) => ({ protocol: "TCP" as const, port })) }] },
        `the east-west load balancer to the gateway (mTLS ${EAST_WEST_GATEWAY.port}, readiness 15021)`,
      );
      if (design.segmentation) {
        add(
          namespace,
          "allow-metrics-scrape",
          { podSelector: { matchLabels: { ...EAST_WEST_GATEWAY.selector } }, policyTypes: ["Ingress"], ingress: [{ from: design.segmentation.metricsScrapers.map((p) => ({ ...p })), ports: [{ protocol: "TCP", port: ENVOY_PROMETHEUS_PORT }] }] },
          "the metrics scrapers' way to the east-west gateway's port 15090",
        );
      }
      for (const target of eastWest.exposed) {
        add(
          namespace,
          `egress-east-west-gateway-to-${target.namespace}-${target.name}`,
          { podSelector: { matchLabels: { ...EAST_WEST_GATEWAY.selector } }, policyTypes: ["Egress"], egress: [{ to: [inNamespace(target.namespace, { [WORKLOAD_LABEL]: target.name })] }] },
          `calls from other regions to ${target.namespace}/${target.name} have no egress NetworkPolicy from the east-west gateway`,
        );
      }
      continue;
    }
    if (design.segmentation) {
      add(
        namespace,
        "allow-metrics-scrape",
        { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ from: design.segmentation.metricsScrapers.map((p) => ({ ...p })), ports: [{ protocol: "TCP", port: ENVOY_PROMETHEUS_PORT }] }] },
        "the metrics scrapers' way to the sidecars' port 15090 (the mesh's alerts)",
      );
    }
    const edgeTargets = new Set<string>();
    for (const call of calls) {
      const target = workloadOf(design, call.to, "name");
      if (isEdgeCall(call)) {
        if (target.namespace === namespace && !edgeTargets.has(call.to)) {
          edgeTargets.add(call.to);
          add(namespace, `ingress-${target.name}-from-partner-gateway`, { podSelector: app(target.name), policyTypes: ["Ingress"], ingress: [{ from: [gateway] }] }, `the partners' routes to ${call.to} have no ingress NetworkPolicy from the gateway`);
        }
        continue;
      }
      const caller = workloadOf(design, call.from, "identity");
      if (caller.namespace === namespace) {
        add(
          namespace,
          `egress-${caller.name}-to-${target.namespace}-${target.name}`,
          { podSelector: app(caller.name), policyTypes: ["Egress"], egress: [{ to: [inNamespace(target.namespace, { [WORKLOAD_LABEL]: target.name })] }] },
          `declared call ${call.from} -> ${call.to} has no egress NetworkPolicy`,
        );
      }
      if (target.namespace === namespace) {
        add(
          namespace,
          `ingress-${target.name}-from-${caller.namespace}-${caller.name}`,
          { podSelector: app(target.name), policyTypes: ["Ingress"], ingress: [{ from: [inNamespace(caller.namespace, { [WORKLOAD_LABEL]: caller.name })] }] },
          `declared call ${call.from} -> ${call.to} has no ingress NetworkPolicy`,
        );
      }
    }
    // Calls from other regions, through the east-west gateway; calls to other regions, through this region's interface endpoint of the callee's.
    for (const target of (eastWest?.exposed ?? []).filter((t) => t.namespace === namespace)) {
      add(namespace, `ingress-${target.name}-from-east-west-gateway`, { podSelector: app(target.name), policyTypes: ["Ingress"], ingress: [{ from: [eastWestGateway] }] }, `calls from other regions to ${namespace}/${target.name} have no ingress NetworkPolicy from the east-west gateway`);
    }
    const outgoing = new Map<string, { caller: string; callee: string; cidrs: readonly string[] }>();
    for (const r of (eastWest?.remote ?? []).filter((x) => x.caller.namespace === namespace)) outgoing.set(`egress-${r.caller.name}-to-region-${r.callee.name}`, { caller: r.caller.name, callee: r.callee.name, cidrs: r.endpointCidrs });
    for (const [name, o] of outgoing) {
      add(
        namespace,
        name,
        { podSelector: app(o.caller), policyTypes: ["Egress"], egress: [{ to: o.cidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ protocol: "TCP", port: EAST_WEST_GATEWAY.port }] }] },
        `${namespace}/${o.caller} calls region ${o.callee} and has no egress NetworkPolicy to its interface endpoint`,
      );
    }
    for (const w of [...design.workloads].filter((x) => x.namespace === namespace).sort((a, b) => byCodeUnits(a.name, b.name))) {
      for (const d of w.egress ?? []) {
        add(
          namespace,
          `egress-${w.name}-to-${d.name}`,
          {
            podSelector: app(w.name),
            policyTypes: ["Egress"],
            egress: [{ to: d.cidrs.map((cidr) => ({ ipBlock: { cidr, ...(d.except ? { except: [...d.except] } : {}) } })), ports: d.ports.map((p) => ({ ...p })) }],
          },
          `${w.namespace}/${w.name} declares access to ${d.name} and has no egress NetworkPolicy to it`,
        );
      }
    }
  }
  return policies;
}

/** The NetworkPolicies of the design (segmentation). */
export function networkPolicies(design: MeshDesign): INetworkPolicy[] {
  return segmentation(design).map((p) => p.policy);
}

/**
 * One Sidecar `default` per workload namespace: its proxies learn only the services of their own
 * namespace, of the namespaces their declared calls reach, and Istio's own (istiod, the root
 * namespace), not the whole mesh's configuration; a merchant's proxies see nothing of the
 * platform but what its calls need.
 */
export function sidecarScopes(design: MeshDesign): ISidecar[] {
  const byIdentity = (ref: string) => design.workloads.find((w) => `${w.namespace}/${w.serviceAccount}` === ref);
  return workloadNamespaces(design).map((ns) => {
    // Calls from this namespace's workloads (a partner's or another region's caller runs nowhere here).
    const reached = design.calls
      .filter((c) => !isRemote(design, c) && !isEdgeCall(c) && byIdentity(c.from)?.namespace === ns.name)
      .map((c) => c.to.split("/")[0])
      .filter((n) => n !== ns.name);
    // And the cluster DNS: under REGISTRY_ONLY a lookup that falls back to TCP goes through the
    // sidecar, which must know kube-dns's Service (UDP is not captured).
    const hosts = ["./*", `${ISTIO_ROOT_NAMESPACE}/*`, CLUSTER_DNS_HOST, ...[...new Set(reached)].sort().map((n) => `${n}/*`)];
    return { apiVersion: "networking.istio.io/v1", kind: "Sidecar", metadata: { name: "default", namespace: ns.name }, spec: { egress: [{ hosts }] } };
  });
}

/**
 * The sidecars' way out of the mesh under REGISTRY_ONLY (istiod's outbound traffic policy): one
 * ServiceEntry per destination that a namespace's services declare (`egress-<destination>`, the
 * union of its services' ports), exported to that namespace only, by address block and TCP port
 * (or, for the object store, by TLS server name). Nothing else leaves through a sidecar; the
 * NetworkPolicies then decide which pod of the namespace may use it.
 */
export function serviceEntries(design: MeshDesign): IServiceEntry[] {
  const entries: IServiceEntry[] = [];
  for (const ns of workloadNamespaces(design)) {
    const byName = new Map<string, ExternalDestination[]>();
    for (const w of design.workloads.filter((x) => x.namespace === ns.name)) for (const d of w.egress ?? []) byName.set(d.name, [...(byName.get(d.name) ?? []), d]);
    for (const name of [...byName.keys()].sort()) {
      const ds = byName.get(name)!;
      const ports = [...new Set(ds.flatMap((d) => d.ports.map((p) => p.port)))].sort((a, b) => a - b);
      const serverNames = [...new Set(ds.flatMap((d) => d.serverNames ?? []))].sort();
      const cidrs = [...new Set(ds.flatMap((d) => d.cidrs))].sort();
      entries.push({
        apiVersion: "networking.istio.io/v1",
        kind: "ServiceEntry",
        metadata: { name: `egress-${name}`, namespace: ns.name },
        spec: serverNames.length
          ? { hosts: serverNames, ports: ports.map((port) => ({ number: port, name: `tls-${port}`, protocol: "TLS" })), location: "MESH_EXTERNAL", resolution: "NONE", exportTo: ["."] }
          : {
              hosts: [`${name}.egress.${design.trustDomain}`],
              addresses: cidrs,
              ports: ports.map((port) => ({ number: port, name: `tcp-${port}`, protocol: "TCP" })),
              location: "MESH_EXTERNAL",
              resolution: "NONE",
              exportTo: ["."],
            },
      });
    }
  }
  return entries;
}

/** The partner gateway's objects where the design has partners, routing to the workloads' Services. */
export function meshEdgeManifests(design: MeshDesign): ReturnType<typeof edgeManifests> {
  return design.edge ? edgeManifests(design.edge, design.workloads.map((w) => ({ namespace: w.namespace, name: w.name, port: w.port ?? 8080 }))) : [];
}

/** The namespaces held to Pod Security Admission `restricted` and the workload pod policy: the workload namespaces and the gateways' (partner, east-west). */
export function podSecurityNamespaces(design: MeshDesign): string[] {
  return [...workloadNamespaces(design).map((ns) => ns.name), ...(design.edge ? [EDGE_NAMESPACE] : []), ...(design.eastWest?.exposed.length ? [EAST_WEST_GATEWAY.namespace] : [])];
}

/** Every manifest of the mesh's policies, in a stable order. */
export function meshManifests(design: MeshDesign): MeshManifest[] {
  return [
    strictMtls(),
    denyAll(ISTIO_ROOT_NAMESPACE),
    ...workloadNamespaces(design).map((ns) => denyAll(ns.name)),
    ...allowPolicies(design),
    ...networkPolicies(design),
    ...sidecarScopes(design),
    ...serviceEntries(design),
    ...meshEdgeManifests(design),
    ...eastWestManifests(design.eastWest),
    ...workloadPodPolicy(podSecurityNamespaces(design), design.proxyImage),
    ...placementPolicies(design),
  ];
}
