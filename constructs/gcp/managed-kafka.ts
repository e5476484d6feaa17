import { ComputeSubnetwork } from "@cdktf/provider-google/lib/compute-subnetwork";
import { KmsCryptoKey } from "@cdktf/provider-google/lib/kms-crypto-key";
import { ManagedKafkaAcl } from "@cdktf/provider-google/lib/managed-kafka-acl";
import { ManagedKafkaCluster } from "@cdktf/provider-google/lib/managed-kafka-cluster";
import { ManagedKafkaTopic } from "@cdktf/provider-google/lib/managed-kafka-topic";
import { Construct } from "constructs";

/** A topic of the cluster. */
export interface ManagedKafkaTopicSpec {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly retentionHours: number;
}

/** Who may read and write which topics: a Kafka principal (`User:<service account email>`). */
export interface ManagedKafkaClient {
  /** Construct id of the client (the service's name). */
  readonly id: string;
  /** The client's Google service account email. */
  readonly serviceAccountEmail: string;
  readonly read: readonly string[];
  readonly write: readonly string[];
}

/** Properties of {@link ManagedKafka}. */
export interface ManagedKafkaProps {
  /** Cluster id. */
  readonly name: string;
  readonly region: string;
  readonly vcpuCount: number;
  readonly memoryGiB: number;
  /** The kafka key (CMEK); Managed Kafka cannot change it later. */
  readonly key: KmsCryptoKey;
  /** The data subnet: the brokers' PSC endpoints live there. */
  readonly dataSubnet: ComputeSubnetwork;
  readonly topics: readonly ManagedKafkaTopicSpec[];
  /** Clients and their topics; each gets topic ACLs for exactly those. */
  readonly clients: readonly ManagedKafkaClient[];
}

/**
 * Managed Service for Apache Kafka, the counterpart of MSK: TLS always (Google's only option),
 * IAM authentication (SASL OAUTHBEARER with Workload Identity; no SCRAM exists), at rest under the
 * kafka key, reachable only through endpoints in the data subnet, three replicas per topic with
 * `min.insync.replicas=2`, and ACLs that give each client exactly its declared topics and, to a
 * reader, a consumer group of its own name (PCI DSS 3.5, 4.2, 7.2).
 */
export class ManagedKafka extends Construct {
  readonly cluster: ManagedKafkaCluster;
  readonly topics: Readonly<Record<string, ManagedKafkaTopic>>;

  constructor(scope: Construct, id: string, props: ManagedKafkaProps) {
    super(scope, id);
    if (props.vcpuCount < 3) throw new Error(`ManagedKafka ${props.name}: vcpuCount ${props.vcpuCount} is under 3; the brokers must spread over three zones.`);
    this.cluster = new ManagedKafkaCluster(this, "Cluster", {
      clusterId: props.name,
      location: props.region,
      capacityConfig: { vcpuCount: String(props.vcpuCount), memoryBytes: String(props.memoryGiB * 1024 ** 3) },
      gcpConfig: { accessConfig: { networkConfigs: [{ subnet: props.dataSubnet.id }] }, kmsKey: props.key.id },
      rebalanceConfig: { mode: "AUTO_REBALANCE_ON_SCALE_UP" },
      lifecycle: { preventDestroy: true },
    });
    const topics: Record<string, ManagedKafkaTopic> = {};
    for (const t of props.topics) {
      if (t.replicationFactor < 3) throw new Error(`ManagedKafka ${props.name}: topic ${t.name} has ${t.replicationFactor} replicas; use 3 so that min.insync.replicas=2 survives a zone loss.`);
      topics[t.name] = new ManagedKafkaTopic(this, `Topic-${t.name}`, {
        topicId: t.name,
        cluster: this.cluster.clusterId,
        location: props.region,
        partitionCount: t.partitions,
        replicationFactor: t.replicationFactor,
        configs: {
          "min.insync.replicas": "2",
          "cleanup.policy": "delete",
          "retention.ms": String(t.retentionHours * 3600 * 1000),
          "unclean.leader.election.enable": "false",
        },
      });
    }
    this.topics = topics;
    // One ACL per topic that a client uses, listing every client and operation on it.
    const topicNames = [...new Set(props.clients.flatMap((c) => [...c.read, ...c.write]))].sort();
    for (const topic of topicNames) {
      if (!topics[topic]) throw new Error(`ManagedKafka ${props.name}: a client uses topic ${topic}, which is not declared.`);
      const entries = props.clients.flatMap((c) => [
        ...(c.read.includes(topic) ? [{ principal: `User:${c.serviceAccountEmail}`, operation: "READ", permissionType: "ALLOW", host: "*" }] : []),
        ...(c.write.includes(topic) ? [{ principal: `User:${c.serviceAccountEmail}`, operation: "WRITE", permissionType: "ALLOW", host: "*" }] : []),
        ...(c.read.includes(topic) || c.write.includes(topic) ? [{ principal: `User:${c.serviceAccountEmail}`, operation: "DESCRIBE", permissionType: "ALLOW", host: "*" }] : []),
      ]);
      new ManagedKafkaAcl(this, `Acl-${topic}`, { aclId: `topic/${topic}`, cluster: this.cluster.clusterId, location: props.region, aclEntries: entries, dependsOn: [topics[topic]] });
    }
    // A reader consumes in a group of its own name, and only it.
    for (const c of props.clients.filter((x) => x.read.length > 0)) {
      new ManagedKafkaAcl(this, `Acl-group-${c.id}`, {
        aclId: `consumerGroup/${c.id}`,
        cluster: this.cluster.clusterId,
        location: props.region,
        aclEntries: ["READ", "DESCRIBE"].map((operation) => ({ principal: `User:${c.serviceAccountEmail}`, operation, permissionType: "ALLOW", host: "*" })),
      });
    }
  }
}
