/**
 * The default tags of every AWS resource of a region.
 */
import type { RegionConfig } from "../../config/schema";

/** Default tags on every AWS resource of a region (PCI DSS 12.5: scope is documented). */
export function regionTags(region: RegionConfig): Record<string, string> {
  return {
    Region: region.name,
    Jurisdiction: region.jurisdiction,
    DataClassification: region.tags.dataClassification,
    PciScope: region.tags.pciScope,
    Owner: region.tags.owner,
    ManagedBy: "cdktf",
    Blueprint: "pci-payment-platform",
  };
}
