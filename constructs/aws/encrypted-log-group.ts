import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { Construct } from "constructs";
import { CLOUDWATCH_RETENTION_DAYS, PCI_CLOUDWATCH_RETENTION_DAYS, PCI_MIN_LOG_RETENTION_DAYS } from "../../config/pci";

/** Properties of {@link EncryptedLogGroup}. */
export interface EncryptedLogGroupProps {
  /** Log group name, e.g. `/acme-pay/eu/vpc-flow-logs`. */
  readonly name: string;
  /** The region's logs key (its policy must admit the CloudWatch Logs service principal). */
  readonly key: KmsKey;
  /** Days to keep events: a CloudWatch value of at least 365 (PCI DSS 10.5.1). */
  readonly retentionDays: number;
}

/** A CloudWatch log group encrypted with a customer-managed key and kept at least 12 months. */
export class EncryptedLogGroup extends Construct {
  readonly logGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: EncryptedLogGroupProps) {
    super(scope, id);
    if (props.retentionDays < PCI_MIN_LOG_RETENTION_DAYS || !(CLOUDWATCH_RETENTION_DAYS as readonly number[]).includes(props.retentionDays)) {
      throw new Error(
        `EncryptedLogGroup ${props.name}: retentionDays ${props.retentionDays} must be one of ${PCI_CLOUDWATCH_RETENTION_DAYS.join(", ")} (PCI DSS 10.5.1 and CloudWatch's allowed values).`,
      );
    }
    this.logGroup = new CloudwatchLogGroup(this, "LogGroup", {
      name: props.name,
      kmsKeyId: props.key.arn,
      retentionInDays: props.retentionDays,
      logGroupClass: "STANDARD",
      skipDestroy: false,
      // The audit trail must outlive a careless destroy (10.5.1): removing the group is a reviewed change.
      lifecycle: { preventDestroy: true },
    });
  }
}
