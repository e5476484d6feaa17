/**
 * The Google Cloud part of a region's report (`region-<name>` on GCP): the diagram, the encryption
 * map and the network exposure, from its synthesized JSON.
 */
import type { GcpRegionConfig } from "../config/schema";
import { StackView } from "../guardrails/rule";
import { TfJson, resourcesOf, asList, one, refName } from "../tfjson/terraform";
import { callGraph } from "./call-graph";
import type { LayerReport } from "./layer-report";
import { label, nodeId, shortRef, table } from "./markdown";
import { GCP_ENCRYPTION_AT_REST } from "../model/gcp/encryption";

/** The key a reference names, as `<purpose> key`. */
function keyLabel(json: TfJson, value: unknown): string {
  const name = refName(value, "google_kms_crypto_key", "id");
  const key = name ? json.resource?.google_kms_crypto_key?.[name] : undefined;
  if (!key) return value === undefined ? "**Google-managed**" : `**${String(value)}**`;
  return `${key.name} key (${one(key.version_template).protection_level ?? "SOFTWARE"}, rotates every ${Math.round(parseInt(String(key.rotation_period), 10) / 86400)} days)`;
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
      resourcesOf(json, "google_kms_crypto_key_iam_member")
        .filter(([, m]) => refName(m.crypto_key_id, "google_kms_crypto_key", "id") === n)
        .map(([, m]) => `${shortRef(String(m.member).replace(/^serviceAccount:/, ""))} (${String(m.role).replace("roles/cloudkms.", "")})`)
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
    "\nService attachments (how partners reach the payment API, Private Service Connect only):\n",
    table(["attachment", "acceptance", "accepted projects"], attachments),
  ].join("\n");
}

/** The GCP region stack as a Mermaid flowchart. */
function gcpRegionDiagram(view: StackView<GcpRegionConfig>): string {
  const { json, region } = view;
  const cluster = resourcesOf(json, "google_container_cluster")[0]?.[1];
  const pool = resourcesOf(json, "google_container_node_pool")[0]?.[1];
  const sql = resourcesOf(json, "google_sql_database_instance")[0]?.[1];
  const kafka = resourcesOf(json, "google_managed_kafka_cluster")[0]?.[1];
  const subnet = (suffix: string) => resourcesOf(json, "google_compute_subnetwork").find(([, s]) => String(s.name).endsWith(suffix))?.[1];
  const l = ["flowchart LR", `  partners([${label("partner projects (accept list)")}])`];
  const noRoute = resourcesOf(json, "google_compute_network").every(([, n]) => n.delete_default_routes_on_create === true);
  l.push(`  subgraph vpc[${label(`VPC: ${noRoute ? "no route to the internet" : "DEFAULT ROUTE KEPT"}`)}]`);
  l.push(`    subgraph tier_workload[${label(`workload subnet ${subnet("-workload")?.ip_cidr_range ?? ""} (pods ${region.network.podsCidr})`)}]`);
  if (cluster) {
    const p = one(cluster.private_cluster_config);
    l.push(`      gke[${label(`GKE ${cluster.min_master_version}: ${p.enable_private_endpoint === true ? "private endpoint" : "PUBLIC ENDPOINT"}, secrets encrypted`)}]`);
    l.push(`      nodes[${label(`node pool in ${asList(pool?.node_locations).length} zones: shielded, Workload Identity`)}]`);
    l.push(`      subgraph mesh[${label(`Istio mesh ${region.mesh.istioVersion}: the declared calls`)}]`);
    l.push(...callGraph(view, view.region.mesh.calls, "        "));
    l.push("      end");
  }
  l.push(`      ilb[${label("internal load balancer: TCP 443")}]`);
  l.push("    end");
  l.push(`    subgraph tier_data[${label(`data subnet ${subnet("-data")?.ip_cidr_range ?? ""}: PSC endpoints`)}]`);
  if (sql) l.push(`      sql[(${label(`Cloud SQL ${sql.database_version}: ${one(sql.settings).availability_type}, no public IP`)})]`);
  if (kafka) l.push(`      kafka[(${label(`Managed Kafka: ${one(kafka.capacity_config).vcpu_count} vCPU, TLS, IAM`)})]`);
  l.push("    end");
  l.push(`    apis[${label(`Google APIs via PSC ${region.network.googleApisAddress}`)}]`);
  l.push("  end");
  for (const [n, b] of resourcesOf(json, "google_storage_bucket")) l.push(`  bucket_${nodeId(n)}[(${label(`GCS ${b.name}${one(b.retention_policy).is_locked ? ": locked retention" : ""}`)})]`);
  l.push(`  subgraph kms[${label(`Cloud KMS key ring (${region.cloudRegion})`)}]`);
  for (const [n, k] of resourcesOf(json, "google_kms_crypto_key")) l.push(`    key_${nodeId(n)}[${label(`${k.name} (${one(k.version_template).protection_level})`)}]`);
  l.push("  end");
  if (resourcesOf(json, "google_compute_service_attachment").length) l.push(`  partners -->|${label("PSC, listed projects only")}| ilb`);
  l.push(`  nodes -->|${label("TCP 5432")}| sql`, `  nodes -->|${label("TCP 9092")}| kafka`, `  nodes -->|${label("TCP 443")}| apis`, "  apis --> " + resourcesOf(json, "google_storage_bucket").map(([n]) => `bucket_${nodeId(n)}`).join(" & "));
  const protects: Record<string, string> = { google_sql_database_instance: "sql", google_managed_kafka_cluster: "kafka", google_container_cluster: "gke", google_container_node_pool: "nodes" };
  const edges = new Set<string>();
  for (const [type, spec] of Object.entries(GCP_ENCRYPTION_AT_REST)) {
    for (const [n, b] of resourcesOf(json, type)) {
      const target = protects[type] ?? (type === "google_storage_bucket" ? `bucket_${nodeId(n)}` : undefined);
      const key = refName(spec.keys(b)[0], "google_kms_crypto_key", "id");
      if (target && key) edges.add(`  key_${nodeId(key)} -.-> ${target}`);
    }
  }
  l.push(...[...edges].sort());
  return l.join("\n");
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
