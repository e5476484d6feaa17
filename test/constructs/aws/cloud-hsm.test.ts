import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { CloudHsm } from "../../../constructs/aws/cloud-hsm";
import { HsmKeyStore } from "../../../constructs/aws/hsm-key-store";
import { TerraformVariable } from "../../../core/cdktf";
import { PrivateLinkNetwork } from "../../../constructs/aws/private-link-network";
import { newStack, synthJson, TestStack } from "../../support/construct-stack";
import { testNetworkProps } from "../../support/fixtures";
import { TEST_TRUST_ANCHOR_PEM } from "../../support/trust-anchor";

const hsmIn = (stack: TestStack, extra: { hsmCount?: number; activated?: boolean } = {}) =>
  new CloudHsm(stack, "Hsm", {
    name: "t-eu",
    network: new PrivateLinkNetwork(stack, "Network", testNetworkProps(stack)),
    secretsKey: new KmsKey(stack, "SecretsKey", {}),
    ...extra,
  });

describe("CloudHsm", () => {
  it("creates one HSM until the cluster is activated (CloudHSM refuses a second before)", () => {
    const stack = newStack();
    hsmIn(stack);
    expect(Object.keys(synthJson(stack).resource.aws_cloudhsm_v2_hsm)).toEqual(["hsm_hsms_euw1-az1"]);
  });

  it("once activated, a FIPS hsm2m.medium cluster in the data tier with two HSMs in distinct AZs", () => {
    const stack = newStack();
    hsmIn(stack, { activated: true });
    const r = synthJson(stack).resource;
    expect(r.aws_cloudhsm_v2_cluster.hsm_cluster).toMatchObject({ hsm_type: "hsm2m.medium", mode: "FIPS", lifecycle: { prevent_destroy: true } });
    expect(Object.values(r.aws_cloudhsm_v2_hsm).map((h) => (h as { subnet_id: string }).subnet_id)).toEqual([
      "${aws_subnet.network_data_euw1-az1.id}",
      "${aws_subnet.network_data_euw1-az2.id}",
    ]);
    const rules = Object.values(r.aws_vpc_security_group_ingress_rule).filter((x) => (x as { security_group_id: string }).security_group_id.includes("cloudhsm"));
    expect(rules.map((x) => (x as { cidr_ipv4: string }).cidr_ipv4)).toEqual(["10.0.0.0/20", "10.0.16.0/20", "10.0.32.0/20"]);
  });

  it("rejects fewer than two HSMs or more than the AZs", () => {
    for (const hsmCount of [1, 4]) {
      const stack = newStack();
      expect(() => hsmIn(stack, { hsmCount })).toThrow(/between 2 and the number of AZs/);
    }
  });

  it("creates the kmsuser password secret empty, under the given key", () => {
    const stack = newStack();
    hsmIn(stack);
    const r = synthJson(stack).resource;
    expect(r.aws_secretsmanager_secret.hsm_kmsuser_password).toMatchObject({
      name: "t-eu/cloudhsm/kmsuser-password",
      kms_key_id: "${aws_kms_key.secrets_key.arn}",
      recovery_window_in_days: 30,
    });
    expect(r.aws_secretsmanager_secret_version).toBeUndefined();
  });
});

describe("HsmKeyStore", () => {
  it("creates a CloudHSM key store on the cluster after its HSMs, protected, sending the password only at creation", () => {
    const stack = newStack();
    const hsm = hsmIn(stack, { activated: true });
    const password = new TerraformVariable(stack, "pw", { type: "string", sensitive: true });
    new HsmKeyStore(stack, "KeyStore", { name: "t-eu-tokenization", hsm, trustAnchorCertificate: TEST_TRUST_ANCHOR_PEM, kmsuserPassword: password.stringValue });
    const store = synthJson(stack).resource.aws_kms_custom_key_store.key_store_kms;
    expect(store).toMatchObject({
      custom_key_store_type: "AWS_CLOUDHSM",
      cloud_hsm_cluster_id: "${aws_cloudhsm_v2_cluster.hsm_cluster.cluster_id}",
      key_store_password: "${var.pw}",
      trust_anchor_certificate: `${TEST_TRUST_ANCHOR_PEM.trim()}\n`,
      depends_on: ["aws_cloudhsm_v2_hsm.hsm_hsms_euw1-az1", "aws_cloudhsm_v2_hsm.hsm_hsms_euw1-az2"],
      lifecycle: { prevent_destroy: true, ignore_changes: ["key_store_password"] },
    });
  });

  it("omits the password once the store exists", () => {
    const stack = newStack();
    new HsmKeyStore(stack, "KeyStore", { name: "t", hsm: hsmIn(stack), trustAnchorCertificate: TEST_TRUST_ANCHOR_PEM });
    expect(synthJson(stack).resource.aws_kms_custom_key_store.key_store_kms.key_store_password).toBeUndefined();
  });

  it("refuses a password literal and a trust anchor that is not one PEM certificate", () => {
    const stack = newStack();
    const hsm = hsmIn(stack);
    expect(() => new HsmKeyStore(stack, "A", { name: "t", hsm, trustAnchorCertificate: TEST_TRUST_ANCHOR_PEM, kmsuserPassword: "hunter2hunter2" })).toThrow(/never a literal/);
    expect(() => new HsmKeyStore(stack, "B", { name: "t", hsm, trustAnchorCertificate: "MIIDoTCCAomgAwIBAgIU" })).toThrow(/one PEM certificate/);
    expect(() => new HsmKeyStore(stack, "C", { name: "t", hsm, trustAnchorCertificate: TEST_TRUST_ANCHOR_PEM + "\n" + TEST_TRUST_ANCHOR_PEM })).toThrow(/one PEM certificate/);
  });
});
