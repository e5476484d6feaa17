/**
 * The Kubernetes cluster: EKS roles and node counts (AWS), GKE nodes and authorized networks (GCP).
 */
import { isPrivate, parseCidr } from "../cidr";
import { AwsRegionConfig, GcpRegionConfig } from "../schema";
import type { Report } from "./types";

/** The EKS cluster: roles in the region's account, node counts that cover every AZ. */
export function checkEks(c: AwsRegionConfig, report: Report): void {
  const eks = c.eks;
  for (const field of ["adminRoleArn", "deployRoleArn"] as const) {
    // Stryker disable next-line OptionalChaining,Regex: the schema admits only role ARNs here, so the pattern always matches (and anchoring it changes nothing)
    const account = /^arn:[^:]+:iam::(\d{12}):/.exec(eks[field])?.[1];
    if (account !== c.accountId) {
      report(`eks.${field}`, `is a role of account ${account}, not of the region's account ${c.accountId}`, `use a role of ${c.accountId}; cross-account cluster admins are not supported`);
    }
  }
  if (eks.adminRoleArn === eks.deployRoleArn) {
    report("eks.deployRoleArn", "is the administrators' role", "give the deploy pipeline its own role, so that its use is told apart in the audit trail");
  }
  const azs = c.availabilityZoneIds.length;
  // The merchants' group exists only where the region has merchant namespaces.
  for (const field of c.mesh.merchantNamespaces.length > 0 ? (["nodes", "merchantNodes"] as const) : (["nodes"] as const)) {
    const n = eks[field];
    if (n.minSize < azs || n.minSize > n.desiredSize || n.desiredSize > n.maxSize) {
      report(`eks.${field}`, `minSize ${n.minSize}, desiredSize ${n.desiredSize}, maxSize ${n.maxSize}`, `use ${azs} <= minSize <= desiredSize <= maxSize: at least one node per AZ`);
    }
    if (n.diskGiB < 20 || n.diskGiB > 1000) {
      report(`eks.${field}.diskGiB`, `${n.diskGiB} GiB`, "use 20 to 1000 GiB");
    }
  }
}

/** GKE: at least one node per zone, a sane disk, private authorized networks only. */
export function checkGke(c: GcpRegionConfig, report: Report): void {
  // The merchants' pool exists only where the region has merchant namespaces.
  for (const field of c.mesh.merchantNamespaces.length > 0 ? (["nodes", "merchantNodes"] as const) : (["nodes"] as const)) {
    const n = c.gke[field];
    if (n.minPerZone < 1 || n.maxPerZone < n.minPerZone) report(`gke.${field}`, `minPerZone ${n.minPerZone}, maxPerZone ${n.maxPerZone}`, "use 1 <= minPerZone <= maxPerZone: at least one node per zone");
    if (n.diskGb < 20 || n.diskGb > 1000) report(`gke.${field}.diskGb`, `${n.diskGb} GB`, "use 20 to 1000 GB");
  }
  c.gke.masterAuthorizedNetworks.forEach((m, i) => {
    const range = parseCidr(m.cidr);
    if (typeof range === "string") report(`gke.masterAuthorizedNetworks[${i}].cidr`, range, 'use the deploy runners\' private range, e.g. "10.30.0.0/24"');
    else if (!isPrivate(range)) report(`gke.masterAuthorizedNetworks[${i}].cidr`, `${m.cidr} is not a private range; the control plane has no public endpoint`, "name private ranges inside the VPC or connected to it");
  });
}
