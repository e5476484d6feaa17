/** Helpers of the GCP rules: key purposes by reference, stateful types, address ranges, the perimeter configuration that applies. */
import { isPrivate, parseCidr, rangeContains } from "../../../config/cidr";
import type { GcpRegionConfig } from "../../../config/schema";
import { TfJson, one, refName } from "../../../tfjson/terraform";

/** The purpose of a Cloud KMS key of the stack (its `name`), by resource name. */
export function purposeOf(json: TfJson, keyResource: string | undefined): string | undefined {
  return keyResource ? json.resource?.google_kms_crypto_key?.[keyResource]?.name : undefined;
}

/** The key resource a reference names (`${google_kms_crypto_key.x.id}`). */
export const keyRef = (value: unknown) => refName(value, "google_kms_crypto_key", "id");

/** Resource types whose loss loses data or keys. */
export const GCP_STATEFUL = ["google_kms_key_ring", "google_kms_crypto_key", "google_sql_database_instance", "google_storage_bucket", "google_managed_kafka_cluster", "google_logging_project_bucket_config"];

/** A CIDR inside 10/8, 172.16/12 or 192.168/16. */
export function isPrivateRange(cidr: string): boolean {
  const r = parseCidr(cidr);
  // Stryker disable next-line ConditionalExpression,StringLiteral: equivalent (a malformed block's reason string is inside no range either)
  return typeof r !== "string" && isPrivate(r);
}

/** Inside one of the region's address ranges. */
export function insideRegion(region: GcpRegionConfig, cidr: string): boolean {
  const r = parseCidr(cidr.includes("/") ? cidr : `${cidr}/32`);
  // Stryker disable next-line ConditionalExpression,StringLiteral: equivalent (a malformed block's reason string is inside no range either)
  if (typeof r === "string") return false;
  return Object.entries(region.network).some(([k, v]) => {
    const outer = parseCidr(k === "googleApisAddress" ? `${v}/32` : v);
    // Stryker disable next-line ConditionalExpression,StringLiteral: equivalent (no range lies inside a malformed block's reason string)
    return typeof outer !== "string" && rangeContains(outer, r);
  });
}

/** The perimeter's configuration that applies: its enforced status or, before that, its dry-run spec. */
export function appliedPerimeterConfig(perimeter: TfJson, enforced: boolean | undefined): TfJson {
  return one(enforced ? perimeter.status : perimeter.spec);
}
