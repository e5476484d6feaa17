/**
 * The in-cluster part of a region's report (`region-<name>-pki`, `-istio`, `-mesh`): the call graph,
 * the namespaces, the Helm releases, every Role and ClusterRole with its subjects, the mesh
 * policies or the workload CA, and the declared calls.
 */
import { isRemote } from "../config/mesh";
import type { StackView } from "../guardrails/rule";
import { TfJson, resourcesOf, asList } from "../tfjson/terraform";
import { manifestsOf } from "../tfjson/kubernetes";
import { callsFromPolicies, drawCalls, drawRemoteCallers, drawServices } from "./call-graph";
import { Diagram } from "./diagram";
import type { LayerReport } from "./layer-report";
import { table } from "./markdown";
import { parseCertificate, pemCertificates } from "../config/pem";
import { EDGE_NAMESPACE, PARTNER_GATEWAY, PARTNER_SERVICE_ATTACHMENT, partnerHost } from "../model/mesh/edge";

/** Each certificate of a partner's CA bundle: its subject's common name and when it expires. */
function describeCaBundle(bundle: string): string {
  return pemCertificates(bundle)
    .map((pem) => {
      const cert = parseCertificate(pem);
      const cn = /(?:^|\n)CN=([^\n]+)/.exec(cert.subject)?.[1] ?? cert.subject;
      return `${cn} (until ${new Date(cert.validTo).toISOString().slice(0, 10)})`;
    })
    .join("; ");
}

/** The partners the region declares (the region file's edge), for every in-cluster report. */
function partnersSection(view: StackView): string[] {
  const edge = view.region.edge;
  if (!edge) return [];
  const rows = edge.partners.map((p) => [
    p.name,
    partnerHost(edge, p),
    describeCaBundle(p.caBundle),
    p.identities.join(", "),
    p.routes.map((r) => `${r.methods.join(",")} ${r.paths.join(",")} → ${r.to}`).join("; "),
    `${p.requestsPerSecond}/s`,
  ]);
  return [
    "\n## Partners\n",
    `Each partner reaches the partner gateway (${EDGE_NAMESPACE}/${PARTNER_GATEWAY.release}, ${edge.replicas} replicas) with mutual TLS on its own host (TLS server name and Host header, without a port), with a certificate of its own CA carrying one of its identities as a DNS or URI SAN, and may call only its routes at its rate (each replica enforces its share; all partners' rates add up to at most ${edge.requestsPerSecond}/s), with bodies of at most ${edge.maxRequestBytes} bytes of well-formed JSON (content type application/json). Any other CA, identity, host, route, content type or body is refused at the gateway.\n`,
    table(["partner", "host (TLS server name)", "client CA", "identities (SAN)", "routes", "rate"], rows),
    view.region.cloud === "aws"
      ? "\nTheir connections arrive through the partner API's PrivateLink endpoint service and its internal NLB, on the gateway's node ports (region-" + view.region.name + ").\n"
      : `\nTheir connections arrive through the PSC service attachment GKE creates for the gateway's internal load balancer (ServiceAttachment ${EDGE_NAMESPACE}/${PARTNER_SERVICE_ATTACHMENT}, in region-${view.region.name}-istio), which accepts by hand only the partner projects ${view.region.paymentApi.consumerAcceptList.map((c) => `${c.project} (at most ${c.connectionLimit} endpoints)`).join(", ")}, from its NAT subnet ${view.region.network.pscNatCidr}; the load balancer admits that range only. Partners connect to its URL: \`kubectl get serviceattachment -n ${EDGE_NAMESPACE} ${PARTNER_SERVICE_ATTACHMENT} -o jsonpath='{.status.serviceAttachmentURL}'\`.\n`,
  ];
}

/** An in-cluster stack: the namespaces and the call graph the mesh admits. */
function meshDiagram(view: StackView): Diagram {
  const d = new Diagram();
  // The mesh stack draws what its policies admit; the Istio stack, the calls the region declares.
  const calls = view.layer === "mesh" ? callsFromPolicies(view.json, view.region.mesh.trustDomain) : view.region.mesh.calls;
  d.box("cluster", `${view.region.cloud === "aws" ? "EKS" : "GKE"} cluster of region-${view.region.name}: mesh trust domain ${view.region.mesh.trustDomain}`, () => {
    d.node("istiod", `istiod ${view.region.mesh.istioVersion} (istio-system)`);
    drawServices(d, view, calls);
  });
  d.box("other_regions", "callers in other regions' meshes", () => drawRemoteCallers(d, view, calls));
  drawCalls(d, view, calls, view.layer === "mesh" ? "AuthorizationPolicy" : "declared");
  return d;
}

/** A NetworkPolicy peer in a few words: `<namespace>/<app>`, a namespace's pods, or an address block. */
function peerWords(p: TfJson): string {
  if (p.ipBlock) return `${p.ipBlock.cidr}${p.ipBlock.except ? ` except ${asList(p.ipBlock.except).length} private ranges` : ""}`;
  const labels = (sel: TfJson | undefined) => Object.entries((sel?.matchLabels ?? {}) as Record<string, string>).map(([k, v]) => (k === "app" ? v : `${k}=${v}`)).join(",");
  const ns = p.namespaceSelector ? p.namespaceSelector.matchLabels?.["kubernetes.io/metadata.name"] ?? "any namespace" : "this namespace";
  return `${ns}/${p.podSelector ? labels(p.podSelector) || "*" : "*"}`;
}

/** What a NetworkPolicy selects and lets through, for the reviewer: `egress of app=x: to 10.0.0.0/24 on TCP 5432`. */
function networkPolicyLine(spec: TfJson): string {
  const pods = Object.keys(spec.podSelector?.matchLabels ?? {}).length ? Object.entries(spec.podSelector.matchLabels as Record<string, string>).map(([k, v]) => `${k}=${v}`).join(",") : "all pods";
  if (!spec.ingress && !spec.egress) return `${pods}: deny all ${asList(spec.policyTypes).join(" and ").toLowerCase()}`;
  const rules = (list: TfJson | undefined, dir: "from" | "to") =>
    asList<TfJson>(list).map((r) => `${dir} ${asList<TfJson>(r[dir]).map(peerWords).join(", ") || "anywhere"}${r.ports ? ` on ${asList<TfJson>(r.ports).map((x) => `${x.protocol} ${x.port}${x.endPort ? `-${x.endPort}` : ""}`).join(", ")}` : ""}`);
  return `${pods}: ${[...rules(spec.ingress, "from"), ...rules(spec.egress, "to")].join("; ")}`;
}

function meshSection(view: StackView): string {
  const manifests = manifestsOf(view.json);
  const rows = manifests.map(([address, m]) => {
    const spec = m.spec ?? {};
    let what = "";
    if (m.kind === "PeerAuthentication") what = `mTLS ${spec.mtls?.mode}`;
    else if (m.kind === "AuthorizationPolicy") {
      what =
        Object.keys(spec).length === 0
          ? "deny all (allows nothing)"
          : `${spec.action} to app=${spec.selector?.matchLabels?.app}: ` +
            asList<TfJson>(spec.rules)
              .map((r) => `${asList(r.from?.[0]?.source?.principals).join(", ")} ${asList(r.to?.[0]?.operation?.methods).join(",")} ${asList(r.to?.[0]?.operation?.paths).join(",")}`)
              .join("; ");
    } else if (m.kind === "NetworkPolicy") what = networkPolicyLine(spec);
    else if (m.kind === "ServiceEntry") what = `out of the mesh to ${asList<string>(spec.addresses).join(", ") || asList<string>(spec.hosts).join(", ")} on ${asList<TfJson>(spec.ports).map((p) => `${p.protocol} ${p.number}`).join(", ")}, for this namespace only`;
    else if (m.kind === "ValidatingAdmissionPolicy") what = `refuses (${spec.failurePolicy === "Fail" ? "failing closed" : `failure policy ${spec.failurePolicy}`}): ${asList<TfJson>(spec.validations).map((x) => String(x.message).replace(/ (is|are) refused in workload namespaces.*$/, "")).join("; ")}`;
    else if (m.kind === "ValidatingAdmissionPolicyBinding") what = `${asList(spec.validationActions).join(", ")} in ${asList<TfJson>(spec.matchResources?.namespaceSelector?.matchExpressions).flatMap((e) => asList<string>(e.values)).join(", ")}`;
    return [address, m.kind, m.metadata?.namespace ?? "", m.metadata?.name, what];
  });
  const namespaces = resourcesOf(view.json, "kubernetes_namespace_v1").map(([n, r]) => [
    `kubernetes_namespace_v1.${n}`,
    r.metadata?.name,
    Object.entries((r.metadata?.labels ?? {}) as Record<string, string>)
      .map(([k, v]) => `${k}=${v}`)
      .join(", "),
  ]);
  const releases = resourcesOf(view.json, "helm_release").map(([n, r]) => [`helm_release.${n}`, r.chart, r.version, r.repository, r.namespace]);
  const parts: string[] = [];
  if (namespaces.length) parts.push("## Namespaces\n", table(["resource", "namespace", "labels"], namespaces));
  if (releases.length) {
    parts.push(view.layer === "pki" ? "\n## Workload CA chain\n" : "\n## Istio install\n", table(["release", "chart", "version", "from", "namespace"], releases));
  }
  if (view.layer === "pki" && view.region.cloud === "aws") {
    parts.push("\ncert-manager and the AWS Private CA issuer: the issuer signs cert-manager's requests by calling ACM PCA as its EKS Pod Identity, which may issue end-entity certificates from this region's intermediate only. The CA's key never leaves ACM PCA.\n");
  } else if (view.layer === "pki") {
    const objects = manifests.filter(([, m]) => m.kind !== "CustomResourceDefinition").map(([address, m]) => {
      const container = asList<TfJson>(m.spec?.template?.spec?.containers)[0];
      return [address, m.kind, m.metadata?.name, m.kind === "Deployment" ? `${m.spec?.replicas} replicas of ${container?.image}` : m.kind === "ServiceAccount" ? `acts as ${String(m.metadata?.annotations?.["iam.gke.io/gcp-service-account"]).replace(/^\$\{data\.terraform_remote_state\.[^.]+\.outputs\.([a-z0-9_]+)\}$/, `region-${view.region.name}'s output $1`)} (Workload Identity)` : `keeps ${m.spec?.minAvailable} running`];
    });
    parts.push(
      "\n## CAS issuer\n",
      "cert-manager's issuer for CA Service, run by the blueprint without its chart (whose ClusterRole reads every Secret of the cluster): it signs cert-manager's requests by calling CA Service as a Google identity that may request certificates from this region's pool only. The CA's key never leaves Cloud HSM.\n",
      table(["resource", "kind", "name", "what"], objects),
    );
  }
  const rbac = rbacRows(view.json);
  if (rbac.length) {
    parts.push(
      "\n## Kubernetes RBAC\n",
      "Every Role and ClusterRole this stack grants, rule by rule, and whom each binding gives it to (the charts' own RBAC is off where the blueprint grants instead):\n",
      table(["resource", "kind", "namespace", "name", "grants"], rbac),
    );
  }
  if (view.layer === "istio") {
    // `${data.terraform_remote_state.x.outputs.id}` → `region-<name>'s output id`
    const output = (value: unknown) => String(value).replace(/^\$\{data\.terraform_remote_state\.[^.]+\.outputs\.([a-z0-9_]+)\}$/, `region-${view.region.name}'s output $1`);
    const inEdge = (m: TfJson | undefined) => m?.metadata?.namespace === EDGE_NAMESPACE;
    const ca = [
      ...manifests.filter(([, m]) => !inEdge(m)).map(([address, m]) => [
        address,
        m.kind,
        m.metadata?.name,
        m.kind === "Certificate"
          ? `serving certificate from ${m.spec?.issuerRef?.kind} ${m.spec?.issuerRef?.name}: ${asList(m.spec?.dnsNames).join(", ")}, ${asList(m.spec?.uris).join(", ")}; ${m.spec?.duration}, into Secret ${m.spec?.secretName}`
          : m.kind === "GoogleCASIssuer"
            ? `signs through the CA Service pool ${output(m.spec?.caPoolId)} of ${m.spec?.project} in ${m.spec?.location}`
            : `signs through ${output(m.spec?.arn)} in ${m.spec?.region}`,
      ]),
      ...resourcesOf(view.json, "kubernetes_config_map_v1")
        .filter(([, r]) => !inEdge(r))
        .map(([n, r]) => [`kubernetes_config_map_v1.${n}`, "ConfigMap", `${r.metadata?.namespace}/${r.metadata?.name}`, `trust anchor: ${Object.values((r.data ?? {}) as Record<string, string>).map(output).join(", ")}`]),
    ];
    const gateway = [
      ...manifests
        .filter(([, m]) => inEdge(m))
        .map(([address, m]) => [address, m.kind, m.metadata?.name, m.kind === "Certificate" ? `server certificate for ${asList(m.spec?.dnsNames).join(", ")} from ${m.spec?.issuerRef?.kind} ${m.spec?.issuerRef?.name}; ${m.spec?.duration}` : `signs through ${output(m.spec?.arn)} in ${m.spec?.region}`]),
      ...resourcesOf(view.json, "kubernetes_config_map_v1")
        .filter(([, r]) => inEdge(r))
        .map(([n, r]) => [`kubernetes_config_map_v1.${n}`, "ConfigMap", r.metadata?.name, `a partner's client CA: ${describeCaBundle(String(r.data?.["ca.crt"] ?? ""))}`]),
    ];
    if (ca.length) {
      parts.push(
        "\n## Workload CA\n",
        "istiod runs no CA of its own: istio-csr signs every workload certificate through this issuer, with the region's intermediate in ACM PCA, and distributes the platform root as the trust anchor.\n",
        table(["resource", "kind", "name", "what"], ca),
      );
    }
    if (gateway.length) {
      parts.push(
        "\n## Partner gateway\n",
        `Istio's gateway chart as ${EDGE_NAMESPACE}/${PARTNER_GATEWAY.release} on node ports ${PARTNER_GATEWAY.nodePorts.https} (TLS) and ${PARTNER_GATEWAY.nodePorts.status} (readiness), each partner's server certificate from the region's intermediate and its client CA:\n`,
        table(["resource", "kind", "name", "what"], gateway),
      );
    }
  } else if (rows.length) parts.push("\n## Mesh policies\n", table(["resource", "kind", "namespace", "name", "effect"], rows));
  parts.push(...partnersSection(view));
  const calls = view.region.mesh.calls.map((c) => [
    isRemote(view.region.mesh, c) ? `${c.from} (${c.fromTrustDomain})` : c.from,
    c.to,
    c.methods.join(", "),
    c.paths.join(", "),
    c.cardholderData ? "yes" : "no",
  ]);
  parts.push(
    "\n## Declared service calls\n",
    "The only traffic the mesh admits between workloads (everything else is denied); a caller of another region is shown with its trust domain:\n",
    table(["from (namespace/service account)", "to (namespace/service)", "methods", "paths", "cardholder data"], calls),
  );
  return parts.join("\n");
}

/** The stack's RBAC objects: each role's rules (`group/resource: verbs`), each binding's role and subjects. */
function rbacRows(json: TfJson): string[][] {
  const rules = (r: TfJson) =>
    asList<TfJson>(r.rule)
      .map((x) => `${asList<string>(x.resources).map((res) => `${asList<string>(x.api_groups).map((g) => g || "core").join(",")}/${res}`).join(" ")}: ${asList<string>(x.verbs).join(", ")}`)
      .join("<br>");
  const binding = (r: TfJson) =>
    `${r.role_ref?.kind} ${r.role_ref?.name} to ${asList<TfJson>(r.subject).map((x) => `${x.kind} ${x.namespace ? `${x.namespace}/` : ""}${x.name}`).join(", ")}`;
  const kinds: [string, string, (r: TfJson) => string][] = [
    ["kubernetes_cluster_role_v1", "ClusterRole", rules],
    ["kubernetes_role_v1", "Role", rules],
    ["kubernetes_cluster_role_binding_v1", "ClusterRoleBinding", binding],
    ["kubernetes_role_binding_v1", "RoleBinding", binding],
  ];
  return kinds.flatMap(([type, kind, grants]) => resourcesOf(json, type).map(([n, r]) => [`${type}.${n}`, kind, r.metadata?.namespace ?? "(cluster)", r.metadata?.name, grants(r)]));
}

/** What each top-level construct of an in-cluster stack is, for the inventory. */
const IN_CLUSTER_CAPABILITY_NAMES: Readonly<Record<string, string>> = {
  Namespaces: "Namespaces",
  IstioBase: "Istio base chart (CRDs)",
  Istiod: "istiod chart",
  WorkloadCa: "Workload CA (PCA issuer and its rights here, trust anchor, istio-csr)",
  Namespace: "Namespace",
  CertManager: "cert-manager chart",
  PcaIssuer: "AWS PCA issuer chart",
  PcaIssuerClusterRole: "PCA issuer's rights (blueprint RBAC)",
  PcaIssuerClusterRoleBinding: "PCA issuer's rights (blueprint RBAC)",
  PcaIssuerLeaderElectionRole: "PCA issuer's rights (blueprint RBAC)",
  PcaIssuerLeaderElectionRoleBinding: "PCA issuer's rights (blueprint RBAC)",
  Mesh: "Mesh policies",
};

/** An in-cluster stack's part of its report: the diagram, the namespaces, releases, RBAC, policies and calls. */
export function inClusterReport(view: StackView): LayerReport {
  return { capabilities: IN_CLUSTER_CAPABILITY_NAMES, diagram: meshDiagram(view), sections: [meshSection(view)] };
}
