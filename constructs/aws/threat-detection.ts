import { GuarddutyDetector } from "@cdktf/provider-aws/lib/guardduty-detector";
import { GuarddutyDetectorFeature } from "@cdktf/provider-aws/lib/guardduty-detector-feature";
import { SecurityhubAccount } from "@cdktf/provider-aws/lib/securityhub-account";
import { SecurityhubStandardsSubscription } from "@cdktf/provider-aws/lib/securityhub-standards-subscription";
import { Construct } from "constructs";
import type { ITerraformDependable } from "../../core/cdktf";
import { GUARDDUTY_FEATURES, securityHubStandards } from "../../model/aws/detection";
import { partitionOf } from "./iam-policy";

/** Properties of {@link ThreatDetection}. */
export interface ThreatDetectionProps {
  /** The region the detector and the hub are in. */
  readonly region: string;
  /** What the standards' controls evaluate: AWS Config recording (the standards wait for it). */
  readonly configRecording: ITerraformDependable;
}

/**
 * Intrusion detection for the region (PCI DSS 10.4.1, 11.5.1): a GuardDuty detector with every
 * feature the cardholder-data environment needs (model/aws/detection.ts), findings published every
 * 15 minutes; Security Hub with the PCI DSS v4.0.1 and AWS Foundational Security Best Practices
 * standards, consolidated control findings, and new controls enabled as AWS adds them.
 *
 * The account must not have a detector or a hub in the region yet (an organization's GuardDuty or
 * Security Hub administrator may auto-enable them in member accounts): see docs/limits.md.
 */
export class ThreatDetection extends Construct {
  readonly detector: GuarddutyDetector;
  readonly hub: SecurityhubAccount;
  /** The features, by name (the runtime agent waits for RUNTIME_MONITORING). */
  readonly features: Record<string, GuarddutyDetectorFeature> = {};

  constructor(scope: Construct, id: string, props: ThreatDetectionProps) {
    super(scope, id);
    this.detector = new GuarddutyDetector(this, "Detector", { enable: true, findingPublishingFrequency: "FIFTEEN_MINUTES" });
    for (const [name, additional] of Object.entries(GUARDDUTY_FEATURES)) {
      this.features[name] = new GuarddutyDetectorFeature(this, `Feature-${name}`, {
        detectorId: this.detector.id,
        name,
        status: "ENABLED",
        additionalConfiguration: Object.entries(additional).map(([n, status]) => ({ name: n, status })),
      });
    }
    this.hub = new SecurityhubAccount(this, "Hub", {
      // The standards are chosen below; the defaults would add CIS without a decision.
      enableDefaultStandards: false,
      controlFindingGenerator: "SECURITY_CONTROL",
      autoEnableControls: true,
    });
    for (const arn of securityHubStandards(props.region, partitionOf(props.region))) {
      const standard = arn.split("::standards/")[1].split("/")[0];
      // A subscription before the hub is enabled fails: after it.
      // Its controls run on AWS Config's records: subscribed once recording is on.
      new SecurityhubStandardsSubscription(this, `Standard-${standard}`, { standardsArn: arn, dependsOn: [this.hub, props.configRecording] });
    }
  }
}
