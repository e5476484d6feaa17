/**
 * The AWS part of a region's report (`region-<name>` on AWS): the diagram of the region (VPC tiers,
 * endpoints, EKS, HSM, Aurora, MSK, S3, keys and what they protect, the ports the security groups
 * open, the call graph), the encryption map and the network exposure, from its synthesized JSON.
 */
import type { StackView } from "../guardrails/rule";
import { TfJson, resourcesOf, asList, one, refName, truthy, capabilityOf } from "../tfjson/terraform";
import { Statement, principalArns, principalServices, statementsOf } from "../tfjson/iam-policy";
import { callGraph } from "./call-graph";
import type { LayerReport } from "./layer-report";
import { label, nodeId, shortRef, table } from "./markdown";
import { encryptedStores } from "../model/aws/encryption";
import { keyOfReference, kmsAliases } from "../tfjson/aws";

/** The tier of a CIDR, by the subnets of that tier. */
function tierOfCidr(json: TfJson, cidr: string): string | undefined {
  return resourcesOf(json, "aws_subnet").find(([, s]) => s.cidr_block === cidr)?.[1].tags?.Tier;
}

/** The diagram node that stands for a security group, by the capability that owns it. */
const GROUP_NODE: Record<string, string> = { Database: "aurora", Kafka: "msk", Network: "vpce", PartnerApi: "nlb", Hsm: "hsm" };

function groupNode(json: TfJson, ref: unknown): string | undefined {
  if (refName(ref, "aws_cloudhsm_v2_cluster", "security_group_id")) return "hsm";
  const name = refName(ref, "aws_security_group", "id");
  if (!name) return undefined;
  const body = json.resource?.aws_security_group?.[name] ?? {};
  if (name.includes("node")) return "nodes";
  if (name.includes("cluster") && capabilityOf(body) === "Eks") return "eks";
  return GROUP_NODE[capabilityOf(body)];
}

/** The region's AWS stack as a Mermaid flowchart. */
function regionDiagram(view: StackView): string {
  const { json, region } = view;
  const count = (type: string) => resourcesOf(json, type).length;
  const tier = (t: string) =>
    resourcesOf(json, "aws_subnet")
      .filter(([, s]) => s.tags?.Tier === t)
      .sort(([, a], [, b]) => (a.availability_zone_id < b.availability_zone_id ? -1 : 1))
      .map(([, s]) => `${s.cidr_block} ${s.availability_zone_id}`);
  const vpc = resourcesOf(json, "aws_vpc")[0]?.[1] ?? {};
  const interfaceServices = resourcesOf(json, "aws_vpc_endpoint")
    .filter(([, e]) => e.vpc_endpoint_type === "Interface")
    .map(([, e]) => String(e.service_name).split(".").slice(3).join("."))
    .sort();
  const eks = resourcesOf(json, "aws_eks_cluster")[0]?.[1];
  const msk = resourcesOf(json, "aws_msk_cluster")[0]?.[1];
  const buckets = resourcesOf(json, "aws_s3_bucket");
  const keys = kmsAliases(json).sort((a, b) => (a.alias < b.alias ? -1 : 1));

  // Labels say what the JSON says, so a suppressed finding shows in the picture too.
  const gateways = count("aws_internet_gateway") + count("aws_nat_gateway") + count("aws_egress_only_internet_gateway");
  const lb = resourcesOf(json, "aws_lb")[0]?.[1];
  const listeners = resourcesOf(json, "aws_lb_listener").map(([, x]) => `${x.protocol} ${x.port}`);
  const service = resourcesOf(json, "aws_vpc_endpoint_service")[0]?.[1];
  const template = resourcesOf(json, "aws_launch_template")[0]?.[1];
  const imds = one(template?.metadata_options).http_tokens;
  const ebsEncrypted = asList<TfJson>(template?.block_device_mappings).every((m) => truthy(one(m.ebs).encrypted));
  const eksVpc = one(eks?.vpc_config);

  const l: string[] = ["flowchart LR"];
  l.push(`  partners([${label("partner VPCs (named principals)")}])`);
  l.push(`  subgraph vpc[${label(`VPC ${vpc.cidr_block ?? ""}: ${gateways === 0 ? "no internet or NAT gateway" : `${gateways} internet/NAT gateway(s)`}`)}]`);
  l.push(`    subgraph tier_endpoints[${label(`endpoints tier: ${tier("endpoints").join(", ")}`)}]`);
  if (lb) l.push(`      nlb[${label(`NLB, ${lb.internal === true ? "internal" : "INTERNET-FACING"}: ${listeners.join(", ")}`)}]`);
  l.push(`      vpce[${label(`interface endpoints: ${interfaceServices.join(", ")}`)}]`);
  l.push("    end");
  l.push(`    subgraph tier_workload[${label(`workload tier: ${tier("workload").join(", ")}`)}]`);
  if (eks) {
    const api = eksVpc.endpoint_public_access === false ? "private API" : "PUBLIC API";
    l.push(`      eks[${label(`EKS ${eks.version}: ${api}${eks.encryption_config ? ", secrets encrypted" : ""}`)}]`);
    l.push(`      nodes[${label(`node groups ×${count("aws_eks_node_group")}: ${imds === "required" ? "IMDSv2 only" : "IMDSv1 allowed"}, ${ebsEncrypted ? "encrypted EBS" : "UNENCRYPTED EBS"}`)}]`);
    l.push(`      subgraph mesh[${label(`Istio mesh ${region.mesh.istioVersion}: the declared calls (policies in region-${region.name}-mesh)`)}]`);
    l.push(...callGraph(view, region.mesh.calls, "        "));
    l.push("      end");
  }
  l.push("    end");
  l.push(`    subgraph tier_data[${label(`data tier: ${tier("data").join(", ")}`)}]`);
  if (count("aws_rds_cluster")) l.push(`      aurora[(${label(`Aurora PostgreSQL ×${count("aws_rds_cluster_instance")} instances`)})]`);
  if (msk) l.push(`      msk[(${label(`MSK ×${msk.number_of_broker_nodes} brokers: TLS, SASL`)})]`);
  if (count("aws_cloudhsm_v2_cluster")) l.push(`      hsm[${label(`CloudHSM ×${count("aws_cloudhsm_v2_hsm")} HSMs`)}]`);
  l.push("    end");
  l.push("  end");
  const s3gw = resourcesOf(json, "aws_vpc_endpoint").find(([, e]) => e.vpc_endpoint_type === "Gateway")?.[1];
  if (s3gw) l.push(`  s3gw[${label(`S3 gateway endpoint: ${typeof s3gw.policy === "string" ? "policy names the buckets" : "NO POLICY (all of S3)"}`)}]`);
  for (const [n, b] of buckets) l.push(`  bucket_${nodeId(n)}[(${label(`S3 ${b.bucket}${b.object_lock_enabled ? ": Object Lock" : ""}`)})]`);
  l.push(`  subgraph kms[${label("KMS customer-managed keys")}]`);
  for (const k of keys) l.push(`    key_${nodeId(k.key)}[${label(k.alias.split("/").pop()!)}]`);
  l.push("  end");

  // Access the network allows: partners through PrivateLink, and every security-group ingress rule.
  if (service) l.push(`  partners -->|${label(`PrivateLink, ${service.acceptance_required === true ? "acceptance required" : "AUTO-ACCEPTED"}`)}| nlb`);
  const ports = new Map<string, Set<string>>();
  for (const [, r] of resourcesOf(json, "aws_vpc_security_group_ingress_rule")) {
    const to = groupNode(json, r.security_group_id);
    const tierName = r.cidr_ipv4 ? tierOfCidr(json, r.cidr_ipv4) : undefined;
    const from = r.referenced_security_group_id ? groupNode(json, r.referenced_security_group_id) : tierName ? `tier_${tierName}` : undefined;
    if (!to || !from || from === to) continue;
    const edge = `${from} ${to}`;
    ports.set(edge, (ports.get(edge) ?? new Set()).add(r.from_port === r.to_port ? String(r.from_port) : `${r.from_port}-${r.to_port}`));
  }
  const byNumber = (a: string, b: string) => parseInt(a, 10) - parseInt(b, 10);
  l.push(...[...ports].sort(([a], [b]) => (a < b ? -1 : 1)).map(([edge, p]) => `  ${edge.replace(" ", ` -->|${label(`TCP ${[...p].sort(byNumber).join(", ")}`)}| `)}`));
  if (l.some((x) => x.startsWith("  s3gw"))) l.push("  tier_workload --> s3gw", ...buckets.map(([n]) => `  s3gw --> bucket_${nodeId(n)}`));

  // Which key protects which store (dotted).
  const storeNode: Record<string, string> = { aws_rds_cluster: "aurora", aws_msk_cluster: "msk", aws_eks_cluster: "eks", aws_launch_template: "nodes" };
  const protects = new Set<string>();
  for (const s of encryptedStores(json)) {
    const node = storeNode[s.type];
    for (const k of s.keys) if (node && keys.some((x) => x.key === k)) protects.add(`  key_${nodeId(k)} -.-> ${node}`);
  }
  for (const [, sse] of resourcesOf(json, "aws_s3_bucket_server_side_encryption_configuration")) {
    const bucket = refName(sse.bucket, "aws_s3_bucket", "id");
    const key = refName(one(sse.rule).apply_server_side_encryption_by_default?.kms_master_key_id, "aws_kms_key", "arn");
    if (bucket && key) protects.add(`  key_${nodeId(key)} -.-> bucket_${nodeId(bucket)}`);
  }
  const tokenization = keys.find((k) => k.alias.endsWith("/tokenization"));
  if (tokenization && json.resource?.aws_kms_key?.[tokenization.key]?.custom_key_store_id) protects.add(`  hsm -.-> key_${nodeId(tokenization.key)}`);
  l.push(...[...protects].sort());
  return l.join("\n");
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
};

/** An AWS region stack's part of its report: the diagram, the encryption map, the network exposure. */
export function awsReport(view: StackView): LayerReport {
  return { capabilities: AWS_CAPABILITY_NAMES, diagram: regionDiagram(view), sections: [encryptionSection(view.json), exposureSection(view.json)] };
}
