/**
 * Cloud KMS: one HSM key per purpose, rotating, each used by its own service agent, and every
 * data store under its purpose's key.
 */
import type { GcpRegionConfig } from "../../../config/schema";
import { resourceRules, stackRules } from "../../rule";
import { ref, resourcesOf, one } from "../../../tfjson/terraform";
import { GCP_KEY_PURPOSES, GcpKeyPurpose, KEY_DESTROY_DELAY_DAYS, serviceAgentOf } from "../../../model/gcp/keys";
import { purposeOf, keyRef } from "./common";
import { GCP_ENCRYPTION_AT_REST } from "../../../model/gcp/encryption";

export const GCP_KEY_STACK_RULES = stackRules<GcpRegionConfig>({ layers: ["gcp"] }, [
  {
    id: "gcp.keys-one-per-purpose",
    requirement: "3.6, 3.7",
    fix: "Create keys through GcpRegionKeys: one key ring in the region, one key per purpose.",
    description: "one key ring in the region's location, with one key per purpose (database, kafka, audit, gke-secrets, logs, disks, registry, tokenization)",
    check: ({ json, region }) => {
      const rings = resourcesOf(json, "google_kms_key_ring");
      if (rings.length !== 1 || rings[0][1].location !== region.cloudRegion) return [`google_kms_key_ring: expected one key ring in ${region.cloudRegion}`];
      const ring = ref("google_kms_key_ring", rings[0][0], "id");
      const keys = resourcesOf(json, "google_kms_crypto_key");
      const v: string[] = [];
      for (const purpose of GCP_KEY_PURPOSES) {
        const found = keys.filter(([, k]) => k.name === purpose && k.key_ring === ring);
        if (found.length !== 1) v.push(`google_kms_crypto_key: ${found.length} keys for ${purpose} in the region's key ring, expected 1`);
      }
      for (const [n, k] of keys) if (k.key_ring !== ring) v.push(`google_kms_crypto_key.${n}: outside the region's key ring`);
      return v;
    },
  },
]);

export const GCP_KEY_RULES = resourceRules<GcpRegionConfig>({ layers: ["gcp"] }, [
  {
    id: "gcp.keys-hsm-rotating",
    requirement: "3.6.1, 3.7.4",
    fix: "Create keys through GcpRegionKeys: protection level HSM, rotation within 365 days, a 30-day destroy delay, prevent_destroy.",
    description: "every Cloud KMS key is HSM-protected, rotates within a year, can be restored for 30 days after a destroy, and is protected from destroy",
    resourceTypes: ["google_kms_crypto_key"],
    check: (b) => {
      const v: string[] = [];
      if (one(b.version_template).protection_level !== "HSM") v.push(`protection level ${one(b.version_template).protection_level ?? "SOFTWARE"}, not HSM`);
      // Stryker disable next-line StringLiteral: equivalent (an absent period parses to NaN from "" or any other text)
      const rotation = parseInt(String(b.rotation_period ?? ""), 10);
      if (!(rotation > 0 && rotation <= 365 * 86400)) v.push(`rotation period ${b.rotation_period ?? "(none)"}, not within 365 days`);
      // Stryker disable next-line StringLiteral: equivalent (an absent delay parses to NaN from "" or any other text)
      if (!(parseInt(String(b.destroy_scheduled_duration ?? ""), 10) >= KEY_DESTROY_DELAY_DAYS * 86400)) v.push(`destroy delay ${b.destroy_scheduled_duration ?? "(default 30 days, not pinned)"}`);
      if (b.purpose !== undefined && b.purpose !== "ENCRYPT_DECRYPT") v.push(`purpose ${b.purpose}`);
      if (b.import_only === true) v.push("import-only (key material from outside the HSM)");
      return v;
    },
  },
  {
    id: "gcp.key-access-least-privilege",
    requirement: "3.6.1, 7.2.1",
    fix: "Grant roles/cloudkms.cryptoKeyEncrypterDecrypter on one key to the service agent of its purpose (GcpRegionKeys) or, for the tokenization key, to a service that declares access.tokenizationKey; never bindings or policies that replace others' grants.",
    description: "each key is usable only by its service agent (or, for tokenization, the declared services' identities), with encrypt/decrypt only, through additive members",
    resourceTypes: ["google_kms_crypto_key_iam_member", "google_kms_crypto_key_iam_binding", "google_kms_crypto_key_iam_policy", "google_kms_key_ring_iam_member", "google_kms_key_ring_iam_binding", "google_kms_key_ring_iam_policy"],
    check: (b, { stack, type }) => {
      if (!type.endsWith("_member")) return [`${type} is authoritative (replaces grants made elsewhere); use google_kms_crypto_key_iam_member`];
      if (type.startsWith("google_kms_key_ring")) return ["a key-ring grant reaches every key of the region; grant one key"];
      const v: string[] = [];
      if (b.role !== "roles/cloudkms.cryptoKeyEncrypterDecrypter") v.push(`role ${b.role}, expected roles/cloudkms.cryptoKeyEncrypterDecrypter`);
      const purpose = purposeOf(stack.json, keyRef(b.crypto_key_id)) as GcpKeyPurpose | undefined;
      if (!purpose) return [...v, `names ${b.crypto_key_id}, not a key of this stack`];
      const agent = serviceAgentOf(purpose, stack.region.projectNumber, stack.region.kms.loggingServiceAccount);
      if (agent) {
        if (b.member !== `serviceAccount:${agent}`) v.push(`grants the ${purpose} key to ${b.member}, not its service agent`);
      } else {
        const tokenizers = stack.region.services.filter((s) => s.access?.tokenizationKey).map((s) => `serviceAccount:\${google_service_account.gke_workload-${s.name}.email}`);
        if (!tokenizers.includes(b.member)) v.push(`grants the ${purpose} key to ${b.member}, not a service that declares access.tokenizationKey`);
      }
      return v;
    },
  },
  {
    id: "gcp.cmek",
    requirement: "3.5.1, 3.6.1",
    fix: "Encrypt the store with the region's Cloud KMS key for its purpose (GcpRegionKeys); never Google-managed encryption for a data store.",
    description: "every Google data store (Cloud SQL, Managed Kafka, buckets, GKE secrets and disks, Artifact Registry, log buckets) is encrypted with the stack's key of its purpose",
    resourceTypes: Object.keys(GCP_ENCRYPTION_AT_REST),
    check: (b, { stack, type }) => {
      const spec = GCP_ENCRYPTION_AT_REST[type];
      const v: string[] = [];
      for (const k of spec.keys(b)) {
        if (k === undefined) v.push("Google-managed encryption, not a customer-managed key");
        else if (purposeOf(stack.json, keyRef(k)) !== spec.purpose) v.push(`key ${String(k)} is not the stack's ${spec.purpose} key`);
      }
      if (type === "google_container_cluster") {
        if (one(b.database_encryption).state !== "ENCRYPTED") v.push("Kubernetes secrets not envelope-encrypted");
        const boot = one(b.node_config).boot_disk_kms_key;
        if (purposeOf(stack.json, keyRef(boot)) !== "disks") v.push("the initial nodes' boot disks are not under the disks key");
      }
      return v;
    },
  },
]);
