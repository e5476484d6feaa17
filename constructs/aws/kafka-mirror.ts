import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { MskCluster } from "@cdktf/provider-aws/lib/msk-cluster";
import { MskConfiguration } from "@cdktf/provider-aws/lib/msk-configuration";
import { MskReplicator } from "@cdktf/provider-aws/lib/msk-replicator";
import { NetworkAcl } from "@cdktf/provider-aws/lib/network-acl";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcBlockPublicAccessOptions } from "@cdktf/provider-aws/lib/vpc-block-public-access-options";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Construct } from "constructs";
import { Fn, Op, Token } from "../../core/cdktf";
import { EncryptedLogGroup } from "./encrypted-log-group";
import { stripVpcDefaults, vpcFlowLogs } from "./private-link-network";
import { PolicyStatement, partitionOf, renderPolicy } from "./iam-policy";
import { CustomerManagedKey, administrationStatements, cloudWatchLogsStatement, keyUseStatements } from "./region-keys";
import { KAFKA_PORTS, MSK_SERVER_PROPERTIES } from "../../model/aws/kafka";
import { REPLICATION, REPLICATOR_ACTIONS, exactTopicPattern } from "../../model/aws/kafka-mirror";
import { DR_MIRROR_KEY_ALIASES } from "../../model/aws/keys";

/** Properties of {@link KafkaMirror}. */
export interface KafkaMirrorProps {
  /** Name of the mirror's resources (`<prefix>-<region>-dr`): VPC, cluster, replicator, roles. */
  readonly name: string;
  /** Alias prefix of the partner's keys (`alias/<keyPrefix>/dr-kafka`), as the region's DR keys. */
  readonly keyPrefix: string;
  readonly accountId: string;
  /** The partner region (this construct's provider's). */
  readonly region: string;
  /** The home region (the source cluster's). */
  readonly homeRegion: string;
  readonly vpcCidr: string;
  /** Zone IDs of the partner region, one data subnet each. */
  readonly availabilityZoneIds: readonly string[];
  readonly dataSubnets: readonly string[];
  /** The keys' custodians (the deploy role): they alone change the policies or delete the keys. */
  readonly custodianArns: readonly string[];
  /** The deploy role, which creates the brokers under the mirror's key. */
  readonly deployRoleArn: string;
  /**
   * The home cluster: its ARN, its name (the role's scope), the subnets where the replicator
   * connects to it, and its multi-VPC bootstrap brokers (empty until that connectivity is on: the
   * replicator's precondition).
   */
  readonly source: { readonly clusterArn: string; readonly clusterName: string; readonly subnetIds: string[]; readonly multiVpcBrokers: string };
  /** The topics mirrored (exactly these). */
  readonly topics: readonly string[];
  readonly kafkaVersion: string;
  readonly instanceType: string;
  /** Days to keep the flow and broker logs (≥ 365). */
  readonly logRetentionDays: number;
}

/**
 * Kafka topics mirrored into the DR partner region (PCI DSS 12.10.1, 3.5.1, 1.3): a VPC of the
 * partner region with only data subnets and no route out (no internet or NAT gateway, VPC Block
 * Public Access on, flow logs of all traffic, defaults stripped, a NACL that admits the VPC's own
 * block only), an MSK cluster there under the partner's kafka key (TLS, IAM only, no public
 * access, protected from destroy), and an MSK Replicator that reads exactly the listed topics from
 * the home cluster over IAM through MSK's multi-VPC connectivity and writes them under the same
 * names, with their configurations and the consumers' offsets. The replicator's interfaces in the
 * partner VPC reach the brokers on 9098 only; nothing else reaches them.
 */
export class KafkaMirror extends Construct {
  readonly vpc: Vpc;
  readonly subnets: readonly Subnet[];
  readonly cluster: MskCluster;
  readonly replicator: MskReplicator;
  readonly keys: { readonly kafka: CustomerManagedKey; readonly logs: CustomerManagedKey };
  readonly brokerSecurityGroup: SecurityGroup;
  readonly replicatorSecurityGroup: SecurityGroup;

  constructor(scope: Construct, id: string, props: KafkaMirrorProps) {
    super(scope, id);
    const azs = props.availabilityZoneIds;
    if (azs.length < 3 || new Set(azs).size !== azs.length || props.dataSubnets.length !== azs.length) {
      throw new Error(`KafkaMirror ${props.name}: needs three or more distinct zones with one data block each, got [${azs.join(", ")}] and [${props.dataSubnets.join(", ")}].`);
    }
    if (props.topics.length === 0) throw new Error(`KafkaMirror ${props.name}: no topic to mirror.`);
    const partition = partitionOf(props.region);
    const admin = administrationStatements(props.region, props.accountId, props.custodianArns);
    const key = (kid: string, alias: string, description: string, statements: readonly PolicyStatement[]) =>
      new CustomerManagedKey(this, kid, { aliasName: `alias/${props.keyPrefix}/${alias}`, description: `${props.keyPrefix}: ${description} (in ${props.region})`, rotationPeriodDays: 365, statements: [...admin, ...statements] });
    this.keys = {
      kafka: key("KafkaKey", DR_MIRROR_KEY_ALIASES.kafka, "the mirror of the Kafka topics", keyUseStatements("drKafka", { accountId: props.accountId, region: props.region }, { deploy: [props.deployRoleArn] })),
      logs: key("LogsKey", DR_MIRROR_KEY_ALIASES.logs, "the mirror's flow and broker logs", [cloudWatchLogsStatement(props.region, props.accountId)]),
    };

    // The network: data subnets only, nothing routes out, nothing falls back on an open default.
    // The partner region's account-wide setting: destroying it would open every VPC of the account there.
    new VpcBlockPublicAccessOptions(this, "BlockPublicAccess", { internetGatewayBlockMode: "block-bidirectional", lifecycle: { preventDestroy: true } });
    this.vpc = new Vpc(this, "Vpc", { cidrBlock: props.vpcCidr, enableDnsSupport: true, enableDnsHostnames: true, instanceTenancy: "default", tags: { Name: props.name } });
    const vpcId = this.vpc.id;
    stripVpcDefaults(this, this.vpc, props.name);
    const routeTable = new RouteTable(this, "DataRouteTable", { vpcId, route: [], tags: { Name: `${props.name}-data` } });
    this.subnets = azs.map((az, i) => {
      const subnet = new Subnet(this, `Data-${az}`, { vpcId, availabilityZoneId: az, cidrBlock: props.dataSubnets[i], mapPublicIpOnLaunch: false, assignIpv6AddressOnCreation: false, tags: { Name: `${props.name}-data-${az}`, Tier: "data" } });
      new RouteTableAssociation(subnet, "RouteTableAssociation", { subnetId: subnet.id, routeTableId: routeTable.id });
      return subnet;
    });
    // The brokers and the replicator's interfaces talk among themselves only (replication between
    // brokers crosses the zones' subnets): every protocol from and to the VPC's own block.
    const vpcOnly = [{ ruleNo: 100, protocol: "-1", action: "allow", cidrBlock: props.vpcCidr, fromPort: 0, toPort: 0 }];
    new NetworkAcl(this, "DataNetworkAcl", { vpcId, subnetIds: this.subnets.map((s) => s.id), ingress: vpcOnly, egress: vpcOnly, tags: { Name: `${props.name}-data` } });
    vpcFlowLogs(this, { vpc: this.vpc, name: props.name, accountId: props.accountId, region: props.region, key: this.keys.logs.key, retentionDays: props.logRetentionDays, purpose: " (the Kafka mirror's VPC)" });

    // The replicator's interfaces reach the brokers on IAM's port; nothing else reaches them.
    this.brokerSecurityGroup = new SecurityGroup(this, "BrokerSecurityGroup", { name: `${props.name}-msk`, description: "Mirror brokers: Kafka IAM auth over TLS from the replicator only", vpcId, revokeRulesOnDelete: true, tags: { Name: `${props.name}-msk` } });
    this.replicatorSecurityGroup = new SecurityGroup(this, "ReplicatorSecurityGroup", { name: `${props.name}-replicator`, description: "MSK Replicator interfaces: to the mirror brokers on Kafka IAM auth only", vpcId, revokeRulesOnDelete: true, tags: { Name: `${props.name}-replicator` } });
    const brokersFromReplicator = new VpcSecurityGroupIngressRule(this, "BrokersFromReplicator", {
      securityGroupId: this.brokerSecurityGroup.id,
      description: "Kafka IAM auth over TLS from the replicator",
      ipProtocol: "tcp",
      fromPort: KAFKA_PORTS.iam,
      toPort: KAFKA_PORTS.iam,
      referencedSecurityGroupId: this.replicatorSecurityGroup.id,
    });
    const replicatorToBrokers = new VpcSecurityGroupEgressRule(this, "ReplicatorToBrokers", {
      securityGroupId: this.replicatorSecurityGroup.id,
      description: "Kafka IAM auth over TLS to the mirror brokers",
      ipProtocol: "tcp",
      fromPort: KAFKA_PORTS.iam,
      toPort: KAFKA_PORTS.iam,
      referencedSecurityGroupId: this.brokerSecurityGroup.id,
    });

    const brokerLogs = new EncryptedLogGroup(this, "BrokerLogs", { name: `/${props.name}/msk-broker`, key: this.keys.logs.key, retentionDays: props.logRetentionDays });
    const configuration = new MskConfiguration(this, "Configuration", {
      name: `${props.name}-kafka`,
      kafkaVersions: [props.kafkaVersion],
      description: "No auto-created topics; writes need two in-sync replicas; no access without an ACL",
      serverProperties: MSK_SERVER_PROPERTIES.join("\n"),
    });
    this.cluster = new MskCluster(this, "Cluster", {
      clusterName: props.name,
      kafkaVersion: props.kafkaVersion,
      numberOfBrokerNodes: azs.length,
      enhancedMonitoring: "PER_TOPIC_PER_BROKER",
      brokerNodeGroupInfo: {
        instanceType: props.instanceType,
        clientSubnets: this.subnets.map((s) => s.id),
        securityGroups: [this.brokerSecurityGroup.id],
        azDistribution: "DEFAULT",
        connectivityInfo: { publicAccess: { type: "DISABLED" } },
        storageInfo: { ebsStorageInfo: { volumeSize: 100 } },
      },
      encryptionInfo: { encryptionAtRestKmsKeyArn: this.keys.kafka.key.arn, encryptionInTransit: { clientBroker: "TLS", inCluster: true } },
      // IAM only: the replicator writes with its role; a recovery's clients get roles of their own.
      clientAuthentication: { sasl: { iam: true, scram: false }, unauthenticated: false },
      configurationInfo: { arn: configuration.arn, revision: configuration.latestRevision },
      loggingInfo: { brokerLogs: { cloudwatchLogs: { enabled: true, logGroup: brokerLogs.logGroup.name } } },
      lifecycle: { preventDestroy: true },
    });

    // The replicator's role: MSK assumes it for this account; it reads and writes the two clusters only.
    const scoped = (region: string, clusterName: string, kind: "cluster" | "topic" | "group") => `arn:${partition}:kafka:${region}:${props.accountId}:${kind}/${clusterName}/*`;
    const role = new IamRole(this, "ReplicatorRole", {
      name: `${props.name}-replicator`,
      description: "MSK Replicator: reads the home cluster's mirrored topics, writes the DR mirror",
      assumeRolePolicy: renderPolicy([{ Sid: "MskReplicatorOfThisAccount", Effect: "Allow", Principal: { Service: "kafka.amazonaws.com" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceAccount": props.accountId } } }]),
    });
    const rolePolicy = new IamRolePolicy(this, "ReplicatorRolePolicy", {
      name: "replicate-the-mirrored-topics",
      role: role.id,
      policy: renderPolicy([
        { Sid: "TheTwoClusters", Effect: "Allow", Action: [...REPLICATOR_ACTIONS.cluster], Resource: [props.source.clusterArn, this.cluster.arn] },
        { Sid: "TheirTopics", Effect: "Allow", Action: [...REPLICATOR_ACTIONS.topic], Resource: [scoped(props.homeRegion, props.source.clusterName, "topic"), scoped(props.region, props.name, "topic")] },
        { Sid: "TheirConsumerGroups", Effect: "Allow", Action: [...REPLICATOR_ACTIONS.group], Resource: [scoped(props.homeRegion, props.source.clusterName, "group"), scoped(props.region, props.name, "group")] },
      ]),
    });
    this.replicator = new MskReplicator(this, "Replicator", {
      replicatorName: `${props.name}-mirror`,
      // Constant: MSK cannot update a replicator's description (a changing one would never converge).
      description: `Kafka mirror of ${props.homeRegion} into ${props.region}`,
      serviceExecutionRoleArn: role.arn,
      kafkaCluster: [
        // The home cluster, through MSK's multi-VPC connectivity (no security group: MSK creates the connection).
        { amazonMskCluster: { mskClusterArn: props.source.clusterArn }, vpcConfig: { subnetIds: props.source.subnetIds } },
        { amazonMskCluster: { mskClusterArn: this.cluster.arn }, vpcConfig: { subnetIds: this.subnets.map((s) => s.id), securityGroupsIds: [this.replicatorSecurityGroup.id] } },
      ],
      replicationInfoList: {
        sourceKafkaClusterArn: props.source.clusterArn,
        targetKafkaClusterArn: this.cluster.arn,
        targetCompressionType: REPLICATION.compression,
        topicReplication: [
          {
            topicsToReplicate: props.topics.map(exactTopicPattern),
            copyTopicConfigurations: true,
            copyAccessControlListsForTopics: true,
            detectAndCopyNewTopics: true,
            startingPosition: { type: REPLICATION.startingPosition },
            topicNameConfiguration: { type: REPLICATION.topicNameConfiguration },
          },
        ],
        consumerGroupReplication: [{ consumerGroupsToReplicate: [".*"], synchroniseConsumerGroupOffsets: true, detectAndCopyNewConsumerGroups: true }],
      },
      timeouts: { ...REPLICATION.timeouts },
      // MSK checks the role, the security groups and the clusters when it creates the replicator, not later.
      dependsOn: [rolePolicy, brokersFromReplicator, replicatorToBrokers, this.cluster],
      lifecycle: {
        // A new replicator copies every listed topic again from its earliest record into the same
        // names: replacing it is a decision (docs/deploy.md), not a side effect of a plan.
        preventDestroy: true,
        precondition: [
          {
            // (cdktf 0.21 renders a literal 0 operand as "undefined": at least 1, not more than 0.)
            condition: Token.asString(Op.gte(Fn.lengthOf(props.source.multiVpcBrokers), 1)),
            errorMessage: `The home cluster's multi-VPC connectivity is not on yet (region-<name>'s output kafka_bootstrap_brokers_vpc_connectivity_sasl_iam is empty): apply region-<name> first and wait until the cluster is ACTIVE.`,
          },
        ],
      },
    });
  }
}
