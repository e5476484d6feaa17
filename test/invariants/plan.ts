import { AwsRegionConfig } from "../../config/schema";
import { SynthStack, TfJson } from "../support/synth";
import { PARTNER_GATEWAY } from "../../model/mesh/edge";
import { DR_KEY_ALIASES } from "../../model/aws/keys";
import { principalArns, statementsOf } from "../../tfjson/iam-policy";
import { keyNameByAlias } from "../../tfjson/aws";

/**
 * An invariant checked on `terraform show -json` of a real plan: what Terraform itself will send
 * to AWS, after the provider's defaults and validation. The plans are made against an empty state
 * (every resource a create); some checks, e.g. no `key_store_password` at stage keys, hold only
 * there, since with state `ignore_changes` carries the stored value into the plan.
 */
export interface PlanInvariant {
  readonly id: string;
  readonly requirement: string;
  readonly description: string;
  readonly check: (plan: TfJson, stack: SynthStack<AwsRegionConfig>) => string[];
}

interface PlannedResource {
  address: string;
  type: string;
  name: string;
  values: TfJson;
}

export function plannedResources(plan: TfJson, type?: string): PlannedResource[] {
  const all = (plan.planned_values?.root_module?.resources ?? []) as PlannedResource[];
  return type ? all.filter((r) => r.type === type) : all;
}

/** The provider configuration a resource uses (`aws`, or `aws.dr` in the DR partner region). */
export function providerOf(plan: TfJson, address: string): string {
  return ((plan.configuration?.root_module?.resources ?? []) as TfJson[]).find((r) => r.address === address)?.provider_config_key ?? "aws";
}

/** References of one argument of one resource in the plan's configuration section. */
function references(plan: TfJson, address: string, path: string[]): string[] {
  const res = ((plan.configuration?.root_module?.resources ?? []) as TfJson[]).find((r) => r.address === address);
  let expr: TfJson | undefined = res?.expressions;
  for (const p of path) expr = Array.isArray(expr) ? expr[0]?.[p] : expr?.[p];
  return (expr?.references ?? []) as string[];
}

const OPEN = ["0.0.0.0/0", "::/0"];

/** The resource name of the alias `alias/<prefix>-<region>/<suffix>` in the synthesized stack. */
function keyAliasResource(stack: SynthStack<AwsRegionConfig>, suffix: string): string | undefined {
  const name = `alias/${stack.region.naming.prefix}-${stack.region.name}/${suffix}`;
  return Object.entries((stack.json.resource.aws_kms_alias ?? {}) as Record<string, TfJson>).find(([, a]) => a.name === name)?.[0];
}

export const PLAN_INVARIANTS: readonly PlanInvariant[] = [
  {
    id: "plan.creates-only",
    requirement: "12.5",
    description: "a plan against an empty state only creates managed resources and reads no data source",
    check: (plan) =>
      ((plan.resource_changes ?? []) as TfJson[])
        .filter((c) => c.mode !== "managed" || JSON.stringify(c.change.actions) !== JSON.stringify(["create"]))
        .map((c) => `${c.address}: ${c.mode} ${JSON.stringify(c.change.actions)}`),
  },
  {
    id: "plan.covers-synth",
    requirement: "12.5",
    description: "every synthesized resource is in the plan, and nothing else",
    check: (plan, stack) => {
      const planned = new Set(plannedResources(plan).map((r) => r.address));
      const synthesized = new Set(Object.entries(stack.json.resource as Record<string, TfJson>).flatMap(([t, byName]) => Object.keys(byName).map((n) => `${t}.${n}`)));
      return [
        ...[...synthesized].filter((a) => !planned.has(a)).map((a) => `${a}: synthesized but not planned`),
        ...[...planned].filter((a) => !synthesized.has(a)).map((a) => `${a}: planned but not synthesized`),
      ];
    },
  },
  {
    id: "plan.keys",
    requirement: "3.6, 3.7",
    description: "every planned KMS key: symmetric, rotation on (off only in the CloudHSM key store), 30-day window, single-region, policy naming its principals",
    check: (plan) =>
      plannedResources(plan, "aws_kms_key").flatMap(({ address, values: k }) => {
        const v: string[] = [];
        // Keys in a custom key store cannot rotate automatically (hsm invariants check they are the tokenization generations).
        const inStore = references(plan, address, ["custom_key_store_id"]).length > 0;
        if (k.enable_key_rotation !== !inStore) v.push(`${address}: rotation ${k.enable_key_rotation ? "on in a custom key store (KMS refuses it)" : "off"}`);
        if (k.deletion_window_in_days !== 30) v.push(`${address}: deletion window ${k.deletion_window_in_days}`);
        if (k.multi_region !== false) v.push(`${address}: multi-region`);
        if (k.customer_master_key_spec !== "SYMMETRIC_DEFAULT") v.push(`${address}: not symmetric`);
        if (typeof k.policy !== "string") v.push(`${address}: policy unknown at plan`);
        else for (const s of statementsOf(k.policy)) if (s.Effect === "Allow" && principalArns(s.Principal).includes("*") && !s.Condition) v.push(`${address}: ${s.Sid} allows *`);
        return v;
      }),
  },
  {
    id: "plan.encryption-references",
    requirement: "3.5.1, 10.3.2",
    description: "in the plan's reference graph, log groups are encrypted with the logs key and the audit archive with the audit key",
    check: (plan, stack) => {
      const v: string[] = [];
      const logsKey = `aws_kms_key.${keyNameByAlias(stack.json, "logs")}.arn`;
      const auditKey = `aws_kms_key.${keyNameByAlias(stack.json, "audit")}.arn`;
      for (const { address } of plannedResources(plan, "aws_cloudwatch_log_group")) {
        if (!references(plan, address, ["kms_key_id"]).includes(logsKey)) v.push(`${address}: kms_key_id does not reference ${logsKey}`);
      }
      const kmsEncrypted = plannedResources(plan, "aws_s3_bucket_server_side_encryption_configuration").filter(
        (r) => r.values.rule?.[0]?.apply_server_side_encryption_by_default?.[0]?.sse_algorithm === "aws:kms",
      );
      if (kmsEncrypted.length === 0) v.push("aws_s3_bucket_server_side_encryption_configuration: no bucket under SSE-KMS");
      for (const { address } of kmsEncrypted) {
        // In the DR partner region, the replica is under the partner region's own audit key.
        const key = providerOf(plan, address) === "aws.dr" ? `aws_kms_key.${keyNameByAlias(stack.json, DR_KEY_ALIASES.audit)}.arn` : auditKey;
        if (!references(plan, address, ["rule", "apply_server_side_encryption_by_default", "kms_master_key_id"]).includes(key)) v.push(`${address}: not under ${key}`);
      }
      return v;
    },
  },
  {
    id: "plan.audit-archive",
    requirement: "10.5.1, 1.3.1",
    description: "planned buckets: the archive locked in COMPLIANCE mode for the configured days, every bucket versioned and fully blocked from public access",
    check: (plan, stack) => {
      const v: string[] = [];
      // One locked archive per region: the home one, and the replica where there is a DR partner.
      const expectedLocks = stack.region.drPartnerRegion ? 2 : 1;
      const locked = plannedResources(plan, "aws_s3_bucket").filter((b) => b.values.object_lock_enabled === true);
      if (locked.length !== expectedLocks) v.push(`aws_s3_bucket: ${locked.length} buckets with Object Lock, expected ${expectedLocks}`);
      if (locked.filter((b) => providerOf(plan, b.address) === "aws").length !== 1) v.push("aws_s3_bucket: the home region has not exactly one locked archive");
      const locks = plannedResources(plan, "aws_s3_bucket_object_lock_configuration");
      for (const { address, values } of locks) {
        const r = values.rule?.[0]?.default_retention?.[0];
        if (r?.mode !== "COMPLIANCE" || r?.days !== stack.region.retention.auditArchiveDays) v.push(`${address}: ${JSON.stringify(r)}`);
      }
      if (locks.length !== expectedLocks) v.push(`aws_s3_bucket_object_lock_configuration: ${locks.length}, expected ${expectedLocks}`);
      for (const { address, values } of plannedResources(plan, "aws_s3_bucket_public_access_block")) {
        for (const f of ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"]) if (values[f] !== true) v.push(`${address}: ${f} is ${values[f]}`);
      }
      for (const { address, values } of plannedResources(plan, "aws_s3_bucket_versioning")) {
        if (values.versioning_configuration?.[0]?.status !== "Enabled") v.push(`${address}: versioning not Enabled`);
      }
      const buckets = plannedResources(plan, "aws_s3_bucket").length;
      if (plannedResources(plan, "aws_s3_bucket_public_access_block").length !== buckets) v.push("aws_s3_bucket_public_access_block: not one per bucket");
      return v;
    },
  },
  {
    id: "plan.network-private",
    requirement: "1.3, 1.4, 10.2",
    description: "planned network: no public IPs, no open security group rule, private DNS on every interface endpoint, flow logs of ALL traffic, no internet path",
    check: (plan) => {
      const v: string[] = [];
      for (const { address, values } of plannedResources(plan, "aws_subnet")) if (values.map_public_ip_on_launch !== false) v.push(`${address}: public IPs on launch`);
      for (const t of ["aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"]) {
        for (const { address, values } of plannedResources(plan, t)) if (OPEN.includes(values.cidr_ipv4) || OPEN.includes(values.cidr_ipv6)) v.push(`${address}: open to the world`);
      }
      for (const { address, values } of plannedResources(plan, "aws_vpc_endpoint")) {
        if (values.vpc_endpoint_type === "Interface" && values.private_dns_enabled !== true) v.push(`${address}: private DNS off`);
      }
      const flows = plannedResources(plan, "aws_flow_log");
      if (flows.length === 0 || flows.some((f) => f.values.traffic_type !== "ALL")) v.push("aws_flow_log: not ALL traffic");
      for (const t of ["aws_internet_gateway", "aws_nat_gateway", "aws_egress_only_internet_gateway", "aws_eip", "aws_route"]) {
        for (const { address } of plannedResources(plan, t)) v.push(`${address}: internet path`);
      }
      for (const { address, values } of plannedResources(plan, "aws_cloudwatch_log_group")) if (!(values.retention_in_days >= 365)) v.push(`${address}: retention ${values.retention_in_days}`);
      return v;
    },
  },
  {
    id: "plan.database",
    requirement: "3.5.1, 8.3, 1.3.1",
    description: "planned Aurora: encrypted, managed password, IAM auth, deletion protection, instances private in distinct AZs",
    check: (plan, stack) => {
      const v: string[] = [];
      const dbKey = `aws_kms_key.${keyNameByAlias(stack.json, "database")}.arn`;
      const clusters = plannedResources(plan, "aws_rds_cluster");
      if (clusters.length !== 1) v.push(`aws_rds_cluster: ${clusters.length}, expected 1`);
      for (const { address, values } of clusters) {
        for (const f of ["storage_encrypted", "manage_master_user_password", "iam_database_authentication_enabled", "deletion_protection"]) if (values[f] !== true) v.push(`${address}: ${f} is ${values[f]}`);
        if (values.master_password) v.push(`${address}: a master password is planned`);
        if (!references(plan, address, ["kms_key_id"]).includes(dbKey)) v.push(`${address}: kms_key_id does not reference ${dbKey}`);
      }
      const instances = plannedResources(plan, "aws_rds_cluster_instance");
      // Each instance takes the zone of a different data-tier subnet (placed by zone ID; known after apply).
      const azs = instances.map((i) => references(plan, i.address, ["availability_zone"]).find((r) => /^aws_subnet\.[^.]+\.availability_zone$/.test(r)));
      if (instances.length < 2 || new Set(azs).size !== azs.length || azs.some((a) => a === undefined)) v.push(`aws_rds_cluster_instance: zones ${JSON.stringify(azs)}`);
      for (const { address, values } of instances) if (values.publicly_accessible !== false) v.push(`${address}: publicly accessible`);
      return v;
    },
  },
  {
    id: "plan.kafka",
    requirement: "4.2.1, 3.5.1",
    description: "planned MSK: TLS only, SCRAM and IAM on, unauthenticated off, no public access, at rest under the kafka key",
    check: (plan, stack) => {
      const v: string[] = [];
      const kafkaKey = `aws_kms_key.${keyNameByAlias(stack.json, "kafka")}.arn`;
      const clusters = plannedResources(plan, "aws_msk_cluster");
      if (clusters.length !== 1) v.push(`aws_msk_cluster: ${clusters.length}, expected 1`);
      for (const { address, values } of clusters) {
        const transit = values.encryption_info?.[0]?.encryption_in_transit?.[0];
        if (transit?.client_broker !== "TLS" || transit?.in_cluster !== true) v.push(`${address}: not TLS only`);
        const auth = values.client_authentication?.[0];
        if (auth?.unauthenticated !== false || auth?.sasl?.[0]?.scram !== true || auth?.sasl?.[0]?.iam !== true) v.push(`${address}: authentication ${JSON.stringify(auth)}`);
        if (values.broker_node_group_info?.[0]?.connectivity_info?.[0]?.public_access?.[0]?.type !== "DISABLED") v.push(`${address}: public access`);
        if (!references(plan, address, ["encryption_info", "encryption_at_rest_kms_key_arn"]).includes(kafkaKey)) v.push(`${address}: not under ${kafkaKey}`);
      }
      return v;
    },
  },
  {
    id: "plan.hsm",
    requirement: "3.6.1",
    description: "planned CloudHSM: one FIPS cluster; one HSM at stage cluster, then the configured HSMs (≥ 2), in distinct subnets",
    check: (plan, stack) => {
      const v: string[] = [];
      const clusters = plannedResources(plan, "aws_cloudhsm_v2_cluster");
      if (clusters.length !== 1 || clusters[0].values.mode !== "FIPS") v.push(`aws_cloudhsm_v2_cluster: ${JSON.stringify(clusters.map((c) => c.values.mode))}`);
      const hsms = plannedResources(plan, "aws_cloudhsm_v2_hsm");
      const expected = stack.region.hsm.stage === "cluster" ? 1 : stack.region.hsm.count;
      if (hsms.length !== expected || (stack.region.hsm.stage !== "cluster" && hsms.length < 2)) v.push(`aws_cloudhsm_v2_hsm: ${hsms.length} planned, expected ${expected}`);
      const subnets = hsms.map((h) => references(plan, h.address, ["subnet_id"])[0]);
      if (new Set(subnets).size !== subnets.length) v.push(`aws_cloudhsm_v2_hsm: subnets ${JSON.stringify(subnets)} not distinct`);
      return v;
    },
  },
  {
    id: "plan.hsm-key-store",
    requirement: "3.6.1, 8.3.2",
    description:
      "planned key store by stage: none at stage cluster; on the cluster with the kmsuser password as a sensitive value at stage keystore; no password at stage keys, where the tokenization alias targets the newest key in the store",
    check: (plan, stack) => {
      const v: string[] = [];
      const stage = stack.region.hsm.stage;
      const stores = plannedResources(plan, "aws_kms_custom_key_store");
      if (stage === "cluster") return stores.length === 0 ? [] : [`aws_kms_custom_key_store: planned at stage "cluster"`];
      if (stores.length !== 1) return [`aws_kms_custom_key_store: ${stores.length} planned, expected 1`];
      const [store] = stores;
      const change = ((plan.resource_changes ?? []) as TfJson[]).find((c) => c.address === store.address)?.change;
      if (!references(plan, store.address, ["cloud_hsm_cluster_id"]).some((r) => r.startsWith("aws_cloudhsm_v2_cluster."))) v.push(`${store.address}: not on the planned cluster`);
      if (String(store.values.trust_anchor_certificate).trim() !== stack.region.hsm.trustAnchorCertificate?.trim()) v.push(`${store.address}: another trust anchor`);
      if (stage === "keystore") {
        if (change?.after_sensitive?.key_store_password !== true) v.push(`${store.address}: key_store_password is not a sensitive value`);
        if (!references(plan, store.address, ["key_store_password"]).every((r) => r.startsWith("var."))) v.push(`${store.address}: key_store_password is not a variable`);
      } else {
        if (store.values.key_store_password != null) v.push(`${store.address}: key_store_password planned at stage "${stage}"`);
        const current = references(plan, `aws_kms_alias.${keyAliasResource(stack, "tokenization")}`, ["target_key_id"]).find((r) => r.endsWith(".key_id"));
        const newest = `aws_kms_key.keys_tokenization_hsm_g${stack.region.hsm.tokenizationKeyGeneration}_key.key_id`;
        if (current !== newest) v.push(`aws_kms_alias: tokenization targets ${current}, expected ${newest}`);
        const generation = stack.region.hsm.tokenizationKeyGeneration;
        const expected = Array.from({ length: generation }, (_, i) => `aws_kms_key.keys_tokenization_hsm_g${i + 1}_key`);
        const inStore = plannedResources(plan, "aws_kms_key").filter((k) => references(plan, k.address, ["custom_key_store_id"]).length > 0);
        for (const { address } of inStore) {
          if (!expected.includes(address)) v.push(`${address}: in a key store, but not a tokenization generation`);
          else if (!references(plan, address, ["custom_key_store_id"]).includes(`${store.address}.id`)) v.push(`${address}: not in ${store.address}`);
        }
        for (const address of expected) if (!inStore.some((k) => k.address === address)) v.push(`${address}: not planned in the key store`);
      }
      return v;
    },
  },
  {
    id: "plan.eks",
    requirement: "1.3, 2.2, 3.5.1, 10.2",
    description: "planned EKS: private endpoint only, secrets encryption, API authentication mode, every log type; node launch template with IMDSv2 only and encrypted volumes; VPC CNI enforcing NetworkPolicies",
    check: (plan) => {
      const v: string[] = [];
      const clusters = plannedResources(plan, "aws_eks_cluster");
      if (clusters.length !== 1) v.push(`aws_eks_cluster: ${clusters.length} planned`);
      for (const { address, values: c } of clusters) {
        if (c.vpc_config?.[0]?.endpoint_public_access !== false || c.vpc_config?.[0]?.endpoint_private_access !== true) v.push(`${address}: endpoint not private-only`);
        if (JSON.stringify(c.encryption_config?.[0]?.resources) !== '["secrets"]') v.push(`${address}: secrets not encrypted`);
        if (c.access_config?.[0]?.authentication_mode !== "API") v.push(`${address}: authentication mode ${c.access_config?.[0]?.authentication_mode}`);
        if ((c.enabled_cluster_log_types ?? []).length !== 5) v.push(`${address}: ${JSON.stringify(c.enabled_cluster_log_types)}`);
      }
      for (const { address, values: t } of plannedResources(plan, "aws_launch_template")) {
        if (t.metadata_options?.[0]?.http_tokens !== "required") v.push(`${address}: IMDSv1 allowed`);
        if ((t.block_device_mappings ?? []).some((b: TfJson) => b.ebs?.[0]?.encrypted !== "true")) v.push(`${address}: unencrypted volume`);
        if (t.key_name) v.push(`${address}: SSH key`);
      }
      const cni = plannedResources(plan, "aws_eks_addon").filter((a) => a.values.addon_name === "vpc-cni");
      if (cni.length !== 1 || JSON.parse(cni[0].values.configuration_values ?? "{}").enableNetworkPolicy !== "true") v.push("aws_eks_addon: no planned vpc-cni with its network policy agent");
      return v;
    },
  },
  {
    id: "plan.partner-api",
    requirement: "1.3.1, 4.2.1",
    description: "planned partner API: internal NLB with deletion protection and access logs, TLS passed through to the partner gateway's node port on the EKS nodes, acceptance required, configured principals only",
    check: (plan, stack) => {
      const v: string[] = [];
      for (const { address, values } of plannedResources(plan, "aws_lb")) {
        if (values.internal !== true) v.push(`${address}: not internal`);
        if (values.enable_deletion_protection !== true) v.push(`${address}: no deletion protection`);
        if (values.access_logs?.[0]?.enabled !== true) v.push(`${address}: access logs off`);
      }
      // The partners' TLS passes through to the partner gateway's node port (its mutual TLS needs their client certificates).
      for (const { address, values } of plannedResources(plan, "aws_lb_listener")) {
        if (values.protocol !== "TCP" || values.port !== 443 || values.ssl_policy || values.certificate_arn) v.push(`${address}: ${values.protocol} ${values.port} ${values.ssl_policy ?? ""}`);
      }
      for (const { address, values } of plannedResources(plan, "aws_lb_target_group")) {
        if (values.target_type !== "instance" || values.protocol !== "TCP" || values.port !== PARTNER_GATEWAY.nodePorts.https) v.push(`${address}: ${values.target_type} ${values.protocol} ${values.port}`);
      }
      const services = plannedResources(plan, "aws_vpc_endpoint_service");
      if (services.length !== 1) v.push(`aws_vpc_endpoint_service: ${services.length}, expected 1`);
      for (const { address, values } of services) {
        if (values.acceptance_required !== true) v.push(`${address}: acceptance not required`);
        if (JSON.stringify([...values.allowed_principals].sort()) !== JSON.stringify([...stack.region.paymentApi.allowedPrincipals].sort())) v.push(`${address}: principals differ from the config`);
      }
      return v;
    },
  },
  {
    id: "plan.dr",
    requirement: "10.5.1, 12.10.1",
    description: "with a DR partner, the plan creates the replica archive, its keys and the backup vault in the partner region (the dr provider's region, inside the jurisdiction), replicates the archive there and copies the backups there; without one, no dr provider",
    check: (plan, stack) => {
      const v: string[] = [];
      const dr = plan.configuration?.provider_config?.["aws.dr"];
      const partner = stack.region.drPartnerRegion;
      if (!partner) return dr ? ["provider aws.dr planned without a drPartnerRegion"] : [];
      if (dr?.expressions?.region?.constant_value !== partner) v.push(`provider aws.dr: region ${dr?.expressions?.region?.constant_value}, expected ${partner}`);
      const inPartner = plannedResources(plan).filter((r) => providerOf(plan, r.address) === "aws.dr");
      for (const type of ["aws_kms_key", "aws_s3_bucket", "aws_s3_bucket_object_lock_configuration", "aws_backup_vault", "aws_backup_vault_lock_configuration"]) {
        if (!inPartner.some((r) => r.type === type)) v.push(`${type}: none planned in the partner region`);
      }
      const replication = plannedResources(plan, "aws_s3_bucket_replication_configuration")[0];
      if (!replication || replication.values.rule?.[0]?.status !== "Enabled" || replication.values.rule?.[0]?.delete_marker_replication?.[0]?.status !== "Disabled") v.push("aws_s3_bucket_replication_configuration: the archive's replication is not planned as enabled without delete markers");
      const copy = plannedResources(plan, "aws_backup_plan")[0]?.values.rule?.[0]?.copy_action?.[0];
      if (!copy || !references(plan, plannedResources(plan, "aws_backup_plan")[0].address, ["rule", "copy_action", "destination_vault_arn"]).some((r) => inPartner.some((x) => r.startsWith(x.address)))) v.push("aws_backup_plan: no copy to the partner region's vault");
      return v;
    },
  },
];
