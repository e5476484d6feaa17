import { JURISDICTIONS } from "../../../config/catalog";
import { isPrivate, parseCidr, rangeContains } from "../../../config/cidr";
import type { GcpRegionConfig } from "../../../config/schema";
import { resourceRules, stackRules } from "../../rule";
import { TfJson, ref, resourcesOf, asList, one, preventsDestroy, refName } from "../../../tfjson/terraform";
import { GCP_KEY_PURPOSES, GcpKeyPurpose, KEY_DESTROY_DELAY_DAYS, serviceAgentOf } from "../../../model/gcp/keys";
import { GOOGLE_HEALTH_CHECK_RANGES, PERIMETER_SERVICES } from "../../../model/gcp/network";
import { GKE_LOG_COMPONENTS } from "../../../model/gcp/gke";
import { regionLabels } from "../../../model/gcp/labels";
import { GCP_ENCRYPTION_AT_REST } from "../../../tfjson/gcp";

/**
 * The guardrails of a GCP region stack (`region-<name>` on Google Cloud): the reference model's
 * invariants with Google's resources. Where the concept is the AWS one (residency, secrets,
 * reviewed types, no data sources) the shared rules apply too.
 */

/** The purpose of a Cloud KMS key of the stack (its `name`), by resource name. */
function purposeOf(json: TfJson, keyResource: string | undefined): string | undefined {
  return keyResource ? json.resource?.google_kms_crypto_key?.[keyResource]?.name : undefined;
}

/** The key resource a reference names (`${google_kms_crypto_key.x.id}`). */
const keyRef = (value: unknown) => refName(value, "google_kms_crypto_key", "id");

/** Resource types whose loss loses data or keys. */
const GCP_STATEFUL = ["google_kms_key_ring", "google_kms_crypto_key", "google_sql_database_instance", "google_storage_bucket", "google_managed_kafka_cluster", "google_logging_project_bucket_config"];

/** A CIDR inside 10/8, 172.16/12 or 192.168/16. */
function isPrivateRange(cidr: string): boolean {
  const r = parseCidr(cidr);
  return typeof r !== "string" && isPrivate(r);
}

/** Inside one of the region's address ranges. */
function insideRegion(region: GcpRegionConfig, cidr: string): boolean {
  const r = parseCidr(cidr.includes("/") ? cidr : `${cidr}/32`);
  if (typeof r === "string") return false;
  return Object.entries(region.network).some(([k, v]) => {
    const outer = parseCidr(k === "googleApisAddress" ? `${v}/32` : v);
    return typeof outer !== "string" && rangeContains(outer, r);
  });
}

export const GCP_STACK_RULES = stackRules<GcpRegionConfig>({ layers: ["gcp"] }, [
  {
    id: "gcp.provider-pinned-to-project",
    requirement: "12.5, 12.5.1",
    fix: "Configure one GoogleProvider with project = projectId, region = cloudRegion and defaultLabels from the region file's tags; keep credentials and access tokens out of the stack.",
    description: "one google provider, in the region's project and cloud region, with the default labels (region, jurisdiction, data classification, PCI scope, owner) and no credentials",
    check: ({ json, region }) => {
      const providers = asList<TfJson>(json.provider?.google);
      if (providers.length !== 1) return [`provider.google: ${providers.length} provider blocks, expected 1`];
      const p = providers[0];
      const v: string[] = [];
      if (p.project !== region.projectId) v.push(`provider.google: project ${p.project}, expected ${region.projectId}`);
      if (p.region !== region.cloudRegion) v.push(`provider.google: region ${p.region}, expected ${region.cloudRegion}`);
      if (p.credentials || p.access_token || p.impersonate_service_account) v.push("provider.google: credentials in the production provider config");
      const expected = regionLabels(region);
      for (const [k, value] of Object.entries(expected)) if (p.default_labels?.[k] !== value) v.push(`provider.google: default label ${k} is ${JSON.stringify(p.default_labels?.[k])}, expected "${value}"`);
      if (Object.keys(json.terraform?.required_providers ?? {}).some((k) => k !== "google")) v.push("terraform.required_providers: only google is allowed in a GCP region stack");
      return v;
    },
  },
  {
    id: "gcp.backend-encrypted",
    requirement: "3.5, 10.3",
    fix: "Keep the stack on RegionStack.useGcsStateBackend: the region file's state bucket and prefix, encrypted with its Cloud KMS key (GCS locks state itself).",
    description: "state lives in the configured GCS bucket and prefix, encrypted with the configured Cloud KMS key",
    check: ({ json, region }) => {
      const gcs = json.terraform?.backend?.gcs;
      if (!gcs) return ["terraform.backend: no gcs backend"];
      const s = region.stateBackend;
      const v: string[] = [];
      if (gcs.bucket !== s.bucket || gcs.prefix !== s.prefix) v.push("terraform.backend.gcs: bucket/prefix differ from the region config");
      if (gcs.kms_encryption_key !== s.kmsKeyName) v.push("terraform.backend.gcs: kms_encryption_key is not the configured state key");
      if (gcs.encryption_key !== undefined) v.push("terraform.backend.gcs: a customer-supplied key in the stack");
      return v;
    },
  },
  {
    id: "gcp.labels-not-overridden",
    requirement: "12.5.1",
    fix: "Leave the required labels to the provider's default labels; a resource may add labels but not change these.",
    description: "no resource overrides a required label (region, jurisdiction, data classification, PCI scope, owner) with another value",
    check: ({ json, region }) => {
      const expected = regionLabels(region);
      const v: string[] = [];
      for (const [type, byName] of Object.entries((json.resource ?? {}) as Record<string, Record<string, TfJson>>)) {
        for (const [name, body] of Object.entries(byName)) {
          for (const labels of [body.labels, body.resource_labels, one(body.settings).user_labels].filter((l): l is TfJson => !!l && typeof l === "object")) {
            for (const k of ["region", "jurisdiction", "data_classification", "pci_scope", "owner"]) if (k in labels && labels[k] !== expected[k]) v.push(`${type}.${name}: label ${k} is ${JSON.stringify(labels[k])}, expected "${expected[k]}"`);
          }
        }
      }
      return v;
    },
  },
  {
    id: "gcp.keys-one-per-purpose",
    requirement: "3.6, 3.7",
    fix: "Create keys through GcpRegionKeys: one key ring in the region, one key per purpose.",
    description: "one key ring in the region's location, with one key per purpose (database, kafka, audit, gke-secrets, logs, disks, registry, tokenization)",
    check: ({ json, region }) => {
      const rings = resourcesOf(json, "google_kms_key_ring");
      if (rings.length !== 1 || rings[0][1].location !== region.cloudRegion) return [`google_kms_key_ring: expected one key ring in ${region.cloudRegion}`];
      const ring = ref("google_kms_key_ring", rings[0][0], "id");
      const keys = resourcesOf(json, "google_kms_crypto_key");
      const v: string[] = [];
      for (const purpose of GCP_KEY_PURPOSES) {
        const found = keys.filter(([, k]) => k.name === purpose && k.key_ring === ring);
        if (found.length !== 1) v.push(`google_kms_crypto_key: ${found.length} keys for ${purpose} in the region's key ring, expected 1`);
      }
      for (const [n, k] of keys) if (k.key_ring !== ring) v.push(`google_kms_crypto_key.${n}: outside the region's key ring`);
      return v;
    },
  },
  {
    id: "gcp.firewall-default-deny-logged",
    requirement: "1.2.1, 1.3.1, 1.3.2, 10.2",
    fix: "Keep GcpPrivateNetwork's deny-all rules (ingress and egress, lowest priority) and log every rule; allow only from the region's ranges (and Google's health checkers), never 0.0.0.0/0.",
    description: "the VPC denies and logs all ingress and egress by default; every firewall rule logs; no allow rule admits a source outside the region's ranges (Google's health checkers aside) or egress to the internet",
    check: ({ json, region }) => {
      const v: string[] = [];
      const rules = resourcesOf(json, "google_compute_firewall");
      for (const direction of ["INGRESS", "EGRESS"]) {
        const deny = rules.find(
          ([, r]) =>
            r.direction === direction &&
            asList<TfJson>(r.deny).some((d) => d.protocol === "all") &&
            r.priority === 65534 &&
            asList(r[direction === "INGRESS" ? "source_ranges" : "destination_ranges"]).includes("0.0.0.0/0") &&
            // Denies everything to everyone: no target or source filter narrows it.
            ["target_service_accounts", "target_tags", "source_service_accounts", "source_tags"].every((k) => asList(r[k]).length === 0) &&
            r.disabled !== true,
        );
        if (!deny) v.push(`google_compute_firewall: no deny-all ${direction} rule at the lowest priority`);
      }
      for (const [n, r] of rules) {
        const a = `google_compute_firewall.${n}`;
        if (!r.log_config) v.push(`${a}: not logged`);
        if (r.disabled === true) v.push(`${a}: disabled`);
        if (asList(r.allow).length === 0) continue;
        if (asList(r.target_service_accounts).length === 0) v.push(`${a}: allows traffic of every instance; target service accounts`);
        if (r.direction === "INGRESS") {
          // With no source at all, GCP takes 0.0.0.0/0.
          const sources = asList<string>(r.source_ranges).length > 0 || asList(r.source_service_accounts).length > 0 ? asList<string>(r.source_ranges) : ["0.0.0.0/0"];
          for (const s of sources) if (!insideRegion(region, s) && !GOOGLE_HEALTH_CHECK_RANGES.includes(s)) v.push(`${a}: allows ingress from ${s}`);
          if (asList(r.source_tags).length > 0) v.push(`${a}: allows by network tag (anyone may set tags); use service accounts`);
        } else {
          const destinations = asList<string>(r.destination_ranges).length > 0 ? asList<string>(r.destination_ranges) : ["0.0.0.0/0"];
          for (const d of destinations) if (!insideRegion(region, d)) v.push(`${a}: allows egress to ${d}`);
        }
        if (asList(r.target_tags).length > 0) v.push(`${a}: targets a network tag; target service accounts instead`);
      }
      return v;
    },
  },
  {
    id: "gcp.audit-archive",
    requirement: "10.3.3, 10.5.1",
    fix: "Keep GcsAuditArchive: a locked retention policy of retention.auditArchiveDays (at least 365) on the archive and its access-log bucket, Coldline after retention.coldStorageAfterDays, no delete rule.",
    description: "the audit archive and its access-log bucket have a locked retention policy of the configured days (at least 365; nothing can be overwritten or deleted before), colder storage after the configured days and no lifecycle deletion",
    check: ({ json, region }) => {
      const buckets = resourcesOf(json, "google_storage_bucket");
      const audit = buckets.filter(([, b]) => String(b.name).includes("-audit-"));
      if (audit.length !== 1) return [`google_storage_bucket: ${audit.length} audit archive buckets, expected 1`];
      const logBucket = refName(one(audit[0][1].logging).log_bucket, "google_storage_bucket", "name");
      const v: string[] = [];
      // The archive and the bucket that holds its access logs: both are evidence.
      for (const [n, b] of buckets.filter(([n]) => n === audit[0][0] || n === logBucket)) {
        const a = `google_storage_bucket.${n}`;
        const policy = one(b.retention_policy);
        if (policy.is_locked !== true) v.push(`${a}: retention policy not locked`);
        if (policy.retention_period !== region.retention.auditArchiveDays * 86400 || !(policy.retention_period >= 365 * 86400)) v.push(`${a}: retention ${policy.retention_period} s, expected ${region.retention.auditArchiveDays} days (at least 365)`);
        const rules = asList<TfJson>(b.lifecycle_rule);
        if (!rules.some((r) => one(r.action).type === "SetStorageClass" && ["COLDLINE", "ARCHIVE"].includes(one(r.action).storage_class) && one(r.condition).age === region.retention.coldStorageAfterDays)) v.push(`${a}: no move to colder storage after ${region.retention.coldStorageAfterDays} days`);
        if (rules.some((r) => one(r.action).type === "Delete")) v.push(`${a}: a lifecycle rule deletes audit records`);
      }
      return v;
    },
  },
  {
    id: "gcp.perimeter",
    requirement: "1.3.1, 1.4.1, 7.2",
    fix: "Keep GcpPrivateNetwork's perimeter when vpcServiceControls is configured: the project inside, the data services restricted, the VPC limited to restricted services, the Google APIs endpoint on the vpc-sc bundle, ingress for the deploy identity only.",
    description: "where the region names an access policy, a perimeter holds the project, restricts its data services, limits the VPC to restricted services, reaches APIs through the vpc-sc bundle and admits only the deploy identity from outside",
    check: ({ json, region }) => {
      const policy = region.vpcServiceControls?.accessPolicy;
      if (!policy) return [];
      const perimeters = resourcesOf(json, "google_access_context_manager_service_perimeter").filter(([, p]) => p.parent === policy);
      if (perimeters.length !== 1) return [`google_access_context_manager_service_perimeter: ${perimeters.length} perimeters in ${policy}, expected 1`];
      const [n, p] = perimeters[0];
      const a = `google_access_context_manager_service_perimeter.${n}`;
      const status = one(p.status);
      const v: string[] = [];
      if (!asList(status.resources).includes(`projects/${region.projectNumber}`)) v.push(`${a}: the project is not inside`);
      for (const s of PERIMETER_SERVICES) if (!asList(status.restricted_services).includes(s)) v.push(`${a}: ${s} not restricted`);
      const vpc = one(status.vpc_accessible_services);
      if (vpc.enable_restriction !== true || JSON.stringify(asList(vpc.allowed_services)) !== JSON.stringify(["RESTRICTED-SERVICES"])) v.push(`${a}: the VPC may reach services outside the perimeter`);
      for (const ingress of asList<TfJson>(status.ingress_policies)) {
        const ids = asList<string>(one(ingress.ingress_from).identities);
        if (one(ingress.ingress_from).identity_type === "ANY_IDENTITY" || ids.some((i) => i !== `serviceAccount:${region.gke.deployServiceAccount}`)) v.push(`${a}: admits ${one(ingress.ingress_from).identity_type ?? ids.join(", ")} from outside`);
      }
      if (asList(status.egress_policies).length > 0) v.push(`${a}: egress policies let data leave the perimeter`);
      const apis = resourcesOf(json, "google_compute_global_forwarding_rule");
      if (!apis.every(([, f]) => f.target === "vpc-sc")) v.push("google_compute_global_forwarding_rule: Google APIs not through the vpc-sc bundle");
      return v;
    },
  },
  {
    id: "gcp.audit-logging",
    requirement: "10.2.1, 10.3.3, 10.5.1",
    fix: "Keep GcpRegionStack's log pipeline: one sink of every log (no filter, no exclusion, enabled) to the regional CMEK log bucket kept retention.logDays, and data-access audit logs (ADMIN_READ, DATA_READ, DATA_WRITE) for allServices with no exempted member.",
    description: "every log of the project goes, unfiltered, to the region's CMEK log bucket kept at least the configured days, and data-access audit logs are on for every service",
    check: ({ json, region }) => {
      const v: string[] = [];
      const buckets = resourcesOf(json, "google_logging_project_bucket_config");
      const bucket = buckets.find(([, b]) => b.location === region.cloudRegion && one(b.cmek_settings).kms_key_name);
      if (!bucket) return ["google_logging_project_bucket_config: no regional CMEK log bucket"];
      const [bn, b] = bucket;
      if (!(b.retention_days >= region.retention.logDays && b.retention_days >= 365)) v.push(`google_logging_project_bucket_config.${bn}: retention ${b.retention_days} days, expected ${region.retention.logDays}`);
      const destination = `logging.googleapis.com/projects/${region.projectId}/locations/${region.cloudRegion}/buckets/${b.bucket_id}`;
      const sinks = resourcesOf(json, "google_logging_project_sink").filter(([, s]) => s.destination === destination);
      if (sinks.length === 0) v.push("google_logging_project_sink: no sink to the regional log bucket");
      for (const [sn, s] of sinks) {
        if (s.filter) v.push(`google_logging_project_sink.${sn}: filtered (${s.filter})`);
        if (asList(s.exclusions).length > 0) v.push(`google_logging_project_sink.${sn}: has exclusions`);
        if (s.disabled === true) v.push(`google_logging_project_sink.${sn}: disabled`);
      }
      const audit = resourcesOf(json, "google_project_iam_audit_config").find(([, a]) => a.service === "allServices");
      if (!audit) v.push("google_project_iam_audit_config: no data-access audit logs for allServices");
      else {
        const configs = asList<TfJson>(audit[1].audit_log_config);
        for (const t of ["ADMIN_READ", "DATA_READ", "DATA_WRITE"]) if (!configs.some((c) => c.log_type === t)) v.push(`google_project_iam_audit_config.${audit[0]}: ${t} not logged`);
        if (configs.some((c) => asList(c.exempted_members).length > 0)) v.push(`google_project_iam_audit_config.${audit[0]}: exempts members`);
      }
      return v;
    },
  },
  {
    id: "gcp.locations-in-jurisdiction",
    requirement: "12.5.2, 3.2.1",
    fix: "Place every resource in the region (or one of its zones); never a multi-region (ASIA, EU, US), a dual-region or global storage for data.",
    description: "every location, region and backup location argument names one of the jurisdiction's regions or their zones (any case), never a multi-region, dual-region or global location",
    check: ({ json, region }) => {
      const allowed = (JURISDICTIONS[region.jurisdiction].allowedRegions.gcp as readonly string[]).map((r) => r.toLowerCase());
      const ok = (value: string) => allowed.some((r) => value.toLowerCase() === r || value.toLowerCase().startsWith(`${r}-`));
      const v: string[] = [];
      for (const [type, byName] of Object.entries((json.resource ?? {}) as Record<string, Record<string, TfJson>>)) {
        for (const [name, body] of Object.entries(byName)) {
          const places = [
            ["location", body.location],
            ["region", body.region],
            ["settings.backup_configuration.location", one(one(body.settings).backup_configuration).location],
          ].filter(([, value]) => typeof value === "string") as [string, string][];
          for (const [field, value] of places) if (!ok(value)) v.push(`${type}.${name}: ${field} ${value} is outside ${region.jurisdiction} (${allowed.join(", ")})`);
        }
      }
      return v;
    },
  },
]);

export const GCP_RESOURCE_RULES = resourceRules<GcpRegionConfig>({ layers: ["gcp"] }, [
  {
    id: "gcp.keys-hsm-rotating",
    requirement: "3.6.1, 3.7.4",
    fix: "Create keys through GcpRegionKeys: protection level HSM, rotation within 365 days, a 30-day destroy delay, prevent_destroy.",
    description: "every Cloud KMS key is HSM-protected, rotates within a year, can be restored for 30 days after a destroy, and is protected from destroy",
    resourceTypes: ["google_kms_crypto_key"],
    check: (b) => {
      const v: string[] = [];
      if (one(b.version_template).protection_level !== "HSM") v.push(`protection level ${one(b.version_template).protection_level ?? "SOFTWARE"}, not HSM`);
      const rotation = parseInt(String(b.rotation_period ?? ""), 10);
      if (!(rotation > 0 && rotation <= 365 * 86400)) v.push(`rotation period ${b.rotation_period ?? "(none)"}, not within 365 days`);
      if (!(parseInt(String(b.destroy_scheduled_duration ?? ""), 10) >= KEY_DESTROY_DELAY_DAYS * 86400)) v.push(`destroy delay ${b.destroy_scheduled_duration ?? "(default 30 days, not pinned)"}`);
      if (b.purpose !== undefined && b.purpose !== "ENCRYPT_DECRYPT") v.push(`purpose ${b.purpose}`);
      if (b.import_only === true) v.push("import-only (key material from outside the HSM)");
      return v;
    },
  },
  {
    id: "gcp.key-access-least-privilege",
    requirement: "3.6.1, 7.2.1",
    fix: "Grant roles/cloudkms.cryptoKeyEncrypterDecrypter on one key to the service agent of its purpose (GcpRegionKeys) or, for the tokenization key, to a service that declares access.tokenizationKey; never bindings or policies that replace others' grants.",
    description: "each key is usable only by its service agent (or, for tokenization, the declared services' identities), with encrypt/decrypt only, through additive members",
    resourceTypes: ["google_kms_crypto_key_iam_member", "google_kms_crypto_key_iam_binding", "google_kms_crypto_key_iam_policy", "google_kms_key_ring_iam_member", "google_kms_key_ring_iam_binding", "google_kms_key_ring_iam_policy"],
    check: (b, { stack, type }) => {
      if (!type.endsWith("_member")) return [`${type} is authoritative (replaces grants made elsewhere); use google_kms_crypto_key_iam_member`];
      if (type.startsWith("google_kms_key_ring")) return ["a key-ring grant reaches every key of the region; grant one key"];
      const v: string[] = [];
      if (b.role !== "roles/cloudkms.cryptoKeyEncrypterDecrypter") v.push(`role ${b.role}, expected roles/cloudkms.cryptoKeyEncrypterDecrypter`);
      const purpose = purposeOf(stack.json, keyRef(b.crypto_key_id)) as GcpKeyPurpose | undefined;
      if (!purpose) return [...v, `names ${b.crypto_key_id}, not a key of this stack`];
      const agent = serviceAgentOf(purpose, stack.region.projectNumber, stack.region.kms.loggingServiceAccount);
      if (agent) {
        if (b.member !== `serviceAccount:${agent}`) v.push(`grants the ${purpose} key to ${b.member}, not its service agent`);
      } else {
        const tokenizers = stack.region.services.filter((s) => s.access?.tokenizationKey).map((s) => `serviceAccount:\${google_service_account.gke_workload-${s.name}.email}`);
        if (!tokenizers.includes(b.member)) v.push(`grants the ${purpose} key to ${b.member}, not a service that declares access.tokenizationKey`);
      }
      return v;
    },
  },
  {
    id: "gcp.cmek",
    requirement: "3.5.1, 3.6.1",
    fix: "Encrypt the store with the region's Cloud KMS key for its purpose (GcpRegionKeys); never Google-managed encryption for a data store.",
    description: "every Google data store (Cloud SQL, Managed Kafka, buckets, GKE secrets and disks, Artifact Registry, log buckets) is encrypted with the stack's key of its purpose",
    resourceTypes: Object.keys(GCP_ENCRYPTION_AT_REST),
    check: (b, { stack, type }) => {
      const spec = GCP_ENCRYPTION_AT_REST[type];
      const v: string[] = [];
      for (const k of spec.keys(b)) {
        if (k === undefined) v.push("Google-managed encryption, not a customer-managed key");
        else if (purposeOf(stack.json, keyRef(k)) !== spec.purpose) v.push(`key ${String(k)} is not the stack's ${spec.purpose} key`);
      }
      if (type === "google_container_cluster") {
        if (one(b.database_encryption).state !== "ENCRYPTED") v.push("Kubernetes secrets not envelope-encrypted");
        const boot = one(b.node_config).boot_disk_kms_key;
        if (purposeOf(stack.json, keyRef(boot)) !== "disks") v.push("the initial nodes' boot disks are not under the disks key");
      }
      return v;
    },
  },
  {
    id: "gcp.private-only",
    requirement: "1.3.1, 1.4.1, 1.4.4",
    fix: "Keep the resource private: no public IP or external address, private GKE nodes and endpoint, PSC or internal load balancing only, public access prevention on buckets, no NAT or internet route, manual acceptance on service attachments.",
    description: "nothing is reachable from the internet or by anyone: no public IPs, external addresses, NAT or internet routes, public GKE endpoints, public buckets, or service attachments that accept automatically",
    resourceTypes: [
      "google_sql_database_instance",
      "google_container_cluster",
      "google_compute_instance",
      "google_compute_address",
      "google_compute_global_address",
      "google_compute_forwarding_rule",
      "google_compute_global_forwarding_rule",
      "google_compute_service_attachment",
      "google_storage_bucket",
      "google_storage_bucket_iam_member",
      "google_compute_router_nat",
      "google_compute_route",
      "google_compute_network",
      "google_container_node_pool",
    ],
    check: (b, { stack, type }) => {
      switch (type) {
        case "google_sql_database_instance": {
          const ip = one(one(b.settings).ip_configuration);
          const consumers = asList<TfJson>(ip.psc_config).flatMap((p) => asList<string>(p.allowed_consumer_projects));
          return [
            ...(ip.ipv4_enabled !== false ? ["public IPv4 on (ipv4_enabled is not false)"] : []),
            ...(asList(ip.authorized_networks).length > 0 ? ["authorized networks open it to addresses"] : []),
            ...consumers.filter((p) => p !== stack.region.projectId).map((p) => `project ${p} may connect through PSC`),
          ];
        }
        case "google_container_node_pool":
          return one(b.network_config).enable_private_nodes === false ? ["the pool's nodes have public IPs"] : [];
        case "google_container_cluster": {
          const p = one(b.private_cluster_config);
          const m = one(b.master_authorized_networks_config);
          return [
            ...(one(one(b.control_plane_endpoints_config).dns_endpoint_config).allow_external_traffic === true ? ["the control plane's DNS endpoint admits external traffic"] : []),
            ...asList<TfJson>(m.cidr_blocks).filter((c) => !insideRegion(stack.region, String(c.cidr_block)) && !isPrivateRange(String(c.cidr_block))).map((c) => `authorized network ${c.cidr_block} is not private`),
            ...(p.enable_private_nodes !== true ? ["nodes have public IPs"] : []),
            ...(p.enable_private_endpoint !== true ? ["the control plane has a public endpoint"] : []),
            ...(m.gcp_public_cidrs_access_enabled !== false ? ["Google Cloud's public ranges may reach the control plane"] : []),
            ...(asList(m.cidr_blocks).length === 0 ? ["no authorized networks (any internal address may reach the control plane)"] : []),
          ];
        }
        case "google_compute_instance":
          return asList<TfJson>(b.network_interface).some((n) => asList(n.access_config).length > 0) ? ["has an external IP (access_config)"] : [];
        case "google_compute_address":
          return b.address_type === "INTERNAL" ? [] : ["an external address"];
        case "google_compute_global_address":
          return b.address_type === "INTERNAL" ? [] : ["an external address"];
        case "google_compute_forwarding_rule":
        case "google_compute_global_forwarding_rule": {
          if (b.load_balancing_scheme === "INTERNAL") return [];
          if (b.load_balancing_scheme !== "") return [`load balancing scheme ${b.load_balancing_scheme ?? "EXTERNAL"} (internet-facing)`];
          // A PSC endpoint: to Google's API bundles or to a service of this stack only.
          const ownService = /^\$\{google_sql_database_instance\.[^.]+\.psc_service_attachment_link\}$/.test(String(b.target));
          return ownService || ["all-apis", "vpc-sc"].includes(b.target) ? [] : [`a PSC endpoint to ${b.target}, outside this stack`];
        }
        case "google_compute_service_attachment": {
          const accepted = asList<TfJson>(b.consumer_accept_lists).map((c) => String(c.project_id_or_num)).sort();
          const declared = stack.region.paymentApi.consumerAcceptList.map((c) => c.project).sort();
          return [
            ...(b.connection_preference !== "ACCEPT_MANUAL" ? ["accepts every project's connections"] : []),
            ...(JSON.stringify(accepted) !== JSON.stringify(declared) ? [`accepts ${JSON.stringify(accepted)}, not the declared partners ${JSON.stringify(declared)}`] : []),
          ];
        }
        case "google_storage_bucket":
          return [...(b.public_access_prevention !== "enforced" ? ["public access prevention not enforced"] : []), ...(b.uniform_bucket_level_access !== true ? ["object ACLs enabled (uniform bucket-level access off)"] : [])];
        case "google_storage_bucket_iam_member":
          return ["allUsers", "allAuthenticatedUsers"].includes(b.member) ? [`grants ${b.role} to ${b.member}`] : [];
        case "google_compute_router_nat":
          return ["a NAT gateway (a path to the internet)"];
        case "google_compute_route":
          return b.next_hop_gateway ? [`a route to ${b.next_hop_gateway}`] : [];
        case "google_compute_network":
          return [...(b.auto_create_subnetworks !== false ? ["auto-mode (subnets in every region)"] : []), ...(b.delete_default_routes_on_create !== true ? ["keeps the default route to the internet"] : [])];
      }
      return [];
    },
  },
  {
    id: "gcp.subnets-private-logged",
    requirement: "1.3.1, 10.2.1",
    fix: "Create subnets through GcpPrivateNetwork: Private Google Access on, flow logs of all traffic with all metadata (PSC NAT subnets excepted: Google does not log them).",
    description: "every subnet has Private Google Access and flow logs of every flow with all metadata",
    resourceTypes: ["google_compute_subnetwork"],
    check: (b) => {
      if (b.purpose === "PRIVATE_SERVICE_CONNECT") return [];
      const log = one(b.log_config);
      return [
        ...(b.private_ip_google_access !== true ? ["Private Google Access off"] : []),
        ...(!b.log_config || log.flow_sampling !== 1 || log.metadata !== "INCLUDE_ALL_METADATA" ? ["flow logs missing, sampled or without metadata"] : []),
      ];
    },
  },
  {
    id: "gcp.database-hardened",
    requirement: "4.2.1, 8.3, 10.2, 12.10",
    fix: "Create the database with CloudSqlPostgres: TLS only, IAM auth, connection logs, regional HA, backups with PITR for at least 7 days, deletion protection, no root password.",
    description: "Cloud SQL requires TLS, has IAM database authentication and connection logging, is regional (standby in another zone), backs up with point-in-time recovery for at least 7 days, is deletion-protected and has no password in the stack",
    resourceTypes: ["google_sql_database_instance"],
    check: (b) => {
      const s = one(b.settings);
      const ip = one(s.ip_configuration);
      const backup = one(s.backup_configuration);
      const flags = new Map(asList<TfJson>(s.database_flags).map((f) => [f.name, f.value]));
      const v: string[] = [];
      if (!["ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"].includes(ip.ssl_mode)) v.push(`ssl_mode ${ip.ssl_mode ?? "(unset: plaintext allowed)"}`);
      if (flags.get("cloudsql.iam_authentication") !== "on") v.push("IAM database authentication off");
      if (flags.get("log_connections") !== "on" || flags.get("log_disconnections") !== "on") v.push("connections not logged");
      if (s.availability_type !== "REGIONAL") v.push(`availability ${s.availability_type ?? "ZONAL"}, not REGIONAL`);
      if (backup.enabled !== true || backup.point_in_time_recovery_enabled !== true) v.push("backups or point-in-time recovery off");
      if (!(one(backup.backup_retention_settings).retained_backups >= 7)) v.push("fewer than 7 backups kept");
      if (b.deletion_protection !== true || s.deletion_protection_enabled !== true) v.push("not deletion-protected (Terraform and API)");
      if (b.root_password !== undefined) v.push("a root password in the stack");
      return v;
    },
  },
  {
    id: "gcp.gke-hardened",
    requirement: "1.3, 2.2, 3.5.1, 7.2, 8.2, 10.2",
    fix: "Create the cluster through GkeCluster: Workload Identity, Dataplane V2, shielded nodes with secure boot, GKE metadata server, all control-plane logs, no client certificates or legacy ABAC, deletion protection, the nodes' own service account.",
    description: "GKE runs Workload Identity, Dataplane V2 (NetworkPolicy enforced), shielded nodes with secure boot and the GKE metadata server, every control-plane log, no client certificates or legacy ABAC, deletion protection, and nodes under their own service account in every zone",
    resourceTypes: ["google_container_cluster", "google_container_node_pool"],
    check: (b, { stack, type }) => {
      const v: string[] = [];
      const node = one(b.node_config);
      if (type === "google_container_cluster") {
        if (!one(b.workload_identity_config).workload_pool) v.push("Workload Identity off");
        if (b.datapath_provider !== "ADVANCED_DATAPATH" && one(b.network_policy).enabled !== true) v.push("NetworkPolicies not enforced (no Dataplane V2 or network policy)");
        if (b.enable_shielded_nodes !== true) v.push("shielded nodes off");
        const logs = asList<string>(one(b.logging_config).enable_components);
        for (const c of GKE_LOG_COMPONENTS) if (!logs.includes(c)) v.push(`control-plane log ${c} off`);
        if (one(one(b.master_auth).client_certificate_config).issue_client_certificate !== false) v.push("client certificates may be issued");
        if (b.enable_legacy_abac === true) v.push("legacy ABAC on");
        if (b.deletion_protection !== true) v.push("not deletion-protected");
      }
      if (one(node.shielded_instance_config).enable_secure_boot !== true) v.push("nodes boot without secure boot");
      if (one(node.workload_metadata_config).mode !== "GKE_METADATA") v.push("pods can reach the node's metadata server (workload metadata mode is not GKE_METADATA)");
      if (!node.service_account || node.service_account === "default" || String(node.service_account).includes("-compute@developer")) v.push("nodes run as the Compute Engine default service account");
      const zones = asList<string>(b.node_locations);
      if (stack.region.zones.some((z) => !zones.includes(z))) v.push(`nodes not in every zone (${zones.join(", ") || "none"})`);
      if (type === "google_container_node_pool" && one(b.management).auto_repair !== true) v.push("auto-repair off");
      return v;
    },
  },
  {
    id: "gcp.bucket-access-logged",
    requirement: "10.2.1",
    fix: "Send the bucket's usage logs to the access-log bucket of this stack; the access-log bucket carries a suppression saying why it cannot log to itself.",
    description: "every bucket writes usage (access) logs to another bucket of this stack",
    resourceTypes: ["google_storage_bucket"],
    check: (b, { stack, name }) => {
      const target = one(b.logging).log_bucket;
      if (!target) return ["no usage logs"];
      const own = resourcesOf(stack.json, "google_storage_bucket").map(([n]) => ref("google_storage_bucket", n, "name"));
      if (target === ref("google_storage_bucket", name, "name")) return ["logs to itself"];
      return own.includes(target) ? [] : ["logs to a bucket outside this stack"];
    },
  },
  {
    id: "gcp.kafka-replicated",
    requirement: "12.10.1, 7.2.1",
    fix: "Keep ManagedKafka's topics at three replicas with min.insync.replicas=2 and unclean leader election off; give clients topic ACLs, not cluster-wide access.",
    description: "every topic keeps three replicas with min.insync.replicas=2 and no unclean leader election; ACLs name single topics",
    resourceTypes: ["google_managed_kafka_topic", "google_managed_kafka_acl"],
    check: (b, { type }) => {
      if (type === "google_managed_kafka_acl") {
        const v = String(b.acl_id).startsWith("topic/") || String(b.acl_id).startsWith("consumerGroup/") ? [] : [`ACL on ${b.acl_id}: a prefix, wildcard or cluster ACL`];
        for (const e of asList<TfJson>(b.acl_entries)) {
          if (!/^User:\$\{google_service_account\.[^.]+\.email\}$/.test(String(e.principal))) v.push(`ACL entry for ${e.principal}, not a workload identity of this stack`);
          if (!["READ", "WRITE", "DESCRIBE"].includes(e.operation)) v.push(`ACL entry allows ${e.operation}`);
        }
        return v;
      }
      const c = (b.configs ?? {}) as TfJson;
      return [
        ...(b.replication_factor !== 3 ? [`${b.replication_factor} replicas, expected 3`] : []),
        ...(c["min.insync.replicas"] !== "2" ? ["min.insync.replicas is not 2"] : []),
        ...(c["unclean.leader.election.enable"] === "true" ? ["unclean leader election on"] : []),
      ];
    },
  },
  {
    id: "gcp.iam-least-privilege",
    requirement: "7.2.1, 7.2.2, 8.2.2",
    fix: "Grant predefined roles to the one identity that needs them (with a condition where it scopes the grant); never owner, editor, admin or IAM-admin roles, authoritative bindings or policies, public members, or service account keys.",
    description: "no basic (owner, editor, viewer) or admin role, no authoritative project binding or policy, no public member, no long-lived service account key",
    resourceTypes: [
      "google_project_iam_member",
      "google_project_iam_binding",
      "google_project_iam_policy",
      "google_project_iam_custom_role",
      "google_service_account_key",
      "google_service_account_iam_member",
      "google_service_account_iam_binding",
      "google_artifact_registry_repository_iam_member",
      "google_artifact_registry_repository_iam_binding",
    ],
    check: (b, { stack, type }) => {
      if (type === "google_service_account_key") return ["a long-lived service account key"];
      if (type === "google_project_iam_custom_role") return ["a custom role (its permissions are reviewed nowhere); use a predefined role"];
      if (type.endsWith("_binding") || type.endsWith("_policy")) return [`${type} is authoritative (replaces grants made elsewhere)`];
      const v: string[] = [];
      const role = String(b.role);
      if (/^roles\/(owner|editor|viewer)$/.test(role) || /[aA]dmin$/.test(role) || role.includes("iam.serviceAccountTokenCreator") || role.includes("resourcemanager")) v.push(`role ${role} is too broad`);
      if (/^projects\/.+\/roles\//.test(role) || /^organizations\/.+\/roles\//.test(role)) v.push(`custom role ${role}`);
      if (["allUsers", "allAuthenticatedUsers"].includes(b.member)) v.push(`grants to ${b.member}`);
      if (type === "google_project_iam_member") {
        // Keys, identities and Kafka are granted on the resource (or by condition), never project-wide.
        if (/^roles\/(cloudkms\.|iam\.)/.test(role)) v.push(`${role} on the whole project (grant it on the one key or service account)`);
        if (role === "roles/managedkafka.client" && !b.condition) v.push("managedkafka.client on every cluster of the project (no condition)");
      }
      if (type === "google_artifact_registry_repository_iam_member" && role !== "roles/artifactregistry.reader") v.push(`${role} on the image repository (only pulls are granted; pushes are the mirror pipeline's)`);
      if (type === "google_service_account_iam_member") {
        if (role !== "roles/iam.workloadIdentityUser") v.push(`lets ${b.member} act as a service account (${role})`);
        const m = /^serviceAccount:([^[]+)\.svc\.id\.goog\[([^/]+)\/([^\]]+)\]$/.exec(String(b.member));
        const declared = stack.region.services.filter((s) => s.access && !stack.region.mesh.merchantNamespaces.includes(s.namespace)).map((s) => `${s.namespace}/${s.serviceAccount ?? s.name}`);
        if (!m || m[1] !== stack.region.projectId || !declared.includes(`${m[2]}/${m[3]}`)) v.push(`Workload Identity for ${b.member}, not a declared service's account in this project's pool`);
      }
      return v;
    },
  },
  {
    id: "gcp.stateful-protected",
    requirement: "10.5.1, 3.7.2, 12.10.1",
    fix: "Set lifecycle.prevent_destroy on the resource (the blueprint's constructs do); to retire it, remove the flag in a reviewed change of its own.",
    description: "key rings, keys, Cloud SQL, buckets, Managed Kafka and log buckets are protected from destroy",
    resourceTypes: GCP_STATEFUL,
    check: (b) => (preventsDestroy(b) ? [] : ["not protected from destroy (lifecycle.prevent_destroy)"]),
  },
]);
