/**
 * Mermaid diagrams for the reports, drawn from the synthesized JSON: a region's VPC tiers,
 * endpoints, EKS, HSM, Aurora, MSK, S3, keys (with the stores they protect), the access that the
 * security groups allow, and the mesh's call graph.
 */

import { StackView } from "../guardrails/rule";
import { TfJson, resourcesOf, asList, one, refName, truthy } from "../tfjson/terraform";
import { isRemote } from "../config/mesh";
import { encryptedStores } from "../tfjson/aws";
import { manifestsOf } from "../tfjson/kubernetes";

/** The capability a resource belongs to: the first construct under the stack (`Database`, `Eks`). */
export function capabilityOf(body: TfJson): string {
  const path = String(body["//"]?.metadata?.path ?? "");
  return path.split("/")[1] ?? "(stack)";
}

/** A Mermaid node id: letters, digits and underscores only. */
export function nodeId(s: string): string {
  return s.replace(/[^A-Za-z0-9_]/g, "_");
}

/** A Mermaid label: quotes and brackets would end it. */
export function label(s: string): string {
  return `"${s.replace(/"/g, "'").replace(/[[\]{}<>]/g, " ")}"`;
}

/** A call the mesh admits: caller identity `ns/serviceAccount`, callee `ns/service`. */
export interface Call {
  /** The caller's trust domain when it runs in another region. */
  readonly fromTrustDomain?: string;
  readonly from: string;
  readonly to: string;
  readonly methods: readonly string[];
  readonly paths: readonly string[];
}

/** The calls the synthesized ALLOW policies admit (what the mesh stack will enforce). */
export function callsFromPolicies(json: TfJson, trustDomain: string): Call[] {
  return manifestsOf(json)
    .filter(([, m]) => m.kind === "AuthorizationPolicy" && m.spec?.action === "ALLOW")
    .flatMap(([, m]) =>
      asList<TfJson>(m.spec.rules).map((r) => ({
        ...(() => {
          const p = String(asList(r.from?.[0]?.source?.principals)[0] ?? "?");
          const [td, rest] = p.split("/ns/");
          return { from: String(rest ?? p).replace("/sa/", "/"), ...(td !== trustDomain ? { fromTrustDomain: td } : {}) };
        })(),
        to: `${m.metadata?.namespace}/${m.spec.selector?.matchLabels?.app}`,
        methods: asList<string>(r.to?.[0]?.operation?.methods),
        paths: asList<string>(r.to?.[0]?.operation?.paths),
      })),
    );
}

/** The call graph, as Mermaid lines (services grouped by namespace). */
export function callGraph(view: StackView, calls: readonly Call[], indent: string): string[] {
  const { region } = view;
  const svc = (ref: string) => `svc_${nodeId(ref)}`;
  const byIdentity = (ref: string) => region.services.find((s) => `${s.namespace}/${s.serviceAccount ?? s.name}` === ref);
  const namespaces = new Map<string, Set<string>>();
  const add = (ns: string, name: string) => namespaces.set(ns, (namespaces.get(ns) ?? new Set()).add(name));
  for (const s of region.services) add(s.namespace, s.name);
  for (const c of calls) {
    const [ns, name] = c.to.split("/");
    add(ns, name);
  }
  const lines: string[] = [];
  const merchants = new Set(region.mesh.merchantNamespaces);
  for (const ns of [...namespaces.keys(), ...region.mesh.merchantNamespaces.filter((m) => !namespaces.has(m))].sort()) {
    lines.push(`${indent}subgraph ns_${nodeId(ns)}[${label(`namespace ${ns}${merchants.has(ns) ? " (merchant, isolated)" : ""}`)}]`);
    const names = [...(namespaces.get(ns) ?? [])].sort();
    if (names.length === 0) lines.push(`${indent}  ns_${nodeId(ns)}_empty[${label("no services yet")}]`);
    for (const n of names) lines.push(`${indent}  ${svc(`${ns}/${n}`)}[${label(n)}]`);
    lines.push(`${indent}end`);
  }
  for (const c of calls) {
    const remote = isRemote(region.mesh, c);
    const from = remote ? undefined : byIdentity(c.from);
    const source = remote ? `remote_${nodeId(`${c.fromTrustDomain}/${c.from}`)}` : svc(from ? `${from.namespace}/${from.name}` : c.from);
    if (remote) lines.push(`${indent}${source}([${label(`${c.from} in ${c.fromTrustDomain}`)}])`);
    lines.push(`${indent}${source} -->|${label(`mTLS ${c.methods.join(",")} ${c.paths.join(",")}`)}| ${svc(c.to)}`);
  }
  return lines;
}

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
export function regionDiagram(view: StackView): string {
  const { json, region } = view;
  const count = (type: string) => resourcesOf(json, type).length;
  const tier = (t: string) =>
    resourcesOf(json, "aws_subnet")
      .filter(([, s]) => s.tags?.Tier === t)
      .sort(([, a], [, b]) => (a.availability_zone < b.availability_zone ? -1 : 1))
      .map(([, s]) => `${s.cidr_block} ${s.availability_zone}`);
  const vpc = resourcesOf(json, "aws_vpc")[0]?.[1] ?? {};
  const interfaceServices = resourcesOf(json, "aws_vpc_endpoint")
    .filter(([, e]) => e.vpc_endpoint_type === "Interface")
    .map(([, e]) => String(e.service_name).split(".").slice(3).join("."))
    .sort();
  const eks = resourcesOf(json, "aws_eks_cluster")[0]?.[1];
  const msk = resourcesOf(json, "aws_msk_cluster")[0]?.[1];
  const buckets = resourcesOf(json, "aws_s3_bucket");
  const keys = resourcesOf(json, "aws_kms_alias")
    .map(([, a]) => ({ alias: String(a.name), key: refName(a.target_key_id, "aws_kms_key", "key_id") }))
    .filter((k): k is { alias: string; key: string } => !!k.key)
    .sort((a, b) => (a.alias < b.alias ? -1 : 1));

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

/** An in-cluster stack: the namespaces and the call graph the mesh admits. */
export function meshDiagram(view: StackView): string {
  const l = ["flowchart LR", `  subgraph cluster[${label(`EKS cluster of region-${view.region.name}: mesh trust domain ${view.region.mesh.trustDomain}`)}]`];
  l.push(`    istiod[${label(`istiod ${view.region.mesh.istioVersion} (istio-system)`)}]`);
  // The mesh stack draws what its policies admit; the Istio stack, the calls the region declares.
  l.push(...callGraph(view, view.layer === "mesh" ? callsFromPolicies(view.json, view.region.mesh.trustDomain) : view.region.mesh.calls, "    "));
  l.push("  end");
  return l.join("\n");
}
