import type { AwsRegionConfig } from "../../../config/schema";
import { Rule, stackRules } from "../../rule";
import { TfJson, asList, ref, resourcesOf, sameJson, waitsFor } from "../../../tfjson/terraform";
import { principalServices, statementsOf } from "../../../tfjson/iam-policy";
import { auditArchiveBucket, forBucket, isKeyArnRef, keyNameByAlias } from "../../../tfjson/aws";
import { CONFIG_PREFIX, GUARDDUTY_AGENT_ADDON, GUARDDUTY_FEATURES, securityHubStandards } from "../../../model/aws/detection";

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

export const DETECTION_RULES: readonly Rule[] = stackRules<AwsRegionConfig>({ layers: ["aws"] }, [
  {
    id: "detection.trail-complete",
    requirement: "10.2.1, 10.2.2, 10.3.2, 10.3.4, 10.5.1",
    fix: "Keep AuditTrail (constructs/aws/audit-trail.ts): one trail, logging, of every region with global service events, log file validation on, under the audit key, into the audit archive, every event also in a log group under the logs key kept retention.logDays, with management events (read and write) and S3 data events on the archive.",
    description:
      "one account trail: logging, multi-region with global service events, log file validation, encrypted with the audit key, delivered to the Object Lock archive and to a log group under the logs key kept retention.logDays, recording every management event and the archive's S3 data events",
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
      const groupName = /^\$\{aws_cloudwatch_log_group\.([^.]+)\.arn\}:\*$/.exec(String(t.cloud_watch_logs_group_arn))?.[1];
      const group = groupName ? json.resource.aws_cloudwatch_log_group?.[groupName] : undefined;
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
      const ownDeliveries = `${archiveArn}${t.s3_key_prefix ? `${t.s3_key_prefix}/` : ""}`;
      const data = selectors.some((s) => {
        const fields = asList<TfJson>(s.field_selector);
        const arnField = fields.find((f) => f.field === "resources.ARN") ?? {};
        const operators = Object.keys(arnField).filter((k) => k !== "field" && asList(arnField[k]).length > 0);
        return (
          archiveArn !== undefined &&
          fields.every((f) => ["eventCategory", "resources.type", "resources.ARN"].includes(f.field)) &&
          sameJson(field(s, "eventCategory", "equals"), ["Data"]) &&
          sameJson(field(s, "resources.type", "equals"), ["AWS::S3::Object"]) &&
          sameJson(asList(arnField.starts_with), [archiveArn]) &&
          operators.every((k) => k === "starts_with" || k === "not_starts_with") &&
          asList<string>(arnField.not_starts_with).every((x) => x === ownDeliveries && ownDeliveries !== archiveArn)
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
      "what CloudTrail checks when the trail is created: the archive's policy lets this trail (aws:SourceArn) read the bucket ACL and write under its prefix with bucket-owner-full-control, and the trail is created after that policy; the trail's log group role is trusted by CloudTrail without conditions (AWS documents that it supports none); the audit key lets this trail generate data keys under its encryption context, describe the key, and decrypt (the archive uses an S3 Bucket Key)",
    check: ({ json, region }) => {
      const trail = resourcesOf(json, "aws_cloudtrail")[0];
      const audit = auditBucket(json);
      if (!trail || !audit) return [];
      const [n, t] = trail;
      const arn = trailArnOf(region, t);
      const v: string[] = [];
      const policy = forBucket(json, "aws_s3_bucket_policy", audit[0]);
      const bucketStatements = typeof policy?.[1].policy === "string" ? statementsOf(policy[1].policy) : [];
      const forTrail = (s: ReturnType<typeof statementsOf>[number]) =>
        s.Effect === "Allow" && principalServices(s.Principal).includes(CLOUDTRAIL) && asList(s.Condition?.StringEquals?.["aws:SourceArn"]).includes(arn);
      const bucketArn = ref("aws_s3_bucket", audit[0], "arn");
      if (!bucketStatements.some((s) => forTrail(s) && asList(s.Action).includes("s3:GetBucketAcl") && asList(s.Resource).includes(bucketArn))) {
        v.push(`aws_s3_bucket_policy.${policy?.[0] ?? "(none)"}: does not let the trail read the archive's ACL`);
      }
      const objects = `${bucketArn}/${t.s3_key_prefix ? `${t.s3_key_prefix}/` : ""}AWSLogs/${region.accountId}/*`;
      const write = bucketStatements.find((s) => forTrail(s) && asList(s.Action).includes("s3:PutObject") && asList(s.Resource).includes(objects));
      if (!write) v.push(`aws_s3_bucket_policy.${policy?.[0] ?? "(none)"}: does not let the trail write ${objects}`);
      else if (write.Condition?.StringEquals?.["s3:x-amz-acl"] !== "bucket-owner-full-control") v.push(`aws_s3_bucket_policy.${policy?.[0]}: the trail's writes are not limited to bucket-owner-full-control`);
      if (!policy || !waitsFor(t).has(`aws_s3_bucket_policy.${policy[0]}`)) v.push(`aws_cloudtrail.${n}: not created after the archive's bucket policy (CloudTrail checks it at creation)`);
      // CloudTrail assumes its CloudWatch Logs role without confused-deputy context: a condition on it fails the trail's creation.
      const roleName = /^\$\{aws_iam_role\.([^.]+)\.arn\}$/.exec(String(t.cloud_watch_logs_role_arn))?.[1];
      const trust = roleName && typeof json.resource.aws_iam_role?.[roleName]?.assume_role_policy === "string" ? statementsOf(json.resource.aws_iam_role[roleName].assume_role_policy) : [];
      if (roleName && !trust.some((x) => x.Effect === "Allow" && principalServices(x.Principal).includes(CLOUDTRAIL) && x.Condition === undefined)) {
        v.push(`aws_iam_role.${roleName}: CloudTrail may not assume it unconditionally (its trust for the log group role supports no aws:SourceArn or aws:SourceAccount)`);
      }
      const keyName = keyNameByAlias(json, "audit");
      const key = keyName ? json.resource.aws_kms_key[keyName] : undefined;
      const keyStatements = typeof key?.policy === "string" ? statementsOf(key.policy).filter(forTrail) : [];
      const allows = (action: string) => keyStatements.filter((s) => asList(s.Action).includes(action));
      const context = `arn:aws:cloudtrail:*:${region.accountId}:trail/*`;
      if (!allows("kms:GenerateDataKey*").some((s) => s.Condition?.StringLike?.["kms:EncryptionContext:aws:cloudtrail:arn"] === context)) {
        v.push(`aws_kms_key.${keyName}: does not let the trail generate data keys under its encryption context (${context})`);
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
      "a GuardDuty detector, enabled, with S3 data events, EKS audit logs, malware protection, RDS login events and runtime monitoring on, its agent installed as the EKS add-on on every cluster (and reporting through the guardduty-data endpoint, network.interface-endpoints); Security Hub enabled with the PCI DSS v4.0.1 and AWS Foundational Security Best Practices standards of this region, each subscribed after the hub and after AWS Config records (the controls evaluate Config's records)",
    check: ({ json, region }) => {
      const v: string[] = [];
      const detectors = resourcesOf(json, "aws_guardduty_detector");
      if (detectors.length !== 1) return [`aws_guardduty_detector: ${detectors.length} detectors, expected one`];
      const [dn, d] = detectors[0];
      if (d.enable !== true) v.push(`aws_guardduty_detector.${dn}: enable is not true`);
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
      const hubs = resourcesOf(json, "aws_securityhub_account");
      if (hubs.length !== 1) return [...v, `aws_securityhub_account: ${hubs.length} hubs, expected one`];
      const hub = `aws_securityhub_account.${hubs[0][0]}`;
      const subscriptions = resourcesOf(json, "aws_securityhub_standards_subscription");
      for (const arn of securityHubStandards(region.cloudRegion)) {
        const sub = subscriptions.find(([, x]) => x.standards_arn === arn);
        if (!sub) v.push(`aws_securityhub_standards_subscription: none for ${arn}`);
        else if (!waitsFor(sub[1]).has(hub)) v.push(`aws_securityhub_standards_subscription.${sub[0]}: not created after ${hub} (a subscription before the hub is enabled fails)`);
        else if (!resourcesOf(json, "aws_config_configuration_recorder_status").some(([cn]) => waitsFor(sub[1]).has(`aws_config_configuration_recorder_status.${cn}`))) {
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
]);

