import { CAS_CA, casCsrCommand, casDnsNames, casIssuanceCel, casPoolIssuance, casSigningCommand } from "../../../model/gcp/pki";
import { SUBORDINATE_TEMPLATE, intermediateApiPassthrough } from "../../../model/mesh/pki";

describe("the workload CA in CA Service", () => {
  it("lets the pool certify the trust domain's SPIFFE identities and the mesh's own DNS names, nothing else", () => {
    expect(casDnsNames({})).toEqual(["istiod.istio-system.svc", "cert-manager-istio-csr.cert-manager.svc"]);
    expect(casIssuanceCel("apac.acme-pay.internal", ["a.svc", "b.svc"])).toBe(
      'subject_alt_names.size() > 0 && subject_alt_names.all(san, (san.type == URI && san.value.startsWith("spiffe://apac.acme-pay.internal/ns/")) || (san.type == DNS && san.value in ["a.svc", "b.svc"]))',
    );
  });

  it("issues from CSRs only, for a day at most, end-entity certificates only", () => {
    const policy = casPoolIssuance("apac.acme-pay.internal", []);
    expect(policy).toMatchObject({
      maximumLifetime: "86400s",
      allowedIssuanceModes: { allowCsrBasedIssuance: true, allowConfigBasedIssuance: false },
      baselineValues: { caOptions: { isCa: false }, keyUsage: { extendedKeyUsage: { serverAuth: true, clientAuth: true } } },
    });
    expect(CAS_CA).toEqual({ tier: "ENTERPRISE", keyAlgorithm: "EC_P256_SHA256", lifetime: "157680000s" });
  });

  it("tells the operator how to fetch the CSR and the custodians how to sign it as every region's intermediate", () => {
    const region = { name: "apac", naming: { prefix: "acme-pay" }, cloudRegion: "asia-southeast1", projectId: "acme-pay-apac-prod" };
    expect(casCsrCommand(region)).toBe("gcloud privateca subordinates get-csr acme-pay-apac-mesh-intermediate --pool acme-pay-apac-mesh --location asia-southeast1 --project acme-pay-apac-prod > mesh-ca.csr");
    const mesh = { trustDomain: "apac.acme-pay.internal", rootCaArn: "arn:aws:acm-pca:eu-west-1:999900001111:certificate-authority/5f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b" };
    const command = casSigningCommand({ mesh } as never);
    expect(command).toContain(`--certificate-authority-arn ${mesh.rootCaArn} --region eu-west-1 --csr fileb://mesh-ca.csr --signing-algorithm SHA256WITHECDSA`);
    expect(command).toContain(`--template-arn ${SUBORDINATE_TEMPLATE} --api-passthrough '${intermediateApiPassthrough("apac.acme-pay.internal")}' --validity Value=5,Type=YEARS`);
  });
});
