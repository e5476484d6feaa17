/**
 * Threat detection on AWS (PCI DSS 10.4.1, 11.5.1): which GuardDuty features a region turns on and
 * which Security Hub standards it subscribes to. The construct builds them from these lists and
 * the guardrail detection.threat-detection-on checks the synthesized JSON against the same lists.
 */

/** GuardDuty features, each ENABLED, with the additional configurations each needs. */
export const GUARDDUTY_FEATURES: Readonly<Record<string, Readonly<Record<string, "ENABLED" | "DISABLED">>>> = {
  // CloudTrail S3 data events of every bucket: exfiltration and unusual access to the archive.
  S3_DATA_EVENTS: {},
  // The EKS control plane's audit log: anonymous access, privileged pods, unusual API calls.
  EKS_AUDIT_LOGS: {},
  // Scans the volumes of an instance or container with a finding.
  EBS_MALWARE_PROTECTION: {},
  // Aurora login anomalies (brute force, logins from unusual places).
  RDS_LOGIN_EVENTS: {},
  // The nodes' and containers' runtime (processes, files, network). The stack installs the agent as
  // the EKS add-on (aws-guardduty-agent) and the guardduty-data endpoint it reports through, so
  // GuardDuty's own management stays off: it would create an endpoint with a security group of its
  // own, which the nodes' egress does not reach (the VPC has no internet path).
  // All three agent-management settings are declared: the API returns each of them, and the
  // provider would otherwise plan to replace the feature on every run.
  RUNTIME_MONITORING: { EKS_ADDON_MANAGEMENT: "DISABLED", ECS_FARGATE_AGENT_MANAGEMENT: "DISABLED", EC2_AGENT_MANAGEMENT: "DISABLED" },
};

/** Security Hub standards, by their ARN in a region: PCI DSS v4.0.1 and AWS Foundational Security Best Practices. */
export function securityHubStandards(region: string, partition = "aws"): string[] {
  return [`arn:${partition}:securityhub:${region}::standards/pci-dss/v/4.0.1`, `arn:${partition}:securityhub:${region}::standards/aws-foundational-security-best-practices/v/1.0.0`];
}

/** The EKS add-on that runs GuardDuty's runtime agent on every node. */
export const GUARDDUTY_AGENT_ADDON = "aws-guardduty-agent";

/** AWS's managed policy for a configuration recorder's own role: read-only describe of every supported resource. */
export const CONFIG_MANAGED_POLICY = "arn:aws:iam::aws:policy/service-role/AWS_ConfigRole";

/** The archive prefix under which the trail writes (CloudTrail adds `AWSLogs/<account>/...`). */
export const TRAIL_PREFIX = "cloudtrail";

/** The archive prefix under which AWS Config delivers (Config adds `AWSLogs/<account>/Config/...`). */
export const CONFIG_PREFIX = "config";

/** The archive prefix under which GuardDuty exports its findings (it adds `AWSLogs/<account>/GuardDuty/<region>/...`). */
export const GUARDDUTY_PREFIX = "guardduty";
