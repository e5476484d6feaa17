/**
 * The Kafka mirror in the DR partner region (`region-<name>-dr`) and its source at home: exactly the
 * listed topics, into a cluster as closed as the home one under the partner's key, through a VPC
 * with no way out, read at home through MSK's own connection and nothing wider.
 */
import type { AwsRegionConfig } from "../../../config/schema";
import { Rule, stackRules } from "../../rule";
import { TfJson, asList, one, preventsDestroy, ref, refName, resourcesOf, sameJson, sortedStrings } from "../../../tfjson/terraform";
import { statementsOf } from "../../../tfjson/iam-policy";
import { isKeyArnRef, keyNameByAlias } from "../../../tfjson/aws";
import { regionOutput } from "../../../tfjson/kubernetes";
import { KAFKA_PORTS } from "../../../model/aws/kafka";
import { INTERNET_PATHS } from "./network";
import { KAFKA_MIRROR_OUTPUT_IDS, REPLICATION, REPLICATOR_ACTIONS, REPLICATOR_SOURCE_ACTIONS, exactTopicPattern, mirrorsKafka } from "../../../model/aws/kafka-mirror";
import { DR_MIRROR_KEY_ALIASES } from "../../../model/aws/keys";

/** No way out of the mirror's VPC: the region's internet paths, and peering, transit gateways and endpoints too (it needs none). */
const MIRROR_WAYS_OUT = [...INTERNET_PATHS, "aws_vpc_peering_connection", "aws_ec2_transit_gateway_vpc_attachment", "aws_vpc_endpoint"];

/** Rules of `region-<name>-dr`. */
export const KAFKA_MIRROR_RULES: readonly Rule[] = stackRules<AwsRegionConfig>({ layers: ["dr"] }, [
  {
    id: "dr.kafka-mirror",
    requirement: "12.10.1, 3.5.1, 4.2.1, 7.2.1",
    fix: "Keep KafkaMirror as built from the region file: change what is mirrored in kafka.mirrorTopics; the replicator, its role and the mirror cluster take no edits.",
    description:
      "one MSK Replicator, protected from destroy and planned only once the home cluster's multi-VPC connectivity is on (a precondition on region-<name>'s output), mirrors exactly the region file's kafka.mirrorTopics (each by its exact pattern, under the same name, from the earliest record) from the home cluster (region-<name>'s output) into this stack's cluster, with a role that MSK alone assumes for this account and that may use only the replicator's documented actions on the two clusters' own resources; the mirror is TLS only, IAM only, unauthenticated off, no public access, encrypted under the partner's dr-kafka key, its broker logs on, protected from destroy",
    check: ({ json, region }) => {
      const v: string[] = [];
      const replicators = resourcesOf(json, "aws_msk_replicator");
      const clusters = resourcesOf(json, "aws_msk_cluster");
      if (replicators.length !== 1 || clusters.length !== 1) return [`aws_msk_replicator: ${replicators.length} replicator(s) and ${clusters.length} cluster(s), expected one of each`];
      const [cn, c] = clusters[0];
      const [rn, r] = replicators[0];
      const at = `aws_msk_replicator.${rn}`;
      const info = one(r.replication_info_list);
      const topics = one(info.topic_replication);
      const want = region.kafka.mirrorTopics.map(exactTopicPattern).sort();
      if (!sameJson(sortedStrings(topics.topics_to_replicate), want)) v.push(`${at}: replicates ${JSON.stringify(sortedStrings(topics.topics_to_replicate))}, expected exactly kafka.mirrorTopics ${JSON.stringify(want)}`);
      if (one(topics.topic_name_configuration).type !== REPLICATION.topicNameConfiguration) v.push(`${at}: topic names ${one(topics.topic_name_configuration).type ?? "prefixed with the source's alias"}, not IDENTICAL (a recovery's clients would not find their topics)`);
      if (one(topics.starting_position).type !== REPLICATION.startingPosition) v.push(`${at}: starts at ${one(topics.starting_position).type ?? "LATEST"}, not EARLIEST (what the topics held before would not be mirrored)`);
      const source = regionOutput(json, KAFKA_MIRROR_OUTPUT_IDS.sourceClusterArn);
      const target = ref("aws_msk_cluster", cn, "arn");
      if (info.source_kafka_cluster_arn !== source || info.target_kafka_cluster_arn !== target) v.push(`${at}: replicates ${info.source_kafka_cluster_arn} into ${info.target_kafka_cluster_arn}, expected region-${region.name}'s cluster into ${target}`);
      if (!preventsDestroy(r)) v.push(`${at}: not protected from destroy (a replacement copies every topic again from its earliest record into the same names)`);
      const multiVpc = regionOutput(json, KAFKA_MIRROR_OUTPUT_IDS.sourceMultiVpcBrokers)?.slice(2, -1);
      if (!asList<TfJson>(r.lifecycle?.precondition).some((p) => multiVpc !== undefined && String(p.condition).includes(`length(${multiVpc})`))) v.push(`${at}: no precondition on the home cluster's multi-VPC connectivity (the replicator would fail half an hour into the apply)`);
      const ends = asList<TfJson>(r.kafka_cluster).map((k) => one(k.amazon_msk_cluster).msk_cluster_arn);
      if (!sameJson([...ends].sort(), [source, target].sort())) v.push(`${at}: connects to ${JSON.stringify(ends)}, expected the two clusters`);
      // The role.
      const roleName = refName(r.service_execution_role_arn, "aws_iam_role", "arn");
      const role = roleName ? (json.resource?.aws_iam_role?.[roleName] as TfJson | undefined) : undefined;
      if (!role) v.push(`${at}: its role is not this stack's`);
      else {
        const trust = statementsOf(role.assume_role_policy);
        const ok = trust.length === 1 && sameJson(trust[0].Principal, { Service: "kafka.amazonaws.com" }) && trust[0].Condition?.StringEquals?.["aws:SourceAccount"] === region.accountId;
        if (!ok) v.push(`aws_iam_role.${roleName}: assumed by ${JSON.stringify(trust.map((s) => s.Principal))}, not MSK alone for account ${region.accountId}`);
        const allowed = new Set<string>([...REPLICATOR_ACTIONS.cluster, ...REPLICATOR_ACTIONS.topic, ...REPLICATOR_ACTIONS.group]);
        for (const [pn, p] of resourcesOf(json, "aws_iam_role_policy").filter(([, x]) => x.role === ref("aws_iam_role", roleName!, "id"))) {
          for (const s of statementsOf(p.policy)) {
            const extra = asList<string>(s.Action as string | string[]).filter((a) => !allowed.has(a));
            if (extra.length > 0) v.push(`aws_iam_role_policy.${pn}: ${s.Sid ?? "a statement"} allows ${extra.join(", ")}, beyond the replicator's documented actions`);
            for (const res of asList<string>(s.Resource as string | string[])) {
              if (res === "*" || /:(cluster|topic|group)\/\*/.test(res)) v.push(`aws_iam_role_policy.${pn}: ${s.Sid ?? "a statement"} reaches ${res}, not only the two clusters' resources`);
            }
          }
        }
      }
      // The mirror cluster.
      const a = `aws_msk_cluster.${cn}`;
      const transit = one(c.encryption_info?.encryption_in_transit);
      if (transit.client_broker !== "TLS" || transit.in_cluster !== true) v.push(`${a}: traffic is not TLS only`);
      const auth = one(c.client_authentication);
      if (one(auth.sasl).iam !== true || one(auth.sasl).scram === true || auth.unauthenticated !== false || one(auth.tls).certificate_authority_arns !== undefined) v.push(`${a}: clients are not authenticated by IAM only`);
      if (c.broker_node_group_info?.connectivity_info?.public_access?.type !== "DISABLED") v.push(`${a}: public access is not DISABLED`);
      if (!isKeyArnRef(c.encryption_info?.encryption_at_rest_kms_key_arn, keyNameByAlias(json, DR_MIRROR_KEY_ALIASES.kafka))) v.push(`${a}: not encrypted under the partner's ${DR_MIRROR_KEY_ALIASES.kafka} key`);
      if (c.logging_info?.broker_logs?.cloudwatch_logs?.enabled !== true) v.push(`${a}: broker logs off`);
      if (!preventsDestroy(c)) v.push(`${a}: not protected from destroy (prevent_destroy)`);
      return v;
    },
  },
  {
    id: "dr.network-private",
    requirement: "1.3.1, 1.4.1, 10.2.1",
    fix: "Keep KafkaMirror's network: one VPC of drNetwork with its data subnets only, no gateway, route, endpoint or peering, VPC Block Public Access on, flow logs of all traffic, the defaults stripped, the NACL of the VPC's block, the brokers open to the replicator on 9098 only.",
    description:
      "the mirror's VPC is drNetwork's block with one private data subnet per configured zone, no internet, NAT or VPN gateway, EIP, route, endpoint or peering, VPC Block Public Access block-bidirectional, flow logs of ALL traffic, the default security group and NACL without rules, the data NACL admitting the VPC's own block only; the brokers admit the replicator's security group on 9098 and nothing else, and no security group rule names an address block",
    check: ({ json, region }) => {
      const v: string[] = [];
      const dr = region.drNetwork;
      v.push(...MIRROR_WAYS_OUT.flatMap((t) => resourcesOf(json, t).map(([n]) => `${t}.${n}: a way out of the mirror's VPC`)));
      for (const t of ["aws_route_table", "aws_default_route_table"]) for (const [n, rt] of resourcesOf(json, t)) if (asList(rt.route).length > 0) v.push(`${t}.${n}: has routes ${JSON.stringify(rt.route)}`);
      const bpa = resourcesOf(json, "aws_vpc_block_public_access_options");
      if (bpa.length !== 1 || bpa[0][1].internet_gateway_block_mode !== "block-bidirectional") v.push("aws_vpc_block_public_access_options: not block-bidirectional");
      const vpcs = resourcesOf(json, "aws_vpc");
      if (!dr || vpcs.length !== 1 || vpcs[0][1].cidr_block !== dr.vpcCidr) return [...v, `aws_vpc: ${vpcs.map(([n, x]) => `${n} ${x.cidr_block}`).join(", ") || "none"}; expected exactly one VPC with drNetwork's block ${dr?.vpcCidr}`];
      const [vn] = vpcs[0];
      const subnets = resourcesOf(json, "aws_subnet");
      for (const [n, s] of subnets) if (s.map_public_ip_on_launch !== false) v.push(`aws_subnet.${n}: map_public_ip_on_launch is not false`);
      // Stryker disable next-line MethodExpression: equivalent (the synthesized subnets are named after their zone, so they come in the zones' order)
      const actual = subnets.map(([, s]) => `${s.availability_zone_id}=${s.cidr_block}`).sort();
      const expected = dr.availabilityZoneIds.map((az, i) => `${az}=${dr.data[i]}`).sort();
      if (!sameJson(actual, expected)) v.push(`aws_subnet: ${JSON.stringify(actual)}, expected drNetwork's ${JSON.stringify(expected)}`);
      const flows = resourcesOf(json, "aws_flow_log").filter(([, f]) => f.vpc_id === ref("aws_vpc", vn, "id") && f.traffic_type === "ALL");
      if (flows.length === 0) v.push(`aws_flow_log: no flow log of ALL traffic on aws_vpc.${vn}`);
      for (const [n, d] of [...resourcesOf(json, "aws_default_security_group"), ...resourcesOf(json, "aws_default_network_acl")]) {
        if (asList(d.ingress).length + asList(d.egress).length > 0) v.push(`${n}: a default with rules (nothing may fall back on an open default)`);
      }
      if (resourcesOf(json, "aws_default_security_group").length !== 1) v.push("aws_default_security_group: the VPC's default security group is not adopted and stripped");
      for (const [n, acl] of resourcesOf(json, "aws_network_acl")) {
        for (const rule of [...asList<TfJson>(acl.ingress), ...asList<TfJson>(acl.egress)]) if (rule.action === "allow" && rule.cidr_block !== dr.vpcCidr) v.push(`aws_network_acl.${n}: allows ${rule.cidr_block}, outside the VPC's block`);
      }
      const cluster = resourcesOf(json, "aws_msk_cluster")[0]?.[1];
      const brokerGroups = asList<string>(cluster?.broker_node_group_info?.security_groups).map((g) => refName(g, "aws_security_group", "id"));
      for (const [n, r] of resourcesOf(json, "aws_vpc_security_group_ingress_rule")) {
        const into = refName(r.security_group_id, "aws_security_group", "id");
        if (r.cidr_ipv4 !== undefined || r.cidr_ipv6 !== undefined || r.prefix_list_id !== undefined) v.push(`aws_vpc_security_group_ingress_rule.${n}: admits an address block (${r.cidr_ipv4 ?? r.cidr_ipv6 ?? r.prefix_list_id})`);
        if (brokerGroups.includes(into) && (r.ip_protocol !== "tcp" || r.from_port !== KAFKA_PORTS.iam || r.to_port !== KAFKA_PORTS.iam)) v.push(`aws_vpc_security_group_ingress_rule.${n}: opens the brokers on ${r.ip_protocol} ${r.from_port}-${r.to_port}, not Kafka IAM (${KAFKA_PORTS.iam}) only`);
      }
      for (const [n, r] of resourcesOf(json, "aws_vpc_security_group_egress_rule")) {
        if (r.cidr_ipv4 !== undefined || r.cidr_ipv6 !== undefined || r.prefix_list_id !== undefined) v.push(`aws_vpc_security_group_egress_rule.${n}: reaches an address block (${r.cidr_ipv4 ?? r.cidr_ipv6 ?? r.prefix_list_id})`);
      }
      for (const [n, g] of resourcesOf(json, "aws_security_group")) if (asList(g.ingress).length + asList(g.egress).length > 0) v.push(`aws_security_group.${n}: inline rules (write them as rule resources, which the rule reads)`);
      return v;
    },
  },
  {
    id: "dr.mirror-keys",
    requirement: "3.6.1, 3.7.4",
    fix: "Create the mirror's keys through KafkaMirror (CustomerManagedKey): dr-kafka and dr-logs, single-region, rotating yearly, protected from destroy.",
    description: "the mirror has exactly its two keys, alias/<prefix>-<region>/dr-kafka and dr-logs, each single-region, rotating, with a 30-day deletion window and protected from destroy; its flow and broker logs are encrypted under dr-logs and kept as long as the region's logs",
    check: ({ json, region }) => {
      const v: string[] = [];
      const prefix = `alias/${region.naming.prefix}-${region.name}/`;
      // Stryker disable next-line MethodExpression: equivalent (the aliases' resources are named after their key, in the constant's order)
      const aliases = resourcesOf(json, "aws_kms_alias").map(([, a]) => String(a.name)).sort();
      // Stryker disable next-line MethodExpression: equivalent (the constant lists dr-kafka before dr-logs)
      const want = Object.values(DR_MIRROR_KEY_ALIASES).map((s) => `${prefix}${s}`).sort();
      if (!sameJson(aliases, want)) v.push(`aws_kms_alias: ${JSON.stringify(aliases)}, expected ${JSON.stringify(want)}`);
      for (const [n, k] of resourcesOf(json, "aws_kms_key")) {
        if (k.enable_key_rotation !== true) v.push(`aws_kms_key.${n}: rotation off`);
        if (k.multi_region === true) v.push(`aws_kms_key.${n}: multi-region (its material would leave the partner region)`);
        if (k.deletion_window_in_days !== 30) v.push(`aws_kms_key.${n}: deletion window ${k.deletion_window_in_days}, not 30 days`);
        if (!preventsDestroy(k)) v.push(`aws_kms_key.${n}: not protected from destroy`);
      }
      const logsKey = keyNameByAlias(json, DR_MIRROR_KEY_ALIASES.logs);
      for (const [n, g] of resourcesOf(json, "aws_cloudwatch_log_group")) {
        if (!isKeyArnRef(g.kms_key_id, logsKey)) v.push(`aws_cloudwatch_log_group.${n}: not encrypted under ${DR_MIRROR_KEY_ALIASES.logs}`);
        if (g.retention_in_days !== region.retention.logDays) v.push(`aws_cloudwatch_log_group.${n}: kept ${g.retention_in_days} days, not the region's ${region.retention.logDays}`);
      }
      return v;
    },
  },
]);

/** At home (`region-<name>`): the source the replicator reads, opened exactly as far as it needs and only where the region mirrors. */
export const KAFKA_SOURCE_RULES: readonly Rule[] = stackRules<AwsRegionConfig>({ layers: ["aws"] }, [
  {
    id: "kafka.replicator-source",
    requirement: "1.3, 7.2.1",
    fix: "List the topics in kafka.mirrorTopics (with drPartnerRegion and drNetwork); KafkaCluster's `replicated` then opens multi-VPC connectivity with IAM only and the cluster policy for MSK; remove both where nothing is mirrored.",
    description:
      "where the region mirrors Kafka topics, the home cluster has MSK's multi-VPC connectivity with IAM only (no SCRAM, no TLS certificates over it) and one cluster policy letting the MSK service alone create the replicator's connection, read the bootstrap brokers and describe the cluster; where it mirrors nothing, neither",
    check: ({ json, region }) => {
      const v: string[] = [];
      const mirrors = mirrorsKafka(region);
      const policies = resourcesOf(json, "aws_msk_cluster_policy");
      for (const [n, c] of resourcesOf(json, "aws_msk_cluster")) {
        const vpc = c.broker_node_group_info?.connectivity_info?.vpc_connectivity;
        const auth = one(one(vpc).client_authentication);
        if (!mirrors && vpc !== undefined) v.push(`aws_msk_cluster.${n}: multi-VPC connectivity where nothing is mirrored (another VPC could connect)`);
        if (mirrors && (one(auth.sasl).iam !== true || one(auth.sasl).scram === true || auth.tls === true)) v.push(`aws_msk_cluster.${n}: multi-VPC connectivity is not IAM only`);
        const mine = policies.filter(([, p]) => p.cluster_arn === ref("aws_msk_cluster", n, "arn"));
        if (!mirrors && mine.length > 0) v.push(`aws_msk_cluster_policy.${mine[0][0]}: a cluster policy where nothing is mirrored`);
        if (mirrors && mine.length !== 1) v.push(`aws_msk_cluster.${n}: ${mine.length} cluster policies, expected the replicator's one`);
        for (const [pn, p] of mine) {
          for (const s of statementsOf(p.policy)) {
            if (!sameJson(s.Principal, { Service: "kafka.amazonaws.com" }) || !sameJson(sortedStrings(s.Action), [...REPLICATOR_SOURCE_ACTIONS].sort()) || s.Resource !== ref("aws_msk_cluster", n, "arn")) {
              v.push(`aws_msk_cluster_policy.${pn}: ${s.Sid ?? "a statement"} grants ${JSON.stringify(s.Action)} to ${JSON.stringify(s.Principal)} on ${JSON.stringify(s.Resource)}, not the replicator's connection (${REPLICATOR_SOURCE_ACTIONS.join(", ")}) to MSK on this cluster`);
            }
          }
        }
      }
      return v;
    },
  },
]);
