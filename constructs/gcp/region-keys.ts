import { KmsCryptoKey } from "@cdktf/provider-google/lib/kms-crypto-key";
import { KmsCryptoKeyIamMember } from "@cdktf/provider-google/lib/kms-crypto-key-iam-member";
import { KmsKeyRing } from "@cdktf/provider-google/lib/kms-key-ring";
import { TerraformResource, dependable } from "../../core/cdktf";
import { Construct } from "constructs";
import { type GcpKeyPurpose, GCP_KEY_PURPOSES, KEY_DESTROY_DELAY_DAYS, serviceAgentOf } from "../../model/gcp/keys";

/** Properties of {@link GcpRegionKeys}. */
export interface GcpRegionKeysProps {
  /** Key ring name, e.g. `acme-pay-apac`. */
  readonly name: string;
  /** The key ring's location (the region: keys never leave it). */
  readonly location: string;
  /** Project number, for the service agents' names. */
  readonly projectNumber: string;
  /** Days between automatic rotations (1 to 365). */
  readonly rotationDays: number;
  /** Labels of every key. @default none (the provider's default labels apply) */
  readonly labels?: Record<string, string>;
  /**
   * Cloud Logging's key service account (`gcloud logging settings describe`): it varies with the
   * project's age and organisation settings.
   * @default `service-<number>@gcp-sa-logging.iam.gserviceaccount.com`
   */
  readonly loggingServiceAccount?: string;
}

/**
 * The region's key ring with one HSM-protected key per purpose (Cloud HSM: FIPS 140-2 Level 3),
 * each rotating on the configured period, destroyable only after a 30-day delay and protected from
 * destroy in Terraform; each service agent may use only its own key (PCI DSS 3.6, 3.7).
 */
export class GcpRegionKeys extends Construct {
  readonly keyRing: KmsKeyRing;
  readonly keys: Readonly<Record<GcpKeyPurpose, KmsCryptoKey>>;
  /** Each key's grant to its service agent: a resource using the key depends on it. */
  readonly grants: Readonly<Partial<Record<GcpKeyPurpose, KmsCryptoKeyIamMember>>>;

  constructor(scope: Construct, id: string, props: GcpRegionKeysProps) {
    super(scope, id);
    if (props.rotationDays < 1 || props.rotationDays > 365) {
      throw new Error(`GcpRegionKeys ${props.name}: rotationDays ${props.rotationDays} must be 1 to 365 (PCI DSS 3.7.4: a cryptoperiod of at most a year).`);
    }
    this.keyRing = new KmsKeyRing(this, "KeyRing", { name: props.name, location: props.location, lifecycle: { preventDestroy: true } });
    const keys = {} as Record<GcpKeyPurpose, KmsCryptoKey>;
    const grants: Partial<Record<GcpKeyPurpose, KmsCryptoKeyIamMember>> = {};
    for (const purpose of GCP_KEY_PURPOSES) {
      const key = new KmsCryptoKey(this, `${idOf(purpose)}Key`, {
        name: purpose,
        keyRing: this.keyRing.id,
        purpose: "ENCRYPT_DECRYPT",
        rotationPeriod: `${props.rotationDays * 86400}s`,
        destroyScheduledDuration: `${KEY_DESTROY_DELAY_DAYS * 86400}s`,
        versionTemplate: { algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protectionLevel: "HSM" },
        labels: { purpose, ...(props.labels ?? {}) },
        lifecycle: { preventDestroy: true },
      });
      keys[purpose] = key;
      const agent = serviceAgentOf(purpose, props.projectNumber, props.loggingServiceAccount);
      if (agent) {
        grants[purpose] = new KmsCryptoKeyIamMember(this, `${idOf(purpose)}ServiceAgent`, {
          cryptoKeyId: key.id,
          role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
          member: `serviceAccount:${agent}`,
        });
      }
    }
    this.keys = keys;
    this.grants = grants;
  }

  /** Makes `resource` (encrypted with the key of `purpose`) wait until the key's service agent may use the key. */
  after(resource: TerraformResource, purpose: GcpKeyPurpose): void {
    const grant = this.grants[purpose];
    if (grant) resource.dependsOn = [...(resource.dependsOn ?? []), dependable(grant)];
  }
}

/** `gke-secrets` → `GkeSecrets`, for construct ids. */
function idOf(purpose: string): string {
  return purpose.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase());
}
