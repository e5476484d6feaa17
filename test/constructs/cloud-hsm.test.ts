import { CloudHsm } from "../../constructs/cloud-hsm";
import { PrivateLinkNetwork } from "../../constructs/private-link-network";
import { newStack, synthJson } from "../support/construct-stack";
import { testNetworkProps } from "../support/fixtures";

describe("CloudHsm", () => {
  it("defaults to a FIPS hsm2m.medium cluster in the data tier with two HSMs in distinct AZs", () => {
    const stack = newStack();
    new CloudHsm(stack, "Hsm", { name: "t-eu", network: new PrivateLinkNetwork(stack, "Network", testNetworkProps(stack)) });
    const r = synthJson(stack).resource;
    expect(r.aws_cloudhsm_v2_cluster.hsm_cluster).toMatchObject({ hsm_type: "hsm2m.medium", mode: "FIPS", lifecycle: { prevent_destroy: true } });
    expect(Object.values(r.aws_cloudhsm_v2_hsm).map((h) => (h as { subnet_id: string }).subnet_id)).toEqual([
      "${aws_subnet.network_data_eu-west-1a.id}",
      "${aws_subnet.network_data_eu-west-1b.id}",
    ]);
    const rules = Object.values(r.aws_vpc_security_group_ingress_rule).filter((x) => (x as { security_group_id: string }).security_group_id.includes("cloudhsm"));
    expect(rules.map((x) => (x as { cidr_ipv4: string }).cidr_ipv4)).toEqual(["10.0.0.0/20", "10.0.16.0/20", "10.0.32.0/20"]);
  });

  it("rejects fewer than two HSMs or more than the AZs", () => {
    for (const hsmCount of [1, 4]) {
      const stack = newStack();
      expect(() => new CloudHsm(stack, "Hsm", { name: "t", network: new PrivateLinkNetwork(stack, "Network", testNetworkProps(stack)), hsmCount })).toThrow(/between 2 and the number of AZs/);
    }
  });
});
