import { RegionConfigError } from "../../config/errors";
import { ISTIO_RELEASES } from "../../config/catalog";
import { validateRegions } from "../../config/load";
import { GcpRegionConfig, GcpRegionFile } from "../../config/schema";
import eu from "../../regions/eu";
import APAC_REGION from "../../regions/apac";
import { cloneJson } from "../support/synth";
import { X509Certificate } from "crypto";
import { intermediateCertificateProblems } from "../../config/pem";
import { FOREIGN_INTERMEDIATE, GOOD_INTERMEDIATE, IMPOSTOR_INTERMEDIATE, NOT_A_CA, NO_NAME_CONSTRAINT, OTHER_TRUST_DOMAIN, OUTLIVING_INTERMEDIATE, PATH_LENGTH_1, RSA_INTERMEDIATE, SHORT_ROOT, TEST_ROOT } from "../support/gcp-ca";
import { checkGcpMeshCa } from "../../config/rules/mesh";

/** Validates the APAC region (with eu beside it, for the cross-region rules) after `mutate`. */
function problemsAfter(mutate: (r: GcpRegionFile) => void) {
  const apac = cloneJson(APAC_REGION);
  mutate(apac);
  try {
    // eu first, so that problems between the two regions are reported on apac.
    validateRegions([
      { file: "regions/eu.ts", data: cloneJson(eu) },
      { file: "regions/apac.ts", data: apac },
    ]);
  } catch (e) {
    if (e instanceof RegionConfigError) return e.problems;
    throw e;
  }
  return [];
}

it("a GCP region validates beside the AWS ones, with its defaults", () => {
  const [apac] = validateRegions([
    { file: "regions/apac.ts", data: cloneJson(APAC_REGION) },
    { file: "regions/eu.ts", data: cloneJson(eu) },
  ]).map((r) => r.config as GcpRegionConfig);
  expect(apac).toMatchObject({ cloud: "gcp", cloudRegion: "asia-southeast1", jurisdiction: "SG" });
  expect(apac.kms.rotationDays).toBe(90);
  expect(apac.gke.version).toBe("1.35");
  expect(apac.database.engineVersion).toBe("POSTGRES_16");
  expect(apac.kafka).toMatchObject({ vcpuCount: 3, memoryGiB: 12 });
});

/** [label, mutation, field, a phrase the fix must contain]. */
const BAD_GCP_CONFIGS: [string, (r: GcpRegionFile) => void, string, string | RegExp, string[]?][] = [
  ["a region outside the jurisdiction", (r) => ((r.cloudRegion = "europe-west1"), (r.zones = ["europe-west1-b", "europe-west1-c", "europe-west1-d"])), "cloudRegion", "use a region of SG"],
  ["an unknown GCP region", (r) => (r.cloudRegion = "asia-southeast9"), "cloudRegion", "use one of"],
  ["a zone of another region", (r) => (r.zones = ["asia-southeast1-a", "asia-southeast1-b", "asia-east1-a"]), "zones[2]", "use one of"],
  ["two zones", (r) => (r.zones = ["asia-southeast1-a", "asia-southeast1-b"]), "zones", "three or more"],
  ["SCRAM users on Managed Kafka", (r) => ((r.kafka as Record<string, unknown>).scramUsers = ["payment-core"]), "kafka.scramUsers", "access.kafka"],
  ["topics mirrored from a GCP region", (r) => ((r.kafka as Record<string, unknown>).mirrorTopics = ["payments.raw"]), "kafka.mirrorTopics", "remove mirrorTopics"],
  ["a topic with two replicas", (r) => (r.kafka.topics![0].replicationFactor = 2), "kafka.topics[0].replicationFactor", "use 3"],
  ["two vCPUs of Kafka", (r) => (r.kafka.vcpuCount = 2), "kafka.vcpuCount", "at least 3"],
  ["overlapping ranges", (r) => (r.network.dataCidr = "10.30.1.0/24"), "network.dataCidr", "non-overlapping"],
  ["a control plane range that is not a /28", (r) => (r.network.controlPlaneCidr = "10.30.34.0/27"), "network.controlPlaneCidr", "/28"],
  ["a public range", (r) => (r.network.workloadCidr = "34.10.0.0/20"), "network.workloadCidr", "RFC 1918"],
  ["the Google APIs address inside a subnet", (r) => (r.network.googleApisAddress = "10.30.0.5"), "network.googleApisAddress", "outside every subnet"],
  ["a public authorized network", (r) => (r.gke.masterAuthorizedNetworks = [{ name: "office", cidr: "203.0.113.0/24" }]), "gke.masterAuthorizedNetworks[0].cidr", "private ranges"],
  ["no node per zone", (r) => (r.gke.nodes = { minPerZone: 0 }), "gke.nodes", "at least one node per zone"],
  ["a maximum below the minimum", (r) => (r.gke.nodes = { minPerZone: 2, maxPerZone: 1 }), "gke.nodes", "minPerZone <= maxPerZone"],
  ["node disks under 20 GB", (r) => (r.gke.nodes = { diskGb: 19 }), "gke.nodes.diskGb", "20 to 1000 GB"],
  ["node disks over 1000 GB", (r) => (r.gke.nodes = { diskGb: 1001 }), "gke.nodes.diskGb", "20 to 1000 GB"],
  ["a DR partner where the jurisdiction has no second region", (r) => ((r as { drPartnerRegion?: string }).drPartnerRegion = "asia-east1"), "drPartnerRegion", "jurisdiction SG has no second GCP region"],
  ["no merchant node per zone", (r) => (r.gke.merchantNodes = { minPerZone: 0 }), "gke.merchantNodes", "at least one node per zone"],
  ["merchant node disks over 1000 GB", (r) => (r.gke.merchantNodes = { diskGb: 1001 }), "gke.merchantNodes.diskGb", "20 to 1000 GB"],
  ["a malformed authorized network", (r) => (r.gke.masterAuthorizedNetworks = [{ name: "runners", cidr: "10.30.0.0/33" }]), "gke.masterAuthorizedNetworks[0].cidr", "deploy runners' private range"],
  ["no authorized network", (r) => (r.gke.masterAuthorizedNetworks = []), "gke.masterAuthorizedNetworks", "deploy pipeline"],
  ["a state key in another location", (r) => (r.stateBackend.kmsKeyName = "projects/acme-pay-apac-prod/locations/global/keyRings/tfstate/cryptoKeys/tfstate"), "stateBackend.kmsKeyName", "asia-southeast1"],
  ["state outside the jurisdiction", (r) => (r.stateBackend.region = "us-central1"), "stateBackend.region", "keep the state bucket in SG", ["stateBackend.kmsKeyName"]],
  ["a cryptoperiod over a year", (r) => (r.kms = { rotationDays: 400 }), "kms.rotationDays", "1 to 365"],
  ["two days of backups", (r) => (r.database.backupRetentionDays = 2), "database.backupRetentionDays", "at least 7"],
  ["a partner listed twice", (r) => (r.paymentApi.consumerAcceptList = [{ project: "acquirer-sg-gateway" }, { project: "acquirer-sg-gateway" }]), "paymentApi.consumerAcceptList[1]", "once"],
  ["no partner", (r) => (r.paymentApi.consumerAcceptList = []), "paymentApi.consumerAcceptList", "at least one partner"],
  ["log retention under 12 months", (r) => (r.retention.logDays = 90), "retention.logDays", "365 to 3650"],
  ["a range shared with the EU region: both files are told, with a free block of the size", (r) => (r.network.podsCidr = "10.8.0.0/14"), "network.podsCidr", "overlaps network.vpcCidr of regions/eu.ts (10.10.0.0/16); the two regions could never be connected | move one of the two to a block no region uses, e.g. 10.0.0.0/14", ["network.vpcCidr"]],
  ["an Istio release that does not support the GKE version", (r) => (r.mesh.istioVersion = "1.22.1"), "mesh.istioVersion", "1.29 or 1.30"],
  ["a project id with capitals", (r) => (r.projectId = "Acme-Pay"), "projectId", "acme-pay-apac-prod"],
  // Per branch (issue 17): each is the only bad config one condition of its rule answers.
  ["backups kept 366 days", (r) => (r.database.backupRetentionDays = 366), "database.backupRetentionDays", "at most 365"],
  ["a 9 GB database disk", (r) => (r.database.diskGb = 9), "database.diskGb", "at least 10 GB"],
  ["Kafka with less than 1 GiB per vCPU", (r) => (r.kafka = { ...r.kafka, vcpuCount: 3, memoryGiB: 2 }), "kafka.memoryGiB", "use 3 to 24 GiB"],
  ["Kafka with more than 8 GiB per vCPU", (r) => (r.kafka = { ...r.kafka, vcpuCount: 3, memoryGiB: 25 }), "kafka.memoryGiB", "use 3 to 24 GiB"],
  ["a topic name with a space", (r) => r.kafka.topics!.push({ name: "audit events", partitions: 1, retentionHours: 1 }), "kafka.topics[3].name", "not a valid topic name"],
  ["a topic name with a character before it", (r) => r.kafka.topics!.push({ name: "!audit", partitions: 1, retentionHours: 1 }), "kafka.topics[3].name", "not a valid topic name"],
  ["a topic name with a character after it", (r) => r.kafka.topics!.push({ name: "audit!", partitions: 1, retentionHours: 1 }), "kafka.topics[3].name", "not a valid topic name"],
  ["a topic listed twice", (r) => r.kafka.topics!.push({ ...r.kafka.topics![0] }), "kafka.topics[3].name", "each topic once"],
  ["a topic of no partition", (r) => r.kafka.topics!.push({ name: "audit", partitions: 0, retentionHours: 1 }), "kafka.topics[3].partitions", "at least 1"],
  ["a topic kept no hour", (r) => r.kafka.topics!.push({ name: "audit", partitions: 1, retentionHours: 0 }), "kafka.topics[3].retentionHours", "at least 1"],
  ["a zone listed twice", (r) => (r.zones = ["asia-southeast1-a", "asia-southeast1-b", "asia-southeast1-a"]), "zones[2]", "each zone once"],
  ["two zones: the fix lists the region's zones", (r) => (r.zones = ["asia-southeast1-a", "asia-southeast1-b"]), "zones", "(asia-southeast1-a, asia-southeast1-b, asia-southeast1-c)"],
  ["a zone of another region: the fix lists the region's zones", (r) => (r.zones = ["asia-southeast1-a", "asia-southeast1-b", "asia-east1-a"]), "zones[2]", "use one of asia-southeast1-a, asia-southeast1-b, asia-southeast1-c"],
  ["a workload range smaller than /24", (r) => (r.network.workloadCidr = "10.30.0.0/25"), "network.workloadCidr", "outside /16 to /24"],
  ["a pods range smaller than /21", (r) => (r.network.podsCidr = "10.32.0.0/22"), "network.podsCidr", "outside /14 to /21"],
  ["a services range smaller than /24", (r) => (r.network.servicesCidr = "10.30.16.0/25"), "network.servicesCidr", "outside /16 to /24"],
  ["a data range smaller than /28", (r) => (r.network.dataCidr = "10.30.32.0/29"), "network.dataCidr", "outside /20 to /28"],
  ["a PSC NAT range smaller than /29", (r) => (r.network.pscNatCidr = "10.30.33.0/30"), "network.pscNatCidr", "outside /22 to /29"],
  ["a malformed range", (r) => (r.network.dataCidr = "10.30.32.0/33"), "network.dataCidr", '"10.30.0.0/20"'],
  ["a malformed Google APIs address", (r) => (r.network.googleApisAddress = "10.30.255.300"), "network.googleApisAddress", '"10.30.255.254"'],
  ["a public Google APIs address", (r) => (r.network.googleApisAddress = "8.8.8.8"), "network.googleApisAddress", "RFC 1918 address"],
  ["the region's own project (by id) as a partner", (r) => (r.paymentApi.consumerAcceptList = [{ project: "acme-pay-apac-prod" }]), "paymentApi.consumerAcceptList[0]", "name the partners' projects"],
  ["the region's own project (by number) as a partner", (r) => (r.paymentApi.consumerAcceptList = [{ project: r.projectNumber }]), "paymentApi.consumerAcceptList[0]", "name the partners' projects"],
  ["a partner of no connection", (r) => (r.paymentApi.consumerAcceptList = [{ project: "acquirer-sg-gateway", connectionLimit: 0 }]), "paymentApi.consumerAcceptList[0].connectionLimit", "use 1 to 100"],
  ["a partner of 101 connections", (r) => (r.paymentApi.consumerAcceptList = [{ project: "acquirer-sg-gateway", connectionLimit: 101 }]), "paymentApi.consumerAcceptList[0].connectionLimit", "use 1 to 100"],
  ["keys that never rotate (0 days)", (r) => (r.kms = { rotationDays: 0 }), "kms.rotationDays", "1 to 365"],
  ["logs kept over ten years", (r) => (r.retention.logDays = 3651), "retention.logDays", "365 to 3650"],
  ["an unknown GCP region: the fix lists GCP's regions", (r) => (r.cloudRegion = "asia-southeast9"), "cloudRegion", "use one of asia-southeast1, europe-central2, europe-north1,"],
  ["two zones of an unknown GCP region: the fix lists no zones", (r) => ((r.cloudRegion = "asia-southeast9"), (r.zones = ["asia-southeast9-a", "asia-southeast9-b"])), "zones", /\| list three or more zones of asia-southeast9$/, ["cloudRegion"]],
  ["CRDs adopted from a Helm install that never happened on GCP", (r) => (r.mesh.adoptHelmInstalledPkiCrds = true), "mesh.adoptHelmInstalledPkiCrds", "remove it"],
  ["no platform root: istiod would keep its CA key", (r) => delete r.mesh.rootCaArn, "mesh.rootCaArn", "set mesh.rootCaArn to the platform root's ARN", ["edge"]],
  ["partner projects without a gateway to reach", (r) => delete r.edge, "edge", "declare edge.host and edge.partners (see regions/apac.ts)"],
  ["no root certificate to activate the intermediate with", (r) => delete r.mesh.rootCertificate, "mesh.rootCertificate", "aws acm-pca get-certificate-authority-certificate"],
  ["a root that is not a PEM certificate", (r) => (r.mesh.rootCertificate = "root"), "mesh.rootCertificate", "holds 0 certificates"],
  ["a root bundle of two certificates", (r) => (r.mesh.rootCertificate = `${TEST_ROOT}\n${TEST_ROOT}`), "mesh.rootCertificate", "holds 2 certificates"],
  ["a root that is not a CA", (r) => ((r.mesh.rootCertificate = NOT_A_CA), delete r.mesh.intermediateCertificate), "mesh.rootCertificate", "not a self-signed CA certificate"],
  ["an intermediate as the root", (r) => ((r.mesh.rootCertificate = GOOD_INTERMEDIATE), delete r.mesh.intermediateCertificate), "mesh.rootCertificate", "not a self-signed CA certificate"],
  ["a root pasted with its key", (r) => ((r.mesh.rootCertificate = `${TEST_ROOT}\n-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----`), (r.mesh.intermediateCertificate = GOOD_INTERMEDIATE)), "mesh.rootCertificate", "start the root's compromise procedure"],
  ...(
    [
      ["an intermediate another root signed", FOREIGN_INTERMEDIATE, "is not signed by the platform root"],
      ["an intermediate without the name constraint", NO_NAME_CONSTRAINT, "could issue another region's identities"],
      ["an intermediate that could sign CAs (path length 1)", PATH_LENGTH_1, "could sign another CA"],
      ["an intermediate with an RSA key (not the CA's CSR)", RSA_INTERMEDIATE, "EC P-256"],
      ["an end-entity certificate as the intermediate", NOT_A_CA, "is not a CA certificate"],
      ["the intermediate with its key", `${GOOD_INTERMEDIATE}\n-----BEGIN EC PRIVATE KEY-----\nx\n-----END EC PRIVATE KEY-----`, "holds a private key"],
      ["the intermediate with the root", `${GOOD_INTERMEDIATE}\n${TEST_ROOT}`, "holds 2 certificates"],
      ["no certificate as the intermediate", "intermediate", "holds 0 certificates"],
    ] as const
  ).map(([label, pem, says]) => [label, (r: GcpRegionFile) => ((r.mesh.rootCertificate = TEST_ROOT), (r.mesh.intermediateCertificate = pem)), "mesh.intermediateCertificate", says] as [string, (r: GcpRegionFile) => void, string, string]),
  [
    "another region's intermediate",
    (r) => ((r.mesh.rootCertificate = TEST_ROOT), (r.mesh.intermediateCertificate = OTHER_TRUST_DOMAIN)),
    "mesh.intermediateCertificate",
    'is issued to "eu.acme-pay.internal", not to the trust domain apac.acme-pay.internal',
    ["mesh.intermediateCertificate"],
  ],
  ["a service name too long for its Workload Identity account", (r) => {
    r.services![0].name = `a${"b".repeat(27)}`;
    r.mesh.calls = [];
  }, "services[0].name", "3 to 27"],
];

/** The other side of each bound: [label, change]; each must validate with no problem at all. */
const GOOD_GCP_CONFIGS: [string, (r: GcpRegionFile) => void][] = [
  ["a first deploy: the intermediate awaits the root's signature", (r) => delete r.mesh.intermediateCertificate],
  ["an intermediate signed as the ceremony signs", (r) => ((r.mesh.rootCertificate = TEST_ROOT), (r.mesh.intermediateCertificate = GOOD_INTERMEDIATE))],
  ["keys rotating daily and yearly", (r) => (r.kms = { ...r.kms, rotationDays: 1 })],
  ["keys rotating yearly", (r) => (r.kms = { ...r.kms, rotationDays: 365 })],
  ["a partner with one connection, another with 100", (r) => (r.paymentApi.consumerAcceptList = [{ project: "acquirer-a", connectionLimit: 1 }, { project: "acquirer-b", connectionLimit: 100 }])],
  ["logs kept 12 months, and ten years", (r) => (r.retention = { ...r.retention, logDays: 365 })],
  ["logs kept ten years", (r) => (r.retention = { ...r.retention, logDays: 3650, auditArchiveDays: 3650 })],
  ["every range at its largest", (r) => (r.network = { ...r.network, workloadCidr: "10.30.0.0/16", podsCidr: "10.32.0.0/14", servicesCidr: "10.31.0.0/16", dataCidr: "10.36.0.0/20", pscNatCidr: "10.36.16.0/22", controlPlaneCidr: "10.36.20.0/28", googleApisAddress: "10.36.255.254" })],
  ["every range at its smallest", (r) => (r.network = { ...r.network, workloadCidr: "10.30.0.0/24", podsCidr: "10.32.0.0/21", servicesCidr: "10.30.1.0/24", dataCidr: "10.30.2.0/28", pscNatCidr: "10.30.2.16/29", controlPlaneCidr: "10.30.2.32/28" })],
  ["backups kept 7 days on a 10 GB disk", (r) => (r.database = { ...r.database, backupRetentionDays: 7, diskGb: 10 })],
  ["backups kept 365 days", (r) => (r.database = { ...r.database, backupRetentionDays: 365 })],
  ["Kafka at 3 vCPUs with 3 GiB", (r) => (r.kafka = { ...r.kafka, vcpuCount: 3, memoryGiB: 3 })],
  ["Kafka at 3 vCPUs with 24 GiB", (r) => (r.kafka = { ...r.kafka, vcpuCount: 3, memoryGiB: 24 })],
  ["a topic of one partition kept an hour", (r) => (r.kafka.topics![0] = { ...r.kafka.topics![0], partitions: 1, retentionHours: 1 })],
  ["Workload Identity account names of the shortest and longest lengths GCP accepts", (r) => {
    const withAccess = r.services!.filter((svc) => svc.access);
    withAccess[0].name = "ab1";
    withAccess[1].name = `a${"b".repeat(25)}9`;
    r.mesh.calls = [];
  }],
  ["ranges in 172.16/12 and 192.168/16", (r) => (r.network = { ...r.network, workloadCidr: "172.16.0.0/20", servicesCidr: "192.168.0.0/20" })],
];

describe("a valid GCP region config is accepted at each bound", () => {
  it.each(GOOD_GCP_CONFIGS)("%s", (_label, change) => {
    expect(problemsAfter(change)).toEqual([]);
  });
});

describe("a bad GCP region config is rejected with the file, the field and the fix", () => {
  it.each(BAD_GCP_CONFIGS)("%s", (_label, mutate, field, fix, following = []) => {
    const problems = problemsAfter(mutate);
    // The phrase is in the fix or, where it names what was found, in the problem.
    expect(problems.filter((p) => p.file === "regions/apac.ts" && p.field === field).map((p) => `${p.problem} | ${p.fix}`)).toContainEqual(
      // (A pattern where the end of the fix matters: `$` is the end of the fix.)
      typeof fix === "string" ? expect.stringContaining(fix) : expect.stringMatching(fix),
    );
    // Exactly these problems (a rule that also reports wrong, extra problems fails here), each
    // saying what is wrong and what to do.
    expect(problems.map((p) => p.field).sort()).toEqual([field, ...following].sort());
    for (const p of problems) expect([p.problem, p.fix]).toEqual([expect.stringMatching(/\S/), expect.stringMatching(/\S/)]);
  });

  it("accepts the bounds themselves: one node per zone, min = max, 20 and 1000 GB", () => {
    expect(problemsAfter((r) => (r.gke.nodes = { minPerZone: 1, maxPerZone: 1, diskGb: 20 }))).toEqual([]);
    expect(problemsAfter((r) => (r.gke.nodes = { diskGb: 1000 }))).toEqual([]);
  });

  it("rejects an Istio release that does not support the cluster's Kubernetes version, naming gke.version", () => {
    const releases = ISTIO_RELEASES as Record<string, readonly string[]>;
    releases["1.28"] = ["1.30", "1.31", "1.32", "1.33", "1.34"];
    try {
      expect(problemsAfter((r) => ((r.mesh.istioVersion = "1.28.2"), (r.gke.version = "1.35")))).toEqual([
        { file: "regions/apac.ts", field: "mesh.istioVersion", problem: "Istio 1.28 does not support Kubernetes 1.35 (gke.version)", fix: "use an Istio release that supports 1.35: 1.29, 1.30" },
      ]);
    } finally {
      delete releases["1.28"];
    }
  });

  it("rejects two GCP regions with one state location", () => {
    const other = { ...cloneJson(APAC_REGION), name: "sg" };
    try {
      validateRegions([
        { file: "regions/apac.ts", data: cloneJson(APAC_REGION) },
        { file: "regions/sg.ts", data: other },
      ]);
      throw new Error("validated");
    } catch (e) {
      expect((e as RegionConfigError).problems).toContainEqual(expect.objectContaining({ file: "regions/sg.ts", field: "stateBackend.prefix", problem: expect.stringMatching(/^gs:\/\/\S+ is also the state of regions\/apac\.ts/) }));
    }
  });

  it("rejects an unknown cloud", () => {
    expect(problemsAfter((r) => ((r as { cloud: string }).cloud = "azure"))).toContainEqual(expect.objectContaining({ field: "cloud", fix: expect.stringContaining('"aws", "gcp"') }));
  });
});

describe("a GCP region's DR partner", () => {
  it("is not required yet where its jurisdiction has another GCP region (GCP's DR partner is issue 21's)", () => {
    const inUs = (r: GcpRegionFile) => {
      Object.assign(r, JSON.parse(JSON.stringify(r).split("asia-southeast1").join("us-central1")));
      Object.assign(r, { jurisdiction: "US" });
    };
    expect(problemsAfter(inUs).filter((p) => p.field === "drPartnerRegion")).toEqual([]);
  });
});

describe("a GCP region's workload CA over time", () => {
  const problems = (mesh: Partial<GcpRegionConfig["mesh"]>, now: Date) => {
    const found: string[] = [];
    const region = { mesh: { trustDomain: "apac.acme-pay.internal", rootCaArn: "arn:aws:acm-pca:eu-west-1:999900001111:certificate-authority/5f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b", ...mesh } } as GcpRegionConfig;
    checkGcpMeshCa(region, (field, problem) => found.push(`${field} ${problem}`), now);
    return found;
  };
  it("refuses an intermediate that outlives its root", () => {
    expect(problems({ rootCertificate: SHORT_ROOT, intermediateCertificate: OUTLIVING_INTERMEDIATE }, new Date("2026-12-04T00:00:00Z"))).toEqual([expect.stringMatching(/^mesh.intermediateCertificate outlives the root \(/)]);
  });
  it("refuses an expired intermediate, and an expired root", () => {
    expect(problems({ rootCertificate: TEST_ROOT, intermediateCertificate: GOOD_INTERMEDIATE }, new Date("2032-01-01T00:00:00Z"))).toEqual([expect.stringMatching(/^mesh.intermediateCertificate expired on Dec +\d+ [\d:]+ 2031 GMT$/)]);
    expect(problems({ rootCertificate: SHORT_ROOT }, new Date("2027-02-01T00:00:00Z"))).toEqual([expect.stringMatching(/^mesh.rootCertificate expired on Jan +2 [\d:]+ 2027 GMT$/)]);
  });
  it("accepts both on their last valid day", () => {
    expect(problems({ rootCertificate: TEST_ROOT, intermediateCertificate: GOOD_INTERMEDIATE }, new Date("2031-12-02T00:00:00Z"))).toEqual([]);
    expect(problems({ rootCertificate: SHORT_ROOT }, new Date("2027-01-02T00:00:00Z"))).toEqual([]);
  });
});

describe("what is wrong with a signed intermediate, said exactly", () => {
  const check = (pem: string, root = TEST_ROOT, now = new Date("2027-01-01T00:00:00Z")) => intermediateCertificateProblems(pem, root, "apac.acme-pay.internal", now);
  it("accepts the ceremony's certificate, until the second it expires", () => {
    expect(check(GOOD_INTERMEDIATE)).toEqual([]);
    const end = new Date(new X509Certificate(GOOD_INTERMEDIATE).validTo);
    expect(check(GOOD_INTERMEDIATE, TEST_ROOT, end)).toEqual([]);
    expect(check(GOOD_INTERMEDIATE, TEST_ROOT, new Date(end.getTime() + 1000))).toEqual([`expired on ${new X509Certificate(GOOD_INTERMEDIATE).validTo}`]);
  });
  it("names each problem", () => {
    expect(check(NOT_A_CA)).toEqual(["is not a CA certificate (O=Mesh workloads, CN=apac.acme-pay.internal)"]);
    expect(check(OTHER_TRUST_DOMAIN)).toEqual(["has no critical name constraint to the URIs of apac.acme-pay.internal: it could issue another region's identities", 'is issued to "eu.acme-pay.internal", not to the trust domain apac.acme-pay.internal']);
    expect(check(IMPOSTOR_INTERMEDIATE)).toEqual(["is not signed by the platform root (O=Acme Pay, CN=Test root (fixture))"]);
    expect(check(FOREIGN_INTERMEDIATE)).toEqual(["is not signed by the platform root (O=Acme Pay, CN=Test root (fixture))"]);
    expect(check("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----")).toEqual([expect.stringMatching(/^is not a readable X\.509 certificate \(.+\)$/)]);
    expect(check(GOOD_INTERMEDIATE, "not a certificate")).toEqual(["cannot be checked: mesh.rootCertificate is not readable"]);
  });
});

describe("the platform root's expiry", () => {
  it("is refused from the second after its end", () => {
    const end = new Date(new X509Certificate(SHORT_ROOT).validTo);
    const found = (now: Date) => {
      const out: string[] = [];
      checkGcpMeshCa({ mesh: { trustDomain: "apac.acme-pay.internal", rootCaArn: "arn:aws:acm-pca:eu-west-1:999900001111:certificate-authority/5f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b", rootCertificate: SHORT_ROOT } } as GcpRegionConfig, (field, problem, fix) => out.push(`${field}: ${problem} | ${fix}`), now);
      return out;
    };
    expect(found(end)).toEqual([]);
    expect(found(new Date(end.getTime() + 1000))).toEqual([`mesh.rootCertificate: expired on ${new X509Certificate(SHORT_ROOT).validTo} | paste the platform's current root (a new root means a new intermediate for every region: docs/deploy.md)`]);
    const notCa: string[] = [];
    checkGcpMeshCa({ mesh: { trustDomain: "apac.acme-pay.internal", rootCaArn: "arn:aws:acm-pca:eu-west-1:999900001111:certificate-authority/5f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b", rootCertificate: NOT_A_CA } } as GcpRegionConfig, (field, problem) => notCa.push(`${field}: ${problem}`), new Date("2027-01-01T00:00:00Z"));
    expect(notCa).toEqual(["mesh.rootCertificate: is not a self-signed CA certificate (O=Mesh workloads, CN=apac.acme-pay.internal)"]);
  });
});
