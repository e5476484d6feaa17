import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { KafkaCluster, KafkaClusterProps } from "../../../constructs/aws/kafka-cluster";
import { PrivateLinkNetwork } from "../../../constructs/aws/private-link-network";
import { TestStack, newStack, synthJson } from "../../support/construct-stack";
import { testNetworkProps } from "../../support/fixtures";

function kafka(stack: TestStack, overrides: Partial<KafkaClusterProps> = {}) {
  const network = new PrivateLinkNetwork(stack, "Network", testNetworkProps(stack));
  return new KafkaCluster(stack, "Kafka", {
    name: "t-eu",
    network,
    clients: { securityGroup: new SecurityGroup(stack, "Clients", { vpcId: network.vpc.id }), description: "the clients" },
    kafkaKey: new KmsKey(stack, "KafkaKey", {}),
    logsKey: new KmsKey(stack, "LogsKey", {}),
    logRetentionDays: 365,
    accountId: "123456789012",
    ...overrides,
  });
}

describe("KafkaCluster", () => {
  it("is secure by default: TLS only, SCRAM + IAM, no unauthenticated or public access, one broker per AZ", () => {
    const stack = newStack();
    kafka(stack);
    const c = synthJson(stack).resource.aws_msk_cluster.kafka_cluster;
    expect(c).toMatchObject({
      kafka_version: "3.6.0",
      number_of_broker_nodes: 3,
      encryption_info: { encryption_at_rest_kms_key_arn: "${aws_kms_key.kafka_key.arn}", encryption_in_transit: { client_broker: "TLS", in_cluster: true } },
      client_authentication: { sasl: { scram: true, iam: true }, unauthenticated: false },
      broker_node_group_info: { connectivity_info: { public_access: { type: "DISABLED" } } },
      lifecycle: { prevent_destroy: true },
    });
  });

  it("creates AmazonMSK_ secrets under the kafka key, and associates them one by one only when asked", () => {
    const stack = newStack();
    kafka(stack, { scramUsers: ["payment-core"] });
    let r = synthJson(stack).resource;
    expect(r.aws_secretsmanager_secret["kafka_scram_secrets_payment-core_secret"]).toMatchObject({ name: "AmazonMSK_t-eu_payment-core", kms_key_id: "${aws_kms_key.kafka_key.arn}" });
    expect(r.aws_msk_single_scram_secret_association).toBeUndefined();
    const ready = newStack();
    kafka(ready, { scramUsers: ["payment-core"], associateScramSecrets: true });
    r = synthJson(ready).resource;
    expect(Object.keys(r.aws_msk_single_scram_secret_association)).toEqual(["kafka_scram_secrets_payment-core_association"]);
    expect(r.aws_secretsmanager_secret_version).toBeUndefined();
  });

  it("rejects brokers that do not spread over the AZs", () => {
    expect(() => kafka(newStack(), { brokers: 4 })).toThrow(/multiple of the AZ count/);
  });

  it("rejects a topic that cannot survive a broker loss", () => {
    expect(() => kafka(newStack(), { topics: [{ name: "payments.raw", partitions: 3, replicationFactor: 2, retentionHours: 24 }] })).toThrow(/replication factor between 3 and 3/);
  });

  it("rejects a SCRAM user name that cannot be part of a secret name", () => {
    expect(() => kafka(newStack(), { scramUsers: ["payment core"] })).toThrow(/SCRAM user "payment core"/);
  });
});
