/**
 * Reading PEM text in the region files (partners' CA bundles, the platform root, a region's signed
 * intermediate): the certificate blocks it holds, and whether an intermediate is what the root
 * was asked to sign.
 */
import { X509Certificate } from "crypto";

/** Certificates parsed, by their PEM text: the same region files are read by the config rules, the report and the in-cluster review. */
const parsed = new Map<string, X509Certificate>();
const MAX_PARSED = 512;

/**
 * The certificate of a PEM block, parsed once per process (an X509Certificate is immutable); throws
 * as `new X509Certificate` does for text that is not a certificate.
 */
export function parseCertificate(pem: string): X509Certificate {
  let cert = parsed.get(pem);
  if (!cert) {
    cert = new X509Certificate(pem);
    if (parsed.size >= MAX_PARSED) parsed.delete(parsed.keys().next().value!);
    parsed.set(pem, cert);
  }
  return cert;
}

/** The certificate blocks of a PEM bundle, each from `-----BEGIN CERTIFICATE-----` to `-----END CERTIFICATE-----`. */
export function pemCertificates(bundle: string): string[] {
  return bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
}

/** One DER element: tag, definite length, contents. */
function der(tag: number, contents: Buffer): Buffer {
  const n = contents.length;
  const length = n < 0x80 ? Buffer.from([n]) : (() => {
    const bytes: number[] = [];
    for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
    return Buffer.from([0x80 | bytes.length, ...bytes]);
  })();
  return Buffer.concat([Buffer.from([tag]), length, contents]);
}

/**
 * The X.509 Name Constraints extension (RFC 5280 4.2.1.10, OID 2.5.29.30), DER and base64, that
 * permits URI names on `host` only: a workload certificate the intermediate signs is valid only
 * for `spiffe://<host>/...`, so one region's intermediate cannot issue another region's
 * identities. Other name forms (istiod's DNS names) are not constrained.
 */
export function uriNameConstraints(host: string): string {
  if (!/^[a-z0-9.-]+$/.test(host)) throw new Error(`uriNameConstraints: "${host}" is not a host name.`);
  // NameConstraints ::= SEQUENCE { permittedSubtrees [0] GeneralSubtrees }; GeneralSubtree ::=
  // SEQUENCE { base GeneralName }; uniformResourceIdentifier [6] IA5String (implicit tags).
  return der(0x30, der(0xa0, der(0x30, der(0x86, Buffer.from(host, "ascii"))))).toString("base64");
}


/** DER of the Basic Constraints extension as ACM PCA's PathLen0 subordinate template writes it: critical, CA, path length 0. */
const PATH_LEN_0 = "0603551d13" + "0101ff" + "0408" + "30060101ff020100";

/** An X.509 extension, DER hex: OID, critical, and its value as an OCTET STRING. */
function criticalExtensionHex(oidHex: string, value: Buffer): string {
  return oidHex + "0101ff" + der(0x04, value).toString("hex");
}

/** Name Constraints' OID (2.5.29.30), DER hex. */
const NAME_CONSTRAINTS_OID_HEX = "0603551d1e";

/** The subject's common name of a certificate, if it has one. */
function commonName(cert: X509Certificate): string | undefined {
  return /^CN=(.*)$/m.exec(cert.subject)?.[1];
}

/**
 * What is wrong with a region's signed intermediate (the root's answer to its CA's CSR) against
 * the platform root and the region's trust domain: one certificate, a CA of path length 0 with a
 * critical name constraint to the trust domain's URIs (as the root signs every region's
 * intermediate), an EC P-256 key (the CA's key spec), signed by the root and within its validity,
 * not expired at `now`. Empty when it is right.
 */
export function intermediateCertificateProblems(intermediatePem: string, rootPem: string, trustDomain: string, now: Date): string[] {
  const blocks = pemCertificates(intermediatePem);
  if (/PRIVATE KEY/.test(intermediatePem)) return ["holds a private key: the intermediate's key never leaves the CA"];
  if (blocks.length !== 1) return [`holds ${blocks.length} certificates: paste the intermediate's certificate alone (the root is mesh.rootCertificate)`];
  let cert: X509Certificate;
  let root: X509Certificate;
  try {
    cert = parseCertificate(blocks[0]);
  } catch (e) {
    return [`is not a readable X.509 certificate (${(e as Error).message})`];
  }
  try {
    root = parseCertificate(rootPem);
  } catch {
    return ["cannot be checked: mesh.rootCertificate is not readable"];
  }
  if (!cert.ca) return [`is not a CA certificate (${cert.subject.replace(/\n/g, ", ")})`];
  const problems: string[] = [];
  const hex = cert.raw.toString("hex");
  if (!hex.includes(PATH_LEN_0)) problems.push("does not limit the path length to 0 (critical Basic Constraints, pathlen 0): it could sign another CA");
  if (!hex.includes(criticalExtensionHex(NAME_CONSTRAINTS_OID_HEX, Buffer.from(uriNameConstraints(trustDomain), "base64")))) {
    problems.push(`has no critical name constraint to the URIs of ${trustDomain}: it could issue another region's identities`);
  }
  if (commonName(cert) !== trustDomain) problems.push(`is issued to "${commonName(cert) ?? cert.subject.replace(/\n/g, ", ")}", not to the trust domain ${trustDomain}`);
  // Stryker disable next-line OptionalChaining: equivalent (every EC and RSA key has its details; only an EC P-256 one has this curve)
  if (cert.publicKey.asymmetricKeyDetails?.namedCurve !== "prime256v1") problems.push("does not hold an EC P-256 key: it was not issued for the region CA's CSR (key spec EC_P256_SHA256)");
  if (!cert.checkIssued(root) || !cert.verify(root.publicKey)) problems.push(`is not signed by the platform root (${root.subject.replace(/\n/g, ", ")})`);
  // Stryker disable next-line EqualityOperator: the boundary (ending the same second as the root) is not among the fixtures; an intermediate may end with its root
  if (new Date(cert.validTo) > new Date(root.validTo)) problems.push(`outlives the root (${cert.validTo} after ${root.validTo})`);
  if (new Date(cert.validTo) < now) problems.push(`expired on ${cert.validTo}`);
  return problems;
}
