import { PrivatecaCaPool } from "@cdktf/provider-google/lib/privateca-ca-pool";
import { PrivatecaCaPoolIamMember } from "@cdktf/provider-google/lib/privateca-ca-pool-iam-member";
import { PrivatecaCertificateAuthority } from "@cdktf/provider-google/lib/privateca-certificate-authority";
import { ServiceAccount } from "@cdktf/provider-google/lib/service-account";
import { ServiceAccountIamMember } from "@cdktf/provider-google/lib/service-account-iam-member";
import { Construct } from "constructs";
import type { ITerraformDependable } from "../../core/cdktf";
import { CAS_CA, CAS_ISSUER, casPoolIssuance, pemBlock } from "../../model/gcp/pki";

/** Properties of {@link GcpMeshIntermediateCa}. */
export interface GcpMeshIntermediateCaProps {
  /** `<prefix>-<region>`: the pool is `<name>-mesh`, the CA `<name>-mesh-intermediate`. */
  readonly name: string;
  readonly projectId: string;
  readonly location: string;
  /** The region's trust domain: the CA's subject and the only URIs it may certify. */
  readonly trustDomain: string;
  /** DNS names the pool may certify besides SPIFFE URIs (istiod's, istio-csr's, the partner gateway's hosts). */
  readonly dnsNames: readonly string[];
  /** The platform root's certificate (PEM): the activated CA's issuer chain. */
  readonly rootCertificate: string;
  /** The root's signature over the CA's CSR, once the ceremony is done; absent on the first deploy. */
  readonly intermediateCertificate?: string;
  /** The cluster whose Workload Identity pool must exist before the issuer's binding. */
  readonly cluster: ITerraformDependable;
}

/**
 * The region's intermediate of the platform's one root, in Certificate Authority Service: an
 * Enterprise pool (every certificate listed and revocable) holding one subordinate CA whose EC
 * P-256 key CA Service generates and keeps in Cloud HSM; it never appears in Terraform or the
 * cluster. The root lives in ACM PCA (another cloud, another custodian), so the CA is activated in
 * two deploys: the first creates it awaiting activation; the operator fetches its CSR (no data
 * source: the stack plans without credentials) and the root's custodians sign it with the same template and name constraint as every region's intermediate
 * (docs/deploy.md); the second activates it with the signed certificate and the root as its
 * issuer chain, then enables it. The pool issues only from CSRs, for a day at most, workload keys
 * (EC P-256 or RSA 2048+) with end-entity usages, to the region's SPIFFE URIs and the listed DNS
 * names; one Google identity may request: the CAS issuer's, through Workload Identity.
 */
export class GcpMeshIntermediateCa extends Construct {
  readonly pool: PrivatecaCaPool;
  readonly authority: PrivatecaCertificateAuthority;
  /** The Google identity of the in-cluster CAS issuer. */
  readonly issuerAccount: ServiceAccount;

  constructor(scope: Construct, id: string, props: GcpMeshIntermediateCaProps) {
    super(scope, id);
    this.pool = new PrivatecaCaPool(this, "Pool", {
      name: `${props.name}-mesh`,
      location: props.location,
      tier: CAS_CA.tier,
      // No public bucket: the mesh's certificates are checked against the trust anchor istio-csr
      // distributes, and live a day; CA Service still records and can revoke each of them.
      publishingOptions: { publishCaCert: false, publishCrl: false },
      issuancePolicy: casPoolIssuance(props.trustDomain, props.dnsNames),
      lifecycle: { preventDestroy: true },
    });
    const activated = props.intermediateCertificate !== undefined;
    this.authority = new PrivatecaCertificateAuthority(this, "Authority", {
      pool: this.pool.name,
      location: props.location,
      certificateAuthorityId: `${props.name}-mesh-intermediate`,
      type: "SUBORDINATE",
      // What the CSR asks for; the root's template decides what the certificate carries.
      config: {
        subjectConfig: { subject: { commonName: props.trustDomain, organization: "Mesh workloads", organizationalUnit: props.trustDomain } },
        x509Config: {
          caOptions: { isCa: true, zeroMaxIssuerPathLength: true },
          keyUsage: { baseKeyUsage: { certSign: true, crlSign: true, digitalSignature: true }, extendedKeyUsage: {} },
          nameConstraints: { critical: true, permittedUris: [props.trustDomain] },
        },
      },
      keySpec: { algorithm: CAS_CA.keyAlgorithm },
      lifetime: CAS_CA.lifetime,
      // Activation (second deploy): the signed certificate and the root as its issuer chain, then
      // enabled. Neither may be set when the CA is created: the provider would try to sign it
      // with a CA Service issuer, and an ENABLED set at creation is never applied after activation.
      ...(activated
        ? { pemCaCertificate: pemBlock(props.intermediateCertificate!), subordinateConfig: { pemIssuerChain: { pemCertificates: [pemBlock(props.rootCertificate)] } }, desiredState: "ENABLED" }
        : {}),
      deletionProtection: true,
      skipGracePeriod: false,
      ignoreActiveCertificatesOnDeletion: false,
      lifecycle: { preventDestroy: true },
    });

    this.issuerAccount = new ServiceAccount(this, "IssuerAccount", {
      accountId: CAS_ISSUER.googleAccountId,
      displayName: `${CAS_ISSUER.namespace}/${CAS_ISSUER.serviceAccount} (Workload Identity): requests workload certificates from ${props.name}-mesh`,
    });
    new ServiceAccountIamMember(this, "IssuerWorkloadIdentity", {
      serviceAccountId: this.issuerAccount.name,
      role: "roles/iam.workloadIdentityUser",
      member: `serviceAccount:${props.projectId}.svc.id.goog[${CAS_ISSUER.namespace}/${CAS_ISSUER.serviceAccount}]`,
      // The pool <project>.svc.id.goog exists only once a cluster with Workload Identity does.
      dependsOn: [props.cluster],
    });
    // certificates.create on this pool only: what the issuer sends is held to the pool's policy.
    new PrivatecaCaPoolIamMember(this, "IssuerRequests", {
      caPool: this.pool.id,
      role: "roles/privateca.certificateRequester",
      member: `serviceAccount:${this.issuerAccount.email}`,
    });
  }
}
