import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { CloudwatchLogMetricFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-metric-filter";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { Construct } from "constructs";
import type { AlertSubscriber } from "../../config/schema";
import { Lazy, type ITerraformDependable } from "../../core/cdktf";
import { ALERT_TOPIC_SUFFIX, FINDING_ROUTES, TRAIL_ALARMS, TRAIL_ALARM_EVALUATION } from "../../model/aws/alerts";
import { PolicyStatement, partitionOf, renderPolicy } from "./iam-policy";


/** Properties of {@link SecurityAlerts}. */
export interface SecurityAlertsProps {
  /** Resource name prefix (`<prefix>-<region>`): topic, alarms and rules are named `<name>-...`. */
  readonly name: string;
  readonly accountId: string;
  readonly region: string;
  /** The region's alerts key (its policy must admit the publishers: {@link alertTopicKeyStatements}). */
  readonly key: KmsKey;
  /** The audit trail's log group, whose events the alarms count. */
  readonly trailLogGroupName: string;
  /** Who is told: at least one. */
  readonly subscribers: readonly AlertSubscriber[];
  /** What must exist before the finding rules (GuardDuty and Security Hub emit no events before). */
  readonly findingSources: readonly ITerraformDependable[];
}

/** The ARN of the region's security topic, known before the topic exists (the key's policy names it). */
export function alertTopicArn(name: string, region: string, accountId: string): string {
  return `arn:${partitionOf(region)}:sns:${region}:${accountId}:${name}-${ALERT_TOPIC_SUFFIX}`;
}

/**
 * The alerts key's statements for the topic's publishers. SNS encrypts each message as the
 * publisher, so CloudWatch (alarms) and EventBridge (rules) need the data key; each is limited to
 * this topic by SNS's encryption context. No aws:SourceArn or aws:SourceAccount: SNS documents
 * that EventBridge's calls to KMS for an encrypted topic carry neither (delivery would fail
 * silently); the topic's own policy holds those conditions.
 */
export function alertTopicKeyStatements(name: string, region: string, accountId: string): PolicyStatement[] {
  const topic = { StringEquals: { "kms:EncryptionContext:aws:sns:topicArn": alertTopicArn(name, region, accountId) } };
  const publisher = (Sid: string, service: string): PolicyStatement => ({ Sid, Effect: "Allow", Principal: { Service: service }, Action: ["kms:GenerateDataKey*", "kms:Decrypt"], Resource: "*", Condition: topic });
  return [
    publisher("CloudWatchAlarmsPublishToTheTopic", "cloudwatch.amazonaws.com"),
    publisher("EventBridgeRulesPublishToTheTopic", "events.amazonaws.com"),
    // Amazon Managed Service for Prometheus's alert manager (the mesh's alerts, MeshMetrics).
    publisher("PrometheusAlertsPublishToTheTopic", "aps.amazonaws.com"),
  ];
}

/**
 * The region's security alerts (PCI DSS 10.4.1, 10.7.2, 12.10.5): one SNS topic under the alerts
 * key with the region file's subscribers; a metric filter and an alarm on the audit trail's log
 * group for each CIS control failure (model/aws/alerts.ts TRAIL_ALARMS); EventBridge rules sending
 * GuardDuty's and Security Hub's high and critical findings to it.
 *
 * Only this account's alarms and rules named `<name>-...` may publish (the topic's policy), and
 * only over TLS. An email subscription waits for its recipient to confirm it (docs/limits.md).
 */
export class SecurityAlerts extends Construct {
  readonly topic: SnsTopic;
  /** The alarms by TRAIL_ALARMS id. */
  readonly alarms: Record<string, CloudwatchMetricAlarm> = {};
  /** The finding rules by FINDING_ROUTES id. */
  readonly findingRules: Record<string, CloudwatchEventRule> = {};
  /** The topic's policy statements ({@link admitPublisher} adds to them). */
  private readonly statements: PolicyStatement[];
  private readonly arn: string;
  private readonly accountId: string;

  constructor(scope: Construct, id: string, props: SecurityAlertsProps) {
    super(scope, id);
    if (props.subscribers.length === 0) throw new Error(`SecurityAlerts ${props.name}: no subscriber; an alert nobody receives is no alert (PCI DSS 10.7.2).`);
    const partition = partitionOf(props.region);
    const arn = alertTopicArn(props.name, props.region, props.accountId);
    this.accountId = props.accountId;
    const sourceAccount = { "aws:SourceAccount": props.accountId };
    this.arn = arn;
    this.statements = [
      {
        Sid: "AlarmsOfThisRegion",
        Effect: "Allow",
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: "sns:Publish",
        Resource: arn,
        Condition: { StringEquals: sourceAccount, ArnLike: { "aws:SourceArn": `arn:${partition}:cloudwatch:${props.region}:${props.accountId}:alarm:${props.name}-*` } },
      },
      {
        Sid: "FindingRulesOfThisRegion",
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: "sns:Publish",
        Resource: arn,
        Condition: { StringEquals: sourceAccount, ArnLike: { "aws:SourceArn": `arn:${partition}:events:${props.region}:${props.accountId}:rule/${props.name}-*` } },
      },
      { Sid: "TlsOnly", Effect: "Deny", Principal: "*", Action: ["sns:Publish", "sns:Subscribe"], Resource: arn, Condition: { Bool: { "aws:SecureTransport": "false" } } },
    ];
    this.topic = new SnsTopic(this, "Topic", {
      name: `${props.name}-${ALERT_TOPIC_SUFFIX}`,
      displayName: `${props.name} security alerts`,
      kmsMasterKeyId: props.key.arn,
      policy: Lazy.stringValue({ produce: () => renderPolicy(this.statements) }),
    });
    props.subscribers.forEach((s, i) => {
      new SnsTopicSubscription(this, `Subscriber${i}`, { topicArn: this.topic.arn, protocol: s.protocol, endpoint: s.endpoint });
    });

    const namespace = `${props.name}/security`;
    for (const alarm of TRAIL_ALARMS) {
      const metricName = alarm.id;
      const filter = new CloudwatchLogMetricFilter(this, `Filter-${alarm.id}`, {
        name: `${props.name}-${alarm.id}`,
        logGroupName: props.trailLogGroupName,
        pattern: alarm.pattern,
        metricTransformation: { name: metricName, namespace, value: "1", defaultValue: "0" },
      });
      this.alarms[alarm.id] = new CloudwatchMetricAlarm(this, `Alarm-${alarm.id}`, {
        alarmName: `${props.name}-${alarm.id}`,
        alarmDescription: `${alarm.description} (${alarm.control}; PCI DSS ${alarm.pci.join(", ")})`,
        namespace,
        metricName,
        ...TRAIL_ALARM_EVALUATION,
        actionsEnabled: true,
        alarmActions: [this.topic.arn],
        dependsOn: [filter],
      });
    }

    for (const route of FINDING_ROUTES) {
      const rule = new CloudwatchEventRule(this, `Rule-${route.id}`, {
        name: `${props.name}-${route.id}`,
        description: route.description,
        eventPattern: JSON.stringify(route.pattern),
        state: "ENABLED",
        dependsOn: [...props.findingSources],
      });
      new CloudwatchEventTarget(this, `Target-${route.id}`, { rule: rule.name, targetId: "security-alerts", arn: this.topic.arn });
      this.findingRules[route.id] = rule;
    }
  }

  /**
   * Lets one more AWS service publish to the topic, for one resource of this account (its ARN as
   * aws:SourceArn): the alerts key admits the publishers alertTopicKeyStatements names.
   */
  admitPublisher(sid: string, service: string, sourceArn: string, actions: readonly string[] = ["sns:Publish"]): void {
    this.statements.splice(this.statements.length - 1, 0, {
      Sid: sid,
      Effect: "Allow",
      Principal: { Service: service },
      Action: [...actions],
      Resource: this.arn,
      Condition: { StringEquals: { "aws:SourceAccount": this.accountId }, ArnEquals: { "aws:SourceArn": sourceArn } },
    });
  }
}
