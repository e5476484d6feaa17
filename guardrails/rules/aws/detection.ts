import { EAST_WEST_GATEWAY, crossRegionView } from "../../../model/mesh/cross-region";
import { PARTNER_GATEWAY } from "../../../model/mesh/edge";
import type { AwsRegionConfig } from "../../../config/schema";
import { Rule, stackRules } from "../../rule";
import { TfJson, asList, attributeOf, one, ref, refName, resourceNamed, resourcesOf, sameJson, waitsFor } from "../../../tfjson/terraform";
import { type Statement, conditionValue, keyPolicyAdmits, policyStatements, principalServices, statementsOf } from "../../../tfjson/iam-policy";
import { KEY_SERVICE_LINKED_ROLES } from "../../../model/aws/key-access";
import { auditArchiveBucket, bucketPolicyStatements, forBucket, isKeyArnRef, keyNameByAlias, keyPolicyStatements } from "../../../tfjson/aws";
import { CONFIG_PREFIX, GUARDDUTY_AGENT_ADDON, GUARDDUTY_FEATURES, GUARDDUTY_PREFIX, TRAIL_PREFIX, securityHubStandards } from "../../../model/aws/detection";
import { FINDING_ROUTES, KEY_DELETION_GUARD, TRAIL_ALARMS, TRAIL_ALARM_EVALUATION, partnerGatewayAlarm } from "../../../model/aws/alerts";
import { LOG_SHIPPER, containerLogGroupName } from "../../../model/aws/eks";
import { meshAlertRules, meshScrapeConfiguration } from "../../../model/mesh/alerts";

/** The audit archive, where it has Object Lock (without it, it is no archive: audit.object-lock-compliance says so). */
function auditBucket(json: TfJson): [string, TfJson] | undefined {
  const archive = auditArchiveBucket(json);
  return archive?.[1].object_lock_enabled === true ? archive : undefined;
}

/** A field selector's values for one operator, by field name. */
function field(selector: TfJson, name: string, operator: string): string[] {
  return asList<TfJson>(selector.field_selector)
    .filter((f) => f.field === name)
    .flatMap((f) => asList<string>(f[operator]));
}

/** The trail's ARN, as the region's policies must name it. */
function trailArnOf(region: AwsRegionConfig, trail: TfJson): string {
  return `arn:aws:cloudtrail:${region.cloudRegion}:${region.accountId}:trail/${trail.name}`;
}

const CLOUDTRAIL = "cloudtrail.amazonaws.com";

/** The name of the log group the trail delivers to, where it names one of this stack's as CloudTrail requires (`<arn>:*`). */
function trailLogGroupName(trail: TfJson): string | undefined {
  return /^\$\{aws_cloudwatch_log_group\.([^.]+)\.arn\}:\*$/.exec(String(trail.cloud_watch_logs_group_arn))?.[1];
}

/** The security topic: the SNS topic under the alerts key. */
function alertTopic(json: TfJson): [string, TfJson] | undefined {
  const key = keyNameByAlias(json, "alerts");
  return resourcesOf(json, "aws_sns_topic").find(([, t]) => isKeyArnRef(t.kms_master_key_id, key));
}

/** A JSON document's value, or {} where it is not JSON. */
function parsedOrEmpty(text: unknown): TfJson {
  try {
    return JSON.parse(String(text)) as TfJson;
  } catch {
    return {};
  }
}

/** What the log shipper's identity may do: write events to its groups, read the nodes' tags. */
const LOG_SHIPPER_ACTIONS = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams", "ec2:DescribeTags", "ec2:DescribeVolumes"];

/** `TRAIL_ALARM_EVALUATION`'s fields as the synthesized alarm names them. */
const EVALUATION_FIELDS: Readonly<Record<keyof typeof TRAIL_ALARM_EVALUATION, string>> = {
  period: "period",
  evaluationPeriods: "evaluation_periods",
  threshold: "threshold",
  statistic: "statistic",
  comparisonOperator: "comparison_operator",
  treatMissingData: "treat_missing_data",
};

export const DETECTION_RULES: readonly Rule[] = stackRules<AwsRegionConfig>({ layers: ["aws"] }, [
  {
    id: "detection.partner-gateway-watched",
    requirement: "10.7.2, 12.10.5",
    fix: "Keep the stack's PartnerGatewayHealth alarm (model/aws/alerts.ts partnerGatewayAlarm): the partner target group's HealthyHostCount on its load balancer, Minimum per minute, below the replicas but one for five minutes, missing data breaching, notifying the security topic.",
    description:
      "where the region has partners, an alarm on the partner target group's healthy targets (the nodes with a gateway pod) pages through the security topic when fewer than all replicas but one stay healthy for five minutes, and when the metric stops (no data is no healthy target)",
    check: ({ json, region, peers }) => {
      // Each gateway's targets: the partners' (where the region has partners) and the east-west gateway's (where calls come in).
      const gateways = [
        ...(region.edge ? [{ port: PARTNER_GATEWAY.nodePorts.https, replicas: region.edge.replicas }] : []),
        ...(crossRegionView(region, peers).incoming.length > 0 ? [{ port: EAST_WEST_GATEWAY.nodePorts.tls, replicas: EAST_WEST_GATEWAY.replicas }] : []),
      ];
      return gateways.flatMap((g) => gatewayAlarmProblems(json, g.port, g.replicas));
    },
  },
  {
    id: "detection.trail-complete",
    requirement: "10.2.1, 10.2.2, 10.3.2, 10.3.4, 10.5.1",
    fix: "Keep AuditTrail (constructs/aws/audit-trail.ts): one trail, logging, of every region with global service events, log file validation on, under the audit key, into the audit archive, every event also in a log group under the logs key kept retention.logDays, with management events (read and write) and S3 data events on the archive.",
    description:
      "one account trail: logging, multi-region with global service events, log file validation, encrypted with the audit key, delivered to the Object Lock archive under its own prefix (cloudtrail/) and to a log group under the logs key kept retention.logDays, recording every management event and the archive's S3 data events",
    check: ({ json, region }) => {
      const trails = resourcesOf(json, "aws_cloudtrail");
      if (trails.length !== 1) return [`aws_cloudtrail: ${trails.length} trails, expected the region's one`];
      const [n, t] = trails[0];
      const a = `aws_cloudtrail.${n}`;
      const v: string[] = [];
      if (t.enable_logging !== true) v.push(`${a}: enable_logging is not true`);
      if (t.is_multi_region_trail !== true) v.push(`${a}: is_multi_region_trail is not true (activity in the account's other regions would go unrecorded)`);
      if (t.include_global_service_events !== true) v.push(`${a}: include_global_service_events is not true (IAM and STS events would go unrecorded)`);
      if (t.enable_log_file_validation !== true) v.push(`${a}: enable_log_file_validation is not true (no digests to prove the files unchanged)`);
      if (!isKeyArnRef(t.kms_key_id, keyNameByAlias(json, "audit"))) v.push(`${a}: kms_key_id ${t.kms_key_id} is not the audit key`);
      const audit = auditBucket(json);
      if (!audit || t.s3_bucket_name !== ref("aws_s3_bucket", audit[0], "id")) v.push(`${a}: s3_bucket_name ${t.s3_bucket_name} is not the audit archive`);
      if (t.s3_key_prefix !== TRAIL_PREFIX) v.push(`${a}: s3_key_prefix ${t.s3_key_prefix} is not the trail's own prefix ${TRAIL_PREFIX} (its files would mix with another writer's, or with nothing to exclude from its data events)`);
      const group = resourceNamed(json, "aws_cloudwatch_log_group", trailLogGroupName(t));
      if (!group) v.push(`${a}: cloud_watch_logs_group_arn ${t.cloud_watch_logs_group_arn} is not a log group of this stack`);
      else {
        if (!isKeyArnRef(group.kms_key_id, keyNameByAlias(json, "logs"))) v.push(`${a}: its log group is not encrypted with the logs key`);
        if (group.retention_in_days !== region.retention.logDays) v.push(`${a}: its log group keeps events ${group.retention_in_days} days, not retention.logDays (${region.retention.logDays})`);
      }
      if (!t.cloud_watch_logs_role_arn) v.push(`${a}: no cloud_watch_logs_role_arn (events cannot reach the log group)`);
      const selectors = asList<TfJson>(t.advanced_event_selector);
      if (t.event_selector !== undefined) v.push(`${a}: basic event_selector set (only the advanced selectors are reviewed)`);
      const management = selectors.some((s) => field(s, "eventCategory", "equals").includes("Management") && asList<TfJson>(s.field_selector).length === 1);
      if (!management) v.push(`${a}: no selector records every management event (read and write, from every source)`);
      const archiveArn = audit ? `arn:aws:s3:::${audit[1].bucket}/` : undefined;
      // Every read and write of the archive's objects: no other field narrows the selector, and the
      // only objects left out are the trail's own deliveries (recording them would log in a loop).
      const ownDeliveries = `${archiveArn}${TRAIL_PREFIX}/`;
      const data = selectors.some((s) => {
        const fields = asList<TfJson>(s.field_selector);
        const arnField = fields.find((f) => f.field === "resources.ARN") ?? {};
        const operators = Object.keys(arnField).filter((k) => k !== "field");
        return (
          fields.every((f) => ["eventCategory", "resources.type", "resources.ARN"].includes(f.field)) &&
          sameJson(field(s, "eventCategory", "equals"), ["Data"]) &&
          sameJson(field(s, "resources.type", "equals"), ["AWS::S3::Object"]) &&
          sameJson(asList(arnField.starts_with), [archiveArn]) &&
          operators.every((k) => k === "starts_with" || k === "not_starts_with") &&
          sameJson(asList(arnField.not_starts_with), [ownDeliveries])
        );
      });
      if (!data) v.push(`${a}: no selector records the audit archive's S3 data events (reads and writes of the records)`);
      return v;
    },
  },
  {
    id: "detection.trail-delivery-admitted",
    requirement: "10.2.1, 10.3.2",
    fix: "Let AuditTrail extend the archive's bucket policy and the audit key's policy (cloudTrailKeyStatements), each naming this trail by aws:SourceArn, and keep the trail depending on the bucket policy: CloudTrail refuses to create a trail whose bucket or key does not admit it.",
    description:
      "what CloudTrail checks when the trail is created: the archive's policy lets this trail (aws:SourceArn) read the bucket ACL and write under its prefix with bucket-owner-full-control, and the trail is created after that policy; the trail's log group role is trusted by CloudTrail without conditions (AWS documents that it supports none); the audit key lets this trail generate data keys, only under its encryption context, describe the key, and decrypt (the archive uses an S3 Bucket Key)",
    check: ({ json, region }) => {
      const trail = resourcesOf(json, "aws_cloudtrail")[0];
      const audit = auditBucket(json);
      if (!trail || !audit) return [];
      const [n, t] = trail;
      const arn = trailArnOf(region, t);
      const v: string[] = [];
      const policy = forBucket(json, "aws_s3_bucket_policy", audit[0]);
      const bucketStatements = bucketPolicyStatements(json, audit[0]);
      const forTrail = (s: Statement) => s.Effect === "Allow" && principalServices(s.Principal).includes(CLOUDTRAIL) && asList(conditionValue(s, "StringEquals", "aws:SourceArn")).includes(arn);
      const bucketArn = ref("aws_s3_bucket", audit[0], "arn");
      const bucket = `aws_s3_bucket.${audit[0]}`;
      if (!bucketStatements.some((s) => forTrail(s) && asList(s.Action).includes("s3:GetBucketAcl") && asList(s.Resource).includes(bucketArn))) {
        v.push(`${bucket}: its policy does not let the trail read the archive's ACL`);
      }
      const objects = `${bucketArn}/${t.s3_key_prefix}/AWSLogs/${region.accountId}/*`;
      const write = bucketStatements.find((s) => forTrail(s) && asList(s.Action).includes("s3:PutObject") && asList(s.Resource).includes(objects));
      if (!write) v.push(`${bucket}: its policy does not let the trail write ${objects}`);
      else if (conditionValue(write, "StringEquals", "s3:x-amz-acl") !== "bucket-owner-full-control") v.push(`${bucket}: its policy does not limit the trail's writes to bucket-owner-full-control`);
      if (!policy || !waitsFor(t).has(`aws_s3_bucket_policy.${policy[0]}`)) v.push(`aws_cloudtrail.${n}: not created after the archive's bucket policy (CloudTrail checks it at creation)`);
      // CloudTrail assumes its CloudWatch Logs role without confused-deputy context: a condition on it fails the trail's creation.
      const roleName = refName(t.cloud_watch_logs_role_arn, "aws_iam_role", "arn");
      const trust = policyStatements(attributeOf(json, "aws_iam_role", roleName, "assume_role_policy"));
      if (roleName && !trust.some((x) => x.Effect === "Allow" && principalServices(x.Principal).includes(CLOUDTRAIL) && x.Condition === undefined)) {
        v.push(`aws_iam_role.${roleName}: CloudTrail may not assume it unconditionally (its trust for the log group role supports no aws:SourceArn or aws:SourceAccount)`);
      }
      const keyName = keyNameByAlias(json, "audit");
      const keyStatements = keyPolicyStatements(json, "audit").filter(forTrail);
      const allows = (action: string) => keyStatements.filter((s) => asList(s.Action).includes(action));
      const context = `arn:aws:cloudtrail:*:${region.accountId}:trail/*`;
      // Every statement that lets the trail generate data keys holds it to its encryption context.
      const generates = allows("kms:GenerateDataKey*");
      if (generates.length === 0 || !generates.every((s) => conditionValue(s, "StringLike", "kms:EncryptionContext:aws:cloudtrail:arn") === context)) {
        v.push(`aws_kms_key.${keyName}: does not let the trail generate data keys, or not only under its encryption context (${context})`);
      }
      if (allows("kms:DescribeKey").length === 0) v.push(`aws_kms_key.${keyName}: does not let the trail describe the key`);
      if (allows("kms:Decrypt").length === 0) v.push(`aws_kms_key.${keyName}: does not let the trail decrypt (needed to create a trail into a bucket with an S3 Bucket Key)`);
      return v;
    },
  },
  {
    id: "detection.threat-detection-on",
    requirement: "10.4.1, 11.5.1",
    fix: "Keep ThreatDetection (constructs/aws/threat-detection.ts): one GuardDuty detector, enabled, with every feature of model/aws/detection.ts ENABLED (runtime monitoring with the stack's own agent add-on, GuardDuty's management off), and Security Hub with the PCI DSS v4.0.1 and Foundational Best Practices standards, each subscribed after the hub and after AWS Config records.",
    description:
      "a GuardDuty detector, enabled, with S3 data events, EKS audit logs, malware protection (the nodes' volume key admitting its service-linked role), RDS login events and runtime monitoring on, its agent installed as the EKS add-on on every cluster (and reporting through the guardduty-data endpoint, network.interface-endpoints); Security Hub enabled with the PCI DSS v4.0.1 and AWS Foundational Security Best Practices standards of this region, each subscribed after the hub and after AWS Config records (the controls evaluate Config's records)",
    check: ({ json, region }) => {
      const v: string[] = [];
      const detectors = resourcesOf(json, "aws_guardduty_detector");
      if (detectors.length !== 1) return [`aws_guardduty_detector: ${detectors.length} detectors, expected one`];
      const [dn, d] = detectors[0];
      if (d.enable !== true) v.push(`aws_guardduty_detector.${dn}: enable is not true`);
      // Adopted where the account has them (the region file says so), created where it has not.
      const imports = asList<TfJson>(json.import);
      const adopts = (to: string, id: string | undefined) => {
        const found = imports.filter((i) => i.to === to);
        if (id !== undefined && !found.some((i) => i.id === id)) v.push(`${to}: the region file says the account has one (existingDetection), but no import block adopts ${id} (the create would fail: one per account and region)`);
        if (id === undefined && found.length > 0) v.push(`${to}: imported, though the region file names none existing (existingDetection)`);
      };
      adopts(`aws_guardduty_detector.${dn}`, region.existingDetection.guardDutyDetectorId);
      const features = resourcesOf(json, "aws_guardduty_detector_feature").filter(([, f]) => f.detector_id === ref("aws_guardduty_detector", dn, "id"));
      for (const name of new Set(features.map(([, f]) => String(f.name)))) {
        if (features.filter(([, f]) => f.name === name).length > 1) v.push(`aws_guardduty_detector.${dn}: feature ${name} is set by more than one resource`);
        if (!(name in GUARDDUTY_FEATURES)) v.push(`aws_guardduty_detector.${dn}: feature ${name} is not one of the reviewed features (EKS_RUNTIME_MONITORING conflicts with RUNTIME_MONITORING)`);
      }
      for (const [name, additional] of Object.entries(GUARDDUTY_FEATURES)) {
        const f = features.find(([, x]) => x.name === name);
        if (!f || f[1].status !== "ENABLED") {
          v.push(`aws_guardduty_detector.${dn}: feature ${name} is not ENABLED`);
          continue;
        }
        for (const [extra, status] of Object.entries(additional)) {
          const got = asList<TfJson>(f[1].additional_configuration).find((c) => c.name === extra)?.status;
          if (got !== status) v.push(`aws_guardduty_detector_feature.${f[0]}: ${extra} is ${got}, expected ${status}`);
        }
      }
      // Runtime monitoring sees only nodes that run the agent, which reports once the feature is on and the VPC has its endpoint.
      const runtime = features.find(([, f]) => f.name === "RUNTIME_MONITORING");
      const endpoint = resourcesOf(json, "aws_vpc_endpoint").find(([, e]) => String(e.service_name).endsWith(".guardduty-data"));
      for (const [cn] of resourcesOf(json, "aws_eks_cluster")) {
        const agent = resourcesOf(json, "aws_eks_addon").find(([, a]) => a.addon_name === GUARDDUTY_AGENT_ADDON && a.cluster_name === ref("aws_eks_cluster", cn, "name"));
        if (!agent) v.push(`aws_eks_cluster.${cn}: no ${GUARDDUTY_AGENT_ADDON} add-on (runtime monitoring would see none of its nodes)`);
        else if (!runtime || !endpoint || !waitsFor(agent[1]).has(`aws_guardduty_detector_feature.${runtime[0]}`) || !waitsFor(agent[1]).has(`aws_vpc_endpoint.${endpoint[0]}`)) {
          v.push(`aws_eks_addon.${agent[0]}: not created after RUNTIME_MONITORING and the guardduty-data endpoint (the add-on would stay degraded until both exist)`);
        }
      }
      // Malware scans of the nodes' volumes: GuardDuty's service-linked role must be able to use their key.
      const ebsKey = keyNameByAlias(json, "ebs");
      const ebsPolicy = keyPolicyStatements(json, "ebs");
      const scanner = `arn:aws:iam::${region.accountId}:role/aws-service-role/${KEY_SERVICE_LINKED_ROLES.guardDutyMalwareProtection!.service}/${KEY_SERVICE_LINKED_ROLES.guardDutyMalwareProtection!.role}`;
      const root = `arn:aws:iam::${region.accountId}:root`;
      const scans =
        keyPolicyAdmits(ebsPolicy, root, scanner, "kms:CreateGrant") &&
        keyPolicyAdmits(ebsPolicy, root, scanner, "kms:DescribeKey") &&
        keyPolicyAdmits(ebsPolicy, root, scanner, "kms:ReEncryptFrom", `ec2.${region.cloudRegion}.amazonaws.com`) &&
        keyPolicyAdmits(ebsPolicy, root, scanner, "kms:ReEncryptTo", `ec2.${region.cloudRegion}.amazonaws.com`);
      if (ebsKey && !scans) v.push(`aws_kms_key.${ebsKey}: does not let GuardDuty's malware protection role grant, describe and re-encrypt through EC2 (every scan of a node would skip its volumes)`);
      const hubs = resourcesOf(json, "aws_securityhub_account");
      if (hubs.length !== 1) return [...v, `aws_securityhub_account: ${hubs.length} hubs, expected one`];
      const hub = `aws_securityhub_account.${hubs[0][0]}`;
      adopts(hub, region.existingDetection.securityHub ? region.accountId : undefined);
      const subscriptions = resourcesOf(json, "aws_securityhub_standards_subscription");
      const recording = resourcesOf(json, "aws_config_configuration_recorder_status").map(([cn]) => `aws_config_configuration_recorder_status.${cn}`);
      for (const arn of securityHubStandards(region.cloudRegion)) {
        const sub = subscriptions.find(([, x]) => x.standards_arn === arn);
        if (!sub) v.push(`aws_securityhub_standards_subscription: none for ${arn}`);
        else if (!waitsFor(sub[1]).has(hub)) v.push(`aws_securityhub_standards_subscription.${sub[0]}: not created after ${hub} (a subscription before the hub is enabled fails)`);
        else if (!recording.some((r) => waitsFor(sub[1]).has(r))) {
          v.push(`aws_securityhub_standards_subscription.${sub[0]}: not created after AWS Config records (its controls evaluate Config's records)`);
        }
      }
      return v;
    },
  },
  {
    id: "detection.config-recording",
    requirement: "1.2.7, 2.2, 10.2.1, 11.5",
    fix: "Keep ConfigRecording (constructs/aws/config-recording.ts): one recorder of every supported resource type with IAM's global types, continuously; its delivery channel into the audit archive under config/ with the audit key, daily snapshots; the recorder enabled after the channel, the channel after the recorder.",
    description:
      "AWS Config records every supported resource type, IAM's global types included, continuously, and delivers the history and daily snapshots to the Object Lock archive under the audit key; created in the order Config requires (recorder, delivery channel, then recording on)",
    check: ({ json }) => {
      const recorders = resourcesOf(json, "aws_config_configuration_recorder");
      if (recorders.length !== 1) return [`aws_config_configuration_recorder: ${recorders.length} recorders, expected one`];
      const [rn, r] = recorders[0];
      const a = `aws_config_configuration_recorder.${rn}`;
      const v: string[] = [];
      const group = asList<TfJson>(r.recording_group)[0] ?? {};
      if (group.all_supported !== true) v.push(`${a}: recording_group.all_supported is not true`);
      if (group.include_global_resource_types !== true) v.push(`${a}: recording_group.include_global_resource_types is not true (IAM would go unrecorded)`);
      if (asList<TfJson>(group.exclusion_by_resource_types).length > 0) v.push(`${a}: resource types are excluded from recording`);
      const mode = asList<TfJson>(r.recording_mode)[0] ?? {};
      if (mode.recording_frequency !== "CONTINUOUS" || asList(mode.recording_mode_override).length > 0) v.push(`${a}: recording is not continuous for every type`);
      const channels = resourcesOf(json, "aws_config_delivery_channel");
      const audit = auditBucket(json);
      if (channels.length !== 1) v.push(`aws_config_delivery_channel: ${channels.length} channels, expected one`);
      else {
        const [cn, c] = channels[0];
        if (!audit || c.s3_bucket_name !== ref("aws_s3_bucket", audit[0], "id") || c.s3_key_prefix !== CONFIG_PREFIX) v.push(`aws_config_delivery_channel.${cn}: does not deliver to the audit archive under ${CONFIG_PREFIX}/`);
        if (!isKeyArnRef(c.s3_kms_key_arn, keyNameByAlias(json, "audit"))) v.push(`aws_config_delivery_channel.${cn}: s3_kms_key_arn ${c.s3_kms_key_arn} is not the audit key`);
        if (!waitsFor(c).has(a)) v.push(`aws_config_delivery_channel.${cn}: not created after ${a} (Config refuses a channel without a recorder)`);
        const statuses = resourcesOf(json, "aws_config_configuration_recorder_status");
        const status = statuses.find(([, x]) => x.name === ref("aws_config_configuration_recorder", rn, "name"));
        if (!status || status[1].is_enabled !== true) v.push(`${a}: recording is not turned on (no aws_config_configuration_recorder_status enabled)`);
        else if (!waitsFor(status[1]).has(`aws_config_delivery_channel.${cn}`)) v.push(`aws_config_configuration_recorder_status.${status[0]}: not created after the delivery channel (recording cannot start without one)`);
      }
      return v;
    },
  },
  {
    id: "detection.alerts-wired",
    requirement: "10.4.1, 10.7.2, 12.10.5",
    fix: "Keep SecurityAlerts (constructs/aws/security-alerts.ts): the topic under the alerts key with every subscriber of alerts.subscribers; for each control of model/aws/alerts.ts TRAIL_ALARMS a metric filter with its pattern on the trail's log group and an alarm on that metric, evaluated as TRAIL_ALARM_EVALUATION, notifying the topic; for each of FINDING_ROUTES an enabled EventBridge rule with its pattern targeting the topic.",
    description:
      "the security topic (under the alerts key) has a subscription for every subscriber of the region file; every CIS control failure of model/aws/alerts.ts has a metric filter with its pattern on the trail's log group and an enabled alarm that fires on one event in five minutes and notifies the topic; GuardDuty findings of severity 7 and up and Security Hub's new HIGH and CRITICAL findings reach the topic through enabled EventBridge rules",
    check: ({ json, region }) => {
      const topic = alertTopic(json);
      if (!topic) return ["aws_sns_topic: no topic under the alerts key (nothing would carry the alerts)"];
      const topicArn = ref("aws_sns_topic", topic[0], "arn");
      const v: string[] = [];
      const subscriptions = resourcesOf(json, "aws_sns_topic_subscription").filter(([, x]) => x.topic_arn === topicArn);
      for (const s of region.alerts.subscribers) {
        if (!subscriptions.some(([, x]) => x.protocol === s.protocol && x.endpoint === s.endpoint)) v.push(`aws_sns_topic.${topic[0]}: ${s.protocol} subscriber ${s.endpoint} of alerts.subscribers is not subscribed`);
      }
      const trail = resourcesOf(json, "aws_cloudtrail")[0];
      const group = trail ? trailLogGroupName(trail[1]) : undefined;
      const filters = resourcesOf(json, "aws_cloudwatch_log_metric_filter").filter(([, f]) => f.log_group_name === ref("aws_cloudwatch_log_group", String(group), "name"));
      const alarms = resourcesOf(json, "aws_cloudwatch_metric_alarm");
      for (const a of TRAIL_ALARMS) {
        const filter = filters.find(([, f]) => f.pattern === a.pattern);
        if (!filter) {
          v.push(`aws_cloudwatch_log_metric_filter (${a.control} ${a.id}): none with its pattern on the trail's log group`);
          continue;
        }
        const metric = one(filter[1].metric_transformation);
        const alarm = alarms.find(([, x]) => x.namespace === metric.namespace && x.metric_name === metric.name);
        if (!alarm) {
          v.push(`aws_cloudwatch_log_metric_filter.${filter[0]}: no alarm on its metric ${metric.namespace}/${metric.name}`);
          continue;
        }
        const [an, x] = alarm;
        if (String(metric.value) !== "1") v.push(`aws_cloudwatch_log_metric_filter.${filter[0]}: counts ${metric.value} per event, not 1`);
        for (const [k, field] of Object.entries(EVALUATION_FIELDS)) {
          const want = TRAIL_ALARM_EVALUATION[k as keyof typeof TRAIL_ALARM_EVALUATION];
          if (x[field] !== want) v.push(`aws_cloudwatch_metric_alarm.${an}: ${field} is ${x[field]}, expected ${want} (one event in five minutes raises it)`);
        }
        if (x.actions_enabled === false) v.push(`aws_cloudwatch_metric_alarm.${an}: actions_enabled is false (it would notify no one)`);
        if (!asList(x.alarm_actions).includes(topicArn)) v.push(`aws_cloudwatch_metric_alarm.${an}: does not notify the security topic`);
      }
      const targets = resourcesOf(json, "aws_cloudwatch_event_target");
      for (const route of FINDING_ROUTES) {
        const rule = resourcesOf(json, "aws_cloudwatch_event_rule").find(([, r]) => sameJson(parsedOrEmpty(r.event_pattern), route.pattern));
        if (!rule) {
          v.push(`aws_cloudwatch_event_rule (${route.id}): none with its pattern: ${route.description}`);
          continue;
        }
        if (rule[1].state !== undefined && rule[1].state !== "ENABLED") v.push(`aws_cloudwatch_event_rule.${rule[0]}: state is ${rule[1].state}`);
        if (!targets.some(([, t]) => t.rule === ref("aws_cloudwatch_event_rule", rule[0], "name") && t.arn === topicArn)) v.push(`aws_cloudwatch_event_rule.${rule[0]}: does not target the security topic`);
      }
      return v;
    },
  },
  {
    id: "detection.alerts-delivery-admitted",
    requirement: "10.7.2, 12.10.5",
    fix: "Let SecurityAlerts write the topic's policy (CloudWatch and EventBridge may publish for this account's alarms and rules named <prefix>-<region>-*, by aws:SourceAccount and aws:SourceArn; publishing and subscribing over TLS only) and admit both services to the alerts key (alertTopicKeyStatements, by the topic's encryption context).",
    description:
      "what delivery needs and a plan does not show: the topic's policy lets CloudWatch and EventBridge publish for this account's alarms and rules only (aws:SourceAccount, aws:SourceArn) and refuses publishing or subscribing without TLS; the alerts key lets both services generate data keys and decrypt for this topic only (SNS's encryption context), without which every alert is dropped silently",
    check: ({ json, region }) => {
      const topic = alertTopic(json);
      if (!topic) return [];
      const [tn, t] = topic;
      const v: string[] = [];
      const arn = `arn:aws:sns:${region.cloudRegion}:${region.accountId}:${t.name}`;
      const statements = policyStatements(t.policy);
      const publishers = { "cloudwatch.amazonaws.com": `arn:aws:cloudwatch:${region.cloudRegion}:${region.accountId}:alarm:`, "events.amazonaws.com": `arn:aws:events:${region.cloudRegion}:${region.accountId}:rule/` };
      for (const [service, prefix] of Object.entries(publishers)) {
        const admitted = statements.some(
          (s) =>
            s.Effect === "Allow" &&
            principalServices(s.Principal).includes(service) &&
            asList(s.Action).includes("sns:Publish") &&
            conditionValue(s, "StringEquals", "aws:SourceAccount") === region.accountId &&
            asList(conditionValue(s, "ArnLike", "aws:SourceArn")).length > 0 &&
            asList(conditionValue(s, "ArnLike", "aws:SourceArn")).every((x) => x.startsWith(prefix) && x.length > prefix.length + 1),
        );
        if (!admitted) v.push(`aws_sns_topic.${tn}: its policy does not let ${service} publish for this account's own ${service.startsWith("events") ? "rules" : "alarms"} (aws:SourceAccount and a named aws:SourceArn)`);
      }
      const tlsOnly = statements.some(
        (s) => s.Effect === "Deny" && asList(s.Action).includes("sns:Publish") && asList(s.Action).includes("sns:Subscribe") && conditionValue(s, "Bool", "aws:SecureTransport") === "false",
      );
      if (!tlsOnly) v.push(`aws_sns_topic.${tn}: its policy does not refuse publishing and subscribing without TLS`);
      const keyName = keyNameByAlias(json, "alerts");
      const keyStatements = keyPolicyStatements(json, "alerts");
      for (const service of Object.keys(publishers)) {
        const admitted = keyStatements.some(
          (s) =>
            s.Effect === "Allow" &&
            principalServices(s.Principal).includes(service) &&
            ["kms:GenerateDataKey*", "kms:Decrypt"].every((a) => asList(s.Action).includes(a)) &&
            conditionValue(s, "StringEquals", "kms:EncryptionContext:aws:sns:topicArn") === arn,
        );
        if (!admitted) v.push(`aws_kms_key.${keyName}: does not let ${service} generate data keys and decrypt for the topic ${arn} (its alerts would be dropped)`);
      }
      return v;
    },
  },
  {
    id: "detection.container-logs-shipped",
    requirement: "10.2.1, 10.3.3, 10.5.1",
    fix: "Keep EksCluster's log shipper: the amazon-cloudwatch-observability add-on with containerLogs enabled, created after its log groups (/aws/containerinsights/<cluster>/application, dataplane, host, performance: under the logs key, kept retention.logDays) and after the Pod Identity association of amazon-cloudwatch/cloudwatch-agent, whose role may only create streams in and write to those groups and read the nodes' tags.",
    description:
      "every container's output (the sidecars' access logs among it) leaves the nodes: each EKS cluster runs the CloudWatch observability add-on with container logs on, into log groups the stack created first under the logs key and kept retention.logDays, with its Pod Identity in place before it starts; its role may write events to those groups only, and may not create a group (it would have no key and no retention), change a retention or delete",
    check: ({ json, region }) => {
      const v: string[] = [];
      const logsKey = keyNameByAlias(json, "logs");
      for (const [cn, c] of resourcesOf(json, "aws_eks_cluster")) {
        const addon = resourcesOf(json, "aws_eks_addon").find(([, a]) => a.addon_name === LOG_SHIPPER.addon && a.cluster_name === ref("aws_eks_cluster", cn, "name"));
        if (!addon) {
          v.push(`aws_eks_cluster.${cn}: no ${LOG_SHIPPER.addon} add-on (container logs would stay on the nodes)`);
          continue;
        }
        const [an, a] = addon;
        const configuration = parsedOrEmpty(a.configuration_values);
        if (configuration.containerLogs?.enabled !== true) v.push(`aws_eks_addon.${an}: containerLogs.enabled is not true`);
        for (const kind of LOG_SHIPPER.groups) {
          const name = containerLogGroupName(String(c.name), kind);
          const group = resourcesOf(json, "aws_cloudwatch_log_group").find(([, g]) => g.name === name);
          if (!group) v.push(`aws_eks_addon.${an}: no log group ${name} created first (Fluent Bit would create one with no key and no retention)`);
          else {
            if (!isKeyArnRef(group[1].kms_key_id, logsKey)) v.push(`aws_cloudwatch_log_group.${group[0]}: not under the logs key`);
            if (group[1].retention_in_days !== region.retention.logDays) v.push(`aws_cloudwatch_log_group.${group[0]}: keeps events ${group[1].retention_in_days} days, not retention.logDays (${region.retention.logDays})`);
            if (!waitsFor(a).has(`aws_cloudwatch_log_group.${group[0]}`)) v.push(`aws_eks_addon.${an}: not created after aws_cloudwatch_log_group.${group[0]}`);
          }
        }
        const association = resourcesOf(json, "aws_eks_pod_identity_association").find(
          ([, x]) => x.cluster_name === ref("aws_eks_cluster", cn, "name") && x.namespace === LOG_SHIPPER.namespace && x.service_account === LOG_SHIPPER.serviceAccount,
        );
        if (!association) {
          v.push(`aws_eks_addon.${an}: no Pod Identity association for ${LOG_SHIPPER.namespace}/${LOG_SHIPPER.serviceAccount}`);
          continue;
        }
        if (!waitsFor(a).has(`aws_eks_pod_identity_association.${association[0]}`)) v.push(`aws_eks_addon.${an}: not created after its Pod Identity association (its pods would start without credentials)`);
        const role = refName(association[1].role_arn, "aws_iam_role", "arn");
        if (!role) {
          v.push(`aws_eks_pod_identity_association.${association[0]}: its role ${association[1].role_arn} is not one of this stack's (its permissions could not be reviewed)`);
          continue;
        }
        const groupArns = LOG_SHIPPER.groups.map((kind) => `arn:aws:logs:${region.cloudRegion}:${region.accountId}:log-group:${containerLogGroupName(String(c.name), kind)}:*`);
        for (const [pn, p] of resourcesOf(json, "aws_iam_role_policy").filter(([, x]) => refName(x.role, "aws_iam_role", "name") === role)) {
          for (const st of statementsOf(String(p.policy)).filter((x) => x.Effect === "Allow")) {
            const extra = asList(st.Action).filter((x) => !LOG_SHIPPER_ACTIONS.includes(x));
            if (extra.length > 0) v.push(`aws_iam_role_policy.${pn}: the log shipper may ${extra.join(", ")}`);
            const logsResources = asList(st.Action).some((x) => x.startsWith("logs:")) ? asList(st.Resource).filter((r) => !groupArns.includes(String(r))) : [];
            if (logsResources.length > 0) v.push(`aws_iam_role_policy.${pn}: the log shipper writes to ${logsResources.join(", ")}, beyond its groups`);
          }
        }
        if (resourcesOf(json, "aws_iam_role_policy_attachment").some(([, x]) => refName(x.role, "aws_iam_role", "name") === role)) v.push(`aws_iam_role.${role}: a managed policy on the log shipper's role`);
      }
      return v;
    },
  },
  {
    id: "detection.mesh-alerts",
    requirement: "10.4.1, 10.7.2, 4.2.1",
    fix: "Keep MeshMetrics (constructs/aws/mesh-metrics.ts): an AMP workspace, a managed collector on this stack's cluster writing into it with model/mesh/alerts.ts meshScrapeConfiguration (only the request and failed-handshake counters), the rules of meshAlertRules for every service that declares the tokenization key, and an alert manager routing every alert to the security topic, which (with the alerts key) admits this workspace.",
    description:
      "the mesh's two seed alerts run: an AMP managed collector scrapes every sidecar's Envoy endpoint of this stack's cluster into the workspace, keeping only the request counter and the failed-handshake counters; the workspace evaluates each tokenization service's failure rate (over 5 % for 5 minutes, held 2 minutes) and every failed inbound mTLS handshake; its alert manager sends every alert to the security topic, whose policy admits this workspace only and whose key admits AMP for this topic",
    check: ({ json, region }) => {
      const workspaces = resourcesOf(json, "aws_prometheus_workspace");
      if (workspaces.length !== 1) return [`aws_prometheus_workspace: ${workspaces.length} workspaces, expected the region's one`];
      const [wn] = workspaces[0];
      const v: string[] = [];
      const clusters = resourcesOf(json, "aws_eks_cluster").map(([cn]) => ref("aws_eks_cluster", cn, "arn"));
      const scraper = resourcesOf(json, "aws_prometheus_scraper").find(
        ([, x]) => one(one(x.destination).amp).workspace_arn === ref("aws_prometheus_workspace", wn, "arn") && clusters.includes(one(one(x.source).eks).cluster_arn),
      );
      if (!scraper) v.push(`aws_prometheus_workspace.${wn}: no managed collector scrapes this stack's cluster into it`);
      else if (!sameJson(parsedOrEmpty(scraper[1].scrape_configuration), meshScrapeConfiguration())) {
        v.push(`aws_prometheus_scraper.${scraper[0]}: its scrape configuration is not the reviewed one (every sidecar's Envoy endpoint, keeping only the request and failed-handshake counters)`);
      }
      const tokenization = region.services.filter((x) => x.access?.tokenizationKey).map((x) => ({ namespace: x.namespace, name: x.name }));
      const namespaces = resourcesOf(json, "aws_prometheus_rule_group_namespace").filter(([, x]) => x.workspace_id === ref("aws_prometheus_workspace", wn, "id"));
      const rules = namespaces.flatMap(([, x]) => asList<TfJson>(parsedOrEmpty(x.data).groups).flatMap((g) => asList<TfJson>(g.rules)));
      for (const want of meshAlertRules(tokenization)) {
        const label = `${want.alert}${want.labels.service ? ` (${want.labels.service})` : ""}`;
        if (!rules.some((r) => sameJson(r, want))) v.push(`aws_prometheus_workspace.${wn}: alert ${label} is missing or differs from model/mesh/alerts.ts`);
      }
      const topic = alertTopic(json);
      const topicArn = topic ? ref("aws_sns_topic", topic[0], "arn") : undefined;
      const manager = resourcesOf(json, "aws_prometheus_alert_manager_definition").find(([, x]) => x.workspace_id === ref("aws_prometheus_workspace", wn, "id"));
      const config = parsedOrEmpty(parsedOrEmpty(manager?.[1].definition).alertmanager_config);
      const receiver = asList<TfJson>(config.receivers).find((r) => r.name === config.route?.receiver);
      const sns = asList<TfJson>(receiver?.sns_configs);
      // (No topic: no receiver names it, and alerts-wired reports the topic missing.)
      // Stryker disable next-line OptionalChaining: without a route no receiver is found, so the first test has decided
      if (!sns.some((x) => x.topic_arn === topicArn && x.sigv4?.region === region.cloudRegion) || asList(config.route?.routes).length > 0) {
        v.push(`aws_prometheus_workspace.${wn}: its alert manager does not send every alert to the security topic`);
      }
      if (!topic) return v;
      const workspaceArn = ref("aws_prometheus_workspace", wn, "arn");
      const admitted = policyStatements(topic[1].policy).some(
        (x) =>
          x.Effect === "Allow" &&
          principalServices(x.Principal).includes("aps.amazonaws.com") &&
          asList(x.Action).includes("sns:Publish") &&
          conditionValue(x, "StringEquals", "aws:SourceAccount") === region.accountId &&
          sameJson(asList(conditionValue(x, "ArnEquals", "aws:SourceArn")), [workspaceArn]),
      );
      if (!admitted) v.push(`aws_sns_topic.${topic[0]}: its policy does not let this workspace's alert manager publish (aws:SourceArn ${workspaceArn}, aws:SourceAccount)`);
      const keyName = keyNameByAlias(json, "alerts");
      const arn = `arn:aws:sns:${region.cloudRegion}:${region.accountId}:${topic[1].name}`;
      const keyAdmits = keyPolicyStatements(json, "alerts").some(
        (x) =>
          x.Effect === "Allow" &&
          principalServices(x.Principal).includes("aps.amazonaws.com") &&
          ["kms:GenerateDataKey*", "kms:Decrypt"].every((a) => asList(x.Action).includes(a)) &&
          conditionValue(x, "StringEquals", "kms:EncryptionContext:aws:sns:topicArn") === arn,
      );
      if (!keyAdmits) v.push(`aws_kms_key.${keyName}: does not let aps.amazonaws.com generate data keys and decrypt for the topic ${arn} (the mesh's alerts would be dropped)`);
      return v;
    },
  },
  {
    id: "detection.key-deletion-guarded",
    requirement: "3.6.1, 10.7.2, 12.10.5",
    fix: "Keep KeyDeletionGuard (constructs/aws/key-deletion-guard.ts) over RegionKeys.all: an enabled rule on ScheduleKeyDeletion of every key of the home region, a target that starts the runbook of model/aws/alerts.ts KEY_DELETION_GUARD (CancelKeyDeletion, nothing else) with the key from $.detail.responseElements.keyId as a role that may only cancel deletions, and a target paging the security topic.",
    description:
      "an automated response that deletes no evidence: when any key of the home region is scheduled for deletion, an enabled EventBridge rule cancels the deletion through an SSM Automation runbook that does nothing else, started for that key as a role that may do nothing but cancel key deletions, and pages the security topic",
    check: ({ json }) => {
      const homeKeys = resourcesOf(json, "aws_kms_key").filter(([, k]) => k.provider === undefined).map(([kn]) => ref("aws_kms_key", kn, "arn"));
      const rule = resourcesOf(json, "aws_cloudwatch_event_rule").find(([, r]) => asList(parsedOrEmpty(r.event_pattern).detail?.eventName).includes("ScheduleKeyDeletion"));
      if (!rule) return ["aws_cloudwatch_event_rule: none on ScheduleKeyDeletion (a scheduled deletion of a key would go unanswered)"];
      const [rn, r] = rule;
      const a = `aws_cloudwatch_event_rule.${rn}`;
      const v: string[] = [];
      const pattern = parsedOrEmpty(r.event_pattern);
      // (The rule was found by its detail's eventName: the pattern has a detail.)
      const guarded = asList<string>(pattern.detail.responseElements?.keyId);
      if (!sameJson(pattern, KEY_DELETION_GUARD.pattern(guarded))) {
        v.push(`${a}: its pattern is not the trail's ScheduleKeyDeletion event of model/aws/alerts.ts`);
      }
      for (const key of homeKeys.filter((k) => !guarded.includes(k))) v.push(`${a}: does not guard ${key}`);
      if (r.state !== undefined && r.state !== "ENABLED") v.push(`${a}: state is ${r.state}`);
      const targets = resourcesOf(json, "aws_cloudwatch_event_target").filter(([, t]) => t.rule === ref("aws_cloudwatch_event_rule", rn, "name"));
      const topic = alertTopic(json);
      if (!topic || !targets.some(([, t]) => t.arn === ref("aws_sns_topic", topic[0], "arn"))) v.push(`${a}: does not page the security topic`);
      const documents = resourcesOf(json, "aws_ssm_document");
      const runbook = targets
        .map(([tn, t]) => ({ tn, t, doc: documents.find(([, d]) => String(t.arn).endsWith(`:automation-definition/${d.name}:$DEFAULT`)) }))
        .find((x) => x.doc);
      if (!runbook) return [...v, `${a}: starts no runbook of this stack (the deletion would stand)`];
      const [dn, d] = runbook.doc!;
      if (d.document_type !== "Automation" || !sameJson(parsedOrEmpty(d.content), KEY_DELETION_GUARD.runbook)) v.push(`aws_ssm_document.${dn}: is not the reviewed runbook (CancelKeyDeletion of the key it is given, nothing else)`);
      const transformer = one(runbook.t.input_transformer);
      if (one(transformer.input_paths).keyId !== "$.detail.responseElements.keyId" || !String(transformer.input_template).startsWith('{"KeyId":[<keyId>],')) v.push(`aws_cloudwatch_event_target.${runbook.tn}: does not pass the key of the event to the runbook`);
      const automationRole = /\$\{aws_iam_role\.([^.]+)\.arn\}/.exec(String(transformer.input_template))?.[1];
      const automationStatements = resourcesOf(json, "aws_iam_role_policy")
        .filter(([, p]) => p.role === ref("aws_iam_role", String(automationRole), "id"))
        .flatMap(([, p]) => statementsOf(String(p.policy)).filter((x) => x.Effect === "Allow"));
      if (automationStatements.length === 0 || automationStatements.some((x) => !sameJson(asList(x.Action), ["kms:CancelKeyDeletion"]))) {
        v.push(`aws_cloudwatch_event_target.${runbook.tn}: the runbook's role (${automationRole ?? "none"}) may do more than cancel key deletions, or nothing`);
      }
      if (!runbook.t.role_arn) v.push(`aws_cloudwatch_event_target.${runbook.tn}: no role to start the runbook`);
      return v;
    },
  },
  {
    id: "detection.findings-archived",
    requirement: "10.5.1, 10.7.2",
    fix: "Keep ThreatDetection's findings export: a publishing destination of the detector into the audit archive under guardduty/ with the audit key, created after the archive's policy, which (like the audit key's, ThreatDetection.keyStatements) admits the region's detector only (aws:SourceArn arn:aws:guardduty:<region>:<account>:detector/*, aws:SourceAccount).",
    description:
      "GuardDuty keeps findings 90 days: the detector exports each to the Object Lock archive under its own prefix, encrypted with the audit key, and the archive's and the key's policies admit this account's detector in the region only (one per account and region); the export is created after the archive's policy (GuardDuty checks that it can write when it is created)",
    check: ({ json, region }) => {
      const detector = resourcesOf(json, "aws_guardduty_detector")[0];
      const audit = auditBucket(json);
      if (!detector || !audit) return [];
      const [dn] = detector;
      // The region's one detector (an account has one per region), by a pattern known at plan.
      const detectorArn = `arn:aws:guardduty:${region.cloudRegion}:${region.accountId}:detector/*`;
      const v: string[] = [];
      const exports = resourcesOf(json, "aws_guardduty_publishing_destination").filter(([, x]) => x.detector_id === ref("aws_guardduty_detector", dn, "id"));
      const bucketArn = ref("aws_s3_bucket", audit[0], "arn");
      const policy = forBucket(json, "aws_s3_bucket_policy", audit[0]);
      const bucket = `aws_s3_bucket.${audit[0]}`;
      const toArchive = exports.find(([, x]) => x.destination_arn === `${bucketArn}/${GUARDDUTY_PREFIX}` && (x.destination_type ?? "S3") === "S3");
      if (!toArchive) v.push(`aws_guardduty_detector.${dn}: its findings are not exported to the audit archive under ${GUARDDUTY_PREFIX}/ (GuardDuty keeps them 90 days)`);
      else {
        if (!isKeyArnRef(toArchive[1].kms_key_arn, keyNameByAlias(json, "audit"))) v.push(`aws_guardduty_publishing_destination.${toArchive[0]}: kms_key_arn ${toArchive[1].kms_key_arn} is not the audit key`);
        if (!policy || !waitsFor(toArchive[1]).has(`aws_s3_bucket_policy.${policy[0]}`)) v.push(`aws_guardduty_publishing_destination.${toArchive[0]}: not created after the archive's bucket policy`);
      }
      const forDetector = (x: Statement) =>
        x.Effect === "Allow" &&
        principalServices(x.Principal).includes("guardduty.amazonaws.com") &&
        sameJson(asList(conditionValue(x, "ArnLike", "aws:SourceArn")), [detectorArn]) &&
        conditionValue(x, "StringEquals", "aws:SourceAccount") === region.accountId;
      const bucketStatements = bucketPolicyStatements(json, audit[0]).filter(forDetector);
      if (!bucketStatements.some((x) => asList(x.Action).includes("s3:GetBucketLocation") && asList(x.Resource).includes(bucketArn))) v.push(`${bucket}: its policy does not let the detector locate the archive`);
      if (!bucketStatements.some((x) => asList(x.Action).includes("s3:PutObject") && sameJson(asList(x.Resource), [`${bucketArn}/${GUARDDUTY_PREFIX}/*`]))) v.push(`${bucket}: its policy does not let the detector write under ${GUARDDUTY_PREFIX}/ (and only there)`);
      const keyName = keyNameByAlias(json, "audit");
      const keyStatements = keyPolicyStatements(json, "audit").filter(forDetector);
      if (!keyStatements.some((x) => asList(x.Action).includes("kms:GenerateDataKey"))) v.push(`aws_kms_key.${keyName}: does not let the detector generate data keys for its findings`);
      return v;
    },
  },
]);

/** What is wrong with the alarm on one gateway's target group (by its node port), or that it has none. */
function gatewayAlarmProblems(json: TfJson, port: number, replicas: number): string[] {
  const tg = resourcesOf(json, "aws_lb_target_group").find(([, t]) => t.port === port);
  const listener = tg && resourcesOf(json, "aws_lb_listener").find(([, l]) => asList<TfJson>(l.default_action).some((a) => a.target_group_arn === ref("aws_lb_target_group", tg[0], "arn")));
  const lb = listener && resourcesOf(json, "aws_lb").find(([ln]) => listener[1].load_balancer_arn === ref("aws_lb", ln, "arn"));
  const topic = alertTopic(json);
  if (!tg || !lb || !topic) return [`aws_lb_target_group: no target group on node port ${port}, its load balancer or a security topic to watch it with`];
  const want = partnerGatewayAlarm(replicas);
  const alarms = resourcesOf(json, "aws_cloudwatch_metric_alarm").filter(([, a]) => a.namespace === want.namespace && a.metric_name === want.metricName && a.dimensions?.TargetGroup === ref("aws_lb_target_group", tg[0], "arn_suffix"));
  if (alarms.length === 0) return [`aws_lb_target_group.${tg[0]}: no alarm on its ${want.metricName} (a gateway down in every zone would go unseen until a partner calls)`];
  const v: string[] = [];
  for (const [an, a] of alarms) {
    const at = `aws_cloudwatch_metric_alarm.${an}`;
    // Stryker disable next-line OptionalChaining: equivalent (the alarms kept here have dimensions: their TargetGroup matched)
    if (a.dimensions?.LoadBalancer !== ref("aws_lb", lb[0], "arn_suffix")) v.push(`${at}: not on the partner load balancer's targets (LoadBalancer ${a.dimensions?.LoadBalancer})`);
    for (const [k, tf] of [["statistic", "statistic"], ["period", "period"], ["evaluationPeriods", "evaluation_periods"], ["threshold", "threshold"], ["comparisonOperator", "comparison_operator"], ["treatMissingData", "treat_missing_data"]] as const) {
      if (a[tf] !== want[k]) v.push(`${at}: ${tf} ${a[tf]}, expected ${want[k]}`);
    }
    if (a.actions_enabled !== true || !asList(a.alarm_actions).includes(ref("aws_sns_topic", topic[0], "arn"))) v.push(`${at}: does not notify the security topic`);
  }
  return v;
}
