import type { AwsRegionConfig } from "../../../config/schema";
import { Rule, stackRules } from "../../rule";
import { TfJson, ref, resourcesOf, asList, one, preventsDestroy, refName, sameJson } from "../../../tfjson/terraform";
import { Statement, principalArns, principalServices, statementsOf } from "../../../tfjson/iam-policy";
import { auditArchiveBucket, forBucket, isKeyArnRef, keyNameByAlias } from "../../../tfjson/aws";

/** Buckets that receive log delivery: targets of S3 server access logging or of NLB access logs. */
function logDeliveryBuckets(json: TfJson): Set<string> {
  const targets = [
    ...resourcesOf(json, "aws_s3_bucket_logging").map(([, l]) => l.target_bucket),
    ...resourcesOf(json, "aws_lb").map(([, lb]) => lb.access_logs?.bucket),
  ];
  return new Set(resourcesOf(json, "aws_s3_bucket").filter(([n]) => targets.includes(ref("aws_s3_bucket", n, "id"))).map(([n]) => n));
}

/** The services that deliver logs to a bucket. */
const LOG_DELIVERY_SERVICES = ["logging.s3.amazonaws.com", "delivery.logs.amazonaws.com"];

/** True when the bucket's policy allows nothing but log delivery (the only case for SSE-S3). */
function logDeliveryOnly(json: TfJson, bucketName: string): boolean {
  const policy = forBucket(json, "aws_s3_bucket_policy", bucketName)?.[1].policy;
  if (typeof policy !== "string") return false;
  return statementsOf(policy)
    .filter((s) => s.Effect === "Allow")
    .every((s) => principalArns(s.Principal).length === 0 && principalServices(s.Principal).length > 0 && principalServices(s.Principal).every((p) => LOG_DELIVERY_SERVICES.includes(p)));
}

export const AUDIT_ARCHIVE_RULES: readonly Rule[] = stackRules<AwsRegionConfig>({ layers: ["aws"] }, [
  {
    id: "audit.object-lock-compliance",
    requirement: "10.3.3, 10.5.1",
    fix: "Keep AuditArchive's Object Lock in COMPLIANCE mode; set retention.auditArchiveDays to at least 365 in the region file (Object Lock cannot be added to an existing bucket).",
    description: "the audit archive has Object Lock in COMPLIANCE mode with the configured default retention (≥ 365 days)",
    check: ({ json, region }) => {
      const audit = auditArchiveBucket(json);
      if (!audit) return ["aws_s3_bucket: no audit archive bucket"];
      const [n, b] = audit;
      const v: string[] = [];
      if (b.object_lock_enabled !== true) v.push(`aws_s3_bucket.${n}: object_lock_enabled is not true`);
      const lock = forBucket(json, "aws_s3_bucket_object_lock_configuration", n);
      const retention = one(lock?.[1].rule?.default_retention);
      if (!lock || retention.mode !== "COMPLIANCE") v.push(`aws_s3_bucket.${n}: default retention is not COMPLIANCE mode`);
      if (retention.days !== region.retention.auditArchiveDays || !(retention.days >= 365)) {
        v.push(`aws_s3_bucket.${n}: default retention ${retention.days} days, expected ${region.retention.auditArchiveDays} (≥ 365)`);
      }
      if (retention.years !== undefined) v.push(`aws_s3_bucket.${n}: retention set in years and days`);
      return v;
    },
  },
  {
    id: "audit.buckets-hardened",
    requirement: "1.3.1, 3.5, 10.3.2",
    fix: "Create buckets with HardenedBucket (versioning, all four public access blocks, BucketOwnerEnforced, no force_destroy, prevent_destroy).",
    description: "every bucket: versioning on, all four public access blocks, ACLs disabled, force_destroy off, protected from destroy",
    check: ({ json }) =>
      resourcesOf(json, "aws_s3_bucket").flatMap(([n, b]) => {
        const v: string[] = [];
        const a = `aws_s3_bucket.${n}`;
        if (!preventsDestroy(b)) v.push(`${a}: not protected from destroy`);
        if (b.force_destroy === true) v.push(`${a}: force_destroy is true`);
        if (forBucket(json, "aws_s3_bucket_versioning", n)?.[1].versioning_configuration?.status !== "Enabled") v.push(`${a}: versioning not Enabled`);
        const pab = forBucket(json, "aws_s3_bucket_public_access_block", n)?.[1];
        for (const flag of ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"]) {
          if (pab?.[flag] !== true) v.push(`${a}: public access block ${flag} is not true`);
        }
        if (forBucket(json, "aws_s3_bucket_ownership_controls", n)?.[1].rule?.object_ownership !== "BucketOwnerEnforced") v.push(`${a}: ACLs are not disabled`);
        if (resourcesOf(json, "aws_s3_bucket_acl").length > 0) v.push("aws_s3_bucket_acl: ACLs in use");
        return v;
      }),
  },
  {
    id: "audit.encryption",
    requirement: "3.5.1",
    fix: "Encrypt the audit archive with SSE-KMS under the audit key with a bucket key; SSE-S3 only on a bucket that does nothing but receive log delivery.",
    description: "the audit archive uses SSE-KMS with the audit key and a bucket key; only log-delivery buckets use SSE-S3 (AWS requires it there)",
    check: ({ json }) => {
      const auditKey = keyNameByAlias(json, "audit");
      const logTargets = logDeliveryBuckets(json);
      const audit = auditArchiveBucket(json)?.[0];
      return resourcesOf(json, "aws_s3_bucket").flatMap(([n]) => {
        const rule = one(forBucket(json, "aws_s3_bucket_server_side_encryption_configuration", n)?.[1].rule);
        const sse = rule.apply_server_side_encryption_by_default;
        if (!sse) return [`aws_s3_bucket.${n}: no default encryption`];
        if (sse.sse_algorithm === "AES256") {
          return logTargets.has(n) && n !== audit && logDeliveryOnly(json, n) ? [] : [`aws_s3_bucket.${n}: SSE-S3 on a bucket that is not only a log-delivery target (its policy must allow nothing but the log-delivery services)`];
        }
        const v: string[] = [];
        if (sse.sse_algorithm !== "aws:kms") v.push(`aws_s3_bucket.${n}: sse_algorithm ${sse.sse_algorithm}`);
        const key = refName(sse.kms_master_key_id, "aws_kms_key", "arn");
        if (!key || !json.resource.aws_kms_key?.[key]) v.push(`aws_s3_bucket.${n}: SSE-KMS with ${sse.kms_master_key_id ?? "the AWS-managed aws/s3 key"}, not a customer-managed key of this stack`);
        if (n === audit && !isKeyArnRef(sse.kms_master_key_id, auditKey)) v.push(`aws_s3_bucket.${n}: not encrypted with the audit key`);
        if (rule.bucket_key_enabled !== true) v.push(`aws_s3_bucket.${n}: bucket key off`);
        return v;
      });
    },
  },
  {
    id: "audit.tls-only-and-key-enforced",
    requirement: "4.2.1, 3.5.1",
    fix: "Use HardenedBucket's policy: deny aws:SecureTransport=false on the bucket and its objects, deny puts under another encryption or key, and never allow Principal *.",
    description: "every bucket policy denies non-TLS requests; KMS buckets also deny puts that ask for another encryption or key",
    check: ({ json, region }) =>
      resourcesOf(json, "aws_s3_bucket").flatMap(([n]) => {
        const policy = forBucket(json, "aws_s3_bucket_policy", n)?.[1].policy;
        if (typeof policy !== "string") return [`aws_s3_bucket.${n}: no bucket policy`];
        const arn = ref("aws_s3_bucket", n, "arn");
        const statements = statementsOf(policy);
        const v: string[] = [];
        const tls = statements.find((s) => s.Effect === "Deny" && s.Principal === "*" && s.Condition?.Bool?.["aws:SecureTransport"] === "false");
        if (!tls || !asList(tls.Resource).includes(arn) || !asList(tls.Resource).includes(`${arn}/*`) || !asList(tls.Action).includes("s3:*")) {
          v.push(`aws_s3_bucket.${n}: policy does not deny non-TLS requests on the bucket and its objects`);
        }
        const sse = asList(forBucket(json, "aws_s3_bucket_server_side_encryption_configuration", n)?.[1].rule)[0] as TfJson | undefined;
        const key = sse?.apply_server_side_encryption_by_default?.kms_master_key_id;
        if (key) {
          // Every object, or every object but the digests a trail of this stack writes with SSE-S3 into this bucket.
          const digests = resourcesOf(json, "aws_cloudtrail")
            .filter(([, t]) => t.s3_bucket_name === ref("aws_s3_bucket", n, "id"))
            .map(([, t]) => `${arn}/${t.s3_key_prefix ? `${t.s3_key_prefix}/` : ""}AWSLogs/${region.accountId}/CloudTrail-Digest/*`);
          const allObjects = (s: Statement) =>
            s.NotResource === undefined ? asList(s.Resource).includes(`${arn}/*`) : asList(s.NotResource).every((r) => digests.includes(String(r))) && s.Resource === undefined;
          const denyOtherAlg = statements.some((s) => s.Effect === "Deny" && allObjects(s) && s.Condition?.StringNotEquals?.["s3:x-amz-server-side-encryption"] === "aws:kms");
          const denyOtherKey = statements.some((s) => s.Effect === "Deny" && asList(s.Resource).includes(`${arn}/*`) && s.Condition?.StringNotEquals?.["s3:x-amz-server-side-encryption-aws-kms-key-id"] === key);
          const denyNoKeyId = statements.some((s) => s.Effect === "Deny" && allObjects(s) && sameJson(s.Condition?.Null, { "s3:x-amz-server-side-encryption": "false", "s3:x-amz-server-side-encryption-aws-kms-key-id": "true" }));
          if (!denyOtherAlg || !denyOtherKey || !denyNoKeyId) v.push(`aws_s3_bucket.${n}: policy does not deny puts under another encryption or key (or aws:kms without a key id, i.e. aws/s3)`);
        }
        for (const s of statements) {
          if (s.Effect === "Allow" && principalArns(s.Principal).includes("*")) v.push(`aws_s3_bucket.${n}: statement ${s.Sid} allows anyone`);
        }
        return v;
      }),
  },
  {
    id: "audit.access-logged-elsewhere",
    requirement: "10.2.1",
    fix: "Send the audit archive's server access logs to the separate access-log bucket of this stack.",
    description: "the audit archive's server access logs go to a separate bucket of this stack",
    check: ({ json }) => {
      const audit = auditArchiveBucket(json)?.[0];
      if (!audit) return ["aws_s3_bucket: no audit archive bucket"];
      const logging = forBucket(json, "aws_s3_bucket_logging", audit)?.[1];
      const own = resourcesOf(json, "aws_s3_bucket").map(([n]) => ref("aws_s3_bucket", n, "id"));
      if (!logging) return [`aws_s3_bucket.${audit}: no server access logging`];
      if (logging.target_bucket === ref("aws_s3_bucket", audit, "id")) return [`aws_s3_bucket.${audit}: logs to itself`];
      return own.includes(logging.target_bucket) ? [] : [`aws_s3_bucket.${audit}: logs to a bucket outside this stack`];
    },
  },
  {
    id: "audit.cold-storage-lifecycle",
    requirement: "10.5.1",
    fix: "Keep the lifecycle rule that moves current and noncurrent versions to cold storage after retention.coldStorageAfterDays, with no expiration.",
    description: "the audit archive moves current and noncurrent objects to colder storage after the configured days, and never expires them",
    check: ({ json, region }) => {
      const audit = auditArchiveBucket(json)?.[0];
      if (!audit) return ["aws_s3_bucket: no audit archive bucket"];
      const rules = asList(forBucket(json, "aws_s3_bucket_lifecycle_configuration", audit)?.[1].rule) as TfJson[];
      const v: string[] = [];
      const days = region.retention.coldStorageAfterDays;
      const cold = ["GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"];
      const current = rules.some((r) => r.status === "Enabled" && asList(r.transition).some((t: TfJson) => t.days === days && cold.includes(t.storage_class)));
      const noncurrent = rules.some((r) => r.status === "Enabled" && asList(r.noncurrent_version_transition).some((t: TfJson) => t.noncurrent_days === days && cold.includes(t.storage_class)));
      if (!current) v.push(`aws_s3_bucket.${audit}: no transition to cold storage after ${days} days`);
      if (!noncurrent) v.push(`aws_s3_bucket.${audit}: noncurrent versions do not move to cold storage after ${days} days`);
      if (rules.some((r) => asList(r.expiration).length > 0 || asList(r.noncurrent_version_expiration).length > 0)) v.push(`aws_s3_bucket.${audit}: a lifecycle rule expires audit records`);
      return v;
    },
  },
]);
