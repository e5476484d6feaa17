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
import type { ISidecar as ISidecarV1beta1 } from "@kubernetes-models/istio/networking.istio.io/v1beta1/Sidecar";

/** A Sidecar at networking.istio.io/v1 (Istio's CRD serves v1 and v1beta1 with one schema). */
export type ISidecar = Omit<ISidecarV1beta1, "apiVersion"> & { apiVersion: "networking.istio.io/v1" };

/** A PeerAuthentication at security.istio.io/v1 (the same schema as v1beta1's). */
export type IPeerAuthentication = Omit<IPeerAuthenticationV1beta1, "apiVersion"> & { apiVersion: "security.istio.io/v1" };
import { ISTIO_CSR_POD, PKI_NAMESPACE } from "./pki";
import { isRemote } from "../../config/mesh";
import { type EdgeDesign, edgeManifests, gatewayPrincipal, isEdgeCall } from "./edge";

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

export interface MeshWorkload {
  readonly name: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  /** The port its Kubernetes Service serves HTTP on. @default 8080 */
  readonly port?: number;
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
}

export type MeshManifest = IPeerAuthentication | IAuthorizationPolicy | INetworkPolicy | ISidecar | ReturnType<typeof edgeManifests>[number];

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

/** Every namespace that runs workloads (services' and merchants'), sorted, each with its labels. */
export function workloadNamespaces(design: MeshDesign): MeshNamespace[] {
  const merchants = new Set(design.merchantNamespaces);
  const names = [...new Set([...design.workloads.map((w) => w.namespace), ...merchants])].sort();
  return names.map((name) => ({ name, labels: merchants.has(name) ? { ...INJECTION_LABELS, ...MERCHANT_LABELS } : { ...INJECTION_LABELS } }));
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

/**
 * NetworkPolicies of every merchant namespace: `default-deny` (all ingress and egress), then
 * `allow-mesh-control-plane` (istiod and DNS), then one policy per declared call that leaves or
 * enters the namespace, between exactly the two workloads' pods. Istio still authorizes each
 * request (STRICT mTLS and the AuthorizationPolicies); these stop anything that is not the mesh.
 */
export function merchantNetworkPolicies(design: MeshDesign): INetworkPolicy[] {
  const policies: INetworkPolicy[] = [];
  const policy = (namespace: string, name: string, spec: INetworkPolicy["spec"]): INetworkPolicy => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name, namespace },
    spec,
  });
  for (const namespace of [...design.merchantNamespaces].sort()) {
    policies.push(
      policy(namespace, "default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] }),
      policy(namespace, "allow-mesh-control-plane", {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: controlPlaneEgress(design).map((e) => ({ to: [inNamespace(e.namespace, e.pods)], ports: e.ports.map((p) => ({ ...p })) })),
      }),
    );
    // Callers in other regions and partners never reach a merchant namespace (the config rules refuse it).
    const calls = design.calls.filter((c) => !isRemote(design, c) && !isEdgeCall(c)).sort((a, b) => byCodeUnits(`${a.from} ${a.to}`, `${b.from} ${b.to}`));
    for (const call of calls) {
      const caller = workloadOf(design, call.from, "identity");
      const target = workloadOf(design, call.to, "name");
      if (caller.namespace === namespace) {
        policies.push(
          policy(namespace, `egress-${caller.name}-to-${target.namespace}-${target.name}`, {
            podSelector: { matchLabels: { [WORKLOAD_LABEL]: caller.name } },
            policyTypes: ["Egress"],
            egress: [{ to: [inNamespace(target.namespace, { [WORKLOAD_LABEL]: target.name })] }],
          }),
        );
      }
      if (target.namespace === namespace) {
        policies.push(
          policy(namespace, `ingress-${target.name}-from-${caller.namespace}-${caller.name}`, {
            podSelector: { matchLabels: { [WORKLOAD_LABEL]: target.name } },
            policyTypes: ["Ingress"],
            ingress: [{ from: [inNamespace(caller.namespace, { [WORKLOAD_LABEL]: caller.name })] }],
          }),
        );
      }
    }
  }
  return policies;
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
    const hosts = ["./*", `${ISTIO_ROOT_NAMESPACE}/*`, ...[...new Set(reached)].sort().map((n) => `${n}/*`)];
    return { apiVersion: "networking.istio.io/v1", kind: "Sidecar", metadata: { name: "default", namespace: ns.name }, spec: { egress: [{ hosts }] } };
  });
}

/** The partner gateway's objects where the design has partners, routing to the workloads' Services. */
export function meshEdgeManifests(design: MeshDesign): ReturnType<typeof edgeManifests> {
  return design.edge ? edgeManifests(design.edge, design.workloads.map((w) => ({ namespace: w.namespace, name: w.name, port: w.port ?? 8080 }))) : [];
}

/** Every manifest of the mesh's policies, in a stable order. */
export function meshManifests(design: MeshDesign): MeshManifest[] {
  return [
    strictMtls(),
    denyAll(ISTIO_ROOT_NAMESPACE),
    ...workloadNamespaces(design).map((ns) => denyAll(ns.name)),
    ...allowPolicies(design),
    ...merchantNetworkPolicies(design),
    ...sidecarScopes(design),
    ...meshEdgeManifests(design),
  ];
}
