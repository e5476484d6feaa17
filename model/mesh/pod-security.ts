/**
 * Pod security in the cluster's workload namespaces: Pod Security Admission `restricted` on every
 * namespace that runs services, merchants' workloads or the partner gateway (Istio CNI sets up
 * each pod's traffic redirection, so no injected container needs NET_ADMIN or root), the root
 * namespace `privileged` for the CNI node agent only, and a ValidatingAdmissionPolicy that refuses
 * the node's network, process and IPC namespaces, host paths, privileged containers and anyone but
 * Istio's own containers running as Istio's proxy user (whose traffic the sidecar lets out
 * uncaptured) in those namespaces whatever their labels say (the VPC CNI's network policy agent does not police a
 * hostNetwork pod, so one would escape every NetworkPolicy).
 *
 * Pure data, like model/mesh/policies.ts.
 */
import type { IValidatingAdmissionPolicy } from "kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy";
import type { IValidatingAdmissionPolicyBinding } from "kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding";

/** Pod Security Admission's labels at a level: enforced, and the same level audited and warned. */
export function podSecurityLabels(level: "restricted" | "privileged"): Record<string, string> {
  return {
    "pod-security.kubernetes.io/enforce": level,
    "pod-security.kubernetes.io/audit": level,
    "pod-security.kubernetes.io/warn": level,
  };
}

/** The Pod Security Admission labels of every namespace that runs workloads or the partner gateway. */
export const WORKLOAD_POD_SECURITY = podSecurityLabels("restricted");

/** Istio's root namespace runs the CNI node agent, which needs the node (privileged, host paths, host network). */
export const ROOT_POD_SECURITY = podSecurityLabels("privileged");

/** Seccomp's runtime default: what `restricted` requires of every container, Istio's injected ones included. */
export const RUNTIME_DEFAULT_SECCOMP = { type: "RuntimeDefault" } as const;

/** The admission policy's and its binding's name. */
export const TENANT_POD_POLICY = "workload-pods-stay-off-the-node";

/** One check of the admission policy: a CEL expression over the pod, and what the refusal says. */
export interface PodCheck {
  readonly expression: string;
  readonly message: string;
}

/** A CEL test that no container of a list (`containers`, `initContainers`, `ephemeralContainers`) is privileged. */
function notPrivileged(list: "containers" | "initContainers" | "ephemeralContainers"): string {
  const all = `object.spec.${list}.all(c, !has(c.securityContext) || !has(c.securityContext.privileged) || !c.securityContext.privileged)`;
  // Each list separately: the three have different schema types, which CEL's checker would not concatenate.
  return list === "containers" ? all : `!has(object.spec.${list}) || ${all}`;
}

/** Istio's proxy user and group: the sidecar's redirection lets their traffic out uncaptured (istio-iptables' owner match). */
export const ISTIO_PROXY_ID = 1337;

/** The containers Istio injects, which run as its proxy user (the sidecar, natively an init container too, and the CNI check). */
const ISTIO_CONTAINERS = ["istio-proxy", "istio-validation"];

/** A CEL test that a container list holds no one else running as Istio's proxy user or group. */
function notProxyIdentity(list: "containers" | "initContainers" | "ephemeralContainers"): string {
  const istio = list === "ephemeralContainers" ? "false" : ISTIO_CONTAINERS.map((n) => `c.name == '${n}'`).join(" || ");
  const ids = `!has(c.securityContext) || ((!has(c.securityContext.runAsUser) || c.securityContext.runAsUser != ${ISTIO_PROXY_ID}) && (!has(c.securityContext.runAsGroup) || c.securityContext.runAsGroup != ${ISTIO_PROXY_ID}))`;
  const all = `object.spec.${list}.all(c, ${istio} || ${ids})`;
  return list === "containers" ? all : `!has(object.spec.${list}) || ${all}`;
}

/**
 * A CEL test that Istio's containers are Istio's: its proxy image from the mesh's mirror and no
 * command of the pod's own (a pod may override the injected container by declaring one of that
 * name, and as Istio's proxy user its traffic would leave uncaptured).
 */
function istioContainersAreIstio(list: "containers" | "initContainers", proxyImage: string): string {
  const ok = `!(${ISTIO_CONTAINERS.map((n) => `c.name == '${n}'`).join(" || ")}) || (c.image.startsWith('${proxyImage}:') && !has(c.command))`;
  return list === "containers" ? `object.spec.containers.all(c, ${ok})` : `!has(object.spec.initContainers) || object.spec.initContainers.all(c, ${ok})`;
}

/** The checks that keep a pod's traffic in its sidecar: no one but Istio's containers as Istio's proxy user or group. */
export function proxyIdentityChecks(proxyImage: string): PodCheck[] {
  return [
    {
      expression: `!has(object.spec.securityContext) || ((!has(object.spec.securityContext.runAsUser) || object.spec.securityContext.runAsUser != ${ISTIO_PROXY_ID}) && (!has(object.spec.securityContext.runAsGroup) || object.spec.securityContext.runAsGroup != ${ISTIO_PROXY_ID}))`,
      message: `a pod running as Istio's proxy user or group (${ISTIO_PROXY_ID}) is refused in workload namespaces: its traffic would bypass the sidecar`,
    },
    { expression: notProxyIdentity("containers"), message: `containers other than Istio's running as its proxy user or group (${ISTIO_PROXY_ID}) are refused in workload namespaces` },
    { expression: notProxyIdentity("initContainers"), message: `init containers other than Istio's running as its proxy user or group (${ISTIO_PROXY_ID}) are refused in workload namespaces` },
    { expression: notProxyIdentity("ephemeralContainers"), message: `ephemeral containers running as Istio's proxy user or group (${ISTIO_PROXY_ID}) are refused in workload namespaces` },
    { expression: istioContainersAreIstio("containers", proxyImage), message: "an istio-proxy or istio-validation container not from the mesh's proxy image, or with a command of its own, is refused in workload namespaces" },
    { expression: istioContainersAreIstio("initContainers", proxyImage), message: "an istio-proxy or istio-validation init container not from the mesh's proxy image, or with a command of its own, is refused in workload namespaces" },
  ];
}

/** What the admission policy refuses, each as a CEL expression that holds for a pod it admits (with proxyIdentityChecks). */
export const POD_CHECKS: readonly PodCheck[] = [
  { expression: "!has(object.spec.hostNetwork) || !object.spec.hostNetwork", message: "hostNetwork is refused in workload namespaces: a pod on the node's network escapes the NetworkPolicies" },
  { expression: "!has(object.spec.hostPID) || !object.spec.hostPID", message: "hostPID is refused in workload namespaces" },
  { expression: "!has(object.spec.hostIPC) || !object.spec.hostIPC", message: "hostIPC is refused in workload namespaces" },
  { expression: "!has(object.spec.volumes) || object.spec.volumes.all(v, !has(v.hostPath))", message: "hostPath volumes are refused in workload namespaces" },
  { expression: notPrivileged("containers"), message: "privileged containers are refused in workload namespaces" },
  { expression: notPrivileged("initContainers"), message: "privileged init containers are refused in workload namespaces" },
  { expression: notPrivileged("ephemeralContainers"), message: "privileged ephemeral containers are refused in workload namespaces" },
];

/**
 * The admission policy and its binding: pods created or updated (and ephemeral containers added)
 * in the given namespaces must pass every check; the binding names the namespaces, so relabelling
 * a namespace does not take it out.
 */
export function workloadPodPolicy(namespaces: readonly string[], proxyImage: string): [IValidatingAdmissionPolicy, IValidatingAdmissionPolicyBinding] {
  return podPolicy(TENANT_POD_POLICY, [...POD_CHECKS, ...proxyIdentityChecks(proxyImage)], namespaces, ["pods", "pods/ephemeralcontainers"]);
}

/**
 * The merchants' node group (EKS) or pool (GKE): its nodes carry this label and taint, so that only
 * pods that select the label and tolerate the taint run there (the merchant namespaces' pods, which
 * the admission policy requires to select it) and the platform's pods never do.
 */
export const MERCHANT_NODES = {
  label: { key: "pci.blueprint/tenant", value: "merchant" },
  /** The clouds' spelling of the effect (EKS's and GKE's); Kubernetes' is NoSchedule. */
  taint: { key: "pci.blueprint/tenant", value: "merchant", effect: "NO_SCHEDULE" },
} as const;

/** True for a node group's or pool's taints (Terraform's `taint` blocks) that make it the merchants'. */
export function hasMerchantTaint(taints: readonly { readonly key?: unknown }[]): boolean {
  return taints.some((t) => t.key === MERCHANT_NODES.taint.key);
}

/** The merchants' nodes as the pods see them: the label to select and the taint to tolerate. */
export interface TenantNodes {
  readonly label: { readonly key: string; readonly value: string };
  readonly taintKey: string;
}

/** The placement policies' names. */
export const MERCHANT_PLACEMENT_POLICY = "merchant-pods-on-merchant-nodes";
export const PLATFORM_PLACEMENT_POLICY = "platform-pods-off-merchant-nodes";

/** A policy on pods' creation and update (and of `resources` besides) with the given checks, and its binding by namespace name with Deny. */
function podPolicy(name: string, checks: readonly PodCheck[], namespaces: readonly string[], resources: readonly string[] = ["pods"]): [IValidatingAdmissionPolicy, IValidatingAdmissionPolicyBinding] {
  return [
    {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingAdmissionPolicy",
      metadata: { name },
      spec: {
        failurePolicy: "Fail",
        matchConstraints: { resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: [...resources] }] },
        validations: checks.map((c) => ({ expression: c.expression, message: c.message, reason: "Forbidden" })),
      },
    },
    {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingAdmissionPolicyBinding",
      metadata: { name },
      spec: {
        policyName: name,
        validationActions: ["Deny"],
        matchResources: { namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: [...namespaces].sort() }] } },
      },
    },
  ];
}

/** A merchant's pods select the merchants' nodes (where the taint lets only them and the node agents run). */
export function merchantPlacementChecks(nodes: TenantNodes): PodCheck[] {
  const { key, value } = nodes.label;
  return [
    {
      expression: `has(object.spec.nodeSelector) && '${key}' in object.spec.nodeSelector && object.spec.nodeSelector['${key}'] == '${value}'`,
      message: `a merchant's pods must run on the merchants' nodes: set nodeSelector ${key}: ${value} and tolerate the taint ${nodes.taintKey}=${value}:NoSchedule`,
    },
  ];
}

/** The platform's pods tolerate neither the merchants' taint nor every taint (a toleration without a key), so no platform pod runs beside a tenant. */
export function platformPlacementChecks(nodes: TenantNodes): PodCheck[] {
  return [
    {
      expression: `!has(object.spec.tolerations) || object.spec.tolerations.all(t, has(t.key) && t.key != '' && t.key != '${nodes.taintKey}')`,
      message: `platform pods may not tolerate the merchants' taint (${nodes.taintKey}) or every taint (a toleration without a key): they would run beside a tenant`,
    },
  ];
}

/** The two placement policies with their bindings: merchants' pods on their nodes, the platform's off them. */
export function tenantPlacementPolicies(nodes: TenantNodes, merchantNamespaces: readonly string[], platformNamespaces: readonly string[]): (IValidatingAdmissionPolicy | IValidatingAdmissionPolicyBinding)[] {
  return [...podPolicy(MERCHANT_PLACEMENT_POLICY, merchantPlacementChecks(nodes), merchantNamespaces), ...podPolicy(PLATFORM_PLACEMENT_POLICY, platformPlacementChecks(nodes), platformNamespaces)];
}
