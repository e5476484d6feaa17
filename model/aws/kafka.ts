/** The MSK brokers' client ports, and the Kafka ACLs of its SASL/SCRAM users. */
import type { AwsRegionConfig } from "../../config/schema";

/**
 * The brokers' configuration (every MSK cluster of the blueprint): no auto-created topics, writes
 * need two in-sync replicas, no access without an ACL (SASL/SCRAM users reach only the topics
 * their ACLs name; IAM clients are authorized by their IAM policies, not by ACLs).
 */
export const MSK_SERVER_PROPERTIES = [
  "auto.create.topics.enable=false",
  "allow.everyone.if.no.acl.found=false",
  "default.replication.factor=3",
  "min.insync.replicas=2",
  "unclean.leader.election.enable=false",
  "num.partitions=6",
] as const;

/** Broker ports for the enabled client authentications (TLS-only listeners). */
export const KAFKA_PORTS = { saslScram: 9096, iam: 9098 } as const;

/** One Kafka ACL a SASL/SCRAM user gets (created with kafka-acls.sh: no Kafka provider plans offline). */
export interface ScramAcl {
  /** The SCRAM user (`User:<user>`). */
  readonly user: string;
  readonly resource: "topic" | "group" | "cluster";
  /** The topic, the consumer group prefix, or `kafka-cluster`. */
  readonly name: string;
  readonly patternType: "LITERAL" | "PREFIXED";
  readonly operations: readonly string[];
}

/**
 * The ACLs of each SASL/SCRAM user: exactly the topics its service (the service of the same name)
 * declares in `access.kafka`, as its IAM role has them; the brokers deny everything else
 * (allow.everyone.if.no.acl.found=false).
 */
export function scramAcls(region: AwsRegionConfig): ScramAcl[] {
  return region.kafka.scramUsers.flatMap((user): ScramAcl[] => {
    const access = region.services.find((s) => s.name === user)?.access?.kafka;
    if (!access) return [];
    return [
      ...access.write.map((name) => ({ user, resource: "topic" as const, name, patternType: "LITERAL" as const, operations: ["Write", "Describe"] })),
      ...(access.write.length > 0 ? [{ user, resource: "cluster" as const, name: "kafka-cluster", patternType: "LITERAL" as const, operations: ["IdempotentWrite"] }] : []),
      ...access.read.map((name) => ({ user, resource: "topic" as const, name, patternType: "LITERAL" as const, operations: ["Read", "Describe"] })),
      ...(access.read.length > 0 ? [{ user, resource: "group" as const, name: user, patternType: "PREFIXED" as const, operations: ["Read"] }] : []),
    ];
  });
}
