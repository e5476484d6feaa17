import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { MskCluster } from "@cdktf/provider-aws/lib/msk-cluster";
import { MskClusterPolicy } from "@cdktf/provider-aws/lib/msk-cluster-policy";
import { MskConfiguration } from "@cdktf/provider-aws/lib/msk-configuration";
import { MskSingleScramSecretAssociation } from "@cdktf/provider-aws/lib/msk-single-scram-secret-association";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretPolicy } from "@cdktf/provider-aws/lib/secretsmanager-secret-policy";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Construct } from "constructs";
import { EncryptedLogGroup } from "./encrypted-log-group";
import { renderPolicy } from "./iam-policy";
import { DataTierClients, PrivateLinkNetwork } from "./private-link-network";
import { KAFKA_PORTS, MSK_SERVER_PROPERTIES } from "../../model/aws/kafka";
import { REPLICATED_CLUSTER_TIMEOUTS, REPLICATOR_SOURCE_ACTIONS } from "../../model/aws/kafka-mirror";

/** A topic the platform needs. Kept as reviewable data: no Kafka provider is available here. */
export interface KafkaTopic {
  /** Topic name, e.g. `payments.raw`. */
  readonly name: string;
  /** Partitions (at least 1). */
  readonly partitions: number;
  /** Replicas; at least 3 so that `min.insync.replicas=2` survives the loss of a broker. */
  readonly replicationFactor: number;
  /** How long records are kept, in hours. */
  readonly retentionHours: number;
}

/** Properties of {@link KafkaCluster}. */
export interface KafkaClusterProps {
  /** Cluster name, unique per account and region. */
  readonly name: string;
  /** The region's network: brokers live in the data tier, reachable from its clients only. */
  readonly network: PrivateLinkNetwork;
  /** The only clients admitted (reference model: the EKS nodes). */
  readonly clients: DataTierClients;
  /** Encrypts data at rest and the SCRAM secrets (AWS rejects secrets under the default key). */
  readonly kafkaKey: KmsKey;
  /** Encrypts the broker log group. */
  readonly logsKey: KmsKey;
  /** Days to keep broker logs (≥ 365). */
  readonly logRetentionDays: number;
  /** Account (condition on the secrets' resource policy). */
  readonly accountId: string;
  /**
   * Brokers: a multiple of the number of AZs, at least 3.
   * @default - one per AZ
   */
  readonly brokers?: number;
  /**
   * Kafka version, pinned.
   * @default "3.6.0"
   */
  readonly kafkaVersion?: string;
  /**
   * Broker instance type.
   * @default "kafka.m5.large"
   */
  readonly instanceType?: string;
  /**
   * EBS volume per broker, GiB.
   * @default 100
   */
  readonly volumeSizeGib?: number;
  /**
   * SASL/SCRAM users. Each gets a secret `AmazonMSK_<name>_<user>` under the kafka key; the
   * value is written outside Terraform (docs/deploy.md, step 4), never into the stack or state.
   * @default - none
   */
  readonly scramUsers?: readonly string[];
  /**
   * Associate the SCRAM secrets with the cluster. MSK rejects a secret with no value, so the
   * first apply creates empty secrets, an operator writes their values, and the next apply (with
   * this on) associates them.
   * @default false
   */
  readonly associateScramSecrets?: boolean;
  /** Topics the services need (emitted as data for review and for the topic tooling). */
  readonly topics?: readonly KafkaTopic[];
  /**
   * A replicator of this account reads the cluster (MSK Replicator, from the DR partner region):
   * multi-VPC private connectivity with IAM only, and a cluster policy that lets MSK create the
   * replicator's connection, read the bootstrap brokers and describe the cluster, nothing else.
   * @default false
   */
  readonly replicated?: boolean;
}

/**
 * Amazon MSK for payment events (PCI DSS 3.5, 4.2, 10.2): TLS only between clients and brokers
 * and inside the cluster, SASL/SCRAM and IAM authentication with unauthenticated access off, data
 * at rest under the kafka key, no public access, broker logs to an encrypted log group, and a
 * configuration that forbids auto-created topics and under-replicated writes.
 */
export class KafkaCluster extends Construct {
  readonly cluster: MskCluster;
  readonly configuration: MskConfiguration;
  readonly securityGroup: SecurityGroup;
  readonly logGroup: EncryptedLogGroup;
  /** SCRAM secrets by user. */
  readonly scramSecrets: Readonly<Record<string, SecretsmanagerSecret>>;
  readonly topics: readonly KafkaTopic[];
  /** Where a replicator reads the cluster: the policy that lets MSK connect it. */
  readonly replicatorPolicy?: MskClusterPolicy;

  constructor(scope: Construct, id: string, props: KafkaClusterProps) {
    super(scope, id);
    const network = props.network;
    const azCount = network.availabilityZoneIds.length;
    const brokers = props.brokers ?? azCount;
    if (brokers < 3 || brokers % azCount !== 0) {
      throw new Error(`KafkaCluster ${props.name}: brokers must be a multiple of the AZ count (${azCount}) and at least 3, got ${brokers}.`);
    }
    this.topics = [...(props.topics ?? [])];
    for (const t of this.topics) {
      if (t.replicationFactor < 3 || t.replicationFactor > brokers) {
        throw new Error(`KafkaCluster ${props.name}: topic ${t.name} needs a replication factor between 3 and ${brokers} (min.insync.replicas is 2), got ${t.replicationFactor}.`);
      }
      if (t.partitions < 1) throw new Error(`KafkaCluster ${props.name}: topic ${t.name} needs at least one partition.`);
    }
    const users = props.scramUsers ?? [];
    const badUser = users.find((u) => !/^[A-Za-z0-9_-]+$/.test(u));
    if (badUser !== undefined) throw new Error(`KafkaCluster ${props.name}: SCRAM user "${badUser}" may use letters, digits, _ and - only.`);
    const kafkaVersion = props.kafkaVersion ?? "3.6.0";

    this.logGroup = new EncryptedLogGroup(this, "BrokerLogs", {
      name: `/${props.name}/msk-broker`,
      key: props.logsKey,
      retentionDays: props.logRetentionDays,
    });

    this.securityGroup = network.dataTierSecurityGroup(this, {
      clients: props.clients,
      name: `${props.name}-msk`,
      description: "MSK brokers: SASL/SCRAM and IAM over TLS from their clients (the EKS nodes) only",
      ports: [
        { id: "SaslScram", port: KAFKA_PORTS.saslScram, label: "Kafka SASL/SCRAM over TLS" },
        { id: "Iam", port: KAFKA_PORTS.iam, label: "Kafka IAM auth over TLS" },
      ],
    });

    this.configuration = new MskConfiguration(this, "Configuration", {
      name: `${props.name}-kafka`,
      kafkaVersions: [kafkaVersion],
      description: "No auto-created topics; writes need two in-sync replicas; no access without an ACL",
      serverProperties: MSK_SERVER_PROPERTIES.join("\n"),
    });

    this.cluster = new MskCluster(this, "Cluster", {
      clusterName: props.name,
      kafkaVersion,
      numberOfBrokerNodes: brokers,
      enhancedMonitoring: "PER_TOPIC_PER_BROKER",
      brokerNodeGroupInfo: {
        instanceType: props.instanceType ?? "kafka.m5.large",
        clientSubnets: network.subnets.data.map((s) => s.id),
        securityGroups: [this.securityGroup.id],
        azDistribution: "DEFAULT",
        // Where a replicator reads the cluster: MSK's multi-VPC connectivity, IAM only (SCRAM over it
        // would need an ACL for every principal). Turned on after creation by the provider (MSK
        // refuses it in CreateCluster); on an existing cluster the update can take hours.
        connectivityInfo: { publicAccess: { type: "DISABLED" }, ...(props.replicated ? { vpcConnectivity: { clientAuthentication: { sasl: { iam: true, scram: false }, tls: false } } } : {}) },
        storageInfo: { ebsStorageInfo: { volumeSize: props.volumeSizeGib ?? 100 } },
      },
      encryptionInfo: {
        encryptionAtRestKmsKeyArn: props.kafkaKey.arn,
        encryptionInTransit: { clientBroker: "TLS", inCluster: true },
      },
      clientAuthentication: {
        sasl: { scram: true, iam: true },
        unauthenticated: false,
      },
      configurationInfo: { arn: this.configuration.arn, revision: this.configuration.latestRevision },
      loggingInfo: { brokerLogs: { cloudwatchLogs: { enabled: true, logGroup: this.logGroup.logGroup.name } } },
      lifecycle: { preventDestroy: true },
      ...(props.replicated ? { timeouts: { ...REPLICATED_CLUSTER_TIMEOUTS } } : {}),
    });

    if (props.replicated) {
      this.replicatorPolicy = new MskClusterPolicy(this, "ReplicatorPolicy", {
        clusterArn: this.cluster.arn,
        policy: renderPolicy([{ Sid: "MskReplicatorConnects", Effect: "Allow", Principal: { Service: "kafka.amazonaws.com" }, Action: [...REPLICATOR_SOURCE_ACTIONS], Resource: this.cluster.arn }]),
      });
    }

    const secrets: Record<string, SecretsmanagerSecret> = {};
    const secretScope = new Construct(this, "ScramSecrets");
    for (const user of users) {
      const userScope = new Construct(secretScope, user);
      const secret = new SecretsmanagerSecret(userScope, "Secret", {
        name: `AmazonMSK_${props.name}_${user}`,
        description: `SASL/SCRAM credentials of ${user} on ${props.name} (value written outside Terraform)`,
        kmsKeyId: props.kafkaKey.arn,
        recoveryWindowInDays: 30,
      });
      new SecretsmanagerSecretPolicy(userScope, "Policy", {
        secretArn: secret.arn,
        blockPublicPolicy: true,
        policy: renderPolicy([
          {
            Sid: "MskReadsTheCredentials",
            Effect: "Allow",
            Principal: { Service: "kafka.amazonaws.com" },
            Action: "secretsmanager:GetSecretValue",
            Resource: "*",
            Condition: { StringEquals: { "aws:SourceAccount": props.accountId } },
          },
        ]),
      });
      if (props.associateScramSecrets) {
        // One association per secret: the plural resource would replace every association on the
        // cluster (hashicorp/terraform-provider-aws#16791).
        new MskSingleScramSecretAssociation(userScope, "Association", { clusterArn: this.cluster.arn, secretArn: secret.arn });
      }
      secrets[user] = secret;
    }
    this.scramSecrets = secrets;
  }
}
