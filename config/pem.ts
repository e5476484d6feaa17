/** Reading PEM text in the region files (partners' CA bundles): the certificate blocks it holds. */

/** The certificate blocks of a PEM bundle, each from `-----BEGIN CERTIFICATE-----` to `-----END CERTIFICATE-----`. */
export function pemCertificates(bundle: string): string[] {
  return bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
}
