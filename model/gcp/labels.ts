/**
 * The default labels of every Google resource of a region.
 */
import type { RegionConfig } from "../../config/schema";

/** A label value: lowercase letters, digits, `_` and `-`, at most 63 characters. */
function labelValue(value: string): string {
  return value.toLowerCase().replace(/@/g, "_at_").replace(/[^a-z0-9_-]/g, "_").slice(0, 63);
}

/** Default labels on every Google resource of a region (the AWS default tags' counterpart, 12.5). */
export function regionLabels(region: RegionConfig): Record<string, string> {
  return {
    region: labelValue(region.name),
    jurisdiction: labelValue(region.jurisdiction),
    data_classification: labelValue(region.tags.dataClassification),
    pci_scope: labelValue(region.tags.pciScope),
    owner: labelValue(region.tags.owner),
    managed_by: "cdktf",
    blueprint: "pci-payment-platform",
  };
}
