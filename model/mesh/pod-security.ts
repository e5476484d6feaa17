/**
 * Pod security in the cluster's workload namespaces: Pod Security Admission `restricted` on every
 * namespace that runs services, merchants' workloads or the partner gateway (Istio CNI sets up
 * each pod's traffic redirection, so no injected container needs NET_ADMIN or root), the root
 * namespace `privileged` for the CNI node agent only, and a ValidatingAdmissionPolicy that refuses
 * the node's network, process and IPC namespaces, host paths and privileged containers in those
 * namespaces whatever their labels say (the VPC CNI's network policy agent does not police a
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

/** What the admission policy refuses, each as a CEL expression that holds for a pod it admits. */
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
export function workloadPodPolicy(namespaces: readonly string[]): [IValidatingAdmissionPolicy, IValidatingAdmissionPolicyBinding] {
  return [
    {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingAdmissionPolicy",
      metadata: { name: TENANT_POD_POLICY },
      spec: {
        failurePolicy: "Fail",
        matchConstraints: {
          resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["pods", "pods/ephemeralcontainers"] }],
        },
        validations: POD_CHECKS.map((c) => ({ expression: c.expression, message: c.message, reason: "Forbidden" })),
      },
    },
    {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingAdmissionPolicyBinding",
      metadata: { name: TENANT_POD_POLICY },
      spec: {
        policyName: TENANT_POD_POLICY,
        validationActions: ["Deny"],
        matchResources: { namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: [...namespaces].sort() }] } },
      },
    },
  ];
}
