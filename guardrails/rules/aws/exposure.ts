import type { AwsRegionConfig } from "../../../config/schema";
import { resourceRules } from "../../rule";
import { TfJson, asList, one, refName, truthy } from "../../../tfjson/terraform";
import { ALLOWED_TLS_POLICIES } from "../../../model/aws/network";
import { PARTNER_GATEWAY } from "../../../model/mesh/edge";
import { EAST_WEST_GATEWAY, crossRegionView } from "../../../model/mesh/cross-region";

/** Per resource type, what would expose it to the internet (or to anyone). */
const PUBLIC_EXPOSURE: Readonly<Record<string, (b: TfJson) => string[]>> = {
  aws_lb: (b) => (b.internal === true ? [] : ["internet-facing load balancer (internal is not true)"]),
  aws_subnet: (b) => (truthy(b.map_public_ip_on_launch) ? ["assigns public IPs on launch"] : []),
  aws_instance: (b) => (truthy(b.associate_public_ip_address) ? ["has a public IP"] : []),
  aws_launch_template: (b) => (asList<TfJson>(b.network_interfaces).some((n) => truthy(n.associate_public_ip_address)) ? ["launches instances with public IPs"] : []),
  aws_eks_cluster: (b) => (one(b.vpc_config).endpoint_public_access !== false ? ["Kubernetes API endpoint is public (endpoint_public_access is not false)"] : []),
  aws_rds_cluster_instance: (b) => (b.publicly_accessible !== false ? ["publicly accessible (publicly_accessible is not false)"] : []),
  aws_db_instance: (b) => (b.publicly_accessible !== false ? ["publicly accessible (publicly_accessible is not false)"] : []),
  aws_msk_cluster: (b) => {
    const type = one(one(one(b.broker_node_group_info).connectivity_info).public_access).type;
    return type === undefined || type === "DISABLED" ? [] : [`public access ${type}`];
  },
  aws_vpc_endpoint_service: (b) => [
    ...(b.acceptance_required !== true ? ["connections are accepted without review (acceptance_required is not true)"] : []),
    ...(asList<string>(b.allowed_principals).includes("*") ? ["any AWS principal may connect"] : []),
  ],
  aws_vpc_endpoint_service_allowed_principal: (b) => (b.principal_arn === "*" ? ["any AWS principal may connect"] : []),
  aws_internet_gateway: () => ["an internet gateway"],
  aws_egress_only_internet_gateway: () => ["an egress-only internet gateway"],
  aws_nat_gateway: () => ["a NAT gateway"],
  aws_eip: () => ["an Elastic IP"],
  aws_ecr_repository_policy: (b) => (/"Principal":\s*"\*"|"AWS":\s*"\*"/.test(String(b.policy)) ? ["repository policy allows any principal"] : []),
};

export const EXPOSURE_RULES = resourceRules<AwsRegionConfig>({ layers: ["aws"] }, [
  {
    id: "exposure.private-only",
    requirement: "1.3.1, 1.4.1, 1.4.4",
    fix: "Keep the resource private: internal load balancers, no public IPs or gateways, private API endpoints, acceptance required on endpoint services; partners reach the payment API through PrivateLink only.",
    description: "nothing is reachable from the internet or by any AWS principal: no public IPs, gateways, internet-facing load balancers, public endpoints or open endpoint services",
    resourceTypes: Object.keys(PUBLIC_EXPOSURE),
    check: (body, { type }) => PUBLIC_EXPOSURE[type](body),
  },
  {
    id: "tls.listeners",
    requirement: "4.2.1",
    fix: `Listen with protocol TLS (NLB) or HTTPS (ALB) and an ssl_policy of ${ALLOWED_TLS_POLICIES.join(", ")}, with a certificate; only the partner API's listener passes TLS through (TCP 443 to the partner gateway's node port, where the partners' mutual TLS ends).`,
    description: "every load balancer listener terminates TLS 1.2+ with a reviewed policy and a certificate, but the partner API's, which passes the partners' TLS through (TCP 443) to the partner gateway's TLS node port, where mesh.partner-edge holds the TLS to 1.2+ with the partner's CA",
    resourceTypes: ["aws_lb_listener", "aws_alb_listener"],
    check: (b, { stack }) => {
      const v: string[] = [];
      // The passthrough to the partner gateway: TCP 443, forwarding to a target group on its TLS node port, where the region declares partners.
      const tg = refName(asList<TfJson>(b.default_action)[0]?.target_group_arn, "aws_lb_target_group", "arn");
      const passthrough = stack.region.edge !== undefined && b.protocol === "TCP" && b.port === 443 && asList(b.default_action).length === 1 && stack.json.resource.aws_lb_target_group?.[tg ?? ""]?.port === PARTNER_GATEWAY.nodePorts.https;
      // The passthrough to the east-west gateway: TCP 15443 to its TLS node port, where calls come in from other regions.
      const eastWest = crossRegionView(stack.region, stack.peers).incoming.length > 0 && b.protocol === "TCP" && b.port === EAST_WEST_GATEWAY.port && asList(b.default_action).length === 1 && stack.json.resource.aws_lb_target_group?.[tg ?? ""]?.port === EAST_WEST_GATEWAY.nodePorts.tls;
      if (passthrough || eastWest) return [];
      if (b.protocol !== "TLS" && b.protocol !== "HTTPS") v.push(`protocol ${b.protocol}, not TLS or HTTPS`);
      if (!(ALLOWED_TLS_POLICIES as readonly string[]).includes(b.ssl_policy)) v.push(`ssl_policy ${b.ssl_policy} is not a reviewed TLS 1.2+/1.3 policy`);
      if (!b.certificate_arn) v.push("no certificate");
      return v;
    },
  },
]);
