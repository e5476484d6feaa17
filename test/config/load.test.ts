import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { RegionConfigError } from "../../config/errors";
import { ISTIO_RELEASES } from "../../config/catalog";
import { loadRegions, readRegionSources, validateRegions } from "../../config/load";
import { checkEdge } from "../../config/rules/edge";
import { AwsRegionConfig } from "../../config/schema";
import eu from "../../regions/eu";
import APAC from "../../regions/apac";
import us from "../../regions/us";
import { APP_RUNNER, cloneJson } from "../support/synth";
import { TEST_NON_CA_PEM, TEST_TRUST_ANCHOR_PEM } from "../support/trust-anchor";

type Data = ReturnType<typeof cloneJson<typeof eu>>;

/** Validates the shipped regions after `mutate` changed a copy of one of them. */
/** Moves the us region into eu's account: its account ID and every ARN that names it. */
function intoEuAccount(r: Data) {
  Object.assign(r, JSON.parse(JSON.stringify(r).split(us.accountId).join(eu.accountId)));
}

function problemsAfter(target: "eu" | "us", mutate: (r: Data) => void) {
  const regions = { eu: cloneJson(eu), us: cloneJson(us) };
  mutate(regions[target]);
  try {
    validateRegions([
      { file: "regions/eu.ts", data: regions.eu },
      { file: "regions/us.ts", data: regions.us },
    ]);
  } catch (e) {
    if (e instanceof RegionConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe("the shipped regions", () => {
  it("load and validate", () => {
    const regions = loadRegions();
    // One region per file of regions/, named after it, in the files' order.
    expect(regions.map((r) => r.name)).toEqual(readRegionSources().map((s) => path.basename(s.file).replace(/\.[jt]s$/, "")));
    // The three the blueprint ships, as the README describes them.
    const named = (name: string) => regions.find((r) => r.name === name);
    expect(named("apac")).toMatchObject({ cloud: "gcp", cloudRegion: "asia-southeast1", jurisdiction: "SG" });
    expect(named("eu")).toMatchObject({ cloud: "aws", cloudRegion: "eu-west-1", jurisdiction: "EU", drPartnerRegion: "eu-central-1" });
    expect(named("us")).toMatchObject({ cloud: "aws", cloudRegion: "us-east-1", jurisdiction: "US" });
  });

  it("get defaults for what they omit", () => {
    const usRegion = loadRegions().find((r) => r.name === "us")! as AwsRegionConfig;
    expect(usRegion.retention.coldStorageAfterDays).toBe(90);
    expect(usRegion.network.extraInterfaceEndpoints).toEqual([]);
  });
});

/**
 * [label, region, mutation, file, field, a phrase the fix must contain, the fields of the problems
 * that follow from it (if any)]: the problems reported are exactly these.
 */
const BAD_CONFIGS: [string, "eu" | "us", (r: Data) => void, string, string, string | RegExp, string[]?][] = [
  ["unknown cloud region", "eu", (r) => (r.cloudRegion = "eu-west-9"), "regions/eu.ts", "cloudRegion", "use one of"],
  ["region outside the jurisdiction", "us", (r) => ((r.cloudRegion = "eu-west-1"), (r.availabilityZoneIds = ["euw1-az1", "euw1-az2", "euw1-az3"])), "regions/us.ts", "cloudRegion", "use a region of US"],
  ["unknown jurisdiction", "eu", (r) => ((r as { jurisdiction: string }).jurisdiction = "UK"), "regions/eu.ts", "jurisdiction", '"EU"'],
  ["AZ of another region", "eu", (r) => (r.availabilityZoneIds[2] = "euc1-az3"), "regions/eu.ts", "availabilityZoneIds[2]", "euw1-az1, euw1-az2, euw1-az3"],
  ["an AZ name instead of a zone ID (names differ per account)", "eu", (r) => (r.availabilityZoneIds[2] = "eu-west-1c"), "regions/eu.ts", "availabilityZoneIds[2]", "zone IDs, not names"],
  ["a zone where EKS cannot run", "us", (r) => (r.availabilityZoneIds[2] = "use1-az3"), "regions/us.ts", "availabilityZoneIds[2]", "use another zone of us-east-1"],
  ["AZ that does not exist", "eu", (r) => (r.availabilityZoneIds[2] = "euw1-az4"), "regions/eu.ts", "availabilityZoneIds[2]", "use one of"],
  ["fewer than three AZs", "eu", (r) => {
    r.availabilityZoneIds = ["euw1-az1", "euw1-az2"];
    for (const tier of ["workload", "data", "endpoints"] as const) r.network.subnets[tier].pop();
  }, "regions/eu.ts", "availabilityZoneIds", "three or more", ["kafka.topics[0].replicationFactor", "kafka.topics[1].replicationFactor", "kafka.topics[2].replicationFactor"]],
  ["the same AZ twice", "eu", (r) => (r.availabilityZoneIds[2] = "euw1-az1"), "regions/eu.ts", "availabilityZoneIds[2]", "each zone once"],
  ["malformed VPC CIDR", "eu", (r) => (r.network.vpcCidr = "10.10.0.0/33"), "regions/eu.ts", "network.vpcCidr", "10.10.0.0/16"],
  ["VPC CIDR with host bits", "eu", (r) => (r.network.vpcCidr = "10.10.0.1/16"), "regions/eu.ts", "network.vpcCidr", "such as"],
  ["VPC too large", "eu", (r) => (r.network.vpcCidr = "10.0.0.0/8"), "regions/eu.ts", "network.vpcCidr", "/16 and /24", ["drNetwork.vpcCidr"]],
  ["subnet outside the VPC", "eu", (r) => (r.network.subnets.data[1] = "10.99.0.0/22"), "regions/eu.ts", "network.subnets.data[1]", "inside 10.10.0.0/16"],
  ["overlapping subnets", "eu", (r) => (r.network.subnets.endpoints[0] = "10.10.0.0/24"), "regions/eu.ts", "network.subnets.endpoints[0]", "non-overlapping"],
  ["a subnet missing for an AZ", "eu", (r) => r.network.subnets.workload.pop(), "regions/eu.ts", "network.subnets.workload", "one block per zone"],
  ["VPCs of two regions overlap", "us", (r) => {
    r.network.vpcCidr = "10.10.0.0/16";
    for (const tier of ["workload", "data", "endpoints"] as const) r.network.subnets[tier] = r.network.subnets[tier].map((c) => c.replace("10.20.", "10.10."));
  }, "regions/us.ts", "network.vpcCidr", "move one of the two to a block no region uses, e.g. 10.0.0.0/16 (with its subnets)", ["regions/eu.ts network.vpcCidr"]],
  ["VPCs of two regions overlap: each file is told, and the block suggested is free of every region's", "us", (r) => {
    r.network.vpcCidr = "10.10.0.0/16";
    for (const tier of ["workload", "data", "endpoints"] as const) r.network.subnets[tier] = r.network.subnets[tier].map((c) => c.replace("10.20.", "10.10."));
  }, "regions/eu.ts", "network.vpcCidr", "10.10.0.0/16 overlaps network.vpcCidr of regions/us.ts (10.10.0.0/16); the two regions could never be connected | move one of the two to a block no region uses, e.g. 10.0.0.0/16", ["regions/us.ts network.vpcCidr"]],
  ["a GuardDuty detector id that is not one", "eu", (r) => (r.existingDetection = { guardDutyDetectorId: "detector-1" }), "regions/eu.ts", "existingDetection.guardDutyDetectorId", "list-detectors"],
  ["no alert subscriber", "eu", (r) => (r.alerts.subscribers = []), "regions/eu.ts", "alerts.subscribers", "an alert nobody receives is no alert"],
  ["no alerts block", "eu", (r) => delete (r as { alerts?: unknown }).alerts, "regions/eu.ts", "alerts", "add alerts (object)"],
  ["an alert endpoint over plain HTTP", "eu", (r) => (r.alerts.subscribers[1] = { protocol: "https", endpoint: "http://events.pagerduty.example/x" }), "regions/eu.ts", "alerts.subscribers[1].endpoint", "https:// URL"],
  ["an https subscriber named as email", "eu", (r) => (r.alerts.subscribers[0] = { protocol: "email", endpoint: "https://events.pagerduty.example/x" }), "regions/eu.ts", "alerts.subscribers[0].endpoint", "email address"],
  ["an SMS subscriber", "eu", (r) => ((r.alerts.subscribers[0] as { protocol: string }).protocol = "sms"), "regions/eu.ts", "alerts.subscribers[0].protocol", 'protocol "email" or "https"'],
  ["audit retention under 12 months", "eu", (r) => (r.retention.auditArchiveDays = 180), "regions/eu.ts", "retention.auditArchiveDays", "365 or more"],
  ["log retention under 12 months", "eu", (r) => (r.retention.logDays = 90), "regions/eu.ts", "retention.logDays", "365, 400"],
  ["log retention CloudWatch rejects", "eu", (r) => (r.retention.logDays = 500), "regions/eu.ts", "retention.logDays", "545"],
  ["cold storage after the lock ends", "eu", (r) => (r.retention.coldStorageAfterDays = 500), "regions/eu.ts", "retention.coldStorageAfterDays", "90"],
  ["DR partner outside the jurisdiction", "eu", (r) => (r.drPartnerRegion = "eu-west-2"), "regions/eu.ts", "drPartnerRegion", "DR region of EU"],
  ["a mirrored topic that is not declared", "eu", (r) => (r.kafka.mirrorTopics = ["payment-events", "refunds"]), "regions/eu.ts", "kafka.mirrorTopics[1]", "payments.raw, fraud.result, payment-events"],
  ["a topic mirrored twice", "eu", (r) => (r.kafka.mirrorTopics = ["payment-events", "payment-events"]), "regions/eu.ts", "kafka.mirrorTopics[1]", "each declared topic once"],
  ["topics mirrored without a DR partner", "eu", (r) => delete r.drPartnerRegion, "regions/eu.ts", "kafka.mirrorTopics", "name the DR partner region", ["drPartnerRegion"]],
  ["topics mirrored without a DR network", "eu", (r) => delete r.drNetwork, "regions/eu.ts", "kafka.mirrorTopics", "add drNetwork"],
  ["topics mirrored from brokers the replicator cannot read", "eu", (r) => (r.kafka.instanceType = "kafka.t3.small"), "regions/eu.ts", "kafka.instanceType", "kafka.m5.large or larger"],
  ["a DR network with nothing mirrored into it", "eu", (r) => (r.kafka.mirrorTopics = []), "regions/eu.ts", "drNetwork", "list the topics to mirror"],
  ["a DR network in zones of the home region", "eu", (r) => (r.drNetwork!.availabilityZoneIds[1] = "euw1-az2"), "regions/eu.ts", "drNetwork.availabilityZoneIds[1]", "euc1-az1, euc1-az2, euc1-az3"],
  ["a DR network zone listed twice", "eu", (r) => (r.drNetwork!.availabilityZoneIds[1] = "euc1-az1"), "regions/eu.ts", "drNetwork.availabilityZoneIds[1]", "each zone once"],
  ["a DR network in two zones", "eu", (r) => ((r.drNetwork!.availabilityZoneIds = ["euc1-az1", "euc1-az2"]), r.drNetwork!.data.pop()), "regions/eu.ts", "drNetwork.availabilityZoneIds", /^lists 2 zone\(s\); the mirror's brokers need three \| list three zones of eu-central-1 \(euc1-az1, euc1-az2, euc1-az3\)$/],
  ["a DR network in two zones of no partner region", "eu", (r) => ((r.drNetwork!.availabilityZoneIds = ["euc1-az1", "euc1-az2"]), r.drNetwork!.data.pop(), delete r.drPartnerRegion), "regions/eu.ts", "drNetwork.availabilityZoneIds", /\| list three zones of the partner region$/, ["kafka.mirrorTopics", "drPartnerRegion"]],
  ["a DR network of a /25", "eu", (r) => ((r.drNetwork!.vpcCidr = "10.12.0.0/25"), (r.drNetwork!.data = ["10.12.0.0/28", "10.12.0.16/28", "10.12.0.32/28"])), "regions/eu.ts", "drNetwork.vpcCidr", /^\/25 is outside what a VPC accepts here \(\/16 to \/24\)/],
  ["a DR network over the home VPC", "eu", (r) => ((r.drNetwork!.vpcCidr = "10.10.0.0/24"), (r.drNetwork!.data = ["10.10.0.0/26", "10.10.0.64/26", "10.10.0.128/26"])), "regions/eu.ts", "drNetwork.vpcCidr", /^overlaps the region's own VPC \(10\.10\.0\.0\/16\) \| use a block apart from network\.vpcCidr/],
  ["a DR network too large", "eu", (r) => (r.drNetwork!.vpcCidr = "10.0.0.0/12"), "regions/eu.ts", "drNetwork.vpcCidr", "/16 and /24", ["drNetwork.vpcCidr"]],
  ["a DR network that is no block", "eu", (r) => (r.drNetwork!.vpcCidr = "10.12.0.0"), "regions/eu.ts", "drNetwork.vpcCidr", "10.11.0.0/16"],
  ["a DR data block per zone missing", "eu", (r) => r.drNetwork!.data.pop(), "regions/eu.ts", "drNetwork.data", "one block per zone"],
  ["a DR data block outside the VPC", "eu", (r) => (r.drNetwork!.data[2] = "10.13.0.0/26"), "regions/eu.ts", "drNetwork.data[2]", "inside the VPC"],
  ["DR data blocks overlapping", "eu", (r) => (r.drNetwork!.data[2] = "10.12.0.0/27"), "regions/eu.ts", "drNetwork.data[2]", "its own block"],
  ["a DR data block too small", "eu", (r) => (r.drNetwork!.data[2] = "10.12.0.128/29"), "regions/eu.ts", "drNetwork.data[2]", "/28 or larger"],
  ["a DR data block that is no block", "eu", (r) => (r.drNetwork!.data[2] = "10.12.0.128"), "regions/eu.ts", "drNetwork.data[2]", "inside drNetwork.vpcCidr"],
  ["a DR network shared with another region", "us", (r) => ((r.drNetwork = { vpcCidr: "10.12.0.0/24", availabilityZoneIds: ["usw2-az1", "usw2-az2", "usw2-az3"], data: ["10.12.0.0/26", "10.12.0.64/26", "10.12.0.128/26"] }), (r.kafka.mirrorTopics = [r.kafka.topics![0].name])), "regions/us.ts", "drNetwork.vpcCidr", /overlaps drNetwork\.vpcCidr of regions\/eu\.ts/, ["regions/eu.ts drNetwork.vpcCidr"]],
  ["DR partner is the region itself", "eu", (r) => (r.drPartnerRegion = "eu-west-1"), "regions/eu.ts", "drPartnerRegion", "different region", ["drNetwork.availabilityZoneIds[0]", "drNetwork.availabilityZoneIds[1]", "drNetwork.availabilityZoneIds[2]"]],
  ["state outside the jurisdiction", "eu", (r) => {
    r.stateBackend.region = "us-east-1";
    r.stateBackend.kmsKeyArn = r.stateBackend.kmsKeyArn.replace("eu-west-1", "us-east-1");
  }, "regions/eu.ts", "stateBackend.region", "keep the state bucket in EU"],
  ["state key in another region than the bucket", "eu", (r) => (r.stateBackend.kmsKeyArn = r.stateBackend.kmsKeyArn.replace("eu-west-1", "eu-central-1")), "regions/eu.ts", "stateBackend.kmsKeyArn", "KMS key in eu-west-1"],
  ["two regions share a state file", "us", (r) => ((r.stateBackend.bucket = eu.stateBackend.bucket), (r.stateBackend.key = eu.stateBackend.key)), "regions/us.ts", "stateBackend.key", "a key per region"],
  ["account id as a number", "eu", (r) => ((r as { accountId: unknown }).accountId = 111122223333), "regions/eu.ts", "accountId", '"123456789012"'],
  ["account id too short", "eu", (r) => (r.accountId = "12345"), "regions/eu.ts", "accountId", '"123456789012"'],
  ["misspelt field", "eu", (r) => ((r as Record<string, unknown>).retension = {}), "regions/eu.ts", "(root)", "spelling"],
  ["missing owner", "eu", (r) => delete (r.tags as { owner?: string }).owner, "regions/eu.ts", "tags.owner", "add tags.owner"],
  ["wildcard partner principal", "eu", (r) => (r.paymentApi.allowedPrincipals[0] = "arn:aws:iam::777788889999:role/*"), "regions/eu.ts", "paymentApi.allowedPrincipals[0]", "exactly"],
  ["no partner principal", "eu", (r) => (r.paymentApi.allowedPrincipals = []), "regions/eu.ts", "paymentApi.allowedPrincipals", "at least one partner"],
  ["partner range wider than /8", "eu", (r) => (r.paymentApi.partnerClientCidrs[0] = "0.0.0.0/0"), "regions/eu.ts", "paymentApi.partnerClientCidrs[0]", "actual client ranges"],
  ["no partner client range", "eu", (r) => (r.paymentApi.partnerClientCidrs = []), "regions/eu.ts", "paymentApi.partnerClientCidrs", "ask each partner"],
  ["a repeated extra endpoint", "eu", (r) => (r.network.extraInterfaceEndpoints = ["ssm", "ssm"]), "regions/eu.ts", "network.extraInterfaceEndpoints[1]", "remove it"],
  ["a malformed partner CIDR", "eu", (r) => (r.paymentApi.partnerClientCidrs[0] = "172.16.0.0/40"), "regions/eu.ts", "paymentApi.partnerClientCidrs[0]", "partner's client range"],
  ["a partner principal that is not an IAM root, role or user", "eu", (r) => (r.paymentApi.allowedPrincipals[0] = "arn:aws:iam::777788889999:group/partners"), "regions/eu.ts", "paymentApi.allowedPrincipals[0]", "210987654321:root"],
  ["a partner principal of another partition's form", "eu", (r) => (r.paymentApi.allowedPrincipals[0] = "777788889999"), "regions/eu.ts", "paymentApi.allowedPrincipals[0]", "210987654321:root"],
  ["a VPC smaller than /24", "eu", (r) => (r.network.vpcCidr = "10.10.0.0/25"), "regions/eu.ts", "network.vpcCidr", "/16 and /24", [
    "network.subnets.data[0]", "network.subnets.data[1]", "network.subnets.data[2]",
    "network.subnets.endpoints[0]", "network.subnets.endpoints[1]", "network.subnets.endpoints[2]",
    "network.subnets.workload[0]", "network.subnets.workload[1]", "network.subnets.workload[2]",
  ]],
  ["a subnet smaller than /28", "eu", (r) => (r.network.subnets.endpoints[2] = r.network.subnets.endpoints[2].replace(/\/\d+$/, "/29")), "regions/eu.ts", "network.subnets.endpoints[2]", "/28 or larger"],
  ["a malformed subnet", "eu", (r) => (r.network.subnets.data[0] = "10.10.0.0"), "regions/eu.ts", "network.subnets.data[0]", "inside network.vpcCidr"],
  ["extra endpoint already a default", "eu", (r) => (r.network.extraInterfaceEndpoints = ["kms"]), "regions/eu.ts", "network.extraInterfaceEndpoints[0]", "remove it"],
  ["S3 as an interface endpoint", "eu", (r) => (r.network.extraInterfaceEndpoints = ["s3"]), "regions/eu.ts", "network.extraInterfaceEndpoints[0]", "remove it"],
  ["a single HSM", "eu", (r) => (r.hsm = { count: 1 }), "regions/eu.ts", "hsm.count", "two active HSMs"],
  ["EKS admin role of another account", "eu", (r) => (r.eks.adminRoleArn = "arn:aws:iam::999999999999:role/admin"), "regions/eu.ts", "eks.adminRoleArn", "use a role of 111122223333"],
  ["an EKS admin role of another account", "eu", (r) => (r.eks.adminRoleArn = r.eks.adminRoleArn.replace(eu.accountId, us.accountId)), "regions/eu.ts", "eks.adminRoleArn", "use a role of 111122223333"],
  ["an EKS deploy role that is no ARN", "eu", (r) => (r.eks.deployRoleArn = "platform-deploy"), "regions/eu.ts", "eks.deployRoleArn", "arn:aws:iam::111122223333:role/"],
  ["fewer nodes than zones", "eu", (r) => (r.eks.nodes = { minSize: 2, desiredSize: 3, maxSize: 6 }), "regions/eu.ts", "eks.nodes", "at least one node per AZ"],
  ["no DR partner where the jurisdiction has another region", "us", (r) => delete (r as { drPartnerRegion?: string }).drPartnerRegion, "regions/us.ts", "drPartnerRegion", 'name one of us-east-2, us-west-1, us-west-2 (e.g. "us-east-2")'],
  ["fewer merchant nodes than zones", "eu", (r) => (r.eks.merchantNodes = { minSize: 1, desiredSize: 1, maxSize: 2 }), "regions/eu.ts", "eks.merchantNodes", "at least one node per AZ"],
  ["a merchant node disk of 10 GiB", "eu", (r) => (r.eks.merchantNodes = { diskGiB: 10 }), "regions/eu.ts", "eks.merchantNodes.diskGiB", "use 20 to 1000 GiB"],
  ["more nodes desired than the maximum", "eu", (r) => (r.eks.nodes = { minSize: 3, desiredSize: 7, maxSize: 6 }), "regions/eu.ts", "eks.nodes", "minSize <= desiredSize <= maxSize"],
  ["a minimum above the desired size", "eu", (r) => (r.eks.nodes = { minSize: 4, desiredSize: 3, maxSize: 6 }), "regions/eu.ts", "eks.nodes", "minSize <= desiredSize"],
  ["node disks under 20 GiB", "eu", (r) => (r.eks.nodes = { diskGiB: 19 }), "regions/eu.ts", "eks.nodes.diskGiB", "20 to 1000 GiB"],
  ["node disks over 1000 GiB", "eu", (r) => (r.eks.nodes = { diskGiB: 1001 }), "regions/eu.ts", "eks.nodes.diskGiB", "20 to 1000 GiB"],
  ["EKS deploy role that is the admin role", "eu", (r) => (r.eks.deployRoleArn = r.eks.adminRoleArn), "regions/eu.ts", "eks.deployRoleArn", "its own role"],
  ["EKS role that is not a role", "eu", (r) => (r.eks.adminRoleArn = "arn:aws:iam::111122223333:user/alice"), "regions/eu.ts", "eks.adminRoleArn", "role/platform-admin"],
  ["EKS version out of support", "eu", (r) => (r.eks.version = "1.29" as never), "regions/eu.ts", "eks.version", '"1.35"'],
  ["fewer nodes than AZs", "eu", (r) => (r.eks.nodes = { minSize: 2, desiredSize: 2 }), "regions/eu.ts", "eks.nodes", "at least one node per AZ"],
  ["a service in a platform namespace", "eu", (r) => (r.services![0].namespace = "kube-system"), "regions/eu.ts", "services[0].namespace", "a namespace of your own", ["mesh.calls[1].to", "mesh.calls[2].from"]],
  ["two services sharing an identity", "eu", (r) => (r.services![1].serviceAccount = "payment-core"), "regions/eu.ts", "services[1].serviceAccount", "its own service account", ["mesh.calls[2]"]],
  ["a service reading an undeclared topic", "eu", (r) => (r.services![3].access = { kafka: { read: ["payments.cooked"] } }), "regions/eu.ts", "services[3].access.kafka.read[0]", "declare it there"],
  ["overlapping audit prefixes", "eu", (r) => (r.services![1].access = { auditWritePrefix: "payment-core/" }), "regions/eu.ts", "services[1].access.auditWritePrefix", "a prefix of its own"],
  ["a service name that is not a Kubernetes name", "eu", (r) => (r.services![0].name = "Payment_Core"), "regions/eu.ts", "services[0].name", '"payment-core"'],
  ["an unknown HSM stage", "eu", (r) => (r.hsm = { stage: "connected" as never }), "regions/eu.ts", "hsm.stage", '"keystore"'],
  ["key store without its trust anchor", "eu", (r) => (r.hsm = { stage: "keystore" }), "regions/eu.ts", "hsm.trustAnchorCertificate", "customerCA.crt"],
  ["HSM keys without a trust anchor", "us", (r) => (r.hsm = { stage: "keys" }), "regions/us.ts", "hsm.trustAnchorCertificate", "signed the cluster CSR"],
  ["trust anchor that is not a CA", "eu", (r) => (r.hsm = { stage: "keystore", trustAnchorCertificate: TEST_NON_CA_PEM }), "regions/eu.ts", "hsm.trustAnchorCertificate", "not the signed cluster certificate"],
  ["trust anchor that is a chain", "eu", (r) => (r.hsm = { stage: "keystore", trustAnchorCertificate: `${TEST_TRUST_ANCHOR_PEM}\n${TEST_TRUST_ANCHOR_PEM}` }), "regions/eu.ts", "hsm.trustAnchorCertificate", "customerCA.crt"],
  ["trust anchor that is not PEM", "eu", (r) => (r.hsm = { stage: "keystore", trustAnchorCertificate: "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----" }), "regions/eu.ts", "hsm.trustAnchorCertificate", "-----BEGIN CERTIFICATE-----"],
  ["a second key generation before stage keys", "eu", (r) => (r.hsm = { stage: "keystore", trustAnchorCertificate: TEST_TRUST_ANCHOR_PEM, tokenizationKeyGeneration: 2 }), "regions/eu.ts", "hsm.tokenizationKeyGeneration", 'until stage "keys"'],
  ["key generation 0", "eu", (r) => (r.hsm = { stage: "keys", trustAnchorCertificate: TEST_TRUST_ANCHOR_PEM, tokenizationKeyGeneration: 0 }), "regions/eu.ts", "hsm.tokenizationKeyGeneration", "raise it by one"],
  ["one database instance", "eu", (r) => (r.database.instances = 1), "regions/eu.ts", "database.instances", "at least two"],
  ["backups under 7 days", "eu", (r) => (r.database.backupRetentionDays = 3), "regions/eu.ts", "database.backupRetentionDays", "at least 7"],
  ["a SCRAM user with no service's topics (it would get no ACL)", "eu", (r) => (r.kafka.scramUsers = ["checkout-service"]), "regions/eu.ts", "kafka.scramUsers[0]", "declares access.kafka"],
  ["a pinned Aurora minor version", "eu", (r) => (r.database.engineVersion = "16.6" as never), "regions/eu.ts", "database.engineVersion", 'the major only, e.g. "16"'],
  ["a service-linked role the blueprint does not name", "eu", (r) => (r.existingServiceLinkedRoles = ["ec2.amazonaws.com" as never]), "regions/eu.ts", "existingServiceLinkedRoles[0]", ""],
  ["two regions of one account both creating the Auto Scaling service-linked role", "us", (r) => intoEuAccount(r), "regions/us.ts", "existingServiceLinkedRoles", '"autoscaling.amazonaws.com"'],
  ["brokers not a multiple of the AZs", "eu", (r) => (r.kafka.brokers = 4), "regions/eu.ts", "kafka.brokers", "multiple of 3"],
  ["topic with two replicas", "eu", (r) => (r.kafka.topics![0].replicationFactor = 2), "regions/eu.ts", "kafka.topics[0].replicationFactor", "3 to 3"],
  ["topic declared twice", "eu", (r) => (r.kafka.topics![1].name = "payments.raw"), "regions/eu.ts", "kafka.topics[1].name", "each topic once", ["services[3].access.kafka.write[0]", "kafka.mirrorTopics[1]"]],
  ["PCA issuer CRDs adopted without a workload CA chain", "eu", (r) => ((r.mesh.rootCaArn = undefined), (r.mesh.adoptHelmInstalledPkiCrds = true)), "regions/eu.ts", "mesh.adoptHelmInstalledPkiCrds", "set mesh.rootCaArn", ["edge"]],
  ["a call to an unknown service", "eu", (r) => (r.mesh.calls![0].to = "payments/refund-service"), "regions/eu.ts", "mesh.calls[0].to", "payments/tokenization-service"],
  ["a call from an unknown namespace", "eu", (r) => (r.mesh.calls![0].from = "billing/payment-core"), "regions/eu.ts", "mesh.calls[0].from", "declare the service in services[]"],
  ["a call to an unknown namespace", "us", (r) => (r.mesh.calls![1].to = "ledger/payment-core"), "regions/us.ts", "mesh.calls[1].to", "payments/payment-core"],
  ["a call from a name that is not a service account", "eu", (r) => (r.mesh.calls![0].from = "checkout/default"), "regions/eu.ts", "mesh.calls[0].from", "checkout/checkout-service"],
  ["a call that is not namespace/name", "eu", (r) => (r.mesh.calls![0].to = "payment-service"), "regions/eu.ts", "mesh.calls[0].to", '"payments/tokenization-service"'],
  ["a call allowing every path", "eu", (r) => (r.mesh.calls![2].paths = ["/*"]), "regions/eu.ts", "mesh.calls[2].paths[0]", '"/tokenize"'],
  ["a call allowing every path with *", "us", (r) => (r.mesh.calls![2].paths = ["/tokenize", "*"]), "regions/us.ts", "mesh.calls[2].paths[1]", "name the paths"],
  ["a path with a wildcard inside", "eu", (r) => (r.mesh.calls![2].paths = ["/v1/*/tokenize"]), "regions/eu.ts", "mesh.calls[2].paths[0]", '"/prefix/*"'],
  ["a call without methods", "eu", (r) => (r.mesh.calls![0].methods = []), "regions/eu.ts", "mesh.calls[0].methods", '["POST"]'],
  ["a wildcard method", "eu", (r) => (r.mesh.calls![0].methods = ["*" as never]), "regions/eu.ts", "mesh.calls[0].methods[0]", '"POST"'],
  ["the same call twice", "eu", (r) => r.mesh.calls!.push({ ...r.mesh.calls![0], paths: ["/v1/refund"] }), "regions/eu.ts", "mesh.calls[4]", "merge the methods and paths"],
  ["the same call twice, once naming the region's own trust domain", "eu", (r) =>
    r.mesh.calls!.push({ ...r.mesh.calls![0], fromTrustDomain: r.mesh.trustDomain, paths: ["/v1/refund"] }), "regions/eu.ts", "mesh.calls[4]", "(eu.acme-pay.internal/checkout/checkout-service -> payments/payment-service)"],
  ["a service calling itself", "eu", (r) => (r.mesh.calls![0].to = "checkout/checkout-service"), "regions/eu.ts", "mesh.calls[0]", "between two services only"],
  ["a call between two merchant tenants", "eu", (r) => {
    r.mesh.merchantNamespaces!.push("merchant-99999");
    r.services!.push({ name: "shop", namespace: "merchant-99999" });
    r.mesh.calls!.push({ from: "merchant-12345/storefront-connector", to: "merchant-99999/shop", methods: ["GET"], paths: ["/catalog"] });
  }, "regions/eu.ts", "mesh.calls[4]", "isolated from each other"],
  ["a path listed twice", "eu", (r) => (r.mesh.calls![2].paths = ["/tokenize", "/tokenize"]), "regions/eu.ts", "mesh.calls[2].paths[1]", "each path once"],
  ["AWS access for a merchant's service", "eu", (r) => (r.services![5].access = { tokenizationKey: true }), "regions/eu.ts", "services[5].access", "platform namespace"],
  ["a merchant in a platform namespace", "eu", (r) => (r.mesh.merchantNamespaces = ["istio-system"]), "regions/eu.ts", "mesh.merchantNamespaces[0]", "merchant-12345"],
  ["an Istio release the blueprint does not list", "eu", (r) => (r.mesh.istioVersion = "1.22.3"), "regions/eu.ts", "mesh.istioVersion", "1.29 or 1.30"],
  ["a trust domain with a scheme", "eu", (r) => (r.mesh.trustDomain = "spiffe://eu.acme-pay.internal"), "regions/eu.ts", "mesh.trustDomain", '"eu.acme-pay.internal"'],
  ["a mesh without a trust domain", "us", (r) => delete (r.mesh as Partial<typeof r.mesh>).trustDomain, "regions/us.ts", "mesh.trustDomain", ""],
  ["name differs from the file", "eu", (r) => (r.name = "europe"), "regions/eu.ts", "name", 'set name to "eu"'],
  ["prefix too long", "eu", (r) => (r.naming.prefix = "acme-payments"), "regions/eu.ts", "naming.prefix", '"acme-pay"'],
  // Per branch (issue 17): each is the only bad config one condition of its rule answers.
  ["four database instances for three AZs", "eu", (r) => (r.database.instances = 4), "regions/eu.ts", "database.instances", "use 2 to 3"],
  ["backups kept 36 days", "eu", (r) => (r.database.backupRetentionDays = 36), "regions/eu.ts", "database.backupRetentionDays", "at most 35"],
  ["no brokers", "eu", (r) => (r.kafka.brokers = 0), "regions/eu.ts", "kafka.brokers", "at least 3", ["kafka.topics[0].replicationFactor", "kafka.topics[1].replicationFactor", "kafka.topics[2].replicationFactor"]],
  ["a SCRAM user listed twice", "eu", (r) => r.kafka.scramUsers!.push("payment-core"), "regions/eu.ts", "kafka.scramUsers[2]", "each user once"],
  ["a SCRAM user with a character after the name", "eu", (r) => (r.kafka.scramUsers![0] = "payment-core!"), "regions/eu.ts", "kafka.scramUsers[0]", "has characters other than", ["kafka.scramUsers[0]"]],
  ["a SCRAM user with a character before the name", "eu", (r) => (r.kafka.scramUsers![0] = "!payment-core"), "regions/eu.ts", "kafka.scramUsers[0]", "has characters other than", ["kafka.scramUsers[0]"]],
  ["a SCRAM user that names no service", "eu", (r) => (r.kafka.scramUsers![0] = "ledger"), "regions/eu.ts", "kafka.scramUsers[0]", "name a service that declares access.kafka"],
  ["a SCRAM user whose service may use no topic", "eu", (r) => (r.services![3].access!.kafka = { read: [], write: [] }), "regions/eu.ts", "kafka.scramUsers[1]", "would get no ACL"],
  ["a topic name with a space", "eu", (r) => r.kafka.topics!.push({ name: "audit events", partitions: 1, retentionHours: 1 }), "regions/eu.ts", "kafka.topics[3].name", "not a valid topic name"],
  ["a topic name with a character before it", "eu", (r) => r.kafka.topics!.push({ name: "!audit", partitions: 1, retentionHours: 1 }), "regions/eu.ts", "kafka.topics[3].name", "not a valid topic name"],
  ["a topic name with a character after it", "eu", (r) => r.kafka.topics!.push({ name: "audit!", partitions: 1, retentionHours: 1 }), "regions/eu.ts", "kafka.topics[3].name", "not a valid topic name"],
  ["a topic listed twice", "eu", (r) => r.kafka.topics!.push({ ...r.kafka.topics![0] }), "regions/eu.ts", "kafka.topics[3].name", "each topic once"],
  ["a topic of no partition", "eu", (r) => r.kafka.topics!.push({ name: "audit", partitions: 0, retentionHours: 1 }), "regions/eu.ts", "kafka.topics[3].partitions", "at least 1"],
  ["a topic kept no hour", "eu", (r) => r.kafka.topics!.push({ name: "audit", partitions: 1, retentionHours: 0 }), "regions/eu.ts", "kafka.topics[3].retentionHours", "at least 1"],
  ["a call from an undeclared identity of a declared namespace", "eu", (r) => (r.mesh.calls![0].from = "checkout/nobody"), "regions/eu.ts", "mesh.calls[0].from", "is not the identity (<namespace>/<serviceAccount>)"],
  ["a call from an undeclared identity: the fix lists the identities", "eu", (r) => {
    r.services!.push({ name: "ledger", namespace: "ledger", serviceAccount: "bookkeeper" });
    r.mesh.calls![0].from = "checkout/nobody";
  }, "regions/eu.ts", "mesh.calls[0].from", "ledger/bookkeeper"],
  ["a call from an undeclared namespace: the fix lists the identities", "eu", (r) => {
    r.services!.push({ name: "ledger", namespace: "ledger", serviceAccount: "bookkeeper" });
    r.mesh.calls![0].from = "nowhere/nobody";
  }, "regions/eu.ts", "mesh.calls[0].from", "merchant-12345/storefront-connector, ledger/bookkeeper"],
  ["a call into an undeclared namespace: the fix lists the services", "eu", (r) => {
    r.services!.push({ name: "ledger", namespace: "ledger", serviceAccount: "bookkeeper" });
    r.mesh.calls![0].to = "nowhere/nothing";
  }, "regions/eu.ts", "mesh.calls[0].to", "ledger/ledger"],
  ["a call to an undeclared service of a declared namespace: the fix lists the services", "eu", (r) => {
    r.services!.push({ name: "ledger", namespace: "ledger", serviceAccount: "bookkeeper" });
    r.mesh.calls![0].to = "payments/nothing";
  }, "regions/eu.ts", "mesh.calls[0].to", "ledger/ledger"],
  ["unknown cloud region: the fix lists AWS's regions", "eu", (r) => (r.cloudRegion = "eu-west-9"), "regions/eu.ts", "cloudRegion", "use one of ap-southeast-1, eu-central-1, eu-north-1,"],
  ["fewer than three AZs in an unknown region: the fix lists no zones", "eu", (r) => {
    r.cloudRegion = "eu-west-9";
    r.availabilityZoneIds = ["euw1-az1", "euw1-az2"];
    for (const tier of ["workload", "data", "endpoints"] as const) r.network.subnets[tier].pop();
  }, "regions/eu.ts", "availabilityZoneIds", /\| list three or more zones of eu-west-9$/, ["cloudRegion", "kafka.topics[0].replicationFactor", "kafka.topics[1].replicationFactor", "kafka.topics[2].replicationFactor"]],
  ["a zone where EKS cannot run in an unknown region: the fix lists no zones", "us", (r) => ((r.cloudRegion = "us-east-9"), (r.availabilityZoneIds[2] = "use1-az3")), "regions/us.ts", "availabilityZoneIds[2]", /\| use another zone of us-east-9$/, ["cloudRegion"]],
  ["brokers that do not spread over two zones: the fix suggests a multiple of two of at least three", "eu", (r) => {
    r.availabilityZoneIds = ["euw1-az1", "euw1-az2"];
    for (const tier of ["workload", "data", "endpoints"] as const) r.network.subnets[tier].pop();
    r.kafka.brokers = 3;
  }, "regions/eu.ts", "kafka.brokers", "use a multiple of 2 that is at least 3, e.g. 4", ["availabilityZoneIds"]],
  ["calls where no service is declared: the fix says so", "eu", (r) => {
    r.services = [];
    r.kafka.scramUsers = [];
    r.mesh.calls = [{ from: "payments/a", to: "payments/b", methods: ["POST"], paths: ["/x"] }];
  }, "regions/eu.ts", "mesh.calls[0].from", "use one of: (none declared)", ["mesh.calls[0].to", "edge.partners[0].routes[0].to", "edge.partners[1].routes[0].to"]],
  ["a topic read where no topic is declared: the fix says so", "eu", (r) => {
    r.kafka.topics = [];
    r.kafka.scramUsers = ["fraud-engine"];
    r.services = r.services!.map((svc) => (svc.name === "fraud-engine" ? { ...svc, access: { kafka: { read: ["payments.raw"] } } } : { ...svc, access: svc.access && { ...svc.access, kafka: undefined } }));
    r.kafka.mirrorTopics = [];
    delete r.drNetwork;
  }, "regions/eu.ts", "services[3].access.kafka.read[0]", /\| declare it there, or use one of \(none declared\)$/],
  ["a trust domain of another region: says whose", "us", (r) => (r.mesh.trustDomain = "eu.acme-pay.internal"), "regions/us.ts", "mesh.trustDomain", '"eu.acme-pay.internal" is also the trust domain of regions/eu.ts; its workloads would pass for local ones'],
  ["state outside the jurisdiction: the fix lists the jurisdiction's regions", "eu", (r) => {
    r.stateBackend.region = "us-east-1";
    r.stateBackend.kmsKeyArn = r.stateBackend.kmsKeyArn.replace(/:eu-[a-z]+-\d:/, ":us-east-1:");
  }, "regions/eu.ts", "stateBackend.region", "(eu-west-1, eu-west-3, eu-central-1, eu-north-1, eu-south-1, eu-south-2)"],
  ["a merchant namespace listed twice", "eu", (r) => r.mesh.merchantNamespaces!.push("merchant-12345"), "regions/eu.ts", "mesh.merchantNamespaces[1]", "each merchant namespace once"],
  ["a caller of another region into a merchant namespace", "eu", (r) =>
    r.mesh.calls!.push({ from: "payments/payment-core", fromTrustDomain: "us.acme-pay.internal", to: "merchant-12345/storefront-connector", methods: ["POST"], paths: ["/v1/orders"], cardholderData: false }),
    "regions/eu.ts", "mesh.calls[4].to", 'reaches merchant namespace "merchant-12345"'],
  ["a caller of another region calls an undeclared service", "eu", (r) =>
    r.mesh.calls!.push({ from: "payments/payment-core", fromTrustDomain: "us.acme-pay.internal", to: "payments/nothing", methods: ["POST"], paths: ["/v1/x"], cardholderData: false }),
    "regions/eu.ts", "mesh.calls[4].to", "is not a declared service"],
  ["a caller of an unknown trust domain", "eu", (r) =>
    r.mesh.calls!.push({ from: "payments/payment-core", fromTrustDomain: "xx.acme-pay.internal", to: "payments/tokenization-service", methods: ["POST"], paths: ["/tokenize"], cardholderData: false }),
    "regions/eu.ts", "mesh.calls[4].fromTrustDomain", "(eu.acme-pay.internal, us.acme-pay.internal)"],
  ["a caller of another region that is no service there", "eu", (r) =>
    r.mesh.calls!.push({ from: "payments/nobody", fromTrustDomain: "us.acme-pay.internal", to: "payments/tokenization-service", methods: ["POST"], paths: ["/tokenize"], cardholderData: false }),
    "regions/eu.ts", "mesh.calls[4].from", '"payments/nobody" is not a service identity of regions/us.ts'],
  ["a merchant's service of another region as caller", "us", (r) =>
    r.mesh.calls!.push({ from: "merchant-12345/storefront-connector", fromTrustDomain: "eu.acme-pay.internal", to: "payments/tokenization-service", methods: ["POST"], paths: ["/tokenize"], cardholderData: false }),
    "regions/us.ts", "mesh.calls[3].from", "is a merchant's service of regions/eu.ts"],
  ["a caller of another region under another root CA", "eu", (r) => {
    r.mesh.calls!.push({ from: "payments/payment-core", fromTrustDomain: "us.acme-pay.internal", to: "payments/tokenization-service", methods: ["POST"], paths: ["/tokenize"], cardholderData: false });
    r.mesh.rootCaArn = "arn:aws:acm-pca:eu-west-1:999900001111:certificate-authority/00000000-0000-0000-0000-000000000000";
  }, "regions/eu.ts", "mesh.calls[4].fromTrustDomain", "do not name the same mesh.rootCaArn"],
  ["a caller of another jurisdiction that may carry cardholder data", "eu", (r) =>
    r.mesh.calls!.push({ from: "payments/payment-core", fromTrustDomain: "us.acme-pay.internal", to: "payments/tokenization-service", methods: ["POST"], paths: ["/tokenize"] }),
    "regions/eu.ts", "mesh.calls[4].cardholderData", "from regions/us.ts in jurisdiction US into EU"],
  ["a path without its leading slash", "eu", (r) => (r.mesh.calls![0].paths = ["v1/charge"]), "regions/eu.ts", "mesh.calls[0].paths[0]", 'start it with "/"'],
  ["an east-west endpoint service of a region this one does not call", "us", (r) => (r.mesh.eastWestEndpointServices = { "eu.acme-pay.internal": "com.amazonaws.vpce.eu-west-1.vpce-svc-0a1b2c3d4e5f60718" }),
    "regions/us.ts", 'mesh.eastWestEndpointServices["eu.acme-pay.internal"]', "declare the call in the callee's mesh.calls"],
  ["an east-west endpoint service of no region", "us", (r) => (r.mesh.eastWestEndpointServices = { "nowhere.acme-pay.internal": "com.amazonaws.vpce.eu-west-1.vpce-svc-0a1b2c3d4e5f60718" }),
    "regions/us.ts", 'mesh.eastWestEndpointServices["nowhere.acme-pay.internal"]', "no region's calls come from this region into nowhere.acme-pay.internal"],
  ["an east-west endpoint service name that is not one", "us", (r) => (r.mesh.eastWestEndpointServices = { "eu.acme-pay.internal": "vpce-svc-0a1b2c3d4e5f60718" }),
    "regions/us.ts", 'mesh.eastWestEndpointServices.eu.acme-pay.internal', "copy the callee region's output east_west_endpoint_service"],
  ["a method listed twice", "eu", (r) => (r.mesh.calls![0].methods = ["POST", "POST"]), "regions/eu.ts", "mesh.calls[0].methods[1]", "each method once"],
  ["fewer than three AZs: the fix lists the region's zones", "eu", (r) => {
    r.availabilityZoneIds = ["euw1-az1", "euw1-az2"];
    for (const tier of ["workload", "data", "endpoints"] as const) r.network.subnets[tier].pop();
  }, "regions/eu.ts", "availabilityZoneIds", "zones of eu-west-1 (euw1-az1, euw1-az2, euw1-az3)", ["kafka.topics[0].replicationFactor", "kafka.topics[1].replicationFactor", "kafka.topics[2].replicationFactor"]],
  ["a zone where EKS cannot run: the fix lists the others", "us", (r) => (r.availabilityZoneIds[2] = "use1-az3"), "regions/us.ts", "availabilityZoneIds[2]", "(use1-az1, use1-az2, use1-az4, use1-az5, use1-az6)"],
  ["extra endpoint already a default: the fix lists the defaults", "eu", (r) => (r.network.extraInterfaceEndpoints = ["kms"]), "regions/eu.ts", "network.extraInterfaceEndpoints[0]", "the defaults are kms, sts, ecr.api"],
  ["a service declared twice", "eu", (r) => r.services!.push({ name: "checkout-service", namespace: "ledger" }), "regions/eu.ts", "services[6].name", "its own name"],
  ["a service in a platform namespace: the fix lists them", "eu", (r) => (r.services![0].namespace = "kube-system"), "regions/eu.ts", "services[0].namespace", "(not default, kube-system, kube-public", ["mesh.calls[1].to", "mesh.calls[2].from"]],
  ["a service reads an undeclared topic: the fix lists the topics", "eu", (r) => (r.services![3].access!.kafka!.read = ["nothing"]), "regions/eu.ts", "services[3].access.kafka.read[0]", "use one of payments.raw, fraud.result, payment-events"],
  ["another service's audit prefix", "eu", (r) => (r.services![3].access!.auditWritePrefix = "payment-core/"), "regions/eu.ts", "services[3].access.auditWritePrefix", 'is also the prefix of payment-core'],
  ["a principal that only ends in an IAM ARN", "eu", (r) => (r.paymentApi.allowedPrincipals[0] = "arn:aws:s3:::arn:aws:iam::210987654321:root"), "regions/eu.ts", "paymentApi.allowedPrincipals[0]", "is not an IAM account root, role or user ARN"],
  ["a principal with text after the account root", "eu", (r) => (r.paymentApi.allowedPrincipals[0] = "arn:aws:iam::210987654321:rootx"), "regions/eu.ts", "paymentApi.allowedPrincipals[0]", "is not an IAM account root, role or user ARN"],
  ["region outside the jurisdiction: says which it is in", "us", (r) => ((r.cloudRegion = "eu-west-1"), (r.availabilityZoneIds = ["euw1-az1", "euw1-az2", "euw1-az3"])), "regions/us.ts", "cloudRegion", "(it is in EU)"],
  ["region outside the jurisdiction: the fix lists the jurisdiction's regions", "us", (r) => ((r.cloudRegion = "eu-west-1"), (r.availabilityZoneIds = ["euw1-az1", "euw1-az2", "euw1-az3"])), "regions/us.ts", "cloudRegion", "(us-east-1, us-east-2, us-west-1, us-west-2)"],
  ["DR partner outside the jurisdiction: the fix lists the others", "eu", (r) => (r.drPartnerRegion = "eu-west-2"), "regions/eu.ts", "drPartnerRegion", "(eu-west-3, eu-central-1, eu-north-1, eu-south-1, eu-south-2)"],
  ["state key of another service in the state's region", "eu", (r) => (r.stateBackend.kmsKeyArn = `arn:aws:s3:${r.stateBackend.region}:111122223333:key/x`), "regions/eu.ts", "stateBackend.kmsKeyArn", "use the ARN of a KMS key in"],
  ["cold storage after 29 days", "eu", (r) => (r.retention.coldStorageAfterDays = 29), "regions/eu.ts", "retention.coldStorageAfterDays", "at least 30"],
  ["cold storage the day the archive's lock ends", "eu", (r) => (r.retention.coldStorageAfterDays = r.retention.auditArchiveDays), "regions/eu.ts", "retention.coldStorageAfterDays", "less than auditArchiveDays"],
  ["log retention CloudWatch rejects: the fix lists what it accepts", "eu", (r) => (r.retention.logDays = 500), "regions/eu.ts", "retention.logDays", "use one of 365, 400, 545"],
  ["four HSMs for three AZs", "eu", (r) => (r.hsm = { count: 4 }), "regions/eu.ts", "hsm.count", "use 2 to 3"],
  ["a trust anchor with no certificate at all", "eu", (r) => (r.hsm = { stage: "keystore", trustAnchorCertificate: "customerCA.crt" }), "regions/eu.ts", "hsm.trustAnchorCertificate", "holds 0 PEM certificate(s)"],
  ["a partner route to a service that does not exist", "eu", (r) => (r.edge!.partners[0].routes[0].to = "payments/ledger"), "regions/eu.ts", "edge.partners[0].routes[0].to", "use one of: payments/payment-core"],
  ["a partner route into a merchant namespace", "eu", (r) => (r.edge!.partners[0].routes[0].to = "merchant-12345/storefront-connector"), "regions/eu.ts", "edge.partners[0].routes[0].to", "route the partner to a platform service"],
  ["two routes of one partner to one service", "eu", (r) => r.edge!.partners[0].routes.push({ ...r.edge!.partners[0].routes[0], paths: ["/v1/refund"] }), "regions/eu.ts", "edge.partners[0].routes[1].to", "merge the methods and paths"],
  ["a partner route to every path", "eu", (r) => (r.edge!.partners[1].routes[0].paths = ["/*"]), "regions/eu.ts", "edge.partners[1].routes[0].paths[0]", "allows every path"],
  ["a partner route with a method twice", "eu", (r) => (r.edge!.partners[1].routes[0].methods = ["POST", "POST"]), "regions/eu.ts", "edge.partners[1].routes[0].methods[1]", "list each method once"],
  ["a partner with no route", "eu", (r) => (r.edge!.partners[0].routes = []), "regions/eu.ts", "edge.partners[0].routes", "give the partner at least one route"],
  ["a partner's CA bundle with its private key", "eu", (r) => (r.edge!.partners[0].caBundle += "\n-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n"), "regions/eu.ts", "edge.partners[0].caBundle", "rotate it"],
  ["a partner's CA bundle of a leaf certificate", "eu", (r) => (r.edge!.partners[0].caBundle = TEST_NON_CA_PEM), "regions/eu.ts", "edge.partners[0].caBundle", /is not a CA certificate .* \| paste the partner's current client CA/],
  ["a partner's CA bundle with no certificate", "eu", (r) => (r.edge!.partners[1].caBundle = "the CA is attached to the email"), "regions/eu.ts", "edge.partners[1].caBundle", "from -----BEGIN CERTIFICATE-----"],
  ["a partner's CA bundle with a broken certificate", "eu", (r) => (r.edge!.partners[1].caBundle = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"), "regions/eu.ts", "edge.partners[1].caBundle", "is not a readable X.509 certificate"],
  ["a wildcard partner identity", "eu", (r) => (r.edge!.partners[0].identities = ["*.acquirer-eu.example"]), "regions/eu.ts", "edge.partners[0].identities[0]", "exactly"],
  ["a partner identity twice", "eu", (r) => r.edge!.partners[0].identities.push(r.edge!.partners[0].identities[0]), "regions/eu.ts", "edge.partners[0].identities[1]", "list each identity once"],
  ["no partner identity", "eu", (r) => (r.edge!.partners[0].identities = []), "regions/eu.ts", "edge.partners[0].identities", "name the SANs"],
  ["a partner declared twice", "eu", (r) => r.edge!.partners.push(cloneJson(r.edge!.partners[0])), "regions/eu.ts", "edge.partners[2].name", "declare each partner once"],
  ["a partner name that is no DNS label", "eu", (r) => (r.edge!.partners[0].name = "Acquirer_EU"), "regions/eu.ts", "edge.partners[0].name", "DNS label"],
  ["a partner faster than the ceiling", "eu", (r) => (r.edge!.partners[0].requestsPerSecond = 1000), "regions/eu.ts", "edge.partners[0].requestsPerSecond", "lower the partner's rate", ["edge.requestsPerSecond"]],
  ["partners whose rates add up to more than the ceiling", "eu", (r) => (r.edge!.requestsPerSecond = 240), "regions/eu.ts", "edge.requestsPerSecond", "raise the ceiling to at least 250"],
  ["a partner host longer than DNS allows", "eu", (r) => (r.edge!.host = `${"a".repeat(60)}.${"b".repeat(60)}.${"c".repeat(60)}.${"d".repeat(60)}.example`), "regions/eu.ts", "edge.partners[0].name", "shorten", ["edge.partners[1].name"]],
  ["a partner host that is no DNS name", "eu", (r) => (r.edge!.host = "https://api.example"), "regions/eu.ts", "edge.host", "api.eu.acme-pay.example"],
  ["a body limit above 1 MiB", "eu", (r) => (r.edge!.maxRequestBytes = 2_000_000), "regions/eu.ts", "edge.maxRequestBytes", "buffers each body"],
  ["a single gateway replica", "eu", (r) => (r.edge!.replicas = 1), "regions/eu.ts", "edge.replicas", "2 or more"],
  ["no partners", "eu", (r) => (r.edge!.partners = []), "regions/eu.ts", "edge.partners", "declare at least one partner"],
  ["an AWS region without its partner gateway", "eu", (r) => delete r.edge, "regions/eu.ts", "edge", "declare edge.host and edge.partners"],
  ["partners without the region's workload CA", "eu", (r) => delete r.mesh.rootCaArn, "regions/eu.ts", "edge", "set mesh.rootCaArn"],
  ["a root certificate in an AWS region (ACM PCA installs the chain)", "eu", (r) => (r.mesh.rootCertificate = "x"), "regions/eu.ts", "mesh.rootCertificate", "remove mesh.rootCertificate"],
  ["a signed intermediate in an AWS region (its intermediate lives in ACM PCA)", "us", (r) => (r.mesh.intermediateCertificate = "x"), "regions/us.ts", "mesh.intermediateCertificate", "remove mesh.intermediateCertificate"],
];

/**
 * The other side of each bound, and forms a rule must accept: [label, region, change]. Each must
 * validate with no problem at all, so a rule that tightens by mistake is noticed.
 */
const GOOD_CONFIGS: [string, "eu" | "us", (r: Data) => void][] = [
  ["a DR network of a /16 (the largest block)", "eu", (r) => ((r.drNetwork!.vpcCidr = "10.12.0.0/16"), (r.drNetwork!.data = ["10.12.0.0/20", "10.12.16.0/20", "10.12.32.0/20"]))],
  ["a DR network of a /24 with /28 data blocks (the smallest)", "eu", (r) => (r.drNetwork!.data = ["10.12.0.0/28", "10.12.0.16/28", "10.12.0.32/28"])],
  ["three brokers, named", "eu", (r) => (r.kafka.brokers = 3)],
  ["a call from another region of the same jurisdiction, its cardholder data unsaid", "us", (r) => {
    Object.assign(r, JSON.parse(JSON.stringify(r).split("us-east-1").join("eu-west-3")));
    Object.assign(r, { jurisdiction: "EU", availabilityZoneIds: ["euw3-az1", "euw3-az2", "euw3-az3"], drPartnerRegion: "eu-north-1" });
    r.mesh.calls!.push({ from: "payments/payment-core", fromTrustDomain: "eu.acme-pay.internal", to: "payments/tokenization-service", methods: ["POST"], paths: ["/tokenize"] });
  }],
  ["an AWS region in a jurisdiction with no second AWS region, without a DR partner", "us", (r) => {
    Object.assign(r, JSON.parse(JSON.stringify(r).split("us-east-1").join("ap-southeast-1")));
    Object.assign(r, { jurisdiction: "SG", availabilityZoneIds: ["apse1-az1", "apse1-az2", "apse1-az3"] });
    delete (r as { drPartnerRegion?: string }).drPartnerRegion;
  }],
  ["adopting the PKI CRDs where the region has a workload CA chain", "eu", (r) => (r.mesh.adoptHelmInstalledPkiCrds = true)],
  ["a call from the same-named service of another region (another identity), without cardholder data", "eu", (r) =>
    r.mesh.calls!.push({ from: "fraud/fraud-engine", fromTrustDomain: "us.acme-pay.internal", to: "fraud/fraud-engine", methods: ["POST"], paths: ["/v1/risk-signals"], cardholderData: false })],
  ["a call inside one merchant namespace", "eu", (r) => {
    r.services!.push({ name: "storefront-worker", namespace: "merchant-12345" });
    r.mesh.calls!.push({ from: "merchant-12345/storefront-connector", to: "merchant-12345/storefront-worker", methods: ["POST"], paths: ["/v1/jobs"] });
  }],
  ["a platform service calls a merchant's service", "eu", (r) => r.mesh.calls!.push({ from: "payments/payment-service", to: "merchant-12345/storefront-connector", methods: ["POST"], paths: ["/v1/notify"] })],
  ["a suffix path", "eu", (r) => (r.mesh.calls![0].paths = ["*/charge"])],
  ["a /24 VPC with /28 subnets", "eu", (r) => {
    r.network.vpcCidr = "10.10.0.0/24";
    r.network.subnets = { workload: ["10.10.0.0/27", "10.10.0.32/27", "10.10.0.64/27"], data: ["10.10.0.96/28", "10.10.0.112/28", "10.10.0.128/28"], endpoints: ["10.10.0.144/28", "10.10.0.160/28", "10.10.0.176/28"] };
  }],
  ["subnets that touch but do not overlap, the last one ending at the VPC's end", "eu", (r) => {
    r.network.subnets = { workload: ["10.10.0.0/18", "10.10.64.0/18", "10.10.128.0/19"], data: ["10.10.160.0/19", "10.10.192.0/20", "10.10.208.0/20"], endpoints: ["10.10.224.0/20", "10.10.240.0/21", "10.10.248.0/21"] };
  }],
  ["an extra interface endpoint that is not a default", "eu", (r) => (r.network.extraInterfaceEndpoints = ["ssm"])],
  ["a partner range of exactly /8", "eu", (r) => (r.paymentApi.partnerClientCidrs = ["10.0.0.0/8"])],
  ["partner principals that are a role with a path and a user", "eu", (r) => (r.paymentApi.allowedPrincipals = ["arn:aws:iam::222233334444:role/partners/acquirer", "arn:aws:iam::222233334444:user/gateway"])],
  ["as many HSMs as zones", "eu", (r) => (r.hsm = { count: 3 })],
  ["two HSMs", "eu", (r) => (r.hsm = { count: 2 })],
  ["a second tokenization key generation at stage keys", "eu", (r) => (r.hsm = { stage: "keys", trustAnchorCertificate: TEST_TRUST_ANCHOR_PEM, tokenizationKeyGeneration: 2 })],
  ["the trust anchor at stage keystore", "eu", (r) => (r.hsm = { stage: "keystore", trustAnchorCertificate: TEST_TRUST_ANCHOR_PEM })],
  ["a trust anchor before it is needed", "eu", (r) => (r.hsm = { stage: "cluster", trustAnchorCertificate: TEST_TRUST_ANCHOR_PEM })],
  ["the archive and the logs kept exactly 12 months, cold storage after 30 days", "eu", (r) => (r.retention = { auditArchiveDays: 365, logDays: 365, coldStorageAfterDays: 30 })],
  ["cold storage the day before the archive's lock ends", "eu", (r) => (r.retention = { auditArchiveDays: 400, logDays: 400, coldStorageAfterDays: 399 })],
  ["the longest log retention CloudWatch accepts", "eu", (r) => (r.retention.logDays = 3653)],
  ["two database instances, backups kept 7 days", "eu", (r) => (r.database = { instances: 2, backupRetentionDays: 7 })],
  ["a database instance per zone, backups kept 35 days", "eu", (r) => (r.database = { instances: 3, backupRetentionDays: 35 })],
  ["six brokers over three zones, a topic replicated to all of them, one partition kept an hour", "eu", (r) => {
    r.kafka.brokers = 6;
    r.kafka.topics![0] = { ...r.kafka.topics![0], replicationFactor: 6, partitions: 1, retentionHours: 1 };
  }],
  ["paths as a prefix and as a suffix", "eu", (r) => (r.mesh.calls![0].paths = ["/v1/charge", "/v1/charges/*", "*/status"])],
  ["audit prefixes where one is not inside the other", "eu", (r) => {
    r.services![0].access!.auditWritePrefix = "payment/";
    r.services![1].access!.auditWritePrefix = "payment-core/";
  }],
  ["one service account name in two namespaces", "eu", (r) => ((r.services![1].serviceAccount = "runner"), (r.services![3].serviceAccount = "runner"))],
  ["a topic name with every allowed character", "eu", (r) => r.kafka.topics!.push({ name: "Payment_events.v2-A", partitions: 1, retentionHours: 1 })],
];

describe("a valid region config is accepted at each bound", () => {
  it.each(GOOD_CONFIGS)("%s", (_label, target, change) => {
    expect(problemsAfter(target, change)).toEqual([]);
  });
});

describe("a bad region config is rejected with the file, the field and the fix", () => {
  it.each(BAD_CONFIGS)("%s", (_label, target, mutate, file, field, fix, following = []) => {
    const problems = problemsAfter(target, mutate);
    // The phrase is in the fix or, where it names what was found, in the problem.
    // (A pattern where the end of the fix matters: `$` is the end of the fix.)
    expect(problems.filter((p) => p.file === file && p.field === field).map((p) => `${p.problem} | ${p.fix}`)).toContainEqual(
      typeof fix === "string" ? expect.stringContaining(fix) : expect.stringMatching(fix),
    );
    // Exactly these problems: a rule that also reports wrong, extra problems fails here.
    // (A follower in another file is written "<file> <field>".)
    expect(problems.map((p) => `${p.file} ${p.field}`).sort()).toEqual([field, ...following].map((f) => (f.includes(" ") ? f : `${file} ${f}`)).sort());
    // Each says what is wrong and what to do.
    for (const p of problems) expect([p.problem, p.fix]).toEqual([expect.stringMatching(/\S/), expect.stringMatching(/\S/)]);
  });

  it("rejects an Istio release that does not support the cluster's Kubernetes version", () => {
    // No listed pair is incompatible today; an older release shows the rule works when the lists move.
    const releases = ISTIO_RELEASES as Record<string, readonly string[]>;
    releases["1.28"] = ["1.30", "1.31", "1.32", "1.33", "1.34"];
    try {
      const problems = problemsAfter("eu", (r) => ((r.mesh.istioVersion = "1.28.2"), (r.eks.version = "1.35")));
      expect(problems).toEqual([
        { file: "regions/eu.ts", field: "mesh.istioVersion", problem: "Istio 1.28 does not support Kubernetes 1.35 (eks.version)", fix: "use an Istio release that supports 1.35: 1.29, 1.30" },
      ]);
    } finally {
      delete releases["1.28"];
    }
  });

  it("says so when no listed Istio release supports the cluster's Kubernetes version", () => {
    const releases = ISTIO_RELEASES as Record<string, readonly string[]>;
    const saved = { ...releases };
    for (const minor of Object.keys(releases)) releases[minor] = releases[minor].filter((k) => k !== "1.35");
    try {
      // Both shipped regions run 1.35.
      const problems = problemsAfter("eu", (r) => (r.eks.version = "1.35"));
      const fix = "use an Istio release that supports 1.35: (none listed)";
      expect(problems.map((p) => [p.file, p.field, p.fix])).toEqual([["regions/eu.ts", "mesh.istioVersion", fix], ["regions/us.ts", "mesh.istioVersion", fix]]);
    } finally {
      Object.assign(releases, saved);
    }
  });

  it("accepts the bounds themselves: desired = max, min = zones, 20 and 1000 GiB", () => {
    expect(problemsAfter("eu", (r) => (r.eks.nodes = { minSize: 3, desiredSize: 6, maxSize: 6, diskGiB: 20 }))).toEqual([]);
    expect(problemsAfter("eu", (r) => (r.eks.nodes = { diskGiB: 1000 }))).toEqual([]);
  });

  it("does not size a merchants' node group where the region has no merchants (none is made)", () => {
    const withoutMerchants = (data: Data) => {
      const r = data as unknown as { services: { namespace: string }[]; mesh: { merchantNamespaces: string[]; calls: { from: string; to: string }[] }; eks: Record<string, unknown> };
      const merchants = new Set<string>(r.mesh.merchantNamespaces);
      r.services = r.services.filter((x) => !merchants.has(x.namespace));
      r.mesh.calls = r.mesh.calls.filter((c) => ![c.from, c.to].some((ref) => merchants.has(ref.split("/")[0])));
      r.mesh.merchantNamespaces = [];
      r.eks.merchantNodes = { minSize: 1, desiredSize: 1, maxSize: 1, diskGiB: 10 };
    };
    expect(problemsAfter("us", withoutMerchants)).toEqual([]);
  });

  it("reports every problem of a file at once", () => {
    const problems = problemsAfter("eu", (r) => {
      r.retention.auditArchiveDays = 200;
      r.availabilityZoneIds[0] = "use1-az1";
    });
    expect(problems.map((p) => p.field).sort()).toEqual(["availabilityZoneIds[0]", "retention.auditArchiveDays"]);
  });

  it("accepts two regions of one account when the second lists the Auto Scaling role as existing", () => {
    expect(problemsAfter("us", (r) => (intoEuAccount(r), (r.existingServiceLinkedRoles = ["autoscaling.amazonaws.com"])))).toEqual([]);
  });

  it("accepts a trust anchor pasted with Windows line endings, and normalises it", () => {
    const region = cloneJson(eu);
    region.hsm = { stage: "keystore", trustAnchorCertificate: TEST_TRUST_ANCHOR_PEM.replace(/\n/g, "\r\n") };
    const [loaded] = validateRegions([{ file: "regions/eu.ts", data: region }]);
    expect((loaded.config as AwsRegionConfig).hsm.trustAnchorCertificate).toBe(TEST_TRUST_ANCHOR_PEM);
  });

  it("formats a message a person can act on", () => {
    const regions = cloneJson(eu);
    regions.retention.auditArchiveDays = 30;
    expect(() => validateRegions([{ file: "regions/eu.ts", data: regions }])).toThrow(
      /nothing was synthesized[\s\S]*- regions\/eu\.ts: retention\.auditArchiveDays: 30 days is under the PCI DSS 10\.5\.1 minimum[\s\S]*\n {2}Fix: set it to 365 or more/,
    );
  });

  it("rejects a prefix and name too long for load balancer names", () => {
    const long = { ...cloneJson(eu), name: "europewest1", naming: { prefix: "acme-paymnts" } };
    expect(() => validateRegions([{ file: "regions/europewest1.ts", data: long }])).toThrow(
      /regions\/europewest1\.ts: naming\.prefix: "acme-paymnts-europewest1" is 24 characters[\s\S]*Fix: shorten naming\.prefix or name/,
    );
  });

  it("accepts a prefix and name of exactly 20 characters", () => {
    const longest = { ...cloneJson(eu), name: "europew", naming: { prefix: "acme-paymnts" } };
    expect(validateRegions([{ file: "regions/europew.ts", data: longest }]).map((r) => r.config.name)).toEqual(["europew"]);
  });

  it("rejects two region files of one name (a .js beside a .ts)", () => {
    try {
      validateRegions([
        { file: "regions/eu.ts", data: cloneJson(eu) },
        { file: "regions/eu.js", data: cloneJson(eu) },
      ]);
      throw new Error("validated");
    } catch (e) {
      expect((e as RegionConfigError).problems).toContainEqual(expect.objectContaining({ file: "regions/eu.js", field: "name", problem: '"eu" is also used by regions/eu.ts', fix: "give every region a unique name" }));
    }
  });

  it("rejects a region file without a default export", () => {
    expect(() => validateRegions([{ file: "regions/eu.ts", data: undefined }])).toThrow(/regions\/eu\.ts: \(file\): has no default export\n {2}Fix: end the file with `export default region;`/);
  });

  it("reads the .ts and .js files of the folder, in name order, and nothing else", () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "regions-")), "regions");
    fs.mkdirSync(dir);
    // Written out of order; beside them what is not a region file.
    for (const f of ["us.ts", "apac.js", "eu.ts", "eu.d.ts", "eu.js.map", "notes.tsx", "README.md"]) fs.writeFileSync(path.join(dir, f), f.endsWith(".map") || f.endsWith(".md") || f.endsWith(".tsx") ? "not code" : `module.exports = { default: ${JSON.stringify(f)} };\n`);
    expect(readRegionSources(dir)).toEqual([
      { file: "regions/apac.js", data: "apac.js" },
      { file: "regions/eu.ts", data: "eu.ts" },
      { file: "regions/us.ts", data: "us.ts" },
    ]);
  });
});

describe("main.ts", () => {
  it("refuses an argument it does not know, before anything is removed or written", () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "main-args-"));
    fs.writeFileSync(path.join(outdir, "manifest.json"), "{}");
    const result = spawnSync(process.execPath, [...APP_RUNNER, "main.ts", "--json"], { cwd: path.join(__dirname, "..", ".."), env: { ...process.env, CDKTF_OUTDIR: outdir }, encoding: "utf8" });
    expect([result.status, result.stderr.trim()]).toEqual([2, "main.ts: unknown argument(s) --json; the one option is --hcl."]);
    expect(fs.readdirSync(outdir)).toEqual(["manifest.json"]);
  });

  it("fails before writing anything when a region file is bad", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bad-regions-"));
    const regionsDir = path.join(dir, "regions");
    fs.mkdirSync(regionsDir);
    const bad = cloneJson(eu);
    bad.network.subnets.data[0] = "10.10.0.0/22"; // overlaps the first workload subnet
    fs.writeFileSync(path.join(regionsDir, "eu.ts"), `export default ${JSON.stringify(bad)};\n`);
    const outdir = path.join(dir, "cdktf.out");
    const result = spawnSync(process.execPath, [...APP_RUNNER, "main.ts"], {
      cwd: path.join(__dirname, "..", ".."),
      env: { ...process.env, BLUEPRINT_REGIONS_DIR: regionsDir, CDKTF_OUTDIR: outdir },
      encoding: "utf8",
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("regions/eu.ts: network.subnets.data[0]: 10.10.0.0/22 overlaps network.subnets.workload[0]");
    expect(result.stderr).toContain("Fix: give every subnet its own, non-overlapping block");
    expect(fs.existsSync(outdir)).toBe(false);
  });

  it("removes what the previous synth wrote, so a failed one leaves nothing to mistake for the current code", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bad-regions-"));
    const regionsDir = path.join(dir, "regions");
    fs.mkdirSync(regionsDir);
    fs.writeFileSync(path.join(regionsDir, "eu.ts"), "export default {};\n");
    const outdir = path.join(dir, "cdktf.out");
    const stackDir = path.join(outdir, "stacks", "region-eu");
    fs.mkdirSync(path.join(stackDir, ".terraform"), { recursive: true });
    for (const f of ["cdk.tf.json", "REPORT.md", "plan.json", ".terraform/terraform.tfstate"]) fs.writeFileSync(path.join(stackDir, f), "previous");
    fs.writeFileSync(path.join(outdir, "manifest.json"), "{}");
    const result = spawnSync(process.execPath, [...APP_RUNNER, "main.ts"], {
      cwd: path.join(__dirname, "..", ".."),
      env: { ...process.env, BLUEPRINT_REGIONS_DIR: regionsDir, CDKTF_OUTDIR: outdir },
      encoding: "utf8",
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`The previous synth's outputs in ${outdir} were removed (4 files).`);
    expect([fs.readdirSync(outdir), fs.readdirSync(stackDir)]).toEqual([["stacks"], [".terraform"]]);
  });
});

describe("a problem the schema finds is told in the region file's terms", () => {
  /** The problems of eu after `mutate`, alone (no cross-region rule). */
  const schemaProblems = (mutate: (r: Record<string, unknown>) => void) => {
    const data = cloneJson(eu) as unknown as Record<string, unknown>;
    mutate(data);
    try {
      validateRegions([{ file: "regions/eu.ts", data }]);
    } catch (e) {
      if (e instanceof RegionConfigError) return e.problems;
      throw e;
    }
    return [];
  };

  it.each<[string, (r: Record<string, unknown>) => void, { field: string; problem: string | RegExp; fix: string | RegExp }]>([
    ["a missing field", (r) => delete r.naming, { field: "naming", problem: "is missing", fix: "add naming (object)" }],
    ["a field of the wrong type", (r) => (r.naming = "acme"), { field: "naming", problem: /expected object/, fix: "set naming to a value of type object" }],
    ["a field with its own message", (r) => (r.accountId = 111122223333), { field: "accountId", problem: "must be a 12-digit AWS account id, as a string.", fix: 'write it in quotes, e.g. accountId: "123456789012".' }],
    ["a nested field of the wrong type", (r) => ((r.network as Record<string, unknown>).vpcCidr = 10), { field: "network.vpcCidr", problem: /expected string/, fix: "set network.vpcCidr to a value of type string" }],
    ["an element of a list", (r) => ((r.availabilityZoneIds as unknown[])[1] = 2), { field: "availabilityZoneIds[1]", problem: /expected string/, fix: "set availabilityZoneIds[1] to a value of type string" }],
    ["unknown fields", (r) => ((r.retension = 1), (r.tagz = 2)), { field: "(root)", problem: 'has unknown field(s) "retension", "tagz"', fix: "remove them or correct the spelling (see config/schema.ts for the fields)" }],
    ["a list too short", (r) => (r.availabilityZoneIds = []), { field: "availabilityZoneIds", problem: /expected array to have >=1 items/, fix: "provide at least 1" }],
    ["a value outside a list", (r) => (r.jurisdiction = "UK"), { field: "jurisdiction", problem: /expected one of/, fix: 'use one of "EU", "US", "SG"' }],
  ])("%s", (_label, mutate, expected) => {
    const problems = schemaProblems(mutate);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toEqual({ file: "regions/eu.ts", field: expected.field, problem: expected.problem instanceof RegExp ? expect.stringMatching(expected.problem) : expected.problem, fix: expected.fix instanceof RegExp ? expect.stringMatching(expected.fix) : expected.fix });
  });

  it("an empty regions folder", () => {
    expect(() => validateRegions([])).toThrow(/regions\/: \(folder\): holds no region file\n {2}Fix: add one, e\.g\. regions\/eu\.ts/);
  });
});

describe("a partner's CA certificate", () => {
  it("is refused once it has expired, naming the field, the date and the certificate", () => {
    const region = loadRegions().find((r) => r.name === "eu")!;
    const problems: string[] = [];
    checkEdge(region, (field, problem, fix) => problems.push(`${field}: ${problem} | ${fix}`), new Date("2040-01-01T00:00:00Z"));
    expect(problems).toEqual([
      expect.stringMatching(/^edge\.partners\[0\]\.caBundle: certificate 1 expired on .*2036 GMT \(.*acquirer-eu client CA \(example\)\) \| paste the partner's current client CA/),
      expect.stringMatching(/^edge\.partners\[1\]\.caBundle: certificate 1 expired on .*wallet-eu client CA/),
    ]);
  });
});

describe("calls between regions and their east-west endpoint services", () => {
  const call = { from: "fraud/fraud-engine", fromTrustDomain: "us.acme-pay.internal", to: "fraud/fraud-engine", methods: ["POST"], paths: ["/v1/risk-signals"], cardholderData: false };
  const problems = (service: string, withCall = true) => {
    const [e, u] = [cloneJson(eu), cloneJson(us)];
    if (withCall) e.mesh.calls!.push(call as never);
    u.mesh.eastWestEndpointServices = { "eu.acme-pay.internal": service };
    try {
      validateRegions([
        { file: "regions/eu.ts", data: e },
        { file: "regions/us.ts", data: u },
      ]);
      return [];
    } catch (err) {
      if (err instanceof RegionConfigError) return err.problems.map((p) => `${p.file} ${p.field}: ${p.problem} | ${p.fix}`);
      throw err;
    }
  };
  it("accepts the callee's service, in the callee's region, where the callee declares the call", () => {
    expect(problems("com.amazonaws.vpce.eu-west-1.vpce-svc-0a1b2c3d4e5f60718")).toEqual([]);
  });
  it("refuses a service in another region than the callee's", () => {
    expect(problems("com.amazonaws.vpce.eu-central-1.vpce-svc-0a1b2c3d4e5f60718")).toEqual([
      'regions/us.ts mesh.eastWestEndpointServices["eu.acme-pay.internal"]: names a service in eu-central-1, but regions/eu.ts is in eu-west-1 | copy regions/eu.ts\'s region-eu output east_west_endpoint_service',
    ]);
  });
});

describe("a call between two clouds", () => {
  it("is refused: no private path joins them", () => {
    const e = cloneJson(eu);
    e.mesh.calls!.push({ from: "fraud/fraud-engine", fromTrustDomain: "apac.acme-pay.internal", to: "fraud/fraud-engine", methods: ["POST"], paths: ["/v1/risk-signals"], cardholderData: false } as never);
    let found: string[] = [];
    try {
      validateRegions([
        { file: "regions/eu.ts", data: e },
        { file: "regions/apac.ts", data: cloneJson(APAC) },
      ]);
    } catch (err) {
      if (err instanceof RegionConfigError) found = err.problems.map((p) => `${p.file} ${p.field}: ${p.problem}`);
    }
    expect(found).toEqual(["regions/eu.ts mesh.calls[4].fromTrustDomain: the call comes from regions/apac.ts (GCP) into an AWS region, and no private path joins them (the east-west path is cross-region PrivateLink, between AWS regions)"]);
  });
});
