import { PrivateLinkNetwork, PrivateLinkNetworkProps } from "../../../constructs/aws/private-link-network";
import { TestStack, newStack, synthJson } from "../../support/construct-stack";
import { testNetworkProps } from "../../support/fixtures";
import { DEFAULT_INTERFACE_ENDPOINTS } from "../../../config/catalog";

function network(stack: TestStack, overrides: Partial<PrivateLinkNetworkProps> = {}) {
  return new PrivateLinkNetwork(stack, "Network", { ...testNetworkProps(stack), ...overrides });
}

describe("PrivateLinkNetwork", () => {
  it("creates private subnets in every tier and AZ, with no internet path", () => {
    const stack = newStack();
    network(stack);
    const r = synthJson(stack).resource;
    expect(Object.keys(r.aws_subnet)).toHaveLength(9);
    for (const s of Object.values(r.aws_subnet)) expect(s).toMatchObject({ map_public_ip_on_launch: false });
    for (const t of ["aws_internet_gateway", "aws_nat_gateway", "aws_eip", "aws_route"]) expect(r[t]).toBeUndefined();
    expect(r.aws_vpc_block_public_access_options.network_block_public_access.internet_gateway_block_mode).toBe("block-bidirectional");
  });

  it("has the default endpoint set with private DNS, and an S3 gateway for the workload tier", () => {
    const stack = newStack();
    network(stack);
    const eps = Object.values(synthJson(stack).resource.aws_vpc_endpoint) as { service_name: string; private_dns_enabled?: boolean; vpc_endpoint_type: string; route_table_ids?: string[] }[];
    expect(eps.filter((e) => e.vpc_endpoint_type === "Interface").map((e) => e.service_name.replace("com.amazonaws.eu-west-1.", "")).sort()).toEqual([...DEFAULT_INTERFACE_ENDPOINTS].sort());
    expect(eps.filter((e) => e.vpc_endpoint_type === "Interface").every((e) => e.private_dns_enabled === true)).toBe(true);
    expect(eps.find((e) => e.vpc_endpoint_type === "Gateway")!.route_table_ids).toEqual(["${aws_route_table.network_workload_route_table.id}"]);
  });

  it("allows only ECR's layer bucket through the S3 endpoint until buckets are added", () => {
    const stack = newStack();
    network(stack);
    const policy = JSON.parse(synthJson(stack).resource.aws_vpc_endpoint.network_s3_gateway_endpoint.policy);
    expect(policy.Statement).toEqual([
      { Sid: "EcrImageLayers", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::prod-eu-west-1-starport-layer-bucket/*" },
    ]);
  });

  it("admits PrivateLink clients into the endpoints tier on their port only", () => {
    const stack = newStack();
    network(stack, { privateLinkClients: { cidrs: ["172.16.0.0/16"], port: 443 } });
    const acl = synthJson(stack).resource.aws_network_acl.network_endpoints_network_acl;
    expect(acl.ingress).toContainEqual(expect.objectContaining({ cidr_block: "172.16.0.0/16", protocol: "6", from_port: 443, to_port: 443 }));
    expect(acl.egress).toContainEqual(expect.objectContaining({ cidr_block: "172.16.0.0/16", protocol: "6", from_port: 1024, to_port: 65535 }));
  });

  it("can leave VPC Block Public Access to an account-level baseline", () => {
    const stack = newStack();
    network(stack, { blockPublicAccess: false });
    expect(synthJson(stack).resource.aws_vpc_block_public_access_options).toBeUndefined();
  });

  it("rejects fewer than three AZs", () => {
    const stack = newStack();
    expect(() => network(stack, { availabilityZoneIds: ["euw1-az1", "euw1-az2"] })).toThrow(/at least 3 distinct/);
  });

  it("rejects a tier without one block per AZ", () => {
    const stack = newStack();
    expect(() => network(stack, { subnets: { workload: ["10.0.0.0/20"], data: [], endpoints: [] } })).toThrow(/subnets.workload has 1 blocks for 3 zones/);
  });

  it("rejects an extra endpoint that duplicates a default one", () => {
    const stack = newStack();
    expect(() => network(stack, { extraInterfaceEndpoints: ["kms"] })).toThrow(/repeats a service/);
  });
});
