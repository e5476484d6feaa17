import { KmsCustomKeyStore } from "@cdktf/provider-aws/lib/kms-custom-key-store";
import { Construct } from "constructs";
import { Token } from "../../core/cdktf";
import { CloudHsm } from "./cloud-hsm";

/** Properties of {@link HsmKeyStore}. */
export interface HsmKeyStoreProps {
  /** Name of the custom key store, unique in the account. */
  readonly name: string;
  /** The initialized, activated cluster with at least two active HSMs in different AZs. */
  readonly hsm: CloudHsm;
  /** PEM of `customerCA.crt`, the CA certificate that signed the cluster certificate. */
  readonly trustAnchorCertificate: string;
  /**
   * The `kmsuser` password, needed once, to create the store: pass a sensitive Terraform variable
   * (a reference), never a literal. Leave it out once the store exists: KMS rotates the password
   * when it connects, so the value the operator knew is stale by then, and Terraform never sends
   * it again (the argument is ignored after creation).
   * @default - none (the store already exists)
   */
  readonly kmsuserPassword?: string;
}

/**
 * A KMS custom key store on a CloudHSM cluster (PCI DSS 3.6.1): KMS keys created in it have their
 * key material generated and kept in the cluster's HSMs.
 *
 * Terraform creates the store but never connects it (`aws kms connect-custom-key-store`, docs/deploy.md),
 * and keys can be created in it only once it is connected. Protected from destroy: deleting it
 * orphans the key material of every key in it.
 */
export class HsmKeyStore extends Construct {
  readonly store: KmsCustomKeyStore;

  constructor(scope: Construct, id: string, props: HsmKeyStoreProps) {
    super(scope, id);
    const pem = props.trustAnchorCertificate.replace(/\r\n/g, "\n").trim();
    if (!/^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+\n-----END CERTIFICATE-----$/.test(pem)) {
      throw new Error(`HsmKeyStore ${props.name}: trustAnchorCertificate must be one PEM certificate (customerCA.crt).`);
    }
    if (props.kmsuserPassword !== undefined && !Token.isUnresolved(props.kmsuserPassword)) {
      throw new Error(`HsmKeyStore ${props.name}: kmsuserPassword must be a reference (a sensitive variable), never a literal.`);
    }
    this.store = new KmsCustomKeyStore(this, "Kms", {
      customKeyStoreName: props.name,
      customKeyStoreType: "AWS_CLOUDHSM",
      cloudHsmClusterId: props.hsm.cluster.clusterId,
      trustAnchorCertificate: `${pem}\n`,
      keyStorePassword: props.kmsuserPassword,
      // KMS requires two active HSMs in different AZs when the store is created.
      dependsOn: [...props.hsm.hsms],
      lifecycle: { preventDestroy: true, ignoreChanges: ["key_store_password"] },
    });
  }
}
