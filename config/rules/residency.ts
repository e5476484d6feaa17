/** Residency: the region, its DR partner and its state stay inside the region's jurisdiction. */
import { AWS_AVAILABILITY_ZONE_IDS, GCP_ZONES, JURISDICTIONS, JURISDICTIONS_FILE, jurisdictionOf } from "../catalog";
import { RegionConfig } from "../schema";
import type { Report } from "./types";

/** The cloud region is known and in the jurisdiction, and so are the DR partner and the state bucket. */
export function checkResidency(c: RegionConfig, knownAzs: readonly string[] | undefined, report: Report): void {
  const jurisdiction = JURISDICTIONS[c.jurisdiction];
  const allowed = jurisdiction.allowedRegions[c.cloud] as readonly string[];
  if (!knownAzs) {
    report(
      "cloudRegion",
      `"${c.cloudRegion}" is not a known ${c.cloud} region`,
      `use one of ${Object.keys(c.cloud === "aws" ? AWS_AVAILABILITY_ZONE_IDS : GCP_ZONES).sort().join(", ")}, or add the region to ${JURISDICTIONS_FILE} (docs/regions.md says how)`,
    );
  } else if (!allowed.includes(c.cloudRegion)) {
    // Every region the catalog knows is in a jurisdiction (test/config/primitives.test.ts).
    report(
      "cloudRegion",
      `"${c.cloudRegion}" is outside jurisdiction ${c.jurisdiction} (it is in ${jurisdictionOf(c.cloud, c.cloudRegion)})`,
      `use a region of ${c.jurisdiction} (${allowed.join(", ")}) or correct the jurisdiction`,
    );
  }

  const others = allowed.filter((r) => r !== c.cloudRegion);
  if (c.drPartnerRegion === undefined) {
    // Where the jurisdiction has a second region of the cloud, the audit archive, the backups and
    // the keys that open them have a copy there (issue 21; GCP's DR partner is not built yet).
    if (c.cloud === "aws" && allowed.includes(c.cloudRegion) && others.length > 0) {
      report(
        "drPartnerRegion",
        `is missing: jurisdiction ${c.jurisdiction} has other AWS regions, and without a DR partner the audit archive and the database's backups exist in ${c.cloudRegion} only`,
        `name one of ${others.join(", ")} (e.g. "${others[0]}")`,
      );
    }
  } else {
    if (c.drPartnerRegion === c.cloudRegion) {
      report("drPartnerRegion", `is the region itself (${c.cloudRegion})`, "name a different region of the same jurisdiction, or remove the field");
    } else if (!allowed.includes(c.drPartnerRegion)) {
      report(
        "drPartnerRegion",
        `"${c.drPartnerRegion}" is outside jurisdiction ${c.jurisdiction}: backups and replicas would leave it`,
        others.length > 0
          ? `choose a DR region of ${c.jurisdiction} (${others.join(", ")})`
          : `remove the field: jurisdiction ${c.jurisdiction} has no second ${c.cloud.toUpperCase()} region, so the region relies on its zones and its backups inside ${c.cloudRegion}`,
      );
    }
  }

  if (!allowed.includes(c.stateBackend.region)) {
    report(
      "stateBackend.region",
      `"${c.stateBackend.region}" is outside jurisdiction ${c.jurisdiction}; Terraform state holds resource attributes of the region`,
      `keep the state bucket in ${c.jurisdiction} (${allowed.join(", ")})`,
    );
  }
}
