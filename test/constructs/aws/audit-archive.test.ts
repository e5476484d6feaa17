import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { AuditArchive, AuditArchiveProps } from "../../../constructs/aws/audit-archive";
import { TestStack, newStack, synthJson } from "../../support/construct-stack";

function archive(stack: TestStack, overrides: Partial<AuditArchiveProps> = {}) {
  const key = new KmsKey(stack, "Key", {});
  return new AuditArchive(stack, "Audit", { bucketName: "a", accessLogBucketName: "l", accountId: "123456789012", key, retentionDays: 365, ...overrides });
}

describe("AuditArchive", () => {
  it("locks records in COMPLIANCE mode for the retention, under the given key", () => {
    const stack = newStack();
    archive(stack);
    const r = synthJson(stack).resource;
    expect(r.aws_s3_bucket.audit_archive_bucket.object_lock_enabled).toBe(true);
    expect(r.aws_s3_bucket_object_lock_configuration.audit_archive_object_lock.rule.default_retention).toEqual({ mode: "COMPLIANCE", days: 365 });
    expect(r.aws_s3_bucket_server_side_encryption_configuration.audit_archive_encryption.rule[0].apply_server_side_encryption_by_default.kms_master_key_id).toBe("${aws_kms_key.key.arn}");
  });

  it("defaults to Glacier Instant Retrieval after 90 days and never expires records", () => {
    const stack = newStack();
    archive(stack);
    const rules = synthJson(stack).resource.aws_s3_bucket_lifecycle_configuration.audit_archive_lifecycle.rule;
    const cold = rules.find((x: { id: string }) => x.id === "cold-storage");
    expect(cold.transition).toEqual([{ days: 90, storage_class: "GLACIER_IR" }]);
    expect(cold.noncurrent_version_transition).toEqual([{ noncurrent_days: 90, storage_class: "GLACIER_IR" }]);
    expect(rules.some((x: { expiration?: unknown }) => x.expiration)).toBe(false);
  });

  it("logs access to a separate SSE-S3 bucket that keeps logs as long as the archive", () => {
    const stack = newStack();
    archive(stack, { retentionDays: 400 });
    const r = synthJson(stack).resource;
    expect(r.aws_s3_bucket_logging.audit_archive_access_logging.target_bucket).toBe("${aws_s3_bucket.audit_access_logs_bucket.id}");
    const logRule = r.aws_s3_bucket_lifecycle_configuration.audit_access_logs_lifecycle.rule.find((x: { id: string }) => x.id === "cold-storage-then-expire");
    expect(logRule.expiration).toEqual([{ days: 400 }]);
    expect(logRule.noncurrent_version_expiration).toEqual([{ noncurrent_days: 400 }]);
  });

  it("rejects retention under 12 months", () => {
    expect(() => archive(newStack(), { retentionDays: 364 })).toThrow(/PCI DSS 10.5.1/);
    expect(() => archive(newStack(), { accessLogRetentionDays: 90 })).toThrow(/accessLogRetentionDays 90/);
  });

  it("rejects a cold-storage age outside [30, retention)", () => {
    expect(() => archive(newStack(), { coldStorageAfterDays: 10 })).toThrow(/coldStorageAfterDays 10/);
    expect(() => archive(newStack(), { coldStorageAfterDays: 365 })).toThrow(/coldStorageAfterDays 365/);
  });
});
