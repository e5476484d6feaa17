import { hasMeshPki } from "../../model/mesh/in-cluster";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamUser } from "@cdktf/provider-aws/lib/iam-user";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import { SecretsmanagerSecretPolicy } from "@cdktf/provider-aws/lib/secretsmanager-secret-policy";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Construct } from "constructs";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { AwsRegionConfig, GcpRegionConfig, RegionConfig } from "../../config/schema";
import { ComputeAddress } from "@cdktf/provider-google/lib/compute-address";
import { ComputeSubnetwork } from "@cdktf/provider-google/lib/compute-subnetwork";
import { ContainerCluster } from "@cdktf/provider-google/lib/container-cluster";
import { KmsCryptoKey as GoogleKmsKey } from "@cdktf/provider-google/lib/kms-crypto-key";
import { KmsCryptoKeyIamMember } from "@cdktf/provider-google/lib/kms-crypto-key-iam-member";
import { KmsKeyRing } from "@cdktf/provider-google/lib/kms-key-ring";
import { ManagedKafkaTopic } from "@cdktf/provider-google/lib/managed-kafka-topic";
import { ProjectIamMember } from "@cdktf/provider-google/lib/project-iam-member";
import { GoogleProvider } from "@cdktf/provider-google/lib/provider";
import { SqlDatabaseInstance } from "@cdktf/provider-google/lib/sql-database-instance";
import { StorageBucket } from "@cdktf/provider-google/lib/storage-bucket";
import { App, TerraformOutput, TerraformResource } from "../../core/cdktf";
import { AwsRegionStack } from "../../stacks/aws-region-stack";
import { GUARDRAILS } from "../../guardrails";
import { GuardrailPack, formatFinding } from "../../guardrails/pack";
import { isResourceRule, stackRules } from "../../guardrails/rule";
import { REVIEWED_RESOURCE_TYPES } from "../../guardrails/rules/every-stack/reviewed";
import { MIN_REASON_LENGTH, suppressGuardrails } from "../../core/suppress";
import { defineStacks } from "../../stacks";
import { RegionStack, STACK_LAYERS, StackLayer } from "../../core/blueprint-stack";
import { mirrorsKafka } from "../../model/aws/kafka-mirror";
import { allStacks, shippedAllLayers, shippedRegions } from "../support/synth";

const eu = shippedRegions().find((r) => r.name === "eu") as AwsRegionConfig;
const apac = shippedRegions().find((r) => r.name === "apac") as GcpRegionConfig;

/** A region stack holding only what a test puts in it. */
class MinimalStack extends RegionStack {
  constructor(scope: Construct, region: RegionConfig, layer: StackLayer = "aws") {
    super(scope, "minimal", region, layer);
  }
}

function newApp(options: { skipValidation?: boolean } = {}): App {
  return new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), "guardrails-")), ...options });
}

/**
 * Builds a minimal stack with `build`, applies the pack limited to `ruleId` and synthesizes. Returns
 * the error synth throws (or undefined) and whether the stack was written.
 */
function synthWith(ruleId: string, build: (stack: MinimalStack) => void): { error?: string; written: boolean; pack: GuardrailPack } {
  const app = newApp();
  // A rule of GCP stacks only is tried on a GCP stack of the APAC region.
  const layers = GUARDRAILS.find((r) => r.id === ruleId)?.layers ?? [];
  const gcp = layers.includes("gcp") && !layers.includes("aws");
  const stack = gcp ? new MinimalStack(app, apac, "gcp") : new MinimalStack(app, eu);
  build(stack);
  if (gcp && !stack.node.tryFindChild("google")) new GoogleProvider(stack, "google", { project: apac.projectId, region: apac.cloudRegion });
  if (!gcp && !stack.node.tryFindChild("aws")) new AwsProvider(stack, "aws", { region: eu.cloudRegion });
  const pack = GuardrailPack.applyTo(
    stack,
    GUARDRAILS.filter((r) => r.id === ruleId),
  );
  let error: string | undefined;
  try {
    app.synth();
  } catch (e) {
    error = (e as Error).message;
  }
  return { error, written: fs.existsSync(path.join(app.outdir, "stacks", "minimal", "cdk.tf.json")), pack };
}

/** The region's key for a purpose, with its alias, as RegionKeys names it. */
function purposeKey(stack: Construct, purpose: string): KmsKey {
  const key = new KmsKey(stack, `Key-${purpose}`, {});
  new KmsAlias(stack, `Alias-${purpose}`, { name: `alias/${eu.naming.prefix}-${eu.name}/${purpose}`, targetKeyId: key.keyId });
  return key;
}

const policy = (statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const protectedBucket = (stack: Construct, id: string) => new S3Bucket(stack, id, { bucket: `b-${id.toLowerCase()}`, lifecycle: { preventDestroy: true } });

/**
 * For each resource-level rule (and the stack-wide rules that are not about one capability), a
 * minimal construct that breaks it, and the same construct made compliant.
 */
const MINIMAL: [string, string, (s: MinimalStack) => void, (s: MinimalStack) => void][] = [
  ["stack.reviewed-resource-types", "an SQS queue", (s) => new SqsQueue(s, "Queue", { name: "q" }), (s) => protectedBucket(s, "Bucket")],
  ["residency.in-jurisdiction", "a provider outside the EU", (s) => new AwsProvider(s, "aws", { region: "us-east-1" }), (s) => new AwsProvider(s, "aws", { region: "eu-west-1" })],
  [
    "secrets.no-literals",
    "a secret value in the stack",
    (s) => new SecretsmanagerSecretVersion(s, "Version", { secretId: "x", secretString: "hunter2" }),
    (s) => new SecretsmanagerSecretVersion(s, "Version", { secretId: "x", secretString: "${var.from_the_operator}" }),
  ],
  [
    "encryption.customer-managed-key",
    "a log group under the AWS-managed key",
    (s) => new CloudwatchLogGroup(s, "Logs", { name: "/x" }),
    (s) => new CloudwatchLogGroup(s, "Logs", { name: "/x", kmsKeyId: purposeKey(s, "logs").arn }),
  ],
  [
    "encryption.customer-managed-key",
    "a log group under another purpose's key",
    (s) => new CloudwatchLogGroup(s, "Logs", { name: "/x", kmsKeyId: purposeKey(s, "database").arn }),
    (s) => new CloudwatchLogGroup(s, "Logs", { name: "/x", kmsKeyId: purposeKey(s, "logs").arn }),
  ],
  ["exposure.private-only", "an internet-facing load balancer", (s) => new Lb(s, "Lb", { internal: false, loadBalancerType: "network" }), (s) => new Lb(s, "Lb", { internal: true, loadBalancerType: "network" })],
  [
    "tls.listeners",
    "a plain TCP listener",
    (s) => new LbListener(s, "Listener", { loadBalancerArn: "x", port: 80, protocol: "TCP", defaultAction: [{ type: "forward", targetGroupArn: "y" }] }),
    (s) =>
      new LbListener(s, "Listener", {
        loadBalancerArn: "x",
        port: 443,
        protocol: "TLS",
        sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
        certificateArn: "arn:aws:acm:eu-west-1:111122223333:certificate/c",
        defaultAction: [{ type: "forward", targetGroupArn: "y" }],
      }),
  ],
  [
    "iam.no-wildcard-admin",
    "a role policy allowing * on *",
    (s) => new IamRolePolicy(s, "Policy", { role: "r", policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }) }),
    (s) => new IamRolePolicy(s, "Policy", { role: "r", policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "kms:Decrypt", Resource: "arn:aws:kms:eu-west-1:111122223333:key/k" }] }) }),
  ],
  ["iam.no-long-lived-credentials", "an IAM user", (s) => new IamUser(s, "User", { name: "ci" }), () => undefined],
  [
    "iam.trust-named-principals",
    "a role any account may assume",
    (s) => new IamRole(s, "Role", { assumeRolePolicy: policy([{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }]) }),
    (s) => new IamRole(s, "Role", { assumeRolePolicy: policy([{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceAccount": eu.accountId } } }]) }),
  ],
  [
    "iam.resource-policies-name-principals",
    "a secret anyone may read",
    (s) => new SecretsmanagerSecretPolicy(s, "Policy", { secretArn: "x", policy: policy([{ Effect: "Allow", Principal: "*", Action: "secretsmanager:GetSecretValue", Resource: "*" }]) }),
    (s) => new SecretsmanagerSecretPolicy(s, "Policy", { secretArn: "x", policy: policy([{ Effect: "Allow", Principal: { Service: "kafka.amazonaws.com" }, Action: "secretsmanager:GetSecretValue", Resource: "*", Condition: { StringEquals: { "aws:SourceAccount": eu.accountId } } }]) }),
  ],
  ["resilience.stateful-protected", "a destroyable bucket", (s) => new S3Bucket(s, "Bucket", { bucket: "b" }), (s) => protectedBucket(s, "Bucket")],
  [
    "resilience.multi-az",
    "a load balancer in one AZ",
    (s) => {
      const subnets = eu.availabilityZoneIds.map((az, i) => new Subnet(s, `Subnet${i}`, { vpcId: "v", cidrBlock: `10.0.${i}.0/24`, availabilityZoneId: az }));
      new Lb(s, "Lb", { internal: true, subnets: [subnets[0].id] });
    },
    (s) => {
      const subnets = eu.availabilityZoneIds.map((az, i) => new Subnet(s, `Subnet${i}`, { vpcId: "v", cidrBlock: `10.0.${i}.0/24`, availabilityZoneId: az }));
      new Lb(s, "Lb", { internal: true, subnets: subnets.map((x) => x.id) });
    },
  ],
  [
    "logging.access-logs",
    "a bucket without access logs",
    (s) => protectedBucket(s, "Bucket"),
    (s) => {
      const logs = protectedBucket(s, "Logs");
      suppressGuardrails(logs, [{ id: "logging.access-logs", reason: "the access-log bucket of this test, which cannot log to itself" }]);
      const bucket = protectedBucket(s, "Bucket");
      new S3BucketLoggingA(s, "Logging", { bucket: bucket.id, targetBucket: logs.id, targetPrefix: "b/" });
    },
  ],
];

/** A Cloud KMS key of the stack named after its purpose, as GcpRegionKeys creates it. */
const gcpKey = (s: Construct, purpose: string) =>
  new GoogleKmsKey(s, `Key-${purpose}`, { name: purpose, keyRing: "ring", rotationPeriod: "7776000s", destroyScheduledDuration: "2592000s", versionTemplate: { algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protectionLevel: "HSM" }, lifecycle: { preventDestroy: true } });
const privateBucket = (s: Construct, id: string, extra: Record<string, unknown> = {}) =>
  new StorageBucket(s, id, { name: `b-${id.toLowerCase()}`, location: "asia-southeast1", uniformBucketLevelAccess: true, publicAccessPrevention: "enforced", lifecycle: { preventDestroy: true }, ...extra });
const hardenedGke = (s: Construct, extra: Record<string, unknown> = {}) =>
  new ContainerCluster(s, "Cluster", {
    name: "c",
    location: "asia-southeast1",
    nodeLocations: [...apac.zones],
    workloadIdentityConfig: { workloadPool: "p.svc.id.goog" },
    datapathProvider: "ADVANCED_DATAPATH",
    enableShieldedNodes: true,
    loggingConfig: { enableComponents: ["SYSTEM_COMPONENTS", "APISERVER", "CONTROLLER_MANAGER", "SCHEDULER", "WORKLOADS"] },
    masterAuth: { clientCertificateConfig: { issueClientCertificate: false } },
    deletionProtection: true,
    nodeConfig: { serviceAccount: "nodes@p.iam.gserviceaccount.com", shieldedInstanceConfig: { enableSecureBoot: true }, workloadMetadataConfig: { mode: "GKE_METADATA" } },
    ...extra,
  });

/** For each resource-level rule of GCP stacks, a minimal construct that breaks it and its compliant twin. */
const GCP_MINIMAL: [string, string, (s: MinimalStack) => void, (s: MinimalStack) => void][] = [
  ["gcp.keys-hsm-rotating", "a software key that never rotates", (s) => new GoogleKmsKey(s, "Key", { name: "k", keyRing: "ring" }), (s) => gcpKey(s, "k")],
  [
    "gcp.key-access-least-privilege",
    "a key administered by a person",
    (s) => new KmsCryptoKeyIamMember(s, "Grant", { cryptoKeyId: gcpKey(s, "database").id, role: "roles/cloudkms.admin", member: "user:someone@acme.example" }),
    (s) => new KmsCryptoKeyIamMember(s, "Grant", { cryptoKeyId: gcpKey(s, "database").id, role: "roles/cloudkms.cryptoKeyEncrypterDecrypter", member: `serviceAccount:service-${apac.projectNumber}@gcp-sa-cloud-sql.iam.gserviceaccount.com` }),
  ],
  ["gcp.cmek", "a bucket under Google-managed encryption", (s) => privateBucket(s, "Bucket"), (s) => privateBucket(s, "Bucket", { encryption: { defaultKmsKeyName: gcpKey(s, "audit").id } })],
  ["gcp.private-only", "an external address", (s) => new ComputeAddress(s, "Address", { name: "a" }), (s) => new ComputeAddress(s, "Address", { name: "a", addressType: "INTERNAL" })],
  [
    "gcp.subnets-private-logged",
    "a subnet without flow logs",
    (s) => new ComputeSubnetwork(s, "Subnet", { name: "s", network: "n", ipCidrRange: "10.30.0.0/24", privateIpGoogleAccess: true }),
    (s) => new ComputeSubnetwork(s, "Subnet", { name: "s", network: "n", ipCidrRange: "10.30.0.0/24", privateIpGoogleAccess: true, logConfig: { flowSampling: 1, metadata: "INCLUDE_ALL_METADATA" } }),
  ],
  [
    "gcp.database-hardened",
    "a database that accepts plaintext",
    (s) => new SqlDatabaseInstance(s, "Db", { name: "d", databaseVersion: "POSTGRES_16", settings: { tier: "db-custom-2-7680" } }),
    (s) =>
      new SqlDatabaseInstance(s, "Db", {
        name: "d",
        databaseVersion: "POSTGRES_16",
        deletionProtection: true,
        settings: {
          tier: "db-custom-2-7680",
          availabilityType: "REGIONAL",
          deletionProtectionEnabled: true,
          ipConfiguration: { ipv4Enabled: false, sslMode: "ENCRYPTED_ONLY" },
          backupConfiguration: { enabled: true, pointInTimeRecoveryEnabled: true, backupRetentionSettings: { retainedBackups: 7 } },
          databaseFlags: [
            { name: "cloudsql.iam_authentication", value: "on" },
            { name: "log_connections", value: "on" },
            { name: "log_disconnections", value: "on" },
          ],
        },
      }),
  ],
  ["gcp.gke-hardened", "a cluster with legacy ABAC and client certificates", (s) => hardenedGke(s, { enableLegacyAbac: true, masterAuth: { clientCertificateConfig: { issueClientCertificate: true } } }), (s) => hardenedGke(s)],
  [
    "gcp.bucket-access-logged",
    "a bucket without usage logs",
    (s) => privateBucket(s, "Bucket"),
    (s) => {
      const logs = privateBucket(s, "Logs");
      suppressGuardrails(logs, [{ id: "gcp.bucket-access-logged", reason: "the access-log bucket of this test, which cannot log to itself" }]);
      privateBucket(s, "Bucket", { logging: { logBucket: logs.name } });
    },
  ],
  [
    "gcp.kafka-replicated",
    "a topic with two replicas",
    (s) => new ManagedKafkaTopic(s, "Topic", { topicId: "t", cluster: "c", location: "asia-southeast1", replicationFactor: 2 }),
    (s) => new ManagedKafkaTopic(s, "Topic", { topicId: "t", cluster: "c", location: "asia-southeast1", replicationFactor: 3, configs: { "min.insync.replicas": "2" } }),
  ],
  [
    "gcp.iam-least-privilege",
    "an editor",
    (s) => new ProjectIamMember(s, "Grant", { project: apac.projectId, role: "roles/editor", member: "user:someone@acme.example" }),
    (s) => new ProjectIamMember(s, "Grant", { project: apac.projectId, role: "roles/logging.logWriter", member: "serviceAccount:nodes@p.iam.gserviceaccount.com" }),
  ],
  ["gcp.stateful-protected", "a destroyable key ring", (s) => new KmsKeyRing(s, "Ring", { name: "r", location: "asia-southeast1" }), (s) => new KmsKeyRing(s, "Ring", { name: "r", location: "asia-southeast1", lifecycle: { preventDestroy: true } })],
];
MINIMAL.push(...GCP_MINIMAL);

describe("a minimal construct that breaks a rule does not synthesize", () => {
  it.each(MINIMAL.map(([id, what, bad]) => [`${id}: ${what}`, id, bad] as const))("%s", (_l, id, bad) => {
    const rule = GUARDRAILS.find((r) => r.id === id)!;
    const { error, written } = synthWith(id, bad);
    expect(error).toContain(`[minimal] `);
    expect(error).toContain(`rule ${id} (error, PCI DSS v4.0 ${rule.requirement})`);
    expect(error).toContain(`fix: ${rule.fix}`);
    expect(written).toBe(false);
  });

  it.each(MINIMAL.map(([id, what, , good]) => [`${id}: ${what}, made compliant`, id, good] as const))("%s synthesizes", (_l, id, good) => {
    const { error, written } = synthWith(id, good);
    expect(error).toBeUndefined();
    expect(written).toBe(true);
  });

  it("names the resource address in the message", () => {
    const { error } = synthWith("resilience.stateful-protected", (s) => new S3Bucket(s, "Bucket", { bucket: "b" }));
    expect(error).toContain("[minimal] aws_s3_bucket.bucket: not protected from destroy");
  });

  it("covers every resource-level rule", () => {
    const covered = new Set(MINIMAL.map(([id]) => id));
    expect(GUARDRAILS.filter(isResourceRule).map((r) => r.id).filter((id) => !covered.has(id))).toEqual([]);
  });
});

describe("a weakened shipped stack does not synthesize", () => {
  /** Synthesizes the shipped regions after `weaken` changes one resource through an escape hatch. */
  function weakenedSynth(stackName: string, type: string, weaken: (r: TerraformResource) => void): string {
    const app = newApp();
    const stacks = defineStacks(app, shippedRegions());
    const stack = stacks.find((s) => s.node.id === stackName)!;
    const resource = stack.node.findAll().find((c): c is TerraformResource => c instanceof TerraformResource && c.terraformResourceType === type)!;
    weaken(resource);
    try {
      app.synth();
    } catch (e) {
      return (e as Error).message;
    }
    return "";
  }

  it.each([
    ["region-eu", "aws_rds_cluster", "database.encrypted-with-database-key", "aws_rds_cluster.database_cluster: storage_encrypted is not true", (r: TerraformResource) => r.addOverride("storage_encrypted", false)],
    ["region-us", "aws_msk_cluster", "kafka.tls-and-auth", "aws_msk_cluster.kafka_cluster", (r: TerraformResource) => r.addOverride("client_authentication.unauthenticated", true)],
    ["region-eu", "aws_s3_bucket_object_lock_configuration", "audit.object-lock-compliance", "aws_s3_bucket.audit_archive_archive_bucket", (r: TerraformResource) => r.addOverride("rule.default_retention.mode", "GOVERNANCE")],
    ["region-eu-mesh", "kubernetes_manifest", "mesh.strict-mtls", "PERMISSIVE", (r: TerraformResource) => r.addOverride("manifest.spec.mtls.mode", "PERMISSIVE")],
  ] as const)("%s: %s weakened fails %s", (stackName, type, ruleId, where, weaken) => {
    const error = weakenedSynth(stackName, type, weaken);
    expect(error).toContain(`[${stackName}] `);
    expect(error).toContain(where);
    expect(error).toContain(`rule ${ruleId} `);
  });
});

describe("suppressions", () => {
  it("need a written reason", () => {
    const app = newApp();
    const stack = new MinimalStack(app, eu);
    expect(() => suppressGuardrails(stack, [{ id: "logging.access-logs", reason: "n/a" }])).toThrow(`at least ${MIN_REASON_LENGTH} characters`);
  });

  it("let a finding through, and the result keeps it with its reason", () => {
    const reason = "a test bucket that only exists for this test, nothing logs here";
    const { error, pack } = synthWith("logging.access-logs", (s) => suppressGuardrails(protectedBucket(s, "Bucket"), [{ id: "logging.access-logs", reason }]));
    expect(error).toBeUndefined();
    expect(pack.result!.findings).toEqual([expect.objectContaining({ address: "aws_s3_bucket.bucket", suppressedBy: { path: "minimal/Bucket", reason } })]);
    // The suppression covered that finding: it is not also reported as covering nothing.
    expect(pack.result!.unusedSuppressions).toEqual([]);
  });

  it("must name a rule of the pack", () => {
    const { error, pack } = synthWith("logging.access-logs", (s) => suppressGuardrails(s, [{ id: "logging.acess-logs", reason: "a typo in the rule id must not pass silently" }]));
    expect(error).toContain("suppresses unknown rule logging.acess-logs");
    expect(pack.result!.findings).toEqual([
      {
        rule: { id: "guardrails.known-suppression", level: "error", requirement: "12.5", description: expect.stringMatching(/\S/), fix: expect.stringContaining("logging.acess-logs is not one"), layers: ["aws"] },
        address: "minimal",
        message: "suppresses unknown rule logging.acess-logs",
      },
    ]);
  });

  it("are read again where the construct tree changed since the last evaluation (a suppression added, a construct removed)", () => {
    const reason = "a scope of this test that covers nothing, then names a rule the pack does not have";
    let scope: Construct | undefined;
    const { pack } = synthWith("logging.access-logs", (s) => {
      protectedBucket(s, "Bucket");
      scope = new Construct(s, "Scope");
      suppressGuardrails(scope, [{ id: "logging.access-logs", reason }]);
    });
    // One JSON for every evaluation: what changes is the tree only.
    const json = pack.checkedJson;
    const outcome = () => {
      const r = pack.evaluate(json);
      return { findings: r.findings.map((f) => `${f.address}: ${f.message}`), unused: r.unusedSuppressions.map((u) => `${u.path} ${u.id}`) };
    };
    expect(outcome()).toEqual({ findings: [expect.stringMatching(/^aws_s3_bucket.bucket: /)], unused: ["minimal/Scope logging.access-logs"] });
    expect(outcome().unused).toEqual(["minimal/Scope logging.access-logs"]);
    suppressGuardrails(scope!, [{ id: "logging.no-such-rule", reason }]);
    expect(outcome().findings).toEqual([expect.stringMatching(/^aws_s3_bucket.bucket: /), "minimal/Scope: suppresses unknown rule logging.no-such-rule"]);
    scope!.node.scope!.node.tryRemoveChild("Scope");
    expect(outcome()).toEqual({ findings: [expect.stringMatching(/^aws_s3_bucket.bucket: /)], unused: [] });
  });

  it("that cover nothing are reported", () => {
    const { error, pack } = synthWith("logging.access-logs", (s) => suppressGuardrails(s, [{ id: "logging.access-logs", reason: "stale: there is no bucket here any more" }]));
    expect(error).toBeUndefined();
    expect(pack.result!.unusedSuppressions).toEqual([{ path: "minimal", id: "logging.access-logs", reason: "stale: there is no bucket here any more" }]);
  });
});

describe("the pack", () => {
  it("is on every stack of every region", () => {
    const stacks = defineStacks(newApp(), shippedRegions());
    expect(stacks.filter((s) => !GuardrailPack.of(s)).map((s) => s.node.id)).toEqual([]);
    // Every region, on either cloud: the region, Istio and mesh stacks; the PKI stack of each region with a mesh root; the DR stack of each AWS region that mirrors Kafka.
    const withPki = shippedRegions().filter(hasMeshPki).length;
    const mirroring = shippedRegions().filter((r) => r.cloud === "aws" && mirrorsKafka(r)).length;
    expect(withPki).toBeGreaterThan(0);
    expect(mirroring).toBeGreaterThan(0);
    expect(stacks.length).toBe(3 * shippedRegions().length + withPki + mirroring);
  });

  describe("refuses a reference from one stack into another's resources (the stacks are not prepared for cross-stack references)", () => {
    const attempt = (from: string, to: string, how: "reference" | "dependsOn") => {
      const app = newApp();
      const stacks = defineStacks(app, shippedRegions());
      const target = stacks.find((s) => s.node.id === to) as AwsRegionStack;
      const source = stacks.find((s) => s.node.id === from)!;
      if (how === "reference") new TerraformOutput(source, "leak", { value: target.keys.audit.arn });
      else new TerraformOutput(source, "leak", { value: "x", dependsOn: [target.keys.audit] });
      return () => app.synth();
    };

    it("from an in-cluster stack to its region's stack", () => {
      expect(attempt("region-eu-mesh", "region-eu", "reference")).toThrow("region-eu-mesh references aws_kms_key.keys_audit_key.arn of region-eu: the blueprint's stacks do not reference each other's resources");
    });

    it("between two regions' stacks of the same layer, whose addresses are the same (it would point at its own key)", () => {
      expect(attempt("region-us", "region-eu", "reference")).toThrow("region-us references aws_kms_key.keys_audit_key.arn of region-eu");
    });

    it("through depends_on", () => {
      expect(attempt("region-us", "region-eu", "dependsOn")).toThrow(/region-us references aws_kms_key\.keys_audit_key( \(depends_on\))? of region-eu/);
    });
  });

  describe("as synth runs it", () => {
    /** Rules that report what they are told, at each level. */
    const told = (level: "error" | "warning", ids: string[]) =>
      stackRules({ layers: ["aws"], level }, ids.map((id) => ({ id, requirement: "12.5", description: `reports ${id}`, fix: `fix ${id}`, check: () => [`(stack): ${id} found`] })));
    const warnings = (stack: MinimalStack) => stack.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => String(m.data));

    it("fails on an error-level finding, on a stack with nothing in it", () => {
      const app = newApp();
      const stack = new MinimalStack(app, eu);
      GuardrailPack.applyTo(stack, told("error", ["test.error"]));
      expect(() => app.synth()).toThrow("(stack): test.error found");
    });

    it("prints each open warning once, with the suppressions that cover nothing, and passes", () => {
      const app = newApp();
      const stack = new MinimalStack(app, eu);
      // test.quiet finds nothing here: its suppression covers nothing.
      const quiet = stackRules({ layers: ["aws"], level: "warning" }, [{ id: "test.quiet", requirement: "12.5", description: "finds nothing", fix: "none", check: () => [] }]);
      const rules = [...told("warning", ["test.warning", "test.suppressed-warning"]), ...told("error", ["test.suppressed-error"]), ...quiet];
      suppressGuardrails(stack, [
        { id: "test.suppressed-warning", reason: "a warning this test suppresses on purpose" },
        { id: "test.suppressed-error", reason: "an error this test suppresses on purpose" },
        { id: "test.quiet", reason: "a rule that finds nothing here, so this covers nothing" },
      ]);
      const pack = GuardrailPack.applyTo(stack, rules);
      expect(() => pack.checkedJson).toThrow("minimal: the guardrails have not run yet (synthesize first)");
      app.synth();
      const open = pack.result!.findings.find((f) => f.rule.id === "test.warning")!;
      expect(warnings(stack)).toEqual([formatFinding(open), "guardrail suppression of test.quiet on minimal covers nothing; remove it"]);
    });

    it("runs once per synth, however often the app is synthesized", () => {
      const app = newApp();
      GuardrailPack.applyTo(new MinimalStack(app, eu), told("error", ["test.error"]));
      for (let i = 0; i < 2; i++) {
        const error = (() => {
          try {
            app.synth();
          } catch (e) {
            return (e as Error).message;
          }
          return undefined;
        })();
        expect(error?.split("(stack): test.error found").length).toBe(2);
      }
    });
  });

  it("refuses an App that skips validation", () => {
    const app = newApp({ skipValidation: true });
    GuardrailPack.applyTo(new MinimalStack(app, eu));
    expect(() => app.synth()).toThrow("skipValidation would skip them");
  });

  it("has rules with a unique id, a PCI DSS requirement, a description, a fix and layers", () => {
    expect(new Set(GUARDRAILS.map((r) => r.id)).size).toBe(GUARDRAILS.length);
    for (const r of GUARDRAILS) {
      expect(r.id).toMatch(/^[a-z]+\.[a-z0-9-]+$/);
      expect(r.requirement).toMatch(/^\d+(\.\d+)*(, \d+(\.\d+)*)*$/);
      expect(r.description.length).toBeGreaterThan(20);
      expect(r.fix).toMatch(/^[A-Z].{20,}\.$/);
      expect(["error", "warning"]).toContain(r.level);
      expect(r.layers.length).toBeGreaterThan(0);
      for (const l of r.layers) expect(STACK_LAYERS).toContain(l);
    }
  });

  it("has reviewed every resource type the shipped stacks use", () => {
    const unreviewed = [...shippedAllLayers(), ...allStacks()].flatMap((s) => Object.keys(s.json.resource ?? {}).filter((t) => !REVIEWED_RESOURCE_TYPES[s.layer].includes(t)).map((t) => `${s.name} ${t}`));
    expect(unreviewed).toEqual([]);
  });
});

describe("the shipped regions", () => {
  const stacks = [...shippedAllLayers(), ...allStacks().filter((s) => s.name.includes("@"))];

  it("synthesize with no unsuppressed finding and no stale suppression (but the warning of a GCP archive not locked yet)", () => {
    for (const s of stacks) {
      const pendingLock = (f: { rule: { id: string } }) => f.rule.id === "gcp.audit-archive-locked" && s.region.cloud === "gcp" && !s.region.auditArchiveLocked;
      expect({ stack: s.name, findings: s.guardrails.findings.filter((f) => !f.suppressedBy && !pendingLock(f)), unused: s.guardrails.unusedSuppressions }).toEqual({ stack: s.name, findings: [], unused: [] });
    }
  });

  it("suppress only the reviewed exceptions, each with its reason", () => {
    const suppressed = stacks.flatMap((s) => s.guardrails.findings.filter((f) => f.suppressedBy).map((f) => `${s.layer} ${f.rule.id} ${f.address}`));
    // The access-log bucket cannot log to itself (its reason is in constructs/aws/audit-archive.ts).
    expect([...new Set(suppressed)].sort((a, b) => (a < b ? -1 : 1))).toEqual([
      "gcp gcp.bucket-access-logged google_storage_bucket.audit_archive_access_logs",
      "aws logging.access-logs aws_s3_bucket.audit_archive_access_logs_bucket",
      // The DR partner region's access-log bucket, for the same reason.
      "aws logging.access-logs aws_s3_bucket.dr_in_partner_region_audit_archive_access_logs_bucket",
      // AMP's managed collector cannot write to a workspace under a customer managed key (constructs/aws/mesh-metrics.ts).
      "aws encryption.customer-managed-key aws_prometheus_workspace.mesh_metrics_workspace",
    ].sort((a, b) => (a < b ? -1 : 1)));
    // Each stack's own list: the access-log bucket(s) of its region and the AMP workspace, nothing else.
    const byStack = Object.fromEntries(stacks.map((s) => [s.name, s.guardrails.findings.filter((f) => f.suppressedBy).map((f) => f.address).sort()]));
    expect(byStack).toEqual(
      Object.fromEntries(
        stacks.map((s) => [
          s.name,
          s.layer === "gcp"
            ? ["google_storage_bucket.audit_archive_access_logs"]
            : s.layer === "aws"
              ? ["aws_prometheus_workspace.mesh_metrics_workspace", "aws_s3_bucket.audit_archive_access_logs_bucket", ...(s.region.drPartnerRegion ? ["aws_s3_bucket.dr_in_partner_region_audit_archive_access_logs_bucket"] : [])]
              : [],
        ]),
      ),
    );
  });
});
