import { KmsCryptoKey } from "@cdktf/provider-google/lib/kms-crypto-key";
import { KmsCryptoKeyIamMember } from "@cdktf/provider-google/lib/kms-crypto-key-iam-member";
import { KmsKeyRing } from "@cdktf/provider-google/lib/kms-key-ring";
import { Sleep } from "@cdktf/provider-time/lib/sleep";
import { TerraformResource, dependable } from "../../core/cdktf";
import { Construct } from "constructs";
import { type GcpKeyPurpose, GCP_KEY_PURPOSES, KEY_DESTROY_DELAY_DAYS, serviceAgentOf, CMEK_GRANT_PROPAGATION } from "../../model/gcp/keys";

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
  /** Each key's grant to its service agent. */
  readonly grants: Readonly<Partial<Record<GcpKeyPurpose, KmsCryptoKeyIamMember>>>;
  /** A wait after each grant, for it to propagate: a resource using the key depends on it. */
  readonly propagation: Readonly<Partial<Record<GcpKeyPurpose, Sleep>>>;

  constructor(scope: Construct, id: string, props: GcpRegionKeysProps) {
    super(scope, id);
    if (props.rotationDays < 1 || props.rotationDays > 365) {
      throw new Error(`GcpRegionKeys ${props.name}: rotationDays ${props.rotationDays} must be 1 to 365 (PCI DSS 3.7.4: a cryptoperiod of at most a year).`);
    }
    this.keyRing = new KmsKeyRing(this, "KeyRing", { name: props.name, location: props.location, lifecycle: { preventDestroy: true } });
    const keys = {} as Record<GcpKeyPurpose, KmsCryptoKey>;
    const grants: Partial<Record<GcpKeyPurpose, KmsCryptoKeyIamMember>> = {};
    const propagation: Partial<Record<GcpKeyPurpose, Sleep>> = {};
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
        const grant = new KmsCryptoKeyIamMember(this, `${idOf(purpose)}ServiceAgent`, {
          cryptoKeyId: key.id,
          role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
          member: `serviceAccount:${agent}`,
        });
        grants[purpose] = grant;
        // IAM grants take time to propagate: a consumer created right after its key's grant fails
        // intermittently (its service agent is not yet allowed to use the key).
        propagation[purpose] = new Sleep(this, `${idOf(purpose)}GrantPropagation`, {
          createDuration: CMEK_GRANT_PROPAGATION,
          triggers: { member: grant.member, key: key.id },
          dependsOn: [grant],
        });
      }
    }
    this.keys = keys;
    this.grants = grants;
    this.propagation = propagation;
  }

  /** Makes `resource` (encrypted with the key of `purpose`) wait until the key's service agent may use the key, grant propagated. */
  after(resource: TerraformResource, purpose: GcpKeyPurpose): void {
    const ready = this.propagation[purpose];
    if (ready) resource.dependsOn = [...(resource.dependsOn ?? []), dependable(ready)];
  }
}

/** `gke-secrets` → `GkeSecrets`, for construct ids. */
function idOf(purpose: string): string {
  return purpose.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase());
}
