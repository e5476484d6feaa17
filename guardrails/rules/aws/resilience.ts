import type { AwsRegionConfig } from "../../../config/schema";
import { resourceRules } from "../../rule";
import { TfJson, ref, resourcesOf, asList, preventsDestroy } from "../../../tfjson/terraform";
import { forBucket } from "../../../tfjson/aws";

/**
 * Resource types whose loss loses data or keys: they carry lifecycle.prevent_destroy, so that a
 * `cdktf destroy` or a replacing change stops at plan. Log groups hold the audit trail (10.5.1).
 */
export const STATEFUL_TYPES = [
  "aws_kms_key",
  "aws_kms_custom_key_store",
  "aws_cloudhsm_v2_cluster",
  "aws_cloudhsm_v2_hsm",
  "aws_rds_cluster",
  "aws_db_instance",
  "aws_s3_bucket",
  "aws_msk_cluster",
  "aws_cloudwatch_log_group",
  "aws_dynamodb_table",
  "aws_efs_file_system",
  "aws_ebs_volume",
  "aws_backup_vault",
  "aws_acmpca_certificate_authority",
];

/** Resources that spread over subnets, and where their subnets are. */
const SPREAD: Readonly<Record<string, (b: TfJson) => unknown[]>> = {
  aws_lb: (b) => [...asList(b.subnets), ...asList<TfJson>(b.subnet_mapping).map((m) => m.subnet_id)],
  aws_eks_node_group: (b) => asList(b.subnet_ids),
  aws_db_subnet_group: (b) => asList(b.subnet_ids),
  aws_msk_cluster: (b) => asList(asList<TfJson>(b.broker_node_group_info)[0]?.client_subnets),
  aws_cloudhsm_v2_cluster: (b) => asList(b.subnet_ids),
  aws_vpc_endpoint: (b) => asList(b.subnet_ids),
};

export const RESILIENCE_RULES = resourceRules<AwsRegionConfig>({ layers: ["aws"] }, [
  {
    id: "resilience.stateful-protected",
    requirement: "10.5.1, 3.7.2, 12.10.1",
    fix: "Set lifecycle.prevent_destroy on the resource (the blueprint's constructs do); to retire it, remove the flag in a reviewed change of its own.",
    description: "keys, HSMs, databases, buckets, Kafka and log groups are protected from destroy",
    resourceTypes: STATEFUL_TYPES,
    check: (b) => (preventsDestroy(b) ? [] : ["not protected from destroy (lifecycle.prevent_destroy)"]),
  },
  {
    id: "resilience.multi-az",
    requirement: "12.10.1",
    fix: "Place the resource in the tier's subnets of every configured availability zone (the region file's availabilityZoneIds).",
    description: "load balancers, node groups, database subnet groups, brokers, the HSM cluster and interface endpoints use a subnet in every configured AZ",
    resourceTypes: Object.keys(SPREAD),
    check: (b, { stack, type }) => {
      if (type === "aws_vpc_endpoint" && b.vpc_endpoint_type !== "Interface") return [];
      const subnets = SPREAD[type](b);
      const azs = new Set(
        resourcesOf(stack.json, "aws_subnet")
          .filter(([n]) => subnets.includes(ref("aws_subnet", n, "id")))
          .map(([, s]) => s.availability_zone_id),
      );
      const missing = stack.region.availabilityZoneIds.filter((az) => !azs.has(az));
      return missing.length === 0 ? [] : [`no subnet in ${missing.join(", ")}`];
    },
  },
  {
    id: "logging.access-logs",
    requirement: "10.2.1",
    fix: "Enable access logging into the region's access-log bucket (S3 server access logging, NLB access_logs); the access-log bucket itself carries a suppression saying why it cannot log to itself.",
    description: "every bucket and load balancer writes access logs to a bucket of this stack",
    resourceTypes: ["aws_s3_bucket", "aws_lb"],
    check: (b, { stack, type, name }) => {
      const own = resourcesOf(stack.json, "aws_s3_bucket").map(([n]) => ref("aws_s3_bucket", n, "id"));
      if (type === "aws_lb") {
        const logs = asList<TfJson>(b.access_logs)[0];
        return logs?.enabled === true && own.includes(logs.bucket) ? [] : ["no access logs into a bucket of this stack"];
      }
      const logging = forBucket(stack.json, "aws_s3_bucket_logging", name)?.[1];
      if (!logging) return ["no server access logging"];
      if (logging.target_bucket === ref("aws_s3_bucket", name, "id")) return ["logs to itself"];
      return own.includes(logging.target_bucket) ? [] : ["logs to a bucket outside this stack"];
    },
  },
]);
