/**
 * What the blueprint knows of the world, as data: cloud regions and their zones, jurisdictions,
 * the Kubernetes and Istio releases it supports, the workload CA chain's releases, the AWS APIs
 * every region reaches through interface endpoints. Data, not API calls, because the AWS stack
 * must plan with no credentials (no `aws_availability_zones` lookup). The config rules check
 * region files against it, so it sits in config/, below the model that also reads it. The
 * jurisdictions and their cloud regions and zones are data of their own, `config/jurisdictions.json`:
 * extending the blueprint to a new cloud region means adding it there, in the jurisdiction that the
 * law and the assessor agree it belongs to (docs/regions.md).
 */

import jurisdictionsFile from "./jurisdictions.json";

/** The clouds a region file may choose. */
export const CLOUDS = ["aws", "gcp"] as const;
export type Cloud = (typeof CLOUDS)[number];

/**
 * Where the platform may keep cardholder data: the jurisdictions, their cloud regions and each
 * region's zones, in `config/jurisdictions.json`. That file is a reviewed decision (docs/regions.md
 * says who approves a change and what to check); `checkJurisdictionsFile` (config/jurisdictions-file.ts)
 * validates it before any region file is read. What follows reads it as the rest of the code
 * needs it.
 */
export const JURISDICTIONS_FILE = "config/jurisdictions.json";

/** A legal area whose data-residency rules a region follows. */
export interface Jurisdiction {
  readonly description: string;
  /** Cloud regions, per cloud, where data of this jurisdiction may be stored or replicated. */
  readonly allowedRegions: Readonly<Record<Cloud, readonly string[]>>;
}

type JurisdictionsFile = typeof jurisdictionsFile;
export type JurisdictionCode = keyof JurisdictionsFile["jurisdictions"];
export const JURISDICTION_CODES = Object.keys(jurisdictionsFile.jurisdictions) as JurisdictionCode[];

/**
 * Each cloud's regions in a jurisdiction, with their zones. Read leniently: this runs when the module
 * loads, and the file's validation, which runs before any region file is read, reports what is wrong.
 */
const regionsOf = (code: JurisdictionCode, cloud: Cloud): Readonly<Record<string, readonly string[]>> => jurisdictionsFile.jurisdictions[code][cloud] ?? {};

export const JURISDICTIONS: Readonly<Record<JurisdictionCode, Jurisdiction>> = Object.fromEntries(
  JURISDICTION_CODES.map((code) => [code, { description: jurisdictionsFile.jurisdictions[code].description, allowedRegions: { aws: Object.keys(regionsOf(code, "aws")), gcp: Object.keys(regionsOf(code, "gcp")) } }]),
) as unknown as Readonly<Record<JurisdictionCode, Jurisdiction>>;

/**
 * Availability zone IDs per AWS region. The stack places everything zonal by zone ID: an ID names
 * the same physical zone in every account, while a zone name (eu-west-1a) maps to a different one
 * in each account, so a name could land a subnet in a zone where EKS cannot run.
 */
export const AWS_AVAILABILITY_ZONE_IDS: Readonly<Record<string, readonly string[]>> = Object.assign({}, ...JURISDICTION_CODES.map((code) => regionsOf(code, "aws")));

/** Zone IDs where EKS cannot place a cluster's control-plane subnets (the EKS user guide lists them). */
export const EKS_UNSUPPORTED_ZONE_IDS: readonly string[] = ["use1-az3", "usw1-az2", "cac1-az3"];

/** Zones per GCP region (names, as the APIs take them). */
export const GCP_ZONES: Readonly<Record<string, readonly string[]>> = Object.assign({}, ...JURISDICTION_CODES.map((code) => regionsOf(code, "gcp")));

/** AZs (AWS) or zones (GCP) of a cloud region, if the catalog knows the region. */
export function zonesOf(cloud: Cloud, cloudRegion: string): readonly string[] | undefined {
  return (cloud === "aws" ? AWS_AVAILABILITY_ZONE_IDS : GCP_ZONES)[cloudRegion];
}

/** The jurisdiction a cloud region belongs to, if the catalog knows it. */
export function jurisdictionOf(cloud: Cloud, cloudRegion: string): JurisdictionCode | undefined {
  return JURISDICTION_CODES.find((code) =>
    (JURISDICTIONS[code].allowedRegions[cloud] as readonly string[]).includes(cloudRegion),
  );
}

/**
 * EKS versions the blueprint accepts: in AWS standard support when this list was last reviewed
 * (November 2026). Review it every release; an end of standard support moves a cluster to paid
 * extended support, which the stacks refuse (`upgrade_policy.support_type = STANDARD`).
 */
export const EKS_VERSIONS = ["1.34", "1.35"] as const;

/**
 * GKE minor versions the blueprint accepts as the cluster's minimum version (on the REGULAR
 * release channel, which GKE requires for automatic node upgrades). Reviewed November 2026.
 */
export const GKE_VERSIONS = ["1.34", "1.35"] as const;

/** Kubernetes namespaces the platform owns; services may not be placed in them. */
export const RESERVED_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease", "istio-system", "istio-ingress", "istio-eastwest", "edge"] as const;

/**
 * Istio minor releases the blueprint accepts, each with the Kubernetes minors it supports
 * (istio.io, supported releases; reviewed November 2026). 1.26 is the oldest release with every
 * security API at v1 that the mesh stacks use; keep at most the releases Istio still patches.
 */
export const ISTIO_RELEASES: Readonly<Record<string, readonly string[]>> = {
  "1.29": ["1.31", "1.32", "1.33", "1.34", "1.35"],
  "1.30": ["1.32", "1.33", "1.34", "1.35", "1.36"],
};

/** The Istio patch release the regions run unless they pin another (1.30.4: 27 August 2026). */
export const DEFAULT_ISTIO_VERSION = "1.30.4";

/** HTTP methods an AuthorizationPolicy rule may name (no wildcard). */
export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

/**
 * The workload CA chain of a region with a platform root (mesh.rootCaArn): cert-manager, the AWS
 * Private CA issuer for cert-manager and istio-csr, at pinned releases (reviewed December 2026),
 * mirrored into the region's ECR like Istio. Upgrading one is a reviewed change of this catalog.
 */
export const MESH_PKI_RELEASES = {
  // Charts are pushed to the region's ECR with these tags (`helm push` tags the chart's version).
  // cert-manager 1.21: a supported release (the two newest minors are), its e2e tests run on
  // Kubernetes 1.33 to 1.36, so every EKS_VERSIONS entry.
  certManager: { chart: "v1.21.1", image: "v1.21.1" },
  // The AWS PCA issuer's newest release; its CRDs live in the chart's crds/, which Helm never
  // upgrades: the pki stack applies them from model/mesh/crds/ (one file per release).
  awsPcaIssuer: { chart: "v1.9.0", image: "v1.9.0" },
  // istio-csr 0.17: its e2e tests run Istio 1.29.3; the regions default to Istio 1.30 (Istio's CA
  // API, which istio-csr serves, is stable across these minors; a real cluster confirms it).
  istioCsr: { chart: "v0.17.0", image: "v0.17.0" },
  // Google's CAS issuer for cert-manager (GCP regions), its newest release (its e2e tests run
  // cert-manager 1.20). Installed without its chart (the chart's ClusterRole reads every Secret and
  // cannot be switched off): its CRDs are applied from model/mesh/crds/, one file per release.
  googleCasIssuer: { image: "v0.12.0" },
} as const;

/**
 * AWS APIs reached through interface endpoints by default: what EKS nodes, the payment services
 * and the AWS-managed data services of a region call, with no internet path; `guardduty-data` is
 * where GuardDuty's runtime agent on the nodes reports.
 */
export const DEFAULT_INTERFACE_ENDPOINTS = [
  "kms", "sts", "ecr.api", "ecr.dkr", "logs", "secretsmanager", "eks", "eks-auth", "ec2", "elasticloadbalancing", "autoscaling", "guardduty-data",
] as const;

/**
 * The service-linked roles the AWS stack names (by service, with the role's name). Such a role
 * exists only once something in the account created it: the stack creates it, or, where the
 * region file says the account has it already, names it without creating it (AWS refuses to
 * create it twice: "has been taken in this account").
 */
export const SERVICE_LINKED_ROLES = {
  /** EC2 Auto Scaling launches the EKS nodes and encrypts their volumes with the ebs key. */
  "autoscaling.amazonaws.com": "AWSServiceRoleForAutoScaling",
} as const;
export type ServiceLinkedRoleService = keyof typeof SERVICE_LINKED_ROLES;

/**
 * Aurora PostgreSQL major versions a region may choose. The blueprint pins the major only: RDS
 * picks the minor at creation and applies minor upgrades itself (PCI DSS 6.3.3), and a pinned
 * minor would make the next plan try to downgrade after one (and fails to create once RDS retires it).
 */
export const AURORA_POSTGRES_MAJOR_VERSIONS = ["15", "16", "17"] as const;
