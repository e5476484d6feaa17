import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { HardenedBucket } from "../../../constructs/aws/hardened-bucket";
import { newStack, synthJson } from "../../support/construct-stack";

describe("HardenedBucket", () => {
  it("is hardened with no options beyond its key", () => {
    const stack = newStack();
    const key = new KmsKey(stack, "Key", {});
    new HardenedBucket(stack, "B", { bucketName: "b", accountId: "123456789012", encryption: { kmsKey: key } });
    const r = synthJson(stack).resource;
    expect(r.aws_s3_bucket.b_bucket).toMatchObject({ object_lock_enabled: false, force_destroy: false, lifecycle: { prevent_destroy: true } });
    expect(r.aws_s3_bucket_public_access_block.b_public_access_block).toMatchObject({
      block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true,
    });
    expect(r.aws_s3_bucket_ownership_controls.b_ownership_controls.rule.object_ownership).toBe("BucketOwnerEnforced");
    expect(r.aws_s3_bucket_versioning.b_versioning.versioning_configuration.status).toBe("Enabled");
    expect(r.aws_s3_bucket_server_side_encryption_configuration.b_encryption.rule[0]).toEqual({
      apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: "${aws_kms_key.key.arn}" },
      bucket_key_enabled: true,
    });
    const sids = JSON.parse(r.aws_s3_bucket_policy.b_policy.policy).Statement.map((s: { Sid: string }) => s.Sid);
    expect(sids).toEqual(["DenyInsecureTransport", "DenyTlsBelow12", "DenyEncryptionOtherThanKms", "DenyOtherKmsKeys", "DenyKmsWithoutKeyId", "DenyCustomerProvidedKeys"]);
    expect(r.aws_s3_bucket_lifecycle_configuration.b_lifecycle.rule[0].abort_incomplete_multipart_upload[0].days_after_initiation).toBe(7);
    expect(r.aws_s3_bucket_object_lock_configuration).toBeUndefined();
  });

  it("lets SSE-S3 objects under a prefix only by excepting it from the two denials of other encryption, and only on a KMS bucket", () => {
    const stack = newStack();
    const key = new KmsKey(stack, "Key", {});
    const b = new HardenedBucket(stack, "B", { bucketName: "b", accountId: "123456789012", encryption: { kmsKey: key } });
    b.allowSseS3Under("trail/AWSLogs/123456789012/CloudTrail-Digest/");
    const statements = JSON.parse(synthJson(stack).resource.aws_s3_bucket_policy.b_policy.policy).Statement as { Sid: string; Resource?: unknown; NotResource?: unknown }[];
    const except = ["${aws_s3_bucket.b_bucket.arn}/trail/AWSLogs/123456789012/CloudTrail-Digest/*"];
    expect(statements.filter((s) => s.NotResource).map((s) => [s.Sid, s.NotResource, s.Resource])).toEqual([
      ["DenyEncryptionOtherThanKms", except, undefined],
      ["DenyKmsWithoutKeyId", except, undefined],
    ]);
    expect(statements.find((s) => s.Sid === "DenyOtherKmsKeys")?.Resource).toBe("${aws_s3_bucket.b_bucket.arn}/*");
    const logs = new HardenedBucket(stack, "Logs", { bucketName: "l", accountId: "123456789012", encryption: { logDeliveryOnly: true } });
    expect(() => logs.allowSseS3Under("x/")).toThrow(/applies to a KMS-encrypted bucket only/);
  });

  it("uses SSE-S3 only for a log-delivery bucket", () => {
    const stack = newStack();
    new HardenedBucket(stack, "Logs", { bucketName: "l", accountId: "123456789012", encryption: { logDeliveryOnly: true } });
    const rule = synthJson(stack).resource.aws_s3_bucket_server_side_encryption_configuration.logs_encryption.rule[0];
    expect(rule.apply_server_side_encryption_by_default).toEqual({ sse_algorithm: "AES256" });
  });

  it("refuses Object Lock on a log-delivery bucket", () => {
    expect(
      () => new HardenedBucket(newStack(), "Logs", { bucketName: "l", accountId: "123456789012", encryption: { logDeliveryOnly: true }, objectLock: { mode: "COMPLIANCE", days: 365 } }),
    ).toThrow(/cannot have Object Lock/);
  });

  it("refuses to deliver logs to a KMS-encrypted bucket", () => {
    const stack = newStack();
    const key = new KmsKey(stack, "Key", {});
    const kms = new HardenedBucket(stack, "A", { bucketName: "a", accountId: "123456789012", encryption: { kmsKey: key } });
    expect(() => new HardenedBucket(stack, "B", { bucketName: "b", accountId: "123456789012", encryption: { kmsKey: key }, accessLogs: { bucket: kms, prefix: "b/" } })).toThrow(
      /needs a bucket with encryption \{ logDeliveryOnly: true \}/,
    );
    expect(() => kms.allowLoadBalancerLogs("eu-west-1", "nlb")).toThrow(/logDeliveryOnly/);
  });

  it("grants log delivery only to sources in its own account", () => {
    const stack = newStack();
    const logs = new HardenedBucket(stack, "Logs", { bucketName: "l", accountId: "123456789012", encryption: { logDeliveryOnly: true } });
    logs.allowLoadBalancerLogs("eu-west-1", "nlb");
    const statements = JSON.parse(synthJson(stack).resource.aws_s3_bucket_policy.logs_policy.policy).Statement;
    const write = statements.find((s: { Sid: string }) => s.Sid === "LoadBalancerLogsWritenlb");
    expect(write.Condition.StringEquals["aws:SourceAccount"]).toBe("123456789012");
    expect(write.Resource).toBe("${aws_s3_bucket.logs_bucket.arn}/nlb/AWSLogs/123456789012/*");
  });

  it("refuses an Allow to anyone without a condition", () => {
    const stack = newStack();
    const b = new HardenedBucket(stack, "B", { bucketName: "b", accountId: "123456789012", encryption: { logDeliveryOnly: true } });
    expect(() => b.addToPolicy({ Sid: "Public", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "*" })).toThrow(/allows principal "\*"/);
    expect(() => b.addToPolicy({ Sid: "Public2", Effect: "Allow", Principal: { AWS: ["*"] }, Action: "s3:GetObject", Resource: "*" })).toThrow(/allows principal "\*"/);
  });
});
