import { GUARDRAILS, checkRule } from "../../guardrails";
import { AwsRegionConfig } from "../../config/schema";
import { EKS_VERSIONS } from "../../config/catalog";
import { SynthStack, TfJson, allStacks, cloneJson, edited, jsonCopy, synthRegions } from "../support/synth";
import { keyNameByAlias } from "../../tfjson/aws";
import { asList, one, refName } from "../../tfjson/terraform";
import { expectCaught, judgedBy, weakenedViolations } from "../support/weakening";

/** The shipped regions, and the later CloudHSM stages of each. */
const stacks = allStacks();
/** The guardrails of an AWS region stack. */
const AWS_RULES = GUARDRAILS.filter((r) => r.layers.includes("aws"));

it("checks every CloudHSM stage", () => {
  expect(new Set(stacks.map((s) => s.region.hsm.stage))).toEqual(new Set(["cluster", "keystore", "keys"]));
});

describe.each(stacks.map((s) => [s.name, s] as const))("%s meets every guardrail", (_name, stack) => {
  it.each(AWS_RULES.map((r) => [r.id, r] as const))("%s", (_id, rule) => {
    // What synth found, less what a reviewed suppression covers (test/guardrails lists those).
    expect(stack.guardrails.findings.filter((f) => f.rule.id === rule.id && !f.suppressedBy)).toEqual([]);
    expect(checkRule(rule, stack).length).toBe(stack.guardrails.findings.filter((f) => f.rule.id === rule.id).length);
  });
});

/** The first resource of a type, for a mutation to weaken. */
const first = (json: TfJson, type: string): TfJson => Object.values(json.resource[type] as Record<string, TfJson>)[0];
const named = (json: TfJson, type: string, pred: (r: TfJson) => boolean): TfJson =>
  Object.values(json.resource[type] as Record<string, TfJson>).find(pred) as TfJson;
const auditBucket = (j: TfJson) => named(j, "aws_s3_bucket", (b) => b.bucket.includes("-audit-"));
/** The audit archive's resource of a bucket-level type (versioning, lock, policy, ...), by its bucket reference. */
const archiveOf = (j: TfJson, type: string): TfJson => {
  const name = Object.entries(j.resource.aws_s3_bucket as Record<string, TfJson>).find(([, b]) => b.bucket.includes("-audit-"))![0];
  return named(j, type, (r) => r.bucket === `\${aws_s3_bucket.${name}.id}`);
};
/** The bucket that receives the access logs (the one SSE-S3 bucket of the home region), its encryption and its policy. */
const logSse = (j: TfJson) => named(j, "aws_s3_bucket_server_side_encryption_configuration", (e) => e.rule[0].apply_server_side_encryption_by_default.sse_algorithm === "AES256" && e.provider === undefined);
const logPolicy = (j: TfJson) => named(j, "aws_s3_bucket_policy", (p) => p.bucket === logSse(j).bucket);
/** Edits the archive policy's statement `sid`. */
const archiveStatement = (j: TfJson, sid: string, edit: (s: TfJson) => void) => policyEdit(archiveOf(j, "aws_s3_bucket_policy"), (d) => edit(d.Statement.find((s) => s.Sid === sid)!));
/** The audit archive's cold-storage lifecycle rules. */
const coldRule = (j: TfJson): TfJson[] => (archiveOf(j, "aws_s3_bucket_lifecycle_configuration").rule as TfJson[]).filter((r) => r.id === "cold-storage");
/** Edits a policy document of a resource in place: its `policy`, or another argument (`assume_role_policy`). */
const policyEdit = (body: TfJson, edit: (doc: { Statement: TfJson[] }) => void, argument = "policy") => {
  const doc = JSON.parse(body[argument]);
  edit(doc);
  body[argument] = JSON.stringify(doc);
};
/** The PCA issuer's role policy, and a workload's. */
const issuerPolicy = (j: TfJson) => Object.values(j.resource.aws_iam_role_policy as Record<string, TfJson>).find((p) => String(p.policy).includes("acm-pca:IssueCertificate"))!;
const serviceRolePolicy = (j: TfJson) => Object.entries(j.resource.aws_iam_role_policy as Record<string, TfJson>).find(([n]) => n.startsWith("eks_workloads_payment"))![1];
const add = (j: TfJson, type: string, name: string, body: TfJson) => {
  j.resource[type] = { ...(j.resource[type] ?? {}), [name]: body };
};

const secretNamed = (j: TfJson, part: string) => named(j, "aws_secretsmanager_secret", (s) => String(s.name).includes(part));
const store = (j: TfJson) => first(j, "aws_kms_custom_key_store");
const alias = (j: TfJson, suffix: string) => named(j, "aws_kms_alias", (a) => String(a.name).endsWith(`/${suffix}`));
const keyOf = (j: TfJson, suffix: string) => j.resource.aws_kms_key[keyNameByAlias(j, suffix)!];
/** Edits the statement `sid` of the key with alias suffix `suffix`. */
const keyStatement = (j: TfJson, suffix: string, sid: string, edit: (s: TfJson) => void) =>
  policyEdit(keyOf(j, suffix), (d) => edit(d.Statement.find((x) => x.Sid === sid)!));
const dropKeyStatement = (j: TfJson, suffix: string, sid: string) => policyEdit(keyOf(j, suffix), (d) => (d.Statement = d.Statement.filter((x) => x.Sid !== sid)));
const ROOT_ADMIN = "AccountAdministersTheKeyNeverUsesIt";
const CUSTODIANS = "OnlyCustodiansChangeThePolicyOrRetireTheKey";
const withPartner = (s: SynthStack<AwsRegionConfig>) => s.region.drPartnerRegion !== undefined;
/** The region's intermediate is signed by a root CA in another AWS region (the pca_root provider). */
const rootCaElsewhere = (r: AwsRegionConfig) => r.mesh.rootCaArn !== undefined && r.mesh.rootCaArn.split(":")[3] !== r.cloudRegion;
/** The audit archive's replication rule (regions with a DR partner). */
const replicationRule = (j: TfJson): TfJson => first(j, "aws_s3_bucket_replication_configuration").rule[0];
/** The Object Lock of the archive's replica in the partner region. */
const partnerArchiveLock = (j: TfJson): TfJson => named(j, "aws_s3_bucket_object_lock_configuration", (l) => l.provider === "aws.dr");
/** The Kafka cluster's broker_node_group_info block. */
const brokerInfo = (j: TfJson): TfJson => one(first(j, "aws_msk_cluster").broker_node_group_info);
/** One parameter of the database's cluster parameter group. */
const clusterParameter = (j: TfJson, name: string): TfJson => (first(j, "aws_rds_cluster_parameter_group").parameter as TfJson[]).find((p) => p.name === name)!;
const clusterRolePolicy = (j: TfJson) => named(j, "aws_iam_role_policy", (p) => p.name === "secrets-envelope-encryption");

type Stage = AwsRegionConfig["hsm"]["stage"];
/**
 * Where a weakening applies and which of its rule's conditions must catch it: `stages` (default:
 * every CloudHSM stage), `says` (a violation must match it). A rule that checks one thing in
 * several ways (is there encryption; is the key customer-managed; is it the stack's; is it the one
 * of the purpose) has a weakening per condition, and `says` tells which condition answered, so
 * that a condition that stopped checking is noticed even where a later one still reports.
 */
/** The node group's ingress rule from the control plane on `port`. */
const controlPlaneRule = (j: TfJson, port: number): TfJson =>
  named(j, "aws_vpc_security_group_ingress_rule", (r) => r.from_port === port && String(r.referenced_security_group_id).includes("eks_cluster") && String(r.security_group_id).includes("eks_node_security_group"));
/** The rule that opens the Kubernetes API (on the cluster's security group). */
const apiRule = (j: TfJson): TfJson => named(j, "aws_vpc_security_group_ingress_rule", (r) => String(r.security_group_id).includes("eks_cluster_security_group"));
const CLUSTER_SG = "${aws_security_group.eks_cluster_security_group.id}";
/** The monitoring role's attachment of its AWS managed policy, and the role's name. */
const monitoringAttachment = (j: TfJson): TfJson => named(j, "aws_iam_role_policy_attachment", (p) => String(p.policy_arn).endsWith("AmazonRDSEnhancedMonitoringRole"));
const monitoringRoleName = (j: TfJson): string => refName(monitoringAttachment(j).role, "aws_iam_role", "name")!;
/** Edits the trust document of the first Pod Identity role. */
const podIdentityTrustEdit = (j: TfJson, edit: (d: { Statement: TfJson[] }) => void) =>
  policyEdit(named(j, "aws_iam_role", (x) => String(x.description).startsWith("EKS Pod Identity")), edit, "assume_role_policy");
/** A reference to the ARN of the first key whose resource name contains `part`. */
const keyArnOf = (j: TfJson, part: string) => `\${aws_kms_key.${Object.keys(j.resource.aws_kms_key).find((k) => k.includes(part))}.arn}`;
const mskArn = (j: TfJson) => `\${aws_msk_cluster.${Object.keys(j.resource.aws_msk_cluster)[0]}.arn}`;
/** The S3 replication role's statement that writes replicas (regions with a DR partner). */
const replicateStatement = (d: { Statement: TfJson[] }) => d.Statement.find((x) => [x.Action].flat().includes("s3:ReplicateObject"))!;
/** A bucket policy of the stack (the archive's). */
const bucketPolicy = (j: TfJson): TfJson => first(j, "aws_s3_bucket_policy");

/** A tier NACL's inline rule in `dir` that `pred` picks (the S3 path of the workload tier, the partners' TLS of the endpoints tier). */
const naclRule = (j: TfJson, tier: string, dir: "ingress" | "egress", pred: (r: TfJson) => boolean): TfJson => (j.resource.aws_network_acl[`network_${tier}_network_acl`][dir] as TfJson[]).find(pred)!;
/** Moves the picked rule to the other direction's list. */
const naclFlip = (j: TfJson, tier: string, dir: "ingress" | "egress", pred: (r: TfJson) => boolean) => {
  const acl = j.resource.aws_network_acl[`network_${tier}_network_acl`];
  const rule = naclRule(j, tier, dir, pred);
  acl[dir] = (acl[dir] as TfJson[]).filter((r) => r !== rule);
  acl[dir === "ingress" ? "egress" : "ingress"] = [...acl[dir === "ingress" ? "egress" : "ingress"], rule];
};
const S3_OUT = (r: TfJson) => r.cidr_block === "0.0.0.0/0" && r.from_port === 443;
const S3_BACK = (r: TfJson) => r.cidr_block === "0.0.0.0/0" && r.from_port === 1024;
const PARTNER_IN = (r: TfJson) => r.from_port === 443 && r.protocol === "6" && !String(r.cidr_block).startsWith("10.");
const PARTNER_OUT = (r: TfJson) => r.from_port === 1024 && r.protocol === "6" && !String(r.cidr_block).startsWith("10.");
/** Each field of an allowed open or partner NACL rule, changed alone: [label, tier, direction, rule, says]. */
const NACL_FIELDS: Mutation[] = ([
  ["the workload tier's S3 egress", "workload", "egress", S3_OUT, /egress rule \d+ open to the world/],
  ["the workload tier's S3 return", "workload", "ingress", S3_BACK, /ingress rule \d+ open to the world/],
  ["the endpoints tier's partner TLS", "endpoints", "ingress", PARTNER_IN, /ingress rule \d+ admits partner range/],
  ["the endpoints tier's partner return", "endpoints", "egress", PARTNER_OUT, /egress rule \d+ admits partner range/],
] as const).flatMap(([label, tier, dir, pred, says]): Mutation[] => [
  ["network.tier-nacls", `${label} on UDP`, (j) => (naclRule(j, tier, dir, pred).protocol = "17"), { says }],
  ["network.tier-nacls", `${label} from one port lower`, (j) => (naclRule(j, tier, dir, pred).from_port -= 1), { says }],
  ["network.tier-nacls", `${label} to one port lower`, (j) => (naclRule(j, tier, dir, pred).to_port -= 1), { says }],
  ["network.tier-nacls", `${label} in the other direction`, (j) => naclFlip(j, tier, dir, pred), { says: new RegExp(`${dir === "ingress" ? "egress" : "ingress"} rule \\d+ (open to the world|admits partner range)`) }],
]);

/** Each field of an ingress rule of the endpoints' or the partners' security group, changed alone. */
const SG_FIELDS: Mutation[] = ([
  ["network.interface-endpoints", "the endpoints' HTTPS rule", "network_endpoint_https_from_vpc", /admits \S+ \S+-\S+ from \S+, not HTTPS from the VPC/],
  ["network.partner-endpoint-service", "a partner's TLS rule", "partner_api_ingress_from_partners_", /inbound \S+ \S+-\S+ from \S+, expected TLS 443 only/],
] as const).flatMap(([id, label, prefix, says]): Mutation[] => {
  /** The first ingress rule whose name starts with `prefix`. */
  const rule = (j: TfJson): TfJson => Object.entries(j.resource.aws_vpc_security_group_ingress_rule as Record<string, TfJson>).find(([n]) => n.startsWith(prefix))![1];
  return [
    [id, `${label} on UDP`, (j) => (rule(j).ip_protocol = "udp"), { says }],
    [id, `${label} from port 442`, (j) => (rule(j).from_port = 442), { says }],
    [id, `${label} up to port 444`, (j) => (rule(j).to_port = 444), { says }],
  ];
});

interface Expect {
  readonly stages?: Stage[];
  readonly says?: RegExp;
  /** The region the rule judges the case by, where it differs (one the config refuses: the rule holds its bound on its own). */
  readonly region?: (r: AwsRegionConfig) => AwsRegionConfig;
  /** The stacks the case applies to (default: all): a condition only some regions have, such as a DR partner. */
  readonly when?: (s: SynthStack<AwsRegionConfig>) => boolean;
}
/**
 * Weakenings a careless change could make, each paired with the invariant that must catch it.
 * Applied to a copy of every stack (or, when a fourth element names stages, of the stacks at
 * those CloudHSM stages).
 */
type Mutation = [string, string, (j: TfJson, s: SynthStack<AwsRegionConfig>) => void, (Stage[] | Expect)?];
/** A role the trust rule judges without a suppression (the trail's log role carries one: its trust cannot have conditions). */
const trustTarget = (j: TfJson): TfJson => j.resource.aws_iam_role.network_flow_log_role;

/** The region's trail, the archive's policy statement for it, the audit key's statements for it. */
const trail = (j: TfJson): TfJson => first(j, "aws_cloudtrail");
const trailSelector = (j: TfJson, category: string): TfJson => (trail(j).advanced_event_selector as TfJson[]).find((x) => (x.field_selector as TfJson[]).some((f) => f.field === "eventCategory" && f.equals.includes(category)))!;
const archivePolicyEdit = (j: TfJson, edit: (doc: { Statement: TfJson[] }) => void) => policyEdit(j.resource.aws_s3_bucket_policy.audit_archive_archive_policy, edit);
const auditKeyEdit = (j: TfJson, edit: (doc: { Statement: TfJson[] }) => void) => policyEdit(j.resource.aws_kms_key.keys_audit_key, edit);
const withoutSid = (sid: string) => (d: { Statement: TfJson[] }) => (d.Statement = d.Statement.filter((x) => x.Sid !== sid));

/** Each condition of the detection rules, weakened alone. */
const DETECTION_MUTATIONS: Mutation[] = [
  ["detection.trail-complete", "no trail", (j) => delete j.resource.aws_cloudtrail, { says: /aws_cloudtrail: 0 trails/ }],
  ["detection.trail-complete", "a second trail", (j) => add(j, "aws_cloudtrail", "extra", { ...trail(j), name: "extra" }), { says: /aws_cloudtrail: 2 trails/ }],
  ["detection.trail-complete", "logging stopped", (j) => (trail(j).enable_logging = false), { says: /enable_logging is not true/ }],
  ["detection.trail-complete", "one region only", (j) => (trail(j).is_multi_region_trail = false), { says: /is_multi_region_trail is not true/ }],
  ["detection.trail-complete", "no global service events", (j) => (trail(j).include_global_service_events = false), { says: /include_global_service_events is not true/ }],
  ["detection.trail-complete", "no log file validation", (j) => (trail(j).enable_log_file_validation = false), { says: /enable_log_file_validation is not true/ }],
  ["detection.trail-complete", "under the logs key", (j) => (trail(j).kms_key_id = "${aws_kms_key.keys_logs_key.arn}"), { says: /kms_key_id \$\{aws_kms_key\.keys_logs_key\.arn\} is not the audit key/ }],
  ["detection.trail-complete", "into the access-log bucket", (j) => (trail(j).s3_bucket_name = "${aws_s3_bucket.audit_archive_access_logs_bucket.id}"), { says: /s3_bucket_name .* is not the audit archive/ }],
  ["detection.trail-complete", "to a log group of another stack", (j) => (trail(j).cloud_watch_logs_group_arn = "arn:aws:logs:eu-west-1:111122223333:log-group:elsewhere:*"), { says: /is not a log group of this stack/ }],
  ["detection.trail-complete", "its log group under the audit key", (j) => (j.resource.aws_cloudwatch_log_group.audit_trail_log_group_log_group.kms_key_id = "${aws_kms_key.keys_audit_key.arn}"), { says: /its log group is not encrypted with the logs key/ }],
  ["detection.trail-complete", "its log group kept ten years", (j) => (j.resource.aws_cloudwatch_log_group.audit_trail_log_group_log_group.retention_in_days = 3653), { says: /its log group keeps events 3653 days, not retention.logDays/ }],
  ["detection.trail-complete", "no role for the log group", (j) => delete trail(j).cloud_watch_logs_role_arn, { says: /no cloud_watch_logs_role_arn/ }],
  ["detection.trail-complete", "a basic event selector beside the advanced ones", (j) => (trail(j).event_selector = [{ include_management_events: true, read_write_type: "WriteOnly" }]), { says: /basic event_selector set/ }],
  ["detection.trail-complete", "management events: writes only", (j) => (trailSelector(j, "Management").field_selector as TfJson[]).push({ field: "readOnly", equals: ["false"] }), { says: /no selector records every management event/ }],
  ["detection.trail-complete", "no management events", (j) => (trail(j).advanced_event_selector = (trail(j).advanced_event_selector as TfJson[]).filter((x) => x !== trailSelector(j, "Management"))), { says: /no selector records every management event/ }],
  ["detection.trail-complete", "no S3 data events", (j) => (trail(j).advanced_event_selector = (trail(j).advanced_event_selector as TfJson[]).filter((x) => x !== trailSelector(j, "Data"))), { says: /no selector records the audit archive's S3 data events/ }],
  ["detection.trail-complete", "S3 data events: writes only", (j) => (trailSelector(j, "Data").field_selector as TfJson[]).push({ field: "readOnly", equals: ["false"] }), { says: /no selector records the audit archive's S3 data events/ }],
  ["detection.trail-complete", "S3 data events of another bucket", (j) => ((trailSelector(j, "Data").field_selector as TfJson[]).find((f) => f.field === "resources.ARN")!.starts_with = ["arn:aws:s3:::elsewhere/"]), { says: /no selector records the audit archive's S3 data events/ }],
  ["detection.trail-complete", "data events of Lambda, not S3", (j) => ((trailSelector(j, "Data").field_selector as TfJson[]).find((f) => f.field === "resources.type")!.equals = ["AWS::Lambda::Function"]), { says: /no selector records the audit archive's S3 data events/ }],
  ["detection.trail-complete", "S3 data events of nothing (the whole archive left out)", (j) => ((trailSelector(j, "Data").field_selector as TfJson[]).find((f) => f.field === "resources.ARN")!.not_starts_with = ["arn:aws:s3:::x/"].map(() => (trailSelector(j, "Data").field_selector as TfJson[]).find((f) => f.field === "resources.ARN")!.starts_with[0])), { says: /no selector records the audit archive's S3 data events/ }],
  ["detection.trail-complete", "S3 data events of PutObject only", (j) => (trailSelector(j, "Data").field_selector as TfJson[]).push({ field: "eventName", equals: ["PutObject"] }), { says: /no selector records the audit archive's S3 data events/ }],
  ["detection.trail-complete", "S3 data events ending in .json only", (j) => ((trailSelector(j, "Data").field_selector as TfJson[]).find((f) => f.field === "resources.ARN")!.ends_with = [".json"]), { says: /no selector records the audit archive's S3 data events/ }],
  ["iam.trust-named-principals", "the trail's unconditioned log role may also delete log groups", (j) =>
    policyEdit(j.resource.aws_iam_role_policy.audit_trail_logs_role_policy, (d) => d.Statement[0].Action.push("logs:DeleteLogGroup")), { says: /audit_trail_logs_role: trust statement CloudTrail admits cloudtrail.amazonaws.com without an aws:SourceAccount condition/ }],
  ["iam.trust-named-principals", "a managed policy on the trail's unconditioned log role", (j) =>
    add(j, "aws_iam_role_policy_attachment", "extra", { role: "${aws_iam_role.audit_trail_logs_role.name}", policy_arn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }), { says: /audit_trail_logs_role: trust statement CloudTrail admits cloudtrail.amazonaws.com without/ }],
  ["iam.trust-named-principals", "CloudTrail trusted unconditionally by a role no trail names", (j) =>
    (trustTarget(j).assume_role_policy = JSON.stringify({ Statement: [{ Sid: "CloudTrail", Effect: "Allow", Principal: { Service: "cloudtrail.amazonaws.com" }, Action: "sts:AssumeRole" }] })), { says: /network_flow_log_role: trust statement CloudTrail admits cloudtrail.amazonaws.com without/ }],
  ["iam.trust-named-principals", "the trail's log role trusts another service beside CloudTrail", (j) =>
    policyEdit(j.resource.aws_iam_role.audit_trail_logs_role, (d) => (d.Statement[0].Principal = { Service: ["cloudtrail.amazonaws.com", "ec2.amazonaws.com"] }), "assume_role_policy"), { says: /audit_trail_logs_role: trust statement CloudTrail admits cloudtrail.amazonaws.com, ec2.amazonaws.com without/ }],
  ["audit.tls-only-and-key-enforced", "SSE-S3 allowed beyond the trail's digests", (j) =>
    archivePolicyEdit(j, (d) => d.Statement.find((x) => x.Sid === "DenyEncryptionOtherThanKms")!.NotResource.push("${aws_s3_bucket.audit_archive_archive_bucket.arn}/payments/*")), { says: /policy does not deny puts under another encryption or key/ }],
  ["audit.tls-only-and-key-enforced", "aws:kms without a key id allowed beyond the digests", (j) =>
    archivePolicyEdit(j, (d) => (d.Statement.find((x) => x.Sid === "DenyKmsWithoutKeyId")!.NotResource = ["${aws_s3_bucket.audit_archive_archive_bucket.arn}/cloudtrail/*"])), { says: /policy does not deny puts under another encryption or key/ }],
  ["audit.tls-only-and-key-enforced", "the denial of other encryption narrowed to one prefix", (j) =>
    archivePolicyEdit(j, (d) => {
      const deny = d.Statement.find((x) => x.Sid === "DenyEncryptionOtherThanKms")!;
      delete deny.NotResource;
      deny.Resource = "${aws_s3_bucket.audit_archive_archive_bucket.arn}/cloudtrail/*";
    }), { says: /policy does not deny puts under another encryption or key/ }],
  ["audit.tls-only-and-key-enforced", "the denial of other keys narrowed to one prefix", (j) =>
    archivePolicyEdit(j, (d) => (d.Statement.find((x) => x.Sid === "DenyOtherKmsKeys")!.Resource = "${aws_s3_bucket.audit_archive_archive_bucket.arn}/cloudtrail/*")), { says: /policy does not deny puts under another encryption or key/ }],
  ["detection.trail-delivery-admitted", "a confused-deputy condition on the trail's log role", (j) =>
    policyEdit(j.resource.aws_iam_role.audit_trail_logs_role, (d) => (d.Statement[0].Condition = { StringEquals: { "aws:SourceAccount": "111122223333" } }), "assume_role_policy"), { says: /CloudTrail may not assume it unconditionally/ }],
  ["detection.trail-delivery-admitted", "the archive does not let the trail read its ACL", (j) => archivePolicyEdit(j, withoutSid("CloudTrailAclCheck")), { says: /does not let the trail read the archive's ACL/ }],
  ["detection.trail-delivery-admitted", "the archive lets another trail write", (j) => archivePolicyEdit(j, (d) => (d.Statement.find((x) => x.Sid === "CloudTrailWrite")!.Condition.StringEquals["aws:SourceArn"] = "arn:aws:cloudtrail:eu-west-1:111122223333:trail/other")), { says: /does not let the trail write/ }],
  ["detection.trail-delivery-admitted", "the trail writes outside its prefix", (j) => (trail(j).s3_key_prefix = "elsewhere"), { says: /does not let the trail write .*\/elsewhere\/AWSLogs/ }],
  ["detection.trail-delivery-admitted", "writes without bucket-owner-full-control", (j) => archivePolicyEdit(j, (d) => delete d.Statement.find((x) => x.Sid === "CloudTrailWrite")!.Condition.StringEquals["s3:x-amz-acl"]), { says: /its policy does not limit the trail's writes to bucket-owner-full-control/ }],
  ["detection.trail-delivery-admitted", "trail created before the bucket policy", (j) => (trail(j).depends_on = (trail(j).depends_on as string[]).filter((d) => !d.startsWith("aws_s3_bucket_policy."))), { says: /not created after the archive's bucket policy/ }],
  ["detection.trail-delivery-admitted", "the key admits the trail without its encryption context", (j) => auditKeyEdit(j, (d) => delete d.Statement.find((x) => x.Sid === "CloudTrailEncryptsThisTrailsLogs")!.Condition.StringLike), { says: /does not let the trail generate data keys, or not only under its encryption context/ }],
  ["detection.trail-delivery-admitted", "the key does not let the trail describe it", (j) => auditKeyEdit(j, withoutSid("CloudTrailDescribesTheKey")), { says: /aws_kms_key.keys_audit_key: does not let the trail describe the key/ }],
  ["detection.trail-delivery-admitted", "the key does not let the trail decrypt", (j) => auditKeyEdit(j, withoutSid("CloudTrailDecryptsForTheBucketKey")), { says: /does not let the trail decrypt/ }],
  ["detection.threat-detection-on", "the nodes' key refuses GuardDuty's re-encryption", (j) => dropKeyStatement(j, "ebs", "GuardDutyReEncryptsScannedVolumes"), { says: /does not let GuardDuty's malware protection role grant, describe and re-encrypt/ }],
  ["detection.threat-detection-on", "the nodes' key lets GuardDuty describe but not grant", (j) => dropKeyStatement(j, "ebs", "GuardDutySharesSnapshotsForScansGrants"), { says: /does not let GuardDuty's malware protection role grant/ }],
  ["detection.threat-detection-on", "GuardDuty re-encrypts through another service", (j) => keyStatement(j, "ebs", "GuardDutyReEncryptsScannedVolumes", (x) => (x.Condition.StringEquals["kms:ViaService"] = ["s3.eu-west-1.amazonaws.com"])), { says: /does not let GuardDuty's malware protection role/ }],
  ["preflight.ec2-description-characters", "an apostrophe in a security group's description", (j) => (first(j, "aws_security_group").description = "the partners' NLB"), { says: /aws_security_group\.\S+: description "the partners' NLB" has characters EC2 refuses \('\)/ }],
  ["preflight.ec2-description-characters", "an ampersand in a rule's description (a group's may have one)", (j) => (first(j, "aws_vpc_security_group_ingress_rule").description = "nodes & pods"), { says: /aws_vpc_security_group_ingress_rule\.\S+: description "nodes & pods" has characters EC2 refuses \(&\)/ }],
  ["preflight.ec2-description-characters", "a non-ASCII letter in an egress rule's description", (j) => (first(j, "aws_vpc_security_group_egress_rule").description = "to the API → 443"), { says: /aws_vpc_security_group_egress_rule\.\S+: description .* has characters EC2 refuses \(→\)/ }],
  ["detection.findings-archived", "findings kept 90 days only (no export)", (j) => delete j.resource.aws_guardduty_publishing_destination, { says: /its findings are not exported to the audit archive under guardduty\// }],
  ["detection.findings-archived", "findings exported to the access-log bucket", (j) => (first(j, "aws_guardduty_publishing_destination").destination_arn = "${aws_s3_bucket.audit_archive_access_logs_bucket.arn}/guardduty"), { says: /its findings are not exported to the audit archive/ }],
  ["detection.findings-archived", "findings exported under the trail's prefix", (j) => (first(j, "aws_guardduty_publishing_destination").destination_arn = "${aws_s3_bucket.audit_archive_archive_bucket.arn}/cloudtrail"), { says: /its findings are not exported to the audit archive under guardduty\// }],
  ["detection.findings-archived", "findings under the logs key", (j) => (first(j, "aws_guardduty_publishing_destination").kms_key_arn = "${aws_kms_key.keys_logs_key.arn}"), { says: /kms_key_arn .* is not the audit key/ }],
  ["detection.findings-archived", "the export before the archive's policy", (j) => delete first(j, "aws_guardduty_publishing_destination").depends_on, { says: /not created after the archive's bucket policy/ }],
  ["detection.findings-archived", "the archive does not let the detector locate it", (j) => archivePolicyEdit(j, withoutSid("GuardDutyLocatesTheBucket")), { says: /does not let the detector locate the archive/ }],
  ["detection.findings-archived", "the detector may write anywhere in the archive", (j) => archivePolicyEdit(j, (d) => (d.Statement.find((x) => x.Sid === "GuardDutyExportsFindings")!.Resource = "${aws_s3_bucket.audit_archive_archive_bucket.arn}/*")), { says: /does not let the detector write under guardduty\/ \(and only there\)/ }],
  ["detection.findings-archived", "any detector may write", (j) => archivePolicyEdit(j, (d) => delete d.Statement.find((x) => x.Sid === "GuardDutyExportsFindings")!.Condition.ArnLike), { says: /does not let the detector write under guardduty\// }],
  ["detection.findings-archived", "a detector of another region may write", (j) => archivePolicyEdit(j, (d) => (d.Statement.find((x) => x.Sid === "GuardDutyExportsFindings")!.Condition.ArnLike["aws:SourceArn"] = "arn:aws:guardduty:*:111122223333:detector/*")), { says: /does not let the detector write under guardduty\// }],
  ["detection.findings-archived", "the key refuses the detector", (j) => auditKeyEdit(j, withoutSid("GuardDutyEncryptsExportedFindings")), { says: /does not let the detector generate data keys/ }],
  ["detection.findings-archived", "the key admits detectors of any account", (j) => auditKeyEdit(j, (d) => delete d.Statement.find((x) => x.Sid === "GuardDutyEncryptsExportedFindings")!.Condition.StringEquals["aws:SourceAccount"]), { says: /does not let the detector generate data keys/ }],
  ["detection.threat-detection-on", "a detector imported though the region file names none", (j) => (j.import = [...(j.import ?? []), { to: "aws_guardduty_detector.threat_detection_detector", id: "0123456789abcdef0123456789abcdef" }]), { says: /aws_guardduty_detector.threat_detection_detector: imported, though the region file names none existing/ }],
  ["detection.threat-detection-on", "an existing detector the stack would create again", () => undefined, {
    says: /aws_guardduty_detector.threat_detection_detector: the region file says the account has one \(existingDetection\), but no import block adopts 0123456789abcdef0123456789abcdef/,
    region: (r) => ({ ...r, existingDetection: { guardDutyDetectorId: "0123456789abcdef0123456789abcdef", securityHub: false } }),
  }],
  ["detection.threat-detection-on", "an existing hub the stack would create again", () => undefined, {
    says: /aws_securityhub_account.threat_detection_hub: the region file says the account has one/,
    region: (r) => ({ ...r, existingDetection: { securityHub: true } }),
  }],
  ["detection.threat-detection-on", "no detector", (j) => delete j.resource.aws_guardduty_detector, { says: /aws_guardduty_detector: 0 detectors/ }],
  ["detection.threat-detection-on", "detector disabled", (j) => (first(j, "aws_guardduty_detector").enable = false), { says: /enable is not true/ }],
  ["detection.threat-detection-on", "runtime monitoring off", (j) => (j.resource.aws_guardduty_detector_feature["threat_detection_feature-runtime_monitoring"].status = "DISABLED"), { says: /feature RUNTIME_MONITORING is not ENABLED/ }],
  ["detection.threat-detection-on", "no RDS login events", (j) => delete j.resource.aws_guardduty_detector_feature["threat_detection_feature-rds_login_events"], { says: /feature RDS_LOGIN_EVENTS is not ENABLED/ }],
  ["detection.threat-detection-on", "a feature of another detector", (j) => (j.resource.aws_guardduty_detector_feature["threat_detection_feature-s3_data_events"].detector_id = "other"), { says: /feature S3_DATA_EVENTS is not ENABLED/ }],
  ["detection.threat-detection-on", "GuardDuty manages the agent (its own endpoint, unreachable from the nodes)", (j) => (j.resource.aws_guardduty_detector_feature["threat_detection_feature-runtime_monitoring"].additional_configuration[0].status = "ENABLED"), { says: /EKS_ADDON_MANAGEMENT is ENABLED, expected DISABLED/ }],
  ["detection.threat-detection-on", "no runtime agent on the nodes", (j) => delete j.resource.aws_eks_addon.eks_guard_duty_agent, { says: /no aws-guardduty-agent add-on/ }],
  ["detection.threat-detection-on", "RUNTIME_MONITORING set twice, once disabled", (j) => add(j, "aws_guardduty_detector_feature", "again", { ...j.resource.aws_guardduty_detector_feature["threat_detection_feature-runtime_monitoring"], status: "DISABLED" }), { says: /feature RUNTIME_MONITORING is set by more than one resource/ }],
  ["detection.threat-detection-on", "the old EKS_RUNTIME_MONITORING feature beside it", (j) => add(j, "aws_guardduty_detector_feature", "old", { ...j.resource.aws_guardduty_detector_feature["threat_detection_feature-runtime_monitoring"], name: "EKS_RUNTIME_MONITORING" }), { says: /feature EKS_RUNTIME_MONITORING is not one of the reviewed features/ }],
  ["detection.threat-detection-on", "the agent before its endpoint", (j) => (j.resource.aws_eks_addon.eks_guard_duty_agent.depends_on = (j.resource.aws_eks_addon.eks_guard_duty_agent.depends_on as string[]).filter((d) => !d.startsWith("aws_vpc_endpoint."))), { says: /not created after RUNTIME_MONITORING and the guardduty-data endpoint/ }],
  ["detection.threat-detection-on", "the agent before the feature", (j) => (j.resource.aws_eks_addon.eks_guard_duty_agent.depends_on = (j.resource.aws_eks_addon.eks_guard_duty_agent.depends_on as string[]).filter((d) => !d.startsWith("aws_guardduty_detector_feature."))), { says: /not created after RUNTIME_MONITORING and the guardduty-data endpoint/ }],
  ["detection.threat-detection-on", "no Security Hub", (j) => delete j.resource.aws_securityhub_account, { says: /aws_securityhub_account: 0 hubs/ }],
  ["detection.threat-detection-on", "no PCI DSS standard", (j) => delete j.resource.aws_securityhub_standards_subscription["threat_detection_standard-pci-dss"], { says: /none for arn:aws:securityhub:[a-z0-9-]+::standards\/pci-dss\/v\/4.0.1/ }],
  ["detection.threat-detection-on", "the PCI DSS v3.2.1 standard", (j) => (j.resource.aws_securityhub_standards_subscription["threat_detection_standard-pci-dss"].standards_arn = "arn:aws:securityhub:eu-west-1::standards/pci-dss/v/3.2.1"), { says: /none for .*pci-dss\/v\/4.0.1/ }],
  ["detection.threat-detection-on", "a standard subscribed before Config records", (j) =>
    (j.resource.aws_securityhub_standards_subscription["threat_detection_standard-pci-dss"].depends_on = ["aws_securityhub_account.threat_detection_hub"]), { says: /not created after AWS Config records/ }],
  ["detection.threat-detection-on", "a standard subscribed before the hub", (j) => delete j.resource.aws_securityhub_standards_subscription["threat_detection_standard-aws-foundational-security-best-practices"].depends_on, { says: /not created after aws_securityhub_account/ }],
  ["detection.config-recording", "no recorder", (j) => delete j.resource.aws_config_configuration_recorder, { says: /aws_config_configuration_recorder: 0 recorders/ }],
  ["detection.config-recording", "some types only", (j) => (first(j, "aws_config_configuration_recorder").recording_group.all_supported = false), { says: /all_supported is not true/ }],
  ["detection.config-recording", "no IAM types", (j) => (first(j, "aws_config_configuration_recorder").recording_group.include_global_resource_types = false), { says: /include_global_resource_types is not true/ }],
  ["detection.config-recording", "security groups excluded", (j) => (first(j, "aws_config_configuration_recorder").recording_group.exclusion_by_resource_types = [{ resource_types: ["AWS::EC2::SecurityGroup"] }]), { says: /resource types are excluded/ }],
  ["detection.config-recording", "daily recording", (j) => (first(j, "aws_config_configuration_recorder").recording_mode.recording_frequency = "DAILY"), { says: /recording is not continuous/ }],
  ["detection.config-recording", "daily recording of some types", (j) => (first(j, "aws_config_configuration_recorder").recording_mode.recording_mode_override = { recording_frequency: "DAILY", resource_types: ["AWS::EC2::Instance"] }), { says: /recording is not continuous/ }],
  ["detection.config-recording", "no delivery channel", (j) => delete j.resource.aws_config_delivery_channel, { says: /aws_config_delivery_channel: 0 channels/ }],
  ["detection.config-recording", "delivered to the access-log bucket", (j) => (first(j, "aws_config_delivery_channel").s3_bucket_name = "${aws_s3_bucket.audit_archive_access_logs_bucket.id}"), { says: /does not deliver to the audit archive under config\// }],
  ["detection.config-recording", "delivered under the trail's prefix", (j) => (first(j, "aws_config_delivery_channel").s3_key_prefix = "cloudtrail"), { says: /does not deliver to the audit archive under config\// }],
  ["detection.config-recording", "delivered under the logs key", (j) => (first(j, "aws_config_delivery_channel").s3_kms_key_arn = "${aws_kms_key.keys_logs_key.arn}"), { says: /s3_kms_key_arn .* is not the audit key/ }],
  ["detection.config-recording", "channel before its recorder", (j) => delete first(j, "aws_config_delivery_channel").depends_on, { says: /not created after aws_config_configuration_recorder/ }],
  ["detection.config-recording", "recording off", (j) => (first(j, "aws_config_configuration_recorder_status").is_enabled = false), { says: /recording is not turned on/ }],
  ["detection.config-recording", "recording turned on before the channel", (j) => delete first(j, "aws_config_configuration_recorder_status").depends_on, { says: /not created after the delivery channel/ }],
  ["detection.trail-complete", "an archive without Object Lock (no archive)", (j) => (j.resource.aws_s3_bucket.audit_archive_archive_bucket.object_lock_enabled = false), { says: /s3_bucket_name .* is not the audit archive/ }],
  ["detection.trail-complete", "no archive bucket", (j) => delete j.resource.aws_s3_bucket.audit_archive_archive_bucket, { says: /s3_bucket_name .* is not the audit archive/ }],
  ["detection.trail-complete", "the log group's ARN without the :* CloudTrail requires", (j) => (trail(j).cloud_watch_logs_group_arn = "${aws_cloudwatch_log_group.audit_trail_log_group_log_group.arn}"), { says: /is not a log group of this stack/ }],
  ["detection.trail-complete", "the log group's ARN inside another account's", (j) => (trail(j).cloud_watch_logs_group_arn = "arn:aws:logs:eu-west-1:999999999999:log-group:${aws_cloudwatch_log_group.audit_trail_log_group_log_group.arn}:*"), { says: /is not a log group of this stack/ }],
  ["detection.trail-complete", "the log group's ARN with more after the :*", (j) => (trail(j).cloud_watch_logs_group_arn = "${aws_cloudwatch_log_group.audit_trail_log_group_log_group.arn}:*:*"), { says: /is not a log group of this stack/ }],
  ["detection.trail-delivery-admitted", "the key does not let the trail generate data keys at all", (j) => auditKeyEdit(j, withoutSid("CloudTrailEncryptsThisTrailsLogs")), { says: /aws_kms_key.keys_audit_key: does not let the trail generate data keys, or not only under/ }],
  ["detection.trail-complete", "a log group the stack does not have", (j) => (trail(j).cloud_watch_logs_group_arn = "${aws_cloudwatch_log_group.gone.arn}:*"), { says: /is not a log group of this stack/ }],
  ["detection.trail-complete", "the trail under Config's prefix", (j) => (trail(j).s3_key_prefix = "config"), { says: /s3_key_prefix config is not the trail's own prefix cloudtrail/ }],
  ["detection.trail-complete", "S3 data events leaving out a second prefix", (j) => {
    const arnField = (trailSelector(j, "Data").field_selector as TfJson[]).find((f) => f.field === "resources.ARN")!;
    arnField.not_starts_with = [...arnField.not_starts_with, `${arnField.starts_with[0]}payments/`];
  }, { says: /no selector records the audit archive's S3 data events/ }],
  ["detection.trail-delivery-admitted", "the archive's ACL statement a denial", (j) => archivePolicyEdit(j, (d) => (d.Statement.find((x) => x.Sid === "CloudTrailAclCheck")!.Effect = "Deny")), { says: /its policy does not let the trail read the archive's ACL/ }],
  ["detection.trail-delivery-admitted", "the archive's ACL statement for Config, not CloudTrail", (j) => archivePolicyEdit(j, (d) => (d.Statement.find((x) => x.Sid === "CloudTrailAclCheck")!.Principal = { Service: "config.amazonaws.com" })), { says: /its policy does not let the trail read the archive's ACL/ }],
  ["detection.trail-delivery-admitted", "the archive's ACL statement grants GetBucketLocation instead", (j) => archivePolicyEdit(j, (d) => (d.Statement.find((x) => x.Sid === "CloudTrailAclCheck")!.Action = "s3:GetBucketLocation")), { says: /its policy does not let the trail read the archive's ACL/ }],
  ["detection.trail-delivery-admitted", "no policy on the archive", (j) => delete j.resource.aws_s3_bucket_policy.audit_archive_archive_policy, { says: /aws_s3_bucket.audit_archive_archive_bucket: its policy does not let the trail read the archive's ACL/ }],
  ["detection.trail-delivery-admitted", "the trail's log role trusts EC2, not CloudTrail", (j) => policyEdit(j.resource.aws_iam_role.audit_trail_logs_role, (d) => (d.Statement[0].Principal = { Service: "ec2.amazonaws.com" }), "assume_role_policy"), { says: /CloudTrail may not assume it unconditionally/ }],
  ["detection.trail-delivery-admitted", "the trail's log role's trust a denial", (j) => policyEdit(j.resource.aws_iam_role.audit_trail_logs_role, (d) => (d.Statement[0].Effect = "Deny"), "assume_role_policy"), { says: /CloudTrail may not assume it unconditionally/ }],
  ["detection.trail-delivery-admitted", "a second key statement lets the trail generate data keys outside its context", (j) =>
    auditKeyEdit(j, (d) => {
      const own = d.Statement.find((x) => x.Sid === "CloudTrailEncryptsThisTrailsLogs")!;
      d.Statement.push({ ...own, Sid: "Broader", Condition: { StringEquals: own.Condition.StringEquals } });
    }), { says: /does not let the trail generate data keys, or not only under its encryption context/ }],
  ["detection.threat-detection-on", "GuardDuty manages the EC2 agent", (j) =>
    ((j.resource.aws_guardduty_detector_feature["threat_detection_feature-runtime_monitoring"].additional_configuration as TfJson[]).find((c) => c.name === "EC2_AGENT_MANAGEMENT")!.status = "ENABLED"), { says: /EC2_AGENT_MANAGEMENT is ENABLED, expected DISABLED/ }],
  ["detection.threat-detection-on", "runtime monitoring without its agent-management settings", (j) => delete j.resource.aws_guardduty_detector_feature["threat_detection_feature-runtime_monitoring"].additional_configuration, { says: /EKS_ADDON_MANAGEMENT is undefined, expected DISABLED/ }],
  ["detection.threat-detection-on", "no runtime monitoring feature", (j) => delete j.resource.aws_guardduty_detector_feature["threat_detection_feature-runtime_monitoring"], { says: /feature RUNTIME_MONITORING is not ENABLED/ }],
  ["detection.threat-detection-on", "the agent add-on on another cluster", (j) => (j.resource.aws_eks_addon.eks_guard_duty_agent.cluster_name = "other"), { says: /no aws-guardduty-agent add-on/ }],
  ["detection.threat-detection-on", "no guardduty-data endpoint", (j) => {
    for (const [n, e] of Object.entries(j.resource.aws_vpc_endpoint as Record<string, TfJson>)) if (String(e.service_name).endsWith(".guardduty-data")) delete j.resource.aws_vpc_endpoint[n];
  }, { says: /not created after RUNTIME_MONITORING and the guardduty-data endpoint/ }],
  ["detection.threat-detection-on", "an existing detector adopted under another id", (j) => (j.import = [...(j.import ?? []), { to: "aws_guardduty_detector.threat_detection_detector", id: "fedcba9876543210fedcba9876543210" }]), {
    says: /no import block adopts 0123456789abcdef0123456789abcdef/,
    region: (r) => ({ ...r, existingDetection: { guardDutyDetectorId: "0123456789abcdef0123456789abcdef", securityHub: false } }),
  }],
  ["detection.config-recording", "the recording status of another recorder", (j) => (first(j, "aws_config_configuration_recorder_status").name = "other"), { says: /recording is not turned on/ }],
  ["detection.findings-archived", "the export of another detector", (j) => (first(j, "aws_guardduty_publishing_destination").detector_id = "other"), { says: /its findings are not exported to the audit archive/ }],
  ["detection.findings-archived", "findings exported to another kind of destination", (j) => (first(j, "aws_guardduty_publishing_destination").destination_type = "SQS"), { says: /its findings are not exported to the audit archive/ }],
  ["detection.findings-archived", "the export statement a denial", (j) => archivePolicyEdit(j, (d) => (d.Statement.find((x) => x.Sid === "GuardDutyExportsFindings")!.Effect = "Deny")), { says: /aws_s3_bucket.audit_archive_archive_bucket: its policy does not let the detector write under guardduty\// }],
  ["detection.findings-archived", "the locating statement for CloudTrail, not GuardDuty", (j) => archivePolicyEdit(j, (d) => (d.Statement.find((x) => x.Sid === "GuardDutyLocatesTheBucket")!.Principal = { Service: "cloudtrail.amazonaws.com" })), { says: /does not let the detector locate the archive/ }],
  ["detection.findings-archived", "the detector may locate objects, not the bucket", (j) => archivePolicyEdit(j, (d) => (d.Statement.find((x) => x.Sid === "GuardDutyLocatesTheBucket")!.Resource = "${aws_s3_bucket.audit_archive_archive_bucket.arn}/*")), { says: /does not let the detector locate the archive/ }],
  ["eks.workload-identity-least-privilege", "the Config role writes outside Config's prefix", (j) =>
    policyEdit(j.resource.aws_iam_role_policy.config_recording_deliver, (d) => (d.Statement.find((x) => x.Sid === "WriteUnderOwnPrefix")!.Resource = "${aws_s3_bucket.audit_archive_archive_bucket.arn}/*")), { says: /config_recording_deliver: writes .* outside its declared audit prefix/ }],
  ["eks.workload-identity-least-privilege", "a role another service may assume writes under Config's prefix", (j) =>
    policyEdit(j.resource.aws_iam_role.config_recording_role, (d) => (d.Statement[0].Principal = { Service: ["config.amazonaws.com", "ec2.amazonaws.com"] }), "assume_role_policy"), { says: /config_recording_deliver: writes .* outside its declared audit prefix/ }],
];

/** The security topic, its policy, the alerts key's policy, a trail alarm and a finding rule. */
const topic = (j: TfJson): TfJson => j.resource.aws_sns_topic.alerts_topic;
const topicEdit = (j: TfJson, edit: (doc: { Statement: TfJson[] }) => void) => policyEdit(topic(j), edit);
const topicStatement = (sid: string, edit: (s: TfJson) => void) => (j: TfJson) => topicEdit(j, (d) => edit(d.Statement.find((x) => x.Sid === sid)!));
const alertsKeyStatement = (sid: string, edit: (s: TfJson) => void) => (j: TfJson) => keyStatement(j, "alerts", sid, edit);
const alarm = (j: TfJson, id = "root-user-activity"): TfJson => j.resource.aws_cloudwatch_metric_alarm[`alerts_alarm-${id}`];
const filter = (j: TfJson, id = "root-user-activity"): TfJson => j.resource.aws_cloudwatch_log_metric_filter[`alerts_filter-${id}`];
const findingRule = (j: TfJson, id: string): TfJson => j.resource.aws_cloudwatch_event_rule[`alerts_rule-${id}`];
const findingTarget = (j: TfJson, id: string): TfJson => j.resource.aws_cloudwatch_event_target[`alerts_target-${id}`];
const editPattern = (j: TfJson, id: string, edit: (p: TfJson) => void) => {
  const pattern = JSON.parse(findingRule(j, id).event_pattern);
  edit(pattern);
  findingRule(j, id).event_pattern = JSON.stringify(pattern);
};

/** The log shipper: its add-on, a log group of its, its role's policy. */
const shipper = (j: TfJson): TfJson => j.resource.aws_eks_addon.eks_log_shipper;
const shipperGroup = (j: TfJson, kind = "application"): TfJson => j.resource.aws_cloudwatch_log_group[`eks_container_logs_${kind}_log_group`];
const shipperPolicyEdit = (j: TfJson, edit: (d: { Statement: TfJson[] }) => void) => policyEdit(j.resource.aws_iam_role_policy["eks_workloads_log-shipper_policy"], edit);
const withoutDependency = (body: TfJson, prefix: string) => (body.depends_on = (body.depends_on as string[]).filter((d) => !d.startsWith(prefix)));

/** Each condition of the container-log rule, weakened alone. */
const CONTAINER_LOG_MUTATIONS: Mutation[] = [
  ["detection.container-logs-shipped", "no log shipper", (j) => delete j.resource.aws_eks_addon.eks_log_shipper, { says: /no amazon-cloudwatch-observability add-on/ }],
  ["detection.container-logs-shipped", "the shipper on another cluster", (j) => (shipper(j).cluster_name = "other"), { says: /no amazon-cloudwatch-observability add-on/ }],
  ["detection.container-logs-shipped", "container logs off", (j) => (shipper(j).configuration_values = JSON.stringify({ containerLogs: { enabled: false } })), { says: /containerLogs.enabled is not true/ }],
  ["detection.container-logs-shipped", "no configuration (the add-on's defaults)", (j) => delete shipper(j).configuration_values, { says: /containerLogs.enabled is not true/ }],
  ["detection.container-logs-shipped", "the application group left to Fluent Bit", (j) => delete j.resource.aws_cloudwatch_log_group.eks_container_logs_application_log_group, { says: /no log group \/aws\/containerinsights\/\S+\/application created first/ }],
  ["detection.container-logs-shipped", "the host group under the audit key", (j) => (shipperGroup(j, "host").kms_key_id = "${aws_kms_key.keys_audit_key.arn}"), { says: /eks_container_logs_host_log_group: not under the logs key/ }],
  ["detection.container-logs-shipped", "the application group kept ten years", (j) => (shipperGroup(j).retention_in_days = 3653), { says: /keeps events 3653 days, not retention.logDays/ }],
  ["detection.container-logs-shipped", "the shipper before its dataplane group", (j) => withoutDependency(shipper(j), "aws_cloudwatch_log_group.eks_container_logs_dataplane"), { says: /not created after aws_cloudwatch_log_group.eks_container_logs_dataplane_log_group/ }],
  ["detection.container-logs-shipped", "the shipper before its identity", (j) => withoutDependency(shipper(j), "aws_eks_pod_identity_association."), { says: /not created after its Pod Identity association/ }],
  ["detection.container-logs-shipped", "no identity for the shipper", (j) => delete j.resource.aws_eks_pod_identity_association["eks_workloads_log-shipper_association"], { says: /no Pod Identity association for amazon-cloudwatch\/cloudwatch-agent/ }],
  ["detection.container-logs-shipped", "the shipper may create log groups", (j) => shipperPolicyEdit(j, (d) => d.Statement[0].Action.push("logs:CreateLogGroup")), { says: /the log shipper may logs:CreateLogGroup/ }],
  ["detection.container-logs-shipped", "the shipper may shorten retention and delete groups", (j) => shipperPolicyEdit(j, (d) => d.Statement[0].Action.push("logs:PutRetentionPolicy", "logs:DeleteLogGroup")), { says: /the log shipper may logs:PutRetentionPolicy, logs:DeleteLogGroup$/ }],
  ["detection.container-logs-shipped", "the shipper writes to every log group", (j) => shipperPolicyEdit(j, (d) => d.Statement[0].Resource.push("arn:aws:logs:eu-west-1:111122223333:log-group:*", "arn:aws:logs:*:*:*")), { says: /the log shipper writes to arn:aws:logs:eu-west-1:111122223333:log-group:\*, arn:aws:logs:\*:\*:\*, beyond its groups/ }],
  ["detection.container-logs-shipped", "a managed policy on the shipper", (j) =>
    add(j, "aws_iam_role_policy_attachment", "extra", { role: "${aws_iam_role.eks_workloads_log-shipper_role.name}", policy_arn: "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy" }), { says: /a managed policy on the log shipper's role/ }],
  ["detection.container-logs-shipped", "the shipper's identity in another namespace", (j) => (j.resource.aws_eks_pod_identity_association["eks_workloads_log-shipper_association"].namespace = "default"), { says: /no Pod Identity association for amazon-cloudwatch\/cloudwatch-agent/ }],
  ["detection.container-logs-shipped", "the shipper's identity for another service account", (j) => (j.resource.aws_eks_pod_identity_association["eks_workloads_log-shipper_association"].service_account = "default"), { says: /no Pod Identity association for amazon-cloudwatch\/cloudwatch-agent/ }],
  ["detection.container-logs-shipped", "the shipper's identity on another cluster", (j) => (j.resource.aws_eks_pod_identity_association["eks_workloads_log-shipper_association"].cluster_name = "other"), { says: /no Pod Identity association for amazon-cloudwatch\/cloudwatch-agent/ }],
  ["detection.container-logs-shipped", "the shipper's identity a role of another stack", (j) => (j.resource.aws_eks_pod_identity_association["eks_workloads_log-shipper_association"].role_arn = "arn:aws:iam::111122223333:role/elsewhere"), { says: /its role arn:aws:iam::111122223333:role\/elsewhere is not one of this stack's/ }],
  ["detection.container-logs-shipped", "the shipper's write statement also reads tags, on every resource", (j) => shipperPolicyEdit(j, (d) => {
    d.Statement[0].Action.push("ec2:DescribeTags");
    d.Statement[0].Resource.push("*");
  }), { says: /the log shipper writes to \*, beyond its groups/ }],
  ["eks.workload-identity-least-privilege", "the shipper's identity given to another service account", (j) => (j.resource.aws_eks_pod_identity_association["eks_workloads_log-shipper_association"].service_account = "default"), { says: /aws_eks_pod_identity_association: .*"amazon-cloudwatch\/default"/ }],
];

/** The mesh's metrics: the collector's scrape, the rules, the alert manager's configuration. */
const scraper = (j: TfJson): TfJson => j.resource.aws_prometheus_scraper.mesh_metrics_scraper;
const scrapeEdit = (j: TfJson, edit: (c: TfJson) => void) => {
  const c = JSON.parse(scraper(j).scrape_configuration);
  edit(c);
  scraper(j).scrape_configuration = JSON.stringify(c);
};
const meshRulesEdit = (j: TfJson, edit: (rules: TfJson[]) => void) => {
  const body = j.resource.aws_prometheus_rule_group_namespace.mesh_metrics_rules;
  const d = JSON.parse(body.data);
  edit(d.groups[0].rules);
  body.data = JSON.stringify(d);
};
const alertManagerEdit = (j: TfJson, edit: (c: TfJson) => void) => {
  const body = j.resource.aws_prometheus_alert_manager_definition.mesh_metrics_alert_manager;
  const d = JSON.parse(body.definition);
  const c = JSON.parse(d.alertmanager_config);
  edit(c);
  body.definition = JSON.stringify({ ...d, alertmanager_config: JSON.stringify(c) });
};

/** Each condition of the mesh's alerts, weakened alone. */
const MESH_ALERT_MUTATIONS: Mutation[] = [
  ["detection.mesh-alerts", "no workspace", (j) => delete j.resource.aws_prometheus_workspace, { says: /aws_prometheus_workspace: 0 workspaces/ }],
  ["detection.mesh-alerts", "no collector", (j) => delete j.resource.aws_prometheus_scraper, { says: /no managed collector scrapes this stack's cluster into it/ }],
  ["detection.mesh-alerts", "a collector of another cluster", (j) => (scraper(j).source[0].eks[0].cluster_arn = "arn:aws:eks:eu-west-1:111122223333:cluster/other"), { says: /no managed collector scrapes this stack's cluster/ }],
  ["detection.mesh-alerts", "a collector into another workspace", (j) => (scraper(j).destination[0].amp[0].workspace_arn = "arn:aws:aps:eu-west-1:111122223333:workspace/ws-other"), { says: /no managed collector scrapes this stack's cluster/ }],
  ["detection.mesh-alerts", "every metric kept (request headers as labels could follow)", (j) => scrapeEdit(j, (c) => delete c.scrape_configs[0].metric_relabel_configs), { says: /its scrape configuration is not the reviewed one/ }],
  ["detection.mesh-alerts", "the application containers scraped too", (j) => scrapeEdit(j, (c) => c.scrape_configs[0].relabel_configs.shift()), { says: /its scrape configuration is not the reviewed one/ }],
  ["detection.mesh-alerts", "no failure-rate alert", (j) => meshRulesEdit(j, (r) => r.splice(0, 1)), { says: /alert TokenizationFailureRate \(payments\/tokenization-service\) is missing/, when: (s) => s.region.services.some((x) => x.access?.tokenizationKey) }],
  ["detection.mesh-alerts", "the failure rate at 50 %", (j) => meshRulesEdit(j, (r) => (r[0].expr = r[0].expr.replace(/> 0.05$/, "> 0.5"))), { says: /alert TokenizationFailureRate .* differs/, when: (s) => s.region.services.some((x) => x.access?.tokenizationKey) }],
  ["detection.mesh-alerts", "the failure rate held an hour", (j) => meshRulesEdit(j, (r) => (r[0].for = "1h")), { says: /alert TokenizationFailureRate .* differs/, when: (s) => s.region.services.some((x) => x.access?.tokenizationKey) }],
  ["detection.mesh-alerts", "handshake failures of one counter only", (j) => meshRulesEdit(j, (r) => (r[r.length - 1].expr = 'sum by (namespace, pod) (increase(envoy_listener_ssl_connection_error{listener_address="0.0.0.0_15006"}[5m])) > 0')), { says: /alert MtlsHandshakeFailures is missing or differs/ }],
  ["detection.mesh-alerts", "rules in another workspace", (j) => (j.resource.aws_prometheus_rule_group_namespace.mesh_metrics_rules.workspace_id = "ws-other"), { says: /alert MtlsHandshakeFailures is missing/ }],
  ["detection.mesh-alerts", "no alert manager", (j) => delete j.resource.aws_prometheus_alert_manager_definition, { says: /its alert manager does not send every alert to the security topic/ }],
  ["detection.mesh-alerts", "alerts to another topic", (j) => alertManagerEdit(j, (c) => (c.receivers[0].sns_configs[0].topic_arn = "arn:aws:sns:eu-west-1:111122223333:other")), { says: /its alert manager does not send every alert/ }],
  ["detection.mesh-alerts", "alerts signed for another region", (j) => alertManagerEdit(j, (c) => (c.receivers[0].sns_configs[0].sigv4.region = "eu-central-1")), { says: /its alert manager does not send every alert/ }],
  ["detection.mesh-alerts", "the default route to a receiver that sends nowhere", (j) => alertManagerEdit(j, (c) => (c.route.receiver = "null")), { says: /its alert manager does not send every alert/ }],
  ["detection.mesh-alerts", "a sub-route that diverts some alerts", (j) => alertManagerEdit(j, (c) => (c.route.routes = [{ receiver: "null", matchers: ['alertname="MtlsHandshakeFailures"'] }])), { says: /its alert manager does not send every alert/ }],
  ["detection.mesh-alerts", "the topic does not admit the workspace", (j) => topicEdit(j, withoutSid("MeshAlertManager")), { says: /its policy does not let this workspace's alert manager publish/ }],
  ["detection.mesh-alerts", "the topic admits any workspace of the account", topicStatement("MeshAlertManager", (x) => (x.Condition.ArnEquals["aws:SourceArn"] = "arn:aws:aps:eu-west-1:111122223333:workspace/*")), { says: /its policy does not let this workspace's alert manager publish/ }],
  ["detection.mesh-alerts", "the topic admits the workspace of any account", topicStatement("MeshAlertManager", (x) => delete x.Condition.StringEquals), { says: /its policy does not let this workspace's alert manager publish/ }],
  ["detection.mesh-alerts", "the key does not admit AMP", (j) => dropKeyStatement(j, "alerts", "PrometheusAlertsPublishToTheTopic"), { says: /aws_kms_key.keys_alerts_key: does not let aps.amazonaws.com generate data keys and decrypt/ }],
  ["detection.mesh-alerts", "an alert manager of another workspace", (j) => (j.resource.aws_prometheus_alert_manager_definition.mesh_metrics_alert_manager.workspace_id = "ws-other"), { says: /its alert manager does not send every alert to the security topic/ }],
  ["detection.mesh-alerts", "an alert manager with no route", (j) => alertManagerEdit(j, (c) => delete c.route), { says: /its alert manager does not send every alert to the security topic/ }],
  ["detection.mesh-alerts", "alerts sent unsigned", (j) => alertManagerEdit(j, (c) => delete c.receivers[0].sns_configs[0].sigv4), { says: /its alert manager does not send every alert to the security topic/ }],
  ["detection.mesh-alerts", "no topic under the alerts key", (j) => (topic(j).kms_master_key_id = "${aws_kms_key.keys_logs_key.arn}"), { says: /its alert manager does not send every alert to the security topic/ }],
  ["detection.mesh-alerts", "the topic's statement for the workspace a denial", topicStatement("MeshAlertManager", (x) => (x.Effect = "Deny")), { says: /its policy does not let this workspace's alert manager publish/ }],
  ["detection.mesh-alerts", "the topic's statement for the workspace names EventBridge", topicStatement("MeshAlertManager", (x) => (x.Principal = { Service: "events.amazonaws.com" })), { says: /its policy does not let this workspace's alert manager publish/ }],
  ["detection.mesh-alerts", "the key's statement for AMP a denial", alertsKeyStatement("PrometheusAlertsPublishToTheTopic", (x) => (x.Effect = "Deny")), { says: /does not let aps.amazonaws.com generate data keys and decrypt/ }],
  ["detection.mesh-alerts", "the key lets AMP generate but not decrypt", alertsKeyStatement("PrometheusAlertsPublishToTheTopic", (x) => (x.Action = ["kms:GenerateDataKey*"])), { says: /does not let aps.amazonaws.com generate data keys and decrypt/ }],
  ["detection.mesh-alerts", "the key admits AMP for another topic", alertsKeyStatement("PrometheusAlertsPublishToTheTopic", (x) => (x.Condition.StringEquals["kms:EncryptionContext:aws:sns:topicArn"] = "arn:aws:sns:eu-west-1:111122223333:other")), { says: /does not let aps.amazonaws.com generate data keys and decrypt/ }],
  ["detection.partner-gateway-watched", "no alarm on the partner gateway", (j) => delete j.resource.aws_cloudwatch_metric_alarm.partner_gateway_health, { says: /no alarm on its HealthyHostCount/ }],
  ["detection.partner-gateway-watched", "the alarm on another load balancer", (j) => (j.resource.aws_cloudwatch_metric_alarm.partner_gateway_health.dimensions.LoadBalancer = "net/other/0123456789abcdef"), { says: /not on the partner load balancer's targets/ }],
  ["detection.partner-gateway-watched", "an outage the alarm sits out (missing data not breaching)", (j) => (j.resource.aws_cloudwatch_metric_alarm.partner_gateway_health.treat_missing_data = "notBreaching"), { says: /treat_missing_data notBreaching, expected breaching/ }],
  ["detection.partner-gateway-watched", "the alarm only when every target is gone", (j) => (j.resource.aws_cloudwatch_metric_alarm.partner_gateway_health.threshold = 1), { says: /threshold 1, expected 2/ }],
  ["detection.partner-gateway-watched", "the average, which hides a target that flaps", (j) => (j.resource.aws_cloudwatch_metric_alarm.partner_gateway_health.statistic = "Average"), { says: /statistic Average, expected Minimum/ }],
  ["detection.partner-gateway-watched", "an hour to notice", (j) => (j.resource.aws_cloudwatch_metric_alarm.partner_gateway_health.evaluation_periods = 60), { says: /evaluation_periods 60, expected 5/ }],
  ["detection.partner-gateway-watched", "the alarm over five-minute periods", (j) => (j.resource.aws_cloudwatch_metric_alarm.partner_gateway_health.period = 300), { says: /period 300, expected 60/ }],
  ["detection.partner-gateway-watched", "the alarm inverted", (j) => (j.resource.aws_cloudwatch_metric_alarm.partner_gateway_health.comparison_operator = "GreaterThanThreshold"), { says: /comparison_operator GreaterThanThreshold/ }],
  ["detection.partner-gateway-watched", "the alarm telling no one", (j) => (j.resource.aws_cloudwatch_metric_alarm.partner_gateway_health.alarm_actions = []), { says: /does not notify the security topic/ }],
  ["detection.partner-gateway-watched", "the alarm's actions off", (j) => (j.resource.aws_cloudwatch_metric_alarm.partner_gateway_health.actions_enabled = false), { says: /does not notify the security topic/ }],
  ["detection.partner-gateway-watched", "the alarm on another namespace's metric", (j) => (j.resource.aws_cloudwatch_metric_alarm.partner_gateway_health.namespace = "AWS/ApplicationELB"), { says: /no alarm on its HealthyHostCount/ }],
  ["detection.partner-gateway-watched", "the alarm on the unhealthy count", (j) => (j.resource.aws_cloudwatch_metric_alarm.partner_gateway_health.metric_name = "UnHealthyHostCount"), { says: /no alarm on its HealthyHostCount/ }],
  ["detection.partner-gateway-watched", "the alarm on another target group", (j) => (j.resource.aws_cloudwatch_metric_alarm.partner_gateway_health.dimensions.TargetGroup = "targetgroup/other/0123456789abcdef"), { says: /no alarm on its HealthyHostCount/ }],
  ["detection.partner-gateway-watched", "the alarm without dimensions (every target group of the account)", (j) => delete j.resource.aws_cloudwatch_metric_alarm.partner_gateway_health.dimensions, { says: /no alarm on its HealthyHostCount/ }],
  ["detection.partner-gateway-watched", "no target group to watch", (j) => delete j.resource.aws_lb_target_group, { says: /no target group on node port 30443, its load balancer or a security topic/ }],
  ["eks.merchant-nodes", "the merchants' taint removed (any pod may run beside a tenant)", (j) => delete j.resource.aws_eks_node_group.eks_merchant_node_group.taint, { says: /0 merchants' node groups/ }],
  ["eks.merchant-nodes", "the merchants' taint only preferred", (j) => (j.resource.aws_eks_node_group.eks_merchant_node_group.taint[0].effect = "PREFER_NO_SCHEDULE"), { says: /taint pci.blueprint\/tenant=merchant:PREFER_NO_SCHEDULE, expected merchant:NO_SCHEDULE/ }],
  ["eks.merchant-nodes", "the merchants' taint with another value", (j) => (j.resource.aws_eks_node_group.eks_merchant_node_group.taint[0].value = "x"), { says: /taint pci.blueprint\/tenant=x:NO_SCHEDULE/ }],
  ["eks.merchant-nodes", "the merchants' label removed", (j) => delete j.resource.aws_eks_node_group.eks_merchant_node_group.labels, { says: /no label pci.blueprint\/tenant=merchant/ }],
  ["eks.merchant-nodes", "two merchants' node groups", (j) => add(j, "aws_eks_node_group", "second", cloneJson(j.resource.aws_eks_node_group.eks_merchant_node_group)), { says: /2 merchants' node groups/ }],
  ["eks.merchant-nodes", "the merchant nodes in the platform nodes' group", (j) => (j.resource.aws_launch_template.eks_merchant_node_launch_template.vpc_security_group_ids = ["${aws_security_group.eks_node_security_group.id}"]), { says: /not in a security group of its own \(\$\{aws_security_group.eks_node_security_group.id\}\)/ }],
  ["eks.merchant-nodes", "the merchant nodes in two groups (neither is theirs alone)", (j) => j.resource.aws_launch_template.eks_merchant_node_launch_template.vpc_security_group_ids.push("${aws_security_group.network_endpoint_security_group.id}"), { says: /not in a security group of its own \(none\)/ }],
  ["eks.merchant-nodes", "the merchants' way to the API from a lower port", (j) => (j.resource.aws_vpc_security_group_egress_rule.eks_rules_merchants_to_api.from_port = 0), { says: /merchants_to_api: the merchant nodes reach \S+ on tcp 0-443/ }],
  ["eks.merchant-nodes", "the merchants' way to the API up to every port", (j) => (j.resource.aws_vpc_security_group_egress_rule.eks_rules_merchants_to_api.to_port = 65535), { says: /merchants_to_api: the merchant nodes reach \S+ on tcp 443-65535/ }],
  ["eks.merchant-nodes", "the merchant nodes to the VPC on every protocol", (j, s) =>
    add(j, "aws_vpc_security_group_egress_rule", "m_vpc", { security_group_id: "${aws_security_group.eks_merchant_node_security_group.id}", ip_protocol: "-1", cidr_ipv4: s.region.network.vpcCidr }), { says: /m_vpc: the merchant nodes reach 10\.\d+\.0\.0\/16 on -1 all-all/ }],
  ["eks.merchant-nodes", "the merchants' S3 rule to an interface endpoint's prefix list", (j) => (j.resource.aws_vpc_security_group_egress_rule.eks_rules_merchants_to_s3.prefix_list_id = "${aws_vpc_endpoint.network_interface_endpoints_kms.prefix_list_id}"), { says: /merchants_to_s3: the merchant nodes reach/ }],
  ["eks.merchant-nodes", "a legacy rule of the database admitting the merchant nodes", (j) =>
    add(j, "aws_security_group_rule", "legacy_db", { security_group_id: "${aws_security_group.database_security_group.id}", type: "ingress", protocol: "tcp", from_port: 5432, to_port: 5432, source_security_group_id: "${aws_security_group.eks_merchant_node_security_group.id}" }), { says: /legacy_db: a legacy rule on the merchant nodes' group/ }],
  ["eks.merchant-nodes", "the merchant nodes reaching the database's subnets", (j, s) =>
    add(j, "aws_vpc_security_group_egress_rule", "m_db", { security_group_id: "${aws_security_group.eks_merchant_node_security_group.id}", ip_protocol: "tcp", from_port: 5432, to_port: 5432, cidr_ipv4: s.region.network.subnets.data[0] }), { says: /m_db: the merchant nodes reach 10\.\S+ on tcp 5432-5432/ }],
  ["eks.merchant-nodes", "the merchant nodes reaching the database's group", (j) =>
    add(j, "aws_vpc_security_group_egress_rule", "m_db", { security_group_id: "${aws_security_group.eks_merchant_node_security_group.id}", ip_protocol: "tcp", from_port: 5432, to_port: 5432, referenced_security_group_id: "${aws_security_group.database_security_group.id}" }), { says: /m_db: the merchant nodes reach \$\{aws_security_group.database_security_group.id\}/ }],
  ["eks.merchant-nodes", "the database admitting the merchant nodes", (j) =>
    add(j, "aws_vpc_security_group_ingress_rule", "db_m", { security_group_id: "${aws_security_group.database_security_group.id}", ip_protocol: "tcp", from_port: 5432, to_port: 5432, referenced_security_group_id: "${aws_security_group.eks_merchant_node_security_group.id}" }), { says: /db_m: aws_security_group.database_security_group admits the merchant nodes/ }],
  ["eks.merchant-nodes", "the merchants' way to the API on every port", (j) => Object.assign(j.resource.aws_vpc_security_group_egress_rule.eks_rules_merchants_to_api, { from_port: 0, to_port: 65535 }), { says: /merchants_to_api: the merchant nodes reach/ }],
  ["eks.merchant-nodes", "the merchants' way to the endpoints over every protocol", (j) => Object.assign(j.resource.aws_vpc_security_group_egress_rule.eks_rules_merchants_to_endpoints, { ip_protocol: "-1" }), { says: /merchants_to_endpoints: the merchant nodes reach/ }],
  ["eks.merchant-nodes", "the merchants' way to another prefix list", (j) => (j.resource.aws_vpc_security_group_egress_rule.eks_rules_merchants_to_s3.prefix_list_id = "pl-0123456789abcdef0"), { says: /merchants_to_s3: the merchant nodes reach pl-0123456789abcdef0/ }],
  ["eks.merchant-nodes", "a legacy rule on the merchant nodes' group", (j) => add(j, "aws_security_group_rule", "legacy", { security_group_id: "${aws_security_group.eks_merchant_node_security_group.id}", type: "egress", protocol: "-1", from_port: 0, to_port: 0, cidr_blocks: ["10.0.0.0/8"] }), { says: /a legacy rule on the merchant nodes' group/ }],
  ["eks.merchant-nodes", "the merchant nodes behind the partners' load balancer", (j) => {
    const a = first(j, "aws_autoscaling_attachment");
    a.autoscaling_group_name = a.autoscaling_group_name.replace("aws_eks_node_group.eks_node_group.", "aws_eks_node_group.eks_merchant_node_group.");
  }, { says: /the merchant nodes behind a load balancer/ }],
  ["eks.control-plane-reaches-istio", "the collector admitted on every port", (j) => Object.assign(j.resource.aws_vpc_security_group_ingress_rule.mesh_metrics_sidecars_from_scraper, { from_port: 0, to_port: 65535 }), { says: /mesh_metrics_sidecars_from_scraper: nodes admit .* on 0-65535/ }],
  ["eks.control-plane-reaches-istio", "a group no collector runs in admitted on the metrics port", (j) => (j.resource.aws_vpc_security_group_ingress_rule.mesh_metrics_sidecars_from_scraper.referenced_security_group_id = "${aws_security_group.network_endpoint_security_group.id}"), { says: /mesh_metrics_sidecars_from_scraper: nodes admit \$\{aws_security_group.network_endpoint_security_group.id\} on 15090-15090/ }],
  ["eks.control-plane-reaches-istio", "the collector admitted from the metrics port up", (j) => (j.resource.aws_vpc_security_group_ingress_rule.mesh_metrics_sidecars_from_scraper.to_port = 15100), { says: /mesh_metrics_sidecars_from_scraper: nodes admit .* on 15090-15100/ }],
  ["eks.control-plane-reaches-istio", "the collector admitted up to the metrics port", (j) => (j.resource.aws_vpc_security_group_ingress_rule.mesh_metrics_sidecars_from_scraper.from_port = 15000), { says: /mesh_metrics_sidecars_from_scraper: nodes admit .* on 15000-15090/ }],
  ["eks.control-plane-reaches-istio", "the collector admitted over UDP", (j) => (j.resource.aws_vpc_security_group_ingress_rule.mesh_metrics_sidecars_from_scraper.ip_protocol = "udp"), { says: /mesh_metrics_sidecars_from_scraper: nodes admit/ }],
];

/** The key deletion guard: its rule's pattern, its runbook, its targets. */
const guardRule = (j: TfJson): TfJson => j.resource.aws_cloudwatch_event_rule.key_deletion_guard_rule;
const guardPatternEdit = (j: TfJson, edit: (p: TfJson) => void) => {
  const p = JSON.parse(guardRule(j).event_pattern);
  edit(p);
  guardRule(j).event_pattern = JSON.stringify(p);
};
const runbookEdit = (j: TfJson, edit: (d: TfJson) => void) => {
  const d = JSON.parse(j.resource.aws_ssm_document.key_deletion_guard_runbook.content);
  edit(d);
  j.resource.aws_ssm_document.key_deletion_guard_runbook.content = JSON.stringify(d);
};
const cancelTarget = (j: TfJson): TfJson => j.resource.aws_cloudwatch_event_target.key_deletion_guard_cancel;

/** Each condition of the key deletion guard, weakened alone. */
const KEY_GUARD_MUTATIONS: Mutation[] = [
  ["detection.key-deletion-guarded", "no guard", (j) => delete j.resource.aws_cloudwatch_event_rule.key_deletion_guard_rule, { says: /none on ScheduleKeyDeletion/ }],
  ["detection.key-deletion-guarded", "the guard on DisableKey instead", (j) => guardPatternEdit(j, (p) => (p.detail.eventName = ["DisableKey"])), { says: /none on ScheduleKeyDeletion/ }],
  ["detection.key-deletion-guarded", "the guard on events of another source", (j) => guardPatternEdit(j, (p) => (p.source = ["aws.s3"])), { says: /its pattern is not the trail's ScheduleKeyDeletion event/ }],
  ["detection.key-deletion-guarded", "the guard on failed calls only", (j) => guardPatternEdit(j, (p) => (p.detail.errorCode = ["AccessDenied"])), { says: /its pattern is not the trail's ScheduleKeyDeletion event/ }],
  ["detection.key-deletion-guarded", "the audit key unguarded", (j) => guardPatternEdit(j, (p) => (p.detail.responseElements.keyId = p.detail.responseElements.keyId.filter((k: string) => !k.includes("keys_audit_key")))), { says: /does not guard \$\{aws_kms_key.keys_audit_key.arn\}/ }],
  ["detection.key-deletion-guarded", "the guard disabled", (j) => (guardRule(j).state = "DISABLED"), { says: /state is DISABLED/ }],
  ["detection.key-deletion-guarded", "no page", (j) => delete j.resource.aws_cloudwatch_event_target.key_deletion_guard_page, { says: /does not page the security topic/ }],
  ["detection.key-deletion-guarded", "no runbook started", (j) => delete j.resource.aws_cloudwatch_event_target.key_deletion_guard_cancel, { says: /starts no runbook of this stack/ }],
  ["detection.key-deletion-guarded", "a runbook that also re-enables the key", (j) => runbookEdit(j, (d) => d.mainSteps.push({ name: "Enable", action: "aws:executeAwsApi", inputs: { Service: "kms", Api: "EnableKey", KeyId: "{{ KeyId }}" } })), { says: /is not the reviewed runbook/ }],
  ["detection.key-deletion-guarded", "a command document, not an automation", (j) => (j.resource.aws_ssm_document.key_deletion_guard_runbook.document_type = "Command"), { says: /is not the reviewed runbook/ }],
  ["detection.key-deletion-guarded", "the runbook given the request's key id (an alias or a bare id)", (j) => (cancelTarget(j).input_transformer.input_paths.keyId = "$.detail.requestParameters.keyId"), { says: /does not pass the key of the event to the runbook/ }],
  ["detection.key-deletion-guarded", "the runbook given no key", (j) => (cancelTarget(j).input_transformer.input_template = cancelTarget(j).input_transformer.input_template.replace("[<keyId>]", '["alias/none"]')), { says: /does not pass the key of the event to the runbook/ }],
  ["detection.key-deletion-guarded", "the runbook's role may also schedule deletions", (j) => policyEdit(j.resource.aws_iam_role_policy.key_deletion_guard_automation_policy, (d) => (d.Statement[0].Action = ["kms:CancelKeyDeletion", "kms:ScheduleKeyDeletion"])), { says: /may do more than cancel key deletions/ }],
  ["detection.key-deletion-guarded", "the runbook's role without a policy", (j) => delete j.resource.aws_iam_role_policy.key_deletion_guard_automation_policy, { says: /may do more than cancel key deletions, or nothing/ }],
  ["detection.key-deletion-guarded", "the guard's pattern names no key", (j) => guardPatternEdit(j, (p) => delete p.detail.responseElements), { says: /does not guard \$\{aws_kms_key.keys_audit_key.arn\}/ }],
  ["detection.key-deletion-guarded", "a second statement lets the runbook's role disable keys", (j) =>
    policyEdit(j.resource.aws_iam_role_policy.key_deletion_guard_automation_policy, (d) => d.Statement.push({ Effect: "Allow", Action: "kms:DisableKey", Resource: "*" })), { says: /may do more than cancel key deletions, or nothing/ }],
  ["detection.key-deletion-guarded", "the runbook started as a role of another stack", (j) =>
    (cancelTarget(j).input_transformer.input_template = cancelTarget(j).input_transformer.input_template.replace(/\$\{aws_iam_role\.[^.]+\.arn\}/, "arn:aws:iam::111122223333:role/other")), { says: /the runbook's role \(none\) may do more than cancel key deletions, or nothing/ }],
  ["detection.key-deletion-guarded", "no role to start the runbook", (j) => delete cancelTarget(j).role_arn, { says: /no role to start the runbook/ }],
];

/** Each condition of the alerting rules, weakened alone. */
const ALERT_MUTATIONS: Mutation[] = [
  ["detection.alerts-wired", "the topic under the logs key (no topic under the alerts key)", (j) => (topic(j).kms_master_key_id = "${aws_kms_key.keys_logs_key.arn}"), { says: /no topic under the alerts key/ }],
  ["detection.alerts-wired", "a subscriber dropped", (j) => delete j.resource.aws_sns_topic_subscription.alerts_subscriber1, { says: /https subscriber https:\/\/\S+ of alerts.subscribers is not subscribed/ }],
  ["detection.alerts-wired", "a subscriber of another topic", (j) => (j.resource.aws_sns_topic_subscription.alerts_subscriber0.topic_arn = "arn:aws:sns:eu-west-1:111122223333:other"), { says: /email subscriber \S+ of alerts.subscribers is not subscribed/ }],
  ["detection.alerts-wired", "a subscriber over plain HTTP", (j) => (j.resource.aws_sns_topic_subscription.alerts_subscriber1.protocol = "http"), { says: /https subscriber .* is not subscribed/ }],
  ["detection.alerts-wired", "a subscriber's address changed", (j) => (j.resource.aws_sns_topic_subscription.alerts_subscriber0.endpoint = "someone-else@example.com"), { says: /email subscriber .* is not subscribed/ }],
  ["detection.alerts-wired", "a subscriber the region file adds", () => undefined, {
    says: /email subscriber new-oncall@acme.example of alerts.subscribers is not subscribed/,
    region: (r) => ({ ...r, alerts: { subscribers: [...r.alerts.subscribers, { protocol: "email", endpoint: "new-oncall@acme.example" }] } }),
  }],
  ["detection.alerts-wired", "root activity counted only for console sign-ins", (j) => (filter(j).pattern = '{ $.userIdentity.type = "Root" && $.eventName = "ConsoleLogin" }'), { says: /\(CloudWatch.1 root-user-activity\): none with its pattern on the trail's log group/ }],
  ["detection.alerts-wired", "a filter on another log group", (j) => (filter(j, "kms-key-disabled-or-deleted").log_group_name = "${aws_cloudwatch_log_group.network_flow_log_group_log_group.name}"), { says: /\(CloudWatch.7 kms-key-disabled-or-deleted\): none with its pattern/ }],
  ["detection.alerts-wired", "a filter with no alarm", (j) => delete j.resource.aws_cloudwatch_metric_alarm["alerts_alarm-iam-policy-changes"], { says: /filter-iam-policy-changes: no alarm on its metric/ }],
  ["detection.alerts-wired", "the alarm on another namespace", (j) => (alarm(j).namespace = "elsewhere"), { says: /filter-root-user-activity: no alarm on its metric/ }],
  ["detection.alerts-wired", "a filter counting 0 per event", (j) => (filter(j).metric_transformation.value = "0"), { says: /counts 0 per event, not 1/ }],
  ["detection.alerts-wired", "an alarm at five events", (j) => (alarm(j).threshold = 5), { says: /threshold is 5, expected 1/ }],
  ["detection.alerts-wired", "an alarm over a day", (j) => (alarm(j).period = 86400), { says: /period is 86400, expected 300/ }],
  ["detection.alerts-wired", "an alarm after three periods", (j) => (alarm(j).evaluation_periods = 3), { says: /evaluation_periods is 3, expected 1/ }],
  ["detection.alerts-wired", "an alarm on the average", (j) => (alarm(j).statistic = "Average"), { says: /statistic is Average, expected Sum/ }],
  ["detection.alerts-wired", "an alarm above the threshold only", (j) => (alarm(j).comparison_operator = "GreaterThanThreshold"), { says: /comparison_operator is GreaterThanThreshold, expected GreaterThanOrEqualToThreshold/ }],
  ["detection.alerts-wired", "missing data ignored", (j) => (alarm(j).treat_missing_data = "ignore"), { says: /treat_missing_data is ignore, expected notBreaching/ }],
  ["detection.alerts-wired", "an alarm with its actions off", (j) => (alarm(j).actions_enabled = false), { says: /actions_enabled is false/ }],
  ["detection.alerts-wired", "an alarm notifying another topic", (j) => (alarm(j).alarm_actions = ["arn:aws:sns:eu-west-1:111122223333:other"]), { says: /alarm-root-user-activity: does not notify the security topic/ }],
  ["detection.alerts-wired", "GuardDuty from severity 8", (j) => editPattern(j, "guardduty-high", (p) => (p.detail.severity[0].numeric[1] = 8)), { says: /\(guardduty-high\): none with its pattern/ }],
  ["detection.alerts-wired", "Security Hub's CRITICAL findings only", (j) => editPattern(j, "securityhub-high", (p) => (p.detail.findings.Severity.Label = ["CRITICAL"])), { says: /\(securityhub-high\): none with its pattern/ }],
  ["detection.alerts-wired", "a finding rule disabled", (j) => (findingRule(j, "guardduty-high").state = "DISABLED"), { says: /rule-guardduty-high: state is DISABLED/ }],
  ["detection.alerts-wired", "a finding rule targeting another topic", (j) => (findingTarget(j, "securityhub-high").arn = "arn:aws:sns:eu-west-1:111122223333:other"), { says: /rule-securityhub-high: does not target the security topic/ }],
  ["detection.alerts-wired", "a target of another rule", (j) => (findingTarget(j, "guardduty-high").rule = "other"), { says: /rule-guardduty-high: does not target the security topic/ }],
  ["detection.alerts-delivery-admitted", "alarms may not publish", (j) => topicEdit(j, withoutSid("AlarmsOfThisRegion")), { says: /does not let cloudwatch.amazonaws.com publish for this account's own alarms / }],
  ["detection.alerts-delivery-admitted", "rules of any account may publish", topicStatement("FindingRulesOfThisRegion", (x) => delete x.Condition.StringEquals), { says: /does not let events.amazonaws.com publish for this account's own rules / }],
  ["detection.alerts-delivery-admitted", "rules of another account may publish", topicStatement("FindingRulesOfThisRegion", (x) => (x.Condition.StringEquals["aws:SourceAccount"] = "999999999999")), { says: /does not let events.amazonaws.com publish for this account's own rules / }],
  ["detection.alerts-delivery-admitted", "any rule of the account may publish", topicStatement("FindingRulesOfThisRegion", (x) => (x.Condition.ArnLike["aws:SourceArn"] = x.Condition.ArnLike["aws:SourceArn"].replace(/rule\/.*$/, "rule/*"))), { says: /does not let events.amazonaws.com publish for this account's own rules / }],
  ["detection.alerts-delivery-admitted", "alarms of another region may publish", topicStatement("AlarmsOfThisRegion", (x) => (x.Condition.ArnLike["aws:SourceArn"] = "arn:aws:cloudwatch:ap-southeast-1:111122223333:alarm:x-*")), { says: /does not let cloudwatch.amazonaws.com publish for this account's own alarms / }],
  ["detection.alerts-delivery-admitted", "alarms named by no source", topicStatement("AlarmsOfThisRegion", (x) => delete x.Condition.ArnLike), { says: /does not let cloudwatch.amazonaws.com publish for this account's own alarms / }],
  ["detection.alerts-delivery-admitted", "the rules' statement a denial", topicStatement("FindingRulesOfThisRegion", (x) => (x.Effect = "Deny")), { says: /does not let events.amazonaws.com publish for this account's own rules / }],
  ["detection.alerts-delivery-admitted", "the rules may subscribe, not publish", topicStatement("FindingRulesOfThisRegion", (x) => (x.Action = "sns:Subscribe")), { says: /does not let events.amazonaws.com publish for this account's own rules / }],
  ["detection.alerts-delivery-admitted", "the alarms' statement names another service", topicStatement("AlarmsOfThisRegion", (x) => (x.Principal = { Service: "s3.amazonaws.com" })), { says: /does not let cloudwatch.amazonaws.com publish for this account's own alarms / }],
  ["detection.alerts-delivery-admitted", "alarms of another region may also publish", topicStatement("AlarmsOfThisRegion", (x) => (x.Condition.ArnLike["aws:SourceArn"] = [x.Condition.ArnLike["aws:SourceArn"], "arn:aws:cloudwatch:ap-southeast-1:111122223333:alarm:x-*"].flat())), { says: /does not let cloudwatch.amazonaws.com publish for this account's own alarms / }],
  ["detection.alerts-delivery-admitted", "publishing without TLS", (j) => topicEdit(j, withoutSid("TlsOnly")), { says: /does not refuse publishing and subscribing without TLS/ }],
  ["detection.alerts-delivery-admitted", "subscribing without TLS", topicStatement("TlsOnly", (x) => (x.Action = "sns:Publish")), { says: /does not refuse publishing and subscribing without TLS/ }],
  ["detection.alerts-delivery-admitted", "publishing without TLS refused only for Subscribe", topicStatement("TlsOnly", (x) => (x.Action = "sns:Subscribe")), { says: /does not refuse publishing and subscribing without TLS/ }],
  ["detection.alerts-delivery-admitted", "the TLS statement an allow", topicStatement("TlsOnly", (x) => (x.Effect = "Allow")), { says: /does not refuse publishing and subscribing without TLS/ }],
  ["detection.alerts-delivery-admitted", "the TLS denial on TLS requests", topicStatement("TlsOnly", (x) => (x.Condition.Bool["aws:SecureTransport"] = "true")), { says: /does not refuse publishing and subscribing without TLS/ }],
  ["detection.alerts-delivery-admitted", "the key does not admit alarms", (j) => dropKeyStatement(j, "alerts", "CloudWatchAlarmsPublishToTheTopic"), { says: /does not let cloudwatch.amazonaws.com generate data keys and decrypt/ }],
  ["detection.alerts-delivery-admitted", "the key admits rules for another topic", alertsKeyStatement("EventBridgeRulesPublishToTheTopic", (x) => (x.Condition.StringEquals["kms:EncryptionContext:aws:sns:topicArn"] = "arn:aws:sns:eu-west-1:111122223333:other")), { says: /does not let events.amazonaws.com generate data keys/ }],
  ["detection.alerts-delivery-admitted", "the key lets rules generate but not decrypt", alertsKeyStatement("EventBridgeRulesPublishToTheTopic", (x) => (x.Action = ["kms:GenerateDataKey*"])), { says: /does not let events.amazonaws.com generate data keys and decrypt/ }],
  ["detection.alerts-delivery-admitted", "the key lets alarms decrypt but not generate", alertsKeyStatement("CloudWatchAlarmsPublishToTheTopic", (x) => (x.Action = ["kms:Decrypt"])), { says: /does not let cloudwatch.amazonaws.com generate data keys/ }],
  ["detection.alerts-delivery-admitted", "the key's alarm statement a denial", alertsKeyStatement("CloudWatchAlarmsPublishToTheTopic", (x) => (x.Effect = "Deny")), { says: /does not let cloudwatch.amazonaws.com generate data keys/ }],
  ["detection.alerts-delivery-admitted", "the key's rule statement names another service", alertsKeyStatement("EventBridgeRulesPublishToTheTopic", (x) => (x.Principal = { Service: "sns.amazonaws.com" })), { says: /does not let events.amazonaws.com generate data keys/ }],
];

const MUTATIONS: Mutation[] = [
  ...NACL_FIELDS,
  ...SG_FIELDS,
  ...DETECTION_MUTATIONS,
  ...ALERT_MUTATIONS,
  ...CONTAINER_LOG_MUTATIONS,
  ...MESH_ALERT_MUTATIONS,
  ...KEY_GUARD_MUTATIONS,
  ["network.interface-endpoints", "S3 through an interface endpoint", (j, s) =>
    add(j, "aws_vpc_endpoint", "s3_interface", { ...named(j, "aws_vpc_endpoint", (e) => e.vpc_endpoint_type === "Interface"), service_name: `com.amazonaws.${s.region.cloudRegion}.s3` }), {
    says: /aws_vpc_endpoint\.s3_interface: S3 through an interface endpoint/,
  }],
  ["network.partner-endpoint-service", "the load balancer without an access_logs block", (j) => delete first(j, "aws_lb").access_logs, { says: /aws_lb\.[\w-]+: access logs off/ }],
  ["stack.reviewed-resource-types", "an SQS queue nobody reviewed", (j) => add(j, "aws_sqs_queue", "q", { name: "q" })],
  ["residency.in-jurisdiction", "provider in another jurisdiction", (j) => (j.provider.aws[0].region = "ap-southeast-1"), {
    // The message lists the jurisdiction's regions of both clouds, so the reader sees the choice.
    says: /^provider\.aws: names ap-southeast-1, outside [A-Z]+ \((?:[a-z]+-[a-z]+-\d, )+(?:[a-z]+-[a-z0-9]+, )*[a-z]+-[a-z]+\d\)$/,
  }],
  ["residency.in-jurisdiction", "bucket replication without a destination", (j) =>
    add(j, "aws_s3_bucket_replication_configuration", "r", { bucket: "${aws_s3_bucket.audit_archive_archive_bucket.id}", role: "x", rule: [{ status: "Enabled" }] }), {
    says: /aws_s3_bucket_replication_configuration\.r: replicates to undefined, not a bucket of this stack/,
  }],
  ["residency.in-jurisdiction", "backup copies to another jurisdiction", (j) =>
    add(j, "aws_backup_plan", "p", { name: "p", rule: [{ rule_name: "r", target_vault_name: "v", copy_action: [{ destination_vault_arn: "arn:aws:backup:ap-southeast-1:111122223333:backup-vault:dr" }] }] })],
  ["residency.in-jurisdiction", "bucket replication out of the stack", (j) =>
    add(j, "aws_s3_bucket_replication_configuration", "r", { bucket: "${aws_s3_bucket.audit_archive_archive_bucket.id}", role: "x", rule: [{ status: "Enabled", destination: { bucket: "arn:aws:s3:::somewhere-else" } }] })],
  ["residency.in-jurisdiction", "a global database", (j) => add(j, "aws_rds_global_cluster", "g", { global_cluster_identifier: "g" }), { says: /aws_rds_global_cluster\.g: replicates across regions/ }],
  ["residency.in-jurisdiction", "a DynamoDB global table", (j) => add(j, "aws_dynamodb_global_table", "g", { name: "g" }), { says: /aws_dynamodb_global_table\.g: replicates across regions/ }],
  ["residency.in-jurisdiction", "a KMS replica key", (j) => add(j, "aws_kms_replica_key", "r", { primary_key_arn: "${aws_kms_key.keys_logs_key.arn}" }), { says: /aws_kms_replica_key\.r: replicates across regions/ }],
  ["residency.in-jurisdiction", "a KMS replica of an external key", (j) => add(j, "aws_kms_replica_external_key", "r", { primary_key_arn: "${aws_kms_key.keys_logs_key.arn}" }), { says: /aws_kms_replica_external_key\.r: replicates across regions/ }],
  ["residency.in-jurisdiction", "bucket replication to a bucket the stack does not declare", (j) =>
    add(j, "aws_s3_bucket_replication_configuration", "r", { bucket: "${aws_s3_bucket.audit_archive_archive_bucket.id}", role: "x", rule: [{ status: "Enabled", destination: { bucket: "${aws_s3_bucket.gone.arn}" } }] }), {
    says: /replicates to \$\{aws_s3_bucket\.gone\.arn\}, not a bucket of this stack/,
  }],
  ["residency.in-jurisdiction", "an AZ of another jurisdiction named in a tag", (j) => (first(j, "aws_s3_bucket").tags = { Note: "ap-southeast-1a" }), { says: /names ap-southeast-1, outside/ }],
  ["residency.in-jurisdiction", "a GCP region of another jurisdiction named in a tag", (j) => (first(j, "aws_s3_bucket").tags = { Note: "southamerica-east1-a" }), { says: /names southamerica-east1, outside/ }],
  ["residency.in-jurisdiction", "the root CA's region named outside the root's resources (where it is another region)", (j, s) => {
    const root = s.region.mesh.rootCaArn?.split(":")[3];
    first(j, "aws_s3_bucket").tags = { Note: root && root !== s.region.cloudRegion ? root : "ap-southeast-1" };
  }, { says: /aws_s3_bucket\.[\w-]+: names (eu-west-1|ap-southeast-1), outside/ }],
  ["secrets.no-literals", "a secret value in the stack", (j) => add(j, "aws_secretsmanager_secret_version", "v", { secret_id: "x", secret_string: "hunter2" }), { says: /^aws_secretsmanager_secret_version\.v: secret_string is a literal/ }],
  ["secrets.no-literals", "a token in the provider block", (j) => (j.provider.aws[0].token = "session-token-literal"), { says: /: 0\.token is a literal/ }],
  ["secrets.no-literals", "a Secret manifest with data", (j) => add(j, "kubernetes_manifest", "d", { manifest: { apiVersion: "v1", kind: "Secret", metadata: { name: "d" }, data: { k: "dg==" } } }), { says: /kubernetes_manifest\.d: a Secret with its data/ }],
  ["secrets.no-literals", "a sensitive variable with a default", (j) => (j.variable = { ...(j.variable ?? {}), api: { type: "string", sensitive: true, default: "k" } }), { says: /sensitive variable with a default/ }],
  ["secrets.no-literals", "a token in a variable's object default", (j) => (j.variable = { ...(j.variable ?? {}), api: { type: "object", default: { token: "eyJhbGciOi" } } }), { says: /default\.token is a literal/ }],
  ["secrets.no-literals", "a Kubernetes Secret with data", (j) => add(j, "kubernetes_secret", "s", { metadata: { name: "s" }, data: { k: "dmFsdWU=" } }), { says: /kubernetes_secret\.s: a Secret with its data/ }],
  ["secrets.no-literals", "a Kubernetes Secret (v1) with binary data", (j) => add(j, "kubernetes_secret_v1", "s", { metadata: { name: "s" }, binary_data: { k: "dmFsdWU=" } }), { says: /kubernetes_secret_v1\.s: a Secret with its data/ }],
  ["secrets.no-literals", "a Secret manifest with stringData", (j) => add(j, "kubernetes_manifest", "s", { manifest: { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, stringData: { k: "v" } } }), { says: /kubernetes_manifest\.s: a Secret with its data/ }],
  ["encryption.customer-managed-key", "log group under the database key", (j) => (first(j, "aws_cloudwatch_log_group").kms_key_id = "${aws_kms_key.keys_database_key.arn}"), { says: /is not the logs key/ }],
  ["encryption.customer-managed-key", "a queue the blueprint has no key purpose for, under a key of the stack", (j) =>
    add(j, "aws_sqs_queue", "stray", { name: "stray", kms_master_key_id: "${aws_kms_key.keys_logs_key.arn}" }), { says: /has no key purpose/ }],
  ["encryption.customer-managed-key", "a queue with no encryption", (j) => add(j, "aws_sqs_queue", "plain", { name: "plain" }), { says: /not encrypted at rest/ }],
  ["encryption.customer-managed-key", "a volume under a key outside the stack", (j) =>
    add(j, "aws_ebs_volume", "stray", { encrypted: true, kms_key_id: "arn:aws:kms:eu-west-1:111122223333:key/0000" }), { says: /is not a KMS key of this stack/ }],
  ["encryption.customer-managed-key", "a volume under a key the stack does not declare", (j) =>
    add(j, "aws_ebs_volume", "gone", { encrypted: true, kms_key_id: "${aws_kms_key.gone.arn}" }), { says: /is not a KMS key of this stack/ }],
  ["encryption.customer-managed-key", "a store under a key of a stack that declares none", (j) => {
    delete j.resource.aws_kms_key;
    add(j, "aws_ebs_volume", "orphan", { encrypted: true, kms_key_id: "${aws_kms_key.keys_ebs_key.arn}" });
  }, { says: /is not a KMS key of this stack/ }],
  ["encryption.customer-managed-key", "launch template volumes without a key (the AWS-managed aws/ebs)", (j) =>
    first(j, "aws_launch_template").block_device_mappings.forEach((m: TfJson) => delete m.ebs.kms_key_id), { says: /AWS-owned or AWS-managed/ }],
  ["encryption.customer-managed-key", "a second launch template volume without a key, beside one with the ebs key", (j) => {
    const template = first(j, "aws_launch_template");
    template.block_device_mappings = [...template.block_device_mappings, { device_name: "/dev/xvdz", ebs: [{ encrypted: true, volume_size: 10 }] }];
  }, { says: /AWS-owned or AWS-managed/ }],
  ["encryption.customer-managed-key", "ECR with AES256", (j) => (first(j, "aws_ecr_repository").encryption_configuration = [{ encryption_type: "AES256" }]), { says: /not encrypted at rest/ }],
  ["encryption.customer-managed-key", "secret under the AWS-managed key", (j) => delete first(j, "aws_secretsmanager_secret").kms_key_id, { says: /not encrypted at rest/ }],
  ["encryption.customer-managed-key", "Kafka at rest under a foreign key", (j) => (first(j, "aws_msk_cluster").encryption_info.encryption_at_rest_kms_key_arn = "arn:aws:kms:eu-west-1:999999999999:key/x"), { says: /is not a KMS key of this stack/ }],
  ["exposure.private-only", "internet-facing NLB", (j) => (first(j, "aws_lb").internal = false), { says: /internet-facing load balancer/ }],
  ["exposure.private-only", "public Kubernetes API", (j) => (first(j, "aws_eks_cluster").vpc_config.endpoint_public_access = true), { says: /Kubernetes API endpoint is public/ }],
  ["exposure.private-only", "a NAT gateway", (j) => add(j, "aws_nat_gateway", "n", { subnet_id: "x" }), { says: /aws_nat_gateway\.n: a NAT gateway/ }],
  ["exposure.private-only", "endpoint service open to anyone", (j) => (first(j, "aws_vpc_endpoint_service").allowed_principals = ["*"]), { says: /any AWS principal may connect/ }],
  ["exposure.private-only", "a subnet that assigns public IPs", (j) => (first(j, "aws_subnet").map_public_ip_on_launch = true), { says: /assigns public IPs on launch/ }],
  ["exposure.private-only", "an instance with a public IP", (j) => add(j, "aws_instance", "i", { associate_public_ip_address: true }), { says: /aws_instance\.i: has a public IP/ }],
  ["exposure.private-only", "a launch template that gives nodes public IPs", (j) => (first(j, "aws_launch_template").network_interfaces = [{ device_index: 0 }, { device_index: 1, associate_public_ip_address: true }]), {
    says: /launches instances with public IPs/,
  }],
  ["exposure.private-only", "a database instance publicly accessible", (j) => (first(j, "aws_rds_cluster_instance").publicly_accessible = true), { says: /aws_rds_cluster_instance\.[\w-]+: publicly accessible/ }],
  ["exposure.private-only", "an RDS instance that does not say it is private", (j) => add(j, "aws_db_instance", "d", { engine: "postgres" }), { says: /aws_db_instance\.d: publicly accessible/ }],
  ["exposure.private-only", "Kafka brokers with public IPs", (j) => (brokerInfo(j).connectivity_info = [{ public_access: [{ type: "SERVICE_PROVIDED_EIPS" }] }]), {
    says: /public access SERVICE_PROVIDED_EIPS/,
  }],
  ["exposure.private-only", "an endpoint service that accepts without review", (j) => (first(j, "aws_vpc_endpoint_service").acceptance_required = false), { says: /accepted without review/ }],
  ["exposure.private-only", "an endpoint service principal grant to anyone", (j) => add(j, "aws_vpc_endpoint_service_allowed_principal", "p", { vpc_endpoint_service_id: "x", principal_arn: "*" }), {
    says: /aws_vpc_endpoint_service_allowed_principal\.p: any AWS principal may connect/,
  }],
  ["exposure.private-only", "an internet gateway", (j) => add(j, "aws_internet_gateway", "g", { vpc_id: "x" }), { says: /an internet gateway/ }],
  ["exposure.private-only", "an egress-only internet gateway", (j) => add(j, "aws_egress_only_internet_gateway", "g", { vpc_id: "x" }), { says: /egress-only internet gateway/ }],
  ["exposure.private-only", "an Elastic IP", (j) => add(j, "aws_eip", "e", { domain: "vpc" }), { says: /an Elastic IP/ }],
  ["exposure.private-only", "a repository policy open to any principal", (j) =>
    add(j, "aws_ecr_repository_policy", "p", { repository: "r", policy: JSON.stringify({ Statement: [{ Effect: "Allow", Principal: "*", Action: "ecr:BatchGetImage" }] }) }), { says: /repository policy allows any principal/ }],
  ["exposure.private-only", "a repository policy open to any AWS principal", (j) =>
    add(j, "aws_ecr_repository_policy", "p", { repository: "r", policy: JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "ecr:BatchGetImage" }] }) }), { says: /repository policy allows any principal/ }],
  ["tls.listeners", "the passthrough on another port", (j) => (first(j, "aws_lb_listener").port = 8443), { says: /protocol TCP, not TLS or HTTPS/ }],
  ["tls.listeners", "the passthrough to another target group", (j) => (first(j, "aws_lb_target_group").port = 8443), { says: /protocol TCP, not TLS or HTTPS/ }],
  ["tls.listeners", "the passthrough in a region without partners", () => undefined, { says: /protocol TCP, not TLS or HTTPS/, region: (r) => ({ ...r, edge: undefined }) }],
  ["tls.listeners", "the passthrough that also forwards elsewhere", (j) => first(j, "aws_lb_listener").default_action.push({ type: "forward", target_group_arn: "x" }), { says: /protocol TCP, not TLS or HTTPS/ }],
  ["tls.listeners", "a second listener on TLS 1.0", (j) => add(j, "aws_lb_listener", "old", { protocol: "TLS", port: 8443, ssl_policy: "ELBSecurityPolicy-2016-08", certificate_arn: "arn:aws:acm:eu-west-1:111122223333:certificate/c" }), { says: /aws_lb_listener\.old: ssl_policy ELBSecurityPolicy-2016-08 is not a reviewed TLS/ }],
  ["tls.listeners", "a second TLS listener without a certificate", (j) => add(j, "aws_lb_listener", "nocert", { protocol: "TLS", port: 8443, ssl_policy: "ELBSecurityPolicy-TLS13-1-2-2021-06" }), { says: /aws_lb_listener\.nocert: no certificate/ }],
  ["tls.listeners", "an ALB listener on plain HTTP", (j) => add(j, "aws_alb_listener", "l", { protocol: "HTTP", port: 80 }), { says: /aws_alb_listener\.l: protocol HTTP/ }],
  ["iam.no-wildcard-admin", "* on *", (j) => policyEdit(first(j, "aws_iam_role_policy"), (d) => d.Statement.push({ Sid: "All", Effect: "Allow", Action: "*", Resource: "*" })), { says: /statement All allows \* on \*$/ }],
  ["iam.no-wildcard-admin", "s3:* on *", (j) => policyEdit(first(j, "aws_iam_role_policy"), (d) => d.Statement.push({ Sid: "S3", Effect: "Allow", Action: ["s3:*"], Resource: ["*"] })), { says: /statement S3 allows s3:\* on \*$/ }],
  ["iam.no-wildcard-admin", "AdministratorAccess attached", (j) => (first(j, "aws_iam_role_policy_attachment").policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"), { says: /attaches arn:aws:iam::aws:policy\/AdministratorAccess, not a reviewed AWS managed policy/ }],
  ["iam.no-long-lived-credentials", "an IAM user", (j) => add(j, "aws_iam_user", "u", { name: "ci" }), { says: /aws_iam_user\.u: long-lived IAM credentials/ }],
  ["residency.in-jurisdiction", "the DR partner outside the jurisdiction", (j, s) => {
    const dr = (j.provider.aws as TfJson[]).find((p) => p.alias === "dr");
    if (dr) dr.region = s.region.jurisdiction === "US" ? "eu-west-1" : "us-east-1";
    else j.provider.aws.push({ alias: "dr", region: s.region.jurisdiction === "US" ? "eu-west-1" : "us-east-1" });
  }],
  ["network.partner-endpoint-service", "consumers in another region", (j) => (first(j, "aws_vpc_endpoint_service").supported_regions = ["ap-south-1"])],
  ["mesh.intermediate-ca", "another certificate installed", (j) => (first(j, "aws_acmpca_certificate_authority_certificate").certificate = "-----BEGIN CERTIFICATE-----x"), { says: /the certificate installed is not the one the root signed/ }],
  ["mesh.intermediate-ca", "no revocation", (j) => (first(j, "aws_acmpca_certificate_authority").revocation_configuration.ocsp_configuration.enabled = false), { says: /no revocation \(OCSP off\)/ }],
  ["eks.workload-identity-least-privilege", "the replication role may delete archive records", (j, s) => {
    if (!s.region.drPartnerRegion) return void add(j, "aws_iam_role_policy", "x", { role: "${aws_iam_role.database_monitoring_role.name}", policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:DeleteObject", Resource: "${aws_s3_bucket.audit_archive_archive_bucket.arn}/*" }] }) });
    policyEdit(j.resource.aws_iam_role_policy.dr_replication_policy, (d) => d.Statement.push({ Sid: "Delete", Effect: "Allow", Action: "s3:DeleteObject", Resource: "${aws_s3_bucket.audit_archive_archive_bucket.arn}/*" }));
  }],
  ["keys.one-per-purpose", "a DR alias left in the home region", (j) => {
    const alias = Object.values(j.resource.aws_kms_alias as Record<string, TfJson>).find((a) => a.provider === "aws.dr");
    if (alias) delete alias.provider;
    else add(j, "aws_kms_key", "stray", { description: "x" });
  }],
  ["stack.references-resolve", "a reference to a resource the stack does not declare", (j) => (first(j, "aws_kms_alias").target_key_id = "${aws_kms_key.gone.key_id}"), { says: /: aws_kms_key\.gone is referenced/ }],
  ["stack.references-resolve", "depends on a resource the stack does not declare", (j) => (first(j, "aws_kms_alias").depends_on = ["aws_kms_key.gone"]), { says: /^aws_kms_alias\.[\w-]+: depends on aws_kms_key\.gone/ }],
  ["stack.references-resolve", "depends on an attribute (Terraform refuses it)", (j) => (first(j, "aws_kms_alias").depends_on = [`aws_kms_key.${Object.keys(j.resource.aws_kms_key)[0]}.arn`]), {
    says: /depends on aws_kms_key\.[\w-]+\.arn, which is not a resource, data source or module address/,
  }],
  ["stack.references-resolve", "depends on a declared resource behind a prefix", (j) => (first(j, "aws_kms_alias").depends_on = [`x.aws_kms_key.${Object.keys(j.resource.aws_kms_key)[0]}`]), {
    says: /depends on x\.aws_kms_key\.[\w-]+, which is not a resource, data source or module address/,
  }],
  ["stack.references-resolve", "depends on a data source the stack does not declare", (j) => (first(j, "aws_kms_alias").depends_on = ["data.aws_caller_identity.me"]), { says: /depends on data\.aws_caller_identity\.me/ }],
  ["stack.references-resolve", "a data source that depends on a resource the stack does not declare", (j) =>
    (j.data = { aws_iam_policy_document: { d: { depends_on: ["aws_kms_key.gone"] } } }), { says: /^data\.aws_iam_policy_document\.d: depends on aws_kms_key\.gone/ }],
  ["stack.references-resolve", "a data source reference the stack does not declare", (j) => (first(j, "aws_kms_alias").target_key_id = "${data.aws_kms_key.gone.id}"), { says: /data\.aws_kms_key\.gone is referenced/ }],
  ["stack.references-resolve", "a reference in a template directive", (j) => (j.output.leak = { value: '%{ if aws_kms_key.gone.id != "" }x%{ endif }' }), { says: /aws_kms_key\.gone is referenced/ }],
  ["stack.references-resolve", "a reference after a string holding a brace", (j) => (j.output.leak = { value: '${format("}", aws_kms_key.gone.id)}' }), { says: /aws_kms_key\.gone is referenced/ }],
  ["stack.references-resolve", "a reference after a string holding an escaped quote and a brace", (j) => (j.output.leak = { value: '${format("\\"}", aws_kms_key.gone.id)}' }), { says: /aws_kms_key\.gone is referenced/ }],
  ["stack.references-resolve", "a reference after an object in the expression", (j) => (j.output.leak = { value: "${merge({ a = 1 }, { b = aws_kms_key.gone.id })}" }), { says: /aws_kms_key\.gone is referenced/ }],
  ["stack.references-resolve", "a reference after an escaped template", (j) => (j.output.leak = { value: "$${literal} ${aws_kms_key.gone.id}" }), { says: /aws_kms_key\.gone is referenced/ }],
  ["stack.references-resolve", "cdktf's implicit cross-stack reference", (j) =>
    (j.output.leak = { value: "${data.terraform_remote_state.cross-stack-reference-input-region-us.outputs.cross-stack-output-aws_kms_keykeys_audit_keyarn}" }), {
    says: /references another stack's resource \(cross-stack-reference-input-region-us\.outputs\.cross-stack-output-aws_kms_keykeys_audit_keyarn\)/,
  }],
  ["mesh.intermediate-ca", "no outputs for the in-cluster stacks", (j) => delete j.output, { says: /^output\.\S+: not the intermediate's ARN/ }],
  ["mesh.intermediate-ca", "a root CA in the region", (j) => (first(j, "aws_acmpca_certificate_authority").type = "ROOT"), { says: /type ROOT, expected SUBORDINATE/ }],
  ["mesh.intermediate-ca", "no name constraint (it could issue another region's identities)", (j) => delete first(j, "aws_acmpca_certificate").api_passthrough, { says: /not name-constrained/ }],
  ["mesh.intermediate-ca", "a name constraint to another trust domain", (j) =>
    (first(j, "aws_acmpca_certificate").api_passthrough = first(j, "aws_acmpca_certificate").api_passthrough.replace(/"Value":"[^"]+"/, '"Value":"MBOgETAPhg1jbHVzdGVyLmxvY2Fs"')), { says: /not name-constrained/ }],
  ["mesh.intermediate-ca", "general-purpose mode", (j) => (first(j, "aws_acmpca_certificate_authority").usage_mode = "GENERAL_PURPOSE"), { says: /usage mode GENERAL_PURPOSE/ }],
  ["mesh.intermediate-ca", "a sibling CA under the root, without a name constraint", (j) =>
    add(j, "aws_acmpca_certificate", "sibling", { ...first(j, "aws_acmpca_certificate"), certificate_signing_request: "-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----", api_passthrough: undefined }), { says: /aws_acmpca_certificate\.sibling: a certificate issued in Terraform other than the intermediate's/ }],
  ["mesh.intermediate-ca", "a long-lived leaf issued in Terraform", (j) =>
    add(j, "aws_acmpca_certificate", "leaf", { certificate_authority_arn: first(j, "aws_acmpca_certificate_authority_certificate").certificate_authority_arn, certificate_signing_request: "x", signing_algorithm: "SHA256WITHECDSA", validity: { type: "YEARS", value: "3" } }), { says: /aws_acmpca_certificate\.leaf: a certificate issued in Terraform other than the intermediate's/ }],
  ["mesh.intermediate-ca", "an extra CA in the trust anchor", (j) => (j.output.mesh_trust_anchor.value = `${j.output.mesh_trust_anchor.value}\n-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----`), { says: /output\.mesh_trust_anchor: not the chain/ }],
  ["mesh.intermediate-ca", "the issuer pointed at another CA", (j) => (j.output.mesh_ca_arn.value = "arn:aws:acm-pca:eu-west-1:123456789012:certificate-authority/00000000-0000-0000-0000-000000000000"), { says: /output\.mesh_ca_arn: not the intermediate's ARN/ }],
  ["mesh.ca-issuer-least-privilege", "IssueCertificate through an inline policy of the node role", (j) =>
    (j.resource.aws_iam_role.eks_node_role.inline_policy = [{ name: "x", policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "acm-pca:IssueCertificate", Resource: first(j, "aws_acmpca_certificate_authority_certificate").certificate_authority_arn }] }) }]), { says: /IssueCertificate granted outside the issuer's role policy/ }],
  ["mesh.ca-issuer-least-privilege", "IssueCertificate on every CA", (j) => policyEdit(issuerPolicy(j), (d) => (d.Statement[0].Resource = "*")), { says: /on \"\*\", not the intermediate alone/ }],
  ["mesh.ca-issuer-least-privilege", "a CA template allowed", (j) =>
    policyEdit(issuerPolicy(j), (d) => d.Statement[0].Condition.StringEquals["acm-pca:TemplateArn"].push("arn:aws:acm-pca:::template/SubordinateCACertificate_PathLen0/V1")), { says: /expected a StringEquals on acm-pca:TemplateArn within the end-entity templates/ }],
  ["mesh.ca-issuer-least-privilege", "no template condition", (j) => policyEdit(issuerPolicy(j), (d) => delete d.Statement[0].Condition), { says: /templates \[\]; expected a StringEquals/ }],
  ["mesh.ca-issuer-least-privilege", "acm-pca:* for the issuer", (j) => policyEdit(issuerPolicy(j), (d) => (d.Statement[0].Action = "acm-pca:*")), { says: /actions \"acm-pca:\*\", expected acm-pca:IssueCertificate alone/ }],
  ["mesh.ca-issuer-least-privilege", "a service may issue too", (j) =>
    policyEdit(serviceRolePolicy(j), (d) => d.Statement.push({ Sid: "Mint", Effect: "Allow", Action: "acm-pca:Issue*", Resource: first(j, "aws_acmpca_certificate_authority_certificate").certificate_authority_arn })), { says: /2 statements grant acm-pca:IssueCertificate, expected exactly one/ }],
  ["mesh.ca-issuer-least-privilege", "the issuer's role bound to a workload's service account", (j) =>
    (Object.values(j.resource.aws_eks_pod_identity_association as Record<string, TfJson>).find((a) => a.service_account === "aws-privateca-issuer")!.service_account = "payment-core"), { says: /the role is not the Pod Identity of cert-manager\/aws-privateca-issuer/ }],
  ["exposure.private-only", "a repository policy open to any principal, pretty-printed", (j) =>
    add(j, "aws_ecr_repository_policy", "pretty", { repository: "x", policy: JSON.stringify({ Statement: [{ Effect: "Allow", Principal: "*", Action: "ecr:BatchGetImage" }] }, null, 2) }), { says: /repository policy allows any principal/ }],
  ["exposure.private-only", "a repository policy open to any AWS principal, pretty-printed", (j) =>
    add(j, "aws_ecr_repository_policy", "pretty", { repository: "x", policy: JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "ecr:BatchGetImage" }] }, null, 2) }), { says: /repository policy allows any principal/ }],
  ["resilience.multi-az", "Kafka without broker placement", (j) => delete first(j, "aws_msk_cluster").broker_node_group_info, { says: /aws_msk_cluster\.[\w-]+: no subnet in/ }],
  ["dr.partner-region-copies", "the replica's lock configuration removed", (j) => {
    const [n] = Object.entries(j.resource.aws_s3_bucket_object_lock_configuration as Record<string, TfJson>).find(([, l]) => l.provider === "aws.dr")!;
    delete j.resource.aws_s3_bucket_object_lock_configuration[n];
  }, { when: withPartner, says: /not locked in COMPLIANCE mode/ }],
  ["kafka.tls-and-auth", "no encryption block", (j) => delete first(j, "aws_msk_cluster").encryption_info, { says: /traffic is not TLS only/ }],
  ["kafka.tls-and-auth", "no SASL block", (j) => delete first(j, "aws_msk_cluster").client_authentication.sasl, { says: /SASL\/SCRAM and IAM are not both on/ }],
  ["kafka.tls-and-auth", "no public access block (left to the default)", (j) => delete brokerInfo(j).connectivity_info.public_access, { says: /public access is not DISABLED/ }],
  ["kafka.tls-and-auth", "no connectivity block", (j) => delete brokerInfo(j).connectivity_info, { says: /public access is not DISABLED/ }],
  ["kafka.tls-and-auth", "no broker node group block", (j) => delete first(j, "aws_msk_cluster").broker_node_group_info, { says: /public access is not DISABLED/ }],
  ["kafka.encrypted-logged-protected", "no encryption block", (j) => delete first(j, "aws_msk_cluster").encryption_info, { says: /not encrypted at rest with the kafka key/ }],
  ["kafka.encrypted-logged-protected", "no logging block", (j) => delete first(j, "aws_msk_cluster").logging_info, { says: /broker logs not sent/ }],
  ["kafka.encrypted-logged-protected", "no broker logs block", (j) => delete first(j, "aws_msk_cluster").logging_info.broker_logs, { says: /broker logs not sent/ }],
  ["kafka.encrypted-logged-protected", "no CloudWatch logs block", (j) => delete first(j, "aws_msk_cluster").logging_info.broker_logs.cloudwatch_logs, { says: /broker logs not sent/ }],
  ["kafka.brokers-spread-over-azs", "no broker node group block", (j) => delete first(j, "aws_msk_cluster").broker_node_group_info, { says: /brokers are not in the data tier/ }],
  ["kafka.configuration", "no configuration block", (j) => delete first(j, "aws_msk_cluster").configuration_info, { says: /no configuration of this stack/ }],
  ["kafka.idempotent-producers", "idempotent writes only denied", (j) => policyEdit(serviceRolePolicy(j), (d) => d.Statement.filter((x) => x.Sid === "WriteIdempotently").forEach((x) => (x.Effect = "Deny"))), {
    says: /may write to topics but not idempotently/,
  }],
  ["kafka.idempotent-producers", "writes on a topic and the cluster, not idempotently", (j) => policyEdit(serviceRolePolicy(j), (d) => {
    d.Statement = d.Statement.filter((x) => x.Sid !== "WriteIdempotently");
    const w = d.Statement.find((x) => [x.Action].flat().includes("kafka-cluster:WriteData"))!;
    w.Resource = [...[w.Resource].flat(), mskArn(j)];
  }), { says: /may write to topics but not idempotently/ }],
  ["iam.no-wildcard-admin", "s3:Get* on every resource (it covers GetObject)", (j) => policyEdit(first(j, "aws_iam_role_policy"), (d) => d.Statement.push({ Sid: "Get", Effect: "Allow", Action: "s3:Get*", Resource: "*" })), {
    says: /statement Get allows s3:Get\* on every resource$/,
  }],
  ["iam.no-wildcard-admin", "kms:*crypt on every key", (j) => policyEdit(first(j, "aws_iam_role_policy"), (d) => d.Statement.push({ Sid: "Crypt", Effect: "Allow", Action: "kms:*crypt", Resource: "*" })), {
    says: /statement Crypt allows kms:\*crypt on every resource$/,
  }],
  ["iam.no-wildcard-admin", "a one-character wildcard on every secret", (j) => policyEdit(first(j, "aws_iam_role_policy"), (d) => d.Statement.push({ Sid: "Sec", Effect: "Allow", Action: "secretsmanager:GetSecretValu?", Resource: "*" })), {
    says: /statement Sec allows secretsmanager:GetSecretValu\? on every resource$/,
  }],
  ["iam.no-wildcard-admin", "two whole services on *", (j) => policyEdit(first(j, "aws_iam_role_policy"), (d) => d.Statement.push({ Sid: "Two", Effect: "Allow", Action: ["s3:*", "kms:*"], Resource: "*" })), {
    says: /statement Two allows s3:\*, kms:\* on \*$/,
  }],
  ["iam.no-wildcard-admin", "a whole service beside a harmless action on *", (j) => policyEdit(first(j, "aws_iam_role_policy"), (d) => d.Statement.push({ Sid: "Mixed", Effect: "Allow", Action: ["s3:*", "ec2:DescribeInstances"], Resource: "*" })), {
    says: /statement Mixed allows s3:\* on \*$/,
  }],
  ["iam.no-wildcard-admin", "two data actions on every resource", (j) => policyEdit(first(j, "aws_iam_role_policy"), (d) => d.Statement.push({ Sid: "Data", Effect: "Allow", Action: ["kms:Decrypt", "s3:GetObject"], Resource: "*" })), {
    says: /statement Data allows kms:Decrypt, s3:GetObject on every resource$/,
  }],
  ["iam.no-wildcard-admin", "a data action beside a harmless one on every resource", (j) => policyEdit(first(j, "aws_iam_role_policy"), (d) => d.Statement.push({ Sid: "One", Effect: "Allow", Action: ["kms:Decrypt", "ec2:DescribeInstances"], Resource: "*" })), {
    says: /statement One allows kms:Decrypt on every resource$/,
  }],
  ["iam.no-wildcard-admin", "a service's managed policy attached to a user", (j) => add(j, "aws_iam_user_policy_attachment", "u", { user: "ops", policy_arn: monitoringAttachment(j).policy_arn }), {
    says: /^aws_iam_user_policy_attachment\.u: attaches \S+AmazonRDSEnhancedMonitoringRole to a role that monitoring\.rds\.amazonaws\.com does not assume/,
  }],
  ["iam.no-wildcard-admin", "a service's managed policy on a role of the stack that it does not trust", (j) => (j.resource.aws_iam_role.eks_node_role.managed_policy_arns = [monitoringAttachment(j).policy_arn]), {
    says: /^aws_iam_role\.[\w-]+: attaches \S+AmazonRDSEnhancedMonitoringRole to a role that monitoring\.rds\.amazonaws\.com does not assume/,
  }],
  ["iam.no-wildcard-admin", "the monitoring role removed, its attachment left", (j) => delete j.resource.aws_iam_role[monitoringRoleName(j)], {
    says: /attaches \S+AmazonRDSEnhancedMonitoringRole to a role that monitoring\.rds\.amazonaws\.com does not assume/,
  }],
  ["iam.trust-named-principals", "a trust statement without a principal", (j) => (trustTarget(j).assume_role_policy = JSON.stringify({ Statement: [{ Sid: "Anyone", Effect: "Allow", Action: "sts:AssumeRole" }] })), {
    says: /trust statement Anyone names no principal/,
  }],
  ["iam.trust-named-principals", "two services trusted without a source condition", (j) =>
    (trustTarget(j).assume_role_policy = JSON.stringify({ Statement: [{ Sid: "Svc", Effect: "Allow", Principal: { Service: ["ec2.amazonaws.com", "lambda.amazonaws.com"] }, Action: "sts:AssumeRole" }] })), {
    says: /trust statement Svc admits ec2\.amazonaws\.com, lambda\.amazonaws\.com without/,
  }],
  ["iam.resource-policies-name-principals", "a statement without a Sid for any principal", (j) => policyEdit(bucketPolicy(j), (d) => d.Statement.push({ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "*" })), {
    says: /statement \(no Sid\) allows any principal/,
  }],
  ["iam.resource-policies-name-principals", "two services without a source condition", (j) =>
    policyEdit(bucketPolicy(j), (d) => d.Statement.push({ Sid: "Svc", Effect: "Allow", Principal: { Service: ["logging.s3.amazonaws.com", "delivery.logs.amazonaws.com"] }, Action: "s3:PutObject", Resource: "*" })), {
    says: /statement Svc allows logging\.s3\.amazonaws\.com, delivery\.logs\.amazonaws\.com without/,
  }],
  ["eks.control-plane-reaches-istio", "the 15017 rule on the cluster's group instead", (j) => (controlPlaneRule(j, 15017).security_group_id = CLUSTER_SG), { says: /^aws_security_group\.[\w-]+: no .*\(15017\) from the control plane/ }],
  ["eks.control-plane-reaches-istio", "the 15017 rule from another group", (j) => (controlPlaneRule(j, 15017).referenced_security_group_id = "sg-0123456789abcdef0"), { says: /^aws_security_group\.[\w-]+: no .*\(15017\) from the control plane/ }],
  ["eks.control-plane-reaches-istio", "the 15017 rule as a range ending there", (j) => (controlPlaneRule(j, 15017).from_port = 15000), { says: /^aws_security_group\.[\w-]+: no .*\(15017\) from the control plane/ }],
  ["eks.control-plane-reaches-istio", "the 15017 rule as a range starting there", (j) => (controlPlaneRule(j, 15017).to_port = 15020), { says: /^aws_security_group\.[\w-]+: no .*\(15017\) from the control plane/ }],
  ["eks.control-plane-reaches-istio", "the load balancer admitted on a range from a target port", (j) => (j.resource.aws_vpc_security_group_ingress_rule.eks_partner_api_targets_30443.to_port = 31021), { says: /nodes admit \$\{aws_security_group\.\S+ on 30443-31021/ }],
  ["eks.control-plane-reaches-istio", "the load balancer admitted on every protocol", (j) => (j.resource.aws_vpc_security_group_ingress_rule.eks_partner_api_targets_30443.ip_protocol = "-1"), { says: /nodes admit \$\{aws_security_group\.\S+ on 30443-30443/ }],
  ["eks.control-plane-reaches-istio", "the API open from 442", (j) => (apiRule(j).from_port = 442), { says: /the API admits \S+ on 442-443/ }],
  ["eks.control-plane-reaches-istio", "the API open up to 444", (j) => (apiRule(j).to_port = 444), { says: /the API admits \S+ on 443-444/ }],
  ["eks.control-plane-reaches-istio", "the API open to a security group", (j) => add(j, "aws_vpc_security_group_ingress_rule", "api_sg", { security_group_id: CLUSTER_SG, ip_protocol: "tcp", from_port: 443, to_port: 443, referenced_security_group_id: "sg-0abc" }), { says: /the API admits sg-0abc on 443-443/ }],
  ["eks.control-plane-reaches-istio", "no cluster", (j) => delete j.resource.aws_eks_cluster, { says: /security group \(launch template\) not found/ }],
  ["eks.control-plane-reaches-istio", "no node group", (j) => delete j.resource.aws_eks_node_group, { says: /security group \(launch template\) not found/ }],
  ["eks.control-plane-reaches-istio", "the nodes' launch template of another stack", (j) => (j.resource.aws_eks_node_group.eks_node_group.launch_template.id = "${aws_launch_template.missing.id}"), { says: /security group \(launch template\) not found/ }],
  ["eks.control-plane-reaches-istio", "no launch template at all", (j) => delete j.resource.aws_launch_template, { says: /security group \(launch template\) not found/ }],
  ["eks.control-plane-reaches-istio", "a node group without its launch template", (j) => delete j.resource.aws_eks_node_group.eks_node_group.launch_template, { says: /security group \(launch template\) not found/ }],
  ["eks.control-plane-reaches-istio", "a cluster without its network block", (j) => delete first(j, "aws_eks_cluster").vpc_config, { says: /security group \(launch template\) not found/ }],
  ["eks.private-encrypted-logged", "no network block", (j) => delete first(j, "aws_eks_cluster").vpc_config, { says: /API endpoint not private-only/ }],
  ["eks.private-encrypted-logged", "secrets' key provider missing", (j) => delete first(j, "aws_eks_cluster").encryption_config.provider, { says: /secrets not encrypted with the eks-secrets key/ }],
  ["eks.private-encrypted-logged", "no access block", (j) => delete first(j, "aws_eks_cluster").access_config, { says: /not access-entries only/ }],
  ["eks.private-encrypted-logged", "no upgrade policy (extended support by default)", (j) => delete first(j, "aws_eks_cluster").upgrade_policy, { says: /extended support allowed/ }],
  ["eks.access-entries", "the deploy role only a viewer", (j, s) =>
    (named(j, "aws_eks_access_policy_association", (p) => p.principal_arn === s.region.eks.deployRoleArn).policy_arn = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"), { says: /cluster admins/ }],
  ["eks.access-entries", "an admin association without a scope", (j, s) => delete named(j, "aws_eks_access_policy_association", (p) => p.principal_arn === s.region.eks.deployRoleArn).access_scope, { says: /cluster admins/ }],
  ["eks.nodes-hardened", "a node group without its launch template", (j) => delete first(j, "aws_eks_node_group").launch_template, { says: /no launch template of this stack/ }],
  ["eks.nodes-hardened", "a second, unencrypted volume", (j) => first(j, "aws_launch_template").block_device_mappings.push({ device_name: "/dev/xvdb", ebs: { encrypted: "false" } }), { says: /volumes not encrypted with the ebs key/ }],
  ["eks.nodes-hardened", "an instance-store volume beside the root", (j) => first(j, "aws_launch_template").block_device_mappings.push({ device_name: "/dev/sdb", virtual_name: "ephemeral0" }), { says: /volumes not encrypted with the ebs key/ }],
  ["eks.nodes-follow-cluster", "a node group without a version (it keeps the one it was created with)", (j) => delete first(j, "aws_eks_node_group").version, { says: /version is not its cluster's/ }],
  ["eks.nodes-follow-cluster", "a node group pinned to a literal version", (j) => (first(j, "aws_eks_node_group").version = "1.34"), { says: /version is not its cluster's/ }],
  ["eks.nodes-follow-cluster", "a node group naming its cluster literally", (j) => (first(j, "aws_eks_node_group").cluster_name = "acme-pay-eu"), { says: /version is not its cluster's/ }],
  ["eks.private-images", "no scanning block", (j) => delete first(j, "aws_ecr_repository").image_scanning_configuration, { says: /no scan on push/ }],
  ["eks.private-images", "AES256 while naming the ecr key", (j) => (first(j, "aws_ecr_repository").encryption_configuration = [{ encryption_type: "AES256", kms_key: keyArnOf(j, "ecr") }]), { says: /not encrypted with the ecr key/ }],
  ["eks.private-images", "no encryption block", (j) => delete first(j, "aws_ecr_repository").encryption_configuration, { says: /not encrypted with the ecr key/ }],
  ["eks.workload-identity-least-privilege", "a Pod Identity role with a second trust statement", (j) => podIdentityTrustEdit(j, (d) => d.Statement.push({ ...d.Statement[0] })), { says: /role not trusted by this cluster's Pod Identity/ }],
  ["eks.workload-identity-least-privilege", "a Pod Identity role trusted by EC2", (j) => podIdentityTrustEdit(j, (d) => (d.Statement[0].Principal = { Service: "ec2.amazonaws.com" })), { says: /role not trusted by this cluster's Pod Identity/ }],
  ["eks.workload-identity-least-privilege", "a Pod Identity role trusted without conditions", (j) => podIdentityTrustEdit(j, (d) => delete d.Statement[0].Condition), { says: /role not trusted by this cluster's Pod Identity/ }],
  ["eks.workload-identity-least-privilege", "a customer managed policy with a whole service", (j) =>
    add(j, "aws_iam_policy", "p", { policy: JSON.stringify({ Statement: [{ Sid: "All", Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::x" }] }) }), { says: /^aws_iam_policy\.p: statement All allows s3:\*$/ }],
  ["eks.workload-identity-least-privilege", "every action on one resource", (j) => policyEdit(serviceRolePolicy(j), (d) => d.Statement.push({ Sid: "All", Effect: "Allow", Action: "*", Resource: "arn:aws:s3:::x" })), { says: /statement All allows \*$/ }],
  ["eks.workload-identity-least-privilege", "a whole service beside an action", (j) => policyEdit(serviceRolePolicy(j), (d) => d.Statement.push({ Sid: "Two", Effect: "Allow", Action: ["s3:GetObject", "s3:*"], Resource: "arn:aws:s3:::x" })), { says: /statement Two allows s3:GetObject, s3:\*$/ }],
  ["eks.workload-identity-least-privilege", "the tokenization key beside another key, for a service that does not declare it", (j) => {
    const p = named(j, "aws_iam_role_policy", (x) => String(x.role).includes("fraud"));
    policyEdit(p, (d) => d.Statement.push({ Sid: "Tok", Effect: "Allow", Action: "kms:Decrypt", Resource: [keyArnOf(j, "logs"), keyArnOf(j, "tokenization")] }));
  }, { says: /uses a tokenization key without declaring it/ }],
  ["eks.workload-identity-least-privilege", "the tokenization key in a policy of no service", (j) =>
    add(j, "aws_iam_role_policy", "node_tok", { role: "${aws_iam_role.eks_node_role.name}", policy: JSON.stringify({ Statement: [{ Sid: "Tok", Effect: "Allow", Action: "kms:Decrypt", Resource: keyArnOf(j, "tokenization") }] }) }), {
    says: /aws_iam_role_policy\.node_tok: uses a tokenization key without declaring it/,
  }],
  ["eks.workload-identity-least-privilege", "a login by every action", (j) => policyEdit(serviceRolePolicy(j), (d) => d.Statement.filter((x) => x.Sid === "ConnectToTheDatabaseAsItself").forEach((x) => (x.Action = "*"))), {
    says: /logs in to a database as .*without declaring it, or as another user|allows \*$/,
  }],
  ["eks.workload-identity-least-privilege", "a login as itself and as another user", (j) => policyEdit(serviceRolePolicy(j), (d) => d.Statement.filter((x) => x.Sid === "ConnectToTheDatabaseAsItself").forEach((x) => {
    x.Resource = [String(x.Resource), String(x.Resource).replace(/\/[^/]+$/, "/tokenization-service")];
  })), { says: /logs in to a database as \S+, \S+\/tokenization-service without declaring it, or as another user/ }],
  ["eks.workload-identity-least-privilege", "every action on another user's login", (j) => policyEdit(serviceRolePolicy(j), (d) => d.Statement.filter((x) => x.Sid === "ConnectToTheDatabaseAsItself").forEach((x) => {
    x.Action = "*";
    x.Resource = String(x.Resource).replace(/\/[^/]+$/, "/tokenization-service");
  })), { says: /logs in to a database as \S+\/tokenization-service without declaring it, or as another user/ }],
  ["eks.workload-identity-least-privilege", "a login as another user among other actions", (j) => policyEdit(serviceRolePolicy(j), (d) => d.Statement.filter((x) => x.Sid === "ConnectToTheDatabaseAsItself").forEach((x) => {
    x.Action = ["s3:ListBucket", "rds-db:connect"];
    x.Resource = String(x.Resource).replace(/\/[^/]+$/, "/tokenization-service");
  })), { says: /logs in to a database as \S+\/tokenization-service without declaring it, or as another user/ }],
  ["eks.workload-identity-least-privilege", "a Pod Identity role with an empty trust policy", (j) => podIdentityTrustEdit(j, (d) => (d.Statement = [])), { says: /role not trusted by this cluster's Pod Identity/ }],
  ["eks.workload-identity-least-privilege", "a login by a policy of no service", (j) =>
    add(j, "aws_iam_role_policy", "node_db", { role: "${aws_iam_role.eks_node_role.name}", policy: JSON.stringify({ Statement: [{ Sid: "Db", Effect: "Allow", Action: "rds-db:connect", Resource: "arn:aws:rds-db:eu-west-1:111122223333:dbuser:${aws_rds_cluster.database_cluster.cluster_resource_id}/payment-core" }] }) }), {
    says: /aws_iam_role_policy\.node_db: logs in to a database/,
  }],
  ["eks.workload-identity-least-privilege", "replication into a bucket of the home region", (j) => policyEdit(j.resource.aws_iam_role_policy.dr_replication_policy, (d) => (replicateStatement(d).Resource = "${aws_s3_bucket.audit_archive_archive_bucket.arn}/*")), {
    when: withPartner, says: /writes \S+ outside its declared audit prefix/,
  }],
  ["eks.workload-identity-least-privilege", "replication that may also put objects", (j) => policyEdit(j.resource.aws_iam_role_policy.dr_replication_policy, (d) => (replicateStatement(d).Action = [...[replicateStatement(d).Action].flat(), "s3:PutObject"])), {
    when: withPartner, says: /writes \S+ outside its declared audit prefix/,
  }],
  ["eks.workload-identity-least-privilege", "replication into the partner's bucket and a home bucket", (j) =>
    policyEdit(j.resource.aws_iam_role_policy.dr_replication_policy, (d) => (replicateStatement(d).Resource = [...[replicateStatement(d).Resource].flat(), "${aws_s3_bucket.audit_archive_archive_bucket.arn}/*"])), {
    when: withPartner, says: /writes \S+audit_archive_archive_bucket\S+ outside its declared audit prefix/,
  }],
  ["eks.workload-identity-least-privilege", "replication into a bucket the stack does not declare", (j) => policyEdit(j.resource.aws_iam_role_policy.dr_replication_policy, (d) => (replicateStatement(d).Resource = "${aws_s3_bucket.gone.arn}/*")), {
    when: withPartner, says: /writes \S+gone\S+ outside its declared audit prefix/,
  }],
  ["eks.workload-identity-least-privilege", "a put beside a read, outside the prefix", (j) =>
    policyEdit(named(j, "aws_iam_role_policy", (x) => String(x.role).includes("payment-core")), (d) => {
      d.Statement[0].Action = ["s3:GetObject", "s3:PutObject"];
      d.Statement[0].Resource = "${aws_s3_bucket.audit_archive_archive_bucket.arn}/*";
    }), { says: /writes \S+ outside its declared audit prefix/ }],
  ["keys.policies-name-principals", "two services admitted with no condition", (j) =>
    policyEdit(keyOf(j, "logs"), (d) => d.Statement.push({ Sid: "Svc", Effect: "Allow", Principal: { Service: ["s3.amazonaws.com", "sns.amazonaws.com"] }, Action: "kms:Decrypt", Resource: "*" })), {
    says: /statement Svc admits s3\.amazonaws\.com, sns\.amazonaws\.com with no condition/,
  }],
  ["keys.policies-name-principals", "the account root named only in a Deny", (j, s) => policyEdit(keyOf(j, "ecr"), (d) => {
    d.Statement.forEach((x) => { if (JSON.stringify(x.Principal ?? {}).includes(":root")) x.Principal = { AWS: s.region.eks.deployRoleArn }; });
    d.Statement.push({ Sid: "NoRoot", Effect: "Deny", Principal: { AWS: `arn:aws:iam::${s.region.accountId}:root` }, Action: "kms:Decrypt", Resource: "*" });
  }), { says: /the account root is not named/ }],
  ["keys.administration-without-use", "the root may decrypt and encrypt", (j) => keyStatement(j, "database", ROOT_ADMIN, (s) => s.Action.push("kms:Decrypt", "kms:Encrypt")), { says: /lets the account root .* kms:Decrypt, kms:Encrypt$/ }],
  ["keys.administration-without-use", "a use statement that also disables and deletes", (j) => keyStatement(j, "ecr", "DeployCreatesTheRepositories", (s) => s.Action.push("kms:DisableKey", "kms:ScheduleKeyDeletion")), {
    says: /grants use together with kms:DisableKey, kms:ScheduleKeyDeletion$/,
  }],
  ["keys.administration-without-use", "the custodians' statement an Allow", (j) => keyStatement(j, "logs", CUSTODIANS, (s) => (s.Effect = "Allow")), { says: /no Deny keeps/ }],
  ["keys.administration-without-use", "the custodians' Deny without its condition", (j) => keyStatement(j, "logs", CUSTODIANS, (s) => delete s.Condition), { says: /no Deny keeps/ }],
  ["keys.administration-without-use", "the custodians' Deny on another condition", (j) => keyStatement(j, "logs", CUSTODIANS, (s) => (s.Condition = { StringNotEquals: s.Condition.ArnNotEquals })), { says: /no Deny keeps/ }],
  ["keys.administration-without-use", "the custodians' Deny exempts another role too", (j, s) => keyStatement(j, "logs", CUSTODIANS, (x) => (x.Condition.ArnNotEquals["aws:PrincipalArn"] = [...[x.Condition.ArnNotEquals["aws:PrincipalArn"]].flat(), s.region.eks.adminRoleArn])), {
    says: /are left to \S+, \S+, \S+, not exactly the custodians \S+, \S+$/,
  }],
  ["keys.administration-without-use", "the custodians' Deny with two further conditions", (j) => keyStatement(j, "logs", CUSTODIANS, (s) => Object.assign(s.Condition, { Bool: { "aws:MultiFactorAuthPresent": "true" }, StringEquals: { "aws:RequestedRegion": "x" } })), {
    says: /further conditions \(ArnNotEquals, Bool, StringEquals\)/,
  }],
  ["keys.use-named-through-services", "a service-linked role of another account", (j) =>
    keyStatement(j, "database", "DeployCreatesTheDatabase", (s) => (s.Condition.ArnEquals["aws:PrincipalArn"] = [...[s.Condition.ArnEquals["aws:PrincipalArn"]].flat(), "arn:aws:iam::999988887777:role/aws-service-role/rds.amazonaws.com/AWSServiceRoleForRDS"])), {
    says: /names arn:aws:iam::999988887777:\S+, neither a role/,
  }],
  ["keys.use-named-through-services", "a service-linked role beside another principal", (j, s) =>
    keyStatement(j, "database", "RdsServiceLinkedRole", (x) => (x.Principal = { AWS: [...[x.Principal.AWS].flat(), s.region.eks.deployRoleArn] })), { says: /admits \S+, \S+ without naming the roles/ }],
  ["keys.use-named-through-services", "the root beside a role as principals", (j, s) =>
    keyStatement(j, "database", "DeployCreatesTheDatabase", (x) => (x.Principal = { AWS: [`arn:aws:iam::${s.region.accountId}:root`, s.region.eks.adminRoleArn] })), { says: /without naming the roles/ }],
  ["keys.use-named-through-services", "a role as principal with named roles", (j, s) =>
    keyStatement(j, "database", "DeployCreatesTheDatabase", (x) => (x.Principal = { AWS: s.region.eks.adminRoleArn })), { says: /admits \S+ without naming the roles/ }],
  ["keys.use-named-through-services", "a named role that is a pattern", (j, s) =>
    keyStatement(j, "database", "DeployCreatesTheDatabase", (x) => (x.Condition.ArnEquals["aws:PrincipalArn"] = `arn:aws:iam::${s.region.accountId}:role/*`)), { says: /a pattern or an expression, not a role/ }],
  ["keys.use-named-through-services", "the EKS exception stretched to the administrators' grants", (j, s) =>
    keyStatement(j, "eks-secrets", "DeployCreatesTheClusterGrants", (x) => (x.Condition.ArnEquals["aws:PrincipalArn"] = s.region.eks.adminRoleArn)), { says: /allows CreateGrant without kms:GrantIsForAWSResource/ }],
  ["keys.use-named-through-services", "a service-linked role creating grants freely on the secrets key", (j, s) =>
    policyEdit(keyOf(j, "eks-secrets"), (d) => d.Statement.push({ Sid: "Slr", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${s.region.accountId}:role/aws-service-role/eks.amazonaws.com/AWSServiceRoleForAmazonEKS` }, Action: "kms:CreateGrant", Resource: "*" })), {
    says: /statement Slr allows CreateGrant without kms:GrantIsForAWSResource/,
  }],
  ["keys.use-named-through-services", "grants among other actions, not only for AWS resources", (j) =>
    keyStatement(j, "ecr", "DeployCreatesTheRepositoriesGrants", (s) => { delete s.Condition.Bool; s.Action = ["kms:DescribeKey", ...[s.Action].flat()]; }), { says: /allows CreateGrant without kms:GrantIsForAWSResource/ }],
  ["keys.use-named-through-services", "grants by a pattern (kms:*Grant), not only for AWS resources", (j) =>
    keyStatement(j, "ecr", "DeployCreatesTheRepositoriesGrants", (s) => { delete s.Condition.Bool; s.Action = "kms:*Grant"; }), { says: /statement DeployCreatesTheRepositoriesGrants allows CreateGrant without kms:GrantIsForAWSResource/ }],
  ["keys.use-named-through-services", "grants spelt in capitals (KMS:CreateGrant), not only for AWS resources", (j) =>
    keyStatement(j, "ecr", "DeployCreatesTheRepositoriesGrants", (s) => { delete s.Condition.Bool; s.Action = "KMS:CreateGrant"; }), { says: /statement DeployCreatesTheRepositoriesGrants allows CreateGrant without kms:GrantIsForAWSResource/ }],
  ["keys.use-named-through-services", "the deploy role's unconditioned grants shared with the administrators", (j, s) =>
    keyStatement(j, "eks-secrets", "DeployCreatesTheClusterGrants", (x) => (x.Condition.ArnEquals["aws:PrincipalArn"] = [...[x.Condition.ArnEquals["aws:PrincipalArn"]].flat(), s.region.eks.adminRoleArn])), {
    says: /statement DeployCreatesTheClusterGrants allows CreateGrant without kms:GrantIsForAWSResource/,
  }],
  ["keys.use-named-through-services", "a service-linked role and a role as principals", (j, s) =>
    policyEdit(keyOf(j, "ebs"), (d) => d.Statement.push({
      Sid: "Mixed",
      Effect: "Allow",
      Principal: { AWS: [`arn:aws:iam::${s.region.accountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`, s.region.eks.adminRoleArn] },
      Action: "kms:Decrypt",
      Resource: "*",
      Condition: { StringEquals: { "kms:ViaService": `ec2.${s.region.cloudRegion}.amazonaws.com` } },
    })), { says: /statement Mixed admits \S+, \S+ without naming the roles/ }],
  ["keys.administration-without-use", "the administration statement with a role beside the root", (j, s) =>
    keyStatement(j, "database", ROOT_ADMIN, (x) => (x.Principal = { AWS: [`arn:aws:iam::${s.region.accountId}:root`, s.region.eks.adminRoleArn] })), { says: /statement AccountAdministersTheKeyNeverUsesIt grants use together with/ }],
  ["keys.use-named-through-services", "the node role calls the secrets key directly", (j, s) =>
    keyStatement(j, "eks-secrets", "ClusterEncryptsSecrets", (x) => (x.Condition.ArnEquals["aws:PrincipalArn"] = [...[x.Condition.ArnEquals["aws:PrincipalArn"]].flat(), `arn:aws:iam::${s.region.accountId}:role/${j.resource.aws_iam_role.eks_node_role.name}`])), {
    says: /statement ClusterEncryptsSecrets lets arn:aws:iam::\d+:role\/\S+ call KMS directly/,
  }],
  ["keys.use-named-through-services", "a service that does not declare the tokenization key calls it directly", (j, s) =>
    keyStatement(j, "tokenization", "TokenizationServicesUseTheKey", (x) => (x.Condition.ArnEquals["aws:PrincipalArn"] = [...[x.Condition.ArnEquals["aws:PrincipalArn"]].flat(), `arn:aws:iam::${s.region.accountId}:role/${named(j, "aws_iam_role", (r) => String(r.name).includes("fraud")).name}`])), {
    says: /statement TokenizationServicesUseTheKey lets arn:aws:iam::\d+:role\/\S*fraud\S* call KMS directly/,
  }],
  ["keys.one-per-purpose", "the database alias under another prefix", (j) => (j.resource.aws_kms_alias.keys_database_alias.name = "alias/someone-else/database"), { says: /no alias alias\/\S+\/database targeting a key of this stack/ }],
  ["keys.one-per-purpose", "the kafka alias on a key the stack does not declare", (j) => (j.resource.aws_kms_alias.keys_kafka_alias.target_key_id = "${aws_kms_key.gone.key_id}"), { says: /no alias alias\/\S+\/kafka targeting a key of this stack/ }],
  ["keys.granted-use-is-admitted", "replication through S3 and a service the key does not admit", (j, s) =>
    policyEdit(j.resource.aws_iam_role_policy.dr_replication_policy, (d) => (d.Statement.find((x) => x.Sid === "DecryptAtHome")!.Condition.StringEquals["kms:ViaService"] = [`s3.${s.region.cloudRegion}.amazonaws.com`, `sns.${s.region.cloudRegion}.amazonaws.com`])), {
    when: withPartner, says: /grants \S+ kms:Decrypt on aws_kms_key\.[\w-]+ through s3\.\S+, sns\.\S+, which the key's policy does not admit/,
  }],
  ["keys.logs-key-admits-cloudwatch-with-context", "no logs key", (j) => delete j.resource.aws_kms_alias.keys_logs_alias, { says: /aws_kms_key: no logs key/ }],
  ["eks.workload-identity-least-privilege", "the tokenization key for a service account of the same name in another namespace", (j) => {
    add(j, "aws_iam_role", "evil", { name: "evil", assume_role_policy: JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] }] }) });
    add(j, "aws_eks_pod_identity_association", "evil", { cluster_name: "x", namespace: "fraud", service_account: "tokenization-service", role_arn: "${aws_iam_role.evil.arn}" });
    add(j, "aws_iam_role_policy", "evil", { role: "${aws_iam_role.evil.name}", policy: JSON.stringify({ Statement: [{ Sid: "Tok", Effect: "Allow", Action: "kms:Decrypt", Resource: keyArnOf(j, "tokenization") }] }) });
  }, {
    // The region declares that account in fraud too, without the key: the role is that service's, not the payments one's.
    region: (r) => ({ ...r, services: [...r.services, { name: "evil", namespace: "fraud", serviceAccount: "tokenization-service", port: 8080, access: { tokenizationKey: false, database: false, kafka: { read: [], write: [] } } }] }),
    says: /aws_iam_role_policy\.evil: uses a tokenization key without declaring it/,
  }],
  ["network.log-groups-encrypted-retained", "no retention (kept forever by default, but unstated)", (j) => delete first(j, "aws_cloudwatch_log_group").retention_in_days, { says: /retention_in_days undefined < 365/ }],
  ["network.load-balancer-reaches-targets", "the partner traffic admitted on UDP", (j) => (j.resource.aws_vpc_security_group_ingress_rule.eks_partner_api_targets_30443.ip_protocol = "udp"), { says: /not reachable on port 30443/ }],
  ["network.load-balancer-reaches-targets", "the partner traffic admitted from another group", (j) => (j.resource.aws_vpc_security_group_ingress_rule.eks_partner_api_targets_30443.referenced_security_group_id = "sg-0123456789abcdef0"), { says: /not reachable on port 30443/ }],
  ["network.load-balancer-reaches-targets", "the partner traffic admitted on the cluster's group", (j) => (j.resource.aws_vpc_security_group_ingress_rule.eks_partner_api_targets_30443.security_group_id = CLUSTER_SG), { says: /not reachable on port 30443/ }],
  ["network.load-balancer-reaches-targets", "the partner traffic admitted on a range below the port", (j) => Object.assign(j.resource.aws_vpc_security_group_ingress_rule.eks_partner_api_targets_30443, { from_port: 30400, to_port: 30442 }), { says: /not reachable on port 30443/ }],
  ["network.load-balancer-reaches-targets", "the partner traffic admitted on a range above the port", (j) => Object.assign(j.resource.aws_vpc_security_group_ingress_rule.eks_partner_api_targets_30443, { from_port: 30444, to_port: 30500 }), { says: /not reachable on port 30443/ }],
  ["audit.buckets-hardened", "no versioning resource", (j) => delete j.resource.aws_s3_bucket_versioning, { says: /versioning not Enabled/ }],
  ["audit.buckets-hardened", "no public access block", (j) => delete j.resource.aws_s3_bucket_public_access_block, { says: /block_public_acls is not true/ }],
  ["audit.buckets-hardened", "no ownership controls", (j) => delete j.resource.aws_s3_bucket_ownership_controls, { says: /ACLs are not disabled/ }],
  ["audit.object-lock-compliance", "a lock configuration without a rule", (j) => delete archiveOf(j, "aws_s3_bucket_object_lock_configuration").rule, { says: /default retention is not COMPLIANCE mode/ }],
  ["preflight.principals-exist", "a key policy names a resource of a type the stack has none of", (j) =>
    policyEdit(keyOf(j, "database"), (d) => d.Statement.push({ Sid: "X", Effect: "Allow", Principal: { AWS: "${aws_lambda_function.x.arn}" }, Action: "kms:Decrypt", Resource: "*" })), {
    says: /names \$\{aws_lambda_function\.x\.arn\}, which the stack does not create$/,
  }],
  ["preflight.principals-exist", "a key policy names a reference with text after it", (j) =>
    policyEdit(keyOf(j, "database"), (d) => d.Statement.push({ Sid: "X", Effect: "Allow", Principal: { AWS: "${aws_iam_role.eks_node_role.arn}-copy" }, Action: "kms:Decrypt", Resource: "*" })), {
    says: /names \$\{aws_iam_role\.eks_node_role\.arn\}-copy, which the stack does not create before it and the region file does not declare/,
  }],
  ["preflight.principals-exist", "a key policy names a reference with text before it", (j) =>
    policyEdit(keyOf(j, "database"), (d) => d.Statement.push({ Sid: "X", Effect: "Allow", Principal: { AWS: "copy-${aws_iam_role.eks_node_role.arn}" }, Action: "kms:Decrypt", Resource: "*" })), {
    says: /names copy-\$\{aws_iam_role\.eks_node_role\.arn\}, which the stack does not create before it and the region file does not declare/,
  }],
  ["preflight.zonal-by-zone-id", "a database instance in a zone that only ends like a subnet's", (j) => (first(j, "aws_rds_cluster_instance").availability_zone = "eu-west-1a-${aws_subnet.x.availability_zone}"), {
    says: /aws_rds_cluster_instance\.[\w-]+: availability_zone names/,
  }],
  ["preflight.zonal-by-zone-id", "a database instance in a zone that only starts like a subnet's", (j) => (first(j, "aws_rds_cluster_instance").availability_zone = "${aws_subnet.x.availability_zone}-b"), {
    says: /aws_rds_cluster_instance\.[\w-]+: availability_zone names/,
  }],
  ["preflight.engine-major-only", "a pinned minor where one instance of several upgrades itself", (j) => {
    first(j, "aws_rds_cluster").engine_version = "16.6";
    first(j, "aws_rds_cluster_instance").auto_minor_version_upgrade = false;
  }, { says: /aws_rds_cluster\.[\w-]+: engine_version "16\.6" is not a major version/ }],
  ["preflight.engine-major-only", "a pinned minor on a cluster without instances", (j) => {
    first(j, "aws_rds_cluster").engine_version = "16.6";
    delete j.resource.aws_rds_cluster_instance;
  }, { says: /aws_rds_cluster\.[\w-]+: engine_version "16\.6" is not a major version/ }],
  ["preflight.hsm-before-activation", "the key store ordered after no HSM", (j) => (store(j).depends_on = []), { stages: ["keystore", "keys"], says: /not ordered after aws_cloudhsm_v2_hsm\.\S+, aws_cloudhsm_v2_hsm\.\S+ \(depends_on\)/ }],
  ["preflight.deploy-role-can-use-keys", "the deploy role may not use the master secret's key at all", (j) => {
    dropKeyStatement(j, "secrets-manager", "DeployStoresManagedSecrets");
    dropKeyStatement(j, "secrets-manager", "DeployStoresManagedSecretsGrants");
  }, { says: /may not (kms:\S+, )+kms:\S+ on aws_kms_key\.[\w-]+ through secretsmanager\.[a-z0-9-]+\.amazonaws\.com \(master_user_secret_kms_key_id\)/ }],
  ["audit.cold-storage-lifecycle", "noncurrent versions moved only by a disabled rule", (j) => {
    const lc = archiveOf(j, "aws_s3_bucket_lifecycle_configuration");
    const [rule] = coldRule(j);
    lc.rule.push({ id: "disabled-copy", status: "Disabled", filter: rule.filter, noncurrent_version_transition: rule.noncurrent_version_transition });
    delete rule.noncurrent_version_transition;
  }, { says: /noncurrent versions do not move to cold storage/ }],
  ["audit.cold-storage-lifecycle", "noncurrent versions moved a day later", (j) => coldRule(j).forEach((r) => asList<TfJson>(r.noncurrent_version_transition).forEach((t) => (t.noncurrent_days += 1))), { says: /noncurrent versions do not move to cold storage/ }],
  ["audit.cold-storage-lifecycle", "noncurrent versions moved to infrequent access", (j) => coldRule(j).forEach((r) => asList<TfJson>(r.noncurrent_version_transition).forEach((t) => (t.storage_class = "STANDARD_IA"))), { says: /noncurrent versions do not move to cold storage/ }],
  ["hsm.key-store-stage", "a sensitive variable with a default", (j) => (j.variable = { ...(j.variable ?? {}), api_key: { type: "string", sensitive: true, default: "s3cr3t" } }), { says: /variable\.api_key: a sensitive variable with a default/ }],
  ["hsm.key-store-stage", "the password asked for at stage cluster", (j) => (j.variable = { ...(j.variable ?? {}), kmsuser_password: { type: "string", sensitive: true, nullable: false } }), { stages: ["cluster"], says: /asked for at stage "cluster"/ }],
  ["hsm.key-store-stage", "the password still asked for at stage keys", (j) => (j.variable = { ...(j.variable ?? {}), kmsuser_password: { type: "string", sensitive: true, nullable: false } }), { stages: ["keys"], says: /still asked for at stage "keys"/ }],
  ["hsm.key-store-stage", "an external key store", (j) => (store(j).custom_key_store_type = "EXTERNAL_KEY_STORE"), { stages: ["keystore", "keys"], says: /not a CloudHSM key store on this stack's cluster/ }],
  ["hsm.key-store-stage", "a key store on another cluster", (j) => (store(j).cloud_hsm_cluster_id = "cluster-abcdefghijk"), { stages: ["keystore", "keys"], says: /not a CloudHSM key store on this stack's cluster/ }],
  ["hsm.key-store-stage", "no lifecycle on the key store", (j) => delete store(j).lifecycle, { stages: ["keystore"], says: /key_store_password not ignored after creation/ }],
  ["hsm.key-store-stage", "the key store after one HSM only", (j) => (store(j).depends_on = (store(j).depends_on as string[]).filter((d) => !d.startsWith("aws_cloudhsm_v2_hsm.")).concat([`aws_cloudhsm_v2_hsm.${Object.keys(j.resource.aws_cloudhsm_v2_hsm)[0]}`])), {
    stages: ["keystore", "keys"], says: /not created after every HSM/,
  }],
  ["hsm.key-store-stage", "a key store without HSMs", (j) => delete j.resource.aws_cloudhsm_v2_hsm, { stages: ["keystore", "keys"], says: /not created after every HSM/ }],
  ["hsm.tokenization-key-in-store", "an HSM generation's alias removed", (j) => delete j.resource.aws_kms_alias[Object.entries(j.resource.aws_kms_alias as Record<string, TfJson>).find(([, a]) => String(a.name).endsWith("/tokenization-hsm-g1"))![0]], {
    stages: ["keys"], says: /aws_kms_alias: no \S+\/tokenization-hsm-g1$/,
  }],
  ["hsm.tokenization-key-in-store", "an HSM generation's alias on no key of the stack", (j) => (alias(j, "tokenization-hsm-g1").target_key_id = "${aws_kms_key.gone.key_id}"), {
    stages: ["keys"], says: /aws_kms_alias: no \S+\/tokenization-hsm-g1$/,
  }],
  ["hsm.tokenization-key-in-store", "the interim alias on no key of the stack", (j) => (alias(j, "tokenization-interim").target_key_id = "${aws_kms_key.gone.key_id}"), {
    stages: ["keys"], says: /tokenization-interim does not target the ordinary key used before the move/,
  }],
  ["hsm.tokenization-key-in-store", "one more key in the key store than generations", (j) => {
    const g1 = j.resource.aws_kms_key[Object.entries(j.resource.aws_kms_key as Record<string, TfJson>).find(([, k]) => k.custom_key_store_id !== undefined)![0]];
    add(j, "aws_kms_key", "extra_in_store", cloneJson(g1));
  }, { stages: ["keys"], says: /aws_kms_key: \d+ keys in the key store, expected \d+ generations/ }],
  ["hsm.tokenization-key-in-store", "the tokenization alias on no key of the stack", (j) => (alias(j, "tokenization").target_key_id = "${aws_kms_key.gone.key_id}"), { stages: ["keys"], says: /tokenization targets no key of this stack/ }],
  ["hsm.tokenization-key-in-store", "the interim alias on an HSM generation", (j) => (alias(j, "tokenization-interim").target_key_id = alias(j, "tokenization-hsm-g1").target_key_id), {
    stages: ["keys"], says: /tokenization-interim does not target the ordinary key used before the move/,
  }],
  ["hsm.tokenization-key-in-store", "the interim alias removed", (j) => delete j.resource.aws_kms_alias[Object.entries(j.resource.aws_kms_alias as Record<string, TfJson>).find(([, a]) => String(a.name).endsWith("/tokenization-interim"))![0]], {
    stages: ["keys"], says: /tokenization-interim does not target the ordinary key used before the move/,
  }],
  ["hsm.tokenization-key-in-store", "the interim key's encryption Deny made an Allow", (j) =>
    policyEdit(keyOf(j, "tokenization-interim"), (d) => (d.Statement.find((x) => x.Condition?.StringNotEquals?.["kms:RequestAlias"])!.Effect = "Allow")), { stages: ["keys"], says: /a retired tokenization key still encrypts/ }],
  ["hsm.tokenization-key-in-store", "the interim key's encryption Deny for one role only", (j, s) =>
    policyEdit(keyOf(j, "tokenization-interim"), (d) => (d.Statement.find((x) => x.Condition?.StringNotEquals?.["kms:RequestAlias"])!.Principal = { AWS: s.region.eks.adminRoleArn })), { stages: ["keys"], says: /a retired tokenization key still encrypts/ }],
  ["hsm.tokenization-key-in-store", "the interim key's encryption Deny without one action", (j) =>
    policyEdit(keyOf(j, "tokenization-interim"), (d) => {
      const deny = d.Statement.find((x) => x.Condition?.StringNotEquals?.["kms:RequestAlias"])!;
      deny.Action = [deny.Action].flat().slice(1);
    }), { stages: ["keys"], says: /a retired tokenization key still encrypts/ }],
  ["hsm.tokenization-key-in-store", "the current key given the retired keys' Deny", (j) => {
    const deny = JSON.parse(keyOf(j, "tokenization-interim").policy).Statement.find((x: TfJson) => x.Condition?.StringNotEquals?.["kms:RequestAlias"]);
    policyEdit(keyOf(j, "tokenization"), (d) => d.Statement.push(deny));
  }, { stages: ["keys"], says: /the current tokenization key cannot encrypt/ }],
  ["mesh.intermediate-ca", "a CA where the region names no root", (j) => j, {
    region: (r) => ({ ...r, mesh: { ...r.mesh, rootCaArn: undefined } }),
    says: /^aws_acmpca_certificate_authority: a CA without a configured root/,
  }],
  ["mesh.intermediate-ca", "a second CA", (j) => add(j, "aws_acmpca_certificate_authority", "second", cloneJson(first(j, "aws_acmpca_certificate_authority"))), { says: /aws_acmpca_certificate_authority: 2, expected one intermediate/ }],
  ["mesh.intermediate-ca", "its key in software", (j) => (first(j, "aws_acmpca_certificate_authority").key_storage_security_standard = "FIPS_140_2_LEVEL_2_OR_HIGHER"), { says: /key storage FIPS_140_2_LEVEL_2_OR_HIGHER, not FIPS 140-2 Level 3/ }],
  ["mesh.intermediate-ca", "its key storage left to the default", (j) => delete first(j, "aws_acmpca_certificate_authority").key_storage_security_standard, { says: /key storage \(default\), not FIPS 140-2 Level 3/ }],
  ["mesh.intermediate-ca", "the usage mode left to the default", (j) => delete first(j, "aws_acmpca_certificate_authority").usage_mode, { says: /usage mode \(default\), expected SHORT_LIVED_CERTIFICATE/ }],
  ["mesh.intermediate-ca", "named for another trust domain", (j) => (first(j, "aws_acmpca_certificate_authority").certificate_authority_configuration.subject.common_name = "cluster.local"), { says: /subject cluster.local, expected the trust domain/ }],
  ["mesh.intermediate-ca", "its CSR never signed", (j) => (first(j, "aws_acmpca_certificate").certificate_signing_request = "-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----"), { says: /: its CSR is not signed/ }],
  ["mesh.intermediate-ca", "another chain installed", (j) => (first(j, "aws_acmpca_certificate_authority_certificate").certificate_chain = "-----BEGIN CERTIFICATE-----x"), { says: /the certificate installed is not the one the root signed, with its chain/ }],
  ["mesh.intermediate-ca", "the signed certificate installed on another CA", (j) => (first(j, "aws_acmpca_certificate_authority_certificate").certificate_authority_arn = "arn:aws:acm-pca:eu-west-1:123456789012:certificate-authority/00000000-0000-0000-0000-000000000000"), { says: /the certificate installed is not the one the root signed, with its chain/ }],
  ["mesh.ca-issuer-least-privilege", "IssueCertificate where the region has no intermediate", (j) => {
    delete j.resource.aws_acmpca_certificate_authority;
  }, { says: /grants acm-pca:IssueCertificate in a region without an intermediate CA/ }],
  ["mesh.ca-issuer-least-privilege", "IssueCertificate with ListPermissions next to it", (j) => policyEdit(issuerPolicy(j), (d) => (d.Statement[0].Action = ["acm-pca:IssueCertificate", "acm-pca:ListPermissions"])), { says: /expected acm-pca:IssueCertificate alone/ }],
  ["mesh.ca-issuer-least-privilege", "a template condition with another condition beside it", (j) => policyEdit(issuerPolicy(j), (d) => (d.Statement[0].Condition.Bool = { "aws:SecureTransport": "true" })), { says: /expected a StringEquals on acm-pca:TemplateArn within the end-entity templates/ }],
  ["mesh.ca-issuer-least-privilege", "a second grant, without a Sid, with another action beside it", (j) =>
    policyEdit(issuerPolicy(j), (d) => d.Statement.push({ ...d.Statement[0], Sid: undefined, Action: ["acm-pca:IssueCertificate", "acm-pca:GetCertificate"] })), {
    says: /^aws_iam_role_policy\.\S+ \(no Sid\): actions \["acm-pca:IssueCertificate","acm-pca:GetCertificate"\]/,
  }],
  ["mesh.ca-issuer-least-privilege", "the template matched by pattern (StringLike)", (j) =>
    policyEdit(issuerPolicy(j), (d) => (d.Statement[0].Condition = { StringLike: { "acm-pca:TemplateArn": "arn:aws:acm-pca:::template/*" } })), { says: /templates \[\]; expected a StringEquals/ }],
  ["mesh.ca-issuer-least-privilege", "an empty template list", (j) => policyEdit(issuerPolicy(j), (d) => (d.Statement[0].Condition.StringEquals["acm-pca:TemplateArn"] = [])), { says: /templates \[\]; expected a StringEquals/ }],
  ["mesh.ca-issuer-least-privilege", "the issuer's role without a Pod Identity", (j) => {
    const [n] = Object.entries(j.resource.aws_eks_pod_identity_association as Record<string, TfJson>).find(([, a]) => a.service_account === "aws-privateca-issuer")!;
    delete j.resource.aws_eks_pod_identity_association[n];
  }, { says: /the role is not the Pod Identity of cert-manager\/aws-privateca-issuer/ }],
  ["mesh.ca-issuer-least-privilege", "the issuer's Pod Identity in another namespace", (j) =>
    (Object.values(j.resource.aws_eks_pod_identity_association as Record<string, TfJson>).find((a) => a.service_account === "aws-privateca-issuer")!.namespace = "payments"), { says: /the role is not the Pod Identity of cert-manager\/aws-privateca-issuer/ }],
  ["mesh.ca-issuer-least-privilege", "a second Pod Identity on the issuer's role", (j) => {
    const a = Object.values(j.resource.aws_eks_pod_identity_association as Record<string, TfJson>).find((x) => x.service_account === "aws-privateca-issuer")!;
    add(j, "aws_eks_pod_identity_association", "second", { ...a, namespace: "payments", service_account: "payment-core" });
  }, { says: /the role is not the Pod Identity of cert-manager\/aws-privateca-issuer \(and only it\)/ }],
  ["mesh.intermediate-ca", "signed by another CA", (j) => (first(j, "aws_acmpca_certificate").certificate_authority_arn = "arn:aws:acm-pca:eu-west-1:123456789012:certificate-authority/00000000-0000-0000-0000-000000000000"), { says: /signed by arn:aws:acm-pca:eu-west-1:123456789012:\S+, not the platform root/ }],
  ["mesh.intermediate-ca", "an intermediate that may sign CAs", (j) => (first(j, "aws_acmpca_certificate").template_arn = "arn:aws:acm-pca:::template/SubordinateCACertificate_PathLen3/V1"), { says: /template arn:aws:acm-pca:::template\/SubordinateCACertificate_PathLen3\/V1, not/ }],
  ["secrets.no-key-material", "a key generated by Terraform", (j) => add(j, "tls_private_key", "ca", { algorithm: "ECDSA" }), { says: /tls_private_key\.ca: generates key material/ }],
  ["secrets.no-key-material", "a self-signed certificate made by Terraform", (j) => add(j, "tls_self_signed_cert", "c", { private_key_pem: "${var.k}" }), { says: /tls_self_signed_cert\.c: generates key material/ }],
  ["secrets.no-key-material", "a certificate signed by Terraform", (j) => add(j, "tls_locally_signed_cert", "c", { ca_private_key_pem: "${var.k}" }), { says: /tls_locally_signed_cert\.c: generates key material/ }],
  ["secrets.no-key-material", "an ACME certificate", (j) => add(j, "acme_certificate", "c", { common_name: "x" }), { says: /acme_certificate\.c: generates key material/ }],
  ["secrets.no-key-material", "a pasted private key", (j) => (first(j, "aws_acmpca_certificate_authority").tags = { note: "-----BEGIN PRIVATE KEY-----MIGH" }), { says: /contains a PEM private key/ }],
  ["secrets.no-key-material", "a pasted EC private key", (j) => (first(j, "aws_acmpca_certificate_authority").tags = { note: "-----BEGIN EC PRIVATE KEY-----MHcC" }), { says: /contains a PEM private key/ }],
  ["secrets.no-key-material", "a pasted PGP private key", (j) => (first(j, "aws_acmpca_certificate_authority").tags = { note: "-----BEGIN PGP PRIVATE KEY BLOCK-----" }), { says: /contains a PEM private key/ }],
  ["dr.partner-region-copies", "a partner region that holds a database", (j) => add(j, "aws_rds_cluster", "dr_db", { provider: "aws.dr", cluster_identifier: "x" })],
  ["dr.partner-region-copies", "copies to another region without a partner", (j, s) => {
    if (!s.region.drPartnerRegion) add(j, "aws_s3_bucket_replication_configuration", "r", { bucket: "x", role: "y", rule: [] });
    else delete j.resource.aws_s3_bucket_replication_configuration;
  }],
  ["dr.partner-region-copies", "delete markers replicated", (j, s) => {
    if (s.region.drPartnerRegion) first(j, "aws_s3_bucket_replication_configuration").rule[0].delete_marker_replication.status = "Enabled";
    else add(j, "aws_backup_vault", "v", { provider: "aws.dr", name: "v" });
  }],
  ["dr.partner-region-copies", "backups not copied", (j, s) => {
    if (s.region.drPartnerRegion) first(j, "aws_backup_plan").rule[0].copy_action = [];
    else add(j, "aws_kms_key", "k", { provider: "aws.dr" });
  }],
  ["dr.partner-region-copies", "a replication filter", (j, s) => {
    if (s.region.drPartnerRegion) first(j, "aws_s3_bucket_replication_configuration").rule[0].filter = { prefix: "none/" };
    else add(j, "aws_backup_vault", "v2", { provider: "aws.dr", name: "v2" });
  }],
  ["dr.partner-region-copies", "copies kept one day", (j, s) => {
    if (s.region.drPartnerRegion) first(j, "aws_backup_plan").rule[0].copy_action[0].lifecycle.delete_after = 1;
    else add(j, "aws_kms_key", "k2", { provider: "aws.dr" });
  }],
  ["dr.partner-region-copies", "a vault lock changeable for a century", (j, s) => {
    if (s.region.drPartnerRegion) first(j, "aws_backup_vault_lock_configuration").changeable_for_days = 36500;
    else add(j, "aws_kms_key", "k3", { provider: "aws.dr" });
  }],
  ["dr.partner-region-copies", "the archive's replication rule disabled", (j) => (replicationRule(j).status = "Disabled"), { when: withPartner, says: /not one enabled rule/ }],
  ["dr.partner-region-copies", "a second replication rule", (j) => first(j, "aws_s3_bucket_replication_configuration").rule.push({ ...replicationRule(j), id: "second" }), { when: withPartner, says: /not one enabled rule/ }],
  ["dr.partner-region-copies", "a replication filter by tag", (j) => (replicationRule(j).filter = { tag: { key: "k", value: "v" } }), { when: withPartner, says: /a filter replicates only part/ }],
  ["dr.partner-region-copies", "a legacy replication prefix", (j) => (replicationRule(j).prefix = "logs/"), { when: withPartner, says: /a filter replicates only part/ }],
  ["dr.partner-region-copies", "KMS-encrypted objects not replicated", (j) => (replicationRule(j).source_selection_criteria.sse_kms_encrypted_objects.status = "Disabled"), {
    when: withPartner,
    says: /KMS-encrypted objects are not replicated/,
  }],
  ["dr.partner-region-copies", "the replica in the home region", (j) => (replicationRule(j).destination.bucket = "${aws_s3_bucket.audit_archive_archive_bucket.arn}"), { when: withPartner, says: /the replica is not a bucket of the partner region/ }],
  ["dr.partner-region-copies", "the replica without Object Lock", (j) => (named(j, "aws_s3_bucket", (b) => b.provider === "aws.dr" && b.object_lock_enabled === true).object_lock_enabled = false), {
    when: withPartner,
    says: /not locked in COMPLIANCE mode/,
  }],
  ["dr.partner-region-copies", "the replica locked in governance mode", (j) => (partnerArchiveLock(j).rule.default_retention.mode = "GOVERNANCE"), { when: withPartner, says: /not locked in COMPLIANCE mode/ }],
  ["dr.partner-region-copies", "the replica locked for fewer days", (j) => (partnerArchiveLock(j).rule.default_retention.days = 30), { when: withPartner, says: /not locked in COMPLIANCE mode/ }],
  ["dr.partner-region-copies", "replicas under a key of the home region", (j) => (replicationRule(j).destination.encryption_configuration.replica_kms_key_id = "${aws_kms_key.keys_logs_key.arn}"), {
    when: withPartner,
    says: /replicas not encrypted with the partner region's audit key/,
  }],
  ["dr.partner-region-copies", "the archive does not replicate", (j) => delete j.resource.aws_s3_bucket_replication_configuration, { when: withPartner, says: /the audit archive does not replicate/ }],
  ["dr.partner-region-copies", "the database not backed up", (j) => (first(j, "aws_backup_selection").resources = []), { when: withPartner, says: /the database is not backed up by AWS Backup/ }],
  ["dr.partner-region-copies", "the database in a plan that does not copy", (j) => {
    add(j, "aws_backup_plan", "local_only", { name: "local-only", rule: [{ rule_name: "r", target_vault_name: "v", lifecycle: { delete_after: 35 } }] });
    first(j, "aws_backup_selection").plan_id = "${aws_backup_plan.local_only.id}";
  }, { when: withPartner, says: /not in the plan that copies to the partner region/ }],
  ["dr.partner-region-copies", "backups copied to a vault of the home region", (j) => (first(j, "aws_backup_plan").rule[0].copy_action[0].destination_vault_arn = "${aws_backup_vault.dr_home_vault.arn}"), {
    when: withPartner,
    says: /backups are not copied to a vault of the partner region/,
  }],
  ["dr.partner-region-copies", "backups kept 14 days", (j, s) => (first(j, "aws_backup_plan").rule[0].lifecycle.delete_after = s.region.database.backupRetentionDays - 1), { when: withPartner, says: /keeps backups \d+ days, expected/ }],
  ["dr.partner-region-copies", "a vault lock with a one-day minimum", (j) => (first(j, "aws_backup_vault_lock_configuration").min_retention_days = 1), { when: withPartner, says: /no compliance-mode vault lock/ }],
  ["dr.partner-region-copies", "a vault lock changeable for one day", (j) => (first(j, "aws_backup_vault_lock_configuration").changeable_for_days = 1), { when: withPartner, says: /no compliance-mode vault lock/ }],
  ["dr.partner-region-copies", "a vault lock whose maximum is under the backups' retention", (j) => (first(j, "aws_backup_vault_lock_configuration").max_retention_days = 7), { when: withPartner, says: /no compliance-mode vault lock/ }],
  ["dr.partner-region-copies", "a vault lock on another vault", (j) => (first(j, "aws_backup_vault_lock_configuration").backup_vault_name = "other"), { when: withPartner, says: /no compliance-mode vault lock/ }],
  ["dr.partner-region-copies", "a backup copy without a partner", (j) =>
    add(j, "aws_backup_plan", "p", { name: "p", rule: [{ rule_name: "r", target_vault_name: "v", copy_action: [{ destination_vault_arn: "x" }], lifecycle: { delete_after: 35 } }] }), {
    when: (s) => !withPartner(s),
    says: /the region names no drPartnerRegion/,
  }],
  ["dr.partner-region-copies", "a backup vault without lock", (j, s) => {
    if (s.region.drPartnerRegion) delete j.resource.aws_backup_vault_lock_configuration;
    else add(j, "aws_backup_plan", "p", { name: "p", rule: [{ rule_name: "r", target_vault_name: "v", copy_action: [{ destination_vault_arn: "x" }] }] });
  }],
  ["iam.no-wildcard-admin", "S3:* on * (IAM actions are case-insensitive)", (j) => policyEdit(first(j, "aws_iam_role_policy"), (d) => d.Statement.push({ Sid: "Up", Effect: "Allow", Action: "S3:*", Resource: "*" })), { says: /allows S3:\* on \*/ }],
  ["iam.no-wildcard-admin", "kms:Decrypt on every key", (j) => policyEdit(first(j, "aws_iam_role_policy"), (d) => d.Statement.push({ Sid: "Keys", Effect: "Allow", Action: "kms:Decrypt", Resource: "*" })), { says: /allows kms:Decrypt on every resource/ }],
  ["iam.no-wildcard-admin", "the monitoring policy on the node role", (j) => add(j, "aws_iam_role_policy_attachment", "x", { role: "${aws_iam_role.eks_node_role.name}", policy_arn: "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole" })],
  ["iam.no-wildcard-admin", "AmazonS3FullAccess attached", (j) => (first(j, "aws_iam_role_policy_attachment").policy_arn = "arn:aws:iam::aws:policy/AmazonS3FullAccess"), { says: /AmazonS3FullAccess, not a reviewed AWS managed policy/ }],
  ["iam.no-wildcard-admin", "a policy without statements (unreadable: fails closed)", (j) => (first(j, "aws_iam_role_policy").policy = JSON.stringify({ Version: "2012-10-17" })), {
    says: /could not check this \(a policy document has no Statement\)/,
  }],
  ["iam.trust-named-principals", "role trusted by anyone", (j) => (trustTarget(j).assume_role_policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }] })), { says: /admits \*, not a principal of account/ }],
  ["iam.trust-named-principals", "role trusted by another account", (j) => (trustTarget(j).assume_role_policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::999999999999:root" }, Action: "sts:AssumeRole" }] })), { says: /not a principal of account/ }],
  ["iam.trust-named-principals", "service trust without source account", (j) => {
    const role = trustTarget(j);
    const doc = JSON.parse(role.assume_role_policy);
    delete doc.Statement[0].Condition;
    role.assume_role_policy = JSON.stringify(doc);
  }, { says: /without an aws:SourceAccount condition/ }],
  ["iam.no-wildcard-admin", "an Allow by NotAction", (j) => policyEdit(first(j, "aws_iam_role_policy"), (d) => d.Statement.push({ Sid: "Not", Effect: "Allow", NotAction: "iam:*", Resource: "arn:aws:s3:::x" })), {
    says: /statement Not allows by NotAction\/NotResource/,
  }],
  ["iam.no-wildcard-admin", "an Allow by NotResource", (j) => policyEdit(first(j, "aws_iam_role_policy"), (d) => d.Statement.push({ Sid: "Not", Effect: "Allow", Action: "s3:GetObject", NotResource: "arn:aws:s3:::x/*" })), {
    says: /statement Not allows by NotAction\/NotResource/,
  }],
  ["iam.no-wildcard-admin", "*:* on * without a Sid", (j) => policyEdit(first(j, "aws_iam_role_policy"), (d) => d.Statement.push({ Effect: "Allow", Action: "*:*", Resource: "*" })), { says: /statement \(no Sid\) allows \*:\* on \*/ }],
  ["iam.no-wildcard-admin", "secrets read on every secret", (j) => policyEdit(first(j, "aws_iam_role_policy"), (d) => d.Statement.push({ Sid: "Read", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "*" })), {
    says: /allows secretsmanager:GetSecretValue on every resource/,
  }],
  ["iam.no-wildcard-admin", "a role's inline policy with * on *", (j) => (first(j, "aws_iam_role").inline_policy = [{ name: "all", policy: JSON.stringify({ Statement: [{ Sid: "All", Effect: "Allow", Action: "*", Resource: "*" }] }) }]), {
    says: /aws_iam_role\.[\w-]+: statement All allows \* on \*/,
  }],
  ["iam.no-wildcard-admin", "a customer managed policy with * on *", (j) => add(j, "aws_iam_policy", "p", { policy: JSON.stringify({ Statement: [{ Sid: "All", Effect: "Allow", Action: "*", Resource: "*" }] }) }), { says: /aws_iam_policy\.p: statement All/ }],
  ["iam.no-wildcard-admin", "a user policy with * on *", (j) => add(j, "aws_iam_user_policy", "p", { user: "u", policy: JSON.stringify({ Statement: [{ Sid: "All", Effect: "Allow", Action: "*", Resource: "*" }] }) }), { says: /aws_iam_user_policy\.p: statement All/ }],
  ["iam.no-wildcard-admin", "a group policy with * on *", (j) => add(j, "aws_iam_group_policy", "p", { group: "g", policy: JSON.stringify({ Statement: [{ Sid: "All", Effect: "Allow", Action: "*", Resource: "*" }] }) }), { says: /aws_iam_group_policy\.p: statement All/ }],
  ["iam.no-wildcard-admin", "a role's managed_policy_arns with an unreviewed policy", (j) => (first(j, "aws_iam_role").managed_policy_arns = ["arn:aws:iam::aws:policy/AmazonS3FullAccess"]), {
    says: /attaches arn:aws:iam::aws:policy\/AmazonS3FullAccess, not a reviewed/,
  }],
  ["iam.no-wildcard-admin", "the backup policy on a role the stack does not declare", (j) =>
    add(j, "aws_iam_role_policy_attachment", "x", { role: "${aws_iam_role.gone.name}", policy_arn: "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup" }), { says: /to a role that backup\.amazonaws\.com does not assume/ }],
  ["iam.trust-named-principals", "role trusted by a federated identity", (j) =>
    (trustTarget(j).assume_role_policy = JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { Federated: "accounts.google.com" }, Action: "sts:AssumeRoleWithWebIdentity" }] })), { says: /admits the federated identity/ }],
  ["iam.trust-named-principals", "role trusted by a bare wildcard, without a Sid", (j) => (trustTarget(j).assume_role_policy = JSON.stringify({ Statement: [{ Effect: "Allow", Principal: "*", Action: "sts:AssumeRole" }] })), {
    says: /trust statement \(no Sid\) admits \*, not a principal of account/,
  }],
  ["iam.resource-policies-name-principals", "a bucket policy for a service without a source-account condition", (j) =>
    policyEdit(first(j, "aws_s3_bucket_policy"), (d) => d.Statement.push({ Sid: "Svc", Effect: "Allow", Principal: { Service: "logging.s3.amazonaws.com" }, Action: "s3:PutObject", Resource: "*" })), {
    says: /statement Svc allows logging\.s3\.amazonaws\.com without an aws:SourceAccount condition/,
  }],
  ["iam.resource-policies-name-principals", "a repository policy for another account", (j) =>
    add(j, "aws_ecr_repository_policy", "p", { repository: "r", policy: JSON.stringify({ Statement: [{ Sid: "Pull", Effect: "Allow", Principal: { AWS: "arn:aws:iam::999999999999:root" }, Action: "ecr:BatchGetImage" }] }) }), {
    says: /statement Pull allows arn:aws:iam::999999999999:root, outside account/,
  }],
  ["iam.resource-policies-name-principals", "secret readable by anyone", (j) =>
    policyEdit(first(j, "aws_secretsmanager_secret_policy"), (d) => d.Statement.push({ Sid: "Open", Effect: "Allow", Principal: "*", Action: "secretsmanager:GetSecretValue", Resource: "*" })), { says: /allows any principal without limiting it to account/ }],
  ["iam.resource-policies-name-principals", "bucket readable by another account", (j) =>
    policyEdit(first(j, "aws_s3_bucket_policy"), (d) => d.Statement.push({ Sid: "Partner", Effect: "Allow", Principal: { AWS: "arn:aws:iam::999999999999:root" }, Action: "s3:GetObject", Resource: "*" })), { says: /outside account/ }],
  ["stack.tags-not-overridden", "bucket declares itself out of scope", (j) => (first(j, "aws_s3_bucket").tags = { PciScope: "out-of-scope" })],
  ["stack.tags-not-overridden", "provider ignores tags", (j) => (j.provider.aws[0].ignore_tags = [{ keys: ["PciScope"] }]), { says: /ignore_tags/ }],
  ["stack.tags-not-overridden", "tags_all names another owner", (j) => (first(j, "aws_s3_bucket").tags_all = { Owner: "someone-else" }), { says: /tag Owner is "someone-else"/ }],
  ["stack.tags-not-overridden", "a launch template tags its instances out of scope", (j) =>
    (first(j, "aws_launch_template").tag_specifications = [{ resource_type: "instance", tags: { PciScope: "out-of-scope" } }]), { says: /aws_launch_template\.[\w-]+: tag PciScope/ }],
  ["keys.policies-name-principals", "principal * with a condition that does not limit the account", (j) =>
    policyEdit(first(j, "aws_kms_key"), (d) => d.Statement.push({ Sid: "Tls", Effect: "Allow", Principal: { AWS: "*" }, Action: "kms:*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "true" } } }))],
  ["audit.encryption", "a bucket under the AWS-managed key", (j) => {
    const sse = Object.values(j.resource.aws_s3_bucket_server_side_encryption_configuration as Record<string, TfJson>).find((x) => x.rule[0].apply_server_side_encryption_by_default.sse_algorithm === "AES256")!;
    sse.rule[0].apply_server_side_encryption_by_default = { sse_algorithm: "aws:kms" };
  }],
  ["audit.encryption", "SSE-S3 on a bucket others may write", (j) =>
    policyEdit(Object.values(j.resource.aws_s3_bucket_policy as Record<string, TfJson>).find((p) => String(p.bucket).includes("access_logs"))!, (d) =>
      d.Statement.push({ Sid: "Writer", Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:root" }, Action: "s3:PutObject", Resource: "*" }))],
  ["network.no-open-security-group-rules", "half of the internet", (j) => (first(j, "aws_vpc_security_group_ingress_rule").cidr_ipv4 = "0.0.0.0/1")],
  ["network.interface-endpoints", "S3 through an interface endpoint", (j) => {
    const e = cloneJson(Object.values(j.resource.aws_vpc_endpoint as Record<string, TfJson>).find((x) => x.vpc_endpoint_type === "Interface")!);
    add(j, "aws_vpc_endpoint", "s3_interface", { ...e, service_name: String(e.service_name).replace(/[^.]+$/, "s3"), private_dns_enabled: false });
  }],
  ["network.private-subnets-per-az", "a second VPC", (j) => add(j, "aws_vpc", "other", { cidr_block: "10.99.0.0/16" })],
  ["resilience.multi-az", "NLB in one AZ by subnet mapping", (j) => {
    const lb = first(j, "aws_lb");
    lb.subnet_mapping = [{ subnet_id: lb.subnets[0] }];
    delete lb.subnets;
  }],
  ["residency.in-jurisdiction", "an ARN of another partition", (j) => (first(j, "aws_iam_role_policy_attachment").policy_arn = "arn:aws-cn:iam::aws:policy/AmazonEKS_CNI_Policy"), { says: /names partition aws-cn, outside/ }],
  ["residency.in-jurisdiction", "one tag naming two regions outside", (j) => (first(j, "aws_s3_bucket").tags = { Note: "sa-east-1 then ap-southeast-1" }), { says: /: names ap-southeast-1, sa-east-1, outside/ }],
  ["residency.in-jurisdiction", "an ARN of another partition in a region outside", (j) => (first(j, "aws_s3_bucket").tags = { Note: "arn:aws-cn:s3:::x in sa-east-1" }), { says: /: names partition aws-cn, sa-east-1, outside/ }],
  ["residency.in-jurisdiction", "a root CA of another partition (no exemption for its region)", (j) => (j.provider.aws.find((p: TfJson) => p.alias === "pca_root").region = "cn-north-1"), {
    when: (s) => rootCaElsewhere(s.region),
    region: (r) => ({ ...r, mesh: { ...r.mesh, rootCaArn: `arn:aws-cn:acm-pca:cn-north-1:999900001111:certificate-authority/${"0".repeat(8)}-0000-0000-0000-000000000000` } }),
    says: /names cn-north-1, outside/,
  }],
  ["residency.in-jurisdiction", "the root CA's provider moved to another outside region", (j) => (j.provider.aws.find((p: TfJson) => p.alias === "pca_root").region = "sa-east-1"), {
    when: (s) => rootCaElsewhere(s.region),
    says: /names sa-east-1, outside/,
  }],
  ["residency.in-jurisdiction", "a region outside named where the region has no root CA", (j) => (first(j, "aws_s3_bucket").tags = { Note: "sa-east-1" }), {
    region: (r) => ({ ...r, mesh: { ...r.mesh, rootCaArn: undefined } }),
    says: /names sa-east-1, outside/,
  }],
  ["resilience.stateful-protected", "log group destroyable", (j) => delete first(j, "aws_cloudwatch_log_group").lifecycle],
  ["resilience.multi-az", "NLB in one AZ", (j) => (first(j, "aws_lb").subnets = first(j, "aws_lb").subnets.slice(0, 1)), { says: /no subnet in [\w-]+, [\w-]+$/ }],
  ["resilience.multi-az", "interface endpoint in two AZs", (j) => {
    const e = Object.values(j.resource.aws_vpc_endpoint as Record<string, TfJson>).find((x) => x.vpc_endpoint_type === "Interface")!;
    e.subnet_ids = e.subnet_ids.slice(0, 2);
  }],
  ["logging.access-logs", "NLB access logs off", (j) => (first(j, "aws_lb").access_logs.enabled = false), { says: /no access logs into a bucket of this stack/ }],
  ["logging.access-logs", "NLB without an access_logs block", (j) => delete first(j, "aws_lb").access_logs, { says: /no access logs into a bucket of this stack/ }],
  ["logging.access-logs", "NLB access logs into a bucket outside the stack", (j) => (first(j, "aws_lb").access_logs.bucket = "someone-elses-logs"), { says: /no access logs into a bucket of this stack/ }],
  ["logging.access-logs", "archive bucket not logged", (j) => delete j.resource.aws_s3_bucket_logging, { says: /no server access logging/ }],
  ["logging.access-logs", "a bucket that logs to itself", (j) => {
    const logging = first(j, "aws_s3_bucket_logging");
    logging.target_bucket = logging.bucket;
  }, { says: /logs to itself/ }],
  ["logging.access-logs", "a bucket that logs to a bucket outside the stack", (j) => (first(j, "aws_s3_bucket_logging").target_bucket = "someone-elses-logs"), { says: /logs to a bucket outside this stack/ }],
  ["resilience.multi-az", "node group in one AZ", (j) => (first(j, "aws_eks_node_group").subnet_ids = first(j, "aws_eks_node_group").subnet_ids.slice(0, 1)), { says: /aws_eks_node_group\.[\w-]+: no subnet in/ }],
  ["resilience.multi-az", "database subnet group in one AZ", (j) => (first(j, "aws_db_subnet_group").subnet_ids = first(j, "aws_db_subnet_group").subnet_ids.slice(0, 1)), { says: /aws_db_subnet_group\.[\w-]+: no subnet in/ }],
  ["resilience.multi-az", "Kafka brokers in one AZ", (j) => (brokerInfo(j).client_subnets = brokerInfo(j).client_subnets.slice(0, 1)), { says: /aws_msk_cluster\.[\w-]+: no subnet in/ }],
  ["resilience.multi-az", "the HSM cluster in one AZ", (j) => (first(j, "aws_cloudhsm_v2_cluster").subnet_ids = first(j, "aws_cloudhsm_v2_cluster").subnet_ids.slice(0, 1)), { says: /aws_cloudhsm_v2_cluster\.[\w-]+: no subnet in/ }],
  ["stack.backend-encrypted-locked", "state unencrypted", (j) => (j.terraform.backend.s3.encrypt = false), { says: /encrypt is not true/ }],
  ["stack.backend-encrypted-locked", "no state locking", (j) => delete j.terraform.backend.s3.use_lockfile, { says: /use_lockfile is not true/ }],
  ["stack.backend-encrypted-locked", "no Terraform version floor", (j) => delete j.terraform.required_version, { says: /required_version/ }],
  ["stack.backend-encrypted-locked", "no backend block", (j) => delete j.terraform.backend, { says: /no s3 backend/ }],
  ["stack.backend-encrypted-locked", "no terraform block", (j) => delete j.terraform, { says: /no s3 backend/ }],
  ["stack.provider-pinned-to-account", "the root CA's provider where the region names no root CA", (j) => j, {
    when: (s) => rootCaElsewhere(s.region),
    region: (r) => ({ ...r, mesh: { ...r.mesh, rootCaArn: undefined } }),
    says: /provider\.aws: (\d) provider blocks, expected (\d)/,
  }],
  ["stack.provider-pinned-to-account", "the aliased provider without default tags", (j) => delete j.provider.aws.find((p: TfJson) => p.alias).default_tags, { says: /default_tags: Owner is not/ }],
  ["stack.provider-pinned-to-account", "the aliased provider's default tags empty", (j) => (j.provider.aws.find((p: TfJson) => p.alias).default_tags = [{}]), { says: /default_tags: Owner is not/ }],
  ["stack.provider-pinned-to-account", "the aliased provider's default tags an empty list", (j) => (j.provider.aws.find((p: TfJson) => p.alias).default_tags = []), { says: /default_tags: Owner is not/ }],
  ["stack.default-tags", "the home provider's default tags an empty list", (j) => (j.provider.aws[0].default_tags = []), { says: /Region is undefined/ }],
  ["stack.default-tags", "no home provider", (j) => (j.provider.aws = j.provider.aws.filter((p: TfJson) => p.alias !== undefined)), { says: /Region is undefined/ }],
  ["stack.backend-encrypted-locked", "local state (no S3 backend)", (j) => (j.terraform.backend = { local: { path: "terraform.tfstate" } }), { says: /no s3 backend/ }],
  ["stack.backend-encrypted-locked", "state under another KMS key", (j) => (j.terraform.backend.s3.kms_key_id = "arn:aws:kms:eu-west-1:999999999999:key/other"), { says: /not the configured state key/ }],
  ["stack.backend-encrypted-locked", "state in another bucket", (j) => (j.terraform.backend.s3.bucket = "someone-elses-state"), { says: /bucket\/key\/region differ/ }],
  ["stack.backend-encrypted-locked", "state under another key", (j) => (j.terraform.backend.s3.key = "other/terraform.tfstate"), { says: /bucket\/key\/region differ/ }],
  ["stack.backend-encrypted-locked", "state bucket named in another region", (j) => (j.terraform.backend.s3.region = "ap-southeast-1"), { says: /bucket\/key\/region differ/ }],
  ["stack.provider-pinned-to-account", "any account", (j) => delete j.provider.aws[0].allowed_account_ids, { says: /allowed_account_ids/ }],
  ["stack.provider-pinned-to-account", "skip flags in production", (j) => (j.provider.aws[0].skip_credentials_validation = true), { says: /credentials or skip flags/ }],
  ["stack.provider-pinned-to-account", "the account lookup skipped", (j) => (j.provider.aws[0].skip_requesting_account_id = true), { says: /credentials or skip flags/ }],
  ["stack.provider-pinned-to-account", "an access key in the stack", (j) => (j.provider.aws[0].access_key = "AKIAEXAMPLE"), { says: /credentials or skip flags/ }],
  ["stack.provider-pinned-to-account", "a secret key in the stack", (j) => (j.provider.aws[0].secret_key = "example"), { says: /credentials or skip flags/ }],
  ["stack.provider-pinned-to-account", "one provider block more", (j) => j.provider.aws.push({ alias: "extra", region: "eu-west-1" }), { says: /provider blocks, expected/ }],
  ["stack.provider-pinned-to-account", "the home provider in another region", (j) => (j.provider.aws[0].region = "eu-north-1"), { says: /^provider\.aws: region eu-north-1, expected/ }],
  ["stack.provider-pinned-to-account", "the aliased provider renamed", (j) => (j.provider.aws.find((p: TfJson) => p.alias).alias = "other"), { says: /missing/ }],
  ["stack.provider-pinned-to-account", "the aliased provider in another region", (j) => (j.provider.aws.find((p: TfJson) => p.alias).region = "eu-north-1"), { says: /^provider\.aws\.[\w-]+: region eu-north-1, expected/ }],
  ["stack.provider-pinned-to-account", "the aliased provider in any account", (j) => delete j.provider.aws.find((p: TfJson) => p.alias).allowed_account_ids, { says: /^provider\.aws\.[\w-]+: allowed_account_ids/ }],
  ["stack.provider-pinned-to-account", "the aliased provider without the owner tag", (j) => delete j.provider.aws.find((p: TfJson) => p.alias).default_tags[0].tags.Owner, { says: /default_tags: Owner is not/ }],
  ["stack.default-tags", "owner tag dropped", (j) => delete j.provider.aws[0].default_tags[0].tags.Owner, { says: /Owner is undefined/ }],
  ["stack.default-tags", "no default tags", (j) => delete j.provider.aws[0].default_tags, { says: /Region is undefined/ }],
  ["stack.default-tags", "another owner", (j) => (j.provider.aws[0].default_tags[0].tags.Owner = "nobody"), { says: /Owner is "nobody"/ }],
  ["stack.no-data-sources", "caller identity lookup", (j) => (j.data = { aws_caller_identity: { me: {} } })],
  ["stack.aws-provider-only", "kubernetes provider mixed in", (j) => (j.terraform.required_providers.kubernetes = { source: "hashicorp/kubernetes" })],
  ["keys.one-per-purpose", "tokenization alias removed", (j) => delete j.resource.aws_kms_alias.keys_tokenization_alias],
  ["keys.one-per-purpose", "two purposes share a key", (j) => (j.resource.aws_kms_alias.keys_kafka_alias.target_key_id = "${aws_kms_key.keys_database_key.key_id}"), { says: /aws_kms_key\.keys_database_key: serves more than one purpose/ }],
  ["keys.rotation-window-single-region", "rotation off", (j) => (first(j, "aws_kms_key").enable_key_rotation = false), { says: /enable_key_rotation is not true/ }],
  ["keys.rotation-window-single-region", "7-day window", (j) => (first(j, "aws_kms_key").deletion_window_in_days = 7), { says: /deletion_window_in_days is 7, expected 30/ }],
  ["keys.rotation-window-single-region", "multi-region key", (j) => (first(j, "aws_kms_key").multi_region = true), { says: /multi_region is not false/ }],
  ["keys.rotation-window-single-region", "destroyable", (j) => delete first(j, "aws_kms_key").lifecycle, { says: /not protected from destroy/ }],
  ["keys.rotation-window-single-region", "an asymmetric key", (j) => (first(j, "aws_kms_key").customer_master_key_spec = "RSA_2048"), { says: /not a symmetric key/ }],
  ["keys.rotation-window-single-region", "a rotation period on a key-store key", (j) => (keyOf(j, "tokenization").rotation_period_in_days = 90), { stages: ["keys"], says: /in a custom key store/ }],
  ["keys.one-per-purpose", "a key in the partner region's provider without a DR alias", (j) => (keyOf(j, "database").provider = "aws.dr"), { says: /in provider aws\.dr, not the region's/ }],
  ["keys.one-per-purpose", "an alias in another region than its key", (j) => (j.resource.aws_kms_alias.keys_kafka_alias.provider = "aws.other"), { says: /aws_kms_alias\.keys_kafka_alias: not in its key's region/ }],
  ["keys.one-per-purpose", "a key without an alias", (j) => add(j, "aws_kms_key", "stray", { description: "stray" }), { says: /aws_kms_key\.stray: has no purpose alias/ }],
  ["keys.one-per-purpose", "a DR key alias missing", (j) => delete j.resource.aws_kms_alias[Object.entries(j.resource.aws_kms_alias as Record<string, TfJson>).find(([, a]) => a.provider === "aws.dr")![0]], {
    when: withPartner,
    says: /a DR key alias .* is missing/,
  }],
  ["keys.one-per-purpose", "a DR key moved to the home provider (with its alias)", (j) => {
    const alias = Object.values(j.resource.aws_kms_alias as Record<string, TfJson>).find((a) => a.provider === "aws.dr")!;
    delete alias.provider;
    delete j.resource.aws_kms_key[refName(alias.target_key_id, "aws_kms_key", "key_id")!].provider;
  }, { when: withPartner, says: /a DR key outside the partner region's provider/ }],
  ["keys.policies-name-principals", "a key without an explicit policy", (j) => delete keyOf(j, "logs").policy, { says: /no explicit key policy/ }],
  ["keys.policies-name-principals", "the account root not named", (j) => policyEdit(keyOf(j, "ecr"), (d) => (d.Statement = d.Statement.filter((x) => !JSON.stringify(x.Principal ?? {}).includes(":root")))), {
    says: /the account root is not named/,
  }],
  ["keys.policies-name-principals", "principal * without condition", (j) =>
    policyEdit(first(j, "aws_kms_key"), (d) => d.Statement.push({ Sid: "Open", Effect: "Allow", Principal: { AWS: "*" }, Action: "kms:Decrypt", Resource: "*" }))],
  ["keys.policies-name-principals", "foreign account", (j) =>
    policyEdit(first(j, "aws_kms_key"), (d) => d.Statement.push({ Sid: "Foreign", Effect: "Allow", Principal: { AWS: "arn:aws:iam::999999999999:root" }, Action: "kms:Decrypt", Resource: "*" }))],
  ["keys.policies-name-principals", "service principal without condition", (j) =>
    policyEdit(first(j, "aws_kms_key"), (d) => d.Statement.push({ Sid: "Svc", Effect: "Allow", Principal: { Service: "s3.amazonaws.com" }, Action: "kms:Decrypt", Resource: "*" }))],
  ["keys.logs-key-admits-cloudwatch-with-context", "context condition dropped", (j) =>
    policyEdit(j.resource.aws_kms_key.keys_logs_key, (d) => d.Statement.forEach((s) => delete s.Condition))],
  ["keys.administration-without-use", "the root may decrypt", (j) => keyStatement(j, "database", ROOT_ADMIN, (s) => s.Action.push("kms:Decrypt")), { says: /statement AccountAdministersTheKeyNeverUsesIt lets the account root .* kms:Decrypt$/ }],
  ["keys.administration-without-use", "the root gets kms:* back", (j) => keyStatement(j, "audit", ROOT_ADMIN, (s) => (s.Action = "kms:*")), { says: /lets the account root .* kms:\*$/ }],
  ["keys.administration-without-use", "a use statement also grants PutKeyPolicy", (j) => keyStatement(j, "ecr", "DeployCreatesTheRepositories", (s) => s.Action.push("kms:PutKeyPolicy")), { says: /statement DeployCreatesTheRepositories grants use together with kms:PutKeyPolicy$/ }],
  ["keys.administration-without-use", "the custodians' Deny removed", (j) => dropKeyStatement(j, "tokenization", CUSTODIANS), { says: /no Deny keeps kms:\S+, kms:\S+/ }],
  ["keys.administration-without-use", "the custodians' Deny no longer covers deletion", (j) =>
    keyStatement(j, "kafka", CUSTODIANS, (s) => (s.Action = s.Action.filter((a: string) => a !== "kms:ScheduleKeyDeletion")))],
  ["keys.administration-without-use", "the administrators made custodians", (j, s) =>
    keyStatement(j, "logs", CUSTODIANS, (x) => x.Condition.ArnNotEquals["aws:PrincipalArn"].push(s.region.eks.adminRoleArn))],
  ["keys.administration-without-use", "the custodians' Deny narrowed by a further condition", (j) =>
    keyStatement(j, "ebs", CUSTODIANS, (s) => (s.Condition.StringEquals = { "aws:RequestedRegion": "ap-south-2" }))],
  ["keys.use-named-through-services", "use by the whole account through a service", (j) => keyStatement(j, "database", "DeployCreatesTheDatabase", (s) => delete s.Condition.ArnEquals)],
  ["keys.use-named-through-services", "a role named directly as principal", (j, s) =>
    keyStatement(j, "database", "DeployCreatesTheDatabase", (x) => ((x.Principal = { AWS: s.region.eks.deployRoleArn }), delete x.Condition.ArnEquals))],
  ["keys.use-named-through-services", "roles matched by pattern as well", (j, s) =>
    keyStatement(j, "ecr", "DeployCreatesTheRepositories", (x) => (x.Condition.ArnLike = { "aws:PrincipalArn": `arn:aws:iam::${s.region.accountId}:role/*` }))],
  ["keys.use-named-through-services", "a wildcard role name", (j, s) =>
    keyStatement(j, "ecr", "DeployCreatesTheRepositories", (x) => (x.Condition.ArnEquals["aws:PrincipalArn"] = [`arn:aws:iam::${s.region.accountId}:role/platform-*`]))],
  ["keys.use-named-through-services", "a role no one declared", (j, s) =>
    keyStatement(j, "secrets-manager", "DeployStoresManagedSecrets", (x) => x.Condition.ArnEquals["aws:PrincipalArn"].push(`arn:aws:iam::${s.region.accountId}:role/someone-else`))],
  ["keys.use-named-through-services", "grants not only for AWS resources", (j) => keyStatement(j, "ecr", "DeployCreatesTheRepositoriesGrants", (s) => delete s.Condition.Bool)],
  ["keys.use-named-through-services", "the EKS exception stretched to another key", (j) =>
    keyStatement(j, "database", "DeployCreatesTheDatabaseGrants", (s) => (delete s.Condition.Bool, delete s.Condition.StringEquals))],
  ["keys.use-named-through-services", "the EKS exception stretched to the administrators", (j, s) =>
    keyStatement(j, "eks-secrets", "DeployCreatesTheClusterGrants", (x) => x.Condition.ArnEquals["aws:PrincipalArn"].push(s.region.eks.adminRoleArn))],
  ["keys.use-named-through-services", "calls through another region's service", (j) =>
    keyStatement(j, "kafka", "DeployCreatesTheBrokers", (s) => (s.Condition.StringEquals["kms:ViaService"] = ["kafka.ap-south-2.amazonaws.com"]))],
  ["keys.use-named-through-services", "the deploy role calls the key directly", (j) => keyStatement(j, "database", "DeployCreatesTheDatabase", (s) => delete s.Condition.StringEquals)],
  ["keys.use-named-through-services", "the cluster role calls the database key directly", (j) =>
    policyEdit(keyOf(j, "database"), (d) => d.Statement.push({ ...JSON.parse(keyOf(j, "eks-secrets").policy).Statement.find((x: TfJson) => x.Sid === "ClusterEncryptsSecrets"), Sid: "Stray" }))],
  ["keys.granted-use-is-admitted", "the cluster role's use dropped from the key", (j) => dropKeyStatement(j, "eks-secrets", "ClusterEncryptsSecrets"), { says: /grants \S+ kms:\w+ on aws_kms_key\.[\w-]+, which the key's policy does not admit$/ }],
  ["keys.granted-use-is-admitted", "the cluster role granted an action the key does not admit", (j) =>
    policyEdit(clusterRolePolicy(j), (d) => d.Statement[0].Action.push("kms:ReEncryptFrom"))],
  ["keys.granted-use-is-admitted", "the cluster role granted the key through a service the key does not admit it through", (j, s) => {
    keyStatement(j, "eks-secrets", "ClusterEncryptsSecrets", (x) => (x.Condition.StringEquals = { "kms:ViaService": [`eks.${s.region.cloudRegion}.amazonaws.com`] }));
    policyEdit(clusterRolePolicy(j), (d) => (d.Statement[0].Condition = { StringEquals: { "kms:ViaService": `s3.${s.region.cloudRegion}.amazonaws.com` } }));
  }],
  ["keys.granted-use-is-admitted", "the cluster role renamed", (j) => (named(j, "aws_iam_role", (r) => String(r.name).endsWith("-eks-cluster")).name = "renamed-cluster-role")],
  ["preflight.deploy-role-can-use-keys", "the deploy role may not create the ECR grants", (j) => dropKeyStatement(j, "ecr", "DeployCreatesTheRepositoriesGrants"), {
    says: /may not kms:CreateGrant on aws_kms_key\.[\w-]+ through ecr\.[a-z0-9-]+\.amazonaws\.com \(encryption_configuration\.kms_key\)/,
  }],
  ["preflight.deploy-role-can-use-keys", "the deploy role admitted to the database key through another service", (j) =>
    keyStatement(j, "database", "DeployCreatesTheDatabaseGrants", (s) => (s.Condition.StringEquals["kms:ViaService"] = ["s3.eu-west-1.amazonaws.com"]))],
  ["preflight.deploy-role-can-use-keys", "the master secret's key does not admit the deploy role", (j) => dropKeyStatement(j, "secrets-manager", "DeployStoresManagedSecrets")],
  ["network.no-internet-path", "internet gateway", (j) => add(j, "aws_internet_gateway", "igw", { vpc_id: "${aws_vpc.network_vpc.id}" }), { says: /aws_internet_gateway\.igw: an internet or external path/ }],
  ["network.no-internet-path", "a route resource", (j) => add(j, "aws_route", "r", { route_table_id: "x", destination_cidr_block: "0.0.0.0/0" }), { says: /aws_route\.r: an internet or external path/ }],
  ["network.no-internet-path", "a route in the default route table", (j) => add(j, "aws_default_route_table", "d", { default_route_table_id: "x", route: [{ cidr_block: "0.0.0.0/0", gateway_id: "igw-1" }] }), {
    says: /aws_default_route_table\.d: has routes/,
  }],
  ["network.no-internet-path", "block public access for ingress only", (j) => (first(j, "aws_vpc_block_public_access_options").internet_gateway_block_mode = "block-ingress"), { says: /not block-bidirectional/ }],
  ["network.no-internet-path", "a second block-public-access resource", (j) => add(j, "aws_vpc_block_public_access_options", "second", { internet_gateway_block_mode: "block-bidirectional" }), { says: /not block-bidirectional/ }],
  ["network.private-subnets-per-az", "the VPC on another block", (j) => (first(j, "aws_vpc").cidr_block = "10.99.0.0/16"), { says: /expected exactly one VPC with the configured block/ }],
  ["network.private-subnets-per-az", "a subnet that assigns IPv6 addresses", (j) => (first(j, "aws_subnet").assign_ipv6_address_on_creation = true), { says: /assigns IPv6 addresses/ }],
  ["network.private-subnets-per-az", "a subnet on another block", (j) => (first(j, "aws_subnet").cidr_block = "10.99.0.0/24"), { says: /aws_subnet: tier \w+ has/ }],
  ["network.defaults-locked", "the default security group not adopted", (j) => delete j.resource.aws_default_security_group, { says: /the default security group is not adopted/ }],
  ["network.defaults-locked", "the default NACL not adopted", (j) => delete j.resource.aws_default_network_acl, { says: /the default NACL is not adopted/ }],
  ["network.defaults-locked", "the default security group's rules left as they are (no ingress list)", (j) => delete first(j, "aws_default_security_group").ingress, { says: /default has rules/ }],
  ["network.defaults-locked", "the default security group's egress left as it is", (j) => delete first(j, "aws_default_security_group").egress, { says: /default has rules/ }],
  ["network.no-open-security-group-rules", "an IPv6 range", (j) => (first(j, "aws_vpc_security_group_ingress_rule").cidr_ipv6 = "2001:db8::/32"), { says: /IPv6 2001:db8::\/32/ }],
  ["network.no-open-security-group-rules", "a legacy rule to the internet", (j) => add(j, "aws_security_group_rule", "out", { type: "egress", security_group_id: "x", protocol: "tcp", from_port: 443, to_port: 443, cidr_blocks: ["0.0.0.0/0"] }), {
    says: /aws_security_group_rule\.out: egress 0\.0\.0\.0\/0/,
  }],
  ["network.no-open-security-group-rules", "an egress rule to a public range", (j) => add(j, "aws_vpc_security_group_egress_rule", "out", { security_group_id: "x", ip_protocol: "tcp", from_port: 443, to_port: 443, cidr_ipv4: "8.8.8.0/24" }), {
    says: /aws_vpc_security_group_egress_rule\.out: egress 8\.8\.8\.0\/24/,
  }],
  ["network.no-open-security-group-rules", "an inline IPv6 ingress", (j) => add(j, "aws_security_group", "v6", { ingress: [{ protocol: "tcp", from_port: 443, to_port: 443, ipv6_cidr_blocks: ["::/0"] }] }), { says: /aws_security_group\.v6: ingress IPv6/ }],
  ["network.private-subnets-per-az", "a second VPC, named", (j) => add(j, "aws_vpc", "other", { cidr_block: "10.99.0.0/16" }), { says: /^aws_vpc: network_vpc 10\.\d+\.0\.0\/16, other 10\.99\.0\.0\/16; expected exactly one VPC/ }],
  ["network.private-subnets-per-az", "no VPC", (j) => delete j.resource.aws_vpc, { says: /^aws_vpc: none; expected exactly one VPC/ }],
  ["network.tier-nacls", "the data tier's NACL lets 443 out to the world (only the workload tier's may, for S3)", (j) =>
    j.resource.aws_network_acl.network_data_network_acl.egress.push({ action: "allow", cidr_block: "0.0.0.0/0", from_port: 443, to_port: 443, protocol: "6", rule_no: 900 }), { says: /egress rule 900 open to the world/ }],
  ["network.tier-nacls", "the data tier's NACL lets replies in from the world (only the workload tier's may)", (j) =>
    j.resource.aws_network_acl.network_data_network_acl.ingress.push({ action: "allow", cidr_block: "0.0.0.0/0", from_port: 1024, to_port: 65535, protocol: "6", rule_no: 900 }), { says: /ingress rule 900 open to the world/ }],
  ["network.tier-nacls", "the workload tier's NACL admits a partner range on 443 (only the endpoints tier's may)", (j, s) =>
    j.resource.aws_network_acl.network_workload_network_acl.ingress.push({ action: "allow", cidr_block: s.region.paymentApi.partnerClientCidrs[0], from_port: 443, to_port: 443, protocol: "6", rule_no: 900 }), {
    says: /workload tier ingress rule 900 admits partner range/,
  }],
  ["network.s3-gateway-limited", "reads of another account's bucket", (j) =>
    policyEdit(j.resource.aws_vpc_endpoint.network_s3_gateway_endpoint, (d) => d.Statement.push({ Sid: "Other", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::someone-elses/*", Condition: { StringEquals: { "aws:PrincipalAccount": "111122223333" } } })), {
    says: /statement Other allows arn:aws:s3:::someone-elses\/\*/,
  }],
  ["network.s3-gateway-limited", "ECR's layer bucket writable", (j) => policyEdit(j.resource.aws_vpc_endpoint.network_s3_gateway_endpoint, (d) => (d.Statement.find((s) => s.Sid === "EcrImageLayers")!.Action = "s3:*")), {
    says: /statement EcrImageLayers allows arn:aws:s3:::prod-/,
  }],
  ["network.s3-gateway-limited", "the region's buckets limited by another condition than the account", (j) =>
    policyEdit(j.resource.aws_vpc_endpoint.network_s3_gateway_endpoint, (d) => (d.Statement.find((s) => s.Sid === "RegionBucketsFromThisAccountOnly")!.Condition = { Bool: { "aws:SecureTransport": "true" } })), {
    says: /statement RegionBucketsFromThisAccountOnly is not limited to principals of account/,
  }],
  ["network.tier-nacls", "a tier without its NACL", (j) => delete j.resource.aws_network_acl.network_data_network_acl, { says: /no NACL covers exactly the data subnets/ }],
  ["network.tier-nacls", "SSH from the world into the workload tier", (j) =>
    j.resource.aws_network_acl.network_workload_network_acl.ingress.push({ action: "allow", cidr_block: "0.0.0.0/0", from_port: 22, to_port: 22, protocol: "6", rule_no: 900 }), { says: /ingress rule 900 open to the world/ }],
  ["network.tier-nacls", "the workload tier's S3 rule widened to every port", (j) => {
    const out = j.resource.aws_network_acl.network_workload_network_acl.egress.find((r: TfJson) => r.cidr_block === "0.0.0.0/0");
    out.from_port = 0;
    out.to_port = 65535;
  }, { says: /egress rule \d+ open to the world/ }],
  ["network.tier-nacls", "the endpoints tier talks to an outside range", (j) =>
    j.resource.aws_network_acl.network_endpoints_network_acl.egress.push({ action: "allow", cidr_block: "192.168.0.0/16", from_port: 443, to_port: 443, protocol: "6", rule_no: 900 }), {
    says: /egress rule 900 admits 192\.168\.0\.0\/16, neither the VPC nor a partner range/,
  }],
  ["network.tier-nacls", "the data tier talks to the endpoints tier", (j, s) =>
    j.resource.aws_network_acl.network_data_network_acl.ingress.push({ action: "allow", cidr_block: s.region.network.subnets.endpoints[0], from_port: 0, to_port: 0, protocol: "-1", rule_no: 900 }), {
    says: /data tier ingress rule 900 admits/,
  }],
  ["network.tier-nacls", "a partner range reaches the workload tier", (j, s) =>
    j.resource.aws_network_acl.network_workload_network_acl.ingress.push({ action: "allow", cidr_block: s.region.paymentApi.partnerClientCidrs[0], from_port: 443, to_port: 443, protocol: "6", rule_no: 900 }), {
    says: /workload tier ingress rule 900 admits partner range/,
  }],
  ["network.flow-logs-all", "flow log into S3", (j) => (first(j, "aws_flow_log").log_destination_type = "s3"), { says: /no flow log of ALL traffic/ }],
  ["network.flow-logs-all", "flow log into another stack's group", (j) => (first(j, "aws_flow_log").log_destination = "arn:aws:logs:eu-west-1:111122223333:log-group:elsewhere"), { says: /no flow log of ALL traffic/ }],
  ["network.flow-logs-all", "flow log of another VPC", (j) => (first(j, "aws_flow_log").vpc_id = "vpc-0123456789abcdef0"), { says: /no flow log of ALL traffic/ }],
  ["network.interface-endpoint-policies", "an endpoint without its policy (full access)", (j) => delete j.resource.aws_vpc_endpoint.network_interface_endpoints_kms.policy, { says: /network_interface_endpoints_kms: no endpoint policy/ }],
  ["network.interface-endpoint-policies", "a policy on the EKS endpoint, which takes none", (j) => (j.resource.aws_vpc_endpoint.network_interface_endpoints_eks.policy = j.resource.aws_vpc_endpoint.network_interface_endpoints_kms.policy), { says: /network_interface_endpoints_eks: eks takes no endpoint policy/ }],
  ["network.interface-endpoint-policies", "any account's principals on the region's keys", (j) =>
    policyEdit(j.resource.aws_vpc_endpoint.network_interface_endpoints_kms, (d) => delete d.Statement[0].Condition.StringEquals["aws:PrincipalAccount"]), { says: /statement OwnPrincipalsOnOwnResources admits principals of any account/ }],
  ["network.interface-endpoint-policies", "a second account among the principals", (j, s) =>
    policyEdit(j.resource.aws_vpc_endpoint.network_interface_endpoints_sts, (d) => (d.Statement[1].Condition.StringEquals["aws:PrincipalAccount"] = [s.region.accountId, "999988887777"])), { says: /statement OwnPrincipalsInCallsWithoutResourceAccount admits principals of any account/ }],
  ["network.interface-endpoint-policies", "the region's principals on any account's secrets", (j) =>
    policyEdit(j.resource.aws_vpc_endpoint.network_interface_endpoints_secretsmanager, (d) => delete d.Statement[0].Condition.StringEquals["aws:ResourceAccount"]), { says: /statement OwnPrincipalsOnOwnResources reaches resources of accounts other than/ }],
  ["network.interface-endpoint-policies", "another account's log groups", (j, s) =>
    policyEdit(j.resource.aws_vpc_endpoint.network_interface_endpoints_logs, (d) => (d.Statement[0].Condition.StringEquals["aws:ResourceAccount"] = [s.region.accountId, "999988887777"])), { says: /statement OwnPrincipalsOnOwnResources reaches resources of accounts other than/ }],
  ["network.interface-endpoint-policies", "calls without a resource account turned into any call", (j) =>
    policyEdit(j.resource.aws_vpc_endpoint.network_interface_endpoints_kms, (d) => (d.Statement[1].Condition.Null["aws:ResourceAccount"] = "false")), { says: /statement OwnPrincipalsInCallsWithoutResourceAccount reaches resources of accounts other than/ }],
  ["network.interface-endpoint-policies", "a null test beside a resource account of another account", (j) =>
    policyEdit(j.resource.aws_vpc_endpoint.network_interface_endpoints_kms, (d) => (d.Statement[1].Condition.StringEquals["aws:ResourceAccount"] = "999988887777")), { says: /statement OwnPrincipalsInCallsWithoutResourceAccount reaches resources of accounts other than/ }],
  ["network.interface-endpoint-policies", "pushes to any account's registry", (j) =>
    policyEdit(j.resource.aws_vpc_endpoint.network_interface_endpoints_ecr_api, (d) => (d.Statement[2].Action = [...d.Statement[2].Action, "ecr:PutImage"])), { says: /statement OwnPrincipalsPullAwsOwnedImages reaches resources of accounts other than/ }],
  ["network.interface-endpoint-policies", "image reads of any account through another endpoint", (j) =>
    policyEdit(j.resource.aws_vpc_endpoint.network_interface_endpoints_kms, (d) => d.Statement.push({ Sid: "Pull", Effect: "Allow", Principal: "*", Action: ["ecr:BatchGetImage"], Resource: "*", Condition: { StringEquals: { "aws:PrincipalAccount": d.Statement[0].Condition.StringEquals["aws:PrincipalAccount"] } } })), { says: /statement Pull reaches resources of accounts other than/ }],
  ["network.interface-endpoint-policies", "guardduty-data open to any account", (j) =>
    policyEdit(j.resource.aws_vpc_endpoint["network_interface_endpoints_guardduty-data"], (d) => delete d.Statement[0].Condition), { says: /statement OwnPrincipalsOnly admits principals of any account/ }],
  ["network.interface-endpoint-policies", "a NotResource statement", (j) =>
    policyEdit(j.resource.aws_vpc_endpoint.network_interface_endpoints_kms, (d) => d.Statement.push({ Sid: "NotR", Effect: "Deny", Principal: "*", Action: "kms:Decrypt", NotResource: "*" })), { says: /statement NotR uses NotResource/ }],
  ["network.interface-endpoint-policies", "a NotPrincipal statement", (j) =>
    policyEdit(j.resource.aws_vpc_endpoint.network_interface_endpoints_kms, (d) => d.Statement.push({ Sid: "NotP", Effect: "Deny", NotPrincipal: { AWS: "arn:aws:iam::999988887777:root" }, Action: "kms:Decrypt", Resource: "*" })), { says: /statement NotP uses NotPrincipal/ }],
  ["network.interface-endpoint-policies", "the root CA's account widened on ACM PCA's endpoint", (j) =>
    policyEdit(j.resource.aws_vpc_endpoint["network_interface_endpoints_acm-pca"], (d) => (d.Statement[0].Condition.StringEquals["aws:ResourceAccount"] = ["555566667777"])), {
    says: /statement OwnPrincipalsOnOwnResources reaches resources of accounts other than \d{12}, 999988887777/,
    region: (r) => ({ ...r, mesh: { ...r.mesh, rootCaArn: "arn:aws:acm-pca:eu-west-1:999988887777:certificate-authority/11111111-2222-3333-4444-555555555555" } }),
    when: (s) => s.region.mesh.rootCaArn !== undefined,
  }],
  ["network.interface-endpoint-policies", "a statement without conditions", (j) =>
    policyEdit(j.resource.aws_vpc_endpoint.network_interface_endpoints_kms, (d) => delete d.Statement[1].Condition), { says: /statement OwnPrincipalsInCallsWithoutResourceAccount admits principals of any account/ }],
  ["network.interface-endpoint-policies", "a NotAction statement", (j) =>
    policyEdit(j.resource.aws_vpc_endpoint.network_interface_endpoints_kms, (d) => d.Statement.push({ Sid: "Not", Effect: "Deny", Principal: "*", NotAction: "kms:Decrypt", Resource: "*" })), { says: /statement Not uses NotAction/ }],
  ["network.interface-endpoints", "an endpoint outside the endpoints tier", (j) => (j.resource.aws_vpc_endpoint.network_interface_endpoints_sts.subnet_ids = [...first(j, "aws_db_subnet_group").subnet_ids]), {
    says: /network_interface_endpoints_sts: not in the endpoints tier/,
  }],
  ["network.interface-endpoints", "an endpoint without a security group", (j) => (j.resource.aws_vpc_endpoint.network_interface_endpoints_sts.security_group_ids = []), { says: /network_interface_endpoints_sts: no security group/ }],
  ["network.interface-endpoints", "an endpoint behind a group without rules", (j) => {
    add(j, "aws_security_group", "empty", { name: "empty" });
    j.resource.aws_vpc_endpoint.network_interface_endpoints_sts.security_group_ids = ["${aws_security_group.empty.id}"];
  }, { says: /security group \$\{aws_security_group\.empty\.id\} has no ingress rule/ }],
  ["network.s3-gateway-limited", "a second gateway endpoint", (j) => add(j, "aws_vpc_endpoint", "dynamodb", { ...j.resource.aws_vpc_endpoint.network_s3_gateway_endpoint, service_name: "com.amazonaws.eu-west-1.dynamodb" }), {
    says: /2 gateway endpoints, expected one for S3/,
  }],
  ["network.s3-gateway-limited", "the gateway serves DynamoDB", (j) => (j.resource.aws_vpc_endpoint.network_s3_gateway_endpoint.service_name = "com.amazonaws.eu-west-1.dynamodb"), { says: /not the S3 service of the region/ }],
  ["network.s3-gateway-limited", "the gateway on every tier's route tables", (j) =>
    (j.resource.aws_vpc_endpoint.network_s3_gateway_endpoint.route_table_ids = Object.keys(j.resource.aws_route_table).map((n) => `\${aws_route_table.${n}.id}`)), { says: /route tables are not exactly the workload tier's/ }],
  ["network.s3-gateway-limited", "a statement for any account's principals", (j) =>
    policyEdit(j.resource.aws_vpc_endpoint.network_s3_gateway_endpoint, (d) => d.Statement.filter((x) => x.Condition?.StringEquals?.["aws:PrincipalAccount"]).forEach((x) => delete x.Condition)), {
    says: /is not limited to principals of account/,
  }],
  ["network.partner-endpoint-service", "a second endpoint service", (j) => add(j, "aws_vpc_endpoint_service", "second", { ...first(j, "aws_vpc_endpoint_service") }), { says: /aws_vpc_endpoint_service: 2 on the partner API.s load balancer, expected 1/ }],
  ["network.partner-endpoint-service", "a principal added outside the config", (j) => add(j, "aws_vpc_endpoint_service_allowed_principal", "p", { vpc_endpoint_service_id: "x", principal_arn: "arn:aws:iam::111122223333:root" }), {
    says: /principals added outside the config/,
  }],
  ["network.partner-endpoint-service", "NLB access logs off", (j) => (first(j, "aws_lb").access_logs.enabled = false), { says: /access logs off/ }],
  ["network.partner-endpoint-service", "NLB without a security group", (j) => (first(j, "aws_lb").security_groups = []), { says: /no security group/ }],
  ["network.partner-endpoint-service", "TLS ended at the load balancer (the client certificate lost)", (j) =>
    Object.assign(first(j, "aws_lb_listener"), { protocol: "TLS", ssl_policy: "ELBSecurityPolicy-TLS13-1-2-2021-06", certificate_arn: "arn:aws:acm:eu-west-1:111122223333:certificate/c" }), { says: /TLS 443, expected TCP 443 passing the partners' TLS through/ }],
  ["network.partner-endpoint-service", "a TCP listener naming a certificate", (j) => (first(j, "aws_lb_listener").certificate_arn = "arn:aws:acm:eu-west-1:111122223333:certificate/c"), { says: /ends TLS at the load balancer/ }],
  ["network.partner-endpoint-service", "a TCP listener naming a TLS policy", (j) => (first(j, "aws_lb_listener").ssl_policy = "ELBSecurityPolicy-TLS13-1-2-2021-06"), { says: /ends TLS at the load balancer/ }],
  ["network.partner-endpoint-service", "the listener on another port", (j) => (first(j, "aws_lb_listener").port = 8443), { says: /TCP 8443, expected TCP 443/ }],
  ["network.partner-endpoint-service", "ip targets (nothing registers them)", (j) => (first(j, "aws_lb_target_group").target_type = "ip"), { says: /ip TCP 30443, expected the EKS nodes \(instance\)/ }],
  ["network.partner-endpoint-service", "targets on another node port", (j) => (first(j, "aws_lb_target_group").port = 30080), { says: /instance TCP 30080, expected/ }],
  ["network.partner-endpoint-service", "targets spoken to in TLS (the NLB would need a certificate)", (j) => (first(j, "aws_lb_target_group").protocol = "TLS"), { says: /instance TLS 30443, expected/ }],
  ["network.partner-endpoint-service", "health checks on the traffic port (every node passes, gateway or not)", (j) => (first(j, "aws_lb_target_group").health_check.port = "30443"), { says: /health checks are not the gateway's readiness/ }],
  ["network.partner-endpoint-service", "health checks over TCP", (j) => (first(j, "aws_lb_target_group").health_check.protocol = "TCP"), { says: /health checks are not the gateway's readiness/ }],
  ["network.partner-endpoint-service", "health checks on another path", (j) => (first(j, "aws_lb_target_group").health_check.path = "/"), { says: /health checks are not the gateway's readiness/ }],
  ["network.partner-endpoint-service", "the partners' addresses preserved to the nodes", (j) => (first(j, "aws_lb_target_group").preserve_client_ip = "true"), { says: /preserve_client_ip is not "false"/ }],
  ["network.partner-endpoint-service", "no node joins the target group", (j) => delete j.resource.aws_autoscaling_attachment, { says: /the EKS nodes' Auto Scaling group is not attached/ }],
  ["network.partner-endpoint-service", "another Auto Scaling group attached", (j) => (first(j, "aws_autoscaling_attachment").autoscaling_group_name = "some-asg"), { says: /the EKS nodes' Auto Scaling group is not attached/ }],
  ["network.partner-endpoint-service", "the nodes attached to another target group", (j) => (first(j, "aws_autoscaling_attachment").lb_target_group_arn = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/x/1"), { says: /the EKS nodes' Auto Scaling group is not attached/ }],
  ["network.no-internet-path", "NAT gateway", (j) => add(j, "aws_nat_gateway", "nat", { subnet_id: "x" })],
  ["network.no-internet-path", "default route", (j) => (first(j, "aws_route_table").route = [{ cidr_block: "0.0.0.0/0", gateway_id: "igw-1" }])],
  ["network.no-internet-path", "block public access off", (j) => delete j.resource.aws_vpc_block_public_access_options],
  ["network.private-subnets-per-az", "public IP on launch", (j) => (first(j, "aws_subnet").map_public_ip_on_launch = true)],
  ["network.private-subnets-per-az", "a tier loses an AZ", (j) => delete j.resource.aws_subnet[Object.keys(j.resource.aws_subnet)[0]]],
  ["network.defaults-locked", "default SG allows all", (j) =>
    (first(j, "aws_default_security_group").ingress = [{ protocol: "-1", from_port: 0, to_port: 0, self: true }])],
  ["network.defaults-locked", "default NACL allows all", (j) =>
    (first(j, "aws_default_network_acl").egress = [{ rule_no: 100, action: "allow", protocol: "-1", cidr_block: "0.0.0.0/0", from_port: 0, to_port: 0 }])],
  ["network.no-open-security-group-rules", "ingress from anywhere", (j) => (first(j, "aws_vpc_security_group_ingress_rule").cidr_ipv4 = "0.0.0.0/0")],
  ["network.no-open-security-group-rules", "inline egress to anywhere", (j) =>
    (first(j, "aws_security_group").egress = [{ cidr_blocks: ["0.0.0.0/0"], from_port: 0, to_port: 0, protocol: "-1" }])],
  ["network.tier-nacls", "data tier open to the VPC", (j) =>
    named(j, "aws_network_acl", (a) => a.tags.Name.endsWith("-data")).ingress.push({ rule_no: 300, action: "allow", protocol: "-1", from_port: 0, to_port: 0, cidr_block: "10.0.0.0/8" })],
  ["network.tier-nacls", "endpoints tier open to the world", (j) =>
    named(j, "aws_network_acl", (a) => a.tags.Name.endsWith("-endpoints")).ingress.push({ rule_no: 300, action: "allow", protocol: "6", from_port: 443, to_port: 443, cidr_block: "0.0.0.0/0" }), { says: /open to the world/ }],
  ["network.tier-nacls", "a separate NACL rule resource", (j) => add(j, "aws_network_acl_rule", "extra", { network_acl_id: "x", rule_number: 1, egress: false, protocol: "-1", rule_action: "allow", cidr_block: "10.0.0.0/8" })],
  ["network.tier-nacls", "partner range reaches every port", (j, s) =>
    named(j, "aws_network_acl", (a) => a.tags.Name.endsWith("-endpoints")).ingress.push({ rule_no: 300, action: "allow", protocol: "-1", from_port: 0, to_port: 0, cidr_block: s.region.paymentApi.partnerClientCidrs[0] })],
  ["network.flow-logs-all", "rejected traffic only", (j) => (first(j, "aws_flow_log").traffic_type = "REJECT")],
  ["network.log-groups-encrypted-retained", "unencrypted log group", (j) => delete first(j, "aws_cloudwatch_log_group").kms_key_id, { says: /kms_key_id undefined is not the logs key/ }],
  ["network.log-groups-encrypted-retained", "wrong key", (j) => (first(j, "aws_cloudwatch_log_group").kms_key_id = "${aws_kms_key.keys_audit_key.arn}"), { says: /kms_key_id \$\{aws_kms_key\.keys_audit_key\.arn\} is not the logs key/ }],
  ["network.log-groups-encrypted-retained", "30-day retention", (j) => (first(j, "aws_cloudwatch_log_group").retention_in_days = 30), { says: /retention_in_days 30 < 365/ }],
  ["network.interface-endpoints", "kms endpoint removed", (j) => delete j.resource.aws_vpc_endpoint.network_interface_endpoints_kms],
  ["network.interface-endpoints", "private DNS off", (j) => (j.resource.aws_vpc_endpoint.network_interface_endpoints_sts.private_dns_enabled = false)],
  ["network.interface-endpoints", "endpoint SG open to 10/8", (j) =>
    (named(j, "aws_vpc_security_group_ingress_rule", (r) => r.security_group_id.includes("network_endpoint")).cidr_ipv4 = "10.0.0.0/8")],
  ["network.s3-gateway-limited", "policy allows every bucket", (j) =>
    policyEdit(j.resource.aws_vpc_endpoint.network_s3_gateway_endpoint, (d) => (d.Statement[1].Resource = "*"))],
  ["network.s3-gateway-limited", "no endpoint policy", (j) => delete j.resource.aws_vpc_endpoint.network_s3_gateway_endpoint.policy],
  ["network.partner-endpoint-service", "auto-accept", (j) => (first(j, "aws_vpc_endpoint_service").acceptance_required = false)],
  ["network.partner-endpoint-service", "extra principal", (j) => first(j, "aws_vpc_endpoint_service").allowed_principals.push("arn:aws:iam::999999999999:root")],
  ["network.partner-endpoint-service", "internet-facing NLB", (j) => (first(j, "aws_lb").internal = false)],
  ["network.partner-endpoint-service", "no deletion protection", (j) => (first(j, "aws_lb").enable_deletion_protection = false)],
  ["network.partner-endpoint-service", "NLB open to the VPC via an inline rule", (j) =>
    (j.resource.aws_security_group.partner_api_security_group.ingress = [{ cidr_blocks: ["10.0.0.0/8"], from_port: 443, to_port: 443, protocol: "tcp" }])],
  ["network.partner-endpoint-service", "NLB admits partners on every port", (j) =>
    Object.values(j.resource.aws_vpc_security_group_ingress_rule as Record<string, TfJson>).filter((r) => r.security_group_id.includes("partner_api")).forEach((r) => ((r.from_port = 0), (r.to_port = 65535)))],
  ["network.partner-endpoint-service", "PrivateLink traffic not evaluated", (j) => (first(j, "aws_lb").enforce_security_group_inbound_rules_on_private_link_traffic = "off")],
  ["network.interface-endpoints", "endpoint SG gains a legacy rule", (j) =>
    add(j, "aws_security_group_rule", "extra", { type: "ingress", security_group_id: "${aws_security_group.network_endpoint_security_group.id}", cidr_blocks: ["10.0.0.0/8"], from_port: 22, to_port: 22, protocol: "tcp" })],
  ["audit.object-lock-compliance", "governance mode", (j) => (first(j, "aws_s3_bucket_object_lock_configuration").rule.default_retention.mode = "GOVERNANCE"), { says: /default retention is not COMPLIANCE mode/ }],
  ["audit.object-lock-compliance", "30-day lock", (j) => (first(j, "aws_s3_bucket_object_lock_configuration").rule.default_retention.days = 30), { says: /default retention 30 days, expected \d+ \(≥ 365\)/ }],
  ["audit.object-lock-compliance", "object lock off", (j) => (auditBucket(j).object_lock_enabled = false), { says: /object_lock_enabled is not true/ }],
  ["audit.buckets-hardened", "versioning suspended", (j) => (first(j, "aws_s3_bucket_versioning").versioning_configuration.status = "Suspended"), { says: /versioning not Enabled/ }],
  ["audit.buckets-hardened", "public policies allowed", (j) => (first(j, "aws_s3_bucket_public_access_block").block_public_policy = false), { says: /block_public_policy is not true/ }],
  ["audit.buckets-hardened", "force destroy", (j) => (auditBucket(j).force_destroy = true), { says: /force_destroy is true/ }],
  ["audit.buckets-hardened", "ACLs enabled", (j) => (first(j, "aws_s3_bucket_ownership_controls").rule.object_ownership = "ObjectWriter"), { says: /ACLs are not disabled/ }],
  ["audit.encryption", "audit archive on SSE-S3", (j) => {
    const enc = named(j, "aws_s3_bucket_server_side_encryption_configuration", (e) => e.rule[0].apply_server_side_encryption_by_default.sse_algorithm === "aws:kms");
    enc.rule[0].apply_server_side_encryption_by_default = { sse_algorithm: "AES256" };
  }],
  ["audit.encryption", "audit archive under the logs key", (j) => {
    const enc = named(j, "aws_s3_bucket_server_side_encryption_configuration", (e) => e.rule[0].apply_server_side_encryption_by_default.sse_algorithm === "aws:kms");
    enc.rule[0].apply_server_side_encryption_by_default.kms_master_key_id = "${aws_kms_key.keys_logs_key.arn}";
  }],
  ["audit.tls-only-and-key-enforced", "TLS deny removed", (j) =>
    policyEdit(first(j, "aws_s3_bucket_policy"), (d) => (d.Statement = d.Statement.filter((s) => s.Sid !== "DenyInsecureTransport")))],
  ["audit.tls-only-and-key-enforced", "other-key deny removed", (j) =>
    policyEdit(named(j, "aws_s3_bucket_policy", (p) => p.policy.includes("DenyOtherKmsKeys")), (d) => (d.Statement = d.Statement.filter((s) => s.Sid !== "DenyOtherKmsKeys")))],
  ["audit.tls-only-and-key-enforced", "aws:kms without key id allowed", (j) =>
    policyEdit(named(j, "aws_s3_bucket_policy", (p) => p.policy.includes("DenyKmsWithoutKeyId")), (d) => (d.Statement = d.Statement.filter((s) => s.Sid !== "DenyKmsWithoutKeyId")))],
  ["audit.tls-only-and-key-enforced", "public read", (j) =>
    policyEdit(first(j, "aws_s3_bucket_policy"), (d) => d.Statement.push({ Sid: "Public", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "*" }))],
  ["audit.access-logged-elsewhere", "logging removed", (j) => delete j.resource.aws_s3_bucket_logging, { says: /no server access logging/ }],
  ["audit.access-logged-elsewhere", "logs to a bucket outside the stack", (j) => (archiveOf(j, "aws_s3_bucket_logging").target_bucket = "someone-elses-logs"), { says: /logs to a bucket outside this stack/ }],
  ["audit.access-logged-elsewhere", "no audit archive", (j) => (auditBucket(j).bucket = "renamed-archive"), { says: /no audit archive bucket/ }],
  ["audit.object-lock-compliance", "no audit archive", (j) => (auditBucket(j).bucket = "renamed-archive"), { says: /no audit archive bucket/ }],
  ["audit.object-lock-compliance", "no lock configuration", (j) => delete j.resource.aws_s3_bucket_object_lock_configuration, { says: /default retention is not COMPLIANCE mode/ }],
  ["audit.object-lock-compliance", "retention in years as well", (j) => (archiveOf(j, "aws_s3_bucket_object_lock_configuration").rule.default_retention.years = 1), { says: /retention set in years and days/ }],
  ["audit.object-lock-compliance", "200 days where the region file says 200 (the config refuses it; the rule holds its floor)", (j) =>
    (archiveOf(j, "aws_s3_bucket_object_lock_configuration").rule.default_retention.days = 200), {
    region: (r) => ({ ...r, retention: { ...r.retention, auditArchiveDays: 200 } }),
    says: /default retention 200 days, expected 200/,
  }],
  ["audit.buckets-hardened", "a bucket not protected from destroy", (j) => delete auditBucket(j).lifecycle, { says: /not protected from destroy/ }],
  ["audit.buckets-hardened", "public ACLs not blocked", (j) => (first(j, "aws_s3_bucket_public_access_block").block_public_acls = false), { says: /block_public_acls is not true/ }],
  ["audit.buckets-hardened", "public ACLs not ignored", (j) => (first(j, "aws_s3_bucket_public_access_block").ignore_public_acls = false), { says: /ignore_public_acls is not true/ }],
  ["audit.buckets-hardened", "public buckets not restricted", (j) => (first(j, "aws_s3_bucket_public_access_block").restrict_public_buckets = false), { says: /restrict_public_buckets is not true/ }],
  ["audit.buckets-hardened", "an ACL resource", (j) => add(j, "aws_s3_bucket_acl", "a", { bucket: "x", acl: "private" }), { says: /ACLs in use/ }],
  ["audit.encryption", "a bucket without default encryption", (j) => delete j.resource.aws_s3_bucket_server_side_encryption_configuration[Object.keys(j.resource.aws_s3_bucket_server_side_encryption_configuration)[0]], {
    says: /no default encryption/,
  }],
  ["audit.encryption", "the archive under dual-layer encryption (not the audit key's SSE-KMS)", (j) => (archiveOf(j, "aws_s3_bucket_server_side_encryption_configuration").rule[0].apply_server_side_encryption_by_default.sse_algorithm = "aws:kms:dsse"), {
    says: /sse_algorithm aws:kms:dsse/,
  }],
  ["audit.encryption", "SSE-S3 on a bucket no log delivery targets, its policy allowing nothing", (j) => {
    add(j, "aws_s3_bucket", "extra", { bucket: "acme-pay-extra", lifecycle: { prevent_destroy: true } });
    add(j, "aws_s3_bucket_server_side_encryption_configuration", "extra", { bucket: "${aws_s3_bucket.extra.id}", rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } }] });
    add(j, "aws_s3_bucket_policy", "extra", { bucket: "${aws_s3_bucket.extra.id}", policy: JSON.stringify({ Statement: [{ Sid: "Tls", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } }] }) });
  }, { says: /^aws_s3_bucket\.extra: SSE-S3 on a bucket that is not only a log-delivery target/ }],
  ["audit.encryption", "the access-log bucket's policy gone (SSE-S3 there then limits nothing)", (j) => {
    const [n] = Object.entries(j.resource.aws_s3_bucket_policy as Record<string, TfJson>).find(([, p]) => p.bucket === logSse(j).bucket)!;
    delete j.resource.aws_s3_bucket_policy[n];
  }, { says: /SSE-S3 on a bucket that is not only a log-delivery target/ }],
  ["audit.encryption", "the access-log bucket lets an account write beside the log service", (j) =>
    policyEdit(logPolicy(j), (d) => d.Statement.push({ Sid: "Both", Effect: "Allow", Principal: { Service: "logging.s3.amazonaws.com", AWS: "arn:aws:iam::111122223333:root" }, Action: "s3:PutObject", Resource: "*" })), {
    says: /SSE-S3 on a bucket that is not only a log-delivery target/,
  }],
  ["audit.encryption", "the access-log bucket lets a federated identity write", (j) =>
    policyEdit(logPolicy(j), (d) => d.Statement.push({ Sid: "Web", Effect: "Allow", Principal: { Federated: "cognito-identity.amazonaws.com" }, Action: "s3:PutObject", Resource: "*" })), {
    says: /SSE-S3 on a bucket that is not only a log-delivery target/,
  }],
  ["audit.encryption", "the access-log bucket lets EC2 write beside the log service", (j) =>
    policyEdit(logPolicy(j), (d) => d.Statement.push({ Sid: "Ec2", Effect: "Allow", Principal: { Service: ["logging.s3.amazonaws.com", "ec2.amazonaws.com"] }, Action: "s3:PutObject", Resource: "*" })), {
    says: /SSE-S3 on a bucket that is not only a log-delivery target/,
  }],
  ["audit.encryption", "the archive logs into itself, on SSE-S3", (j) => {
    archiveOf(j, "aws_s3_bucket_logging").target_bucket = archiveOf(j, "aws_s3_bucket_logging").bucket;
    archiveOf(j, "aws_s3_bucket_server_side_encryption_configuration").rule[0].apply_server_side_encryption_by_default = { sse_algorithm: "AES256" };
  }, { says: /^aws_s3_bucket\.\w*archive_bucket: SSE-S3 on a bucket that is not only a log-delivery target/ }],
  ["audit.encryption", "a bucket under the AWS-managed key, named so", (j) => (logSse(j).rule[0].apply_server_side_encryption_by_default = { sse_algorithm: "aws:kms" }), {
    says: /SSE-KMS with the AWS-managed aws\/s3 key, not a customer-managed key of this stack/,
  }],
  ["audit.encryption", "no KMS key in the stack at all", (j) => delete j.resource.aws_kms_key, { says: /not a customer-managed key of this stack/ }],
  ["audit.object-lock-compliance", "a lock longer than the region file says", (j) => (archiveOf(j, "aws_s3_bucket_object_lock_configuration").rule.default_retention.days = 3650), { says: /default retention 3650 days, expected \d+/ }],
  ["audit.buckets-hardened", "versioning without its configuration block", (j) => delete first(j, "aws_s3_bucket_versioning").versioning_configuration, { says: /versioning not Enabled/ }],
  ["audit.buckets-hardened", "ownership controls without a rule", (j) => delete first(j, "aws_s3_bucket_ownership_controls").rule, { says: /ACLs are not disabled/ }],
  ["audit.tls-only-and-key-enforced", "the archive's policy resource removed", (j) => {
    const [n] = Object.entries(j.resource.aws_s3_bucket_policy as Record<string, TfJson>).find(([, p]) => p === archiveOf(j, "aws_s3_bucket_policy"))!;
    delete j.resource.aws_s3_bucket_policy[n];
  }, { says: /no bucket policy/ }],
  ["audit.tls-only-and-key-enforced", "the TLS deny turned into an Allow", (j) => archiveStatement(j, "DenyInsecureTransport", (s) => (s.Effect = "Allow")), { says: /does not deny non-TLS requests/ }],
  ["audit.tls-only-and-key-enforced", "the TLS deny for one account only", (j) => archiveStatement(j, "DenyInsecureTransport", (s) => (s.Principal = { AWS: "arn:aws:iam::111122223333:root" })), { says: /does not deny non-TLS requests/ }],
  ["audit.tls-only-and-key-enforced", "the other-algorithm deny turned into an Allow", (j) => archiveStatement(j, "DenyEncryptionOtherThanKms", (s) => (s.Effect = "Allow")), { says: /does not deny puts under another encryption or key/ }],
  ["audit.tls-only-and-key-enforced", "the other-key deny turned into an Allow", (j) => archiveStatement(j, "DenyOtherKmsKeys", (s) => (s.Effect = "Allow")), { says: /does not deny puts under another encryption or key/ }],
  ["audit.tls-only-and-key-enforced", "the no-key-id deny turned into an Allow", (j) => archiveStatement(j, "DenyKmsWithoutKeyId", (s) => (s.Effect = "Allow")), { says: /does not deny puts under another encryption or key/ }],
  ["audit.tls-only-and-key-enforced", "the no-key-id deny only for puts that name no encryption", (j) =>
    archiveStatement(j, "DenyKmsWithoutKeyId", (s) => (s.Condition.Null["s3:x-amz-server-side-encryption"] = "true")), { says: /does not deny puts under another encryption or key/ }],
  ["audit.encryption", "the archive's bucket key off", (j) => (archiveOf(j, "aws_s3_bucket_server_side_encryption_configuration").rule[0].bucket_key_enabled = false), { says: /bucket key off/ }],
  ["audit.encryption", "the archive under a key the stack does not declare", (j) =>
    (archiveOf(j, "aws_s3_bucket_server_side_encryption_configuration").rule[0].apply_server_side_encryption_by_default.kms_master_key_id = "${aws_kms_key.gone.arn}"), {
    says: /not a customer-managed key of this stack/,
  }],
  ["audit.tls-only-and-key-enforced", "the TLS deny on objects only", (j) =>
    policyEdit(archiveOf(j, "aws_s3_bucket_policy"), (d) => d.Statement.filter((s) => s.Sid === "DenyInsecureTransport").forEach((s) => (s.Resource = asList<TfJson>(s.Resource).filter((r) => String(r).endsWith("/*"))))), {
    says: /does not deny non-TLS requests/,
  }],
  ["audit.tls-only-and-key-enforced", "the TLS deny on the bucket only", (j) =>
    policyEdit(archiveOf(j, "aws_s3_bucket_policy"), (d) => d.Statement.filter((s) => s.Sid === "DenyInsecureTransport").forEach((s) => (s.Resource = asList<TfJson>(s.Resource).filter((r) => !String(r).endsWith("/*"))))), {
    says: /does not deny non-TLS requests/,
  }],
  ["audit.tls-only-and-key-enforced", "the TLS deny for reads only", (j) =>
    policyEdit(archiveOf(j, "aws_s3_bucket_policy"), (d) => d.Statement.filter((s) => s.Sid === "DenyInsecureTransport").forEach((s) => (s.Action = "s3:GetObject"))), { says: /does not deny non-TLS requests/ }],
  ["audit.tls-only-and-key-enforced", "a bucket without a policy", (j) => delete archiveOf(j, "aws_s3_bucket_policy").policy, { says: /no bucket policy/ }],
  ["audit.tls-only-and-key-enforced", "another algorithm allowed", (j) =>
    policyEdit(archiveOf(j, "aws_s3_bucket_policy"), (d) => (d.Statement = d.Statement.filter((s) => s.Condition?.StringNotEquals?.["s3:x-amz-server-side-encryption"] === undefined))), {
    says: /does not deny puts under another encryption or key/,
  }],
  ["audit.cold-storage-lifecycle", "no audit archive", (j) => (auditBucket(j).bucket = "renamed-archive"), { says: /no audit archive bucket/ }],
  ["audit.cold-storage-lifecycle", "noncurrent versions stay warm", (j) => coldRule(j).forEach((r: TfJson) => delete r.noncurrent_version_transition), { says: /noncurrent versions do not move to cold storage/ }],
  ["audit.cold-storage-lifecycle", "a transition after other days", (j) => coldRule(j).forEach((r: TfJson) => asList<TfJson>(r.transition).forEach((t: TfJson) => (t.days += 1))), { says: /no transition to cold storage after/ }],
  ["audit.cold-storage-lifecycle", "a transition to infrequent access (not cold)", (j) => coldRule(j).forEach((r: TfJson) => asList<TfJson>(r.transition).forEach((t: TfJson) => (t.storage_class = "STANDARD_IA"))), {
    says: /no transition to cold storage after/,
  }],
  ["audit.cold-storage-lifecycle", "the cold-storage rule disabled", (j) => coldRule(j).forEach((r: TfJson) => (r.status = "Disabled")), { says: /no transition to cold storage after/ }],
  ["audit.cold-storage-lifecycle", "noncurrent versions expire", (j) => coldRule(j).forEach((r: TfJson) => (r.noncurrent_version_expiration = [{ noncurrent_days: 400 }])), { says: /a lifecycle rule expires audit records/ }],
  ["audit.access-logged-elsewhere", "logs to itself", (j) => {
    const l = first(j, "aws_s3_bucket_logging");
    l.target_bucket = l.bucket;
  }],
  ["audit.cold-storage-lifecycle", "no transition", (j) =>
    named(j, "aws_s3_bucket_lifecycle_configuration", (l) => l.rule.some((r: TfJson) => r.id === "cold-storage")).rule.forEach((r: TfJson) => delete r.transition)],
  ["audit.cold-storage-lifecycle", "records expire", (j) =>
    named(j, "aws_s3_bucket_lifecycle_configuration", (l) => l.rule.some((r: TfJson) => r.id === "cold-storage")).rule[1].expiration = [{ days: 400 }]],
  ["hsm.cluster-in-data-tier", "non-FIPS mode", (j) => (first(j, "aws_cloudhsm_v2_cluster").mode = "NON_FIPS"), { says: /mode NON_FIPS, expected FIPS/ }],
  ["hsm.cluster-in-data-tier", "a second cluster", (j) => add(j, "aws_cloudhsm_v2_cluster", "second", { ...first(j, "aws_cloudhsm_v2_cluster") }), { says: /aws_cloudhsm_v2_cluster: 2, expected 1/ }],
  ["hsm.two-hsms-distinct-azs", "three HSMs where the region file says two", (j) => add(j, "aws_cloudhsm_v2_hsm", "third", { ...first(j, "aws_cloudhsm_v2_hsm") }), {
    stages: ["keystore", "keys"],
    says: /3 HSMs, expected 2/,
  }],
  ["hsm.two-hsms-distinct-azs", "one HSM where the region file says one (the config refuses it; the rule holds its floor)", (j) => delete j.resource.aws_cloudhsm_v2_hsm[Object.keys(j.resource.aws_cloudhsm_v2_hsm)[1]], {
    stages: ["keystore", "keys"],
    region: (r) => ({ ...r, hsm: { ...r.hsm, count: 1 } }),
    says: /1 HSMs, expected 1/,
  }],
  ["hsm.clients-from-workload-tier-only", "a rule with no source", (j) => delete named(j, "aws_vpc_security_group_ingress_rule", (r) => r.security_group_id.includes("cloudhsm")).cidr_ipv4, {
    says: /source \[\] is not the workload tier/,
  }],
  ["hsm.kmsuser-secret", "a short recovery window", (j) => (secretNamed(j, "kmsuser").recovery_window_in_days = 7), { says: /recovery window 7, expected 30/ }],
  ["hsm.cluster-in-data-tier", "in the workload tier", (j) =>
    (first(j, "aws_cloudhsm_v2_cluster").subnet_ids = Object.keys(j.resource.aws_subnet).filter((n) => n.includes("workload")).map((n) => `\${aws_subnet.${n}.id}`)), { says: /not in the data tier of every AZ/ }],
  ["hsm.cluster-in-data-tier", "destroyable", (j) => delete first(j, "aws_cloudhsm_v2_cluster").lifecycle, { says: /aws_cloudhsm_v2_cluster\.[\w-]+: not protected from destroy/ }],
  ["hsm.two-hsms-distinct-azs", "a single HSM once the cluster is active", (j) => delete j.resource.aws_cloudhsm_v2_hsm[Object.keys(j.resource.aws_cloudhsm_v2_hsm)[1]], { stages: ["keystore", "keys"], says: /aws_cloudhsm_v2_hsm: 1 HSMs, expected/ }],
  ["hsm.two-hsms-distinct-azs", "both HSMs in one AZ", (j) => {
    const [a, b] = Object.values(j.resource.aws_cloudhsm_v2_hsm as Record<string, TfJson>);
    b.subnet_id = a.subnet_id;
  }, { stages: ["keystore", "keys"], says: /are not distinct data-tier subnets/ }],
  ["hsm.two-hsms-distinct-azs", "the first HSM outside the data tier", (j) =>
    (first(j, "aws_cloudhsm_v2_hsm").subnet_id = `\${aws_subnet.${Object.keys(j.resource.aws_subnet).find((n) => n.includes("workload"))}.id}`), { says: /are not distinct data-tier subnets/ }],
  ["hsm.two-hsms-distinct-azs", "an HSM not protected from destroy", (j) => delete first(j, "aws_cloudhsm_v2_hsm").lifecycle, { says: /aws_cloudhsm_v2_hsm\.[\w-]+: not protected from destroy/ }],
  ["hsm.clients-from-workload-tier-only", "open to the VPC", (j, s) =>
    (named(j, "aws_vpc_security_group_ingress_rule", (r) => r.security_group_id.includes("cloudhsm")).cidr_ipv4 = s.region.network.vpcCidr), { says: /is not the workload tier/ }],
  ["hsm.clients-from-workload-tier-only", "from port 22 up", (j) =>
    (named(j, "aws_vpc_security_group_ingress_rule", (r) => r.security_group_id.includes("cloudhsm")).from_port = 22), { says: /ports 22-\d+/ }],
  ["hsm.clients-from-workload-tier-only", "a legacy rule from the workload tier and another range", (j, s) =>
    add(j, "aws_security_group_rule", "hsm_legacy", {
      type: "ingress", security_group_id: named(j, "aws_vpc_security_group_ingress_rule", (r) => r.security_group_id.includes("cloudhsm")).security_group_id,
      cidr_blocks: [s.region.network.subnets.workload[0], "10.99.0.0/24"], from_port: 2223, to_port: 2225, protocol: "tcp",
    }), { says: /^aws_security_group_rule\.hsm_legacy: source \[.*10\.99\.0\.0\/24.*\] is not the workload tier/ }],
  ["hsm.key-store-stage", "a key store where the region file has no trust anchor", (j) => j, {
    stages: ["keystore", "keys"],
    region: (r) => ({ ...r, hsm: { ...r.hsm, trustAnchorCertificate: undefined } }),
    says: /trust anchor differs from hsm\.trustAnchorCertificate/,
  }],
  ["hsm.clients-from-workload-tier-only", "every port", (j) =>
    (named(j, "aws_vpc_security_group_ingress_rule", (r) => r.security_group_id.includes("cloudhsm")).to_port = 65535), { says: /ports \d+-65535/ }],
  ["database.encrypted-with-database-key", "storage unencrypted", (j) => (first(j, "aws_rds_cluster").storage_encrypted = false)],
  ["database.encrypted-with-database-key", "cluster under the logs key", (j) => (first(j, "aws_rds_cluster").kms_key_id = "${aws_kms_key.keys_logs_key.arn}")],
  ["database.encrypted-with-database-key", "Performance Insights under the AWS key", (j) => delete first(j, "aws_rds_cluster_instance").performance_insights_kms_key_id, { says: /Performance Insights off or not under the database key/ }],
  ["database.encrypted-with-database-key", "Performance Insights off", (j) => (first(j, "aws_rds_cluster_instance").performance_insights_enabled = false), { says: /Performance Insights off/ }],
  ["database.encrypted-with-database-key", "no database cluster", (j) => delete j.resource.aws_rds_cluster, { says: /no database cluster/ }],
  // Each condition alone: the managed password off, then literals the text scan must find with the managed password still on.
  ["database.no-password-literal", "the managed password off", (j) => (first(j, "aws_rds_cluster").manage_master_user_password = false)],
  ["database.no-password-literal", "a master_password literal beside the managed one", (j) => (first(j, "aws_rds_cluster").master_password = "hunter2hunter2")],
  ["database.no-password-literal", "a write-only password literal", (j) => (first(j, "aws_rds_cluster").master_password_wo = "hunter2hunter2")],
  ["database.no-password-literal", "a password in another resource", (j) => add(j, "aws_db_instance", "legacy", { password: "hunter2hunter2" })],
  ["database.no-password-literal", "secret under the default key", (j) => delete first(j, "aws_rds_cluster").master_user_secret_kms_key_id],
  ["database.tls-forced", "force_ssl off", (j) =>
    first(j, "aws_rds_cluster_parameter_group").parameter.find((p: TfJson) => p.name === "rds.force_ssl").value = "0"],
  ["database.tls-forced", "TLS floor lowered to 1.1", (j) =>
    (first(j, "aws_rds_cluster_parameter_group").parameter.find((p: TfJson) => p.name === "ssl_min_protocol_version").value = "TLSv1.1")],
  ["database.tls-forced", "no TLS floor", (j) => {
    const g = first(j, "aws_rds_cluster_parameter_group");
    g.parameter = (g.parameter as TfJson[]).filter((p) => p.name !== "ssl_min_protocol_version");
  }],
  ["database.tls-forced", "the default parameter group", (j) => (first(j, "aws_rds_cluster").db_cluster_parameter_group_name = "default.aurora-postgresql16"), { says: /no parameter group of this stack/ }],
  ["database.tls-forced", "statement logging of card data", (j) =>
    first(j, "aws_rds_cluster_parameter_group").parameter.find((p: TfJson) => p.name === "log_statement").value = "all"],
  ["database.protected-backed-up-logged", "deletion protection off", (j) => (first(j, "aws_rds_cluster").deletion_protection = false)],
  ["database.protected-backed-up-logged", "1-day backups", (j) => (first(j, "aws_rds_cluster").backup_retention_period = 1)],
  ["database.protected-backed-up-logged", "IAM auth off", (j) => (first(j, "aws_rds_cluster").iam_database_authentication_enabled = false)],
  ["database.protected-backed-up-logged", "no log export", (j) => (first(j, "aws_rds_cluster").enabled_cloudwatch_logs_exports = [])],
  ["database.protected-backed-up-logged", "destroyable", (j) => delete first(j, "aws_rds_cluster").lifecycle],
  ["database.protected-backed-up-logged", "no final snapshot", (j) => (first(j, "aws_rds_cluster").skip_final_snapshot = true)],
  ["database.protected-backed-up-logged", "backups shorter than the region file says", (j, s) => (first(j, "aws_rds_cluster").backup_retention_period = s.region.database.backupRetentionDays + 1)],
  ["database.protected-backed-up-logged", "3-day backups where the region file says 3 (the config refuses it; the rule holds its own floor)", (j) => (first(j, "aws_rds_cluster").backup_retention_period = 3), {
    region: (r) => ({ ...r, database: { ...r.database, backupRetentionDays: 3 } }),
    says: /backup retention 3/,
  }],
  ["database.protected-backed-up-logged", "snapshots lose the tags", (j) => (first(j, "aws_rds_cluster").copy_tags_to_snapshot = false)],
  ["database.instances-multi-az-private", "publicly accessible", (j) => (first(j, "aws_rds_cluster_instance").publicly_accessible = true)],
  ["database.instances-multi-az-private", "an instance removed", (j) => delete j.resource.aws_rds_cluster_instance[Object.keys(j.resource.aws_rds_cluster_instance)[1]]],
  ["database.instances-multi-az-private", "an instance more than the region file says", (j) => {
    const [[n, body]] = Object.entries(j.resource.aws_rds_cluster_instance as Record<string, TfJson>);
    j.resource.aws_rds_cluster_instance[`${n}_extra`] = { ...body };
  }, { says: /instances, expected/ }],
  ["database.instances-multi-az-private", "an instance in an undeclared zone", (j) => (first(j, "aws_rds_cluster_instance").availability_zone = "eu-west-1c"), { says: /zones .*eu-west-1c.* are not those of distinct data-tier subnets/ }],
  ["database.instances-multi-az-private", "one instance where the region file says one (the config refuses it; the rule holds its own floor)", (j) =>
    delete j.resource.aws_rds_cluster_instance[Object.keys(j.resource.aws_rds_cluster_instance)[1]], {
    region: (r) => ({ ...r, database: { ...r.database, instances: 1 } }),
    says: /1 instances, expected 1/,
  }],
  ["database.instances-multi-az-private", "an instance in a workload subnet's zone", (j) =>
    (first(j, "aws_rds_cluster_instance").availability_zone = `\${aws_subnet.${Object.keys(j.resource.aws_subnet).find((n) => n.includes("workload"))}.availability_zone}`)],
  ["database.instances-multi-az-private", "enhanced monitoring off", (j) => (first(j, "aws_rds_cluster_instance").monitoring_interval = 0)],
  ["database.instances-multi-az-private", "enhanced monitoring without its role", (j) => delete first(j, "aws_rds_cluster_instance").monitoring_role_arn],
  ["database.instances-multi-az-private", "both instances in one AZ", (j) => {
    const [a, b] = Object.values(j.resource.aws_rds_cluster_instance as Record<string, TfJson>);
    b.availability_zone = a.availability_zone;
  }],
  ["database.reachable-from-eks-nodes-only", "open to the whole VPC", (j, s) =>
    (named(j, "aws_vpc_security_group_ingress_rule", (r) => r.security_group_id.includes("database")).cidr_ipv4 = s.region.network.vpcCidr)],
  ["database.reachable-from-eks-nodes-only", "a legacy rule from the endpoints tier", (j, s) =>
    add(j, "aws_security_group_rule", "db_extra", { type: "ingress", security_group_id: "${aws_security_group.database_security_group.id}", cidr_blocks: [s.region.network.subnets.endpoints[0]], from_port: 5432, to_port: 5432, protocol: "tcp" })],
  ["database.reachable-from-eks-nodes-only", "the cluster in no security group", (j) => delete first(j, "aws_rds_cluster").vpc_security_group_ids, { says: /aws_rds_cluster\.\S+: no security group$/ }],
  ["database.reachable-from-eks-nodes-only", "nodes in two security groups (none is the one to admit)", (j) =>
    (j.resource.aws_launch_template.eks_node_launch_template.vpc_security_group_ids = ["${aws_security_group.eks_node_security_group.id}", "${aws_security_group.network_endpoint_security_group.id}"]), {
    says: /no single EKS node security group to admit/,
  }],
  ["database.reachable-from-eks-nodes-only", "the nodes admitted over UDP", (j) => (j.resource.aws_vpc_security_group_ingress_rule.database_ingress_from_clients_postgresql.ip_protocol = "udp"), { says: /admits udp 5432-5432 from/ }],
  ["database.reachable-from-eks-nodes-only", "the nodes admitted on a port range that starts at PostgreSQL's", (j) => (j.resource.aws_vpc_security_group_ingress_rule.database_ingress_from_clients_postgresql.to_port = 6432), { says: /admits tcp 5432-6432 from/ }],
  ["database.reachable-from-eks-nodes-only", "the nodes admitted on another port only", (j) => {
    const r = j.resource.aws_vpc_security_group_ingress_rule.database_ingress_from_clients_postgresql;
    r.from_port = r.to_port = 5433;
  }, { says: /admits tcp 5433-5433 from/ }],
  ["database.reachable-from-eks-nodes-only", "no rule admits the nodes", (j) => delete j.resource.aws_vpc_security_group_ingress_rule.database_ingress_from_clients_postgresql, { says: /does not admit each of ports 5432 from the EKS nodes/ }],
  ["database.reachable-from-eks-nodes-only", "an inline rule admitting another group", (j) =>
    (j.resource.aws_security_group.database_security_group.ingress = [{ protocol: "tcp", from_port: 5432, to_port: 5432, security_groups: ["${aws_security_group.kafka_security_group.id}"] }]), {
    says: /admits tcp 5432-5432 from \$\{aws_security_group\.kafka_security_group\.id\}/,
  }],
  ["database.reachable-from-eks-nodes-only", "a legacy rule admitting another group", (j) =>
    add(j, "aws_security_group_rule", "db_kafka", { type: "ingress", security_group_id: "${aws_security_group.database_security_group.id}", source_security_group_id: "${aws_security_group.kafka_security_group.id}", from_port: 5432, to_port: 5432, protocol: "tcp" }), {
    says: /admits tcp 5432-5432 from \$\{aws_security_group\.kafka_security_group\.id\}/,
  }],
  ["database.reachable-from-eks-nodes-only", "a legacy rule admitting the group itself", (j) =>
    add(j, "aws_security_group_rule", "db_self", { type: "ingress", security_group_id: "${aws_security_group.database_security_group.id}", self: true, from_port: 5432, to_port: 5432, protocol: "tcp" }), {
    says: /admits tcp 5432-5432 from self/,
  }],
  ["database.reachable-from-eks-nodes-only", "the default subnet group", (j) => (first(j, "aws_rds_cluster").db_subnet_group_name = "default")],
  ["database.reachable-from-eks-nodes-only", "one data subnet left out", (j) => (first(j, "aws_db_subnet_group").subnet_ids = first(j, "aws_db_subnet_group").subnet_ids.slice(1))],
  ["database.reachable-from-eks-nodes-only", "in the workload subnets", (j) =>
    (first(j, "aws_db_subnet_group").subnet_ids = Object.keys(j.resource.aws_subnet).filter((n) => n.includes("workload")).map((n) => `\${aws_subnet.${n}.id}`))],
  ["database.reachable-from-eks-nodes-only", "open to the workload tier's addresses", (j, s) => {
    const rule = named(j, "aws_vpc_security_group_ingress_rule", (r) => r.security_group_id.includes("database"));
    delete rule.referenced_security_group_id;
    rule.cidr_ipv4 = s.region.network.subnets.workload[0];
  }],
  ["database.reachable-from-eks-nodes-only", "open to the control plane", (j) =>
    (named(j, "aws_vpc_security_group_ingress_rule", (r) => r.security_group_id.includes("database")).referenced_security_group_id = "${aws_security_group.eks_cluster_security_group.id}")],
  ["kafka.tls-and-auth", "plaintext clients", (j) => (first(j, "aws_msk_cluster").encryption_info.encryption_in_transit.client_broker = "TLS_PLAINTEXT")],
  ["kafka.tls-and-auth", "unauthenticated on", (j) => (first(j, "aws_msk_cluster").client_authentication.unauthenticated = true)],
  ["kafka.tls-and-auth", "public access", (j) => (first(j, "aws_msk_cluster").broker_node_group_info.connectivity_info.public_access.type = "SERVICE_PROVIDED_EIPS")],
  ["kafka.encrypted-logged-protected", "AWS-owned key at rest", (j) => delete first(j, "aws_msk_cluster").encryption_info.encryption_at_rest_kms_key_arn],
  ["kafka.encrypted-logged-protected", "broker logs off", (j) => (first(j, "aws_msk_cluster").logging_info.broker_logs.cloudwatch_logs.enabled = false)],
  ["kafka.encrypted-logged-protected", "destroyable", (j) => delete first(j, "aws_msk_cluster").lifecycle],
  ["kafka.brokers-spread-over-azs", "4 brokers on 3 AZs", (j) => (first(j, "aws_msk_cluster").number_of_broker_nodes = 4)],
  ["kafka.brokers-spread-over-azs", "brokers in the workload tier", (j) =>
    (first(j, "aws_msk_cluster").broker_node_group_info.client_subnets = Object.keys(j.resource.aws_subnet).filter((n) => n.includes("workload")).map((n) => `\${aws_subnet.${n}.id}`))],
  ["kafka.configuration", "auto-created topics", (j) => (first(j, "aws_msk_configuration").server_properties = first(j, "aws_msk_configuration").server_properties.replace("auto.create.topics.enable=false", "auto.create.topics.enable=true"))],
  ["kafka.configuration", "every SCRAM user may use every topic without an ACL", (j) => (first(j, "aws_msk_configuration").server_properties = first(j, "aws_msk_configuration").server_properties.replace("allow.everyone.if.no.acl.found=false", "allow.everyone.if.no.acl.found=true"))],
  ["kafka.configuration", "no ACL default at all (Kafka's is to allow)", (j) => (first(j, "aws_msk_configuration").server_properties = first(j, "aws_msk_configuration").server_properties.replace("allow.everyone.if.no.acl.found=false\n", ""))],
  ["kafka.idempotent-producers", "a writer without idempotent writes", (j) => policyEdit(serviceRolePolicy(j), (d) => (d.Statement = d.Statement.filter((x) => x.Sid !== "WriteIdempotently")))],
  ["kafka.idempotent-producers", "idempotent writes on a topic instead of the cluster", (j) => policyEdit(serviceRolePolicy(j), (d) => d.Statement.filter((x) => x.Sid === "WriteIdempotently").forEach((x) => (x.Resource = "arn:aws:kafka:eu-west-1:111122223333:topic/x/*/payments.raw")))],
  ["kafka.configuration", "single in-sync replica", (j) => (first(j, "aws_msk_configuration").server_properties = first(j, "aws_msk_configuration").server_properties.replace("min.insync.replicas=2", "min.insync.replicas=1"))],
  ["kafka.reachable-from-eks-nodes-only", "plaintext port open", (j) => (named(j, "aws_vpc_security_group_ingress_rule", (r) => r.security_group_id.includes("kafka")).from_port = 9092)],
  ["kafka.reachable-from-eks-nodes-only", "open to the VPC", (j, s) => (named(j, "aws_vpc_security_group_ingress_rule", (r) => r.security_group_id.includes("kafka")).cidr_ipv4 = s.region.network.vpcCidr)],
  ["kafka.reachable-from-eks-nodes-only", "IAM port missing", (j) => {
    const [n] = Object.entries(j.resource.aws_vpc_security_group_ingress_rule as Record<string, TfJson>).find(([, r]) => r.security_group_id.includes("kafka") && r.from_port === 9098)!;
    delete j.resource.aws_vpc_security_group_ingress_rule[n];
  }],
  ["kafka.tls-and-auth", "plaintext between brokers", (j) => (first(j, "aws_msk_cluster").encryption_info.encryption_in_transit.in_cluster = false), { says: /traffic is not TLS only/ }],
  ["kafka.tls-and-auth", "no transit settings", (j) => delete first(j, "aws_msk_cluster").encryption_info.encryption_in_transit, { says: /traffic is not TLS only/ }],
  ["kafka.tls-and-auth", "SCRAM off", (j) => (first(j, "aws_msk_cluster").client_authentication.sasl.scram = false), { says: /SASL\/SCRAM and IAM are not both on/ }],
  ["kafka.tls-and-auth", "IAM off", (j) => (first(j, "aws_msk_cluster").client_authentication.sasl.iam = false), { says: /SASL\/SCRAM and IAM are not both on/ }],
  ["kafka.tls-and-auth", "no client authentication block", (j) => delete first(j, "aws_msk_cluster").client_authentication, { says: /unauthenticated access is not off/ }],
  ["kafka.tls-and-auth", "no Kafka cluster", (j) => delete j.resource.aws_msk_cluster, { says: /no Kafka cluster/ }],
  ["kafka.encrypted-logged-protected", "broker logs into a log group of another stack", (j) => (first(j, "aws_msk_cluster").logging_info.broker_logs.cloudwatch_logs.log_group = "/elsewhere"), { says: /broker logs not sent/ }],
  ["kafka.brokers-spread-over-azs", "two brokers (a multiple of the AZs, but under three)", (j) => (first(j, "aws_msk_cluster").number_of_broker_nodes = 2), {
    region: (r) => ({ ...r, availabilityZoneIds: r.availabilityZoneIds.slice(0, 2) }),
    says: /2 brokers over 2 AZs/,
  }],
  ["kafka.configuration", "another cluster's configuration", (j) => (first(j, "aws_msk_cluster").configuration_info.arn = "arn:aws:kafka:eu-west-1:111122223333:configuration/other/1"), { says: /no configuration of this stack/ }],
  ["kafka.configuration", "replication factor 2", (j) => (first(j, "aws_msk_configuration").server_properties = first(j, "aws_msk_configuration").server_properties.replace("default.replication.factor=3", "default.replication.factor=2")), {
    says: /default\.replication\.factor is 2, expected 3/,
  }],
  ["kafka.scram-secrets", "a SCRAM secret more than the region file's users", (j) => add(j, "aws_secretsmanager_secret", "extra", { ...secretNamed(j, "AmazonMSK_"), name: "AmazonMSK_extra" }), { says: /SCRAM secrets for \d+ users/ }],
  ["kafka.scram-secrets", "a SCRAM secret (by its description) not named AmazonMSK_", (j) => add(j, "aws_secretsmanager_secret", "described", { ...secretNamed(j, "AmazonMSK_"), name: "scram-extra" }), { says: /name scram-extra does not start with AmazonMSK_/ }],
  ["kafka.scram-secrets", "an association before the secrets are ready, or one missing after", (j) => {
    const associations = j.resource.aws_msk_single_scram_secret_association as Record<string, TfJson> | undefined;
    if (associations) delete associations[Object.keys(associations)[0]];
    else add(j, "aws_msk_single_scram_secret_association", "early", { cluster_arn: "x", secret_arn: "y" });
  }, { says: /aws_msk_single_scram_secret_association: \d+, expected \d+/ }],
  ["kafka.scram-secrets", "secret under the default key", (j) => delete secretNamed(j, "AmazonMSK_").kms_key_id, { says: /not under the kafka key/ }],
  ["kafka.scram-secrets", "secret not named AmazonMSK_", (j) => (secretNamed(j, "AmazonMSK_").name = "kafka-payment-core"), { says: /does not start with AmazonMSK_/ }],
  ["kafka.scram-secrets", "secret value in the stack", (j) => add(j, "aws_secretsmanager_secret_version", "v", { secret_id: "x", secret_string: "{}" }), { says: /aws_secretsmanager_secret_version\.v: a secret value in the stack/ }],
  ["kafka.scram-secrets", "plural association", (j) => add(j, "aws_msk_scram_secret_association", "all", { cluster_arn: "x", secret_arn_list: [] }), { says: /aws_msk_scram_secret_association\.all: the plural association replaces every association/ }],
  ["eks.private-encrypted-logged", "public endpoint", (j) => (first(j, "aws_eks_cluster").vpc_config.endpoint_public_access = true), { says: /API endpoint not private-only/ }],
  ["eks.private-encrypted-logged", "private endpoint off", (j) => (first(j, "aws_eks_cluster").vpc_config.endpoint_private_access = false), { says: /API endpoint not private-only/ }],
  ["eks.private-encrypted-logged", "a second cluster", (j) => add(j, "aws_eks_cluster", "second", { ...first(j, "aws_eks_cluster") }), { says: /aws_eks_cluster: 2, expected 1/ }],
  ["eks.private-encrypted-logged", "a supported version the region file does not name", (j, s) => (first(j, "aws_eks_cluster").version = EKS_VERSIONS.find((v) => v !== s.region.eks.version)), {
    says: /version [\d.]+, expected/,
  }],
  ["eks.private-encrypted-logged", "config maps encrypted beside secrets", (j) => (first(j, "aws_eks_cluster").encryption_config.resources = ["secrets", "configmaps"]), { says: /secrets not encrypted with the eks-secrets key/ }],
  ["eks.private-encrypted-logged", "extended support", (j) => (first(j, "aws_eks_cluster").upgrade_policy.support_type = "EXTENDED"), { says: /extended support allowed/ }],
  ["eks.private-encrypted-logged", "the control-plane log group renamed", (j) => (named(j, "aws_cloudwatch_log_group", (g) => String(g.name).startsWith("/aws/eks/")).name = "/aws/eks/other"), { says: /none named \/aws\/eks\// }],
  ["eks.private-encrypted-logged", "control plane in the data subnets", (j) => (first(j, "aws_eks_cluster").vpc_config.subnet_ids = [...first(j, "aws_db_subnet_group").subnet_ids]), { says: /control plane not in the workload subnets/ }],
  ["eks.private-encrypted-logged", "secrets unencrypted", (j) => delete first(j, "aws_eks_cluster").encryption_config, { says: /secrets not encrypted/ }],
  ["eks.private-encrypted-logged", "secrets under the ebs key", (j) => (first(j, "aws_eks_cluster").encryption_config.provider.key_arn = "${aws_kms_key.keys_ebs_key.arn}"), { says: /secrets not encrypted with the eks-secrets key/ }],
  ["eks.private-encrypted-logged", "audit log off", (j) => (first(j, "aws_eks_cluster").enabled_cluster_log_types = ["api"]), { says: /log types \[\"api\"\]/ }],
  ["eks.private-encrypted-logged", "aws-auth ConfigMap allowed", (j) => (first(j, "aws_eks_cluster").access_config.authentication_mode = "API_AND_CONFIG_MAP"), { says: /not access-entries only/ }],
  ["eks.private-encrypted-logged", "creator made admin", (j) => (first(j, "aws_eks_cluster").access_config.bootstrap_cluster_creator_admin_permissions = true), { says: /not access-entries only/ }],
  ["eks.private-encrypted-logged", "log group created by EKS", (j) => delete first(j, "aws_eks_cluster").depends_on, { says: /not created after its log group/ }],
  ["eks.private-encrypted-logged", "unlisted version", (j) => (first(j, "aws_eks_cluster").version = "1.29"), { says: /version 1\.29, expected/ }],
  ["eks.access-entries", "an extra cluster admin", (j) =>
    add(j, "aws_eks_access_policy_association", "extra", { cluster_name: "x", principal_arn: "arn:aws:iam::111122223333:role/dev", policy_arn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy", access_scope: { type: "cluster" } }), {
    says: /cluster admins/,
  }],
  ["eks.access-entries", "the deploy role's admin scoped to a namespace", (j, s) =>
    (named(j, "aws_eks_access_policy_association", (p) => p.principal_arn === s.region.eks.deployRoleArn).access_scope = { type: "namespace", namespaces: ["payments"] }), { says: /cluster admins/ }],
  ["eks.access-entries", "an access entry for someone else", (j) => add(j, "aws_eks_access_entry", "dev", { cluster_name: "x", principal_arn: "arn:aws:iam::111122223333:role/dev" }), { says: /aws_eks_access_entry: \[/ }],
  ["eks.access-entries", "deploy role without an entry", (j, s) =>
    delete j.resource.aws_eks_access_entry[Object.entries(j.resource.aws_eks_access_entry as Record<string, TfJson>).find(([, e]) => e.principal_arn === s.region.eks.deployRoleArn)![0]]],
  ["eks.nodes-hardened", "IMDSv1 allowed", (j) => (first(j, "aws_launch_template").metadata_options.http_tokens = "optional"), { says: /IMDSv2 not required/ }],
  ["eks.nodes-hardened", "hop limit 3", (j) => (first(j, "aws_launch_template").metadata_options.http_put_response_hop_limit = 3), { says: /IMDSv2 not required/ }],
  ["eks.nodes-hardened", "hop limit 0", (j) => (first(j, "aws_launch_template").metadata_options.http_put_response_hop_limit = 0), { says: /IMDSv2 not required/ }],
  ["eks.nodes-hardened", "no metadata options", (j) => delete first(j, "aws_launch_template").metadata_options, { says: /IMDSv2 not required/ }],
  ["eks.nodes-hardened", "unencrypted root volume", (j) => (first(j, "aws_launch_template").block_device_mappings[0].ebs.encrypted = "false"), { says: /volumes not encrypted with the ebs key/ }],
  ["eks.nodes-hardened", "root volume under the logs key", (j) => (first(j, "aws_launch_template").block_device_mappings[0].ebs.kms_key_id = "${aws_kms_key.keys_logs_key.arn}"), { says: /volumes not encrypted with the ebs key/ }],
  ["eks.nodes-hardened", "no block device mappings (the AMI's default volume)", (j) => (first(j, "aws_launch_template").block_device_mappings = []), { says: /volumes not encrypted with the ebs key/ }],
  ["eks.nodes-hardened", "SSH key", (j) => (first(j, "aws_launch_template").key_name = "ops"), { says: /an SSH key/ }],
  ["eks.nodes-hardened", "remote access on the node group", (j) => (first(j, "aws_eks_node_group").remote_access = { ec2_ssh_key: "ops" }), { says: /remote \(SSH\) access/ }],
  ["eks.nodes-hardened", "a launch template of another stack", (j) => (first(j, "aws_eks_node_group").launch_template = { id: "lt-0123456789abcdef0", version: "1" }), { says: /no launch template of this stack/ }],
  ["eks.nodes-hardened", "no node group", (j) => delete j.resource.aws_eks_node_group, { says: /aws_eks_node_group: none/ }],
  ["eks.nodes-hardened", "an inline policy on the node role", (j) => add(j, "aws_iam_role_policy", "node_extra", { role: "${aws_iam_role.eks_node_role.name}", policy: JSON.stringify({ Statement: [] }) }), {
    says: /an inline policy on the node role/,
  }],
  ["eks.nodes-hardened", "the node role without the CNI policy", (j) => delete j.resource.aws_iam_role_policy_attachment.eks_node_role_policies_amazon_eks_cni_policy, { says: /node policies/ }],
  ["eks.nodes-hardened", "node group in one AZ", (j) => (first(j, "aws_eks_node_group").subnet_ids = [first(j, "aws_eks_node_group").subnet_ids[0]]), { says: /not over the workload subnets/ }],
  ["eks.nodes-hardened", "admin policy on the nodes", (j) =>
    add(j, "aws_iam_role_policy_attachment", "admin", { role: "${aws_iam_role.eks_node_role.name}", policy_arn: "arn:aws:iam::aws:policy/AdministratorAccess" })],
  ["eks.control-plane-reaches-istio", "no 15017 from the control plane", (j) =>
    delete j.resource.aws_vpc_security_group_ingress_rule[Object.entries(j.resource.aws_vpc_security_group_ingress_rule as Record<string, TfJson>).find(([, r]) => r.from_port === 15017 && String(r.security_group_id).includes("eks_node_security_group"))![0]]],
  ["eks.control-plane-reaches-istio", "nodes open to the VPC", (j, s) =>
    add(j, "aws_vpc_security_group_ingress_rule", "nodes_vpc", { security_group_id: "${aws_security_group.eks_node_security_group.id}", ip_protocol: "tcp", from_port: 30000, to_port: 32767, cidr_ipv4: s.region.network.vpcCidr }), { says: /nodes admit 10\.\d+\.0\.0\/16$/ }],
  ["eks.control-plane-reaches-istio", "API open to the data tier", (j, s) =>
    add(j, "aws_vpc_security_group_ingress_rule", "api_data", { security_group_id: "${aws_security_group.eks_cluster_security_group.id}", ip_protocol: "tcp", from_port: 443, to_port: 443, cidr_ipv4: s.region.network.subnets.data[0] })],
  ["eks.network-policies-enforced", "network policy agent off", (j) =>
    (named(j, "aws_eks_addon", (a) => a.addon_name === "vpc-cni").configuration_values = JSON.stringify({ enableNetworkPolicy: "false" }))],
  ["eks.network-policies-enforced", "self-managed CNI", (j) =>
    delete j.resource.aws_eks_addon[Object.entries(j.resource.aws_eks_addon as Record<string, TfJson>).find(([, a]) => a.addon_name === "vpc-cni")![0]]],
  ["eks.private-images", "charts pulled from outside", (j) =>
    delete j.resource.aws_ecr_repository[Object.entries(j.resource.aws_ecr_repository as Record<string, TfJson>).find(([, r]) => r.name === "charts/istio/istiod")![0]]],
  ["eks.private-images", "mutable tags", (j) => (first(j, "aws_ecr_repository").image_tag_mutability = "MUTABLE"), { says: /mutable tags/ }],
  ["eks.private-images", "no scan on push", (j) => (first(j, "aws_ecr_repository").image_scanning_configuration.scan_on_push = false), { says: /no scan on push/ }],
  ["eks.private-images", "AES256 images", (j) => (first(j, "aws_ecr_repository").encryption_configuration = [{ encryption_type: "AES256" }]), { says: /not encrypted with the ecr key/ }],
  ["eks.private-images", "images under the logs key", (j) => (first(j, "aws_ecr_repository").encryption_configuration = [{ encryption_type: "KMS", kms_key: "${aws_kms_key.keys_logs_key.arn}" }]), { says: /not encrypted with the ecr key/ }],
  ["eks.private-images", "a repository that can be deleted with its images", (j) => (first(j, "aws_ecr_repository").force_delete = true), { says: /force_delete/ }],
  ["eks.private-images", "a repository nobody declared", (j) => add(j, "aws_ecr_repository", "extra", { ...first(j, "aws_ecr_repository"), name: "extra" }), { says: /aws_ecr_repository: \[.*"extra"/ }],
  ["eks.network-policies-enforced", "two CNI add-ons", (j) => add(j, "aws_eks_addon", "second_cni", { ...named(j, "aws_eks_addon", (a) => a.addon_name === "vpc-cni") }), { says: /2 vpc-cni add-ons, expected 1/ }],
  ["eks.network-policies-enforced", "CNI configuration that is not JSON", (j) => (named(j, "aws_eks_addon", (a) => a.addon_name === "vpc-cni").configuration_values = "enableNetworkPolicy: true"), { says: /configuration_values is not JSON/ }],
  ["eks.network-policies-enforced", "CNI without configuration", (j) => delete named(j, "aws_eks_addon", (a) => a.addon_name === "vpc-cni").configuration_values, { says: /enableNetworkPolicy is undefined/ }],
  ["eks.control-plane-reaches-istio", "a legacy rule on the node group", (j) =>
    add(j, "aws_security_group_rule", "legacy", { type: "ingress", security_group_id: "${aws_security_group.eks_node_security_group.id}", protocol: "tcp", from_port: 22, to_port: 22, cidr_blocks: ["10.0.0.0/8"] }), {
    says: /a legacy rule on an EKS group/,
  }],
  ["eks.control-plane-reaches-istio", "the API open to the workload tier on 8443", (j, s) =>
    add(j, "aws_vpc_security_group_ingress_rule", "api_8443", { security_group_id: "${aws_security_group.eks_cluster_security_group.id}", ip_protocol: "tcp", from_port: 8443, to_port: 8443, cidr_ipv4: s.region.network.subnets.workload[0] }), {
    says: /the API admits .* on 8443-8443/,
  }],
  ["eks.control-plane-reaches-istio", "the cluster's security group unknown", (j) => delete first(j, "aws_eks_cluster").vpc_config.security_group_ids, { says: /security group \(launch template\) not found/ }],
  ["eks.control-plane-reaches-istio", "nodes admit another group", (j) =>
    add(j, "aws_vpc_security_group_ingress_rule", "nodes_other", { security_group_id: "${aws_security_group.eks_node_security_group.id}", ip_protocol: "tcp", from_port: 443, to_port: 443, referenced_security_group_id: "sg-0123456789abcdef0" }), {
    says: /nodes admit sg-0123456789abcdef0 on 443-443/,
  }],
  ["eks.private-images", "a service without a repository", (j) => delete j.resource.aws_ecr_repository[Object.keys(j.resource.aws_ecr_repository).pop()!]],
  ["eks.workload-identity-least-privilege", "wildcard actions", (j) =>
    policyEdit(first(j, "aws_iam_role_policy"), (d) => d.Statement.push({ Sid: "All", Effect: "Allow", Action: "s3:*", Resource: "*" }))],
  ["eks.workload-identity-least-privilege", "fraud-engine gets the tokenization key", (j) => {
    const p = named(j, "aws_iam_role_policy", (x) => String(x.role).includes("fraud"));
    policyEdit(p, (d) => d.Statement.push({ Sid: "Tok", Effect: "Allow", Action: "kms:Decrypt", Resource: "${aws_kms_key.keys_tokenization_key.arn}" }));
  }],
  ["eks.workload-identity-least-privilege", "audit writes outside the prefix", (j) =>
    policyEdit(named(j, "aws_iam_role_policy", (x) => String(x.role).includes("payment-core")), (d) => (d.Statement[0].Resource = "${aws_s3_bucket.audit_archive_archive_bucket.arn}/*"))],
  ["eks.workload-identity-least-privilege", "role trusted by any cluster", (j) => {
    const r = named(j, "aws_iam_role", (x) => String(x.description).startsWith("EKS Pod Identity"));
    const doc = JSON.parse(r.assume_role_policy);
    delete doc.Statement[0].Condition.StringEquals["aws:RequestTag/eks-cluster-arn"];
    r.assume_role_policy = JSON.stringify(doc);
  }],
  ["eks.workload-identity-least-privilege", "a service loses its identity", (j) => delete j.resource.aws_eks_pod_identity_association[Object.keys(j.resource.aws_eks_pod_identity_association)[0]]],
  ["keys.policies-name-principals", "ebs key open to any Auto Scaling caller", (j) =>
    policyEdit(j.resource.aws_kms_key.keys_ebs_key, (d) => d.Statement.forEach((x) => {
      if (String(x.Sid).startsWith("AutoScaling")) {
        x.Principal = { AWS: "*" };
        delete x.Condition;
      }
    }))],
  ["hsm.kmsuser-secret", "secret removed", (j) => delete j.resource.aws_secretsmanager_secret.hsm_kmsuser_password],
  ["hsm.kmsuser-secret", "secret under the kafka key", (j) => (secretNamed(j, "kmsuser").kms_key_id = "${aws_kms_key.keys_kafka_key.arn}"), { says: /not under the secrets-manager key/ }],
  ["hsm.kmsuser-secret", "password written by Terraform", (j) =>
    add(j, "aws_secretsmanager_secret_version", "kmsuser", { secret_id: "${aws_secretsmanager_secret.hsm_kmsuser_password.id}", secret_string: "hunter2hunter2" })],
  ["hsm.key-store-stage", "key store before initialization", (j) =>
    add(j, "aws_kms_custom_key_store", "early", { custom_key_store_name: "x", custom_key_store_type: "AWS_CLOUDHSM", cloud_hsm_cluster_id: "${aws_cloudhsm_v2_cluster.hsm_cluster.cluster_id}" }), ["cluster"]],
  ["hsm.key-store-stage", "password literal", (j) => (store(j).key_store_password = "hunter2hunter2"), { stages: ["keystore"], says: /key_store_password is not var\./ }],
  ["hsm.key-store-stage", "password variable with a default", (j) => (j.variable.kmsuser_password.default = "hunter2hunter2"), { stages: ["keystore"], says: /must be sensitive, non-nullable, validated and without a default/ }],
  ["hsm.key-store-stage", "password variable not sensitive", (j) => (j.variable.kmsuser_password.sensitive = false), { stages: ["keystore"], says: /must be sensitive, non-nullable, validated and without a default/ }],
  ["hsm.key-store-stage", "password still asked at stage keys", (j) => (store(j).key_store_password = "${var.kmsuser_password}"), { stages: ["keys"], says: /key_store_password still set at stage \"keys\"/ }],
  ["hsm.key-store-stage", "password sent again after connect", (j) => delete store(j).lifecycle.ignore_changes, { stages: ["keystore", "keys"], says: /key_store_password not ignored after creation/ }],
  ["hsm.key-store-stage", "another trust anchor", (j) => (store(j).trust_anchor_certificate = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), { stages: ["keystore", "keys"], says: /trust anchor differs from hsm\.trustAnchorCertificate/ }],
  ["hsm.key-store-stage", "destroyable", (j) => delete store(j).lifecycle.prevent_destroy, ["keystore", "keys"]],
  ["hsm.key-store-stage", "created before the HSMs", (j) => delete store(j).depends_on, { stages: ["keystore", "keys"], says: /not created after every HSM/ }],
  ["hsm.key-store-stage", "store removed", (j) => delete j.resource.aws_kms_custom_key_store, ["keystore", "keys"]],
  ["hsm.tokenization-key-in-store", "tokenization key in a store too early", (j) => (keyOf(j, "tokenization").custom_key_store_id = "cks-1234567890abcdef0"), { stages: ["cluster", "keystore"], says: /in a key store before stage \"keys\"/ }],
  ["hsm.tokenization-key-in-store", "alias left on the ordinary key", (j) => (alias(j, "tokenization").target_key_id = alias(j, "tokenization-interim").target_key_id), { stages: ["keys"], says: /tokenization targets \S+, not generation/ }],
  ["hsm.tokenization-key-in-store", "alias on an older generation", (j) => (alias(j, "tokenization").target_key_id = alias(j, "tokenization-hsm-g1").target_key_id), { stages: ["keys"], says: /tokenization targets \S+, not generation/ }],
  ["hsm.tokenization-key-in-store", "interim key still encrypts", (j) =>
    policyEdit(keyOf(j, "tokenization-interim"), (d) => (d.Statement = d.Statement.filter((s) => s.Effect !== "Deny"))), ["keys"]],
  ["hsm.tokenization-key-in-store", "a generation outside the store", (j) => delete keyOf(j, "tokenization-hsm-g1").custom_key_store_id, { stages: ["keys"], says: /generation 1 is not in this stack's key store/ }],
  ["keys.rotation-window-single-region", "rotation asked of a key-store key", (j) => (keyOf(j, "tokenization").enable_key_rotation = true), ["keys"]],
  ["keys.one-per-purpose", "a stray key in the store", (j) => add(j, "aws_kms_key", "stray", { ...keyOf(j, "tokenization") }), ["keys"]],
  ["keys.one-per-purpose", "a stray key passed off as a later generation", (j, s) => {
    add(j, "aws_kms_key", "stray", { ...keyOf(j, "database") });
    add(j, "aws_kms_alias", "stray", { name: `alias/${s.region.naming.prefix}-${s.region.name}/tokenization-hsm-g7`, target_key_id: "${aws_kms_key.stray.key_id}" });
  }],
  ["keys.one-per-purpose", "a stray key passed off as the interim key", (j, s) => {
    add(j, "aws_kms_key", "stray", { ...keyOf(j, "database") });
    add(j, "aws_kms_alias", "stray", { name: `alias/${s.region.naming.prefix}-${s.region.name}/tokenization-interim`, target_key_id: "${aws_kms_key.stray.key_id}" });
  }, ["cluster", "keystore"]],
  ["hsm.key-store-stage", "password variable nullable", (j) => delete j.variable.kmsuser_password.nullable, { stages: ["keystore"], says: /must be sensitive, non-nullable, validated and without a default/ }],
  ["hsm.key-store-stage", "password variable unvalidated", (j) => delete j.variable.kmsuser_password.validation, { stages: ["keystore"], says: /must be sensitive, non-nullable, validated and without a default/ }],
  ["hsm.tokenization-key-in-store", "tokenization key does not rotate", (j) => (keyOf(j, "tokenization").enable_key_rotation = false), { stages: ["cluster", "keystore"], says: /the tokenization key does not rotate/ }],
  ["hsm.tokenization-key-in-store", "retired key encrypts through its own alias", (j, s) =>
    policyEdit(keyOf(j, "tokenization-interim"), (d) =>
      d.Statement.filter((x) => x.Effect === "Deny").forEach((x) => (x.Condition = { StringNotEquals: { "kms:RequestAlias": [`alias/${s.region.naming.prefix}-${s.region.name}/tokenization`, `alias/${s.region.naming.prefix}-${s.region.name}/tokenization-interim`] } })),
    ), ["keys"]],
  ["hsm.tokenization-key-in-store", "retired key's policy changes before the alias moves", (j) => delete keyOf(j, "tokenization-hsm-g1").depends_on, { stages: ["keys"], says: /its policy could change before the alias moves/ }],
  ["network.load-balancer-reaches-targets", "the nodes drop the partner traffic", (j) => delete j.resource.aws_vpc_security_group_ingress_rule.eks_partner_api_targets_30443, { says: /^aws_security_group\.[\w-]+: a load balancer's targets are not reachable on port 30443/ }],
  ["network.load-balancer-reaches-targets", "the nodes drop the health checks", (j) => delete j.resource.aws_vpc_security_group_ingress_rule.eks_partner_api_targets_31021, { says: /^aws_security_group\.[\w-]+: a load balancer's targets are not reachable on port 31021/ }],
  ["network.load-balancer-reaches-targets", "the target group's health check moves to a port nobody admits", (j) => (first(j, "aws_lb_target_group").health_check.port = "8080"), { says: /not reachable on port 8080/ }],
  ["eks.control-plane-reaches-istio", "the load balancer admitted on a port that is not its targets'", (j) => (j.resource.aws_vpc_security_group_ingress_rule.eks_partner_api_targets_31021.from_port = j.resource.aws_vpc_security_group_ingress_rule.eks_partner_api_targets_31021.to_port = 22)],
  ["eks.control-plane-reaches-istio", "the load balancer admitted on every port", (j) => Object.assign(j.resource.aws_vpc_security_group_ingress_rule.eks_partner_api_targets_30443, { from_port: 0, to_port: 65535 })],
  ["preflight.pod-identity-trust-keys", "a Pod Identity trust conditioned on aws:SourceArn (EKS does not send it)", (j) => {
    const role = Object.values(j.resource.aws_iam_role as Record<string, TfJson>).find((r) => String(r.assume_role_policy).includes("pods.eks.amazonaws.com"))!;
    const doc = JSON.parse(role.assume_role_policy);
    doc.Statement[0].Condition.ArnEquals = { "aws:SourceArn": "${aws_eks_cluster.eks_cluster.arn}" };
    role.assume_role_policy = JSON.stringify(doc);
  }, { says: /its Pod Identity trust conditions on aws:SourceArn/ }],
  ["preflight.pod-identity-trust-keys", "an association with session tags off", (j) => (first(j, "aws_eks_pod_identity_association").disable_session_tags = true), { says: /session tags disabled/ }],
  ["eks.workload-identity-least-privilege", "a role trusted by another service account", (j) => {
    const role = Object.values(j.resource.aws_iam_role as Record<string, TfJson>).find((r) => String(r.assume_role_policy).includes("pods.eks.amazonaws.com"))!;
    role.assume_role_policy = String(role.assume_role_policy).replace(/"aws:RequestTag\/kubernetes-service-account":"[^"]+"/, '"aws:RequestTag/kubernetes-service-account":"default"');
  }],
  ["eks.workload-identity-least-privilege", "a role trusted by any namespace", (j) => {
    const role = Object.values(j.resource.aws_iam_role as Record<string, TfJson>).find((r) => String(r.assume_role_policy).includes("pods.eks.amazonaws.com"))!;
    const doc = JSON.parse(role.assume_role_policy);
    delete doc.Statement[0].Condition.StringEquals["aws:RequestTag/kubernetes-namespace"];
    role.assume_role_policy = JSON.stringify(doc);
  }],
  ["database.access-audited", "pgaudit not loaded", (j) => {
    const g = first(j, "aws_rds_cluster_parameter_group");
    g.parameter = (g.parameter as TfJson[]).map((p) => (p.name === "shared_preload_libraries" ? { ...p, value: "pg_stat_statements" } : p));
  }],
  ["database.access-audited", "reads not audited", (j) => {
    const g = first(j, "aws_rds_cluster_parameter_group");
    g.parameter = (g.parameter as TfJson[]).map((p) => (p.name === "pgaudit.log" ? { ...p, value: "write,ddl" } : p));
  }],
  ["database.access-audited", "writes not audited", (j) => {
    const g = first(j, "aws_rds_cluster_parameter_group");
    g.parameter = (g.parameter as TfJson[]).filter((p) => p.name !== "pgaudit.log");
  }],
  ["database.access-audited", "the default parameter group", (j) => (first(j, "aws_rds_cluster").db_cluster_parameter_group_name = "default.aurora-postgresql16"), { says: /no cluster parameter group of this stack/ }],
  ["database.access-audited", "bound values (cardholder data) logged", (j) => {
    const g = first(j, "aws_rds_cluster_parameter_group");
    g.parameter = (g.parameter as TfJson[]).map((p) => (p.name === "pgaudit.log_parameter" ? { ...p, value: "1" } : p));
  }],
  ["preflight.zonal-by-zone-id", "a subnet named by zone name beside its zone ID", (j) => (first(j, "aws_subnet").availability_zone = "eu-west-1a"), { says: /placed by zone name "eu-west-1a"/ }],
  ["preflight.zonal-by-zone-id", "a subnet placed nowhere in particular", (j) => delete first(j, "aws_subnet").availability_zone_id, { says: /not placed by availability_zone_id/ }],
  ["preflight.zonal-by-zone-id", "a subnet placed by zone name", (j) => {
    const s = first(j, "aws_subnet");
    delete s.availability_zone_id;
    s.availability_zone = "eu-west-1a";
  }],
  ["preflight.zonal-by-zone-id", "a database instance in a literal zone", (j) => (first(j, "aws_rds_cluster_instance").availability_zone = "eu-west-1a"), { says: /aws_rds_cluster_instance\.[\w-]+: / }],
  ["preflight.zonal-by-zone-id", "an HSM in a literal zone", (j) => {
    const h = first(j, "aws_cloudhsm_v2_hsm");
    delete h.subnet_id;
    h.availability_zone = "us-east-1e";
  }],
  ["preflight.zonal-by-zone-id", "a cluster listing zone names", (j) => (first(j, "aws_rds_cluster").availability_zones = ["eu-west-1a", "eu-west-1b"]), { says: /aws_rds_cluster\.[\w-]+: / }],
  ["eks.workload-identity-least-privilege", "a service logs in to the database as another user", (j) =>
    policyEdit(serviceRolePolicy(j), (d) => d.Statement.filter((x) => x.Sid === "ConnectToTheDatabaseAsItself").forEach((x) => (x.Resource = String(x.Resource).replace(/\/[^/]+$/, "/tokenization-service"))))],
  ["eks.workload-identity-least-privilege", "a service that declares no database access logs in", (j) => {
    const p = Object.entries(j.resource.aws_iam_role_policy as Record<string, TfJson>).find(([n]) => n.startsWith("eks_workloads_fraud"))![1];
    policyEdit(p, (d) => d.Statement.push({ Sid: "X", Effect: "Allow", Action: "rds-db:connect", Resource: "arn:aws:rds-db:eu-west-1:111122223333:dbuser:${aws_rds_cluster.database_cluster.cluster_resource_id}/fraud-engine" }));
  }],
  ["eks.workload-identity-least-privilege", "a service that declares database access cannot log in", (j) =>
    policyEdit(serviceRolePolicy(j), (d) => (d.Statement = d.Statement.filter((x) => x.Sid !== "ConnectToTheDatabaseAsItself")))],
  ["preflight.engine-major-only", "the cluster pins a minor version", (j) => (first(j, "aws_rds_cluster").engine_version = "16.6"), { says: /aws_rds_cluster\.[\w-]+: engine_version \"16\.6\" is not a major version/ }],
  ["preflight.engine-major-only", "the cluster names no version (RDS would pick the newest major)", (j) => delete first(j, "aws_rds_cluster").engine_version, { says: /aws_rds_cluster\.[\w-]+: engine_version undefined is not a major version/ }],
  ["preflight.engine-major-only", "an instance pins a minor version", (j) => (first(j, "aws_rds_cluster_instance").engine_version = "16.6"), { says: /aws_rds_cluster_instance\.[\w-]+: pins engine_version \"16\.6\"/ }],
  ["preflight.engine-major-only", "a single-instance database with a pinned minor", (j) => add(j, "aws_db_instance", "legacy", { engine: "postgres", engine_version: "16.6", storage_encrypted: true }), { says: /aws_db_instance\.legacy: engine_version \"16\.6\" is not a major version/ }],
  ["preflight.hsm-before-activation", "a second HSM before the cluster is activated", (j) => {
    const [name, hsm] = Object.entries(j.resource.aws_cloudhsm_v2_hsm as Record<string, TfJson>)[0];
    add(j, "aws_cloudhsm_v2_hsm", `${name}_second`, { ...hsm, subnet_id: "${aws_subnet.network_data_second.id}" });
  }, ["cluster"]],
  ["preflight.hsm-before-activation", "the key store not ordered after every HSM", (j) => (store(j).depends_on = (store(j).depends_on as string[]).slice(0, 1)), { stages: ["keystore", "keys"], says: /aws_kms_custom_key_store\.[\w-]+: not ordered after aws_cloudhsm_v2_hsm\./ }],
  ["preflight.principals-exist", "the Auto Scaling service-linked role is not created", (j) => delete j.resource.aws_iam_service_linked_role, { says: /names the service-linked role of autoscaling\.amazonaws\.com, which no resource of the stack creates/ }],
  ["preflight.principals-exist", "the ebs key is not ordered after the role its policy names", (j) => delete keyOf(j, "ebs").depends_on, { says: /is not ordered after aws_iam_service_linked_role\.\S+ \(depends_on\)/ }],
  ["preflight.principals-exist", "the stack creates another service's role", (j) => (first(j, "aws_iam_service_linked_role").aws_service_name = "ec2.amazonaws.com")],
  ["preflight.principals-exist", "the role is created with a custom suffix (another role)", (j) => (first(j, "aws_iam_service_linked_role").custom_suffix = "nodes")],
  ["preflight.principals-exist", "a key policy names a role nobody creates", (j, s) =>
    policyEdit(keyOf(j, "database"), (d) => d.Statement.push({ Sid: "X", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${s.region.accountId}:role/analyst` }, Action: "kms:Decrypt", Resource: "*" })), { says: /names arn:aws:iam::\d+:role\/analyst, which the stack does not create before it and the region file does not declare/ }],
  ["preflight.principals-exist", "a key policy names a role of the stack that does not exist", (j) =>
    policyEdit(keyOf(j, "database"), (d) => d.Statement.push({ Sid: "X", Effect: "Allow", Principal: { AWS: "${aws_iam_role.nowhere.arn}" }, Action: "kms:Decrypt", Resource: "*" })), { says: /names \$\{aws_iam_role\.nowhere\.arn\}, which the stack does not create$/ }],
  ["preflight.principals-exist", "a trust policy names a role nobody creates", (j, s) =>
    (first(j, "aws_iam_role").assume_role_policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${s.region.accountId}:role/ci-runner` }, Action: "sts:AssumeRole" }] })), { says: /names arn:aws:iam::\d+:role\/ci-runner, which the stack does not create before it/ }],
];

const stagesOf = (e: Stage[] | Expect | undefined): Stage[] | undefined => (Array.isArray(e) ? e : e?.stages);

/**
 * Changes that keep a stack compliant, each with the rule that must still accept it: the other
 * side of a bound (the floor itself, the stronger setting), and equivalent spellings (order,
 * spaces, a default left unset). A rule that reads too much into the synthesized form fails here.
 */
const ACCEPTED: [string, string, (j: TfJson, s: SynthStack<AwsRegionConfig>) => void, Expect?][] = [
  ["detection.trail-delivery-admitted", "no trail (detection.trail-complete reports it)", (j) => delete j.resource.aws_cloudtrail],
  ["detection.trail-delivery-admitted", "an archive without Object Lock (audit.object-lock-compliance reports it)", (j) => (j.resource.aws_s3_bucket.audit_archive_archive_bucket.object_lock_enabled = false)],
  ["detection.trail-delivery-admitted", "a denial of EC2 beside the log role's trust", (j) =>
    policyEdit(j.resource.aws_iam_role.audit_trail_logs_role, (d) => d.Statement.push({ Effect: "Deny", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }), "assume_role_policy")],
  ["detection.findings-archived", "no detector (detection.threat-detection-on reports it)", (j) => delete j.resource.aws_guardduty_detector],
  ["detection.findings-archived", "an archive without Object Lock (audit.object-lock-compliance reports it)", (j) => (j.resource.aws_s3_bucket.audit_archive_archive_bucket.object_lock_enabled = false)],
  ["detection.findings-archived", "the export's destination type left to its default (S3)", (j) => delete first(j, "aws_guardduty_publishing_destination").destination_type],
  ["detection.alerts-delivery-admitted", "no topic under the alerts key (detection.alerts-wired reports it)", (j) => (topic(j).kms_master_key_id = "${aws_kms_key.keys_logs_key.arn}")],
  ["detection.alerts-wired", "a finding rule with no state (EventBridge's default: enabled)", (j) => delete findingRule(j, "guardduty-high").state],
  ["detection.key-deletion-guarded", "the guard with no state (EventBridge's default: enabled)", (j) => delete guardRule(j).state],
  ["detection.key-deletion-guarded", "another rule of the stack whose pattern has no detail", (j) =>
    // First of the stack's rules, so that the guard's search reads it before the guard's own.
    (j.resource.aws_cloudwatch_event_rule = { other: { name: "other", event_pattern: JSON.stringify({ source: ["aws.ec2"] }) }, ...j.resource.aws_cloudwatch_event_rule })],
  ["detection.key-deletion-guarded", "a denial on the runbook's role", (j) =>
    policyEdit(j.resource.aws_iam_role_policy.key_deletion_guard_automation_policy, (d) => d.Statement.push({ Effect: "Deny", Action: "kms:ScheduleKeyDeletion", Resource: "*" }))],
  ["detection.container-logs-shipped", "a denial on the log shipper's role", (j) => shipperPolicyEdit(j, (d) => d.Statement.push({ Effect: "Deny", Action: "logs:DeleteLogGroup", Resource: "*" }))],
  ["detection.threat-detection-on", "an existing hub adopted", (j, s) => (j.import = [...(j.import ?? []), { to: "aws_securityhub_account.threat_detection_hub", id: s.region.accountId }]), {
    region: (r) => ({ ...r, existingDetection: { securityHub: true } }),
  }],
  ["detection.threat-detection-on", "an existing detector adopted", (j) => (j.import = [...(j.import ?? []), { to: "aws_guardduty_detector.threat_detection_detector", id: "0123456789abcdef0123456789abcdef" }]), {
    region: (r) => ({ ...r, existingDetection: { guardDutyDetectorId: "0123456789abcdef0123456789abcdef", securityHub: false } }),
  }],
  ["preflight.ec2-description-characters", "an ampersand and every other allowed sign in a security group's description", (j) => (first(j, "aws_security_group").description = "a-z A-Z 0-9 ._-:/()#,@[]+=&;{}!$*")],
  ["preflight.ec2-description-characters", "every allowed sign in a rule's description", (j) => (first(j, "aws_vpc_security_group_ingress_rule").description = "a-z A-Z 0-9 ._-:/()#,@[]+=;{}!$*")],
  ["hsm.cluster-in-data-tier", "the cluster's subnets in another order", (j) => first(j, "aws_cloudhsm_v2_cluster").subnet_ids.reverse()],
  ["hsm.key-store-stage", "the region file's trust anchor with blank lines around it", () => undefined, {
    stages: ["keystore", "keys"],
    region: (r) => ({ ...r, hsm: { ...r.hsm, trustAnchorCertificate: `\n${r.hsm.trustAnchorCertificate}\n\n` } }),
  }],
  ["network.private-subnets-per-az", "subnets declared in another order", (j) => (j.resource.aws_subnet = Object.fromEntries(Object.entries(j.resource.aws_subnet).reverse()))],
  ["network.private-subnets-per-az", "the region file's zones in another order, with their subnets", () => undefined, {
    region: (r) => {
      const order = r.availabilityZoneIds.map((_, i) => i).reverse();
      const subnets = Object.fromEntries(Object.entries(r.network.subnets).map(([tier, cidrs]) => [tier, order.map((i) => (cidrs as string[])[i])]));
      return { ...r, availabilityZoneIds: order.map((i) => r.availabilityZoneIds[i]), network: { ...r.network, subnets: subnets as typeof r.network.subnets } };
    },
  }],
  ["network.tier-nacls", "a NACL's subnets listed in another order", (j) => j.resource.aws_network_acl.network_data_network_acl.subnet_ids.reverse()],
  ["network.tier-nacls", "a rule that denies the whole internet", (j) =>
    j.resource.aws_network_acl.network_data_network_acl.ingress.push({ action: "deny", cidr_block: "0.0.0.0/0", from_port: 0, to_port: 0, protocol: "-1", rule_no: 50 })],
  ["network.flow-logs-all", "a second flow log, of rejected traffic only", (j) =>
    add(j, "aws_flow_log", "rejects", { ...cloneJson(first(j, "aws_flow_log")), traffic_type: "REJECT" })],
  ["detection.partner-gateway-watched", "no alarm where the region declares no partners", (j) => delete j.resource.aws_cloudwatch_metric_alarm.partner_gateway_health, { region: (r) => ({ ...r, edge: undefined }) }],
  ["eks.merchant-nodes", "a second taint on the merchant nodes before theirs", (j) => j.resource.aws_eks_node_group.eks_merchant_node_group.taint.unshift({ key: "dedicated", value: "gpu", effect: "NO_EXECUTE" })],
  ["eks.merchant-nodes", "a taint of another key on the platform nodes", (j) => (j.resource.aws_eks_node_group.eks_node_group.taint = [{ key: "dedicated", value: "payments", effect: "NO_SCHEDULE" }])],
  ["eks.merchant-nodes", "a legacy rule elsewhere that names no merchant", (j) =>
    add(j, "aws_security_group_rule", "legacy", { security_group_id: "${aws_security_group.network_endpoint_security_group.id}", type: "ingress", protocol: "tcp", from_port: 443, to_port: 443, cidr_blocks: ["10.0.0.0/8"] })],
  ["network.interface-endpoint-policies", "a Deny of one action beside the allowances (a Deny is never an allowance)", (j) =>
    policyEdit(j.resource.aws_vpc_endpoint.network_interface_endpoints_kms, (d) => d.Statement.push({ Sid: "NoDeletion", Effect: "Deny", Principal: "*", Action: "kms:ScheduleKeyDeletion", Resource: "*" }))],
  ["network.s3-gateway-limited", "a Deny of every other bucket", (j) =>
    policyEdit(j.resource.aws_vpc_endpoint.network_s3_gateway_endpoint, (d) => d.Statement.push({ Sid: "NothingElse", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "*" }))],
  ["network.s3-gateway-limited", "route tables of no tier, one untagged and one without a Name", (j) => {
    add(j, "aws_route_table", "untagged", { vpc_id: "${aws_vpc.network_vpc.id}" });
    add(j, "aws_route_table", "unnamed", { vpc_id: "${aws_vpc.network_vpc.id}", tags: { Owner: "platform" } });
  }],
  ["network.partner-endpoint-service", "consumers in the region itself, named, where there is no DR partner", (j, s) => (first(j, "aws_vpc_endpoint_service").supported_regions = [s.region.cloudRegion]), {
    region: (r) => ({ ...r, drPartnerRegion: undefined }),
  }],
  ["database.reachable-from-eks-nodes-only", "a legacy egress rule of the database's group, and a legacy ingress rule of another group", (j) => {
    add(j, "aws_security_group_rule", "db_out", { type: "egress", security_group_id: "${aws_security_group.database_security_group.id}", cidr_blocks: ["10.10.0.0/16"], from_port: 443, to_port: 443, protocol: "tcp" });
    add(j, "aws_security_group_rule", "kafka_in", { type: "ingress", security_group_id: "${aws_security_group.kafka_security_group.id}", source_security_group_id: "${aws_security_group.eks_node_security_group.id}", from_port: 22, to_port: 22, protocol: "tcp" });
  }],
  ["audit.encryption", "the NLB without an access_logs block (S3's logs still go to the log bucket)", (j) => delete first(j, "aws_lb").access_logs],
  ["audit.encryption", "the access-log bucket a target of the NLB's logs only", (j) => {
    for (const [n, l] of Object.entries(j.resource.aws_s3_bucket_logging as Record<string, TfJson>)) if (l.target_bucket === logSse(j).bucket) delete j.resource.aws_s3_bucket_logging[n];
  }],
  ["audit.encryption", "no audit archive (audit.object-lock-compliance refuses it)", (j) => (auditBucket(j).bucket = "renamed-archive")],
  ["audit.tls-only-and-key-enforced", "a blanket Deny of bucket deletion before the TLS deny", (j) =>
    policyEdit(archiveOf(j, "aws_s3_bucket_policy"), (d) => d.Statement.unshift({ Sid: "NoDeletes", Effect: "Deny", Principal: "*", Action: "s3:DeleteBucket", Resource: "*" }))],
  ["audit.tls-only-and-key-enforced", "a bucket without default encryption (audit.encryption refuses it)", (j) => {
    const [n] = Object.entries(j.resource.aws_s3_bucket_server_side_encryption_configuration as Record<string, TfJson>).find(([, e]) => e === logSse(j))!;
    delete j.resource.aws_s3_bucket_server_side_encryption_configuration[n];
  }],
  ["audit.tls-only-and-key-enforced", "an encryption rule without its default block (audit.encryption refuses it)", (j) => delete logSse(j).rule[0].apply_server_side_encryption_by_default],
  ["mesh.intermediate-ca", "no CA where the region names no root", (j) => delete j.resource.aws_acmpca_certificate_authority, { region: (r) => ({ ...r, mesh: { ...r.mesh, rootCaArn: undefined } }) }],
  ["mesh.ca-issuer-least-privilege", "a Deny of IssueCertificate beside the grant", (j) =>
    policyEdit(issuerPolicy(j), (d) => d.Statement.push({ Sid: "NeverOnOtherCas", Effect: "Deny", Action: "acm-pca:IssueCertificate", NotResource: d.Statement[0].Resource })), { when: (s) => s.region.mesh.rootCaArn !== undefined }],
  ["eks.access-entries", "admin associations declared in the other order", (j) =>
    (j.resource.aws_eks_access_policy_association = Object.fromEntries(Object.entries(j.resource.aws_eks_access_policy_association).reverse()))],
  ["hsm.key-store-stage", "a plain variable with a default", (j) => (j.variable = { ...(j.variable ?? {}), label: { type: "string", default: "payments" } })],
  ["audit.cold-storage-lifecycle", "cold storage in Glacier Flexible Retrieval", (j) => coldRule(j).forEach((r) => [...asList<TfJson>(r.transition), ...asList<TfJson>(r.noncurrent_version_transition)].forEach((t) => (t.storage_class = "GLACIER")))],
  ["audit.cold-storage-lifecycle", "cold storage in Glacier Deep Archive", (j) => coldRule(j).forEach((r) => [...asList<TfJson>(r.transition), ...asList<TfJson>(r.noncurrent_version_transition)].forEach((t) => (t.storage_class = "DEEP_ARCHIVE")))],
  ["network.partner-endpoint-service", "the partner rules declared in another order", (j) =>
    (j.resource.aws_vpc_security_group_ingress_rule = Object.fromEntries(Object.entries(j.resource.aws_vpc_security_group_ingress_rule).reverse()))],
  ["network.partner-endpoint-service", "the partner ranges listed in another order in the region file", (j) => j, {
    region: (r) => ({ ...r, paymentApi: { ...r.paymentApi, partnerClientCidrs: [...r.paymentApi.partnerClientCidrs].reverse() } }),
  }],
  ["network.interface-endpoints", "an endpoint's subnets in another order", (j) => {
    const e = named(j, "aws_vpc_endpoint", (x) => x.vpc_endpoint_type === "Interface");
    e.subnet_ids = [...e.subnet_ids].reverse();
  }],
  ["preflight.principals-exist", "a key policy naming a role of the stack by reference, and the deploy role", (j, s) =>
    policyEdit(keyOf(j, "ebs"), (d) => d.Statement.push({ Sid: "Ref", Effect: "Allow", Principal: { AWS: ["${aws_iam_role.eks_node_role.arn}", s.region.eks.deployRoleArn] }, Action: "kms:DescribeKey", Resource: "*" }))],
  ["preflight.principals-exist", "the Auto Scaling role listed as existing, not created", (j) => {
    delete j.resource.aws_iam_service_linked_role;
    delete keyOf(j, "ebs").depends_on;
  }, { region: (r) => ({ ...r, existingServiceLinkedRoles: ["autoscaling.amazonaws.com"] }) }],
  ["preflight.principals-exist", "a second creator of the service-linked role, the policy ordered after the first", (j) => add(j, "aws_iam_service_linked_role", "second", { aws_service_name: "autoscaling.amazonaws.com" })],
  ["preflight.engine-major-only", "a pinned minor where no instance upgrades itself", (j) => {
    first(j, "aws_rds_cluster").engine_version = "16.6";
    Object.values(j.resource.aws_rds_cluster_instance as Record<string, TfJson>).forEach((i) => (i.auto_minor_version_upgrade = false));
  }],
  ["preflight.engine-major-only", "another cluster whose own instance does not upgrade itself", (j) => {
    add(j, "aws_rds_cluster", "other", { engine_version: "16.6" });
    add(j, "aws_rds_cluster_instance", "other", { cluster_identifier: "${aws_rds_cluster.other.id}", auto_minor_version_upgrade: false });
  }],
  ["preflight.engine-major-only", "an instance naming its cluster's version", (j) => (first(j, "aws_rds_cluster_instance").engine_version = first(j, "aws_rds_cluster").engine_version)],
  ["preflight.engine-major-only", "single-instance databases on a major version, or pinned without automatic upgrades", (j) => {
    add(j, "aws_db_instance", "major", { engine: "postgres", engine_version: "16" });
    add(j, "aws_db_instance", "frozen", { engine: "postgres", engine_version: "16.6", auto_minor_version_upgrade: false });
  }],
  ["preflight.deploy-role-can-use-keys", "a repository without an encryption block (another rule's finding)", (j) => delete first(j, "aws_ecr_repository").encryption_configuration],
  ["preflight.deploy-role-can-use-keys", "a key without a literal policy (another rule's finding)", (j) => delete keyOf(j, "ecr").policy],
  ["network.log-groups-encrypted-retained", "a log group kept exactly 365 days", (j) => (first(j, "aws_cloudwatch_log_group").retention_in_days = 365)],
  ["network.load-balancer-reaches-targets", "the partner traffic admitted on a range around the port", (j) => Object.assign(j.resource.aws_vpc_security_group_ingress_rule.eks_partner_api_targets_30443, { from_port: 30400, to_port: 30500 })],
  ["keys.one-per-purpose", "an alias of no purpose on a key the stack does not declare (another rule's finding)", (j) => add(j, "aws_kms_alias", "extra", { name: "alias/extra", target_key_id: "${aws_kms_key.gone.key_id}" })],
  ["keys.granted-use-is-admitted", "a Deny of a key's use the key does not admit", (j) =>
    policyEdit(serviceRolePolicy(j), (d) => d.Statement.push({ Sid: "NoKey", Effect: "Deny", Action: "kms:Decrypt", Resource: keyArnOf(j, "database") }))],
  ["keys.granted-use-is-admitted", "a grant on keys that are not the stack's", (j) =>
    policyEdit(serviceRolePolicy(j), (d) => d.Statement.push({ Sid: "Other", Effect: "Allow", Action: "kms:Decrypt", Resource: ["*", "arn:aws:kms:eu-west-1:111122223333:key/other"] }))],
  ["keys.granted-use-is-admitted", "another service's action beside the key's use", (j) =>
    policyEdit(named(j, "aws_iam_role_policy", (p) => String(p.policy).includes("UseTheTokenizationKeys")), (d) => d.Statement.filter((x) => x.Sid === "UseTheTokenizationKeys").forEach((x) => (x.Action = [...[x.Action].flat(), "s3:GetObject"])))],
  ["keys.policies-name-principals", "a Deny naming a service without a condition", (j) =>
    policyEdit(keyOf(j, "logs"), (d) => d.Statement.push({ Sid: "NoSvc", Effect: "Deny", Principal: { Service: "s3.amazonaws.com" }, Action: "kms:Decrypt", Resource: "*" }))],
  ["keys.administration-without-use", "the custodians listed the other way round", (j) => keyStatement(j, "logs", CUSTODIANS, (x) => (x.Condition.ArnNotEquals["aws:PrincipalArn"] = [...[x.Condition.ArnNotEquals["aws:PrincipalArn"]].flat()].reverse()))],
  ["keys.use-named-through-services", "the RDS service-linked role using the key without conditions", (j) => keyStatement(j, "database", "RdsServiceLinkedRole", (x) => delete x.Condition)],
  ["exposure.private-only", "an instance without a public IP", (j) => add(j, "aws_instance", "i", { associate_public_ip_address: false })],
  ["exposure.private-only", "a database instance that says it is private", (j) => add(j, "aws_db_instance", "d", { engine: "postgres", publicly_accessible: false })],
  ["exposure.private-only", "Kafka with public access left to its default (off)", (j) => delete brokerInfo(j).connectivity_info],
  ["resilience.multi-az", "an NLB placed by subnet mapping in every AZ", (j) => {
    const lb = first(j, "aws_lb");
    lb.subnet_mapping = lb.subnets.map((subnet_id: string) => ({ subnet_id }));
    delete lb.subnets;
  }],
  ["dr.partner-region-copies", "a replication of another bucket listed before the archive's", (j) => {
    const configs = j.resource.aws_s3_bucket_replication_configuration as Record<string, TfJson>;
    j.resource.aws_s3_bucket_replication_configuration = { other: { bucket: "${aws_s3_bucket.audit_archive_access_logs_bucket.id}", role: "x", rule: [{ status: "Disabled" }] }, ...configs };
  }, { when: withPartner }],
  ["dr.partner-region-copies", "an empty prefix filter", (j) => (replicationRule(j).filter = { prefix: "" }), { when: withPartner }],
  ["dr.partner-region-copies", "a second backup selection of something else", (j) => add(j, "aws_backup_selection", "other", { ...first(j, "aws_backup_selection"), name: "other", resources: ["arn:aws:dynamodb:eu-west-1:111122223333:table/x"] }), { when: withPartner }],
  ["dr.partner-region-copies", "a vault lock changeable for exactly 7 days", (j) => Object.values(j.resource.aws_backup_vault_lock_configuration as Record<string, TfJson>).forEach((l) => (l.changeable_for_days = 7)), { when: withPartner }],
  ["kafka.idempotent-producers", "a role that only reads topics", (j) =>
    add(j, "aws_iam_role_policy", "reader", { role: "${aws_iam_role.eks_node_role.name}", policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: ["kafka-cluster:ReadData"], Resource: ["arn:aws:kafka:eu-west-1:111122223333:topic/c/u/payments.raw"] }] }) })],
  ["kafka.idempotent-producers", "WriteData named on the cluster only (no topic)", (j) =>
    add(j, "aws_iam_role_policy", "cluster_only", { role: "${aws_iam_role.eks_node_role.name}", policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: ["kafka-cluster:WriteData"], Resource: [mskArn(j)] }] }) })],
  ["kafka.idempotent-producers", "idempotent writes on the cluster and another resource", (j) =>
    policyEdit(serviceRolePolicy(j), (d) => d.Statement.filter((x) => x.Sid === "WriteIdempotently").forEach((x) => (x.Resource = [...[x.Resource].flat(), "arn:aws:kafka:eu-west-1:111122223333:cluster/other/x"])))],
  ["iam.no-wildcard-admin", "Describe* on every resource", (j) => policyEdit(first(j, "aws_iam_role_policy"), (d) => d.Statement.push({ Sid: "Describe", Effect: "Allow", Action: "ec2:Describe*", Resource: "*" }))],
  ["iam.no-wildcard-admin", "a suffix pattern that covers no data action, on every resource", (j) => policyEdit(first(j, "aws_iam_role_policy"), (d) => d.Statement.push({ Sid: "Dash", Effect: "Allow", Action: "cloudwatch:*Dashboards", Resource: "*" }))],
  ["iam.no-wildcard-admin", "a harmless action on every resource", (j) => policyEdit(first(j, "aws_iam_role_policy"), (d) => d.Statement.push({ Sid: "Read", Effect: "Allow", Action: "ec2:DescribeInstances", Resource: "*" }))],
  ["iam.no-wildcard-admin", "a customer managed policy of this account attached", (j, s) =>
    add(j, "aws_iam_role_policy_attachment", "own", { role: "${aws_iam_role.eks_node_role.name}", policy_arn: `arn:aws:iam::${s.region.accountId}:policy/reviewed` })],
  ["iam.no-wildcard-admin", "a service's managed policy on a role that service and the account's admins may assume", (j, s) => {
    policyEdit(j.resource.aws_iam_role[monitoringRoleName(j)], (d) => d.Statement.push({ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${s.region.accountId}:root` }, Action: "sts:AssumeRole" }), "assume_role_policy");
  }],
  ["iam.no-wildcard-admin", "a service's managed policy listed on the role that service assumes", (j) => (j.resource.aws_iam_role[monitoringRoleName(j)].managed_policy_arns = [monitoringAttachment(j).policy_arn])],
  ["iam.resource-policies-name-principals", "a bucket policy naming a role of this account", (j, s) =>
    policyEdit(bucketPolicy(j), (d) => d.Statement.push({ Sid: "Own", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${s.region.accountId}:role/reader` }, Action: "s3:GetObject", Resource: "*" }))],
  ["eks.control-plane-reaches-istio", "a legacy rule on a group that is not the cluster's", (j) =>
    add(j, "aws_security_group_rule", "other", { type: "ingress", security_group_id: "${aws_security_group.other.id}", protocol: "tcp", from_port: 22, to_port: 22, cidr_blocks: ["10.0.0.0/8"] })],
  ["eks.access-entries", "access entries declared in the other order", (j) => (j.resource.aws_eks_access_entry = Object.fromEntries(Object.entries(j.resource.aws_eks_access_entry).reverse()))],
  ["eks.access-entries", "the admin and deploy roles the other way round", (j) => j, {
    region: (r) => ({ ...r, eks: { ...r.eks, adminRoleArn: r.eks.deployRoleArn, deployRoleArn: r.eks.adminRoleArn } }),
  }],
  ["eks.private-images", "repositories declared in another order", (j) => (j.resource.aws_ecr_repository = Object.fromEntries(Object.entries(j.resource.aws_ecr_repository).reverse()))],
  ["eks.workload-identity-least-privilege", "no root CA, and so no issuer identity", (j) => {
    const [n] = Object.entries(j.resource.aws_eks_pod_identity_association as Record<string, TfJson>).find(([, a]) => a.service_account === "aws-privateca-issuer")!;
    delete j.resource.aws_eks_pod_identity_association[n];
  }, { region: (r) => ({ ...r, mesh: { ...r.mesh, rootCaArn: undefined } }) }],
  ["eks.workload-identity-least-privilege", "denials of anything", (j) => policyEdit(serviceRolePolicy(j), (d) => d.Statement.push(
    { Sid: "NoAll", Effect: "Deny", Action: "*", Resource: "arn:aws:s3:::x" },
    { Sid: "NoTok", Effect: "Deny", Action: "kms:Decrypt", Resource: keyArnOf(j, "tokenization") },
    { Sid: "NoDb", Effect: "Deny", Action: "rds-db:connect", Resource: "*" },
    { Sid: "NoPut", Effect: "Deny", Action: "s3:PutObject", Resource: "${aws_s3_bucket.audit_archive_archive_bucket.arn}/*" },
  ))],
  ["eks.workload-identity-least-privilege", "a put and a key's use in one statement", (j) =>
    policyEdit(named(j, "aws_iam_role_policy", (x) => String(x.role).includes("payment-core")), (d) => (d.Statement[0].Resource = [...[d.Statement[0].Resource].flat(), keyArnOf(j, "audit")]))],
  ["residency.in-jurisdiction", "bucket replication to a bucket of the stack", (j) =>
    add(j, "aws_s3_bucket_replication_configuration", "r", { bucket: "${aws_s3_bucket.audit_archive_archive_bucket.id}", role: "x", rule: [{ status: "Enabled", destination: { bucket: "${aws_s3_bucket.audit_archive_archive_bucket.arn}" } }] })],
  ["secrets.no-literals", "a secret argument that references a variable", (j) => add(j, "aws_secretsmanager_secret_version", "v", { secret_id: "x", secret_string: "${var.api_key}" })],
  ["secrets.no-literals", "an empty secret argument", (j) => add(j, "aws_secretsmanager_secret_version", "v", { secret_id: "x", secret_string: "" })],
  ["secrets.no-literals", "a sensitive variable without a default, a plain one with a default", (j) =>
    (j.variable = { ...(j.variable ?? {}), api: { type: "string", sensitive: true }, size: { type: "number", default: 3 } })],
  ["secrets.no-literals", "a Secret manifest without data", (j) => add(j, "kubernetes_manifest", "s", { manifest: { apiVersion: "v1", kind: "Secret", metadata: { name: "s" } } })],
  ["secrets.no-literals", "a ConfigMap manifest with data", (j) => add(j, "kubernetes_manifest", "c", { manifest: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { k: "v" } } })],
  ["secrets.no-literals", "a Kubernetes Secret without data", (j) => add(j, "kubernetes_secret_v1", "s", { metadata: { name: "s" } })],
  ["secrets.no-key-material", "a pasted certificate (public)", (j) => (first(j, "aws_acmpca_certificate_authority").tags = { note: "-----BEGIN CERTIFICATE-----MIIB" })],
  ["exposure.private-only", "Kafka public access explicitly disabled", (j) => (brokerInfo(j).connectivity_info = [{ public_access: [{ type: "DISABLED" }] }])],
  ["exposure.private-only", "an endpoint service principal grant to one account", (j) => add(j, "aws_vpc_endpoint_service_allowed_principal", "p", { vpc_endpoint_service_id: "x", principal_arn: "arn:aws:iam::111122223333:root" })],
  ["exposure.private-only", "a repository policy naming an account", (j) =>
    add(j, "aws_ecr_repository_policy", "p", { repository: "r", policy: JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:root" }, Action: "ecr:BatchGetImage" }] }) })],
  ["tls.listeners", "an HTTPS listener with a reviewed policy and a certificate", (j) => add(j, "aws_lb_listener", "https", { protocol: "HTTPS", port: 8443, ssl_policy: "ELBSecurityPolicy-TLS13-1-2-2021-06", certificate_arn: "arn:aws:acm:eu-west-1:111122223333:certificate/c" })],
  ["kafka.configuration", "server properties with spaces around =", (j) => (first(j, "aws_msk_configuration").server_properties = String(first(j, "aws_msk_configuration").server_properties).replace(/=/g, " = "))],
  ["kafka.brokers-spread-over-azs", "the data subnets listed in another order", (j) => brokerInfo(j).client_subnets.reverse()],
  ["iam.no-wildcard-admin", "s3:* on one bucket", (j) => policyEdit(first(j, "aws_iam_role_policy"), (d) => d.Statement.push({ Sid: "One", Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::one-bucket/*" }))],
  ["iam.no-wildcard-admin", "a Deny of * on *", (j) => policyEdit(first(j, "aws_iam_role_policy"), (d) => d.Statement.push({ Sid: "No", Effect: "Deny", Action: "*", Resource: "*" }))],
  ["iam.resource-policies-name-principals", "any principal limited to this account by condition", (j, s) =>
    policyEdit(first(j, "aws_s3_bucket_policy"), (d) => d.Statement.push({ Sid: "Org", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "*", Condition: { StringEquals: { "aws:PrincipalAccount": s.region.accountId } } }))],
  ["iam.resource-policies-name-principals", "a role of the stack by reference", (j) =>
    policyEdit(first(j, "aws_s3_bucket_policy"), (d) => d.Statement.push({ Sid: "Ref", Effect: "Allow", Principal: { AWS: "${aws_iam_role.eks_node_role.arn}" }, Action: "s3:GetObject", Resource: "*" }))],
  ["iam.trust-named-principals", "a role of this account, and a service limited to it", (j, s) =>
    (trustTarget(j).assume_role_policy = JSON.stringify({ Statement: [
      { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${s.region.accountId}:role/ci` }, Action: "sts:AssumeRole" },
      { Effect: "Allow", Principal: { Service: "backup.amazonaws.com" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceAccount": s.region.accountId } } },
    ] }))],
  ["eks.private-encrypted-logged", "log types and subnets listed in another order", (j) => {
    const cluster = first(j, "aws_eks_cluster");
    cluster.enabled_cluster_log_types = [...cluster.enabled_cluster_log_types].reverse();
    cluster.vpc_config.subnet_ids = [...cluster.vpc_config.subnet_ids].reverse();
  }],
  ["eks.nodes-hardened", "hop limit 2, subnets in another order", (j) => {
    first(j, "aws_launch_template").metadata_options.http_put_response_hop_limit = 2;
    first(j, "aws_eks_node_group").subnet_ids = [...first(j, "aws_eks_node_group").subnet_ids].reverse();
  }],
  ["stack.provider-pinned-to-account", "the home provider's tags (stack.default-tags checks those)", (j) => delete j.provider.aws[0].default_tags[0].tags.Owner],
  ["stack.default-tags", "the aliased provider listed first, with tags of its own (stack.provider-pinned-to-account checks those)", (j) => {
    const alias = j.provider.aws.find((p: TfJson) => p.alias);
    delete alias.default_tags[0].tags.Owner;
    j.provider.aws = [alias, ...j.provider.aws.filter((p: TfJson) => p !== alias)];
  }],
  ["stack.tags-not-overridden", "a resource whose tags are an expression", (j) => (first(j, "aws_s3_bucket").tags = "${var.tags}")],
  ["stack.references-resolve", "for expressions with one and two bindings, spaced freely", (j) => (j.output.loops = { value: "${[for  rule_c   in var.r : rule_c.port]} ${{for rule_k ,  rule_v in var.m : rule_k => rule_v.port}}" })],
  ["secrets.no-literals", "a manifest resource without a body", (j) => add(j, "kubernetes_manifest", "empty", {})],
  ["stack.references-resolve", "an escaped template naming no resource", (j) => (j.output.literal = { value: "$${aws_kms_key.gone.id}" })],
  ["stack.references-resolve", "identifiers bound by a for expression", (j) => (j.output.loop = { value: "${[for rule_a, rule_b in var.rules : rule_a.port + rule_b.port]}" })],
  ["stack.references-resolve", "a resource address inside a string literal", (j) => (j.output.text = { value: '${replace("aws_kms_key.gone.id", "a", "b")}' })],
  ["stack.references-resolve", "a dependency on a module", (j) => (first(j, "aws_kms_alias").depends_on = ["module.elsewhere"])],
  ["stack.tags-not-overridden", "a resource repeats a required tag with its value and adds one of its own", (j, s) => (first(j, "aws_s3_bucket").tags = { Owner: s.region.tags.owner, Team: "payments" })],
  ["database.tls-forced", "a TLS 1.3 floor", (j) => (clusterParameter(j, "ssl_min_protocol_version").value = "TLSv1.3")],
  ["database.protected-backed-up-logged", "7-day backups where the region file says 7", (j) => (first(j, "aws_rds_cluster").backup_retention_period = 7), {
    region: (r) => ({ ...r, database: { ...r.database, backupRetentionDays: 7 } }),
  }],
  ["database.reachable-from-eks-nodes-only", "the data subnets listed in another order", (j) => first(j, "aws_db_subnet_group").subnet_ids.reverse()],
  ["database.access-audited", "libraries and audit classes written with spaces", (j) => {
    clusterParameter(j, "shared_preload_libraries").value = "pg_stat_statements, pgaudit";
    clusterParameter(j, "pgaudit.log").value = "read, write, ddl, role";
  }],
  ["database.access-audited", "pgaudit.log = all", (j) => (clusterParameter(j, "pgaudit.log").value = "all")],
  ["database.access-audited", "pgaudit.log_parameter left unset (off by default)", (j) => {
    const group = first(j, "aws_rds_cluster_parameter_group");
    group.parameter = group.parameter.filter((p: TfJson) => p.name !== "pgaudit.log_parameter");
  }],
];

describe.each(stacks.map((s) => [s.name, s] as const))("%s: every invariant accepts what complies", (_name, stack) => {
  it.each(ACCEPTED.filter(([, , , e]) => !e?.when || e.when(stack)).map(([id, what, change, e]) => [`${id}: ${what}`, id, change, e] as const))("%s", (_label, id, change, e) => {
    const json = edited(stack, change);
    expect(weakenedViolations(AWS_RULES.find((r) => r.id === id)!, judgedBy(stack, e?.region), json)).toEqual([]);
  });
});

describe("every invariant fails when a stack is weakened", () => {
  it("has at least one weakening for every invariant", () => {
    // The east-west path's rules need a pair of regions with a declared call: test/stacks/east-west.test.ts weakens them.
    // The Kafka mirror's source rule: test/stacks/kafka-mirror.test.ts weakens it (with and without mirroring).
    const covered = new Set([...MUTATIONS.map(([id]) => id), "network.east-west-endpoint-service", "network.east-west-endpoints", "kafka.replicator-source"]);
    expect(AWS_RULES.map((i) => i.id).filter((id) => !covered.has(id))).toEqual([]);
  });

  it("has a weakening at every CloudHSM stage for the stage invariants", () => {
    const stages = (id: string) => new Set(MUTATIONS.filter(([m]) => m === id).flatMap(([, , , e]) => stagesOf(e) ?? ["cluster", "keystore", "keys"]));
    for (const id of ["hsm.key-store-stage", "hsm.tokenization-key-in-store"]) expect(stages(id)).toEqual(new Set(["cluster", "keystore", "keys"]));
  });

  describe.each(stacks.map((s) => [s.name, s] as const))("%s", (_name, stack) => {
    const applicable = MUTATIONS.filter(([, , , e]) => (stagesOf(e)?.includes(stack.region.hsm.stage) ?? true) && (Array.isArray(e) || (e?.when?.(stack) ?? true)));
    it.each(applicable.map(([id, what, mutate, e]) => [`${id}: ${what}`, id, mutate, e] as const))("%s", (_label, id, mutate, e) => {
      const json = edited(stack, mutate);
      const { says, region } = e && !Array.isArray(e) ? e : ({} as Expect);
      const found = weakenedViolations(AWS_RULES.find((r) => r.id === id)!, judgedBy(stack, region), json);
      expectCaught(found, says);
      if (region) return; // the pack judges by the stack's own region
      // And the pack, as synth runs the rule (with the stack's suppressions), rejects it.
      const rejected = stack.pack.evaluate(json, [id]).findings.filter((f) => f.rule.id === id && f.rule.level === "error" && !f.suppressedBy);
      expect(rejected.length).toBeGreaterThan(0);
    });
  });
});

describe("an account whose organization enabled GuardDuty and Security Hub already", () => {
  const base = stacks.find((s) => s.name === "region-eu" && s.region.hsm.stage === "cluster")!;
  const region = { ...base.region, existingDetection: { guardDutyDetectorId: "0123456789abcdef0123456789abcdef", securityHub: true } };
  const [stack] = synthRegions([region]).stacks.filter((s) => s.name === "region-eu") as SynthStack<AwsRegionConfig>[];

  it("adopts the detector and the hub with import blocks (one of each per account and region), and meets every guardrail", () => {
    expect(stack.json.import).toEqual(
      expect.arrayContaining([
        { to: "aws_guardduty_detector.threat_detection_detector", id: "0123456789abcdef0123456789abcdef" },
        { to: "aws_securityhub_account.threat_detection_hub", id: region.accountId },
      ]),
    );
    expect(stack.guardrails.findings.filter((f) => !f.suppressedBy)).toEqual([]);
  });
});

describe("preflight: an account that has the Auto Scaling service-linked role already", () => {
  const base = stacks.find((s) => s.name === "region-eu" && s.region.hsm.stage === "cluster")!;
  const region = { ...base.region, existingServiceLinkedRoles: ["autoscaling.amazonaws.com" as const] };
  const [stack] = synthRegions([region]).stacks.filter((s) => s.name === "region-eu") as SynthStack<AwsRegionConfig>[];

  it("names the role without creating it (AWS refuses to create it twice), and the key waits for nothing", () => {
    expect(stack.json.resource.aws_iam_service_linked_role).toBeUndefined();
    expect(keyOf(stack.json, "ebs").depends_on).toBeUndefined();
    expect(keyOf(stack.json, "ebs").policy).toContain("role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling");
    expect(stack.guardrails.findings.filter((f) => !f.suppressedBy)).toEqual([]);
    // pack.evaluate runs the rules now (in a mutant's run, npm run mutate, synth's findings are the unmutated rules').
    expect(stack.pack.evaluate(stack.json).findings.filter((f) => !f.suppressedBy)).toEqual([]);
  });

  it("on a new account, creates it first: the ebs key's policy names it and the key depends on it", () => {
    const created = Object.entries(base.json.resource.aws_iam_service_linked_role as Record<string, TfJson>);
    expect(created.map(([, r]) => [r.aws_service_name, r.lifecycle?.prevent_destroy])).toEqual([["autoscaling.amazonaws.com", true]]);
    expect(keyOf(base.json, "ebs").depends_on).toEqual([`aws_iam_service_linked_role.${created[0][0]}`]);
  });
});

describe("a region without merchant tenants", () => {
  const base = stacks.find((s) => s.name === "region-eu" && s.region.hsm.stage === "cluster")!;
  const merchants = new Set(base.region.mesh.merchantNamespaces);
  const inMerchant = (ref: string) => merchants.has(ref.split("/")[0]);
  const region: AwsRegionConfig = {
    ...base.region,
    services: base.region.services.filter((s) => !merchants.has(s.namespace)),
    mesh: { ...base.region.mesh, merchantNamespaces: [], calls: base.region.mesh.calls.filter((c) => !inMerchant(c.from) && !inMerchant(c.to)) },
  };
  const [stack] = synthRegions([region]).stacks.filter((s) => s.name === "region-eu") as SynthStack<AwsRegionConfig>[];
  const rule = AWS_RULES.find((r) => r.id === "eks.merchant-nodes")!;

  it("has no merchants' node group or security group, and meets every guardrail", () => {
    expect(Object.keys(stack.json.resource.aws_eks_node_group)).toEqual(["eks_node_group"]);
    expect(Object.keys(stack.json.resource.aws_security_group).filter((n) => n.includes("merchant"))).toEqual([]);
    expect(stack.pack.evaluate(stack.json).findings.filter((f) => !f.suppressedBy)).toEqual([]);
  });

  it("refuses a merchants' node group there", () => {
    const json = jsonCopy(stack);
    json.resource.aws_eks_node_group.tenants = { ...cloneJson(json.resource.aws_eks_node_group.eks_node_group), taint: [{ key: "pci.blueprint/tenant", value: "merchant", effect: "NO_SCHEDULE" }] };
    expectCaught(weakenedViolations(rule, stack, json), /aws_eks_node_group.tenants: a merchants' node group where the region has no merchant namespaces/);
  });
});
