import type { AwsRegionConfig } from "../../../config/schema";
import { Rule, stackRules } from "../../rule";
import { ref, refName, resourcesOf, asList, one, preventsDestroy } from "../../../tfjson/terraform";
import { statementsOf } from "../../../tfjson/iam-policy";
import { onlyFromEksNodes } from "./network";
import { KAFKA_PORTS } from "../../../model/aws/kafka";
import { isKeyArnRef, keyNameByAlias, tierSubnetRefs } from "../../../tfjson/aws";

/** Invariants of the MSK cluster. */
export const KAFKA_RULES: readonly Rule[] = stackRules<AwsRegionConfig>({ layers: ["aws"] }, [
  {
    id: "kafka.tls-and-auth",
    requirement: "4.2.1, 8.3",
    fix: "Keep client_broker = TLS and in_cluster = true, SASL/SCRAM and IAM on, unauthenticated off, public access DISABLED.",
    description: "TLS only client↔broker and in-cluster; SASL/SCRAM and IAM on, unauthenticated off, no public access",
    check: ({ json }) => {
      const clusters = resourcesOf(json, "aws_msk_cluster");
      if (clusters.length === 0) return ["aws_msk_cluster: no Kafka cluster"];
      return clusters.flatMap(([n, c]) => {
        const a = `aws_msk_cluster.${n}`;
        const v: string[] = [];
        const transit = one(c.encryption_info?.encryption_in_transit);
        if (transit.client_broker !== "TLS" || transit.in_cluster !== true) v.push(`${a}: traffic is not TLS only`);
        const auth = one(c.client_authentication);
        const sasl = one(auth.sasl);
        if (sasl.scram !== true || sasl.iam !== true) v.push(`${a}: SASL/SCRAM and IAM are not both on`);
        if (auth.unauthenticated !== false) v.push(`${a}: unauthenticated access is not off`);
        if (c.broker_node_group_info?.connectivity_info?.public_access?.type !== "DISABLED") v.push(`${a}: public access is not DISABLED`);
        return v;
      });
    },
  },
  {
    id: "kafka.encrypted-logged-protected",
    requirement: "3.5.1, 10.2",
    fix: "Keep encryption at rest under the kafka key, broker logs into an EncryptedLogGroup of this stack, and prevent_destroy.",
    description: "data at rest under the kafka key; broker logs to a log group of this stack; protected from destroy",
    check: ({ json }) => {
      const key = keyNameByAlias(json, "kafka");
      const groups = resourcesOf(json, "aws_cloudwatch_log_group").map(([n]) => ref("aws_cloudwatch_log_group", n, "name"));
      return resourcesOf(json, "aws_msk_cluster").flatMap(([n, c]) => {
        const v: string[] = [];
        if (!isKeyArnRef(c.encryption_info?.encryption_at_rest_kms_key_arn, key)) v.push(`aws_msk_cluster.${n}: not encrypted at rest with the kafka key`);
        const logs = one(c.logging_info?.broker_logs?.cloudwatch_logs);
        if (logs.enabled !== true || !groups.includes(logs.log_group)) v.push(`aws_msk_cluster.${n}: broker logs not sent to an encrypted log group of this stack`);
        if (!preventsDestroy(c)) v.push(`aws_msk_cluster.${n}: not protected from destroy`);
        return v;
      });
    },
  },
  {
    id: "kafka.brokers-spread-over-azs",
    requirement: "12.10",
    fix: "Set kafka.brokers in the region file to a multiple of the AZ count (at least 3); brokers use the data-tier subnets.",
    description: "brokers in the data-tier subnets of every AZ, a multiple of the AZ count and at least 3",
    check: ({ json, region }) => {
      const dataSubnets = tierSubnetRefs(json, "data");
      return resourcesOf(json, "aws_msk_cluster").flatMap(([n, c]) => {
        const v: string[] = [];
        const count = c.number_of_broker_nodes;
        if (!(count >= 3) || count % region.availabilityZoneIds.length !== 0) v.push(`aws_msk_cluster.${n}: ${count} brokers over ${region.availabilityZoneIds.length} AZs`);
        if (JSON.stringify([...asList(c.broker_node_group_info?.client_subnets)].sort()) !== JSON.stringify(dataSubnets)) v.push(`aws_msk_cluster.${n}: brokers are not in the data tier of every AZ`);
        return v;
      });
    },
  },
  {
    id: "kafka.configuration",
    requirement: "12.10",
    fix: "Keep the MSK configuration's auto.create.topics.enable=false, allow.everyone.if.no.acl.found=false, min.insync.replicas=2 and default.replication.factor=3.",
    description: "the cluster's configuration: auto.create.topics.enable=false, allow.everyone.if.no.acl.found=false (a SCRAM user reaches only what its ACLs name), min.insync.replicas=2, default.replication.factor=3",
    check: ({ json }) =>
      resourcesOf(json, "aws_msk_cluster").flatMap(([n, c]) => {
        const conf = resourcesOf(json, "aws_msk_configuration").find(([cn]) => c.configuration_info?.arn === ref("aws_msk_configuration", cn, "arn"));
        if (!conf) return [`aws_msk_cluster.${n}: no configuration of this stack`];
        const props = new Map(String(conf[1].server_properties).split("\n").map((l) => l.split("=").map((x) => x.trim()) as [string, string]));
        const expected: Record<string, string> = { "auto.create.topics.enable": "false", "allow.everyone.if.no.acl.found": "false", "min.insync.replicas": "2", "default.replication.factor": "3" };
        return Object.entries(expected).filter(([k, val]) => props.get(k) !== val).map(([k, val]) => `aws_msk_configuration.${conf[0]}: ${k} is ${props.get(k)}, expected ${val}`);
      }),
  },
  {
    id: "kafka.reachable-from-eks-nodes-only",
    requirement: "1.3.1, 1.3.2",
    fix: "Pass the EKS nodes' security group as the cluster's clients; admit only 9096 and 9098 from it.",
    description: "broker security groups admit only the SASL/SCRAM (9096) and IAM (9098) TLS ports, from the EKS nodes' security group only",
    check: ({ json }) =>
      resourcesOf(json, "aws_msk_cluster").flatMap(([n, c]) =>
        onlyFromEksNodes(json, `aws_msk_cluster.${n}`, asList(c.broker_node_group_info?.security_groups) as string[], [KAFKA_PORTS.saslScram, KAFKA_PORTS.iam]),
      ),
  },
  {
    id: "kafka.scram-secrets",
    requirement: "3.5.1, 8.3.2",
    fix: "Create SCRAM secrets through KafkaCluster (AmazonMSK_ name, kafka key, no value in the stack, one aws_msk_single_scram_secret_association each).",
    description: "every SCRAM secret is named AmazonMSK_*, encrypted with the kafka key, has no value in the stack, and is associated one by one",
    check: ({ json, region }) => {
      const key = keyNameByAlias(json, "kafka");
      const secrets = resourcesOf(json, "aws_secretsmanager_secret").filter(([, s]) => String(s.name).includes("AmazonMSK_") || String(s.description).includes("SASL/SCRAM"));
      const v: string[] = [];
      if (secrets.length !== region.kafka.scramUsers.length) v.push(`aws_secretsmanager_secret: ${secrets.length} SCRAM secrets for ${region.kafka.scramUsers.length} users`);
      for (const [n, s] of secrets) {
        if (!String(s.name).startsWith("AmazonMSK_")) v.push(`aws_secretsmanager_secret.${n}: name ${s.name} does not start with AmazonMSK_`);
        if (!isKeyArnRef(s.kms_key_id, key)) v.push(`aws_secretsmanager_secret.${n}: not under the kafka key`);
      }
      for (const t of ["aws_secretsmanager_secret_version", "aws_msk_scram_secret_association"]) {
        for (const [rn] of resourcesOf(json, t)) v.push(`${t}.${rn}: ${t.endsWith("version") ? "a secret value in the stack" : "the plural association replaces every association"}`);
      }
      const associations = resourcesOf(json, "aws_msk_single_scram_secret_association").length;
      if (associations !== (region.kafka.scramSecretsReady ? secrets.length : 0)) v.push(`aws_msk_single_scram_secret_association: ${associations}, expected ${region.kafka.scramSecretsReady ? secrets.length : 0}`);
      return v;
    },
  },
  {
    id: "kafka.idempotent-producers",
    requirement: "7.2.1, 12.10",
    fix: "Grant kafka-cluster:WriteDataIdempotently on the cluster wherever a role may WriteData on its topics (the stack's service roles do).",
    description: "every role that may write to a topic of the cluster may also write idempotently on the cluster: Kafka producers are idempotent by default, and MSK refuses them without that action",
    check: ({ json }) =>
      resourcesOf(json, "aws_iam_role_policy").flatMap(([n, p]) => {
        const statements = statementsOf(String(p.policy)).filter((st) => st.Effect === "Allow");
        const writes = statements.some((st) => asList(st.Action).includes("kafka-cluster:WriteData") && asList(st.Resource).some((r) => String(r).includes(":topic/")));
        const idempotent = statements.some((st) => asList(st.Action).includes("kafka-cluster:WriteDataIdempotently") && asList(st.Resource).some((r) => refName(r, "aws_msk_cluster", "arn") !== undefined));
        return writes && !idempotent ? [`aws_iam_role_policy.${n}: may write to topics but not idempotently (kafka-cluster:WriteDataIdempotently on the cluster)`] : [];
      }),
  },
]);
