import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import {
  S3BucketLifecycleConfiguration,
  S3BucketLifecycleConfigurationRule,
} from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import { S3BucketObjectLockConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-object-lock-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { Construct } from "constructs";
import { Lazy } from "../../core/cdktf";
import { DenyExceptStatement, PolicyStatement, isAnyone, partitionOf, renderPolicy } from "./iam-policy";

/** How objects are encrypted at rest. */
export type BucketEncryption =
  /** SSE-KMS with a customer-managed key and an S3 bucket key. */
  | { readonly kmsKey: KmsKey }
  /**
   * SSE-S3, only for a bucket that receives S3 server access logs: AWS does not deliver those
   * logs to a bucket whose default encryption is SSE-KMS.
   */
  | { readonly logDeliveryOnly: true };

/** Properties of {@link HardenedBucket}. */
export interface HardenedBucketProps {
  /** Globally unique bucket name. */
  readonly bucketName: string;
  /** The owning account; log-delivery grants are limited to sources in it (confused deputy). */
  readonly accountId: string;
  /** Encryption at rest. */
  readonly encryption: BucketEncryption;
  /**
   * Object Lock default retention. Object Lock can only be enabled when the bucket is created.
   * @default - no Object Lock
   */
  readonly objectLock?: { readonly mode: "COMPLIANCE" | "GOVERNANCE"; readonly days: number };
  /**
   * Where S3 server access logs of this bucket go.
   * @default - not logged (only acceptable for the log bucket itself)
   */
  readonly accessLogs?: { readonly bucket: HardenedBucket; readonly prefix: string };
  /** Lifecycle rules; a rule that aborts incomplete multipart uploads after 7 days is always added. */
  readonly lifecycleRules?: readonly S3BucketLifecycleConfigurationRule[];
}

/**
 * An S3 bucket with every hardening on: all four public-access blocks, ACLs disabled, versioning,
 * default encryption, a policy that denies non-TLS and pre-TLS-1.2 requests (and, with KMS,
 * objects under any other key), and protection from destroy.
 */
export class HardenedBucket extends Construct {
  readonly bucket: S3Bucket;
  readonly publicAccessBlock: S3BucketPublicAccessBlock;
  readonly policy: S3BucketPolicy;
  /** Versioning (replication and Object Lock depend on it). */
  readonly versioning: S3BucketVersioningA;
  /** The key protecting the objects, or undefined for a log-delivery (SSE-S3) bucket. */
  readonly kmsKey?: KmsKey;
  /** The bucket's name, a plain string (a policy can name the bucket without waiting for it). */
  readonly name: string;
  private readonly accountId: string;
  private statements: (PolicyStatement | DenyExceptStatement)[];

  constructor(scope: Construct, id: string, props: HardenedBucketProps) {
    super(scope, id);
    const kmsKey = "kmsKey" in props.encryption ? props.encryption.kmsKey : undefined;
    if (!kmsKey && props.objectLock) {
      throw new Error(
        `HardenedBucket ${props.bucketName}: a log-delivery bucket cannot have Object Lock default retention (S3 server access logging rejects it); use a KMS-encrypted bucket for locked data.`,
      );
    }
    if (props.objectLock && props.objectLock.days < 1) {
      throw new Error(`HardenedBucket ${props.bucketName}: objectLock.days must be at least 1.`);
    }
    this.kmsKey = kmsKey;
    this.name = props.bucketName;
    this.accountId = props.accountId;

    this.bucket = new S3Bucket(this, "Bucket", {
      bucket: props.bucketName,
      objectLockEnabled: props.objectLock !== undefined,
      forceDestroy: false,
      lifecycle: { preventDestroy: true },
    });
    const bucket = this.bucket.id;

    this.publicAccessBlock = new S3BucketPublicAccessBlock(this, "PublicAccessBlock", {
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, "OwnershipControls", {
      bucket,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    });
    const versioning = (this.versioning = new S3BucketVersioningA(this, "Versioning", {
      bucket,
      versioningConfiguration: { status: "Enabled" },
    }));
    new S3BucketServerSideEncryptionConfigurationA(this, "Encryption", {
      bucket,
      rule: [
        kmsKey
          ? { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: kmsKey.arn }, bucketKeyEnabled: true }
          : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: false },
      ],
    });
    if (props.objectLock) {
      new S3BucketObjectLockConfigurationA(this, "ObjectLock", {
        bucket,
        objectLockEnabled: "Enabled",
        rule: { defaultRetention: { mode: props.objectLock.mode, days: props.objectLock.days } },
        dependsOn: [versioning],
      });
    }
    if (props.accessLogs) {
      new S3BucketLoggingA(this, "AccessLogging", {
        bucket,
        targetBucket: props.accessLogs.bucket.bucket.id,
        targetPrefix: props.accessLogs.prefix,
        targetObjectKeyFormat: { partitionedPrefix: { partitionDateSource: "EventTime" } },
      });
      props.accessLogs.bucket.allowServerAccessLogsFrom(this, props.accessLogs.prefix);
    }
    new S3BucketLifecycleConfiguration(this, "Lifecycle", {
      bucket,
      transitionDefaultMinimumObjectSize: "all_storage_classes_128K",
      rule: [
        {
          id: "abort-incomplete-multipart-uploads",
          status: "Enabled",
          filter: [{ prefix: "" }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
        ...(props.lifecycleRules ?? []),
      ],
      dependsOn: [versioning],
    });

    const arn = this.bucket.arn;
    this.statements = [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [arn, `${arn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
      {
        Sid: "DenyTlsBelow12",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [arn, `${arn}/*`],
        Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } },
      },
    ];
    if (kmsKey) {
      // A put without encryption headers gets the default (this key, via the bucket key); a put
      // that asks for anything else (SSE-S3, SSE-C, another key) is denied.
      this.statements.push(
        {
          Sid: "DenyEncryptionOtherThanKms",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:PutObject",
          Resource: `${arn}/*`,
          Condition: {
            Null: { "s3:x-amz-server-side-encryption": "false" },
            StringNotEquals: { "s3:x-amz-server-side-encryption": "aws:kms" },
          },
        },
        {
          Sid: "DenyOtherKmsKeys",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:PutObject",
          Resource: `${arn}/*`,
          Condition: {
            Null: { "s3:x-amz-server-side-encryption-aws-kms-key-id": "false" },
            StringNotEquals: { "s3:x-amz-server-side-encryption-aws-kms-key-id": kmsKey.arn },
          },
        },
        {
          // `aws:kms` with no key id would be encrypted under the AWS managed aws/s3 key.
          Sid: "DenyKmsWithoutKeyId",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:PutObject",
          Resource: `${arn}/*`,
          Condition: {
            Null: { "s3:x-amz-server-side-encryption": "false", "s3:x-amz-server-side-encryption-aws-kms-key-id": "true" },
          },
        },
        {
          Sid: "DenyCustomerProvidedKeys",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:PutObject",
          Resource: `${arn}/*`,
          Condition: { Null: { "s3:x-amz-server-side-encryption-customer-algorithm": "false" } },
        },
      );
    }
    this.policy = new S3BucketPolicy(this, "Policy", {
      bucket,
      policy: Lazy.stringValue({ produce: () => renderPolicy(this.statements) }),
      // Putting a policy while the public access block is being created fails with a conflict.
      dependsOn: [this.publicAccessBlock],
    });
  }

  /**
   * Lets objects under `prefix` be written with SSE-S3 (a service that encrypts some objects that way
   * by design: CloudTrail's digest files). The policy's denials of other encryption then cover every
   * object but those (NotResource). Nothing else changes: only principals the policy or IAM already
   * let write there can.
   */
  allowSseS3Under(prefix: string): void {
    const kmsOnly = new Set(["DenyEncryptionOtherThanKms", "DenyKmsWithoutKeyId"]);
    if (this.statements.filter((s) => kmsOnly.has(s.Sid)).length !== kmsOnly.size) throw new Error(`HardenedBucket ${this.name}: allowSseS3Under applies to a KMS-encrypted bucket only.`);
    this.statements = this.statements.map((s): PolicyStatement | DenyExceptStatement => {
      if (!kmsOnly.has(s.Sid) || s.Effect !== "Deny") return s;
      const except = "NotResource" in s ? s.NotResource : [];
      const { Sid, Principal, Action, Condition } = s;
      return { Sid, Effect: "Deny", Principal, Action, Condition, NotResource: [...except, `${this.bucket.arn}/${prefix}*`] };
    });
  }

  /** Adds a statement to the bucket policy (e.g. a log-delivery service principal). */
  addToPolicy(statement: PolicyStatement): void {
    if (statement.Effect === "Allow" && isAnyone(statement.Principal) && !statement.Condition) {
      throw new Error(`HardenedBucket: statement "${statement.Sid}" allows principal "*" with no condition.`);
    }
    this.statements.push(statement);
  }

  /** Lets S3 deliver server access logs of `source` under `prefix`, only from this account. */
  allowServerAccessLogsFrom(source: HardenedBucket, prefix: string): void {
    this.requireLogDelivery(source.node.path);
    this.addToPolicy({
      Sid: `S3ServerAccessLogs${sidSuffix(prefix)}`,
      Effect: "Allow",
      Principal: { Service: "logging.s3.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: `${this.bucket.arn}/${prefix}*`,
      Condition: {
        ArnLike: { "aws:SourceArn": source.bucket.arn },
        StringEquals: { "aws:SourceAccount": this.accountId },
      },
    });
  }

  /**
   * Lets a Network Load Balancer of this account deliver access logs under `prefix`
   * (NLB logs are written by the log delivery service, not by ELB accounts).
   */
  allowLoadBalancerLogs(region: string, prefix: string): void {
    this.requireLogDelivery(`load balancer logs ${prefix}`);
    const condition = {
      StringEquals: { "aws:SourceAccount": this.accountId },
      ArnLike: { "aws:SourceArn": `arn:${partitionOf(region)}:logs:${region}:${this.accountId}:*` },
    };
    this.addToPolicy({
      Sid: `LoadBalancerLogsWrite${sidSuffix(prefix)}`,
      Effect: "Allow",
      Principal: { Service: "delivery.logs.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: `${this.bucket.arn}/${prefix}/AWSLogs/${this.accountId}/*`,
      Condition: { ...condition, StringEquals: { ...condition.StringEquals, "s3:x-amz-acl": "bucket-owner-full-control" } },
    });
    this.addToPolicy({
      Sid: `LoadBalancerLogsAclCheck${sidSuffix(prefix)}`,
      Effect: "Allow",
      Principal: { Service: "delivery.logs.amazonaws.com" },
      Action: "s3:GetBucketAcl",
      Resource: this.bucket.arn,
      Condition: condition,
    });
  }

  private requireLogDelivery(what: string): void {
    if (this.kmsKey) {
      throw new Error(`HardenedBucket: ${what} would be delivered to a KMS-encrypted bucket; log delivery needs a bucket with encryption { logDeliveryOnly: true }.`);
    }
  }
}

function sidSuffix(prefix: string): string {
  return prefix.replace(/[^A-Za-z0-9]/g, "");
}
