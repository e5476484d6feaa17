/** Stateful resources protected from destroy. */
import type { GcpRegionConfig } from "../../../config/schema";
import { resourceRules } from "../../rule";
import { preventsDestroy } from "../../../tfjson/terraform";
import { GCP_STATEFUL } from "./common";

export const GCP_RESILIENCE_RULES = resourceRules<GcpRegionConfig>({ layers: ["gcp"] }, [
  {
    id: "gcp.stateful-protected",
    requirement: "10.5.1, 3.7.2, 12.10.1",
    fix: "Set lifecycle.prevent_destroy on the resource (the blueprint's constructs do); to retire it, remove the flag in a reviewed change of its own.",
    description: "key rings, keys, Cloud SQL, buckets, Managed Kafka and log buckets are protected from destroy",
    resourceTypes: GCP_STATEFUL,
    check: (b) => (preventsDestroy(b) ? [] : ["not protected from destroy (lifecycle.prevent_destroy)"]),
  },
]);
