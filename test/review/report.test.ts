import * as fs from "fs";
import * as path from "path";
import { AwsRegionConfig } from "../../config/schema";
import { MESH_PKI_RELEASES } from "../../config/catalog";
import { SynthStack, TfJson, allStacks, resourcesOf, shippedAllLayers } from "../support/synth";
import { asList } from "../../tfjson/terraform";
import { manifestsOf } from "../../tfjson/kubernetes";
import { nodeId, cell, shortRef } from "../../review/markdown";
import { crossRegionSection, resilienceLine, workloadCaLine } from "../../review/report";
import { clusterPlatform, hasMeshPki } from "../../model/mesh/in-cluster";
import { encryptedStores } from "../../model/aws/encryption";
import { boxesAround, readDiagram } from "../support/mermaid";

const stacks: SynthStack[] = [...shippedAllLayers(), ...allStacks().filter((s) => s.name.includes("@"))];
const awsStacks = stacks.filter((s): s is SynthStack<AwsRegionConfig> => s.layer === "aws");
const inCluster = stacks.filter((s) => s.layer === "pki" || s.layer === "istio" || s.layer === "mesh");

/** The rows of the Markdown table that follows `heading` (a line of the report), as cells. */
function tableAfter(report: string, heading: string): string[][] {
  const lines = report.split("\n");
  let i = lines.findIndex((l) => l.startsWith(heading));
  if (i < 0) throw new Error(`no "${heading}" in the report`);
  while (i < lines.length && !lines[i].startsWith("|")) {
    if (lines[i] === "_none_") return [];
    i++;
  }
  const rows: string[][] = [];
  for (i += 2; i < lines.length && lines[i].startsWith("|"); i++) {
    rows.push(lines[i].slice(2, -2).split(/(?<!\\) \| /));
  }
  return rows;
}

function mermaid(report: string): string {
  const m = /```mermaid\n([\s\S]*?)\n```/.exec(report);
  if (!m) throw new Error("no mermaid block");
  return m[1];
}

/** The alias names of the key a reference names. */
function aliasOf(json: TfJson, keyName: string): string {
  return resourcesOf(json, "aws_kms_alias")
    .filter(([, a]) => a.target_key_id === `\${aws_kms_key.${keyName}.key_id}`)
    .map(([, a]) => a.name)
    .join(", ");
}

it("is written beside every stack, with an index", () => {
  for (const s of stacks) {
    expect(fs.existsSync(path.join(s.dir, "REPORT.md"))).toBe(true);
    expect(s.report.startsWith(`# ${s.name.split(" ")[0]}: reviewer's report\n`)).toBe(true);
  }
  const index = fs.readFileSync(path.join(path.dirname(path.dirname(shippedAllLayers()[0].dir)), "REPORTS.md"), "utf8");
  for (const s of shippedAllLayers()) expect(index).toContain(`[REPORT.md](stacks/${s.name}/REPORT.md)`);
});

describe.each(stacks.map((s) => [s.name, s] as const))("the report of %s", (_name, s) => {
  it("names the region, the jurisdiction and the layer", () => {
    expect(s.report).toContain(`Region **${s.region.name}** (${s.region.cloud} ${s.region.cloudRegion}, ${s.region.cloud === "aws" ? `account ${s.region.accountId}` : `project ${s.region.projectId}`}), jurisdiction **${s.region.jurisdiction}**`);
    expect(s.report).toContain(`Layer: ${s.layer}.`);
  });

  it("counts every resource in the inventory, by capability", () => {
    const total = Object.values(s.json.resource ?? {}).reduce((n: number, byName) => n + Object.keys(byName as object).length, 0);
    expect(s.report).toContain(`${total} resources.`);
    const listed = tableAfter(s.report, "## Resource inventory").flatMap(([, types]) => [...types.matchAll(/×(\d+)/g)].map((m) => Number(m[1])));
    expect(listed.reduce((a, b) => a + b, 0)).toBe(total);
  });

  it("lists every applied rule with its requirement and result, and every suppression with its reason", () => {
    const rules = tableAfter(s.report, "Rules:");
    expect(rules.map(([id, req]) => `${id} ${req}`).sort()).toEqual(s.guardrails.rules.map((r) => `${r.id} ${r.requirement}`).sort());
    for (const [id, , , result] of rules) {
      const findings = s.guardrails.findings.filter((f) => f.rule.id === id);
      const open = findings.filter((f) => !f.suppressedBy);
      const suppressed = findings.length - open.length;
      const status = [open.length ? `**${open.length} ${open[0].rule.level === "error" ? "failed" : "warning(s)"}**` : "", suppressed ? `${suppressed} suppressed` : ""].filter(Boolean).join(", ");
      expect(result).toBe(findings.length === 0 ? "pass" : status);
    }
    const suppressions = tableAfter(s.report, "Suppressions");
    expect(suppressions.map(([id, address, , , reason]) => [id, address, reason])).toEqual(
      s.guardrails.findings.filter((f) => f.suppressedBy).map((f) => [f.rule.id, f.address, cell(f.suppressedBy!.reason)]),
    );
    const byRequirement = tableAfter(s.report, "By PCI DSS v4.0 requirement:");
    for (const r of s.guardrails.rules) for (const req of r.requirement.split(", ")) expect(byRequirement.find(([q]) => q === req)?.[1].split(", ")).toContain(r.id);
  });

  it("has a diagram titled with the stack, where it lives and the source, laid out by ELK", () => {
    const d = readDiagram(s.report);
    expect(d.head).toEqual(["title: " + JSON.stringify(d.title), "config:", "  layout: elk", "flowchart TB"]);
    const where = s.region.cloud === "aws" ? `AWS ${s.region.cloudRegion}, account ${s.region.accountId}` : `Google Cloud ${s.region.cloudRegion}, project ${s.region.projectId}`;
    expect(d.title).toMatch(new RegExp(`^${s.name.split(" ")[0]} \\(${s.layer}\\): ${where.replace(/[.()]/g, "\\$&")}.*; (commit [0-9a-f]{12}( and uncommitted changes)?|not from a git checkout)$`));
    const lines = mermaid(s.report).split("\n").map((l) => l.trim());
    expect(lines.filter((l) => l.startsWith("subgraph ")).length).toBe(lines.filter((l) => l === "end").length);
    for (const l of lines.filter((x) => x.startsWith("subgraph "))) expect(l).toMatch(/^subgraph [A-Za-z0-9_]+\["[^"]*"\]$/);
  });

  it("draws edges between nodes only (never to a box's border), each kind explained once in the legend", () => {
    const d = readDiagram(s.report);
    for (const e of d.edges) for (const end of [e.from, e.to]) expect(d.boxes.has(end) ? `${end} is a box` : end).toBe(end);
    const legend = d.edges.filter((e) => d.parent.get(e.from) === "legend");
    const used = new Set(d.edges.filter((e) => d.parent.get(e.from) !== "legend").map((e) => e.arrow));
    expect(legend.map((e) => e.arrow).sort()).toEqual([...used].sort());
    expect(new Set(legend.map((e) => e.text)).size).toBe(legend.length);
  });

  // (The DR stack draws the Kafka mirror: "the report of region-<name>-dr" below.)
  if (s.layer !== "dr") it("draws the mesh's call graph: every call is an edge between services, merchant namespaces marked", () => {
    const d = readDiagram(s.report);
    for (const c of s.region.mesh.calls) {
      const from = c.fromTrustDomain && c.fromTrustDomain !== s.region.mesh.trustDomain ? `remote_${nodeId(`${c.fromTrustDomain}/${c.from}`)}` : (() => {
        const svc = s.region.services.find((x) => `${x.namespace}/${x.serviceAccount ?? x.name}` === c.from)!;
        return `svc_${nodeId(`${svc.namespace}/${svc.name}`)}`;
      })();
      expect(d.edges).toContainEqual({ from, to: `svc_${nodeId(c.to)}`, arrow: "-->", text: expect.stringMatching(new RegExp(`^mTLS ${c.methods.join(",")} ${c.paths.join(",").replace(/[.*/]/g, "\\$&")} \\(`)) });
      // A caller of another region is drawn outside this region, in the box of other regions' callers.
      if (from.startsWith("remote_")) expect(boxesAround(d, from)).toEqual(["other_regions"]);
    }
    for (const ns of s.region.mesh.merchantNamespaces) {
      expect(d.boxes.has(`ns_${nodeId(ns)}`)).toBe(true);
      const inside = [...d.parent].filter(([, p]) => p === `ns_${nodeId(ns)}`).map(([id]) => d.labels.get(id));
      expect(inside.length).toBeGreaterThan(0);
      for (const l of inside) expect(l).toMatch(/ \(merchant, isolated\)$/);
    }
  });
});

it("reports on a stage with a key in the CloudHSM key store (so the HSM's edge is checked, not assumed)", () => {
  expect(awsStacks.filter((s) => resourcesOf(s.json, "aws_kms_key").some(([, k]) => k.custom_key_store_id !== undefined)).length).toBeGreaterThan(0);
});

describe.each(awsStacks.map((s) => [s.name, s] as const))("the AWS report of %s", (_name, s) => {
  it("maps every data store to the key that protects it, by alias", () => {
    const rows = tableAfter(s.report, "Each data store, the key that protects it:");
    // A store the stack suppresses encryption.customer-managed-key for (with its reason) is shown as not encrypted with a CMK.
    const exempt = new Set(s.guardrails.findings.filter((f) => f.suppressedBy && f.rule.id === "encryption.customer-managed-key").map((f) => f.address));
    for (const store of encryptedStores(s.json)) {
      const row = rows.find(([address]) => address === store.address);
      if (exempt.has(store.address)) {
        expect(row?.[2]).toBe("**not encrypted with a CMK**");
        continue;
      }
      expect(store.keys.length).toBeGreaterThan(0);
      const alias = aliasOf(s.json, store.keys[0]);
      expect(alias).toMatch(/^alias\//);
      expect(row?.[2].startsWith(alias)).toBe(true);
    }
    for (const [, sse] of resourcesOf(s.json, "aws_s3_bucket_server_side_encryption_configuration")) {
      const row = rows.find(([address]) => address === shortRef(sse.bucket));
      const key = sse.rule[0].apply_server_side_encryption_by_default.kms_master_key_id;
      if (key) expect(row?.[2]).toBe(`${aliasOf(s.json, /aws_kms_key\.([^.]+)\./.exec(key)![1])} (SSE-KMS, bucket key on)`);
      else expect(row?.[2]).toMatch(/^SSE-S3, AWS-owned key/);
    }
    expect(rows.find(([a]) => a.startsWith("Terraform state"))?.[2]).toContain(s.region.stateBackend.kmsKeyArn);
  });

  it("says who may use each key: the key policy's principals and the roles that name the key", () => {
    const rows = tableAfter(s.report, "Who may use each key");
    expect(rows.length).toBe(resourcesOf(s.json, "aws_kms_key").length);
    const tokenization = rows.find(([k]) => k.includes("/tokenization,") || k.endsWith("/tokenization") || k.startsWith(`alias/${s.region.naming.prefix}-${s.region.name}/tokenization`))!;
    // The account root administers but never uses: the report names no root among the users.
    for (const [, users] of rows) expect(users).not.toContain("root");
    const tokenizers = s.region.services.filter((x) => x.access?.tokenizationKey);
    for (const t of tokenizers) {
      expect(tokenization[1]).toContain(`role/${s.region.naming.prefix}-${s.region.name}-${t.name} (and its IAM policy): kms:Encrypt`);
      expect(tokenization[1]).toContain(`${t.name}_role`);
    }
    const logs = rows.find(([k]) => k.endsWith("/logs"))!;
    expect(logs[1]).toContain(`service logs.${s.region.cloudRegion}.amazonaws.com: key policy when kms:EncryptionContext:aws:logs:arn`);
  });

  it("lists every listener, endpoint service, VPC endpoint and security-group ingress rule", () => {
    expect(tableAfter(s.report, "Listeners:").map(([l]) => l)).toEqual(resourcesOf(s.json, "aws_lb_listener").map(([n]) => `aws_lb_listener.${n}`));
    expect(tableAfter(s.report, "Endpoint services").map(([e, acceptance, principals]) => [e, acceptance, principals.split("<br>")])).toEqual(
      resourcesOf(s.json, "aws_vpc_endpoint_service").map(([n, e]) => [`aws_vpc_endpoint_service.${n}`, "yes", e.allowed_principals]),
    );
    expect(tableAfter(s.report, "VPC endpoints").map(([e]) => e)).toEqual(resourcesOf(s.json, "aws_vpc_endpoint").map(([n]) => `aws_vpc_endpoint.${n}`));
    const ingress = tableAfter(s.report, "Security-group ingress");
    const rules = resourcesOf(s.json, "aws_vpc_security_group_ingress_rule");
    expect(ingress.length).toBe(rules.length);
    for (const [, r] of rules) {
      const source = r.referenced_security_group_id ? shortRef(r.referenced_security_group_id) : r.cidr_ipv4;
      expect(ingress).toContainEqual([shortRef(r.security_group_id), r.ip_protocol === "-1" ? "all" : expect.stringContaining(String(r.from_port)), source, r.description]);
    }
  });

  it("draws the VPC tiers inside the VPC inside the home region, and what each tier holds", () => {
    const d = readDiagram(s.report);
    expect(boxesAround(d, "vpc")).toEqual(["home"]);
    for (const tier of ["endpoints", "workload", "data"]) {
      expect(boxesAround(d, `tier_${tier}`)).toEqual(["vpc", "home"]);
      expect(d.parent.get(`tier_${tier}_subnets`)).toBe(`tier_${tier}`);
      for (const [, sub] of resourcesOf(s.json, "aws_subnet").filter(([, x]) => x.tags?.Tier === tier)) expect(d.labels.get(`tier_${tier}_subnets`)).toContain(`${sub.cidr_block} ${sub.availability_zone_id}`);
    }
    expect(["nlb", "vpce"].map((n) => d.parent.get(n))).toEqual(["tier_endpoints", "tier_endpoints"]);
    expect(["eks", "nodes", "mesh"].map((n) => d.parent.get(n))).toEqual(["tier_workload", "tier_workload", "tier_workload"]);
    expect(["aurora", "msk", "hsm"].map((n) => d.parent.get(n))).toEqual(["tier_data", "tier_data", "tier_data"]);
    expect(d.parent.get("s3gw")).toBe("vpc");
  });

  it("draws what lives in the DR partner region in its own box, and the rest in the home region", () => {
    const d = readDiagram(s.report);
    const placed = [
      ...resourcesOf(s.json, "aws_kms_key").map(([n, b]) => [`key_${nodeId(n)}`, b] as const),
      ...resourcesOf(s.json, "aws_s3_bucket").map(([n, b]) => [`bucket_${nodeId(n)}`, b] as const),
      ...resourcesOf(s.json, "aws_backup_vault").map(([n, b]) => [`vault_${nodeId(n)}`, b] as const),
    ];
    expect(placed.some(([, b]) => b.provider === "aws.dr")).toBe(s.region.drPartnerRegion !== undefined);
    for (const [id, b] of placed) expect([id, boxesAround(d, id).pop()]).toEqual([id, b.provider === "aws.dr" ? "partner" : "home"]);
    if (s.region.drPartnerRegion) expect(mermaid(s.report)).toContain(`subgraph partner["${s.region.drPartnerRegion}: DR partner region"]`);
  });

  it("connects every key to what it protects: each encrypted store, each SSE-KMS bucket, and for a key that protects no store the services that encrypt with it", () => {
    const d = readDiagram(s.report);
    const encrypts = d.edges.filter((e) => e.arrow === "-.->" && d.parent.get(e.from) !== "legend");
    for (const [n] of resourcesOf(s.json, "aws_kms_key")) expect([n, encrypts.filter((e) => e.from === `key_${nodeId(n)}`).length]).not.toEqual([n, 0]);
    const db = /aws_kms_key\.([^.]+)\./.exec(s.json.resource.aws_rds_cluster.database_cluster.kms_key_id)![1];
    expect(encrypts).toContainEqual({ from: `key_${nodeId(db)}`, to: "aurora", arrow: "-.->", text: expect.stringContaining("cardholder data") });
    for (const [, sse] of resourcesOf(s.json, "aws_s3_bucket_server_side_encryption_configuration")) {
      const key = sse.rule[0].apply_server_side_encryption_by_default.kms_master_key_id;
      const bucket = `bucket_${nodeId(/aws_s3_bucket\.([^.]+)\./.exec(sse.bucket)![1])}`;
      expect(encrypts.filter((e) => e.to === bucket).map((e) => e.from)).toEqual(key ? [`key_${nodeId(/aws_kms_key\.([^.]+)\./.exec(key)![1])}`] : []);
    }
    const tokenization = resourcesOf(s.json, "aws_kms_alias").find(([, a]) => String(a.name).endsWith("/tokenization"))![1].target_key_id;
    const tokenizers = s.region.services.filter((x) => x.access?.tokenizationKey).map((x) => `svc_${nodeId(`${x.namespace}/${x.name}`)}`);
    expect(tokenizers.length).toBeGreaterThan(0);
    expect(encrypts.filter((e) => e.from === `key_${nodeId(/aws_kms_key\.([^.]+)\./.exec(tokenization)![1])}`).map((e) => e.to).sort()).toEqual(tokenizers.sort());
  });

  it("says in its Detection section what is recorded where and for how long, and what watches the region", () => {
    const trails = tableAfter(s.report, "The audit trail");
    expect(trails.map(([t]) => t)).toEqual(resourcesOf(s.json, "aws_cloudtrail").map(([n]) => `aws_cloudtrail.${n}`));
    expect(trails[0][1]).toMatch(/^every region of the account, with IAM's global events; /);
    expect(trails[0][2]).toContain(`under cloudtrail/ (Object Lock COMPLIANCE ${s.region.retention.auditArchiveDays} days), log file validation on; log group /`);
    expect(trails[0][3]).toBe(aliasOf(s.json, /aws_kms_key\.([^.]+)\./.exec(resourcesOf(s.json, "aws_cloudtrail")[0][1].kms_key_id)![1]));
    const groups = tableAfter(s.report, "Every log group");
    expect(groups.map(([g, , kept]) => [g, kept])).toEqual(resourcesOf(s.json, "aws_cloudwatch_log_group").map(([n, g]) => [`aws_cloudwatch_log_group.${n}`, `${g.retention_in_days} days`]));
    const watchers = tableAfter(s.report, "What watches the region");
    expect(watchers.filter(([svc]) => svc === "GuardDuty").map(([, f, status]) => `${f} ${status}`).sort()).toEqual(resourcesOf(s.json, "aws_guardduty_detector_feature").map(([, f]) => `${f.name} ${f.status}`).sort());
    expect(watchers.filter(([svc]) => svc === "Security Hub").map(([, std]) => std).sort()).toEqual(["aws-foundational-security-best-practices/v/1.0.0", "pci-dss/v/4.0.1"]);
    expect(watchers.some(([svc]) => svc === "GuardDuty runtime agent")).toBe(true);
  });

  it("draws the HSM holding the material of exactly the keys in its key store", () => {
    const d = readDiagram(s.report);
    const held = d.edges.filter((e) => e.arrow === "---" && d.parent.get(e.from) !== "legend");
    const inStore = resourcesOf(s.json, "aws_kms_key").filter(([, k]) => k.custom_key_store_id !== undefined).map(([n]) => `key_${nodeId(n)}`);
    expect(held.map((e) => [e.from, e.to])).toEqual(inStore.sort().map((k) => ["hsm", k]));
  });

  it("draws the S3 gateway endpoint to the buckets its policy names, and to no other", () => {
    const d = readDiagram(s.report);
    const policy = JSON.parse(resourcesOf(s.json, "aws_vpc_endpoint").find(([, e]) => e.vpc_endpoint_type === "Gateway")![1].policy);
    const named = (policy.Statement as TfJson[]).flatMap((x) => asList<string>(x.Resource)).map((r) => {
      const ref = /^\$\{aws_s3_bucket\.([^.]+)\.arn\}/.exec(r);
      return ref ? `bucket_${nodeId(ref[1])}` : `s3_${nodeId(r.slice("arn:aws:s3:::".length).split("/")[0])}`;
    });
    expect(d.edges.filter((e) => e.from === "s3gw").map((e) => e.to).sort()).toEqual([...new Set(named)].sort());
    expect(d.edges.filter((e) => e.to === "s3gw").map((e) => e.from)).toEqual(["nodes"]);
  });

  it("draws the partner path and the ports the security groups open, with what admits them", () => {
    const d = readDiagram(s.report);
    expect(d.edges).toContainEqual({ from: "partners", to: "nlb", arrow: "-->", text: expect.stringMatching(/^PrivateLink, acceptance required; TCP 443 \(security group: partner CIDRs\)$/) });
    expect(d.edges).toContainEqual({ from: "nlb", to: "nodes", arrow: "-->", text: "TCP 30443, 31021 (security group)" });
    // From the endpoint service to the service: the NLB passes TLS to the partner gateway, which calls each partner's routes.
    const edge = s.region.edge!;
    expect(d.edges).toContainEqual({ from: "nlb", to: "svc_istio_ingress_partner_gateway", arrow: "-->", text: `TLS passed through, node port 30443: each partner's mutual TLS ends here (${edge.partners.map((p) => p.name).join(", ")})` });
    for (const r of edge.partners.flatMap((p) => p.routes)) {
      expect(d.edges).toContainEqual({ from: "svc_istio_ingress_partner_gateway", to: `svc_${r.to.replace(/[^a-z0-9]/g, "_")}`, arrow: "-->", text: `mTLS ${r.methods.join(",")} ${r.paths.join(",")} (mesh policy)` });
    }
    expect(d.edges).toContainEqual({ from: "nodes", to: "aurora", arrow: "-->", text: "TCP 5432 (security group)" });
    expect(d.edges).toContainEqual({ from: "nodes", to: "msk", arrow: "-->", text: "TCP 9096, 9098 (security group)" });
    expect(d.edges).toContainEqual({ from: "nodes", to: "hsm", arrow: "-->", text: "TCP 2223-2225 (security group: the workload tier's CIDRs)" });
  });

  it("draws where backups, replicas and logs go", () => {
    const d = readDiagram(s.report);
    const delivers = d.edges.filter((e) => e.arrow === "==>" && d.parent.get(e.from) !== "legend");
    if (s.region.drPartnerRegion) {
      expect(delivers).toContainEqual(expect.objectContaining({ from: "aurora", to: "vault_dr_home_vault" }));
      expect(delivers).toContainEqual(expect.objectContaining({ from: "vault_dr_home_vault", to: "vault_dr_in_partner_region_partner_vault" }));
      expect(delivers).toContainEqual(expect.objectContaining({ from: "bucket_audit_archive_archive_bucket", to: "bucket_dr_in_partner_region_audit_archive_archive_bucket" }));
    }
    for (const from of ["eks", "aurora", "msk"]) expect(delivers.filter((e) => e.from === from && e.to.startsWith("aws_cloudwatch_log_group_"))).toHaveLength(1);
    // The audit trail's evidence: into the archive and into its log group.
    expect(delivers).toContainEqual({ from: "trail_audit_trail_trail", to: "bucket_audit_archive_archive_bucket", arrow: "==>", text: "log files and digests under cloudtrail/" });
    expect(delivers).toContainEqual({ from: "trail_audit_trail_trail", to: expect.stringMatching(/^aws_cloudwatch_log_group_/), arrow: "==>", text: "every event" });
    expect(d.parent.get("trail_audit_trail_trail")).toBe("home");
  });
});

describe.each(stacks.filter((s) => s.layer === "gcp").map((s) => [s.name, s] as const))("the GCP report of %s", (_name, s) => {
  it("connects every key to what it protects, and draws the partner path and the firewall's allowances between drawn parts", () => {
    const d = readDiagram(s.report);
    const encrypts = d.edges.filter((e) => e.arrow === "-.->" && d.parent.get(e.from) !== "legend");
    for (const [n] of resourcesOf(s.json, "google_kms_crypto_key")) expect([n, encrypts.filter((e) => e.from === `key_${nodeId(n)}`).length]).not.toEqual([n, 0]);
    expect(boxesAround(d, "tier_data")).toEqual(["vpc", "home"]);
    expect(d.edges).toContainEqual({ from: "partners", to: "ilb", arrow: "-->", text: "Private Service Connect (GKE's ServiceAttachment): listed projects only, accepted by hand" });
    expect(d.edges).toContainEqual({ from: "ilb", to: "nodes", arrow: "-->", text: "TCP 443 (firewall: from the PSC NAT subnet)" });
    expect(d.edges).toContainEqual({ from: "nodes", to: "sql", arrow: "-->", text: "TCP 5432, 3307, 9092 (firewall: to the data subnet)" });
    expect(d.edges).toContainEqual({ from: "nodes", to: "apis", arrow: "-->", text: "TCP 443 (firewall: to the Google APIs address)" });
    // No other range reaches the nodes (GKE admits its load balancer's health checks with a rule of its own); the log sink delivers to the log bucket.
    expect(d.edges.filter((e) => e.from.startsWith("outside_"))).toEqual([]);
    expect(d.edges).toContainEqual({ from: "sink_audit_log_sink", to: "google_logging_project_bucket_config_audit_log_bucket", arrow: "==>", text: "log entries" });
    const perimeter = resourcesOf(s.json, "google_access_context_manager_service_perimeter")[0][1];
    expect(d.labels.get("perimeter_network_perimeter")).toContain(perimeter.use_explicit_dry_run_spec ? "DRY RUN" : "enforced");
  });
});

describe.each(inCluster.map((s) => [s.name, s] as const))("the in-cluster report of %s", (_name, s) => {
  it("lists each partner with its host, CA, identities, routes and rate (none where the region declares none)", () => {
    const edge = s.region.edge;
    if (!edge) return expect(s.report).not.toContain("## Partners");
    const rows = tableAfter(s.report, "## Partners");
    expect(rows.map(([name, host]) => [name, host])).toEqual(edge.partners.map((p) => [p.name, `${p.name}.${edge.host}`]));
    for (const [i, p] of edge.partners.entries()) {
      expect(rows[i][2]).toMatch(new RegExp(`^${p.name} client CA \\(example\\) \\(until \\d{4}-\\d{2}-\\d{2}\\)$`));
      expect(rows[i][3]).toBe(p.identities.join(", "));
      expect(rows[i][4]).toBe(p.routes.map((r) => `${r.methods.join(",")} ${r.paths.join(",")} → ${r.to}`).join("; "));
      expect(rows[i][5]).toBe(`${p.requestsPerSecond}/s`);
    }
  });

  it("lists every Role, ClusterRole and binding with its rules or subjects, from the JSON", () => {
    const types = ["kubernetes_cluster_role_v1", "kubernetes_role_v1", "kubernetes_cluster_role_binding_v1", "kubernetes_role_binding_v1"];
    const expected = types.flatMap((t) => resourcesOf(s.json, t).map(([n, r]) => ({ address: `${t}.${n}`, r })));
    if (expected.length === 0) {
      expect(s.report).not.toContain("## Kubernetes RBAC");
      return;
    }
    const rows = tableAfter(s.report, "## Kubernetes RBAC");
    expect(rows.map(([address]) => address)).toEqual(expected.map((e) => e.address));
    for (const [address, , namespace, name, grants] of rows) {
      const { r } = expected.find((e) => e.address === address)!;
      expect([namespace, name]).toEqual([r.metadata.namespace ?? "(cluster)", r.metadata.name]);
      if (r.rule) {
        expect(grants.split("<br>")).toHaveLength(r.rule.length);
        for (const [i, rule] of (r.rule as TfJson[]).entries()) expect(grants.split("<br>")[i].endsWith(`: ${rule.verbs.join(", ")}`)).toBe(true);
      } else {
        expect(grants).toBe(`${r.role_ref.kind} ${r.role_ref.name} to ${(r.subject as TfJson[]).map((x) => `${x.kind} ${x.namespace}/${x.name}`).join(", ")}`);
      }
    }
  });

  it("labels the inventory by namespace only in the mesh stack (the others' scopes are not namespaces)", () => {
    const labels = tableAfter(s.report, "## Resource inventory").map(([label]) => label);
    if (s.layer === "mesh") expect(labels.every((l) => l.startsWith("namespace "))).toBe(true);
    else expect(labels.some((l) => l.startsWith("namespace "))).toBe(false);
  });

  it("lists its namespaces, releases or policies", () => {
    if (s.layer === "pki") {
      expect(tableAfter(s.report, "## Namespaces").map(([, ns]) => ns)).toEqual(["cert-manager"]);
      expect(tableAfter(s.report, "## Workload CA chain").map(([, chart, version]) => `${chart} ${version}`)).toEqual([
        `cert-manager ${MESH_PKI_RELEASES.certManager.chart}`,
        ...(s.region.cloud === "aws" ? [`aws-privateca-issuer ${MESH_PKI_RELEASES.awsPcaIssuer.chart}`] : []),
      ]);
      if (s.region.cloud === "gcp") {
        expect(tableAfter(s.report, "## CAS issuer").map(([, kind, , what]) => `${kind}: ${what}`)).toEqual([
          `Deployment: 2 replicas of ${clusterPlatform(s.region).registry}/cert-manager/cert-manager-google-cas-issuer:${MESH_PKI_RELEASES.googleCasIssuer.image}`,
          "PodDisruptionBudget: keeps 1 running",
          `ServiceAccount: acts as region-${s.region.name}'s output mesh_ca_issuer_account (Workload Identity)`,
        ]);
      }
    } else if (s.layer === "istio") {
      expect(tableAfter(s.report, "## Namespaces").map(([r]) => r)).toEqual(resourcesOf(s.json, "kubernetes_namespace_v1").map(([n]) => `kubernetes_namespace_v1.${n}`));
      const withCa = hasMeshPki(s.region);
      expect(tableAfter(s.report, "## Istio install").map(([, chart, version]) => `${chart} ${version}`).sort()).toEqual(
        [
          ...["base", "cni", "istiod", ...(withCa && s.region.edge ? ["gateway"] : [])].map((c) => `${c} ${s.region.mesh.istioVersion}`),
          ...(withCa ? [`cert-manager-istio-csr ${MESH_PKI_RELEASES.istioCsr.chart}`] : []),
        ].sort(),
      );
      if (withCa) {
        const ca = tableAfter(s.report, "## Workload CA");
        const issuer = s.region.cloud === "aws" ? "AWSPCAIssuer" : "GoogleCASIssuer";
        expect(ca.map(([, kind]) => kind)).toEqual([issuer, "Certificate", "ConfigMap"]);
        expect(ca[0][3]).toBe(
          s.region.cloud === "aws"
            ? `signs through region-${s.region.name}'s output mesh_ca_arn in ${s.region.cloudRegion}`
            : `signs through the CA Service pool region-${s.region.name}'s output mesh_ca_pool of ${s.region.projectId} in ${s.region.cloudRegion}`,
        );
        expect(ca[1][3]).toBe(`serving certificate from ${issuer} mesh-intermediate: istiod.istio-system.svc, spiffe://${s.region.mesh.trustDomain}/ns/istio-system/sa/istiod-service-account; 1h, into Secret istiod-tls`);
        expect(ca[2][3]).toBe(`trust anchor: region-${s.region.name}'s output mesh_trust_anchor`);
      } else expect(s.report).not.toContain("## Workload CA");
    } else {
      const rows = tableAfter(s.report, "## Mesh policies");
      expect(rows.map(([r]) => r)).toEqual(manifestsOf(s.json).map(([a]) => a));
      expect(rows.find(([, kind]) => kind === "PeerAuthentication")?.[4]).toBe("mTLS STRICT");
    }
  });

  it("says it cannot be planned before the cluster exists", () => {
    expect(s.report).toContain("Terraform can plan them only once the cluster and Istio's CRDs exist");
  });
});

describe("the region report's disaster-recovery line", () => {
  const regionsOf = shippedAllLayers().filter((s) => s.layer === "aws" || s.layer === "gcp");
  const aws = regionsOf.find((s) => s.region.cloud === "aws" && s.region.drPartnerRegion)!.region;
  const gcp = regionsOf.find((s) => s.region.cloud === "gcp")!.region;

  it("names the DR partner, and what stays inside the region", () => {
    expect(resilienceLine(aws)).toMatch(new RegExp(`^Disaster recovery: copies in the DR partner \\*\\*${aws.drPartnerRegion}\\*\\*.*its 3 zones .* inside ${aws.cloudRegion}\\.$`));
  });

  it("says so where the jurisdiction has no second region of the cloud", () => {
    expect(resilienceLine(gcp)).toMatch(/^Disaster recovery: \*\*no DR partner\*\*: jurisdiction SG has no second GCP region, so the region rests on its 3 zones \(asia-southeast1-a, .*\) and its database backups \(\d+ days\) inside asia-southeast1;/);
  });

  it("says a partner is missing where the jurisdiction has one to offer", () => {
    const { drPartnerRegion: _p, ...noPartner } = aws;
    expect(resilienceLine(noPartner)).toMatch(/^Disaster recovery: \*\*no DR partner yet\*\* \(the config requires one\)/);
    expect(resilienceLine({ ...gcp, jurisdiction: "EU", cloudRegion: "europe-west1" })).toMatch(/no DR partner yet\*\* \(GCP's is issue 21\)/);
  });
});

describe("the report says where the workload CA sits in the chain", () => {
  const [eu, apac] = ["eu", "apac"].map((name) => shippedAllLayers().find((s) => s.name === `region-${name}`)!.region);
  it("on AWS: the intermediate in ACM PCA under the root", () => {
    expect(workloadCaLine(eu)).toBe(`Workload CA: the region's intermediate in ACM PCA (eu-west-1, key in its HSMs), signed by the platform root ${eu.mesh.rootCaArn}; in the cluster, istio-csr signs every workload certificate through the AWS PCA issuer.`);
    expect(workloadCaLine({ ...eu, mesh: { ...eu.mesh, rootCaArn: undefined } })).toMatch(/^Workload CA: \*\*istiod's own\*\*/);
  });
  it("on GCP: activated, with its validity; before the ceremony, the two commands", () => {
    expect(workloadCaLine(apac)).toMatch(/^Workload CA: the region's intermediate in CA Service \(pool acme-pay-apac-mesh, Enterprise, key in Cloud HSM\), signed by the platform root arn:aws:acm-pca:\S+, valid until Dec +3 [\d:]+ 2031 GMT; in the cluster, istio-csr signs every workload certificate through Google's CAS issuer\.$/);
    const awaiting = workloadCaLine({ ...apac, mesh: { ...apac.mesh, intermediateCertificate: undefined } } as typeof apac);
    expect(awaiting).toContain("**awaiting the root's signature**, and the in-cluster stacks wait for it");
    expect(awaiting).toContain("`gcloud privateca subordinates get-csr acme-pay-apac-mesh-intermediate --pool acme-pay-apac-mesh");
    expect(awaiting).toContain("`aws acm-pca issue-certificate --certificate-authority-arn arn:aws:acm-pca:eu-west-1:");
  });
});

describe("the report lists the calls between regions, each way, with its path", () => {
  const shipped = shippedAllLayers().filter((s) => s.layer === "aws" || s.layer === "gcp").map((s) => s.region);
  const eu = shipped.find((r) => r.name === "eu")!;
  const us = shipped.find((r) => r.name === "us")!;
  const apac = shipped.find((r) => r.name === "apac")!;
  const call = { from: "fraud/fraud-engine", fromTrustDomain: us.mesh.trustDomain, to: "fraud/fraud-engine", methods: ["POST" as const], paths: ["/v1/risk-signals"], cardholderData: false };
  const euCalled = { ...eu, mesh: { ...eu.mesh, calls: [...eu.mesh.calls, call] } };

  it("says none where no call crosses regions (the shipped regions)", () => {
    for (const r of shipped) expect(crossRegionSection({ region: r, peers: shipped }).join("\n")).toContain("None: no other region's service calls this region's");
  });

  it("shows a declared call on both sides: coming in to the callee, going out of the caller, with the peer, the call and its path", () => {
    const peers = [euCalled, us, apac];
    const rows = (region: typeof eu) => tableAfter(crossRegionSection({ region, peers }).join("\n"), "## Calls between regions");
    expect(rows(euCalled)).toEqual([
      ["in", "us (aws us-east-1, US)", "fraud/fraud-engine (us.acme-pay.internal) → fraud/fraud-engine", "POST /v1/risk-signals", "no", "us's interface endpoint → this region's east-west endpoint service and NLB (cross-region PrivateLink, TCP 15443, each connection accepted by hand) → gateway `istio-eastwest/eastwest-gateway` (AUTO_PASSTHROUGH by SNI `outbound_.8080_._.fraud-engine.fraud.svc.cluster.local`) → the service's sidecar, which ends the mTLS and authorizes the caller"],
    ]);
    // The caller's path waits until its file names the callee's endpoint service.
    expect(rows(us)).toEqual([["out", "eu (aws eu-west-1, EU)", "fraud/fraud-engine → fraud/fraud-engine (eu.acme-pay.internal)", "POST /v1/risk-signals", "no", expect.stringMatching(/^\*\*waiting\*\*: name eu's output `east_west_endpoint_service` in this file's `mesh.eastWestEndpointServices`/)]]);
    const usNamed = { ...us, mesh: { ...us.mesh, eastWestEndpointServices: { [eu.mesh.trustDomain]: "com.amazonaws.vpce.eu-west-1.vpce-svc-0a1b2c3d4e5f60718" } } };
    expect(tableAfter(crossRegionSection({ region: usNamed, peers: [euCalled, usNamed, apac] }).join("\n"), "## Calls between regions")[0][5]).toBe(
      "the caller's sidecar, host `fraud-engine.fraud.eu.acme-pay.internal` (ServiceEntry, DNS answered by the sidecar) → this region's interface endpoint (output `east_west_endpoint_eu`, TCP 15443) → eu's east-west gateway; mTLS end to end by SNI `outbound_.8080_._.fraud-engine.fraud.svc.cluster.local`, only `spiffe://eu.acme-pay.internal/ns/fraud/sa/fraud-engine` accepted",
    );
    expect(crossRegionSection({ region: apac, peers }).join("\n")).toContain("None:");
  });

  it("says that no path joins two clouds", () => {
    const apacCall = { ...call, fromTrustDomain: apac.mesh.trustDomain };
    const peers = [{ ...eu, mesh: { ...eu.mesh, calls: [...eu.mesh.calls, apacCall] } }, us, apac];
    expect(tableAfter(crossRegionSection({ region: apac, peers }).join("\n"), "## Calls between regions")[0][5]).toMatch(/^\*\*none\*\*: no private path joins two clouds/);
  });
});

describe("the report of a region that mirrors Kafka topics", () => {
  const all = shippedAllLayers();
  const dr = all.find((s) => s.layer === "dr")!;
  const home = all.find((s) => s.layer === "aws" && s.region.name === dr.region.name)!;
  const region = dr.region as AwsRegionConfig;
  it("says in the region's report what is mirrored where, and in the DR stack's each topic, its pattern, both ends and its name there", () => {
    expect(home.report).toContain(`Kafka mirroring: ${region.kafka.mirrorTopics.map((t) => `\`${t}\``).join(", ")} into ${region.drPartnerRegion} (stack region-${region.name}-dr`);
    expect(tableAfter(dr.report, "## What is mirrored where")).toEqual(
      region.kafka.mirrorTopics.map((t) => [`\`${t}\``, `\`^${t.replace(/\./g, "\\.")}$\``, `${region.cloudRegion} (region-${region.name}'s cluster)`, `${region.drPartnerRegion} (${region.naming.prefix}-${region.name}-dr)`, `\`${t}\` (IDENTICAL)`]),
    );
    const d = readDiagram(dr.report);
    expect(d.edges).toContainEqual({ from: "replicator", to: "home_cluster", arrow: "-->", text: `IAM 9098 (multi-VPC connectivity): ${region.kafka.mirrorTopics.join(", ")}` });
  });
  it("says where a region mirrors nothing", () => {
    const us = all.find((s) => s.layer === "aws" && s.region.name === "us")!;
    expect(us.report).toMatch(/Kafka mirroring: none \(a recovery in us-west-2 starts with empty topics; list them in kafka.mirrorTopics\)\./);
  });
});
