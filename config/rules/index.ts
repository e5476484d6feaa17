/**
 * The rules a region file must meet beyond its schema, by concern (one file each), and the rules
 * across regions. Every rule runs, so one pass shows every problem, each with the field and the fix.
 */
import { zonesOf } from "../catalog";
import { ConfigProblem } from "../errors";
import { AwsRegionConfig, GcpRegionConfig, RegionConfig } from "../schema";
import { checkHsm, checkGcpKms } from "./keys";
import { checkEks, checkGke } from "./cluster";
import { checkAwsDatabase, checkAwsKafka, checkGcpDatabase, checkGcpKafka } from "./data-stores";
import { checkGcpMeshCa, checkMesh } from "./mesh";
import { checkEdge } from "./edge";
import { checkAvailabilityZones, checkDrNetwork, checkGcpNetwork, checkInterfaceEndpoints, checkNetwork } from "./network";
import { checkAwsPartnerApi, checkGcpPartnerApi } from "./partner-api";
import type { Report } from "./types";
import { checkResidency } from "./residency";
import { checkRetention } from "./retention";
import { checkServices, checkWorkloadIdentityNames } from "./services";
import { checkAwsStateKey, checkGcpStateKey } from "./state";

export { checkAcrossRegions } from "./across-regions";
export type { LoadedRegion } from "./types";

/**
 * Relations between fields of one region that a schema cannot express. Each rule reports the
 * field and the fix; all rules run so that one pass shows every problem.
 */
export function checkRegion(file: string, c: RegionConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const report: Report = (field, problem, fix) => problems.push({ file, field, problem, fix });

  // Stryker disable next-line Regex: equivalent (".*" is greedy and region files end in .ts or .js)
  const fileBase = file.replace(/^.*\//, "").replace(/\.[jt]s$/, "");
  if (fileBase !== c.name) {
    report("name", `is "${c.name}" but the file is ${file}`, `set name to "${fileBase}" or rename the file to regions/${c.name}.ts`);
  }

  // Load balancer and target group names are `<prefix>-<name>-partner-api` (≤ 32 characters).
  const stem = `${c.naming.prefix}-${c.name}`;
  if (stem.length > 20) {
    report("naming.prefix", `"${stem}" is ${stem.length} characters; load balancer names built from it would exceed 32`, "shorten naming.prefix or name so that <prefix>-<name> has at most 20 characters");
  }

  const knownAzs = zonesOf(c.cloud, c.cloudRegion);
  checkResidency(c, knownAzs, report);

  if (c.cloud === "aws") checkAwsRegion(c, knownAzs, report);
  else checkGcpRegion(c, knownAzs, report);
  checkServices(c, report);
  checkMesh(c, report);
  checkEdge(c, report);
  checkRetention(c, report);
  return problems;
}

/** What only a GCP region declares: zones, address plan, state key, partners, KMS, Cloud SQL, Kafka, GKE. */
function checkGcpRegion(c: GcpRegionConfig, knownZones: readonly string[] | undefined, report: Report): void {
  checkGcpNetwork(c, knownZones, report);
  checkGcpStateKey(c, report);
  checkGcpPartnerApi(c, report);
  checkGcpKms(c, report);
  checkGcpDatabase(c, report);
  checkGcpKafka(c, report);
  checkWorkloadIdentityNames(c, report);
  checkGcpMeshCa(c, report);
  checkGke(c, report);
}

/** What only an AWS region declares: AZs, VPC plan, state key, certificate, partners, HSM, Aurora, MSK, EKS. */
function checkAwsRegion(c: AwsRegionConfig, knownAzs: readonly string[] | undefined, report: Report): void {
  checkAvailabilityZones(c, knownAzs, report);
  checkNetwork(c, report);
  checkDrNetwork(c, report);
  checkAwsStateKey(c, report);
  checkAwsPartnerApi(c, report);
  checkInterfaceEndpoints(c, report);
  checkHsm(c, report);
  checkAwsDatabase(c, report);
  checkAwsKafka(c, report);
  checkEks(c, report);
}
