/**
 * The GCP region stack as a whole: its provider, state backend and labels, and where its
 * resources live.
 */
import { JURISDICTIONS } from "../../../config/catalog";
import type { GcpRegionConfig } from "../../../config/schema";
import { stackRules } from "../../rule";
import { TfJson, asList, one } from "../../../tfjson/terraform";
import { regionLabels } from "../../../model/gcp/labels";

export const GCP_PROJECT_RULES = stackRules<GcpRegionConfig>({ layers: ["gcp"] }, [
  {
    id: "gcp.provider-pinned-to-project",
    requirement: "12.5, 12.5.1",
    fix: "Configure one GoogleProvider with project = projectId, region = cloudRegion and defaultLabels from the region file's tags; keep credentials and access tokens out of the stack.",
    description: "one google provider, in the region's project and cloud region, with the default labels (region, jurisdiction, data classification, PCI scope, owner) and no credentials",
    check: ({ json, region }) => {
      const providers = asList<TfJson>(json.provider?.google);
      if (providers.length !== 1) return [`provider.google: ${providers.length} provider blocks, expected 1`];
      const p = providers[0];
      const v: string[] = [];
      if (p.project !== region.projectId) v.push(`provider.google: project ${p.project}, expected ${region.projectId}`);
      if (p.region !== region.cloudRegion) v.push(`provider.google: region ${p.region}, expected ${region.cloudRegion}`);
      if (p.credentials || p.access_token || p.impersonate_service_account) v.push("provider.google: credentials in the production provider config");
      const expected = regionLabels(region);
      for (const [k, value] of Object.entries(expected)) if (p.default_labels?.[k] !== value) v.push(`provider.google: default label ${k} is ${JSON.stringify(p.default_labels?.[k])}, expected "${value}"`);
      // google, and hashicorp/time for the CMEK grants' propagation waits (it calls no API).
      if (Object.keys(json.terraform.required_providers ?? {}).some((k) => k !== "google" && k !== "time")) v.push("terraform.required_providers: only google (and time) is allowed in a GCP region stack");
      return v;
    },
  },
  {
    id: "gcp.backend-encrypted",
    requirement: "3.5, 10.3",
    fix: "Keep the stack on RegionStack.useGcsStateBackend: the region file's state bucket and prefix, encrypted with its Cloud KMS key (GCS locks state itself).",
    description: "state lives in the configured GCS bucket and prefix, encrypted with the configured Cloud KMS key",
    check: ({ json, region }) => {
      const gcs = json.terraform.backend?.gcs;
      if (!gcs) return ["terraform.backend: no gcs backend"];
      const s = region.stateBackend;
      const v: string[] = [];
      if (gcs.bucket !== s.bucket || gcs.prefix !== s.prefix) v.push("terraform.backend.gcs: bucket/prefix differ from the region config");
      if (gcs.kms_encryption_key !== s.kmsKeyName) v.push("terraform.backend.gcs: kms_encryption_key is not the configured state key");
      if (gcs.encryption_key !== undefined) v.push("terraform.backend.gcs: a customer-supplied key in the stack");
      return v;
    },
  },
  {
    id: "gcp.labels-not-overridden",
    requirement: "12.5.1",
    fix: "Leave the required labels to the provider's default labels; a resource may add labels but not change these.",
    description: "no resource overrides a required label (region, jurisdiction, data classification, PCI scope, owner) with another value",
    check: ({ json, region }) => {
      const expected = regionLabels(region);
      const v: string[] = [];
      for (const [type, byName] of Object.entries((json.resource ?? {}) as Record<string, Record<string, TfJson>>)) {
        for (const [name, body] of Object.entries(byName)) {
          for (const labels of [body.labels, body.resource_labels, one(body.settings).user_labels].filter((l): l is TfJson => !!l && typeof l === "object")) {
            for (const k of ["region", "jurisdiction", "data_classification", "pci_scope", "owner"]) if (k in labels && labels[k] !== expected[k]) v.push(`${type}.${name}: label ${k} is ${JSON.stringify(labels[k])}, expected "${expected[k]}"`);
          }
        }
      }
      return v;
    },
  },
  {
    id: "gcp.locations-in-jurisdiction",
    requirement: "12.5.2, 3.2.1",
    fix: "Place every resource in the region (or one of its zones); never a multi-region (ASIA, EU, US), a dual-region or global storage for data.",
    description: "every location, region and backup location argument names one of the jurisdiction's regions or their zones (any case), never a multi-region, dual-region or global location",
    check: ({ json, region }) => {
      const allowed = (JURISDICTIONS[region.jurisdiction].allowedRegions.gcp as readonly string[]).map((r) => r.toLowerCase());
      const ok = (value: string) => allowed.some((r) => value.toLowerCase() === r || value.toLowerCase().startsWith(`${r}-`));
      const v: string[] = [];
      for (const [type, byName] of Object.entries((json.resource ?? {}) as Record<string, Record<string, TfJson>>)) {
        for (const [name, body] of Object.entries(byName)) {
          const places = [
            ["location", body.location],
            ["region", body.region],
            ["settings.backup_configuration.location", one(one(body.settings).backup_configuration).location],
          ].filter(([, value]) => typeof value === "string") as [string, string][];
          for (const [field, value] of places) if (!ok(value)) v.push(`${type}.${name}: ${field} ${value} is outside ${region.jurisdiction} (${allowed.join(", ")})`);
        }
      }
      return v;
    },
  },
]);
