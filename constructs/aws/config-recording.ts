import { ConfigConfigurationRecorder } from "@cdktf/provider-aws/lib/config-configuration-recorder";
import { ConfigConfigurationRecorderStatus } from "@cdktf/provider-aws/lib/config-configuration-recorder-status";
import { ConfigDeliveryChannel } from "@cdktf/provider-aws/lib/config-delivery-channel";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { Construct } from "constructs";
import { HardenedBucket } from "./hardened-bucket";
import { renderPolicy } from "./iam-policy";
import { CONFIG_MANAGED_POLICY, CONFIG_PREFIX } from "../../model/aws/detection";

/** Properties of {@link ConfigRecording}. */
export interface ConfigRecordingProps {
  /** Resource name prefix (`<prefix>-<region>`). */
  readonly name: string;
  readonly accountId: string;
  /** The Object Lock archive that receives the configuration history and snapshots. */
  readonly archive: HardenedBucket;
  /** The audit key the deliveries are encrypted with (its policy admits the recorder's role: key-access.ts). */
  readonly key: KmsKey;
}

/**
 * AWS Config recording every supported resource type of the region, IAM's global types included
 * (one region per account), continuously, into the audit archive under `config/` with the audit
 * key, and a snapshot every day: the configuration history an assessor samples (PCI DSS 1.2.7,
 * 2.2, 10.2.1.5, 11.5) and what Security Hub's controls evaluate.
 *
 * The recorder's role is the stack's own (AWS's AWS_ConfigRole to read configurations, and its own
 * policy to deliver to the archive only): a named role that the audit key admits by name, where
 * Config's service-linked role would need the key to admit a role the stack does not create.
 */
export class ConfigRecording extends Construct {
  readonly recorder: ConfigConfigurationRecorder;
  /** Recording turned on (what waits for Config waits for this). */
  readonly status: ConfigConfigurationRecorderStatus;
  /** The role's name, known before it exists (the audit key's policy names it). */
  readonly roleName: string;

  constructor(scope: Construct, id: string, props: ConfigRecordingProps) {
    super(scope, id);
    this.roleName = `${props.name}-config-recorder`;
    const role = new IamRole(this, "Role", {
      name: this.roleName,
      description: "Lets AWS Config read the region's resources and deliver their history to the audit archive",
      assumeRolePolicy: renderPolicy([
        {
          Sid: "ConfigOfThisAccount",
          Effect: "Allow",
          Principal: { Service: "config.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "aws:SourceAccount": props.accountId } },
        },
      ]),
    });
    const readAll = new IamRolePolicyAttachment(this, "ReadConfigurations", { role: role.name, policyArn: CONFIG_MANAGED_POLICY });
    const deliver = new IamRolePolicy(this, "Deliver", {
      name: "deliver-to-the-archive",
      role: role.id,
      policy: renderPolicy([
        { Sid: "CheckTheArchiveAcl", Effect: "Allow", Action: "s3:GetBucketAcl", Resource: props.archive.bucket.arn },
        {
          Sid: "WriteUnderOwnPrefix",
          Effect: "Allow",
          Action: "s3:PutObject",
          Resource: `${props.archive.bucket.arn}/${CONFIG_PREFIX}/AWSLogs/${props.accountId}/Config/*`,
          Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control" } },
        },
        { Sid: "EncryptDeliveries", Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: props.key.arn },
      ]),
    });
    this.recorder = new ConfigConfigurationRecorder(this, "Recorder", {
      name: props.name,
      roleArn: role.arn,
      recordingGroup: { allSupported: true, includeGlobalResourceTypes: true },
      recordingMode: { recordingFrequency: "CONTINUOUS" },
      dependsOn: [readAll, deliver],
    });
    const channel = new ConfigDeliveryChannel(this, "DeliveryChannel", {
      name: props.name,
      s3BucketName: props.archive.bucket.id,
      s3KeyPrefix: CONFIG_PREFIX,
      s3KmsKeyArn: props.key.arn,
      snapshotDeliveryProperties: { deliveryFrequency: "TwentyFour_Hours" },
      // A delivery channel needs its recorder first.
      dependsOn: [this.recorder],
    });
    this.status = new ConfigConfigurationRecorderStatus(this, "Status", {
      name: this.recorder.name,
      isEnabled: true,
      // Recording starts only with a delivery channel.
      dependsOn: [channel],
    });
  }
}
