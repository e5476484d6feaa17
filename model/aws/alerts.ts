/**
 * Alerting on AWS (PCI DSS 10.4.1, 10.7.2, 12.10.5): what raises an alarm on a region's security
 * topic. The construct builds the metric filters, alarms and EventBridge rules from these lists,
 * and the guardrail detection.alerts-wired checks the synthesized JSON against the same lists.
 */

/** One control failure watched on the audit trail's log group: a metric filter and its alarm. */
export interface TrailAlarm {
  /** Metric, filter and alarm name suffix. */
  readonly id: string;
  /** The CloudWatch Logs filter pattern (the CIS AWS Foundations Benchmark's, as Security Hub checks it). */
  readonly pattern: string;
  /** What it means and why it matters, shown in the alarm. */
  readonly description: string;
  /** The Security Hub control that checks this filter and alarm exist (CIS AWS Foundations). */
  readonly control: string;
  /** The PCI DSS v4.0.1 requirements it serves. */
  readonly pci: readonly string[];
}

/** `($.eventName = A) || ($.eventName = B) ...` */
const anyEvent = (...names: string[]) => names.map((n) => `($.eventName = ${n})`).join(" || ");

/**
 * The CIS AWS Foundations Benchmark's log metric filters (Security Hub controls CloudWatch.1 to 14):
 * each counts the trail's events that mean a control was used or weakened.
 */
export const TRAIL_ALARMS: readonly TrailAlarm[] = [
  {
    id: "unauthorized-api-calls",
    pattern: '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }',
    description: "API calls refused for lack of permission: probing, or a broken deployment",
    control: "CloudWatch.2",
    pci: ["10.2.1.4", "10.4.1"],
  },
  {
    id: "console-sign-in-without-mfa",
    pattern: '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
    description: "A console sign-in without MFA",
    control: "CloudWatch.3",
    pci: ["8.4.2", "10.2.1.5"],
  },
  {
    id: "root-user-activity",
    pattern: '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
    description: "The account's root user did something (break-glass only)",
    control: "CloudWatch.1",
    pci: ["10.2.1.2", "7.2.5"],
  },
  {
    id: "iam-policy-changes",
    pattern: `{ ${anyEvent(
      "DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy", "PutGroupPolicy", "PutRolePolicy", "PutUserPolicy", "CreatePolicy", "DeletePolicy",
      "CreatePolicyVersion", "DeletePolicyVersion", "AttachRolePolicy", "DetachRolePolicy", "AttachUserPolicy", "DetachUserPolicy", "AttachGroupPolicy", "DetachGroupPolicy",
    )} }`,
    description: "An IAM policy was created, changed, attached or detached",
    control: "CloudWatch.4",
    pci: ["10.2.1.5", "7.2.1"],
  },
  {
    id: "cloudtrail-changes",
    pattern: `{ ${anyEvent("CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging")} }`,
    description: "A trail was created, changed, deleted, started or stopped",
    control: "CloudWatch.5",
    pci: ["10.2.1.6", "10.7.2"],
  },
  {
    id: "console-sign-in-failures",
    pattern: '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
    description: "A console sign-in failed (brute force shows as a burst)",
    control: "CloudWatch.6",
    pci: ["10.2.1.4", "8.3.4"],
  },
  {
    id: "kms-key-disabled-or-deleted",
    pattern: `{ ($.eventSource = kms.amazonaws.com) && (${anyEvent("DisableKey", "ScheduleKeyDeletion")}) }`,
    description: "A KMS key was disabled or scheduled for deletion: what it protects becomes unreadable",
    control: "CloudWatch.7",
    pci: ["3.6.1", "10.7.2"],
  },
  {
    id: "s3-bucket-policy-changes",
    pattern: `{ ($.eventSource = s3.amazonaws.com) && (${anyEvent(
      "PutBucketAcl", "PutBucketPolicy", "PutBucketCors", "PutBucketLifecycle", "PutBucketReplication", "DeleteBucketPolicy", "DeleteBucketCors", "DeleteBucketLifecycle", "DeleteBucketReplication",
    )}) }`,
    description: "A bucket's policy, ACL, CORS, lifecycle or replication changed",
    control: "CloudWatch.8",
    pci: ["10.2.1.6", "10.3.2"],
  },
  {
    id: "config-changes",
    pattern: `{ ($.eventSource = config.amazonaws.com) && (${anyEvent("StopConfigurationRecorder", "DeleteDeliveryChannel", "PutDeliveryChannel", "PutConfigurationRecorder")}) }`,
    description: "AWS Config's recorder or delivery channel was changed or stopped",
    control: "CloudWatch.9",
    pci: ["10.7.2", "11.5.2"],
  },
  {
    id: "security-group-changes",
    pattern: `{ ${anyEvent("AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress", "CreateSecurityGroup", "DeleteSecurityGroup")} }`,
    description: "A security group was created, changed or deleted",
    control: "CloudWatch.10",
    pci: ["1.2.2", "10.2.1.6"],
  },
  {
    id: "nacl-changes",
    pattern: `{ ${anyEvent("CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl", "DeleteNetworkAclEntry", "ReplaceNetworkAclEntry", "ReplaceNetworkAclAssociation")} }`,
    description: "A network ACL was created, changed or deleted",
    control: "CloudWatch.11",
    pci: ["1.2.2", "10.2.1.6"],
  },
  {
    id: "network-gateway-changes",
    pattern: `{ ${anyEvent("CreateCustomerGateway", "DeleteCustomerGateway", "AttachInternetGateway", "CreateInternetGateway", "DeleteInternetGateway", "DetachInternetGateway")} }`,
    description: "An internet or customer gateway was created, attached or deleted (the VPC has none by design)",
    control: "CloudWatch.12",
    pci: ["1.2.2", "1.4.1"],
  },
  {
    id: "route-table-changes",
    pattern: `{ ($.eventSource = ec2.amazonaws.com) && (${anyEvent(
      "CreateRoute", "CreateRouteTable", "ReplaceRoute", "ReplaceRouteTableAssociation", "DeleteRouteTable", "DeleteRoute", "DisassociateRouteTable",
    )}) }`,
    description: "A route or route table was created, changed or deleted",
    control: "CloudWatch.13",
    pci: ["1.2.2", "10.2.1.6"],
  },
  {
    id: "vpc-changes",
    pattern: `{ ${anyEvent(
      "CreateVpc", "DeleteVpc", "ModifyVpcAttribute", "AcceptVpcPeeringConnection", "CreateVpcPeeringConnection", "DeleteVpcPeeringConnection", "RejectVpcPeeringConnection",
      "AttachClassicLinkVpc", "DetachClassicLinkVpc", "DisableVpcClassicLink", "EnableVpcClassicLink",
    )} }`,
    description: "A VPC or a peering connection was created, changed or deleted",
    control: "CloudWatch.14",
    pci: ["1.2.2", "10.2.1.6"],
  },
];

/** How every trail alarm evaluates: one event in five minutes raises it; no events is not a breach. */
export const TRAIL_ALARM_EVALUATION = { period: 300, evaluationPeriods: 1, threshold: 1, statistic: "Sum", comparisonOperator: "GreaterThanOrEqualToThreshold", treatMissingData: "notBreaching" } as const;

/** One kind of finding sent to the topic by an EventBridge rule. */
export interface FindingRoute {
  /** Rule name suffix. */
  readonly id: string;
  readonly description: string;
  /** The EventBridge event pattern. */
  readonly pattern: Readonly<Record<string, unknown>>;
}

/** GuardDuty's lowest severity called High (7.0-8.9; Critical is 9.0 and up). */
export const GUARDDUTY_ALERT_SEVERITY = 7;

/** Security Hub's severity labels that page. */
export const SECURITY_HUB_ALERT_LABELS = ["HIGH", "CRITICAL"] as const;

/**
 * Findings that go to the topic. GuardDuty's reach Security Hub too: the Security Hub route leaves
 * them out, so a finding pages once.
 */
export const FINDING_ROUTES: readonly FindingRoute[] = [
  {
    id: "guardduty-high",
    description: "GuardDuty findings of severity High or Critical",
    pattern: { source: ["aws.guardduty"], "detail-type": ["GuardDuty Finding"], detail: { severity: [{ numeric: [">=", GUARDDUTY_ALERT_SEVERITY] }] } },
  },
  {
    id: "securityhub-high",
    description: "New, active Security Hub findings of severity High or Critical (GuardDuty's come through their own rule)",
    pattern: {
      source: ["aws.securityhub"],
      "detail-type": ["Security Hub Findings - Imported"],
      detail: {
        findings: {
          Severity: { Label: [...SECURITY_HUB_ALERT_LABELS] },
          Workflow: { Status: ["NEW"] },
          RecordState: ["ACTIVE"],
          ProductName: [{ "anything-but": ["GuardDuty"] }],
        },
      },
    },
  },
];

/** The topic's name suffix: `<prefix>-<region>-security-alerts`. */
export const ALERT_TOPIC_SUFFIX = "security-alerts";

/**
 * The key deletion guard (constructs/aws/key-deletion-guard.ts): the trail's event of a scheduled
 * key deletion, and the runbook that cancels it and does nothing else.
 */
export const KEY_DELETION_GUARD = {
  ruleSuffix: "key-deletion-guard",
  runbookSuffix: "cancel-key-deletion",
  /** ScheduleKeyDeletion on one of `keyArns`, as CloudTrail reports it to EventBridge. */
  pattern: (keyArns: readonly string[]) => ({
    source: ["aws.kms"],
    "detail-type": ["AWS API Call via CloudTrail"],
    detail: { eventSource: ["kms.amazonaws.com"], eventName: ["ScheduleKeyDeletion"], responseElements: { keyId: [...keyArns] } },
  }),
  runbook: {
    schemaVersion: "0.3",
    description: "Cancels the scheduled deletion of a key of the region (the key stays disabled until a custodian decides). Started by the key deletion guard's EventBridge rule.",
    assumeRole: "{{ AutomationAssumeRole }}",
    parameters: {
      KeyId: { type: "String", description: "The key's ARN" },
      AutomationAssumeRole: { type: "String", description: "The guard's automation role" },
    },
    mainSteps: [{ name: "CancelKeyDeletion", action: "aws:executeAwsApi", inputs: { Service: "kms", Api: "CancelKeyDeletion", KeyId: "{{ KeyId }}" } }],
  },
} as const;

/**
 * The partner gateway as the partners' load balancer sees it: its healthy targets are the nodes
 * that run a gateway pod (externalTrafficPolicy Local), one per replica. Fewer than all but one
 * for five minutes pages (a zone or two replicas lost; no data means no healthy target).
 */
export function partnerGatewayAlarm(replicas: number) {
  return {
    id: "partner-gateway-healthy-targets",
    namespace: "AWS/NetworkELB",
    metricName: "HealthyHostCount",
    statistic: "Minimum",
    period: 60,
    evaluationPeriods: 5,
    threshold: Math.max(1, replicas - 1),
    comparisonOperator: "LessThanThreshold",
    treatMissingData: "breaching",
  } as const;
}
