/**
 * Keys: the CloudHSM cluster, its trust anchor and the tokenization key generation (AWS), the
 * rotation period (GCP).
 */
import type { X509Certificate } from "crypto";
import { parseCertificate } from "../pem";
import { AwsRegionConfig, GcpRegionConfig, HSM_STAGES } from "../schema";
import type { Report } from "./types";

/** The CloudHSM stage, its trust anchor and the tokenization key generation. */
export function checkHsm(c: AwsRegionConfig, report: Report): void {
  const hsm = c.hsm;
  if (hsm.count < 2 || hsm.count > c.availabilityZoneIds.length) {
    report("hsm.count", `${hsm.count} HSM(s) for ${c.availabilityZoneIds.length} AZs`, `use 2 to ${c.availabilityZoneIds.length}: KMS custom key stores need two active HSMs in different AZs`);
  }
  const stageIndex = HSM_STAGES.indexOf(hsm.stage);
  if (hsm.trustAnchorCertificate === undefined) {
    if (stageIndex >= HSM_STAGES.indexOf("keystore")) {
      report(
        "hsm.trustAnchorCertificate",
        `is required at stage "${hsm.stage}": the custom key store verifies the cluster against it`,
        "paste the PEM of customerCA.crt, the CA certificate that signed the cluster CSR (docs/deploy.md, CloudHSM ceremony, step 2)",
      );
    }
  } else {
    const problem = trustAnchorProblem(hsm.trustAnchorCertificate);
    if (problem === "not-ca") {
      report(
        "hsm.trustAnchorCertificate",
        "is not a CA certificate; the trust anchor is the CA that signs the cluster certificate",
        "use customerCA.crt, the CA certificate you signed the cluster CSR with, not the signed cluster certificate itself",
      );
    } else if (problem) {
      report("hsm.trustAnchorCertificate", problem, "paste the whole PEM of customerCA.crt, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----");
    }
  }
  if (hsm.tokenizationKeyGeneration < 1) {
    report("hsm.tokenizationKeyGeneration", `is ${hsm.tokenizationKeyGeneration}`, "use 1 for the first HSM-backed key, and raise it by one to rotate");
  } else if (hsm.tokenizationKeyGeneration > 1 && hsm.stage !== "keys") {
    report(
      "hsm.tokenizationKeyGeneration",
      `is ${hsm.tokenizationKeyGeneration} at stage "${hsm.stage}", but HSM-backed keys exist only at stage "keys"`,
      'leave it at 1 until stage "keys"; raise it only to rotate the HSM-backed key',
    );
  }
}

/** Why a trust anchor is unusable ("not-ca" or a description), or undefined when it is one CA certificate in PEM. */
function trustAnchorProblem(pem: string): string | undefined {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 0;
  if (blocks !== 1) return `holds ${blocks} PEM certificate(s); the trust anchor is exactly one`;
  let cert: X509Certificate;
  try {
    cert = parseCertificate(pem);
  } catch (e) {
    return `is not a readable X.509 certificate (${(e as Error).message})`;
  }
  if (!cert.ca) return "not-ca";
  return undefined;
}

/** The GCP keys rotate at least yearly. */
export function checkGcpKms(c: GcpRegionConfig, report: Report): void {
  if (c.kms.rotationDays < 1 || c.kms.rotationDays > 365) report("kms.rotationDays", `${c.kms.rotationDays} days`, "use 1 to 365 (PCI DSS 3.7.4: a defined cryptoperiod of at most a year)");
}
