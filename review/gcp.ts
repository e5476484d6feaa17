/**
 * The Google Cloud part of a region's report (`region-<name>` on GCP): the diagram, the encryption
 * map and the network exposure, from its synthesized JSON.
 */
import { MERCHANT_NODES, hasMerchantTaint } from "../model/mesh/pod-security";
import type { GcpRegionConfig } from "../config/schema";
import { StackView } from "../guardrails/rule";
import { TfJson, resourcesOf, asList, one, refName } from "../tfjson/terraform";
import { drawCalls, drawRemoteCallers, drawServices, serviceNode } from "./call-graph";
import { Diagram } from "./diagram";
import type { LayerReport } from "./layer-report";
import { nodeId, shortRef, table } from "./markdown";
import { GCP_ENCRYPTION_AT_REST } from "../model/gcp/encryption";

/** The key a reference names, as `<purpose> key`. */
function keyLabel(json: TfJson, value: unknown): string {
  const name = refName(value, "google_kms_crypto_key", "id");
  const key = name ? json.resource?.google_kms_crypto_key?.[name] : undefined;
  if (!key) return value === undefined ? "**Google-managed**" : `**${String(value)}**`;
  return `${key.name} key (${one(key.version_template).protection_level ?? "SOFTWARE"}, rotates every ${Math.round(parseInt(String(key.rotation_period), 10) / 86400)} days)`;
}

/** Who may use a Cloud KMS key of the stack: its IAM members and bindings (nothing is granted on the key ring). */
export function gcpKeyGrants(json: TfJson, keyName: string): { member: string; role: string }[] {
  const onKey = ([, m]: [string, TfJson]) => refName(m.crypto_key_id, "google_kms_crypto_key", "id") === keyName;
  return [
    ...resourcesOf(json, "google_kms_crypto_key_iam_member").filter(onKey).map(([, m]) => ({ member: String(m.member), role: String(m.role) })),
    ...resourcesOf(json, "google_kms_crypto_key_iam_binding").filter(onKey).flatMap(([, m]) => asList<string>(m.members).map((member) => ({ member, role: String(m.role) }))),
  ];
}

function gcpEncryptionSection(json: TfJson): string {
  const rows = Object.entries(GCP_ENCRYPTION_AT_REST).flatMap(([type, spec]) =>
    resourcesOf(json, type).map(([n, b]) => [`${type}.${n}`, spec.holds, spec.keys(b).map((k) => keyLabel(json, k)).join("; ")]),
  );
  const state = json.terraform?.backend?.gcs;
  if (state) rows.push([`Terraform state gs://${state.bucket}/${state.prefix}`, "the stack's state", `${state.kms_encryption_key} (configured state key)`]);
  const users = resourcesOf(json, "google_kms_crypto_key")
    .sort(([, a], [, b]) => (a.name < b.name ? -1 : 1))
    .map(([n, k]) => [
      `${k.name} key`,
      gcpKeyGrants(json, n)
        .map((g) => `${shortRef(g.member.replace(/^serviceAccount:/, ""))} (${g.role.replace("roles/cloudkms.", "")})`)
        .join("<br>") || "_no one_",
    ]);
  return [
    "## Encryption map\n",
    "Each data store, the key that protects it (Cloud KMS, in the region's key ring):\n",
    table(["data store", "holds", "key"], rows),
    "\nWho may use each key (IAM members on the key; nothing is granted on the key ring):\n",
    table(["key", "may use it"], users),
  ].join("\n");
}

function gcpExposureSection(json: TfJson): string {
  const firewall = resourcesOf(json, "google_compute_firewall")
    .sort(([, a], [, b]) => a.priority - b.priority || (a.name < b.name ? -1 : 1))
    .map(([n, r]) => [
      `google_compute_firewall.${n}`,
      r.direction,
      r.priority,
      asList(r.allow).length ? "allow" : "deny",
      [...asList<TfJson>(r.allow), ...asList<TfJson>(r.deny)].map((a) => `${a.protocol}${a.ports ? ` ${asList(a.ports).join(",")}` : ""}`).join("; "),
      asList(r.direction === "INGRESS" ? r.source_ranges : r.destination_ranges).join(", "),
      r.log_config ? "yes" : "**no**",
    ]);
  const entries = [
    ...resourcesOf(json, "google_compute_forwarding_rule").map(([n, f]) => [`google_compute_forwarding_rule.${n}`, f.load_balancing_scheme === "" ? "PSC endpoint" : `${f.load_balancing_scheme} load balancer`, asList(f.ports).join(", ") || "all", shortRef(f.target ?? f.backend_service)]),
    ...resourcesOf(json, "google_compute_global_forwarding_rule").map(([n, f]) => [`google_compute_global_forwarding_rule.${n}`, "PSC endpoint for Google APIs", "443", f.target]),
  ];
  const attachments = resourcesOf(json, "google_compute_service_attachment").map(([n, a]) => [
    `google_compute_service_attachment.${n}`,
    a.connection_preference,
    asList<TfJson>(a.consumer_accept_lists).map((c) => `${c.project_id_or_num} (≤ ${c.connection_limit})`).join("<br>"),
  ]);
  return [
    "## Network exposure\n",
    `The VPC's default routes are ${resourcesOf(json, "google_compute_network").every(([, n]) => n.delete_default_routes_on_create === true) ? "deleted at creation (no route to the internet)" : "**kept**"}.\n`,
    "Firewall (in evaluation order):\n",
    table(["rule", "direction", "priority", "action", "protocols", "ranges", "logged"], firewall),
    "\nEndpoints and load balancers:\n",
    table(["resource", "kind", "ports", "target"], entries),
    "\nService attachments (how partners reach the payment API, Private Service Connect only; the partner API's is GKE's, on the partner gateway's internal load balancer, in region-<name>-istio):\n",
    table(["attachment", "acceptance", "accepted projects"], attachments),
  ].join("\n");
}

/** The stores of a GCP region outside the VPC's subnets: node id and label, by resource type. */
const REGIONAL_STORES: Readonly<Record<string, (b: TfJson) => string>> = {
  google_storage_bucket: (b) => `GCS ${b.name}${one(b.retention_policy).is_locked ? ": locked retention" : ""}`,
  google_artifact_registry_repository: (b) => `Artifact Registry ${b.repository_id}`,
  google_logging_project_bucket_config: (b) => `Cloud Logging bucket ${b.bucket_id}: ${b.retention_days} days`,
};

/** The source ranges of Google Cloud's load-balancer health checks (documented by Google; the firewall must admit them). */
const GOOGLE_HEALTH_CHECK_RANGES = ["35.191.0.0/16", "130.211.0.0/22"];

/** The firewall's allow rules in one direction for the instances of a service account: the ranges each admits (source or destination) and its protocols and ports. */
function firewallOf(json: TfJson, direction: "INGRESS" | "EGRESS", account: unknown): { ranges: string[]; ports: string }[] {
  return resourcesOf(json, "google_compute_firewall")
    .filter(([, r]) => r.direction === direction && asList(r.allow).length > 0 && asList(r.target_service_accounts).includes(account))
    .map(([, r]) => ({
      ranges: asList<string>(direction === "INGRESS" ? r.source_ranges : r.destination_ranges),
      ports: asList<TfJson>(r.allow)
        .map((a) => `${String(a.protocol).toUpperCase()}${a.ports ? ` ${asList(a.ports).join(", ")}` : ""}`)
        .join("; "),
    }));
}

/**
 * The GCP region stack as a Mermaid flowchart: the VPC's subnets and what sits in them, the
 * regional stores and the key ring, the partners. Traffic edges are the firewall's allow rules for
 * the nodes' service account between the drawn parts, and the service attachment; encrypts edges are each store's CMEK and the
 * services granted a key directly; delivers edges are the buckets' access logs.
 */
function gcpRegionDiagram(view: StackView<GcpRegionConfig>): Diagram {
  const { json, region } = view;
  const d = new Diagram();
  const cluster = resourcesOf(json, "google_container_cluster")[0]?.[1];
  const isMerchants = (p: TfJson) => hasMerchantTaint(asList<TfJson>(one(p.node_config).taint));
  // The platform's pool; the merchants' is drawn beside it.
  const pool = resourcesOf(json, "google_container_node_pool").find(([, p]) => !isMerchants(p))?.[1];
  const merchantPool = resourcesOf(json, "google_container_node_pool").find(([, p]) => isMerchants(p))?.[1];
  const sql = resourcesOf(json, "google_sql_database_instance")[0]?.[1];
  const kafka = resourcesOf(json, "google_managed_kafka_cluster")[0]?.[1];
  const subnet = (suffix: string) => resourcesOf(json, "google_compute_subnetwork").find(([, s]) => String(s.name).endsWith(suffix))?.[1];
  // The partners' way in is GKE's (region-<name>-istio): the gateway's internal load balancer and its PSC service attachment.
  const partners = region.edge ? region.paymentApi.consumerAcceptList.map((c) => c.project) : [];
  const noRoute = resourcesOf(json, "google_compute_network").every(([, n]) => n.delete_default_routes_on_create === true);
  const calls = region.mesh.calls;
  if (partners.length) d.node("partners", `partner projects: ${partners.join(", ")}`, "party");
  d.box("home", `${region.cloudRegion}: project ${region.projectId}`, () => {
    d.box("vpc", `VPC: ${noRoute ? "no route to the internet" : "DEFAULT ROUTE KEPT"}`, () => {
      d.box("tier_workload", `workload subnet ${subnet("-workload")?.ip_cidr_range ?? ""} (pods ${region.network.podsCidr})`, () => {
        if (cluster) {
          d.node("nodes", `node pool in ${asList(pool?.node_locations).length} zones and its pods: shielded, Workload Identity`);
          if (merchantPool) d.node("merchant_nodes", `merchants' node pool (tainted ${MERCHANT_NODES.taint.key}=${MERCHANT_NODES.taint.value}) under its own service account: merchants' pods only, no firewall rule to the data subnet`);
          d.box("mesh", `Istio mesh ${region.mesh.istioVersion}: the declared calls (policies in region-${region.name}-mesh)`, () => drawServices(d, view, calls));
        }
        if (partners.length) d.node("ilb", `the partner gateway's internal load balancer: TCP 443 (GKE's, region-${region.name}-istio)`);
      });
      d.box("tier_data", `data subnet ${subnet("-data")?.ip_cidr_range ?? ""}: PSC endpoints`, () => {
        if (sql) d.node("sql", `Cloud SQL ${sql.database_version}: ${one(sql.settings).availability_type}, no public IP`, "store");
        if (kafka) d.node("kafka", `Managed Kafka: ${one(kafka.capacity_config).vcpu_count} vCPU, TLS, IAM`, "store");
      });
      d.node("apis", `Google APIs via PSC ${region.network.googleApisAddress}`);
      if (cluster) {
        // The control plane is Google's, in a peered network: in the VPC's box, in no subnet.
        const p = one(cluster.private_cluster_config);
        d.node("gke", `GKE ${cluster.min_master_version} control plane ${p.master_ipv4_cidr_block} (Google-managed, peered): ${p.enable_private_endpoint === true ? "private endpoint" : "PUBLIC ENDPOINT"}`);
      }
    });
    for (const [type, labelOf] of Object.entries(REGIONAL_STORES)) for (const [n, b] of resourcesOf(json, type)) d.node(`${type}_${n}`, labelOf(b), "store");
    for (const [n, sink] of resourcesOf(json, "google_logging_project_sink")) d.node(`sink_${n}`, `log sink ${sink.name}: ${sink.filter ? `logs matching ${sink.filter}` : "every log of the project"}`);
    for (const [n, p] of resourcesOf(json, "google_access_context_manager_service_perimeter")) {
      const dryRun = p.use_explicit_dry_run_spec === true;
      const services = asList(one(dryRun ? p.spec : p.status).restricted_services).length;
      d.node(`perimeter_${n}`, `VPC Service Controls perimeter: ${services} services restricted${dryRun ? ", DRY RUN (violations logged, not blocked)" : ", enforced"}`);
    }
    d.box("kms", `Cloud KMS key ring in ${region.cloudRegion}`, () => {
      for (const [n, k] of resourcesOf(json, "google_kms_crypto_key")) d.node(`key_${n}`, `${k.name} (${one(k.version_template).protection_level})`);
    });
  });
  d.box("other_regions", "callers in other regions' meshes", () => drawRemoteCallers(d, view, calls));

  // Traffic: the service attachment, and the firewall's allow rules between drawn parts.
  if (partners.length && d.has("ilb")) d.edge("traffic", "partners", "ilb", "Private Service Connect (GKE's ServiceAttachment): listed projects only, accepted by hand");
  const psc = subnet("-psc-nat")?.ip_cidr_range;
  // The VPC's own ranges (subnets and the pods' secondary range): traffic among the nodes and pods is not drawn.
  const ownRanges = [...resourcesOf(json, "google_compute_subnetwork").map(([, x]) => String(x.ip_cidr_range)), region.network.podsCidr];
  const control = one(cluster?.private_cluster_config).master_ipv4_cidr_block;
  const nodeAccount = one(pool?.node_config).service_account;
  for (const r of firewallOf(json, "INGRESS", nodeAccount)) {
    if (psc && r.ranges.includes(psc) && d.has("ilb") && d.has("nodes")) d.edge("traffic", "ilb", "nodes", `${r.ports} (firewall: from the PSC NAT subnet)`);
    if (control && r.ranges.includes(control) && d.has("gke") && d.has("nodes")) d.edge("traffic", "gke", "nodes", `${r.ports} (firewall: from the control plane)`);
    // Any other source range is drawn as itself, so every opening to the nodes shows.
    const others = r.ranges.filter((x) => x !== psc && x !== control && !ownRanges.includes(x));
    if (others.length && d.has("nodes")) {
      const id = nodeId(`outside_${others.join("_")}`);
      const healthCheckers = others.every((x) => GOOGLE_HEALTH_CHECK_RANGES.includes(x));
      if (!d.has(id)) d.node(id, `${others.join(", ")}${healthCheckers ? " (Google's load-balancer health checks)" : " (outside the VPC's subnets)"}`, "party");
      d.edge("traffic", id, "nodes", `${r.ports} (firewall)`);
    }
  }
  const data = subnet("-data")?.ip_cidr_range;
  for (const r of firewallOf(json, "EGRESS", nodeAccount)) {
    if (data && r.ranges.includes(data)) for (const to of ["sql", "kafka"]) if (d.has(to) && d.has("nodes")) d.edge("traffic", "nodes", to, `${r.ports} (firewall: to the data subnet)`);
    if (r.ranges.includes(`${region.network.googleApisAddress}/32`) && d.has("nodes")) d.edge("traffic", "nodes", "apis", `${r.ports} (firewall: to the Google APIs address)`);
  }
  // The PSC endpoint reaches Cloud Storage (the buckets of this project) through the API bundle it targets.
  const bundle = resourcesOf(json, "google_compute_global_forwarding_rule")[0]?.[1].target;
  if (bundle) for (const [n] of resourcesOf(json, "google_storage_bucket")) d.edge("traffic", "apis", nodeId(`google_storage_bucket_${n}`), `Cloud Storage API (PSC bundle ${bundle})`);
  drawCalls(d, view, calls, "mesh policy");

  // Which key protects what: each store's CMEK, and the services granted a key that protects no store.
  const NODE_OF_TYPE: Record<string, string> = { google_sql_database_instance: "sql", google_managed_kafka_cluster: "kafka", google_container_cluster: "gke", google_container_node_pool: "nodes" };
  const protecting = new Set<string>();
  for (const [type, spec] of Object.entries(GCP_ENCRYPTION_AT_REST)) {
    for (const [n, b] of resourcesOf(json, type)) {
      const target = NODE_OF_TYPE[type] ?? nodeId(`${type}_${n}`);
      const key = refName(spec.keys(b)[0], "google_kms_crypto_key", "id");
      if (key && d.has(target)) {
        d.edge("encrypts", `key_${nodeId(key)}`, target);
        protecting.add(key);
      }
    }
  }
  const workloadOf = (member: string) => {
    const account = refName(String(member).replace(/^serviceAccount:/, ""), "google_service_account", "email");
    const binding = resourcesOf(json, "google_service_account_iam_member").find(([, b]) => refName(b.service_account_id, "google_service_account", "name") === account)?.[1];
    const m = /\[([^/]+)\/([^\]]+)\]$/.exec(String(binding?.member ?? ""));
    const svc = m && region.services.find((s) => s.namespace === m[1] && (s.serviceAccount ?? s.name) === m[2]);
    return svc ? serviceNode(`${svc.namespace}/${svc.name}`) : undefined;
  };
  for (const [, m] of resourcesOf(json, "google_kms_crypto_key_iam_member")) {
    const key = refName(m.crypto_key_id, "google_kms_crypto_key", "id");
    const svc = workloadOf(m.member);
    if (key && !protecting.has(key) && svc && d.has(svc)) d.edge("encrypts", `key_${nodeId(key)}`, svc, `what the service encrypts (${String(m.role).replace("roles/cloudkms.", "")})`);
  }

  // Where data goes: the log sinks, the buckets' access logs.
  for (const [n, sink] of resourcesOf(json, "google_logging_project_sink")) {
    const bucketId = /\/buckets\/([^/]+)$/.exec(String(sink.destination))?.[1];
    const to = resourcesOf(json, "google_logging_project_bucket_config").find(([, b]) => b.bucket_id === bucketId)?.[0];
    if (to) d.edge("delivers", nodeId(`sink_${n}`), nodeId(`google_logging_project_bucket_config_${to}`), "log entries");
  }
  for (const [n, b] of resourcesOf(json, "google_storage_bucket")) {
    const to = refName(one(b.logging).log_bucket, "google_storage_bucket", "name");
    if (to) d.edge("delivers", nodeId(`google_storage_bucket_${n}`), nodeId(`google_storage_bucket_${to}`), "access logs");
  }
  return d;
}

/** What each top-level construct of a GCP region stack is, for the inventory. */
const GCP_CAPABILITY_NAMES: Readonly<Record<string, string>> = {
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

/** A GCP region stack's part of its report: the diagram, the encryption map, the network exposure. */
export function gcpReport(view: StackView): LayerReport {
  return { capabilities: GCP_CAPABILITY_NAMES, diagram: gcpRegionDiagram(view as StackView<GcpRegionConfig>), sections: [gcpEncryptionSection(view.json), gcpExposureSection(view.json)] };
}
