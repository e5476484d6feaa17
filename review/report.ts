/**
 * The reviewer's report of one synthesized stack (Markdown): what it creates by capability, which
 * key protects which data store and who may use the key, what is reachable from where, what the
 * guardrails found, and a diagram. Rendered from the synthesized JSON, the region config and the
 * guardrail result only, so it says what the stack will do, not what the TypeScript meant.
 */
import { JURISDICTIONS } from "../config/catalog";
import { GuardrailResult } from "../guardrails/pack";
import { StackView } from "../guardrails/rule";
import { TfJson, allResources, resourcesOf, asList, one, refName } from "../tfjson/terraform";
import type { GcpRegionConfig } from "../config/schema";
import { callGraph, capabilityOf, meshDiagram, regionDiagram } from "./diagram";
import { gcpEncryptionSection, gcpExposureSection, gcpRegionDiagram } from "./gcp-report";
import { isRemote } from "../config/mesh";
import { Statement, principalArns, principalServices, statementsOf } from "../tfjson/iam-policy";
import { encryptedStores, keyOfReference } from "../tfjson/aws";
import { manifestsOf } from "../tfjson/kubernetes";

/** Markdown-safe table cell. */
export function cell(value: unknown): string {
  return String(value ?? "").replace(/\|/g, "\\|").replace(/\n/g, " ");
}

export function table(header: string[], rows: unknown[][]): string {
  if (rows.length === 0) return "_none_\n";
  return [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`)].join("\n") + "\n";
}

/** What each top-level construct is, for the inventory. */
const CAPABILITY_NAMES: Record<string, string> = {
  Keys: "Keys (KMS)",
  Network: "Network (PrivateLink VPC)",
  AuditArchive: "Audit archive (S3 Object Lock)",
  Hsm: "HSM (CloudHSM)",
  HsmKeyStore: "HSM key store (KMS custom key store)",
  Database: "Database (Aurora PostgreSQL)",
  Kafka: "Kafka (MSK)",
  Eks: "EKS",
  PartnerApi: "Partner API (endpoint service)",
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

/** The GCP stack's top-level constructs. */
const GCP_CAPABILITY_NAMES: Record<string, string> = {
  Keys: "Keys (Cloud KMS, HSM)",
  Network: "Network (VPC, Private Service Connect)",
  AuditArchive: "Audit archive (GCS, locked retention)",
  Database: "Database (Cloud SQL for PostgreSQL)",
  Kafka: "Kafka (Managed Service for Apache Kafka)",
  Gke: "GKE",
  NodeIdentity: "GKE nodes' identity",
  PartnerApi: "Partner API (PSC service attachment)",
  AuditLogBucket: "Audit logs (Cloud Logging)",
  AuditLogSink: "Audit logs (Cloud Logging)",
  DataAccessLogs: "Audit logs (Cloud Logging)",
};

/** A reference or ARN, shortened for a reader: `${aws_iam_role.x.arn}` → `aws_iam_role.x`. */
export function shortRef(value: unknown): string {
  const s = String(value);
  const m = /^\$\{([a-z0-9_]+)\.([^.}]+)\.[a-z_]+\}$/.exec(s);
  if (m) return `${m[1]}.${m[2]}`;
  const root = /^arn:aws:iam::(\d{12}):root$/.exec(s);
  if (root) return `account ${root[1]} root, i.e. its IAM policies`;
  return s;
}

/** The alias names of each key, by key resource name. */
function aliasesByKey(json: TfJson): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [, a] of resourcesOf(json, "aws_kms_alias")) {
    const key = refName(a.target_key_id, "aws_kms_key", "key_id");
    if (key) out.set(key, [...(out.get(key) ?? []), String(a.name)]);
  }
  return out;
}

const CRYPTO_ACTION = /^kms:(\*|Decrypt|Encrypt|GenerateDataKey.*|ReEncrypt.*|CreateGrant)$/;

function conditionText(s: Statement): string {
  const parts = Object.entries(s.Condition ?? {}).flatMap(([op, kv]) => Object.entries(kv).map(([k, v]) => `${k} ${op === "StringEquals" || op === "ArnEquals" ? "=" : op} ${asList(v).map(shortRef).join(", ")}`));
  return parts.length > 0 ? ` when ${parts.join("; ")}` : "";
}

/** Who may use a key for cryptography: key-policy principals, then the stack's roles that name it. */
export function keyUsers(json: TfJson, keyName: string): string[] {
  const users: string[] = [];
  const key = json.resource?.aws_kms_key?.[keyName];
  if (key && typeof key.policy === "string") {
    for (const s of statementsOf(key.policy).filter((x) => x.Effect === "Allow" && asList(x.Action).some((a) => CRYPTO_ACTION.test(a)))) {
      const who = [...principalArns(s.Principal).map(shortRef), ...principalServices(s.Principal).map((p) => `service ${p}`)];
      users.push(`${who.join(", ")}: key policy${conditionText(s)}`);
    }
  }
  const arnRef = `\${aws_kms_key.${keyName}.arn}`;
  for (const [name, p] of resourcesOf(json, "aws_iam_role_policy")) {
    let statements: Statement[] = [];
    try {
      statements = statementsOf(String(p.policy));
    } catch {
      continue;
    }
    const actions = statements.filter((s) => s.Effect === "Allow" && asList(s.Resource).includes(arnRef)).flatMap((s) => asList(s.Action));
    if (actions.length > 0) users.push(`${shortRef(p.role)} via aws_iam_role_policy.${name} (${[...new Set(actions)].join(", ")})`);
  }
  return users;
}

function keyLabel(json: TfJson, keyName: string, aliases: Map<string, string[]>): string {
  const store = json.resource?.aws_kms_key?.[keyName]?.custom_key_store_id ? ", in the CloudHSM key store" : "";
  return `${(aliases.get(keyName) ?? [`aws_kms_key.${keyName}`]).join(", ")}${store}`;
}

function encryptionSection(json: TfJson): string {
  const aliases = aliasesByKey(json);
  const rows: unknown[][] = [];
  for (const s of encryptedStores(json)) {
    rows.push([s.address, s.holds, s.keys.length ? s.keys.map((k) => keyLabel(json, k, aliases)).join("; ") : "**not encrypted with a CMK**"]);
  }
  for (const [, sse] of resourcesOf(json, "aws_s3_bucket_server_side_encryption_configuration")) {
    const bucket = shortRef(sse.bucket);
    const def = one(sse.rule).apply_server_side_encryption_by_default ?? {};
    const key = keyOfReference(def.kms_master_key_id);
    const bucketKey = `bucket key ${one(sse.rule).bucket_key_enabled ? "on" : "off"}`;
    const label =
      def.sse_algorithm === "AES256"
        ? "SSE-S3, AWS-owned key (S3 server access logs cannot be delivered to SSE-KMS buckets)"
        : key
          ? `${keyLabel(json, key, aliases)} (SSE-KMS, ${bucketKey})`
          : `**${def.sse_algorithm} with ${def.kms_master_key_id ?? "the AWS-managed aws/s3 key"}**`;
    rows.push([bucket, "objects", label]);
  }
  const state = json.terraform?.backend?.s3;
  if (state) rows.push([`Terraform state s3://${state.bucket}/${state.key}`, "the stack's state", `${state.kms_key_id} (configured state key)`]);
  const keyRows = Object.keys(json.resource?.aws_kms_key ?? {})
    .sort()
    .map((k) => [keyLabel(json, k, aliases), keyUsers(json, k).join("<br>") || "_no one_"]);
  return [
    "## Encryption map\n",
    "Each data store, the key that protects it:\n",
    table(["data store", "holds", "key"], rows),
    "\nWho may use each key (the key policy's principals, and the roles of this stack whose policies name the key):\n",
    table(["key", "may use it"], keyRows),
  ].join("\n");
}

function exposureSection(json: TfJson): string {
  const groups = (v: unknown) => asList(v).map(shortRef).join(", ");
  const listeners = resourcesOf(json, "aws_lb_listener").map(([n, l]) => {
    const lb = refName(l.load_balancer_arn, "aws_lb", "arn");
    const body = lb ? json.resource.aws_lb[lb] : {};
    return [`aws_lb_listener.${n}`, `${l.protocol} ${l.port}`, l.ssl_policy, `aws_lb.${lb} (${body.internal ? "internal" : "internet-facing"}, ${body.load_balancer_type})`];
  });
  const services = resourcesOf(json, "aws_vpc_endpoint_service").map(([n, s]) => [`aws_vpc_endpoint_service.${n}`, s.acceptance_required ? "yes" : "**no**", asList(s.allowed_principals).join("<br>")]);
  const endpoints = resourcesOf(json, "aws_vpc_endpoint").map(([n, e]) => [
    `aws_vpc_endpoint.${n}`,
    e.service_name,
    e.vpc_endpoint_type,
    [
      e.vpc_endpoint_type === "Interface" ? `private DNS ${e.private_dns_enabled ? "on" : "off"}; ${groups(e.security_group_ids)}` : `route tables ${groups(e.route_table_ids)}`,
      typeof e.policy === "string" ? `endpoint policy: ${statementsOf(e.policy).length} statement(s)` : "no endpoint policy (full access)",
    ].join("; "),
  ]);
  const ports = (protocol: unknown, from: unknown, to: unknown) => (protocol === "-1" ? "all" : `${protocol} ${from === to ? from : `${from}-${to}`}`);
  // Rules written inline in a security group, or as aws_security_group_rule, appear too.
  const inline = [
    ...resourcesOf(json, "aws_security_group").flatMap(([n, sg]) =>
      asList<TfJson>(sg.ingress).map((r) => [`aws_security_group.${n}`, ports(r.protocol, r.from_port, r.to_port), [...asList(r.cidr_blocks), ...asList(r.ipv6_cidr_blocks), ...asList(r.security_groups).map(shortRef)].join(", "), r.description ?? "(inline rule)"]),
    ),
    ...resourcesOf(json, "aws_security_group_rule")
      .filter(([, r]) => r.type === "ingress")
      .map(([n, r]) => [shortRef(r.security_group_id), ports(r.protocol, r.from_port, r.to_port), [...asList(r.cidr_blocks), ...asList(r.ipv6_cidr_blocks), r.source_security_group_id ? shortRef(r.source_security_group_id) : ""].filter(Boolean).join(", "), r.description ?? `aws_security_group_rule.${n}`]),
  ];
  const defaults = resourcesOf(json, "aws_default_security_group").map(([, d]) => asList(d.ingress).length + asList(d.egress).length);
  const ingress = resourcesOf(json, "aws_vpc_security_group_ingress_rule").map(([n, r]) => [
    shortRef(r.security_group_id),
    ports(r.ip_protocol, r.from_port, r.to_port),
    r.referenced_security_group_id ? shortRef(r.referenced_security_group_id) : (r.cidr_ipv4 ?? r.cidr_ipv6 ?? r.prefix_list_id),
    r.description ?? `aws_vpc_security_group_ingress_rule.${n}`,
  ]);
  return [
    "## Network exposure\n",
    "Listeners:\n",
    table(["listener", "protocol and port", "TLS policy", "load balancer"], listeners),
    "\nEndpoint services (how partners reach the payment API, PrivateLink only):\n",
    table(["endpoint service", "acceptance required", "allowed principals"], services),
    "\nVPC endpoints (how the VPC reaches AWS APIs; there is no internet or NAT gateway):\n",
    table(["endpoint", "service", "type", "access"], endpoints),
    `\nSecurity-group ingress (every rule; ${defaults.length === 0 ? "the default security group is not adopted" : defaults.every((n) => n === 0) ? "the default security group has none" : "**the default security group has rules**"}):\n`,
    table(["security group", "protocol and ports", "source", "why"], [...ingress, ...inline]),
  ].join("\n");
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
    } else if (m.kind === "NetworkPolicy") what = `${asList(spec.policyTypes).join("+")} for ${Object.keys(spec.podSelector ?? {}).length ? `app=${spec.podSelector?.matchLabels?.app}` : "all pods"}${spec.ingress || spec.egress ? " (allowances)" : " (deny)"}`;
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
  if (view.layer === "pki") {
    parts.push("\ncert-manager and the AWS Private CA issuer: the issuer signs cert-manager's requests by calling ACM PCA as its EKS Pod Identity, which may issue end-entity certificates from this region's intermediate only. The CA's key never leaves ACM PCA.\n");
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
    const ca = [
      ...manifests.map(([address, m]) => [address, m.kind, m.metadata?.name, `signs through ${output(m.spec?.arn)} in ${m.spec?.region}`]),
      ...resourcesOf(view.json, "kubernetes_config_map_v1").map(([n, r]) => [`kubernetes_config_map_v1.${n}`, "ConfigMap", `${r.metadata?.namespace}/${r.metadata?.name}`, `trust anchor: ${Object.values((r.data ?? {}) as Record<string, string>).map(output).join(", ")}`]),
    ];
    if (ca.length) {
      parts.push(
        "\n## Workload CA\n",
        "istiod runs no CA of its own: istio-csr signs every workload certificate through this issuer, with the region's intermediate in ACM PCA, and distributes the platform root as the trust anchor.\n",
        table(["resource", "kind", "name", "what"], ca),
      );
    }
  } else if (rows.length) parts.push("\n## Mesh policies\n", table(["resource", "kind", "namespace", "name", "effect"], rows));
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

function guardrailSection(result: GuardrailResult): string {
  const byRule = new Map<string, { failed: number; suppressed: number }>();
  for (const f of result.findings) {
    const e = byRule.get(f.rule.id) ?? { failed: 0, suppressed: 0 };
    if (f.suppressedBy) e.suppressed++;
    else e.failed++;
    byRule.set(f.rule.id, e);
  }
  const status = (id: string, level: string) => {
    const e = byRule.get(id);
    if (!e) return "pass";
    return [e.failed ? `**${e.failed} ${level === "error" ? "failed" : "warning(s)"}**` : "", e.suppressed ? `${e.suppressed} suppressed` : ""].filter(Boolean).join(", ");
  };
  const rules = [...result.rules].sort((a, b) => (a.id < b.id ? -1 : 1)).map((r) => [r.id, r.requirement, r.level, status(r.id, r.level), r.description]);
  const suppressed = result.findings.filter((f) => f.suppressedBy).map((f) => [f.rule.id, f.address, f.message, f.suppressedBy!.path, f.suppressedBy!.reason]);
  const open = result.findings.filter((f) => !f.suppressedBy).map((f) => [f.rule.id, f.rule.level, f.address, f.message, f.rule.fix]);
  const requirements = new Map<string, string[]>();
  for (const r of result.rules) for (const req of r.requirement.split(", ")) requirements.set(req, [...(requirements.get(req) ?? []), r.id]);
  const reqRows = [...requirements]
    .sort(([a], [b]) => a.localeCompare(b, "en", { numeric: true }))
    .map(([req, ids]) => [req, ids.join(", ")]);
  const counts = `${result.rules.length} rules applied; ${open.filter((o) => o[1] === "error").length} failed, ${open.filter((o) => o[1] === "warning").length} warnings, ${suppressed.length} suppressed.`;
  return [
    "## Guardrails\n",
    counts + "\n",
    ...(open.length ? ["Open findings:\n", table(["rule", "level", "address", "finding", "fix"], open), ""] : []),
    "Suppressions (each with the reason written where it is set):\n",
    table(["rule", "address", "finding", "set on", "reason"], suppressed),
    ...(result.unusedSuppressions.length ? ["\nSuppressions that cover nothing (remove them):\n", table(["rule", "set on", "reason"], result.unusedSuppressions.map((u) => [u.id, u.path, u.reason]))] : []),
    "\nRules:\n",
    table(["rule", "PCI DSS v4.0", "level", "result", "demands"], rules),
    "\nBy PCI DSS v4.0 requirement:\n",
    table(["requirement", "rules"], reqRows),
  ].join("\n");
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

function inventorySection(json: TfJson, layer: string): string {
  const names = layer === "gcp" ? GCP_CAPABILITY_NAMES : CAPABILITY_NAMES;
  // Workload access grants sit at the stack's top level, one construct per grant: one row for them.
  const labelOf = (cap: string) => names[cap] ?? (cap.startsWith("Access-") ? "Workload access grants" : layer === "mesh" ? `namespace ${cap}` : cap);
  const order = [...new Set(Object.values(names))];
  const byCapability = new Map<string, Map<string, number>>();
  const resources = allResources(json);
  for (const [type, , body] of resources) {
    const label = labelOf(capabilityOf(body));
    const types = byCapability.get(label) ?? new Map<string, number>();
    types.set(type, (types.get(type) ?? 0) + 1);
    byCapability.set(label, types);
  }
  const rank = (label: string) => (order.includes(label) ? order.indexOf(label) : order.length);
  const rows = [...byCapability].sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : 1)).map(([label, types]) => [
    label,
    [...types]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([t, n]) => `${t} ×${n}`)
      .join(", "),
  ]);
  return ["## Resource inventory by capability\n", `${resources.length} resources.\n`, table(["capability", "resources"], rows)].join("\n");
}

/** The Markdown report of one stack. */
export function renderReport(view: StackView, result: GuardrailResult): string {
  const { region } = view;
  const jurisdiction = JURISDICTIONS[region.jurisdiction];
  const header = [
    `# ${view.name}: reviewer's report`,
    "",
    `Region **${region.name}** (${region.cloud} ${region.cloudRegion}, ${region.cloud === "aws" ? `account ${region.accountId}` : `project ${region.projectId}`}), jurisdiction **${region.jurisdiction}** (${jurisdiction.description}; allowed regions ${(jurisdiction.allowedRegions[region.cloud] as readonly string[]).join(", ")}). Layer: ${view.layer}.`,
    "",
    view.layer === "aws" || view.layer === "gcp"
      ? `Generated by \`npm run synth\` from the synthesized \`cdk.tf.json\` beside this file. ${view.layer === "aws" ? `\`npm run plan -- ${view.name}\` adds the real Terraform plan (\`plan.txt\`, \`plan.json\`) beside it, with no cloud account.` : "The google provider cannot be installed here, so this stack is checked by its types, the guardrails and the tests on this JSON, not by a plan."}`
      : "Generated by `npm run synth` from the synthesized `cdk.tf.json` beside this file. This stack's objects live inside the EKS cluster: Terraform can plan them only once the cluster and Istio's CRDs exist (README, deploy step 6).",
    "",
  ].join("\n");
  const diagram =
    view.layer === "aws"
      ? regionDiagram(view)
      : view.layer === "gcp"
        ? gcpRegionDiagram(view as StackView<GcpRegionConfig>, (indent) => callGraph(view, view.region.mesh.calls, indent))
        : meshDiagram(view);
  const body =
    view.layer === "aws" ? [encryptionSection(view.json), exposureSection(view.json)] : view.layer === "gcp" ? [gcpEncryptionSection(view.json), gcpExposureSection(view.json)] : [meshSection(view)];
  return [header, "## Diagram\n", "```mermaid", diagram, "```\n", inventorySection(view.json, view.layer), ...body, guardrailSection(result)].join("\n");
}
