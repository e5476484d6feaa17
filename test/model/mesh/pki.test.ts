import { MeshIntermediateCa } from "../../../constructs/aws/mesh-intermediate-ca";
import { NAME_CONSTRAINTS_OID, uriNameConstraints, SUBORDINATE_TEMPLATE, intermediateApiPassthrough } from "../../../model/mesh/pki";
import { newStack, synthJson } from "../../support/construct-stack";

describe("the intermediate's name constraint", () => {
  it("is the DER OpenSSL writes for nameConstraints=critical,permitted;URI:<trust domain>", () => {
    // openssl req -x509 ... -addext 'nameConstraints=critical,permitted;URI:eu.acme-pay.internal', the extension's value:
    // SEQUENCE { [0] { SEQUENCE { [6] "eu.acme-pay.internal" } } }
    expect(Buffer.from(uriNameConstraints("eu.acme-pay.internal"), "base64").toString("hex")).toBe("301aa0183016861465752e61636d652d7061792e696e7465726e616c");
  });

  it("uses DER's long length form past 127 bytes", () => {
    const host = `${"a".repeat(60)}.${"b".repeat(60)}.example`;
    const der = Buffer.from(uriNameConstraints(host), "base64");
    // Three inner headers of 3 bytes each (tag, 0x81, length) around the 129-byte host.
    expect(der.subarray(0, 3).toString("hex")).toBe(`3081${(host.length + 9).toString(16)}`);
    expect(der.subarray(der.length - host.length).toString("ascii")).toBe(host);
  });

  it("refuses what is not a host name", () => {
    expect(() => uriNameConstraints("spiffe://eu")).toThrow(/not a host name/);
  });

  it("is written by the root into the intermediate, critical, with the API-passthrough template", () => {
    expect(JSON.parse(intermediateApiPassthrough("us.acme-pay.internal"))).toEqual({
      Extensions: { CustomExtensions: [{ ObjectIdentifier: NAME_CONSTRAINTS_OID, Value: uriNameConstraints("us.acme-pay.internal"), Critical: true }] },
    });
    const stack = newStack();
    new MeshIntermediateCa(stack, "Ca", { trustDomain: "eu.acme-pay.internal", rootCaArn: "arn:aws:acm-pca:eu-west-1:999900001111:certificate-authority/5f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b" });
    const signed = Object.values(synthJson(stack).resource.aws_acmpca_certificate as Record<string, { template_arn: string; api_passthrough: string }>)[0];
    expect(signed.template_arn).toBe(SUBORDINATE_TEMPLATE);
    expect(signed.api_passthrough).toBe(intermediateApiPassthrough("eu.acme-pay.internal"));
  });
});
