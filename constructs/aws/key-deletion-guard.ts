import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SsmDocument } from "@cdktf/provider-aws/lib/ssm-document";
import { Construct } from "constructs";
import { KEY_DELETION_GUARD } from "../../model/aws/alerts";
import { partitionOf, renderPolicy } from "./iam-policy";
import { SecurityAlerts } from "./security-alerts";

/** Properties of {@link KeyDeletionGuard}. */
export interface KeyDeletionGuardProps {
  /** Resource name prefix (`<prefix>-<region>`): the rule must be named `<name>-...` for the topic to admit it. */
  readonly name: string;
  readonly accountId: string;
  readonly region: string;
  /** The keys it guards: every key of the region. */
  readonly keys: readonly KmsKey[];
  /** Where the page goes. */
  readonly alerts: SecurityAlerts;
}

/**
 * An automated response (PCI DSS 3.6.1, 10.7.2, 12.10.5): when anyone schedules the deletion of a
 * key of the region, an EventBridge rule on the trail's event cancels it at once through an SSM
 * Automation runbook, and pages the security topic. Cancelling keeps the key, and everything
 * encrypted under it, readable; the key stays disabled until a custodian decides (the runbook
 * does nothing else: it deletes nothing, enables nothing, changes no policy). Retiring a key on
 * purpose is a reviewed change: remove it from this guard first (docs/deploy.md, runbooks).
 */
export class KeyDeletionGuard extends Construct {
  readonly rule: CloudwatchEventRule;
  readonly runbook: SsmDocument;

  constructor(scope: Construct, id: string, props: KeyDeletionGuardProps) {
    super(scope, id);
    const partition = partitionOf(props.region);
    const ruleName = `${props.name}-${KEY_DELETION_GUARD.ruleSuffix}`;
    const ruleArn = `arn:${partition}:events:${props.region}:${props.accountId}:rule/${ruleName}`;
    const documentName = `${props.name}-${KEY_DELETION_GUARD.runbookSuffix}`;

    this.runbook = new SsmDocument(this, "Runbook", {
      name: documentName,
      documentType: "Automation",
      documentFormat: "JSON",
      content: JSON.stringify(KEY_DELETION_GUARD.runbook),
    });

    const automationRole = new IamRole(this, "AutomationRole", {
      name: `${props.name}-key-deletion-guard`,
      description: "SSM Automation: cancels the scheduled deletion of the region's keys, nothing else",
      assumeRolePolicy: renderPolicy([
        {
          Sid: "SsmAutomationOfThisAccount",
          Effect: "Allow",
          Principal: { Service: "ssm.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: {
            StringEquals: { "aws:SourceAccount": props.accountId },
            ArnLike: { "aws:SourceArn": `arn:${partition}:ssm:${props.region}:${props.accountId}:automation-execution/*` },
          },
        },
      ]),
    });
    new IamRolePolicy(this, "AutomationPolicy", {
      role: automationRole.id,
      name: "cancel-key-deletion",
      policy: renderPolicy([{ Sid: "CancelKeyDeletionOnly", Effect: "Allow", Action: "kms:CancelKeyDeletion", Resource: props.keys.map((k) => k.arn) }]),
    });

    const eventsRole = new IamRole(this, "EventsRole", {
      name: `${props.name}-key-deletion-guard-events`,
      description: "EventBridge: starts the key deletion guard's runbook",
      assumeRolePolicy: renderPolicy([
        {
          Sid: "TheGuardsRuleOnly",
          Effect: "Allow",
          Principal: { Service: "events.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "aws:SourceAccount": props.accountId, "aws:SourceArn": ruleArn } },
        },
      ]),
    });
    const automationDefinition = `arn:${partition}:ssm:${props.region}:${props.accountId}:automation-definition/${documentName}:$DEFAULT`;
    new IamRolePolicy(this, "EventsPolicy", {
      role: eventsRole.id,
      name: "start-key-deletion-guard",
      policy: renderPolicy([
        { Sid: "StartTheRunbook", Effect: "Allow", Action: "ssm:StartAutomationExecution", Resource: automationDefinition },
        { Sid: "PassTheAutomationRole", Effect: "Allow", Action: "iam:PassRole", Resource: automationRole.arn, Condition: { StringEquals: { "iam:PassedToService": "ssm.amazonaws.com" } } },
      ]),
    });

    this.rule = new CloudwatchEventRule(this, "Rule", {
      name: ruleName,
      description: "A key of the region scheduled for deletion: cancel it, and page",
      eventPattern: JSON.stringify(KEY_DELETION_GUARD.pattern(props.keys.map((k) => k.arn))),
      state: "ENABLED",
    });
    new CloudwatchEventTarget(this, "Cancel", {
      rule: this.rule.name,
      targetId: "cancel-key-deletion",
      arn: automationDefinition,
      roleArn: eventsRole.arn,
      inputTransformer: {
        inputPaths: { keyId: "$.detail.responseElements.keyId" },
        // SSM Automation parameters are lists of strings.
        inputTemplate: `{"KeyId":[<keyId>],"AutomationAssumeRole":["${automationRole.arn}"]}`,
      },
      dependsOn: [this.runbook],
    });
    new CloudwatchEventTarget(this, "Page", { rule: this.rule.name, targetId: "security-alerts", arn: props.alerts.topic.arn });
  }
}
