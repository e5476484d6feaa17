/**
 * The workload CA of a GCP region in Certificate Authority Service: the pool's tier and issuance
 * policy, the intermediate's key, the identity of the in-cluster CAS issuer, and the operator's
 * signing ceremony. Pure data: the stack, the guardrails and the reports build the same values.
 */
import type { GcpRegionConfig } from "../../config/schema";
import { CAS_ISSUER_SERVICE_ACCOUNT, ISTIO_CSR_SERVICE_DNS, PKI_NAMESPACE, SUBORDINATE_TEMPLATE, intermediateApiPassthrough } from "../mesh/pki";
import { ISTIO_ROOT_NAMESPACE } from "../mesh/policies";
import { partnerHost } from "../mesh/edge";

/** The intermediate in CA Service: the pool's tier, the key CA Service generates (Cloud HSM), the lifetime asked for in its CSR. */
export const CAS_CA = {
  // Enterprise: every certificate is listed, described and revocable (DevOps keeps none); 7
  // issuances per second per CA, far above a few hundred pods renewing daily.
  tier: "ENTERPRISE",
  keyAlgorithm: "EC_P256_SHA256",
  // Five years, as on AWS; with an external root, the root's signature decides the validity.
  lifetime: `${5 * 365 * 24 * 3600}s`,
} as const;

/** A PEM as CA Service returns it: ending with one newline (so that the issuer chain it reads back is the one configured). */
export function pemBlock(pem: string): string {
  return `${pem.trim()}\n`;
}

/** The longest a certificate of the pool may live: a day, as istio-csr caps workload certificates. */
export const CAS_MAXIMUM_LIFETIME = "86400s";

/**
 * The in-cluster CAS issuer (cert-manager's google-cas-issuer): its Kubernetes service account,
 * and the Google service account it acts as through Workload Identity (the only identity that may
 * request certificates from the pool).
 */
export const CAS_ISSUER = {
  namespace: PKI_NAMESPACE,
  serviceAccount: CAS_ISSUER_SERVICE_ACCOUNT,
  googleAccountId: "mesh-ca-issuer",
} as const;

/** Outputs of `region-<name>` on GCP for the workload CA. */
export const CAS_OUTPUT_IDS = { pool: "mesh_ca_pool", authority: "mesh_ca_intermediate", issuerAccount: "mesh_ca_issuer_account" } as const;

/** The DNS names the pool may certify: istiod's and istio-csr's serving certificates, and the partner gateway's host of each partner. */
export function casDnsNames(region: Pick<GcpRegionConfig, "edge">): string[] {
  return [`istiod.${ISTIO_ROOT_NAMESPACE}.svc`, ISTIO_CSR_SERVICE_DNS, ...(region.edge ? region.edge.partners.map((p) => partnerHost(region.edge!, p)) : [])];
}

/**
 * The pool's CEL condition on what a CSR asks for: at least one name, every name either a SPIFFE
 * URI of the region's trust domain or one of `dnsNames`. The root's name constraint already
 * limits URIs to the trust domain; this also keeps DNS names (which it does not constrain) to the
 * platform's own.
 */
export function casIssuanceCel(trustDomain: string, dnsNames: readonly string[]): string {
  const dns = dnsNames.map((d) => JSON.stringify(d)).join(", ");
  return `subject_alt_names.size() > 0 && subject_alt_names.all(san, (san.type == URI && san.value.startsWith(${JSON.stringify(`spiffe://${trustDomain}/ns/`)})) || (san.type == DNS && san.value in [${dns}]))`;
}

/**
 * The pool's issuance policy: CSRs only (what cert-manager sends), a day at most, workload keys
 * (EC P-256, RSA 2048 to 4096: Istio's proxies and istiod use RSA 2048 by default), end-entity
 * certificates for server and client authentication only, names held by casIssuanceCel.
 */
export function casPoolIssuance(trustDomain: string, dnsNames: readonly string[]) {
  return {
    maximumLifetime: CAS_MAXIMUM_LIFETIME,
    allowedIssuanceModes: { allowCsrBasedIssuance: true, allowConfigBasedIssuance: false },
    allowedKeyTypes: [{ ellipticCurve: { signatureAlgorithm: "ECDSA_P256" } }, { rsa: { minModulusSize: "2048", maxModulusSize: "4096" } }],
    identityConstraints: {
      allowSubjectPassthrough: true,
      allowSubjectAltNamesPassthrough: true,
      celExpression: { title: `SPIFFE identities of ${trustDomain} and the mesh's own services`, expression: casIssuanceCel(trustDomain, dnsNames) },
    },
    baselineValues: {
      // non_ca: the provider sends is_ca false only with it (alone, the extension is left out).
      caOptions: { isCa: false, nonCa: true },
      // Digital signature only: every handshake is ECDHE (TLS 1.3, or 1.2's ECDHE suites), and an EC key may not encipher (RFC 5480).
      keyUsage: { baseKeyUsage: { digitalSignature: true }, extendedKeyUsage: { serverAuth: true, clientAuth: true } },
    },
  };
}

/** What the operator runs after the first deploy: the intermediate's CSR, into the file the custodians sign. */
export function casCsrCommand(region: Pick<GcpRegionConfig, "name" | "naming" | "cloudRegion" | "projectId">): string {
  const name = `${region.naming.prefix}-${region.name}`;
  return `gcloud privateca subordinates get-csr ${name}-mesh-intermediate --pool ${name}-mesh --location ${region.cloudRegion} --project ${region.projectId} > mesh-ca.csr`;
}

/**
 * What the root's custodians run to sign a GCP region's intermediate (docs/deploy.md): the same
 * ACM PCA template and name constraint as an AWS region's intermediate, five years, from the CSR
 * file casCsrCommand wrote.
 */
export function casSigningCommand(region: Pick<GcpRegionConfig, "mesh">): string {
  const arn = region.mesh.rootCaArn ?? "<mesh.rootCaArn>";
  return [
    "aws acm-pca issue-certificate",
    `--certificate-authority-arn ${arn}`,
    `--region ${arn.split(":")[3] ?? "<root region>"}`,
    "--csr fileb://mesh-ca.csr",
    "--signing-algorithm SHA256WITHECDSA",
    `--template-arn ${SUBORDINATE_TEMPLATE}`,
    `--api-passthrough '${intermediateApiPassthrough(region.mesh.trustDomain)}'`,
    "--validity Value=5,Type=YEARS",
  ].join(" ");
}
