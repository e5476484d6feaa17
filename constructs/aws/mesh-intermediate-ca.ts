import { AcmpcaCertificate } from "@cdktf/provider-aws/lib/acmpca-certificate";
import { AcmpcaCertificateAuthority } from "@cdktf/provider-aws/lib/acmpca-certificate-authority";
import { AcmpcaCertificateAuthorityCertificate } from "@cdktf/provider-aws/lib/acmpca-certificate-authority-certificate";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Construct } from "constructs";
import { SUBORDINATE_TEMPLATE, intermediateApiPassthrough } from "../../model/mesh/pki";

/** Properties of {@link MeshIntermediateCa}. */
export interface MeshIntermediateCaProps {
  /** The region's mesh trust domain: the intermediate's subject. */
  readonly trustDomain: string;
  /** The platform's root CA in ACM PCA (held by the security team, shared with this account). */
  readonly rootCaArn: string;
  /** Years the intermediate is valid (the root must outlive it). @default 5 */
  readonly validityYears?: number;
  /**
   * A provider in the root's region (ACM PCA is regional: the root signs only through its own
   * region's endpoint), in this account, which the root's RAM share lets issue a subordinate.
   * @default the stack's provider (the root is in the region's own AWS region)
   */
  readonly rootRegionProvider?: AwsProvider;
}

/**
 * The region's intermediate of the platform's one root of trust, in AWS Private CA: its private key
 * is generated and kept inside ACM PCA (FIPS 140-2 Level 3 HSMs) and never appears in Terraform's
 * configuration, plan or state; only its CSR and certificates do. The root signs it with path
 * length 0 (it signs workload certificates only) and a critical name constraint (URIs of the
 * region's trust domain only: it cannot issue another region's SPIFFE identities), and it is
 * installed with the root's chain. It runs in short-lived certificate mode (workload
 * certificates live a day at most). Istio gets its workload certificates from it through
 * cert-manager, the AWS PCA issuer and istio-csr (`region-<name>-pki` and `-istio`), so every
 * region's workloads chain to the same root and can authenticate each other (PCI DSS 3.6, 4.2.1,
 * 8.3).
 */
export class MeshIntermediateCa extends Construct {
  readonly authority: AcmpcaCertificateAuthority;
  readonly certificate: AcmpcaCertificate;

  constructor(scope: Construct, id: string, props: MeshIntermediateCaProps) {
    super(scope, id);
    if (!/^arn:aws[a-z-]*:acm-pca:[a-z0-9-]+:\d{12}:certificate-authority\/[0-9a-f-]+$/.test(props.rootCaArn)) {
      throw new Error(`MeshIntermediateCa ${props.trustDomain}: rootCaArn "${props.rootCaArn}" is not an ACM PCA certificate authority ARN.`);
    }
    this.authority = new AcmpcaCertificateAuthority(this, "Authority", {
      type: "SUBORDINATE",
      // Workload certificates live 24 h at most (istio-csr caps them), well under the mode's 7 days.
      usageMode: "SHORT_LIVED_CERTIFICATE",
      keyStorageSecurityStandard: "FIPS_140_2_LEVEL_3_OR_HIGHER",
      certificateAuthorityConfiguration: {
        keyAlgorithm: "EC_prime256v1",
        signingAlgorithm: "SHA256WITHECDSA",
        subject: { commonName: props.trustDomain, organization: "Mesh workloads", organizationalUnit: props.trustDomain },
      },
      // Revocation by OCSP (no CRL bucket to publish, nothing public).
      revocationConfiguration: { ocspConfiguration: { enabled: true } },
      permanentDeletionTimeInDays: 30,
      enabled: true,
      lifecycle: { preventDestroy: true },
    });
    this.certificate = new AcmpcaCertificate(this, "SignedByRoot", {
      certificateAuthorityArn: props.rootCaArn,
      certificateSigningRequest: this.authority.certificateSigningRequest,
      signingAlgorithm: "SHA256WITHECDSA",
      templateArn: SUBORDINATE_TEMPLATE,
      apiPassthrough: intermediateApiPassthrough(props.trustDomain),
      validity: { type: "YEARS", value: String(props.validityYears ?? 5) },
      provider: props.rootRegionProvider,
      // Destroying this resource revokes the intermediate: every workload certificate with it.
      lifecycle: { preventDestroy: true },
    });
    new AcmpcaCertificateAuthorityCertificate(this, "Installed", {
      certificateAuthorityArn: this.authority.arn,
      certificate: this.certificate.certificate,
      certificateChain: this.certificate.certificateChain,
    });
  }

}
