/**
 * Kafka topics mirrored into the DR partner region (`kafka.mirrorTopics`): an MSK Replicator in the
 * partner region reads the home cluster over IAM (port 9098) through MSK's multi-VPC private
 * connectivity and writes a cluster of the partner region, in a VPC of its own, under the partner's
 * keys. Pure data: the stacks build it, the guardrails and the reports compare with it.
 */
import type { AwsRegionConfig } from "../../config/schema";

/** Outputs of `region-<name>` that `region-<name>-dr` reads (the home cluster, its client subnets). */
export const KAFKA_MIRROR_OUTPUT_IDS = {
  sourceClusterArn: "kafka_cluster_arn",
  sourceSubnetIds: "kafka_client_subnet_ids",
  /** Empty until the home cluster's multi-VPC connectivity is on: the DR stack's plan stops on it. */
  sourceMultiVpcBrokers: "kafka_bootstrap_brokers_vpc_connectivity_sasl_iam",
} as const;

/** What the home cluster's policy grants MSK (the service principal) so that a replicator of this account can connect (the MSK developer guide's policy). */
export const REPLICATOR_SOURCE_ACTIONS = ["kafka:CreateVpcConnection", "kafka:GetBootstrapBrokers", "kafka:DescribeClusterV2"] as const;

/**
 * What the replicator's role may do on the two clusters, as AWS's managed policy
 * AWSMSKReplicatorExecutionRole lists it, limited to the home and the mirror clusters (their
 * cluster, topic and group resources), not every cluster of the account.
 */
export const REPLICATOR_ACTIONS = {
  cluster: [
    "kafka-cluster:Connect", "kafka-cluster:DescribeCluster", "kafka-cluster:AlterCluster", "kafka-cluster:DescribeTopic", "kafka-cluster:CreateTopic",
    "kafka-cluster:AlterTopic", "kafka-cluster:WriteData", "kafka-cluster:ReadData", "kafka-cluster:AlterGroup", "kafka-cluster:DescribeGroup",
    "kafka-cluster:DescribeTopicDynamicConfiguration", "kafka-cluster:AlterTopicDynamicConfiguration", "kafka-cluster:WriteDataIdempotently",
  ],
  topic: [
    "kafka-cluster:DescribeTopic", "kafka-cluster:CreateTopic", "kafka-cluster:AlterTopic", "kafka-cluster:WriteData", "kafka-cluster:ReadData",
    "kafka-cluster:DescribeTopicDynamicConfiguration", "kafka-cluster:AlterTopicDynamicConfiguration", "kafka-cluster:AlterCluster",
  ],
  group: ["kafka-cluster:AlterGroup", "kafka-cluster:DescribeGroup"],
} as const;

/** A topic's exact pattern for the replicator (a Java regular expression): that topic and no other. */
export function exactTopicPattern(topic: string): string {
  return `^${topic.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`;
}

/** True where the region mirrors topics into its DR partner (and so has `region-<name>-dr`). */
export function mirrorsKafka(region: AwsRegionConfig): region is AwsRegionConfig & { drPartnerRegion: string; drNetwork: NonNullable<AwsRegionConfig["drNetwork"]> } {
  return region.kafka.mirrorTopics.length > 0 && region.drPartnerRegion !== undefined && region.drNetwork !== undefined;
}

/** The names of the mirror's resources: `<prefix>-<region>-dr` (its VPC, cluster, replicator). */
export function mirrorName(region: Pick<AwsRegionConfig, "naming" | "name">): string {
  return `${region.naming.prefix}-${region.name}-dr`;
}

/** The MSK cluster's name at home (KafkaCluster's `name`: `<prefix>-<region>`), as the replicator's role scopes it. */
export function homeClusterName(region: Pick<AwsRegionConfig, "naming" | "name">): string {
  return `${region.naming.prefix}-${region.name}`;
}

/** The replicator's settings: the listed topics only, under the same names, from their earliest records, with their configurations and the consumers' offsets. */
export const REPLICATION = {
  topicNameConfiguration: "IDENTICAL",
  startingPosition: "EARLIEST",
  compression: "ZSTD",
  /** Creating a replicator takes about 30 minutes (the provider's default is 30). */
  timeouts: { create: "90m", update: "90m", delete: "60m" },
} as const;

/** Turning on multi-VPC connectivity restarts every broker (30 minutes or more; hours are reported): the home cluster waits up to 4 hours. */
export const REPLICATED_CLUSTER_TIMEOUTS = { create: "4h", update: "4h", delete: "2h" } as const;
