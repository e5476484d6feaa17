/**
 * The security posture of a synthesized stack as a set of facts a reviewer compares between two
 * versions (issue 22): what is exposed, what each key protects and who may use it, which
 * principals and actions each role and policy grants, the mesh's ALLOW rules, the guardrails'
 * results and suppressions, every region named, and the resources by capability. Each fact names
 * the PCI DSS requirement it touches. `diffPosture` says what a change adds, removes or alters, and
 * which of those need a security sign-off.
 */
import type { GuardrailResult } from "../guardrails/pack";
import { statementsOf } from "../tfjson/iam-policy";
import { TfJson, allResources, asList, capabilityOf, refName, resourcesOf } from "../tfjson/terraform";
import { manifestsOf } from "../tfjson/kubernetes";
import { encryptedStores } from "../model/aws/encryption";
import { GCP_ENCRYPTION_AT_REST } from "../model/gcp/encryption";
import { keyUsers } from "./aws";
import { gcpKeyGrants } from "./gcp";

/** What a fact is about (a section of the diff). */
export type PostureCategory = "exposure" | "encryption" | "iam" | "mesh" | "guardrails" | "residency" | "resources";

/** One fact: under `category`, `subject` (a resource or rule) has `value`. */
export interface PostureFact {
  readonly category: PostureCategory;
  /** What the fact is about: an address, a key, a rule id; unique within the category. */
  readonly subject: string;
  /** The fact's value, as the reviewer reads it. */
  readonly value: string;
  /** The PCI DSS v4.0 requirement(s) it touches. */
  readonly requirement: string;
}

/** The guardrails of a stack as the posture compares them: per rule, its level and its outcome. */
export interface GuardrailSummary {
  readonly id: string;
  readonly level: string;
  readonly requirement: string;
  /** `pass`, `fail` or `suppressed: <reason>` (one per finding, joined). */
  readonly outcome: string;
}

/** A stack's guardrail result, summarized (written beside each stack as guardrails.json). */
export function summarizeGuardrails(result: GuardrailResult): GuardrailSummary[] {
  return result.rules
    .map((r) => {
      const findings = result.findings.filter((f) => f.rule.id === r.id);
      const open = findings.filter((f) => !f.suppressedBy).length;
      const suppressed = [...new Set(findings.filter((f) => f.suppressedBy).map((f) => f.suppressedBy!.reason))];
      const outcome = open > 0 ? `fail (${open})` : suppressed.length > 0 ? `suppressed: ${suppressed.join("; ")}` : "pass";
      return { id: r.id, level: r.level, requirement: r.requirement, outcome };
    })
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

const REQUIREMENTS: Readonly<Record<PostureCategory, string>> = {
  exposure: "1.3, 1.4",
  encryption: "3.5.1, 3.6.1",
  iam: "7.2.1, 7.2.2",
  mesh: "1.3, 4.2.1, 7.2.1",
  guardrails: "12.5, 6.5.1",
  residency: "12.8 (data residency of the jurisdiction)",
  resources: "12.5.1 (inventory)",
};

const fact = (category: PostureCategory, subject: string, value: string, requirement = REQUIREMENTS[category]): PostureFact => ({ category, subject, value, requirement });

function ports(from: unknown, to: unknown): string {
  return from === undefined && to === undefined ? "all ports" : from === to ? `${from}` : `${from}-${to}`;
}

/** What a security group rule admits or reaches, in words. */
function sgRuleValue(r: TfJson, direction: "in" | "out"): string {
  const peer = r.cidr_ipv4 ?? r.cidr_ipv6 ?? r.prefix_list_id ?? r.referenced_security_group_id ?? "?";
  return `${direction === "in" ? "from" : "to"} ${peer} ${r.ip_protocol === "-1" ? "all protocols" : `${r.ip_protocol} ${ports(r.from_port, r.to_port)}`}`;
}

/** Every principal a trust or resource policy names, in words. */
function principalsOf(policy: unknown): string[] {
  if (typeof policy !== "string") return [];
  let statements;
  try {
    statements = statementsOf(policy);
  } catch {
    return ["(a policy the review cannot read)"];
  }
  return statements
    .filter((s) => s.Effect === "Allow")
    .flatMap((s) => {
      const p = s.Principal as unknown;
      if (p === "*") return ["*"];
      return Object.entries((p ?? {}) as Record<string, unknown>).flatMap(([k, v]) => asList(v as string | string[]).map((x) => `${k}:${x}`));
    });
}

/** The actions and resources a policy allows, in words, one line per statement. */
function grantsOf(policy: unknown): string[] {
  if (typeof policy !== "string") return [];
  try {
    return statementsOf(policy)
      .filter((s) => s.Effect === "Allow")
      .map((s) => `${asList(s.Action as string | string[]).join(",")} on ${asList(s.Resource as string | string[]).join(",")}`);
  } catch {
    return ["(a policy the review cannot read)"];
  }
}

/** Every region a stack names (providers, endpoint services' consumers, replication destinations). */
function regionsNamed(json: TfJson): string[] {
  const text = JSON.stringify(json);
  return [...new Set([...text.matchAll(/\b((?:us|eu|ap|sa|ca|me|af|il|mx)-(?:north|south|east|west|central|northeast|southeast|southwest|northwest)-\d)\b|\b((?:europe|us|asia|australia|northamerica|southamerica|me|africa)-[a-z]+\d+)\b/g)].map((m) => m[1] ?? m[2]))].sort();
}

/** The posture facts of one stack's JSON (and its guardrails, where known). */
export function postureFacts(json: TfJson, guardrails?: readonly GuardrailSummary[]): PostureFact[] {
  const facts: PostureFact[] = [];
  // Exposure: listeners, endpoint services and their consumers, security-group rules, NACL rules, firewalls, interface endpoints of other services.
  for (const [n, l] of resourcesOf(json, "aws_lb_listener")) facts.push(fact("exposure", `aws_lb_listener.${n}`, `${l.protocol} ${l.port}`));
  for (const [n, s] of resourcesOf(json, "aws_vpc_endpoint_service")) {
    facts.push(fact("exposure", `aws_vpc_endpoint_service.${n}`, `acceptance ${s.acceptance_required ? "required" : "NOT required"}; principals ${asList(s.allowed_principals).join(", ") || "none"}; regions ${asList(s.supported_regions).join(", ") || "its own"}`));
  }
  for (const [n, r] of resourcesOf(json, "aws_vpc_security_group_ingress_rule")) facts.push(fact("exposure", `aws_vpc_security_group_ingress_rule.${n}`, `${r.security_group_id}: ${sgRuleValue(r, "in")}`));
  for (const [n, r] of resourcesOf(json, "aws_vpc_security_group_egress_rule")) facts.push(fact("exposure", `aws_vpc_security_group_egress_rule.${n}`, `${r.security_group_id}: ${sgRuleValue(r, "out")}`));
  for (const [n, acl] of resourcesOf(json, "aws_network_acl")) {
    const rules = [...asList<TfJson>(acl.ingress).map((r) => `in ${r.rule_no} ${r.action} ${r.cidr_block} ${r.protocol} ${ports(r.from_port, r.to_port)}`), ...asList<TfJson>(acl.egress).map((r) => `out ${r.rule_no} ${r.action} ${r.cidr_block} ${r.protocol} ${ports(r.from_port, r.to_port)}`)];
    facts.push(fact("exposure", `aws_network_acl.${n}`, rules.sort().join("; ")));
  }
  for (const [n, f] of resourcesOf(json, "google_compute_firewall")) {
    const allow = asList<TfJson>(f.allow).map((a) => `${a.protocol} ${asList(a.ports).join(",") || "all"}`).join("; ");
    facts.push(fact("exposure", `google_compute_firewall.${n}`, `${f.direction ?? "INGRESS"} ${allow ? `allow ${allow}` : "deny"} from ${asList(f.source_ranges).join(",") || asList(f.source_service_accounts).join(",") || "-"} to ${asList(f.target_service_accounts).join(",") || asList(f.destination_ranges).join(",") || "all"}`));
  }
  // Encryption: each store and its key; each key and who may use it.
  for (const s of encryptedStores(json)) facts.push(fact("encryption", s.address, s.keys.length > 0 ? `under ${s.keys.join(", ")}` : "NOT under a customer key"));
  for (const [n] of resourcesOf(json, "aws_kms_key")) facts.push(fact("encryption", `aws_kms_key.${n} users`, keyUsers(json, n).sort().join(" | ") || "none"));
  // Google Cloud: each store's key (CMEK), and each key's users (its IAM members and bindings).
  const gcpKey = (k: unknown) => {
    const name = refName(k, "google_kms_crypto_key", "id");
    return name ? `google_kms_crypto_key.${name}` : String(k);
  };
  for (const [type, spec] of Object.entries(GCP_ENCRYPTION_AT_REST)) {
    for (const [n, b] of resourcesOf(json, type)) {
      const keys = spec.keys(b).filter((k) => k !== undefined && k !== null);
      facts.push(fact("encryption", `${type}.${n}`, keys.length > 0 ? `under ${keys.map(gcpKey).join(", ")}` : "NOT under a customer key"));
    }
  }
  for (const [n] of resourcesOf(json, "google_kms_crypto_key")) {
    facts.push(fact("encryption", `google_kms_crypto_key.${n} users`, gcpKeyGrants(json, n).map((g) => `${g.member} as ${g.role}`).sort().join(" | ") || "none"));
  }
  // IAM: who may assume each role, what each policy grants; key and resource policies' principals.
  for (const [n, r] of resourcesOf(json, "aws_iam_role")) facts.push(fact("iam", `aws_iam_role.${n} trust`, principalsOf(r.assume_role_policy).sort().join(", ")));
  for (const t of ["aws_iam_role_policy", "aws_iam_policy"]) for (const [n, p] of resourcesOf(json, t)) facts.push(fact("iam", `${t}.${n}`, grantsOf(p.policy).sort().join(" | ")));
  for (const [n, a] of resourcesOf(json, "aws_iam_role_policy_attachment")) facts.push(fact("iam", `aws_iam_role_policy_attachment.${n}`, `${a.role} ← ${a.policy_arn}`));
  for (const t of ["aws_s3_bucket_policy", "aws_msk_cluster_policy", "aws_secretsmanager_secret_policy", "aws_sns_topic_policy"]) for (const [n, p] of resourcesOf(json, t)) facts.push(fact("iam", `${t}.${n} principals`, principalsOf(p.policy).sort().join(", ")));
  for (const t of ["google_project_iam_member", "google_service_account_iam_member", "google_kms_crypto_key_iam_member", "google_privateca_ca_pool_iam_member", "google_storage_bucket_iam_member"]) {
    for (const [n, m] of resourcesOf(json, t)) facts.push(fact("iam", `${t}.${n}`, `${m.member} as ${m.role}`));
  }
  // The mesh: ALLOW rules, NetworkPolicies, ServiceEntries, Gateways.
  for (const [, m] of manifestsOf(json)) {
    const where = `${m.kind} ${m.metadata?.namespace ?? "_cluster"}/${m.metadata?.name}`;
    if (m.kind === "AuthorizationPolicy") {
      const rules = asList<TfJson>(m.spec?.rules).map((r) => `${asList<TfJson>(r.from).flatMap((f) => asList(f.source?.principals)).join(",") || "any"} → ${asList<TfJson>(r.to).map((t) => `${asList(t.operation?.methods).join(",")} ${asList(t.operation?.paths).join(",")}`).join("; ")}`);
      facts.push(fact("mesh", where, `${m.spec?.action ?? (rules.length === 0 ? "deny all" : "ALLOW")}: ${rules.join(" | ") || "nothing"}`));
    } else if (["NetworkPolicy", "ServiceEntry", "Gateway", "DestinationRule", "PeerAuthentication", "Sidecar", "ProxyConfig", "VirtualService", "EnvoyFilter"].includes(String(m.kind))) {
      facts.push(fact("mesh", where, JSON.stringify(m.spec ?? {})));
    }
  }
  // Guardrails: each rule's level and outcome (suppressions with their reasons).
  for (const g of guardrails ?? []) facts.push(fact("guardrails", g.id, `${g.level}: ${g.outcome}`, g.requirement));
  // Residency: every region the stack names.
  facts.push(fact("residency", "regions named", regionsNamed(json).join(", ") || "none"));
  // Resources by capability and type.
  const counts = new Map<string, number>();
  for (const [type, , body] of allResources(json)) {
    const key = `${capabilityOf(body)}: ${type}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  for (const [key, n] of counts) facts.push(fact("resources", key, String(n)));
  return facts;
}

/** One difference between two postures. */
export interface PostureChange {
  readonly stack: string;
  readonly category: PostureCategory;
  readonly subject: string;
  readonly change: "added" | "removed" | "changed";
  readonly before?: string;
  readonly after?: string;
  readonly requirement: string;
  /** Why the change needs a security sign-off, where it does. */
  readonly signOff?: string;
}

/**
 * What needs a security sign-off (the defaults; `review/sign-off.json` may list others): new or
 * widened exposure, a new principal on a key or a trust policy, a new grant, a guardrail that
 * fails, is suppressed or is downgraded, a new region named.
 */
export function signOffReason(change: Omit<PostureChange, "signOff">): string | undefined {
  const { category, change: kind, before = "", after = "", subject } = change;
  if (category === "exposure" && kind !== "removed") return "new or changed exposure";
  if (category === "encryption" && subject.endsWith(" users") && kind !== "removed") return "a key's users changed";
  if (category === "encryption" && after.startsWith("NOT")) return "a store no longer under a customer key";
  if (category === "iam" && kind !== "removed") return "a new or changed principal or grant";
  if (category === "guardrails" && (after.includes("fail") || after.includes("suppressed") || (before.startsWith("error") && after.startsWith("warning")) || kind === "removed")) {
    return kind === "removed" ? "a guardrail no longer runs" : after.includes("suppressed") ? "a suppression" : after.includes("fail") ? "a guardrail fails" : "a guardrail downgraded";
  }
  if (category === "residency" && kind !== "removed") {
    const added = after.split(", ").filter((r) => r && !before.split(", ").includes(r));
    if (added.length > 0) return "a new region named";
  }
  return undefined;
}

/** The differences between two stacks' facts. */
export function diffPosture(stack: string, base: readonly PostureFact[], head: readonly PostureFact[]): PostureChange[] {
  const key = (f: PostureFact) => `${f.category}\u0000${f.subject}`;
  const before = new Map(base.map((f) => [key(f), f]));
  const after = new Map(head.map((f) => [key(f), f]));
  const changes: Omit<PostureChange, "signOff">[] = [];
  for (const [k, f] of after) {
    const b = before.get(k);
    if (!b) changes.push({ stack, category: f.category, subject: f.subject, change: "added", after: f.value, requirement: f.requirement });
    else if (b.value !== f.value) changes.push({ stack, category: f.category, subject: f.subject, change: "changed", before: b.value, after: f.value, requirement: f.requirement });
  }
  for (const [k, f] of before) if (!after.has(k)) changes.push({ stack, category: f.category, subject: f.subject, change: "removed", before: f.value, requirement: f.requirement });
  return changes
    .map((c) => {
      const reason = signOffReason(c);
      return reason ? { ...c, signOff: reason } : c;
    })
    .sort((a, b) => (`${a.category} ${a.subject}` < `${b.category} ${b.subject}` ? -1 : 1));
}
