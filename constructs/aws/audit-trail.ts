import { Cloudtrail } from "@cdktf/provider-aws/lib/cloudtrail";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { Construct } from "constructs";
import { EncryptedLogGroup } from "./encrypted-log-group";
import { HardenedBucket } from "./hardened-bucket";
import { PolicyStatement, partitionOf, renderPolicy } from "./iam-policy";
import { TRAIL_PREFIX } from "../../model/aws/detection";

/** Properties of {@link AuditTrail}. */
export interface AuditTrailProps {
  /** Resource name prefix (`<prefix>-<region>`); the trail is `<name>-trail`. */
  readonly name: string;
  readonly accountId: string;
  /** The trail's home region. */
  readonly region: string;
  /** The Object Lock archive the trail delivers to (its policy is extended here). */
  readonly archive: HardenedBucket;
  /** The audit key: log files and digests are encrypted with it (its policy must admit this trail: {@link cloudTrailKeyStatements}). */
  readonly key: KmsKey;
  /** The region's logs key, for the trail's log group. */
  readonly logsKey: KmsKey;
  /** Days the log group keeps events (a CloudWatch value ≥ 365). */
  readonly logRetentionDays: number;
}

/** The ARN of the region's trail, known before the trail exists (the key and bucket policies name it). */
export function trailArn(name: string, region: string, accountId: string): string {
  return `arn:${partitionOf(region)}:cloudtrail:${region}:${accountId}:trail/${name}-trail`;
}

/**
 * The audit key's statements for the region's trail (CloudTrail's documented key policy, each
 * limited to this trail by aws:SourceArn): encrypt log files and digests under the trail's
 * encryption context, describe the key, and decrypt, which CloudTrail needs to create a trail
 * whose bucket uses an S3 Bucket Key (the archive does).
 */
export function cloudTrailKeyStatements(name: string, region: string, accountId: string): PolicyStatement[] {
  const source = { StringEquals: { "aws:SourceArn": trailArn(name, region, accountId) } };
  const principal = { Service: "cloudtrail.amazonaws.com" };
  return [
    {
      Sid: "CloudTrailEncryptsThisTrailsLogs",
      Effect: "Allow",
      Principal: principal,
      Action: "kms:GenerateDataKey*",
      Resource: "*",
      Condition: { ...source, StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": `arn:${partitionOf(region)}:cloudtrail:*:${accountId}:trail/*` } },
    },
    { Sid: "CloudTrailDescribesTheKey", Effect: "Allow", Principal: principal, Action: "kms:DescribeKey", Resource: "*", Condition: source },
    { Sid: "CloudTrailDecryptsForTheBucketKey", Effect: "Allow", Principal: principal, Action: "kms:Decrypt", Resource: "*", Condition: source },
  ];
}

/**
 * The region's audit trail (PCI DSS 10.2, 10.3, 10.5): an account trail of every region of the
 * account (so activity in a region nobody uses is recorded too) with IAM's global events,
 * management events read and write, and S3 data events on the archive (outside the trail's own
 * prefix, whose deliveries would otherwise be logged in a loop); log file validation (digests)
 * on; files encrypted with the audit key into the Object Lock archive, and every event also in a
 * CloudWatch log group under the logs key, for the alarms.
 *
 * An account trail, not an organization trail: the blueprint deploys one account per region and
 * needs no organization (an organization trail belongs to the management account, outside the
 * cardholder-data environment's review). Where an organization trail exists too, this one is the
 * region's own copy, under its keys and its lock.
 */
export class AuditTrail extends Construct {
  readonly trail: Cloudtrail;
  readonly logGroup: EncryptedLogGroup;

  constructor(scope: Construct, id: string, props: AuditTrailProps) {
    super(scope, id);
    const partition = partitionOf(props.region);
    const arn = trailArn(props.name, props.region, props.accountId);
    this.logGroup = new EncryptedLogGroup(this, "LogGroup", { name: `/${props.name}/cloudtrail`, key: props.logsKey, retentionDays: props.logRetentionDays });
    const logGroupArn = this.logGroup.logGroup.arn;

    // The archive's policy admits this trail only (aws:SourceArn), under its own prefix.
    props.archive.addToPolicy({
      Sid: "CloudTrailAclCheck",
      Effect: "Allow",
      Principal: { Service: "cloudtrail.amazonaws.com" },
      Action: "s3:GetBucketAcl",
      Resource: props.archive.bucket.arn,
      Condition: { StringEquals: { "aws:SourceArn": arn, "aws:SourceAccount": props.accountId } },
    });
    props.archive.addToPolicy({
      Sid: "CloudTrailWrite",
      Effect: "Allow",
      Principal: { Service: "cloudtrail.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: `${props.archive.bucket.arn}/${TRAIL_PREFIX}/AWSLogs/${props.accountId}/*`,
      Condition: { StringEquals: { "aws:SourceArn": arn, "aws:SourceAccount": props.accountId, "s3:x-amz-acl": "bucket-owner-full-control" } },
    });

    // CloudTrail writes its digest files with SSE-S3, whatever the trail's key (AWS documents it):
    // the archive's denial of other encryption must leave the digests' prefix out, or validation
    // has nothing to validate against.
    props.archive.allowSseS3Under(`${TRAIL_PREFIX}/AWSLogs/${props.accountId}/CloudTrail-Digest/`);

    const role = new IamRole(this, "LogsRole", {
      name: `${props.name}-cloudtrail-logs`,
      description: "Lets CloudTrail write the region's trail to its log group",
      // No aws:SourceArn or aws:SourceAccount condition: AWS documents that this role's trust does not
      // support them (awscloudtrail/latest/userguide/cloudtrail-required-policy-for-cloudwatch-logs.html;
      // the trail's creation would fail with "Access denied"). Its only permission is writing events
      // to the trail's log group, and iam.trust-named-principals admits it on exactly that ground.
      assumeRolePolicy: renderPolicy([{ Sid: "CloudTrail", Effect: "Allow", Principal: { Service: "cloudtrail.amazonaws.com" }, Action: "sts:AssumeRole" }]),
    });
    const rolePolicy = new IamRolePolicy(this, "LogsRolePolicy", {
      name: "write-trail-log-group",
      role: role.id,
      policy: renderPolicy([
        {
          Sid: "WriteOwnLogGroupOnly",
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: `${logGroupArn}:log-stream:*`,
        },
      ]),
    });

    this.trail = new Cloudtrail(this, "Trail", {
      name: `${props.name}-trail`,
      s3BucketName: props.archive.bucket.id,
      s3KeyPrefix: TRAIL_PREFIX,
      kmsKeyId: props.key.arn,
      enableLogging: true,
      enableLogFileValidation: true,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      isOrganizationTrail: false,
      cloudWatchLogsGroupArn: `${logGroupArn}:*`,
      cloudWatchLogsRoleArn: role.arn,
      advancedEventSelector: [
        { name: "Management events, read and write", fieldSelector: [{ field: "eventCategory", equalTo: ["Management"] }] },
        {
          name: "S3 data events on the audit archive, outside the trail's own deliveries",
          fieldSelector: [
            { field: "eventCategory", equalTo: ["Data"] },
            { field: "resources.type", equalTo: ["AWS::S3::Object"] },
            {
              field: "resources.ARN",
              startsWith: [`arn:${partition}:s3:::${props.archive.name}/`],
              notStartsWith: [`arn:${partition}:s3:::${props.archive.name}/${TRAIL_PREFIX}/`],
            },
          ],
        },
      ],
      // CloudTrail checks the bucket policy, and the role, when the trail is created: both first.
      // (The provider retries while the role's policy propagates; it does not for the bucket policy.)
      dependsOn: [props.archive.policy, rolePolicy],
    });
  }
}
