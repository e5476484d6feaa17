import { GuarddutyDetector } from "@cdktf/provider-aws/lib/guardduty-detector";
import { GuarddutyDetectorFeature } from "@cdktf/provider-aws/lib/guardduty-detector-feature";
import { GuarddutyPublishingDestination } from "@cdktf/provider-aws/lib/guardduty-publishing-destination";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SecurityhubAccount } from "@cdktf/provider-aws/lib/securityhub-account";
import { SecurityhubStandardsSubscription } from "@cdktf/provider-aws/lib/securityhub-standards-subscription";
import { Construct } from "constructs";
import type { ITerraformDependable } from "../../core/cdktf";
import { GUARDDUTY_FEATURES, GUARDDUTY_PREFIX, securityHubStandards } from "../../model/aws/detection";
import { HardenedBucket } from "./hardened-bucket";
import { PolicyStatement, partitionOf } from "./iam-policy";

/** The region's one GuardDuty detector as a confused-deputy condition (an account has one detector per region). */
function detectorSource(region: string, accountId: string) {
  return { StringEquals: { "aws:SourceAccount": accountId }, ArnLike: { "aws:SourceArn": `arn:${partitionOf(region)}:guardduty:${region}:${accountId}:detector/*` } };
}

/** Properties of {@link ThreatDetection}. */
export interface ThreatDetectionProps {
  /** The region the detector and the hub are in. */
  readonly region: string;
  readonly accountId: string;
  /** What the standards' controls evaluate: AWS Config recording (the standards wait for it). */
  readonly configRecording: ITerraformDependable;
  /** The Object Lock archive GuardDuty exports its findings to (its policy is extended here). */
  readonly archive: HardenedBucket;
  /** The audit key the findings are encrypted with (its policy, inline, must admit the detector: {@link ThreatDetection.keyStatements}). */
  readonly key: KmsKey;
  /** What the account has already in the region, adopted by import blocks (the region file's existingDetection). */
  readonly existing?: { readonly guardDutyDetectorId?: string; readonly securityHub?: boolean };
}

/**
 * Intrusion detection for the region (PCI DSS 10.4.1, 11.5.1): a GuardDuty detector with every
 * feature the cardholder-data environment needs (model/aws/detection.ts), findings published every
 * 15 minutes and every one exported to the Object Lock archive under the audit key (GuardDuty
 * keeps findings 90 days); Security Hub with the PCI DSS v4.0.1 and AWS Foundational Security Best
 * Practices standards, consolidated control findings, and new controls enabled as AWS adds them.
 *
 * The account must not have a detector or a hub in the region yet (an organization's GuardDuty or
 * Security Hub administrator may auto-enable them in member accounts): see docs/limits.md.
 */
export class ThreatDetection extends Construct {
  readonly detector: GuarddutyDetector;
  /** GuardDuty keeps findings 90 days: each is also exported to the archive (PCI DSS 10.5.1). */
  readonly findingsExport: GuarddutyPublishingDestination;
  readonly hub: SecurityhubAccount;
  /** The features, by name (the runtime agent waits for RUNTIME_MONITORING). */
  readonly features: Record<string, GuarddutyDetectorFeature> = {};

  private readonly region: string;

  constructor(scope: Construct, id: string, props: ThreatDetectionProps) {
    super(scope, id);
    this.region = props.region;
    this.detector = new GuarddutyDetector(this, "Detector", { enable: true, findingPublishingFrequency: "FIFTEEN_MINUTES" });
    // An organization's administrator may have enabled them already: adopted, not created twice.
    if (props.existing?.guardDutyDetectorId) this.detector.importFrom(props.existing.guardDutyDetectorId);
    for (const [name, additional] of Object.entries(GUARDDUTY_FEATURES)) {
      this.features[name] = new GuarddutyDetectorFeature(this, `Feature-${name}`, {
        detectorId: this.detector.id,
        name,
        status: "ENABLED",
        additionalConfiguration: Object.entries(additional).map(([n, status]) => ({ name: n, status })),
      });
    }
    // Findings outlive GuardDuty's 90 days in the archive, under the audit key (PCI DSS 10.5.1).
    // The region's detector by a pattern that is known at plan (so the key's and the archive's
    // policies are too): an account has one detector per region, so it names exactly this one.
    const source = detectorSource(props.region, props.accountId);
    props.archive.addToPolicy({ Sid: "GuardDutyLocatesTheBucket", Effect: "Allow", Principal: { Service: "guardduty.amazonaws.com" }, Action: "s3:GetBucketLocation", Resource: props.archive.bucket.arn, Condition: source });
    props.archive.addToPolicy({
      Sid: "GuardDutyExportsFindings",
      Effect: "Allow",
      Principal: { Service: "guardduty.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: `${props.archive.bucket.arn}/${GUARDDUTY_PREFIX}/*`,
      Condition: source,
    });
    this.findingsExport = new GuarddutyPublishingDestination(this, "FindingsExport", {
      detectorId: this.detector.id,
      destinationType: "S3",
      destinationArn: `${props.archive.bucket.arn}/${GUARDDUTY_PREFIX}`,
      kmsKeyArn: props.key.arn,
      // GuardDuty checks that it can write and encrypt when the destination is created (the key's
      // policy is the key's own argument, so the key's ARN orders it).
      dependsOn: [props.archive.policy],
    });

    this.hub = new SecurityhubAccount(this, "Hub", {
      // The standards are chosen below; the defaults would add CIS without a decision.
      enableDefaultStandards: false,
      controlFindingGenerator: "SECURITY_CONTROL",
      autoEnableControls: true,
    });
    if (props.existing?.securityHub) this.hub.importFrom(props.accountId);
    for (const arn of securityHubStandards(props.region, partitionOf(props.region))) {
      const standard = arn.split("::standards/")[1].split("/")[0];
      // A subscription before the hub is enabled fails: after it.
      // Its controls run on AWS Config's records: subscribed once recording is on.
      new SecurityhubStandardsSubscription(this, `Standard-${standard}`, { standardsArn: arn, dependsOn: [this.hub, props.configRecording] });
    }
  }

  /** The audit key's statement for the findings export: this detector may generate data keys. */
  keyStatements(accountId: string): PolicyStatement[] {
    return [
      {
        Sid: "GuardDutyEncryptsExportedFindings",
        Effect: "Allow",
        Principal: { Service: "guardduty.amazonaws.com" },
        Action: "kms:GenerateDataKey",
        Resource: "*",
        Condition: detectorSource(this.region, accountId),
      },
    ];
  }
}
