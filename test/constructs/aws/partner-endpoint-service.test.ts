import { HardenedBucket } from "../../../constructs/aws/hardened-bucket";
import { PartnerEndpointService, PartnerEndpointServiceProps } from "../../../constructs/aws/partner-endpoint-service";
import { PrivateLinkNetwork } from "../../../constructs/aws/private-link-network";
import { TestStack, newStack, synthJson } from "../../support/construct-stack";
import { testNetworkProps } from "../../support/fixtures";

function service(stack: TestStack, overrides: Partial<PartnerEndpointServiceProps> = {}) {
  const network = new PrivateLinkNetwork(stack, "Network", testNetworkProps(stack));
  const logs = new HardenedBucket(stack, "Logs", { bucketName: "l", accountId: "123456789012", encryption: { logDeliveryOnly: true } });
  return new PartnerEndpointService(stack, "Api", {
    name: "t-eu",
    network,
    region: "eu-west-1",
    targetPort: 30443,
    healthCheckPort: 31021,
    allowedPrincipals: ["arn:aws:iam::210987654321:root"],
    clientCidrs: ["172.16.0.0/16"],
    accessLogBucket: logs,
    ...overrides,
  });
}

describe("PartnerEndpointService", () => {
  it("passes TLS through on 443 to the gateway's node port on the nodes, health-checking its readiness node port", () => {
    const stack = newStack();
    service(stack);
    const r = synthJson(stack).resource;
    expect(r.aws_lb_listener.api_tls_listener).toEqual(expect.objectContaining({ protocol: "TCP", port: 443 }));
    expect(r.aws_lb_listener.api_tls_listener.ssl_policy).toBeUndefined();
    expect(r.aws_lb_listener.api_tls_listener.certificate_arn).toBeUndefined();
    expect(r.aws_lb_target_group.api_target_group).toMatchObject({
      name: "t-eu-gw-30443",
      target_type: "instance",
      protocol: "TCP",
      port: 30443,
      preserve_client_ip: "false",
      health_check: { protocol: "HTTP", port: "31021", path: "/healthz/ready" },
      lifecycle: { create_before_destroy: true },
    });
    expect(r.aws_vpc_endpoint_service.api_endpoint_service).toMatchObject({ acceptance_required: true, allowed_principals: ["arn:aws:iam::210987654321:root"] });
    expect(r.aws_lb.api_load_balancer).toMatchObject({ internal: true, enable_deletion_protection: true, access_logs: { enabled: true } });
  });

  it("admits only the partners' client ranges on 443, enforced on PrivateLink traffic, and egresses only to the workload tier", () => {
    const stack = newStack();
    service(stack);
    const r = synthJson(stack).resource;
    const nlbSg = "${aws_security_group.api_security_group.id}";
    const ingress = Object.values(r.aws_vpc_security_group_ingress_rule ?? {}) as { security_group_id: string; cidr_ipv4: string; from_port: number; to_port: number }[];
    expect(ingress.filter((x) => x.security_group_id === nlbSg).map((x) => `${x.cidr_ipv4}:${x.from_port}-${x.to_port}`)).toEqual(["172.16.0.0/16:443-443"]);
    expect(r.aws_lb.api_load_balancer.enforce_security_group_inbound_rules_on_private_link_traffic).toBe("on");
    const egress = Object.values(r.aws_vpc_security_group_egress_rule) as { cidr_ipv4: string; from_port: number }[];
    expect(egress.map((e) => `${e.cidr_ipv4}:${e.from_port}`).sort()).toEqual(
      ["10.0.0.0/20:30443", "10.0.0.0/20:31021", "10.0.16.0/20:30443", "10.0.16.0/20:31021", "10.0.32.0/20:30443", "10.0.32.0/20:31021"],
    );
  });

  it("rejects a wildcard or empty principal list", () => {
    expect(() => service(newStack(), { allowedPrincipals: ["*"] })).toThrow(/wildcard/);
    expect(() => service(newStack(), { allowedPrincipals: [] })).toThrow(/allowedPrincipals is empty/);
  });

  it("rejects partner client ranges that are empty or the whole internet", () => {
    expect(() => service(newStack(), { clientCidrs: [] })).toThrow(/clientCidrs must name/);
    expect(() => service(newStack(), { clientCidrs: ["0.0.0.0/0"] })).toThrow(/clientCidrs must name/);
  });

  it("rejects a name that would overflow load balancer names", () => {
    expect(() => service(newStack(), { name: "a-very-long-name-for-an-nlb" })).toThrow(/longer than 20/);
  });
});
