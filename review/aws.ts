/**
 * The AWS part of a region's report (`region-<name>` on AWS): the diagram of the region (VPC tiers,
 * endpoints, EKS, HSM, Aurora, MSK, S3, keys and what they protect, the ports the security groups
 * open, the call graph), the encryption map and the network exposure, from its synthesized JSON.
 */
import { MERCHANT_NODES, hasMerchantTaint } from "../model/mesh/pod-security";
import type { StackView } from "../guardrails/rule";
import { TfJson, resourcesOf, asList, one, refName, truthy, capabilityOf } from "../tfjson/terraform";
import { Statement, principalArns, principalServices, statementsOf } from "../tfjson/iam-policy";
import type { AwsRegionConfig } from "../config/schema";
import { drawCalls, drawRemoteCallers, drawServices, serviceNode } from "./call-graph";
import { Diagram } from "./diagram";
import type { LayerReport } from "./layer-report";
import { nodeId, shortRef, table } from "./markdown";
import { encryptedStores } from "../model/aws/encryption";
import { GUARDDUTY_AGENT_ADDON } from "../model/aws/detection";
import { keyOfReference, kmsAliases } from "../tfjson/aws";
import { meshDesign } from "../model/mesh/in-cluster";
import { PARTNER_GATEWAY, PARTNER_GATEWAY_IDENTITY } from "../model/mesh/edge";

/** The diagram node that stands for a security group, by the capability that owns it. */
const GROUP_NODE: Record<string, string> = { Database: "aurora", Kafka: "msk", Network: "vpce", PartnerApi: "nlb", Hsm: "hsm" };

function groupNode(json: TfJson, ref: unknown): string | undefined {
  if (refName(ref, "aws_cloudhsm_v2_cluster", "security_group_id")) return "hsm";
  const name = refName(ref, "aws_security_group", "id");
  if (!name) return undefined;
  const body = json.resource?.aws_security_group?.[name] ?? {};
  if (name.includes("merchant")) return "merchant_nodes";
  if (name.includes("node")) return "nodes";
  if (name.includes("cluster") && capabilityOf(body) === "Eks") return "eks";
  return GROUP_NODE[capabilityOf(body)];
}

/** The node that stands for the addresses of a tier (its clients): the workload tier's are the nodes and their pods. */
const TIER_CLIENT: Readonly<Record<string, string>> = { workload: "nodes" };

/** Stores drawn as one node per key (log groups, secrets, repositories): many alike, under one key. */
const GROUPED_STORES = ["aws_cloudwatch_log_group", "aws_secretsmanager_secret", "aws_ecr_repository"];

/** The DR provider's resources live in the partner region. */
const inPartnerRegion = (body: TfJson) => body.provider === "aws.dr";

/** `S3 <name>` with what protects its objects from change and whether it is SSE-S3. */
function bucketLabel(json: TfJson, name: string, body: TfJson): string {
  const sse = resourcesOf(json, "aws_s3_bucket_server_side_encryption_configuration").find(([, x]) => refName(x.bucket, "aws_s3_bucket", "id") === name)?.[1];
  const algorithm = one(sse?.rule).apply_server_side_encryption_by_default?.sse_algorithm;
  return `S3 ${body.bucket}${body.object_lock_enabled ? ": Object Lock" : ""}${algorithm === "AES256" ? " (SSE-S3: log delivery cannot use KMS)" : ""}`;
}

/** The ports of an ingress rule, `443` or `2223-2225`. */
function portsOf(r: TfJson): string {
  // A rule of every protocol carries no ports ("-1"): all traffic.
  if (r.ip_protocol === "-1" || r.from_port === undefined) return "all traffic";
  return r.from_port === r.to_port ? String(r.from_port) : `${r.from_port}-${r.to_port}`;
}

/**
 * The region's AWS stack as a Mermaid flowchart: the home region's VPC (tiers, endpoints, EKS and
 * the mesh's services, the data stores, the HSM), its regional services and keys, the DR partner
 * region with what lives there, the partners and other regions' callers. Every edge is read from
 * the synthesized JSON: security-group rules and the endpoint service (traffic), the gateway
 * endpoint's policy (which buckets the VPC reaches), encryption settings and role policies (which
 * key protects what), backup plans, replication, access logging and log exports (where data goes).
 */
function regionDiagram(view: StackView): Diagram {
  const { json, region } = view;
  const aws = region as AwsRegionConfig;
  const d = new Diagram();
  const count = (type: string) => resourcesOf(json, type).length;
  const tier = (t: string) =>
    resourcesOf(json, "aws_subnet")
      .filter(([, s]) => s.tags?.Tier === t)
      .sort(([, a], [, b]) => (a.availability_zone_id < b.availability_zone_id ? -1 : 1))
      .map(([, s]) => `${s.cidr_block} ${s.availability_zone_id}`);
  const tierOfCidr = (cidr: string) => resourcesOf(json, "aws_subnet").find(([, s]) => s.cidr_block === cidr)?.[1].tags?.Tier as string | undefined;
  const vpc = resourcesOf(json, "aws_vpc")[0]?.[1] ?? {};
  const interfaceServices = resourcesOf(json, "aws_vpc_endpoint")
    .filter(([, e]) => e.vpc_endpoint_type === "Interface")
    .map(([, e]) => String(e.service_name).split(".").slice(3).join("."))
    .sort();
  const eks = resourcesOf(json, "aws_eks_cluster")[0]?.[1];
  const msk = resourcesOf(json, "aws_msk_cluster")[0]?.[1];
  const rds = resourcesOf(json, "aws_rds_cluster")[0]?.[1];
  const aliases = aliasesByKey(json);
  const gateways = count("aws_internet_gateway") + count("aws_nat_gateway") + count("aws_egress_only_internet_gateway");
  const lb = resourcesOf(json, "aws_lb")[0]?.[1];
  const listeners = resourcesOf(json, "aws_lb_listener").map(([, x]) => `${x.protocol} ${x.port}`);
  const service = resourcesOf(json, "aws_vpc_endpoint_service")[0]?.[1];
  const template = resourcesOf(json, "aws_launch_template")[0]?.[1];
  const imds = one(template?.metadata_options).http_tokens;
  const ebsEncrypted = asList<TfJson>(template?.block_device_mappings).every((m) => truthy(one(m.ebs).encrypted));
  const s3gw = resourcesOf(json, "aws_vpc_endpoint").find(([, e]) => e.vpc_endpoint_type === "Gateway");
  const gatewayStatements = s3gw && typeof s3gw[1].policy === "string" ? statementsOf(s3gw[1].policy).filter((x) => x.Effect === "Allow") : [];
  // The declared calls and each partner's routes (from edge/<partner>, through the partner gateway).
  const calls = meshDesign(region).calls;

  // Which store node each encrypted resource is drawn as: one node per store, or per group of like stores under one key.
  const storeNode = new Map<string, string>();
  const grouped = new Map<string, { label: string[]; partner: boolean }>();
  for (const s of encryptedStores(json).filter((x) => GROUPED_STORES.includes(x.type))) {
    const name = s.address.slice(s.type.length + 1);
    const body = json.resource[s.type][name];
    const id = nodeId(`${s.type}_${s.keys[0] ?? "aws_managed"}`);
    const g = grouped.get(id) ?? { label: [], partner: inPartnerRegion(body) };
    g.label.push(String(body.name));
    grouped.set(id, g);
    storeNode.set(s.address, id);
  }
  const groupLabel = (id: string, g: { label: string[] }) =>
    id.startsWith("aws_cloudwatch_log_group") ? `CloudWatch Logs: ${g.label.sort().join(", ")}` : id.startsWith("aws_secretsmanager_secret") ? `Secrets Manager: ${g.label.sort().join(", ")}` : `ECR: ${g.label.length} repositories`;
  const vaultLock = (name: string) => resourcesOf(json, "aws_backup_vault_lock_configuration").some(([, l]) => refName(l.backup_vault_name, "aws_backup_vault", "name") === name);

  /** What lives in a region outside the VPC: stores, vaults, buckets, keys. */
  const regional = (partner: boolean) => {
    for (const [n, v] of resourcesOf(json, "aws_backup_vault").filter(([, b]) => inPartnerRegion(b) === partner)) d.node(`vault_${n}`, `AWS Backup vault ${v.name}${vaultLock(n) ? ": Vault Lock" : ""}`, "store");
    for (const [n, b] of resourcesOf(json, "aws_s3_bucket").filter(([, b]) => inPartnerRegion(b) === partner)) d.node(`bucket_${n}`, bucketLabel(json, n, b), "store");
    for (const [id, g] of [...grouped].filter(([, g]) => g.partner === partner).sort(([a], [b]) => (a < b ? -1 : 1))) d.node(id, groupLabel(id, g), "store");
    const keys = resourcesOf(json, "aws_kms_key").filter(([, k]) => inPartnerRegion(k) === partner);
    d.box(`kms_${partner ? "partner" : "home"}`, `KMS customer-managed keys in ${partner ? aws.drPartnerRegion : region.cloudRegion}`, () => {
      for (const [n] of keys) d.node(`key_${n}`, (aliases.get(n) ?? [`aws_kms_key.${n}`]).map((a) => a.split("/").pop()).join(", "));
    });
  };

  const subscriptions = resourcesOf(json, "aws_sns_topic_subscription");
  if (subscriptions.length) d.node("oncall", `who is told: ${subscriptions.map(([, x]) => `${x.protocol} ${x.endpoint}`).join(", ")}`, "party");
  if (service) d.node("partners", `partner VPCs: ${asList(service.allowed_principals).length} allowed principal(s)`, "party");
  d.box("home", `${region.cloudRegion}: home region, account ${aws.accountId}`, () => {
    d.box("vpc", `VPC ${vpc.cidr_block ?? ""}: ${gateways === 0 ? "no internet or NAT gateway" : `${gateways} internet/NAT gateway(s)`}`, () => {
      d.box("tier_endpoints", "endpoints tier", () => {
        // The subnets in a node, not the title: a title wider than the box's content sticks out of it (ELK sizes boxes by their content).
        d.node("tier_endpoints_subnets", `subnets: ${tier("endpoints").join(", ")}`);
        if (lb) d.node("nlb", `NLB, ${lb.internal === true ? "internal" : "INTERNET-FACING"}: ${listeners.join(", ")}`);
        if (interfaceServices.length) d.node("vpce", `interface endpoints: ${interfaceServices.join(", ")}`);
      });
      d.box("tier_workload", "workload tier", () => {
        // The subnets in a node, not the title: a title wider than the box's content sticks out of it (ELK sizes boxes by their content).
        d.node("tier_workload_subnets", `subnets: ${tier("workload").join(", ")}`);
        if (!eks) return;
        const api = one(eks.vpc_config).endpoint_public_access === false ? "private API" : "PUBLIC API";
        d.node("eks", `EKS ${eks.version}: ${api}${eks.encryption_config ? ", secrets encrypted" : ""}`);
        const merchantGroups = resourcesOf(json, "aws_eks_node_group").filter(([, g]) => hasMerchantTaint(asList<TfJson>(g.taint)));
        const platformGroups = count("aws_eks_node_group") - merchantGroups.length;
        d.node("nodes", `node groups ×${platformGroups} and their pods: ${imds === "required" ? "IMDSv2 only" : "IMDSv1 allowed"}, ${ebsEncrypted ? "encrypted EBS" : "UNENCRYPTED EBS"}`);
        if (merchantGroups.length) d.node("merchant_nodes", `merchants' node group ×${merchantGroups.length} (tainted ${MERCHANT_NODES.taint.key}=${MERCHANT_NODES.taint.value}): merchants' pods only, no data-tier path`);
        d.box("mesh", `Istio mesh ${region.mesh.istioVersion}: the declared calls (policies in region-${region.name}-mesh)`, () => drawServices(d, view, calls));
      });
      d.box("tier_data", "data tier", () => {
        // The subnets in a node, not the title: a title wider than the box's content sticks out of it (ELK sizes boxes by their content).
        d.node("tier_data_subnets", `subnets: ${tier("data").join(", ")}`);
        if (rds) d.node("aurora", `Aurora PostgreSQL ×${count("aws_rds_cluster_instance")} instances`, "store");
        if (msk) d.node("msk", `MSK ×${msk.number_of_broker_nodes} brokers: TLS, SASL`, "store");
        if (count("aws_cloudhsm_v2_cluster")) d.node("hsm", `CloudHSM ×${count("aws_cloudhsm_v2_hsm")} HSMs`);
      });
      for (const [n, f] of resourcesOf(json, "aws_flow_log")) d.node(`flow_${n}`, `VPC flow log: ${f.traffic_type} traffic, every ${f.max_aggregation_interval ?? 600} s`);
      const allOfS3 = gatewayStatements.length === 0 || gatewayStatements.some((x) => asList(x.Resource).some((r) => r === "*" || r.startsWith("arn:aws:s3:::*")));
      if (s3gw) d.node("s3gw", `S3 gateway endpoint: ${allOfS3 ? "ALL OF S3 (no policy, or a policy on every bucket)" : "its policy names the buckets"}`);
    });
    for (const [n, t] of resourcesOf(json, "aws_cloudtrail")) {
      d.node(`trail_${n}`, `CloudTrail ${t.name}: ${t.is_multi_region_trail === true ? "every region of the account" : "THIS REGION ONLY"}, log file validation ${t.enable_log_file_validation === true ? "on" : "OFF"}`);
    }
    if (count("aws_guardduty_detector")) d.node("guardduty", `GuardDuty: ${count("aws_guardduty_detector_feature")} features`);
    if (count("aws_securityhub_account")) d.node("securityhub", `Security Hub: ${resourcesOf(json, "aws_securityhub_standards_subscription").map(([, x]) => String(x.standards_arn).split("::standards/")[1]).join(", ")}`);
    for (const [n, w] of resourcesOf(json, "aws_prometheus_workspace")) d.node(`amp_${n}`, `AMP workspace ${w.alias}: ${w.kms_key_arn ? "customer-managed key" : "AWS owned key"}`, "store");
    for (const [n, t] of resourcesOf(json, "aws_sns_topic")) {
      d.node(`topic_${n}`, `SNS topic ${t.name}`, "store");
      storeNode.set(`aws_sns_topic.${n}`, nodeId(`topic_${n}`));
    }
    if (count("aws_acmpca_certificate_authority")) d.node("pca", "ACM Private CA: the mesh's intermediate (its key stays in ACM PCA)");
    // Buckets the gateway policy names that the stack does not create (ECR's image layers).
    for (const arn of [...new Set(gatewayStatements.flatMap((x) => asList(x.Resource)).filter((r) => r.startsWith("arn:aws:s3:::")))].sort()) {
      d.node(`s3_${arn.slice(13).split("/")[0]}`, `S3 ${arn.slice(13).split("/")[0]} (not this account's: ECR image layers)`, "store");
    }
    regional(false);
  });
  if (["aws_kms_key", "aws_s3_bucket", "aws_backup_vault"].some((t) => resourcesOf(json, t).some(([, b]) => inPartnerRegion(b))) || [...grouped.values()].some((g) => g.partner)) {
    d.box("partner", `${aws.drPartnerRegion}: DR partner region`, () => regional(true));
  }
  d.box("other_regions", "callers in other regions' meshes", () => drawRemoteCallers(d, view, calls));

  // Traffic: partners through PrivateLink, every security-group ingress rule, the gateway endpoint's routes and policy, the mesh's calls.
  if (service && lb) d.edge("traffic", "partners", "nlb", `PrivateLink, ${service.acceptance_required === true ? "acceptance required" : "AUTO-ACCEPTED"}`);
  const ports = new Map<string, { from: string; to: string; origin: string; ports: Set<string> }>();
  for (const [, r] of resourcesOf(json, "aws_vpc_security_group_ingress_rule")) {
    const to = groupNode(json, r.security_group_id);
    let from: string | undefined;
    let origin = "security group";
    if (r.referenced_security_group_id) from = groupNode(json, r.referenced_security_group_id);
    else if (r.cidr_ipv4 === vpc.cidr_block) [from, origin] = ["nodes", "security group: the VPC's CIDR"];
    else if (r.cidr_ipv4 && tierOfCidr(r.cidr_ipv4)) [from, origin] = [TIER_CLIENT[tierOfCidr(r.cidr_ipv4)!], `security group: the ${tierOfCidr(r.cidr_ipv4)} tier's CIDRs`];
    else if (r.cidr_ipv4 && service && aws.paymentApi.partnerClientCidrs.includes(r.cidr_ipv4)) [from, origin] = ["partners", "security group: partner CIDRs"];
    else if (r.cidr_ipv4 ?? r.cidr_ipv6 ?? r.prefix_list_id) {
      // Any other source is drawn as what it is, so an opening to the internet shows.
      const source = String(r.cidr_ipv4 ?? r.cidr_ipv6 ?? r.prefix_list_id);
      from = nodeId(`outside_${source}`);
      if (!d.has(from)) d.node(from, source === "0.0.0.0/0" || source === "::/0" ? `ANY ADDRESS (${source})` : `${source} (not a tier or partner range)`, "party");
    }
    if (!to || !from || from === to || !d.has(from) || !d.has(to)) continue;
    const key = `${from} ${to} ${origin}`;
    const e = ports.get(key) ?? { from, to, origin, ports: new Set<string>() };
    e.ports.add(portsOf(r));
    ports.set(key, e);
  }
  const byNumber = (a: string, b: string) => parseInt(a, 10) - parseInt(b, 10);
  for (const e of [...ports.values()]) {
    const list = [...e.ports].sort(byNumber);
    d.edge("traffic", e.from, e.to, `${list.includes("all traffic") ? "all traffic" : `TCP ${list.join(", ")}`} (${e.origin})`);
  }
  if (s3gw) {
    const routeTables = asList(s3gw[1].route_table_ids).map((r) => refName(r, "aws_route_table", "id"));
    const tiers = new Set(
      resourcesOf(json, "aws_route_table_association")
        .filter(([, a]) => routeTables.includes(refName(a.route_table_id, "aws_route_table", "id")))
        .map(([, a]) => json.resource.aws_subnet?.[refName(a.subnet_id, "aws_subnet", "id") ?? ""]?.tags?.Tier as string),
    );
    for (const t of [...tiers].sort()) if (TIER_CLIENT[t] && d.has(TIER_CLIENT[t])) d.edge("traffic", TIER_CLIENT[t], "s3gw", `S3 (route in the ${t} tier's route table)`);
    for (const st of gatewayStatements) {
      for (const res of asList(st.Resource)) {
        const bucket = refName(res.replace(/\/\*$/, ""), "aws_s3_bucket", "arn") ?? refName(res.replace(/\}\/\*$/, "}"), "aws_s3_bucket", "arn");
        const target = bucket ? `bucket_${nodeId(bucket)}` : res.startsWith("arn:aws:s3:::") ? nodeId(`s3_${res.slice(13).split("/")[0]}`) : undefined;
        if (target && d.has(target)) d.edge("traffic", "s3gw", target, `${asList(st.Action).join(", ")} (endpoint policy)`);
      }
    }
  }
  drawCalls(d, view, calls, "mesh policy");
  // The partners' TLS passes the NLB to the partner gateway's node port, where it ends.
  const gatewayNode = serviceNode(PARTNER_GATEWAY_IDENTITY);
  const passthrough = resourcesOf(json, "aws_lb_listener").find(([, l]) => l.protocol === "TCP");
  if (passthrough && region.edge && d.has(gatewayNode) && d.has("nlb")) {
    d.edge("traffic", "nlb", gatewayNode, `TLS passed through, node port ${PARTNER_GATEWAY.nodePorts.https}: each partner's mutual TLS ends here (${region.edge.partners.map((p) => p.name).join(", ")})`);
  }

  // Which key protects what: every encrypted store, every bucket's default encryption, and what services encrypt with the keys that protect no store.
  const NODE_OF_TYPE: Record<string, string> = { aws_rds_cluster: "aurora", aws_rds_cluster_instance: "aurora", aws_msk_cluster: "msk", aws_eks_cluster: "eks", aws_launch_template: "nodes" };
  const protecting = new Set<string>();
  for (const s of encryptedStores(json)) {
    const name = s.address.slice(s.type.length + 1);
    const node = NODE_OF_TYPE[s.type] ?? storeNode.get(s.address) ?? (s.type === "aws_backup_vault" ? nodeId(`vault_${name}`) : undefined);
    for (const k of s.keys) {
      if (!node || !d.has(node) || !d.has(`key_${nodeId(k)}`)) continue;
      d.edge("encrypts", `key_${nodeId(k)}`, node, s.holds);
      protecting.add(k);
    }
  }
  for (const [, sse] of resourcesOf(json, "aws_s3_bucket_server_side_encryption_configuration")) {
    const bucket = refName(sse.bucket, "aws_s3_bucket", "id");
    const key = keyOfReference(one(sse.rule).apply_server_side_encryption_by_default?.kms_master_key_id);
    if (bucket && key && d.has(`key_${nodeId(key)}`)) {
      d.edge("encrypts", `key_${nodeId(key)}`, `bucket_${nodeId(bucket)}`);
      protecting.add(key);
    }
  }
  for (const [name] of resourcesOf(json, "aws_kms_key").filter(([n]) => !protecting.has(n))) {
    for (const svc of servicesEncryptingWith(view, name)) if (d.has(svc)) d.edge("encrypts", `key_${nodeId(name)}`, svc, "what the service encrypts (its role may kms:Encrypt)");
  }
  for (const [n, k] of resourcesOf(json, "aws_kms_key")) {
    const store = json.resource?.aws_kms_custom_key_store?.[refName(k.custom_key_store_id, "aws_kms_custom_key_store", "id") ?? ""];
    // A key in a CloudHSM key store (the stack's own store, or one the region file names by id).
    const cloudHsm = store ? (store.custom_key_store_type ?? "AWS_CLOUDHSM") === "AWS_CLOUDHSM" : typeof k.custom_key_store_id === "string";
    if (cloudHsm && d.has("hsm")) d.edge("holds", "hsm", `key_${nodeId(n)}`);
  }

  // Where data goes: backups and their copies, replication, access logs, log exports.
  for (const [planName, plan] of resourcesOf(json, "aws_backup_plan")) {
    const selected = resourcesOf(json, "aws_backup_selection")
      .filter(([, sel]) => refName(sel.plan_id, "aws_backup_plan", "id") === planName)
      .flatMap(([, sel]) => asList(sel.resources));
    for (const rule of asList<TfJson>(plan.rule)) {
      const vault = refName(rule.target_vault_name, "aws_backup_vault", "name");
      if (!vault) continue;
      if (d.has("aurora") && d.has(`vault_${nodeId(vault)}`) && selected.some((r) => refName(r, "aws_rds_cluster", "arn"))) d.edge("delivers", "aurora", `vault_${nodeId(vault)}`, `backup ${rule.schedule}`);
      for (const c of asList<TfJson>(rule.copy_action)) {
        const to = refName(c.destination_vault_arn, "aws_backup_vault", "arn");
        if (to && d.has(`vault_${nodeId(vault)}`) && d.has(`vault_${nodeId(to)}`)) d.edge("delivers", `vault_${nodeId(vault)}`, `vault_${nodeId(to)}`, `copy of each backup, kept ${one(c.lifecycle).delete_after} days`);
      }
    }
  }
  for (const [, rep] of resourcesOf(json, "aws_s3_bucket_replication_configuration")) {
    const from = refName(rep.bucket, "aws_s3_bucket", "id");
    for (const rule of asList<TfJson>(rep.rule)) {
      const to = refName(one(rule.destination).bucket, "aws_s3_bucket", "arn");
      if (from && to && d.has(`bucket_${nodeId(from)}`) && d.has(`bucket_${nodeId(to)}`)) d.edge("delivers", `bucket_${nodeId(from)}`, `bucket_${nodeId(to)}`, `replication ${rule.id}`);
    }
  }
  for (const [, log] of resourcesOf(json, "aws_s3_bucket_logging")) {
    const from = refName(log.bucket, "aws_s3_bucket", "id");
    const to = refName(log.target_bucket, "aws_s3_bucket", "id");
    if (from && to && d.has(`bucket_${nodeId(from)}`) && d.has(`bucket_${nodeId(to)}`)) d.edge("delivers", `bucket_${nodeId(from)}`, `bucket_${nodeId(to)}`, "server access logs");
  }
  const logNode = (ref: unknown) => storeNode.get(`aws_cloudwatch_log_group.${refName(ref, "aws_cloudwatch_log_group", "name") ?? refName(ref, "aws_cloudwatch_log_group", "arn")}`);
  const byName = (name: string) => storeNode.get(`aws_cloudwatch_log_group.${resourcesOf(json, "aws_cloudwatch_log_group").find(([, g]) => g.name === name)?.[0]}`);
  const exports: [string, string | undefined, string][] = [
    ["eks", eks && byName(`/aws/eks/${eks.name}/cluster`), `control-plane logs: ${asList(eks?.enabled_cluster_log_types).join(", ")}`],
    ["aurora", rds && byName(`/aws/rds/cluster/${rds.cluster_identifier}/postgresql`), `logs: ${asList(rds?.enabled_cloudwatch_logs_exports).join(", ")}`],
    ["msk", msk && logNode(one(one(one(msk.logging_info).broker_logs).cloudwatch_logs).log_group), "broker logs"],
  ];
  for (const [from, to, text] of exports) if (to && d.has(from) && d.has(to)) d.edge("delivers", from, to, text);
  for (const [n, t] of resourcesOf(json, "aws_cloudtrail")) {
    const bucket = refName(t.s3_bucket_name, "aws_s3_bucket", "id");
    if (bucket && d.has(`bucket_${nodeId(bucket)}`)) d.edge("delivers", `trail_${nodeId(n)}`, `bucket_${nodeId(bucket)}`, `log files and digests under ${t.s3_key_prefix ?? "/"}/`);
    const group = logNode(String(t.cloud_watch_logs_group_arn).replace(/:\*$/, ""));
    if (group && d.has(group)) d.edge("delivers", `trail_${nodeId(n)}`, group, "every event");
  }
  // Who is told: the alarms on log groups and the finding rules into the topics, the topics to their subscribers.
  const topicNode = (ref: unknown) => {
    const n = refName(ref, "aws_sns_topic", "arn");
    return n && d.has(`topic_${nodeId(n)}`) ? `topic_${nodeId(n)}` : undefined;
  };
  const filters = resourcesOf(json, "aws_cloudwatch_log_metric_filter");
  const alarmsInto = new Map<string, number>();
  for (const [, a] of resourcesOf(json, "aws_cloudwatch_metric_alarm")) {
    const filter = filters.find(([, f]) => one(f.metric_transformation).name === a.metric_name && one(f.metric_transformation).namespace === a.namespace);
    const group = filter && logNode(filter[1].log_group_name);
    for (const topicRef of asList(a.alarm_actions)) {
      const to = topicNode(topicRef);
      if (group && to && d.has(group)) alarmsInto.set(`${group} ${to}`, (alarmsInto.get(`${group} ${to}`) ?? 0) + 1);
    }
  }
  for (const [pair, alarms] of alarmsInto) {
    const [from, to] = pair.split(" ");
    d.edge("delivers", from, to, `${alarms} alarms on its events`);
  }
  for (const [rn, r] of resourcesOf(json, "aws_cloudwatch_event_rule")) {
    const source = asList<string>(JSON.parse(String(r.event_pattern ?? "{}")).source)[0];
    const from = source === "aws.guardduty" ? "guardduty" : source === "aws.securityhub" ? "securityhub" : undefined;
    for (const [, t] of resourcesOf(json, "aws_cloudwatch_event_target").filter(([, x]) => x.rule === `\${aws_cloudwatch_event_rule.${rn}.name}`)) {
      const to = topicNode(t.arn);
      if (from && to && d.has(from)) d.edge("delivers", from, to, `${r.description ?? "findings"}${r.state === "DISABLED" ? " (DISABLED)" : ""}`);
    }
  }
  for (const [, x] of resourcesOf(json, "aws_prometheus_scraper")) {
    const to = refName(one(one(x.destination).amp).workspace_arn, "aws_prometheus_workspace", "arn");
    if (to && d.has("nodes") && d.has(`amp_${nodeId(to)}`)) d.edge("delivers", "nodes", `amp_${nodeId(to)}`, "sidecars' request and handshake counters (AMP collector)");
  }
  for (const [, m] of resourcesOf(json, "aws_prometheus_alert_manager_definition")) {
    const from = refName(m.workspace_id, "aws_prometheus_workspace", "id");
    const topics = /\$\{aws_sns_topic\.[^.]+\.arn\}/.exec(String(m.definition));
    const to = topics ? topicNode(topics[0]) : undefined;
    if (from && to && d.has(`amp_${nodeId(from)}`)) d.edge("delivers", `amp_${nodeId(from)}`, to, "mesh alerts");
  }
  for (const [, x] of subscriptions) {
    const from = topicNode(x.topic_arn);
    if (from && d.has("oncall")) d.edge("delivers", from, "oncall", `alerts by ${x.protocol}`);
  }
  for (const [, lbBody] of resourcesOf(json, "aws_lb")) {
    const logs = one(lbBody.access_logs);
    const to = refName(logs.bucket, "aws_s3_bucket", "id") ?? refName(logs.bucket, "aws_s3_bucket", "bucket");
    if (truthy(logs.enabled) && to && d.has("nlb") && d.has(`bucket_${nodeId(to)}`)) d.edge("delivers", "nlb", `bucket_${nodeId(to)}`, "access logs");
  }
  for (const [n, f] of resourcesOf(json, "aws_flow_log")) {
    const to = logNode(f.log_destination);
    if (to && d.has(to)) d.edge("delivers", `flow_${nodeId(n)}`, to, "flow records");
  }
  return d;
}

/** The mesh services (diagram nodes) whose Pod Identity role may encrypt with the key directly. */
function servicesEncryptingWith(view: StackView, keyName: string): string[] {
  const arnRef = `\${aws_kms_key.${keyName}.arn}`;
  const { json, region } = view;
  const roles = resourcesOf(json, "aws_iam_role_policy")
    .filter(([, p]) => {
      try {
        return statementsOf(String(p.policy)).some((s) => s.Effect === "Allow" && asList(s.Resource).includes(arnRef) && asList(s.Action).some((a) => /^kms:(Encrypt|GenerateDataKey)/.test(a)));
      } catch {
        return false;
      }
    })
    .map(([, p]) => refName(p.role, "aws_iam_role", "id") ?? refName(p.role, "aws_iam_role", "name"));
  return resourcesOf(json, "aws_eks_pod_identity_association")
    .filter(([, a]) => roles.includes(refName(a.role_arn, "aws_iam_role", "arn")))
    .map(([, a]) => region.services.find((s) => s.namespace === a.namespace && (s.serviceAccount ?? s.name) === a.service_account))
    .filter((s): s is NonNullable<typeof s> => s !== undefined)
    .map((s) => serviceNode(`${s.namespace}/${s.name}`));
}

/** The alias names of each key, by key resource name. */
function aliasesByKey(json: TfJson): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const { alias, key } of kmsAliases(json)) out.set(key, [...(out.get(key) ?? []), alias]);
  return out;
}

const CRYPTO_ACTION = /^kms:(\*|Decrypt|Encrypt|GenerateDataKey.*|ReEncrypt.*|CreateGrant)$/;

function conditionText(s: Statement, leaveOut: readonly string[] = []): string {
  const parts = Object.entries(s.Condition ?? {}).flatMap(([op, kv]) => Object.entries(kv).filter(([k]) => !leaveOut.includes(k)).map(([k, v]) => `${k} ${op === "StringEquals" || op === "ArnEquals" ? "=" : op} ${asList(v).map(shortRef).join(", ")}`));
  return parts.length > 0 ? ` when ${parts.join("; ")}` : "";
}

/** Who may use a key for cryptography: key-policy principals, then the stack's roles that name it. */
export function keyUsers(json: TfJson, keyName: string): string[] {
  const users: string[] = [];
  const key = json.resource?.aws_kms_key?.[keyName];
  if (key && typeof key.policy === "string") {
    for (const s of statementsOf(key.policy).filter((x) => x.Effect === "Allow" && asList(x.Action).some((a) => CRYPTO_ACTION.test(a)))) {
      // Roles named by aws:PrincipalArn under the root principal: those roles, if their IAM policies allow it too.
      const named = asList(s.Condition?.ArnEquals?.["aws:PrincipalArn"]);
      if (named.length > 0 && principalArns(s.Principal).every((p) => p.endsWith(":root"))) {
        users.push(`${named.map((r) => r.replace(/^arn:[^:]+:iam::\d+:/, "")).join(", ")} (and its IAM policy): ${asList(s.Action).join(", ")}${conditionText(s, ["aws:PrincipalArn"])}`);
        continue;
      }
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
    // A TCP listener on the partner API passes TLS through: the partner gateway ends it (its policy is in the mesh's report).
    const tls = l.ssl_policy ?? (l.protocol === "TCP" ? "passed through to the partner gateway (mutual TLS, TLS 1.2+, ends there)" : "none");
    return [`aws_lb_listener.${n}`, `${l.protocol} ${l.port}`, tls, `aws_lb.${lb} (${body.internal ? "internal" : "internet-facing"}, ${body.load_balancer_type})`];
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

/** What is recorded where and for how long, and what watches it (PCI DSS 10, 11.5). */
function detectionSection(json: TfJson): string {
  const aliases = aliasesByKey(json);
  const keyOf = (ref: unknown) => {
    const k = keyOfReference(ref);
    return k ? keyLabel(json, k, aliases) : `**${ref ?? "no customer-managed key"}**`;
  };
  const lockDays = (bucketRef: unknown) => {
    const bucket = refName(bucketRef, "aws_s3_bucket", "id");
    const lock = resourcesOf(json, "aws_s3_bucket_object_lock_configuration").find(([, l]) => refName(l.bucket, "aws_s3_bucket", "id") === bucket)?.[1];
    const retention = one(one(lock?.rule).default_retention);
    return lock ? `Object Lock ${retention.mode} ${retention.days} days` : "**no Object Lock**";
  };
  const trails = resourcesOf(json, "aws_cloudtrail").map(([n, t]) => {
    const selectors = asList<TfJson>(t.advanced_event_selector).map((x) => String(x.name)).join("; ");
    const group = refName(String(t.cloud_watch_logs_group_arn).replace(/:\*$/, ""), "aws_cloudwatch_log_group", "arn");
    const g = group ? json.resource.aws_cloudwatch_log_group[group] : undefined;
    return [
      `aws_cloudtrail.${n}`,
      `${t.is_multi_region_trail === true ? "every region of the account" : "**this region only**"}${t.include_global_service_events === true ? ", with IAM's global events" : ""}; ${selectors}`,
      `${shortRef(t.s3_bucket_name)} under ${t.s3_key_prefix ?? "/"}/ (${lockDays(t.s3_bucket_name)}), log file validation ${t.enable_log_file_validation === true ? "on" : "**off**"}; ${g ? `log group ${g.name} (${g.retention_in_days} days)` : "**no log group**"}`,
      keyOf(t.kms_key_id),
    ];
  });
  const groups = resourcesOf(json, "aws_cloudwatch_log_group").map(([n, g]) => [`aws_cloudwatch_log_group.${n}`, g.name, `${g.retention_in_days} days`, keyOf(g.kms_key_id)]);
  const features = resourcesOf(json, "aws_guardduty_detector_feature").map(([, f]) => [
    "GuardDuty",
    f.name,
    f.status,
    asList<TfJson>(f.additional_configuration).map((c) => `${c.name} ${c.status}`).join(", "),
  ]);
  const standards = resourcesOf(json, "aws_securityhub_standards_subscription").map(([, x]) => ["Security Hub", String(x.standards_arn).split("::standards/")[1], "subscribed", ""]);
  const agents = resourcesOf(json, "aws_eks_addon").filter(([, a]) => a.addon_name === GUARDDUTY_AGENT_ADDON).map(([n]) => ["GuardDuty runtime agent", `aws_eks_addon.${n}`, "installed by the stack", "reports through the guardduty-data endpoint"]);
  const topics = resourcesOf(json, "aws_sns_topic").map(([n, t]) => {
    const subscribers = resourcesOf(json, "aws_sns_topic_subscription").filter(([, x]) => x.topic_arn === `\${aws_sns_topic.${n}.arn}`);
    return [`aws_sns_topic.${n}`, keyOf(t.kms_master_key_id), subscribers.map(([, x]) => `${x.protocol} ${x.endpoint}`).join("<br>") || "**nobody**"];
  });
  const filters = resourcesOf(json, "aws_cloudwatch_log_metric_filter");
  const alarms = resourcesOf(json, "aws_cloudwatch_metric_alarm").map(([n, a]) => {
    const filter = filters.find(([, f]) => one(f.metric_transformation).name === a.metric_name && one(f.metric_transformation).namespace === a.namespace);
    const on = filter ? `log group ${shortRef(filter[1].log_group_name)}: \`${filter[1].pattern}\`` : `metric ${a.namespace}/${a.metric_name}`;
    const when = `${a.statistic} ${a.comparison_operator === "GreaterThanOrEqualToThreshold" ? "≥" : a.comparison_operator} ${a.threshold} in ${a.evaluation_periods} × ${a.period} s${a.actions_enabled === false ? " (**actions off**)" : ""}`;
    return [`aws_cloudwatch_metric_alarm.${n}: ${a.alarm_description ?? ""}`, on, when, asList(a.alarm_actions).map(shortRef).join(", ") || "**nobody**"];
  });
  const targets = resourcesOf(json, "aws_cloudwatch_event_target");
  const rules = resourcesOf(json, "aws_cloudwatch_event_rule").map(([n, r]) => [
    `aws_cloudwatch_event_rule.${n}: ${r.description ?? ""}`,
    "EventBridge",
    `\`${r.event_pattern}\`${r.state === "DISABLED" ? " (**disabled**)" : ""}`,
    targets.filter(([, t]) => t.rule === `\${aws_cloudwatch_event_rule.${n}.name}`).map(([, t]) => shortRef(t.arn)).join(", ") || "**nobody**",
  ]);
  const managers = resourcesOf(json, "aws_prometheus_alert_manager_definition");
  const meshAlerts = resourcesOf(json, "aws_prometheus_rule_group_namespace").flatMap(([n, ns]) => {
    const manager = managers.find(([, m]) => m.workspace_id === ns.workspace_id)?.[1];
    let topicsOf = "**no alert manager**";
    try {
      const config = JSON.parse(JSON.parse(String(manager?.definition)).alertmanager_config);
      topicsOf = asList<TfJson>(config.receivers).flatMap((r) => asList<TfJson>(r.sns_configs).map((c) => shortRef(c.topic_arn))).join(", ") || "**nobody**";
    } catch {
      // no alert manager: said above
    }
    return asList<TfJson>(JSON.parse(String(ns.data)).groups).flatMap((g) =>
      asList<TfJson>(g.rules).map((r) => [`aws_prometheus_rule_group_namespace.${n}: ${r.alert}${r.labels?.service ? ` (${r.labels.service})` : ""}`, `AMP ${shortRef(ns.workspace_id)}`, `\`${r.expr}\` for ${r.for}`, topicsOf]),
    );
  });
  return [
    "## Detection\n",
    "The audit trail (PCI DSS 10.2, 10.3, 10.5):\n",
    table(["trail", "records", "delivered to", "key"], trails),
    "\nEvery log group, how long it keeps events and the key that protects it:\n",
    table(["log group", "name", "kept", "key"], groups),
    "\nWhat watches the region (10.4.1, 11.5.1):\n",
    table(["service", "feature or standard", "status", "configuration"], [...features, ...agents, ...standards]),
    "\nWho is told (10.4.1, 10.7.2, 12.10.5): each topic, its key and its subscribers (an email subscriber receives nothing until it confirms):\n",
    table(["topic", "key", "subscribers"], topics),
    "\nWhat raises an alert, and where it goes:\n",
    table(["alarm or rule", "on", "raised when", "notifies"], [...alarms, ...rules, ...meshAlerts]),
  ].join("\n");
}

/** What each top-level construct of an AWS region stack is, for the inventory. */
const AWS_CAPABILITY_NAMES: Readonly<Record<string, string>> = {
  Keys: "Keys (KMS)",
  Network: "Network (PrivateLink VPC)",
  AuditArchive: "Audit archive (S3 Object Lock)",
  Hsm: "HSM (CloudHSM)",
  HsmKeyStore: "HSM key store (KMS custom key store)",
  Database: "Database (Aurora PostgreSQL)",
  Kafka: "Kafka (MSK)",
  Eks: "EKS",
  PartnerApi: "Partner API (endpoint service)",
  AuditTrail: "Audit trail (CloudTrail)",
  ThreatDetection: "Threat detection (GuardDuty, Security Hub)",
  ConfigRecording: "Configuration recording (AWS Config)",
  Alerts: "Security alerts (SNS, CloudWatch alarms, EventBridge)",
  MeshMetrics: "Mesh alerts (Amazon Managed Service for Prometheus)",
};

/** An AWS region stack's part of its report: the diagram, the encryption map, the network exposure. */
export function awsReport(view: StackView): LayerReport {
  return { capabilities: AWS_CAPABILITY_NAMES, diagram: regionDiagram(view), sections: [encryptionSection(view.json), exposureSection(view.json), detectionSection(view.json)] };
}
