import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Construct } from "constructs";
import { AwsRegionConfig, RegionConfig } from "../config/schema";
import { DataTerraformRemoteStateS3, TerraformOutput } from "../core/cdktf";
import { RegionStack, layerStateKey } from "../core/blueprint-stack";
import { KafkaMirror } from "../constructs/aws/kafka-mirror";
import { KAFKA_MIRROR_OUTPUT_IDS, homeClusterName, mirrorName, mirrorsKafka } from "../model/aws/kafka-mirror";
import { regionTags } from "../model/aws/tags";
import { stackName } from "./plan";

/**
 * `region-<name>-dr`: what lives in the DR partner region beside region-<name>'s copies (the
 * audit archive's replica, the backup vault): the Kafka mirror (kafka.mirrorTopics). AWS only, in
 * the partner region, its state beside the region's; it reads the home cluster from region-<name>'s
 * outputs. Deployed after region-<name> (whose cluster must have turned on multi-VPC connectivity).
 */
export class DrStack extends RegionStack<AwsRegionConfig> {
  readonly mirror: KafkaMirror;

  constructor(scope: Construct, region: AwsRegionConfig, peers?: readonly RegionConfig[]) {
    super(scope, stackName(region, "dr"), region, "dr", peers);
    if (!mirrorsKafka(region)) throw new Error(`${stackName(region, "dr")}: the region mirrors no Kafka topic (kafka.mirrorTopics, drPartnerRegion, drNetwork).`);
    this.useRegionStateBackend(layerStateKey(region, "dr"));
    new AwsProvider(this, "aws", { region: region.drPartnerRegion, allowedAccountIds: [region.accountId], defaultTags: [{ tags: regionTags(region) }] });
    const home = region.stateBackend;
    const state = new DataTerraformRemoteStateS3(this, "RegionState", { bucket: home.bucket, key: home.key, region: home.region });
    this.mirror = new KafkaMirror(this, "KafkaMirror", {
      name: mirrorName(region),
      keyPrefix: homeClusterName(region),
      accountId: region.accountId,
      region: region.drPartnerRegion,
      homeRegion: region.cloudRegion,
      vpcCidr: region.drNetwork.vpcCidr,
      availabilityZoneIds: region.drNetwork.availabilityZoneIds,
      dataSubnets: region.drNetwork.data,
      custodianArns: [region.eks.deployRoleArn],
      deployRoleArn: region.eks.deployRoleArn,
      source: { clusterArn: state.getString(KAFKA_MIRROR_OUTPUT_IDS.sourceClusterArn), clusterName: homeClusterName(region), subnetIds: state.getList(KAFKA_MIRROR_OUTPUT_IDS.sourceSubnetIds), multiVpcBrokers: state.getString(KAFKA_MIRROR_OUTPUT_IDS.sourceMultiVpcBrokers) },
      topics: region.kafka.mirrorTopics,
      kafkaVersion: region.kafka.kafkaVersion,
      instanceType: region.kafka.instanceType,
      logRetentionDays: region.retention.logDays,
    });
    new TerraformOutput(this, "kafka_mirror_cluster_arn", { value: this.mirror.cluster.arn, description: "The mirror of the Kafka topics in the DR partner region" });
    new TerraformOutput(this, "kafka_mirror_bootstrap_brokers_sasl_iam", { value: this.mirror.cluster.bootstrapBrokersSaslIam, description: "IAM over TLS (port 9098), for a recovery's clients" });
    new TerraformOutput(this, "kafka_replicator_arn", { value: this.mirror.replicator.arn, description: "The replicator (its state and lag are in the MSK console and CloudWatch)" });
  }
}
