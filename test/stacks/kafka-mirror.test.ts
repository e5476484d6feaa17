import { AwsRegionConfig } from "../../config/schema";
import { GUARDRAILS } from "../../guardrails";
import { SynthStack, TfJson, cloneJson, edited, jsonCopy, resourcesOf, shippedAllLayers } from "../support/synth";
import { expectCaught, weakenedViolations } from "../support/weakening";
import { REPLICATOR_SOURCE_ACTIONS } from "../../model/aws/kafka-mirror";

/**
 * Kafka in the DR partner: eu mirrors payment-events and fraud.result into eu-central-1
 * (region-eu-dr); us mirrors nothing. Every condition of the mirror's rules has a weakening.
 */
const all = shippedAllLayers();
const dr = all.find((s) => s.name === "region-eu-dr")! as SynthStack<AwsRegionConfig>;
const eu = all.find((s) => s.name === "region-eu")! as SynthStack<AwsRegionConfig>;
const us = all.find((s) => s.name === "region-us")! as SynthStack<AwsRegionConfig>;
const first = (j: TfJson, type: string) => resourcesOf(j, type)[0][1];
const replicator = (j: TfJson) => first(j, "aws_msk_replicator");
const topics = (j: TfJson) => replicator(j).replication_info_list.topic_replication[0];
const cluster = (j: TfJson) => first(j, "aws_msk_cluster");
const rolePolicy = (j: TfJson) => resourcesOf(j, "aws_iam_role_policy").find(([, p]) => p.name === "replicate-the-mirrored-topics")![1];
const editPolicy = (p: TfJson, attr: string, edit: (doc: TfJson) => void) => {
  const doc = JSON.parse(p[attr]);
  edit(doc);
  p[attr] = JSON.stringify(doc);
};
const replicatorRole = (j: TfJson) => resourcesOf(j, "aws_iam_role").find(([, r]) => String(r.name).endsWith("-replicator"))![1];

describe("the Kafka mirror of region eu", () => {
  it("is its own stack in eu-central-1, after the in-cluster stacks, and us (which mirrors nothing) has none", () => {
    expect(all.filter((s) => s.region.name === "eu").map((s) => s.name)).toEqual(["region-eu", "region-eu-pki", "region-eu-istio", "region-eu-mesh", "region-eu-dr"]);
    expect(all.some((s) => s.name === "region-us-dr")).toBe(false);
    expect(dr.json.provider.aws).toEqual([expect.objectContaining({ region: "eu-central-1", allowed_account_ids: [dr.region.accountId] })]);
    expect(dr.json.terraform.backend.s3.key).toBe(`${dr.region.stateBackend.key.replace(/\.tfstate$/, "")}-dr.tfstate`);
  });
  it("replicates exactly the listed topics, by exact pattern, under their names, from the earliest record, from region-eu's cluster into its own", () => {
    expect([...topics(dr.json).topics_to_replicate].sort()).toEqual(["^fraud\\.result$", "^payment-events$"]);
    expect(topics(dr.json)).toMatchObject({ topic_name_configuration: { type: "IDENTICAL" }, starting_position: { type: "EARLIEST" } });
    expect(replicator(dr.json).replication_info_list.source_kafka_cluster_arn).toBe("${data.terraform_remote_state.region_state.outputs.kafka_cluster_arn}");
    expect(replicator(dr.json).kafka_cluster[0].vpc_config.subnet_ids).toBe("${data.terraform_remote_state.region_state.outputs.kafka_client_subnet_ids}");
    expect(eu.json.output.kafka_cluster_arn.value).toMatch(/^\$\{aws_msk_cluster\.\w+\.arn\}$/);
  });
  it("opens the home cluster to MSK's own connection, IAM only, and only where the region mirrors", () => {
    expect(cluster(eu.json).broker_node_group_info.connectivity_info.vpc_connectivity).toEqual({ client_authentication: { sasl: { iam: true, scram: false }, tls: false } });
    const [policy] = resourcesOf(eu.json, "aws_msk_cluster_policy").map(([, p]) => JSON.parse(p.policy));
    expect(policy.Statement).toEqual([expect.objectContaining({ Principal: { Service: "kafka.amazonaws.com" }, Action: [...REPLICATOR_SOURCE_ACTIONS] })]);
    expect(cluster(us.json).broker_node_group_info.connectivity_info.vpc_connectivity).toBeUndefined();
    expect(resourcesOf(us.json, "aws_msk_cluster_policy")).toEqual([]);
  });
  it("meets every guardrail", () => {
    for (const s of [dr, eu, us]) expect(s.pack.evaluate(s.json).findings.filter((f) => !f.suppressedBy && f.rule.level === "error")).toEqual([]);
  });
});

const rule = (id: string) => GUARDRAILS.find((r) => r.id === id)!;
const ingress = (j: TfJson) => resourcesOf(j, "aws_vpc_security_group_ingress_rule")[0][1];
const WEAKENINGS: [string, "dr" | "eu" | "us", string, (j: TfJson) => void, RegExp][] = [
  ["dr.kafka-mirror", "dr", "no replicator", (j) => delete j.resource.aws_msk_replicator, /0 replicator\(s\) and 1 cluster\(s\)/],
  ["dr.kafka-mirror", "dr", "another topic mirrored", (j) => topics(j).topics_to_replicate.push("^payments\\.raw$"), /expected exactly kafka.mirrorTopics/],
  ["dr.kafka-mirror", "dr", "every topic mirrored", (j) => (topics(j).topics_to_replicate = [".*"]), /replicates \[".\*"\]/],
  ["dr.kafka-mirror", "dr", "names prefixed with the source's alias", (j) => (topics(j).topic_name_configuration.type = "PREFIXED_WITH_SOURCE_CLUSTER_ALIAS"), /not IDENTICAL/],
  ["dr.kafka-mirror", "dr", "only new records", (j) => (topics(j).starting_position.type = "LATEST"), /starts at LATEST, not EARLIEST/],
  ["dr.kafka-mirror", "dr", "a replicator a plan may replace", (j) => delete replicator(j).lifecycle.prevent_destroy, /not protected from destroy \(a replacement copies/],
  ["dr.kafka-mirror", "dr", "no check of the home cluster's connectivity", (j) => delete replicator(j).lifecycle.precondition, /no precondition on the home cluster's multi-VPC connectivity/],
  ["dr.kafka-mirror", "dr", "a check of something else", (j) => (replicator(j).lifecycle.precondition[0].condition = "${length(data.terraform_remote_state.region_state.outputs.kafka_cluster_arn) >= 1}"), /no precondition on the home cluster's multi-VPC connectivity/],
  ["dr.kafka-mirror", "dr", "from another cluster", (j) => (replicator(j).replication_info_list.source_kafka_cluster_arn = "arn:aws:kafka:eu-west-1:111122223333:cluster/other/x"), /expected region-eu's cluster into/],
  ["dr.kafka-mirror", "dr", "connected to another cluster", (j) => (replicator(j).kafka_cluster[0].amazon_msk_cluster.msk_cluster_arn = "arn:aws:kafka:eu-west-1:111122223333:cluster/other/x"), /connects to .*expected the two clusters/],
  ["dr.kafka-mirror", "dr", "a role of another stack", (j) => (replicator(j).service_execution_role_arn = "arn:aws:iam::111122223333:role/anything"), /its role is not this stack's/],
  ["dr.kafka-mirror", "dr", "a role any account's MSK may assume", (j) => editPolicy(replicatorRole(j), "assume_role_policy", (d) => delete d.Statement[0].Condition), /not MSK alone for account/],
  ["dr.kafka-mirror", "dr", "a role another service may assume", (j) => editPolicy(replicatorRole(j), "assume_role_policy", (d) => (d.Statement[0].Principal = { Service: "ec2.amazonaws.com" })), /not MSK alone/],
  ["dr.kafka-mirror", "dr", "the role may delete topics", (j) => editPolicy(rolePolicy(j), "policy", (d) => d.Statement[1].Action.push("kafka-cluster:DeleteTopic")), /allows kafka-cluster:DeleteTopic, beyond/],
  ["dr.kafka-mirror", "dr", "the role reaches every cluster", (j) => editPolicy(rolePolicy(j), "policy", (d) => (d.Statement[0].Resource = "*")), /reaches \*, not only the two clusters/],
  ["dr.kafka-mirror", "dr", "the role reaches every topic of the account", (j) => editPolicy(rolePolicy(j), "policy", (d) => d.Statement[1].Resource.push("arn:aws:kafka:eu-west-1:111122223333:topic/*")), /reaches arn:aws:kafka:eu-west-1:111122223333:topic\/\*/],
  ["dr.kafka-mirror", "dr", "plaintext between brokers", (j) => (cluster(j).encryption_info.encryption_in_transit.in_cluster = false), /traffic is not TLS only/],
  ["dr.kafka-mirror", "dr", "plaintext clients", (j) => (cluster(j).encryption_info.encryption_in_transit.client_broker = "TLS_PLAINTEXT"), /traffic is not TLS only/],
  ["dr.kafka-mirror", "dr", "SCRAM users", (j) => (cluster(j).client_authentication.sasl.scram = true), /not authenticated by IAM only/],
  ["dr.kafka-mirror", "dr", "anonymous clients", (j) => (cluster(j).client_authentication.unauthenticated = true), /not authenticated by IAM only/],
  ["dr.kafka-mirror", "dr", "IAM off", (j) => (cluster(j).client_authentication.sasl.iam = false), /not authenticated by IAM only/],
  ["dr.kafka-mirror", "dr", "certificate clients", (j) => (cluster(j).client_authentication.tls = { certificate_authority_arns: ["arn:aws:acm-pca:eu-central-1:111122223333:certificate-authority/x"] }), /not authenticated by IAM only/],
  ["dr.kafka-mirror", "dr", "public brokers", (j) => (cluster(j).broker_node_group_info.connectivity_info.public_access.type = "SERVICE_PROVIDED_EIPS"), /public access is not DISABLED/],
  ["dr.kafka-mirror", "dr", "under AWS's key", (j) => delete cluster(j).encryption_info.encryption_at_rest_kms_key_arn, /not encrypted under the partner's dr-kafka key/],
  ["dr.kafka-mirror", "dr", "no broker logs", (j) => (cluster(j).logging_info.broker_logs.cloudwatch_logs.enabled = false), /broker logs off/],
  ["dr.kafka-mirror", "dr", "destroyable", (j) => delete cluster(j).lifecycle, /not protected from destroy/],
  ["dr.network-private", "dr", "an internet gateway", (j) => (j.resource.aws_internet_gateway = { igw: { vpc_id: "x" } }), /aws_internet_gateway.igw: a way out/],
  ["dr.network-private", "dr", "a peering to another VPC", (j) => (j.resource.aws_vpc_peering_connection = { p: { vpc_id: "x", peer_vpc_id: "y" } }), /aws_vpc_peering_connection.p: a way out/],
  ["dr.network-private", "dr", "a route", (j) => (first(j, "aws_route_table").route = [{ cidr_block: "0.0.0.0/0", gateway_id: "igw-1" }]), /has routes/],
  ["dr.network-private", "dr", "VPC Block Public Access off", (j) => (first(j, "aws_vpc_block_public_access_options").internet_gateway_block_mode = "off"), /not block-bidirectional/],
  ["dr.network-private", "dr", "another block", (j) => (first(j, "aws_vpc").cidr_block = "10.99.0.0/24"), /expected exactly one VPC with drNetwork's block/],
  ["dr.network-private", "dr", "a public subnet", (j) => (first(j, "aws_subnet").map_public_ip_on_launch = true), /map_public_ip_on_launch is not false/],
  ["dr.network-private", "dr", "a subnet in another zone", (j) => (first(j, "aws_subnet").availability_zone_id = "euc1-az9"), /expected drNetwork's/],
  ["dr.network-private", "dr", "flow logs of rejected traffic only", (j) => (first(j, "aws_flow_log").traffic_type = "REJECT"), /no flow log of ALL traffic/],
  ["dr.network-private", "dr", "an open default security group", (j) => (first(j, "aws_default_security_group").ingress = [{ protocol: "-1", from_port: 0, to_port: 0, cidr_blocks: ["0.0.0.0/0"] }]), /a default with rules/],
  ["dr.network-private", "dr", "the default security group not adopted", (j) => delete j.resource.aws_default_security_group, /default security group is not adopted/],
  ["dr.network-private", "dr", "a NACL open to everything", (j) => first(j, "aws_network_acl").ingress.push({ rule_no: 200, protocol: "-1", action: "allow", cidr_block: "0.0.0.0/0", from_port: 0, to_port: 0 }), /allows 0.0.0.0\/0, outside the VPC's block/],
  ["dr.network-private", "dr", "the brokers open to an address block", (j) => Object.assign(ingress(j), { cidr_ipv4: "10.0.0.0/8" }), /admits an address block \(10.0.0.0\/8\)/],
  ["dr.network-private", "dr", "the brokers open on every port", (j) => Object.assign(ingress(j), { ip_protocol: "-1", from_port: undefined, to_port: undefined }), /not Kafka IAM \(9098\) only/],
  ["dr.network-private", "dr", "the replicator reaching an address block", (j) => Object.assign(first(j, "aws_vpc_security_group_egress_rule"), { cidr_ipv4: "0.0.0.0/0" }), /reaches an address block/],
  ["dr.network-private", "dr", "inline security group rules", (j) => (first(j, "aws_security_group").ingress = [{ protocol: "tcp", from_port: 22, to_port: 22, cidr_blocks: ["10.0.0.0/8"] }]), /inline rules/],
  ["dr.mirror-keys", "dr", "a third key alias", (j) => (j.resource.aws_kms_alias.extra = { name: "alias/acme-pay-eu/dr-other", target_key_id: "x" }), /expected \["alias\/acme-pay-eu\/dr-kafka","alias\/acme-pay-eu\/dr-logs"\]/],
  ["dr.mirror-keys", "dr", "rotation off", (j) => (first(j, "aws_kms_key").enable_key_rotation = false), /rotation off/],
  ["dr.mirror-keys", "dr", "a multi-region key", (j) => (first(j, "aws_kms_key").multi_region = true), /multi-region/],
  ["dr.mirror-keys", "dr", "a 7-day deletion window", (j) => (first(j, "aws_kms_key").deletion_window_in_days = 7), /deletion window 7, not 30 days/],
  ["dr.mirror-keys", "dr", "a destroyable key", (j) => delete first(j, "aws_kms_key").lifecycle, /not protected from destroy/],
  ["dr.mirror-keys", "dr", "logs under another key", (j) => (first(j, "aws_cloudwatch_log_group").kms_key_id = "arn:aws:kms:eu-central-1:111122223333:key/x"), /not encrypted under dr-logs/],
  ["dr.mirror-keys", "dr", "logs kept a week", (j) => (first(j, "aws_cloudwatch_log_group").retention_in_days = 7), /kept 7 days, not the region's/],
  ["dr.kafka-mirror", "dr", "a second replicator", (j) => (j.resource.aws_msk_replicator.second = replicator(j)), /2 replicator\(s\) and 1 cluster\(s\)/],
  ["dr.kafka-mirror", "dr", "a second cluster", (j) => (j.resource.aws_msk_cluster.second = cluster(j)), /1 replicator\(s\) and 2 cluster\(s\)/],
  ["dr.kafka-mirror", "dr", "names left to the default", (j) => delete topics(j).topic_name_configuration, /topic names prefixed with the source's alias, not IDENTICAL/],
  ["dr.kafka-mirror", "dr", "the start left to the default", (j) => delete topics(j).starting_position, /starts at LATEST, not EARLIEST/],
  ["dr.kafka-mirror", "dr", "into another cluster", (j) => (replicator(j).replication_info_list.target_kafka_cluster_arn = "arn:aws:kafka:eu-central-1:111122223333:cluster/other/x"), /expected region-eu's cluster into/],
  ["dr.kafka-mirror", "dr", "a second way to assume the role", (j) => editPolicy(replicatorRole(j), "assume_role_policy", (d) => d.Statement.push({ ...d.Statement[0], Sid: "Another" })), /assumed by \[\{"Service":"kafka.amazonaws.com"\},\{"Service":"kafka.amazonaws.com"\}\], not MSK alone/],
  ["dr.kafka-mirror", "dr", "a role conditioned on something else", (j) => editPolicy(replicatorRole(j), "assume_role_policy", (d) => (d.Statement[0].Condition = { ArnLike: { "aws:SourceArn": "*" } })), /not MSK alone for account/],
  ["dr.kafka-mirror", "dr", "an unnamed statement with more actions", (j) => editPolicy(rolePolicy(j), "policy", (d) => { delete d.Statement[1].Sid; d.Statement[1].Action.push("kafka-cluster:DeleteTopic", "kafka-cluster:DeleteGroup"); }), /a statement allows kafka-cluster:DeleteTopic, kafka-cluster:DeleteGroup, beyond the replicator's documented actions/],
  ["dr.kafka-mirror", "dr", "an unnamed statement reaching every cluster", (j) => editPolicy(rolePolicy(j), "policy", (d) => { delete d.Statement[0].Sid; d.Statement[0].Resource = "*"; }), /a statement reaches \*, not only the two clusters/],
  ["dr.kafka-mirror", "dr", "no encryption settings", (j) => delete cluster(j).encryption_info, /traffic is not TLS only/],
  ["dr.kafka-mirror", "dr", "no encryption settings (the key)", (j) => delete cluster(j).encryption_info, /not encrypted under the partner's dr-kafka key/],
  ["dr.kafka-mirror", "dr", "no connectivity settings", (j) => delete cluster(j).broker_node_group_info.connectivity_info, /public access is not DISABLED/],
  ["dr.kafka-mirror", "dr", "no broker settings", (j) => delete cluster(j).broker_node_group_info, /public access is not DISABLED/],
  ["dr.kafka-mirror", "dr", "no logging settings", (j) => delete cluster(j).logging_info, /broker logs off/],
  ["dr.kafka-mirror", "dr", "no broker log settings", (j) => delete cluster(j).logging_info.broker_logs, /broker logs off/],
  ["dr.kafka-mirror", "dr", "no CloudWatch log settings", (j) => delete cluster(j).logging_info.broker_logs.cloudwatch_logs, /broker logs off/],
  ["dr.network-private", "dr", "a route in the default route table", (j) => (first(j, "aws_default_route_table").route = [{ cidr_block: "0.0.0.0/0", gateway_id: "igw-1" }]), /aws_default_route_table\.\S+: has routes/],
  ["dr.network-private", "dr", "VPC Block Public Access removed", (j) => delete j.resource.aws_vpc_block_public_access_options, /not block-bidirectional/],
  ["dr.network-private", "dr", "a second VPC", (j) => (j.resource.aws_vpc.second = { ...first(j, "aws_vpc") }), /expected exactly one VPC with drNetwork's block 10\.12\.0\.0\/24/],
  ["dr.network-private", "dr", "no VPC", (j) => delete j.resource.aws_vpc, /aws_vpc: none; expected exactly one VPC/],
  ["dr.network-private", "dr", "a flow log of another VPC", (j) => (first(j, "aws_flow_log").vpc_id = "vpc-0123"), /no flow log of ALL traffic/],
  ["dr.network-private", "dr", "an open default NACL", (j) => (first(j, "aws_default_network_acl").egress = [{ protocol: "-1", rule_no: 100, action: "allow", cidr_block: "0.0.0.0/0", from_port: 0, to_port: 0 }]), /a default with rules/],
  ["dr.network-private", "dr", "a default security group with egress only", (j) => (first(j, "aws_default_security_group").egress = [{ protocol: "-1", from_port: 0, to_port: 0, cidr_blocks: ["0.0.0.0/0"] }]), /a default with rules/],
  ["dr.network-private", "dr", "the brokers open to an IPv6 block", (j) => Object.assign(ingress(j), { cidr_ipv6: "::/0" }), /admits an address block \(::\/0\)/],
  ["dr.network-private", "dr", "the brokers open to a prefix list", (j) => Object.assign(ingress(j), { prefix_list_id: "pl-0123" }), /admits an address block \(pl-0123\)/],
  ["dr.network-private", "dr", "the brokers open over UDP", (j) => Object.assign(ingress(j), { ip_protocol: "udp" }), /opens the brokers on udp 9098-9098/],
  ["dr.network-private", "dr", "the brokers open from 9096", (j) => Object.assign(ingress(j), { from_port: 9096 }), /opens the brokers on tcp 9096-9098/],
  ["dr.network-private", "dr", "the brokers open to 9099", (j) => Object.assign(ingress(j), { to_port: 9099 }), /opens the brokers on tcp 9098-9099/],
  ["dr.network-private", "dr", "the replicator reaching an IPv6 block", (j) => Object.assign(first(j, "aws_vpc_security_group_egress_rule"), { cidr_ipv6: "::/0" }), /reaches an address block \(::\/0\)/],
  ["dr.network-private", "dr", "the replicator reaching a prefix list", (j) => Object.assign(first(j, "aws_vpc_security_group_egress_rule"), { prefix_list_id: "pl-0123" }), /reaches an address block \(pl-0123\)/],
  ["dr.network-private", "dr", "inline egress rules", (j) => (first(j, "aws_security_group").egress = [{ protocol: "-1", from_port: 0, to_port: 0, cidr_blocks: ["0.0.0.0/0"] }]), /inline rules/],
  ["kafka.replicator-source", "eu", "IAM off over the multi-VPC connection", (j) => (cluster(j).broker_node_group_info.connectivity_info.vpc_connectivity.client_authentication.sasl.iam = false), /multi-VPC connectivity is not IAM only/],
  ["kafka.replicator-source", "eu", "certificates over the multi-VPC connection", (j) => (cluster(j).broker_node_group_info.connectivity_info.vpc_connectivity.client_authentication.tls = true), /multi-VPC connectivity is not IAM only/],
  ["kafka.replicator-source", "eu", "the cluster policy on every resource, unnamed", (j) => editPolicy(first(j, "aws_msk_cluster_policy"), "policy", (d) => { delete d.Statement[0].Sid; d.Statement[0].Resource = "*"; }), /a statement grants .* on "\*", not the replicator's connection/],
  ["stack.backend-encrypted-locked", "dr", "the DR stack's state over the region's", (j) => (j.terraform.backend.s3.key = dr.region.stateBackend.key), /bucket\/key\/region differ from the region config/],
  ["stack.provider-pinned-to-account", "dr", "the DR stack's provider in the home region", (j) => (j.provider.aws[0].region = "eu-west-1"), /provider.aws: region eu-west-1, expected eu-central-1/],
  ["stack.provider-pinned-to-account", "dr", "a second provider in the DR stack", (j) => j.provider.aws.push({ ...j.provider.aws[0], alias: "home", region: "eu-west-1" }), /2 provider blocks, expected 1/],
  ["residency.in-jurisdiction", "dr", "the mirror outside the jurisdiction", (j) => (j.provider.aws[0].region = "us-east-1"), /us-east-1/],
  ["kafka.replicator-source", "eu", "SCRAM over the multi-VPC connection", (j) => (cluster(j).broker_node_group_info.connectivity_info.vpc_connectivity.client_authentication.sasl.scram = true), /multi-VPC connectivity is not IAM only/],
  ["kafka.replicator-source", "eu", "no cluster policy", (j) => delete j.resource.aws_msk_cluster_policy, /0 cluster policies, expected the replicator's one/],
  ["kafka.replicator-source", "eu", "the cluster policy grants every account", (j) => editPolicy(first(j, "aws_msk_cluster_policy"), "policy", (d) => (d.Statement[0].Principal = { AWS: "*" })), /not the replicator's connection/],
  ["kafka.replicator-source", "eu", "the cluster policy grants more", (j) => editPolicy(first(j, "aws_msk_cluster_policy"), "policy", (d) => d.Statement[0].Action.push("kafka:UpdateClusterConfiguration")), /not the replicator's connection/],
  ["kafka.replicator-source", "us", "multi-VPC connectivity where nothing is mirrored", (j) => (cluster(j).broker_node_group_info.connectivity_info.vpc_connectivity = { client_authentication: { sasl: { iam: true } } }), /multi-VPC connectivity where nothing is mirrored/],
  ["kafka.replicator-source", "us", "a cluster policy where nothing is mirrored", (j) => (j.resource.aws_msk_cluster_policy = { p: { cluster_arn: `\${aws_msk_cluster.${resourcesOf(j, "aws_msk_cluster")[0][0]}.arn}`, policy: JSON.stringify({ Statement: [] }) } }), /a cluster policy where nothing is mirrored/],
];
describe("the Kafka mirror's guardrails pass what the blueprint builds", () => {
  // (Each rule alone, as the weakenings run it: a condition that always fails shows here.)
  it.each([
    ...["dr.kafka-mirror", "dr.network-private", "dr.mirror-keys"].map((id) => [id, "dr"] as const),
    ["kafka.replicator-source", "eu"] as const,
    ["kafka.replicator-source", "us"] as const,
  ])("%s on region-%s", (id, side) => {
    const stack = { dr, eu, us }[side];
    expect(weakenedViolations(rule(id), stack, jsonCopy(stack))).toEqual([]);
  });
  it("a deny rule for everything in the NACL, no cluster in the network's view, no connectivity block where nothing is mirrored, another cluster's policy: none is a finding", () => {
    const a = cloneJson(dr.json);
    first(a, "aws_network_acl").ingress.push({ rule_no: 200, protocol: "-1", action: "deny", cidr_block: "0.0.0.0/0", from_port: 0, to_port: 0 });
    delete a.resource.aws_msk_cluster;
    expect(weakenedViolations(rule("dr.network-private"), dr, a)).toEqual([]);
    const b = cloneJson(us.json);
    delete cluster(b).broker_node_group_info.connectivity_info;
    b.resource.aws_msk_cluster_policy = { other: { cluster_arn: "arn:aws:kafka:us-east-1:444455556666:cluster/other/x", policy: JSON.stringify({ Statement: [] }) } };
    expect(weakenedViolations(rule("kafka.replicator-source"), us, b)).toEqual([]);
  });
});

describe("the Kafka mirror's guardrails fail when it is weakened", () => {
  it.each(WEAKENINGS.map(([id, side, label, mutate, says]) => [`${id}: ${label}`, id, side, mutate, says] as const))("%s", (_l, id, side, mutate, says) => {
    const stack = { dr, eu, us }[side];
    const json = edited(stack, mutate);
    expectCaught(weakenedViolations(rule(id), stack, json), says);
  });
  it("weakens every rule of the DR stack and the source rule", () => {
    // (And the rules of every stack on the DR stack, where they read its layer: its state key, its one provider, residency.)
    expect(new Set(WEAKENINGS.map(([id]) => id))).toEqual(new Set([...GUARDRAILS.filter((r) => r.layers.includes("dr") && r.id.startsWith("dr.")).map((r) => r.id), "kafka.replicator-source", "stack.backend-encrypted-locked", "stack.provider-pinned-to-account", "residency.in-jurisdiction"]));
  });
});
