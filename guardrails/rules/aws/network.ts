import { EAST_WEST_GATEWAY, EAST_WEST_PURPOSE, callerPrincipals, callerWorkloadCidrs, crossRegionView } from "../../../model/mesh/cross-region";
import { hasMerchantTaint } from "../../../model/mesh/pod-security";
import type { AwsRegionConfig } from "../../../config/schema";
import { Rule, stackRules } from "../../rule";
import { TfJson, ref, resourcesOf, asList, one, refName } from "../../../tfjson/terraform";
import { parseCidr, rangeContains } from "../../../config/cidr";
import { ECR_PULL_ACTIONS, ENDPOINTS_WITHOUT_POLICY, PRINCIPAL_ONLY_ENDPOINTS, NETWORK_TIERS, endpointResourceAccounts, extraInterfaceEndpoints } from "../../../model/aws/network";
import { PARTNER_GATEWAY } from "../../../model/mesh/edge";
import { DEFAULT_INTERFACE_ENDPOINTS } from "../../../config/catalog";
import { statementsOf } from "../../../tfjson/iam-policy";
import { isKeyArnRef, keyNameByAlias, loadBalancerTargetPorts, tierSubnetRefs } from "../../../tfjson/aws";

const OPEN = ["0.0.0.0/0", "::/0"];
/** The resource types that open a way out of (or into) a VPC from the internet or another network. */
export const INTERNET_PATHS = ["aws_internet_gateway", "aws_egress_only_internet_gateway", "aws_nat_gateway", "aws_eip", "aws_route", "aws_vpn_gateway", "aws_customer_gateway"];

/** Subnets of a tier (by the Tier tag), keyed by resource name. */
function subnetsOfTier(json: TfJson, tier: string): [string, TfJson][] {
  return resourcesOf(json, "aws_subnet").filter(([, s]) => s.tags?.Tier === tier);
}

/** True for the merchants' node group (it carries MERCHANT_NODES' taint). */
export function isMerchantNodeGroup(group: TfJson): boolean {
  return hasMerchantTaint(asList<TfJson>(group.taint));
}

/** The security groups the launch templates of the given node groups attach. */
function nodeGroupSecurityGroups(json: TfJson, groups: [string, TfJson][]): Set<string> {
  return new Set(
    groups.flatMap(([, g]) => {
      const lt = refName(g.launch_template?.id, "aws_launch_template", "id");
      // Stryker disable next-line OptionalChaining: equivalent (a stack's JSON always has its resource block)
      return lt && json.resource?.aws_launch_template?.[lt] ? (asList(json.resource.aws_launch_template[lt].vpc_security_group_ids) as string[]) : [];
    }),
  );
}

/** The EKS platform nodes' security group (the one the platform node groups' launch template attaches), as a reference. */
export function eksNodeSecurityGroupRef(json: TfJson): string | undefined {
  const groups = nodeGroupSecurityGroups(json, resourcesOf(json, "aws_eks_node_group").filter(([, g]) => !isMerchantNodeGroup(g)));
  return groups.size === 1 ? [...groups][0] : undefined;
}

/** The merchants' nodes' security group, where the cluster has a merchants' node group. */
export function merchantNodeSecurityGroupRef(json: TfJson): string | undefined {
  const groups = nodeGroupSecurityGroups(json, resourcesOf(json, "aws_eks_node_group").filter(([, g]) => isMerchantNodeGroup(g)));
  return groups.size === 1 ? [...groups][0] : undefined;
}

/**
 * Violations of "the security groups `sgRefs` admit only `ports` (TCP), only from the EKS nodes'
 * security group, each port", over every form a rule can take.
 */
export function onlyFromEksNodes(json: TfJson, owner: string, sgRefs: string[], ports: number[]): string[] {
  if (sgRefs.length === 0) return [`${owner}: no security group`];
  const nodes = eksNodeSecurityGroupRef(json);
  if (!nodes) return [`${owner}: no single EKS node security group to admit`];
  return sgRefs.flatMap((sg) => {
    const rules = sgIngress(json, sg);
    const v = rules
      .filter((r) => r.protocol !== "tcp" || r.from !== r.to || !ports.includes(r.from) || r.source !== nodes)
      .map((r) => `${owner}: security group ${sg} admits ${r.protocol} ${r.from}-${r.to} from ${r.source}`);
    const actual = rules.map((r) => r.from).sort();
    if (v.length === 0 && JSON.stringify(actual) !== JSON.stringify([...ports].sort())) v.push(`${owner}: security group ${sg} does not admit each of ports ${ports.join(", ")} from the EKS nodes`);
    return v;
  });
}

/** Every ingress rule of a security group, wherever it is declared (inline, legacy rule, new rule). */
function sgIngress(json: TfJson, sgRef: string): { source: string; protocol: string; from: number; to: number }[] {
  const sgName = refName(sgRef, "aws_security_group", "id");
  const inline = sgName ? (asList(json.resource?.aws_security_group?.[sgName]?.ingress) as TfJson[]) : [];
  const legacy = resourcesOf(json, "aws_security_group_rule").filter(([, r]) => r.security_group_id === sgRef && r.type === "ingress").map(([, r]) => r);
  const modern = resourcesOf(json, "aws_vpc_security_group_ingress_rule").filter(([, r]) => r.security_group_id === sgRef).map(([, r]) => r);
  return [
    ...[...inline, ...legacy].flatMap((r) =>
      [...asList(r.cidr_blocks), ...asList(r.security_groups), ...(r.source_security_group_id ? [r.source_security_group_id] : []), ...(r.self ? ["self"] : [])].map((source) => ({
        source: String(source), protocol: String(r.protocol), from: r.from_port, to: r.to_port,
      })),
    ),
    ...modern.map((r) => ({ source: String(r.cidr_ipv4 ?? r.cidr_ipv6 ?? r.referenced_security_group_id ?? r.prefix_list_id), protocol: String(r.ip_protocol), from: r.from_port, to: r.to_port })),
  ];
}

export const NETWORK_RULES: readonly Rule[] = stackRules<AwsRegionConfig>({ layers: ["aws"] }, [
  {
    id: "network.no-internet-path",
    requirement: "1.3.1, 1.4.1",
    fix: "Remove the gateway, EIP, VPN or route: AWS APIs go through VPC endpoints and images come from the region's private ECR; keep VPC Block Public Access on.",
    description: "no internet, egress-only or NAT gateway, EIP, VPN or explicit route; route tables hold no routes; VPC Block Public Access on",
    check: ({ json }) => {
      const v = INTERNET_PATHS.flatMap((t) => resourcesOf(json, t).map(([n]) => `${t}.${n}: an internet or external path`));
      for (const t of ["aws_route_table", "aws_default_route_table"]) {
        for (const [n, rt] of resourcesOf(json, t)) if (asList(rt.route).length > 0) v.push(`${t}.${n}: has routes ${JSON.stringify(rt.route)}`);
      }
      const bpa = resourcesOf(json, "aws_vpc_block_public_access_options");
      if (bpa.length !== 1 || bpa[0][1].internet_gateway_block_mode !== "block-bidirectional") v.push("aws_vpc_block_public_access_options: not block-bidirectional");
      return v;
    },
  },
  {
    id: "network.private-subnets-per-az",
    requirement: "1.3, 1.4.4",
    fix: "Create subnets through PrivateLinkNetwork from the region file's availabilityZoneIds and tier CIDRs; map_public_ip_on_launch stays false.",
    description: "every subnet is private (no public IP on launch); each tier has the configured block in every configured AZ",
    check: ({ json, region }) => {
      const vpcs = resourcesOf(json, "aws_vpc");
      if (vpcs.length !== 1 || vpcs[0][1].cidr_block !== region.network.vpcCidr) {
        return [`aws_vpc: ${vpcs.map(([n, x]) => `${n} ${x.cidr_block}`).join(", ") || "none"}; expected exactly one VPC with the configured block ${region.network.vpcCidr}`];
      }
      const v: string[] = [];
      for (const [n, s] of resourcesOf(json, "aws_subnet")) {
        if (s.map_public_ip_on_launch !== false) v.push(`aws_subnet.${n}: map_public_ip_on_launch is not false`);
        if (s.assign_ipv6_address_on_creation === true) v.push(`aws_subnet.${n}: assigns IPv6 addresses`);
      }
      for (const tier of NETWORK_TIERS) {
        // By zone ID: a zone name (availability_zone) is a different physical zone in each account.
        const actual = subnetsOfTier(json, tier).map(([, s]) => `${s.availability_zone_id}=${s.cidr_block}`).sort();
        const expected = region.availabilityZoneIds.map((az, i) => `${az}=${region.network.subnets[tier][i]}`).sort();
        if (JSON.stringify(actual) !== JSON.stringify(expected)) v.push(`aws_subnet: tier ${tier} has ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
      }
      return v;
    },
  },
  {
    id: "network.defaults-locked",
    requirement: "1.2.1, 2.2",
    fix: "Leave aws_default_security_group and aws_default_network_acl without rules; create a dedicated security group or NACL instead.",
    description: "the default security group and default NACL have no rules",
    check: ({ json }) => {
      const v: string[] = [];
      const sg = resourcesOf(json, "aws_default_security_group");
      const acl = resourcesOf(json, "aws_default_network_acl");
      if (sg.length !== 1) v.push("aws_default_security_group: the default security group is not adopted");
      if (acl.length !== 1) v.push("aws_default_network_acl: the default NACL is not adopted");
      for (const [t, n, r] of [...sg.map(([n, r]) => ["aws_default_security_group", n, r] as const), ...acl.map(([n, r]) => ["aws_default_network_acl", n, r] as const)]) {
        if (!Array.isArray(r.ingress) || r.ingress.length > 0 || !Array.isArray(r.egress) || r.egress.length > 0) v.push(`${t}.${n}: default has rules`);
      }
      return v;
    },
  },
  {
    id: "network.no-open-security-group-rules",
    requirement: "1.3.1, 1.3.2",
    fix: "Reference a security group, a prefix list, or a CIDR inside the VPC (or, on the partner API, the partners' declared client ranges); never 0.0.0.0/0, ::/0 or any range outside.",
    description: "no security group rule admits an address range outside the VPC (the partner API: outside the partners' declared client ranges), inbound or outbound; no IPv6 ranges",
    check: ({ json, region, peers }) => {
      const v: string[] = [];
      const vpc = parseCidr(region.network.vpcCidr);
      // The partners' ranges, and the pods of the regions whose calls come in (the east-west NLB).
      const partners = [...region.paymentApi.partnerClientCidrs, ...crossRegionView(region, peers).incoming.flatMap((l) => callerWorkloadCidrs(l))].map(parseCidr);
      const inside = (cidr: string) => {
        const r = parseCidr(cidr);
        // Stryker disable next-line ConditionalExpression,LogicalOperator,StringLiteral: equivalent (a malformed block has no first or last address, so no range contains it; the config holds the VPC's and the partners' well-formed)
        if (typeof r === "string" || typeof vpc === "string") return false;
        // Stryker disable next-line ConditionalExpression,StringLiteral: equivalent (as above)
        return rangeContains(vpc, r) || partners.some((p) => typeof p !== "string" && rangeContains(p, r));
      };
      const check = (address: string, what: string, v4: unknown[], v6: unknown[]) => {
        for (const c of v4.map(String)) if (OPEN.includes(c) || !inside(c)) v.push(`${address}: ${what} ${c}, outside the VPC and the partners' ranges`);
        for (const c of v6.map(String)) v.push(`${address}: ${what} IPv6 ${c}`);
      };
      for (const [n, sg] of resourcesOf(json, "aws_security_group")) {
        for (const dir of ["ingress", "egress"]) {
          for (const r of asList(sg[dir]) as TfJson[]) check(`aws_security_group.${n}`, dir, asList(r.cidr_blocks), asList(r.ipv6_cidr_blocks));
        }
      }
      for (const [n, r] of resourcesOf(json, "aws_security_group_rule")) check(`aws_security_group_rule.${n}`, String(r.type), asList(r.cidr_blocks), asList(r.ipv6_cidr_blocks));
      for (const t of ["aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"]) {
        for (const [n, r] of resourcesOf(json, t)) check(`${t}.${n}`, t.includes("ingress") ? "ingress" : "egress", asList(r.cidr_ipv4), asList(r.cidr_ipv6));
      }
      return v;
    },
  },
  {
    id: "network.tier-nacls",
    requirement: "1.3.1, 1.4.2",
    fix: "Keep PrivateLinkNetwork's tier NACLs; open only the tier-to-tier ports the data flow needs, from the VPC's own CIDRs.",
    description:
      "each tier has its NACL with inline rules only; only the workload tier admits 0.0.0.0/0, and only the S3 path (tcp 443 out, ephemeral back); the endpoints tier admits partner ranges on 443 only; the data tier talks to the workload and data tiers only",
    check: ({ json, region, peers }) => {
      const v: string[] = resourcesOf(json, "aws_network_acl_rule").map(([n]) => `aws_network_acl_rule.${n}: NACL rules must be inline so that this check sees them all`);
      const partners = region.paymentApi.partnerClientCidrs;
      const callers = crossRegionView(region, peers).incoming.flatMap((l) => callerWorkloadCidrs(l));
      const acls = resourcesOf(json, "aws_network_acl");
      for (const tier of NETWORK_TIERS) {
        const subnetRefs = tierSubnetRefs(json, tier);
        const acl = acls.find(([, a]) => JSON.stringify([...asList(a.subnet_ids)].sort()) === JSON.stringify(subnetRefs));
        if (!acl) {
          v.push(`aws_network_acl: no NACL covers exactly the ${tier} subnets`);
          continue;
        }
        const [n, a] = acl;
        const rules: TfJson[] = [...(asList(a.ingress) as TfJson[]).map((r) => ({ ...r, dir: "ingress" })), ...(asList(a.egress) as TfJson[]).map((r) => ({ ...r, dir: "egress" }))];
        for (const r of rules) {
          if (r.action !== "allow") continue;
          if (OPEN.includes(r.cidr_block) || OPEN.includes(r.ipv6_cidr_block)) {
            const s3Out = tier === "workload" && r.dir === "egress" && r.protocol === "6" && r.from_port === 443 && r.to_port === 443;
            const s3Back = tier === "workload" && r.dir === "ingress" && r.protocol === "6" && r.from_port === 1024 && r.to_port === 65535;
            if (!s3Out && !s3Back) v.push(`aws_network_acl.${n}: ${r.dir} rule ${r.rule_no} open to the world`);
          }
          if (callers.includes(r.cidr_block) && !partners.includes(r.cidr_block)) {
            const inEastWest = tier === "endpoints" && r.dir === "ingress" && r.protocol === "6" && r.from_port === EAST_WEST_GATEWAY.port && r.to_port === EAST_WEST_GATEWAY.port;
            const outEphemeral = tier === "endpoints" && r.dir === "egress" && r.protocol === "6" && r.from_port === 1024 && r.to_port === 65535;
            if (!inEastWest && !outEphemeral) v.push(`aws_network_acl.${n}: ${tier} tier ${r.dir} rule ${r.rule_no} admits calling region range ${r.cidr_block} beyond mTLS to the east-west NLB`);
          } else if (partners.includes(r.cidr_block)) {
            const in443 = tier === "endpoints" && r.dir === "ingress" && r.protocol === "6" && r.from_port === 443 && r.to_port === 443;
            const outEphemeral = tier === "endpoints" && r.dir === "egress" && r.protocol === "6" && r.from_port === 1024 && r.to_port === 65535;
            if (!in443 && !outEphemeral) v.push(`aws_network_acl.${n}: ${tier} tier ${r.dir} rule ${r.rule_no} admits partner range ${r.cidr_block} beyond TLS to the NLB`);
          } else if (tier !== "data" && !OPEN.includes(r.cidr_block) && r.cidr_block !== region.network.vpcCidr) {
            v.push(`aws_network_acl.${n}: ${r.dir} rule ${r.rule_no} admits ${r.cidr_block}, neither the VPC nor a partner range`);
          }
          if (tier === "data") {
            const peers = [...region.network.subnets.workload, ...region.network.subnets.data];
            if (!peers.includes(r.cidr_block)) v.push(`aws_network_acl.${n}: data tier ${r.dir} rule ${r.rule_no} admits ${r.cidr_block}`);
          }
        }
      }
      return v;
    },
  },
  {
    id: "network.flow-logs-all",
    requirement: "10.2.1",
    fix: "Keep the VPC flow log with traffic_type = ALL into an EncryptedLogGroup of this stack.",
    description: "the VPC has a flow log of ALL traffic to a CloudWatch log group of this stack",
    check: ({ json }) => {
      const vpcs = resourcesOf(json, "aws_vpc");
      const groups = resourcesOf(json, "aws_cloudwatch_log_group").map(([n]) => ref("aws_cloudwatch_log_group", n, "arn"));
      return vpcs.flatMap(([vn]) => {
        const ok = resourcesOf(json, "aws_flow_log").some(
          ([, f]) => f.vpc_id === ref("aws_vpc", vn, "id") && f.traffic_type === "ALL" && f.log_destination_type === "cloud-watch-logs" && groups.includes(f.log_destination),
        );
        return ok ? [] : [`aws_vpc.${vn}: no flow log of ALL traffic to an encrypted log group`];
      });
    },
  },
  {
    id: "network.log-groups-encrypted-retained",
    requirement: "10.3.2, 10.5.1",
    fix: "Create log groups with EncryptedLogGroup (logs key, retention of at least 365 days); raise retention.logDays in the region file if it is lower.",
    description: "every CloudWatch log group is encrypted with the logs key and kept at least 365 days",
    check: ({ json }) => {
      const logsKey = keyNameByAlias(json, "logs");
      return resourcesOf(json, "aws_cloudwatch_log_group").flatMap(([n, g]) => {
        const v: string[] = [];
        if (!isKeyArnRef(g.kms_key_id, logsKey)) v.push(`aws_cloudwatch_log_group.${n}: kms_key_id ${g.kms_key_id} is not the logs key`);
        if (!(g.retention_in_days >= 365)) v.push(`aws_cloudwatch_log_group.${n}: retention_in_days ${g.retention_in_days} < 365`);
        return v;
      });
    },
  },
  {
    id: "network.interface-endpoints",
    requirement: "1.3.2, 4.2.1",
    fix: "Add the API to the region's interface endpoints (private DNS on, in the endpoints tier, behind the endpoint security group that admits 443 from the VPC only).",
    description: "an interface endpoint with private DNS in the endpoints tier for every AWS API the region uses, behind a security group that admits only HTTPS from the VPC",
    check: ({ json, region }) => {
      const v: string[] = [];
      const endpointSubnets = tierSubnetRefs(json, "endpoints");
      const services = [...DEFAULT_INTERFACE_ENDPOINTS, ...extraInterfaceEndpoints(region)];
      // (Endpoints of other regions' east-west services are network.east-west-endpoints'.)
      const eps = resourcesOf(json, "aws_vpc_endpoint").filter(([, e]) => e.vpc_endpoint_type === "Interface" && !isEndpointServiceName(e.service_name));
      for (const service of services) {
        if (!eps.some(([, e]) => e.service_name === `com.amazonaws.${region.cloudRegion}.${service}`)) v.push(`aws_vpc_endpoint: no interface endpoint for ${service}`);
      }
      // Every interface endpoint, declared or not, is held to the same settings.
      for (const [n, e] of eps) {
        if (String(e.service_name).endsWith(".s3")) v.push(`aws_vpc_endpoint.${n}: S3 through an interface endpoint escapes the gateway endpoint's bucket policy`);
        if (e.private_dns_enabled !== true) v.push(`aws_vpc_endpoint.${n}: private DNS off`);
        if (JSON.stringify([...asList(e.subnet_ids)].sort()) !== JSON.stringify(endpointSubnets)) v.push(`aws_vpc_endpoint.${n}: not in the endpoints tier of every AZ`);
        for (const sg of asList(e.security_group_ids) as string[]) {
          const rules = sgIngress(json, sg);
          if (rules.length === 0) v.push(`aws_vpc_endpoint.${n}: security group ${sg} has no ingress rule`);
          for (const r of rules) {
            if (r.protocol !== "tcp" || r.from !== 443 || r.to !== 443 || r.source !== region.network.vpcCidr) v.push(`aws_vpc_endpoint.${n}: security group ${sg} admits ${r.protocol} ${r.from}-${r.to} from ${r.source}, not HTTPS from the VPC`);
          }
        }
        if (asList(e.security_group_ids).length === 0) v.push(`aws_vpc_endpoint.${n}: no security group`);
      }
      return v;
    },
  },
  {
    id: "network.interface-endpoint-policies",
    requirement: "1.3.2, 1.4.1, 7.2.1",
    fix: "Keep the interface endpoints' policies as model/aws/network.ts interfaceEndpointPolicy builds them: principals of the region's account only (aws:PrincipalAccount), on resources of its own account (aws:ResourceAccount; ACM PCA also the root CA's) or in calls that name no resource account, and on ECR reads of any registry; guardduty-data by principal only, as GuardDuty documents; eks and eks-auth take no policy.",
    description:
      "every interface endpoint whose service takes an endpoint policy carries one that admits only principals of the region's account, on resources of the region's account (ACM PCA: and the root CA's) or in calls that name no resource's account, and on ECR only image reads beyond that (guardduty-data: principals only, GuardDuty's documented policy): another account's credentials, or the region's own principals writing to another account's keys, secrets, log groups or registries, are refused at the endpoint; the EKS endpoints, which take none, carry none (EC2 refuses the apply)",
    check: ({ json, region }) => {
      const v: string[] = [];
      const prefix = `com.amazonaws.${region.cloudRegion}.`;
      for (const [n, e] of resourcesOf(json, "aws_vpc_endpoint").filter(([, x]) => x.vpc_endpoint_type === "Interface" && !isEndpointServiceName(x.service_name))) {
        const service = String(e.service_name).slice(prefix.length);
        if (ENDPOINTS_WITHOUT_POLICY.includes(service)) {
          if (e.policy !== undefined) v.push(`aws_vpc_endpoint.${n}: ${service} takes no endpoint policy (EC2 refuses the apply: "only supports the full-access endpoint policy")`);
          continue;
        }
        if (typeof e.policy !== "string") {
          v.push(`aws_vpc_endpoint.${n}: no endpoint policy (${service} through the VPC admits any account's credentials, on any account's resources)`);
          continue;
        }
        const accounts = endpointResourceAccounts(region, service);
        for (const s of statementsOf(e.policy)) {
          for (const key of ["NotAction", "NotResource", "NotPrincipal"]) if (key in s) v.push(`aws_vpc_endpoint.${n}: statement ${s.Sid} uses ${key}`);
          if (s.Effect !== "Allow") continue;
          const eq: TfJson = s.Condition?.StringEquals ?? {};
          if (JSON.stringify(asList(eq["aws:PrincipalAccount"])) !== JSON.stringify([region.accountId])) v.push(`aws_vpc_endpoint.${n}: statement ${s.Sid} admits principals of any account (no aws:PrincipalAccount ${region.accountId})`);
          const resourceAccounts = asList<string>(eq["aws:ResourceAccount"]);
          const ownResources = resourceAccounts.length > 0 && resourceAccounts.every((a) => accounts.includes(a));
          const noResourceAccount = s.Condition?.Null?.["aws:ResourceAccount"] === "true" && resourceAccounts.length === 0;
          const pulls = (service === "ecr.api" || service === "ecr.dkr") && asList<string>(s.Action).every((a) => (ECR_PULL_ACTIONS as readonly string[]).includes(a));
          const principalOnly = PRINCIPAL_ONLY_ENDPOINTS.includes(service);
          if (!ownResources && !noResourceAccount && !pulls && !principalOnly) v.push(`aws_vpc_endpoint.${n}: statement ${s.Sid} reaches resources of accounts other than ${accounts.join(", ")}`);
        }
      }
      return v;
    },
  },
  {
    id: "network.s3-gateway-limited",
    requirement: "1.3.2, 1.4.1",
    fix: "Keep the S3 gateway endpoint on the workload route tables with a policy that names the region's own buckets (and ECR's layer bucket, read-only); add a new bucket to the policy rather than *.",
    description: "the S3 gateway endpoint serves the workload tier only and its policy names the region's own buckets (and ECR's layer bucket, read-only)",
    check: ({ json, region }) => {
      const gateways = resourcesOf(json, "aws_vpc_endpoint").filter(([, e]) => e.vpc_endpoint_type === "Gateway");
      if (gateways.length !== 1) return [`aws_vpc_endpoint: ${gateways.length} gateway endpoints, expected one for S3`];
      const [n, e] = gateways[0];
      const v: string[] = [];
      if (e.service_name !== `com.amazonaws.${region.cloudRegion}.s3`) v.push(`aws_vpc_endpoint.${n}: not the S3 service of the region`);
      const workloadRt = resourcesOf(json, "aws_route_table").filter(([, rt]) => rt.tags?.Name?.endsWith("-workload"));
      if (JSON.stringify(e.route_table_ids) !== JSON.stringify(workloadRt.map(([rn]) => ref("aws_route_table", rn, "id")))) v.push(`aws_vpc_endpoint.${n}: route tables are not exactly the workload tier's`);
      if (typeof e.policy !== "string") return [...v, `aws_vpc_endpoint.${n}: no endpoint policy (full S3 access)`];
      const ownBuckets = new Set(resourcesOf(json, "aws_s3_bucket").flatMap(([bn]) => [ref("aws_s3_bucket", bn, "arn"), `${ref("aws_s3_bucket", bn, "arn")}/*`]));
      const ecrLayers = `arn:aws:s3:::prod-${region.cloudRegion}-starport-layer-bucket/*`;
      for (const s of statementsOf(e.policy)) {
        if (s.Effect !== "Allow") continue;
        for (const r of asList(s.Resource)) {
          const isEcr = r === ecrLayers && JSON.stringify(asList(s.Action)) === JSON.stringify(["s3:GetObject"]);
          if (!ownBuckets.has(r) && !isEcr) v.push(`aws_vpc_endpoint.${n}: statement ${s.Sid} allows ${r}`);
        }
        if (!asList(s.Resource).includes(ecrLayers) && s.Condition?.StringEquals?.["aws:PrincipalAccount"] !== region.accountId) {
          v.push(`aws_vpc_endpoint.${n}: statement ${s.Sid} is not limited to principals of account ${region.accountId}`);
        }
      }
      return v;
    },
  },
  {
    id: "network.partner-endpoint-service",
    requirement: "1.3.1, 4.2.1, 10.2",
    fix: "Expose the payment API through PartnerEndpointService: internal NLB, a TCP listener on 443 passing the partners' TLS through to the partner gateway's node port (instance targets, the EKS nodes' Auto Scaling group attached, health checks on the gateway's readiness node port), acceptance required, partner principals named in the region file.",
    description:
      "the payment API is an endpoint service requiring acceptance, for the configured principals only, behind an internal NLB with deletion protection, access logs and a security group (enforced on PrivateLink) admitting only the partner ranges on 443; its listener passes TLS through (TCP 443: the partners' mutual TLS ends at the partner gateway, which needs their client certificate) to the gateway's node port on the EKS nodes, whose Auto Scaling group is attached to the target group and whose readiness node port answers the health checks",
    check: ({ json, region }) => {
      const v: string[] = [];
      // The partner API's load balancer and what hangs on it (the east-west gateway's are network.east-west-endpoint-service's).
      const partnerLbs = resourcesOf(json, "aws_lb").filter(([, lb]) => !String(lb.name).endsWith(`-${EAST_WEST_PURPOSE.loadBalancer}`));
      const partnerLbRefs = partnerLbs.map(([ln]) => ref("aws_lb", ln, "arn"));
      const services = resourcesOf(json, "aws_vpc_endpoint_service").filter(([, s]) => !asList<string>(s.network_load_balancer_arns).some((a) => !partnerLbRefs.includes(a)));
      if (services.length !== 1) return [`aws_vpc_endpoint_service: ${services.length} on the partner API's load balancer, expected 1`];
      const [sn, svc] = services[0];
      if (svc.acceptance_required !== true) v.push(`aws_vpc_endpoint_service.${sn}: acceptance_required is not true`);
      // Cross-region consumers: the DR partner only (the one path between the two regions).
      const regions = asList<string>(svc.supported_regions);
      const allowedRegions = region.drPartnerRegion ? [region.cloudRegion, region.drPartnerRegion] : [region.cloudRegion];
      for (const r of regions) if (!allowedRegions.includes(r)) v.push(`aws_vpc_endpoint_service.${sn}: consumers in ${r}, not this region or its DR partner`);
      if (JSON.stringify([...asList(svc.allowed_principals)].sort()) !== JSON.stringify([...region.paymentApi.allowedPrincipals].sort())) {
        v.push(`aws_vpc_endpoint_service.${sn}: allowed_principals ${JSON.stringify(svc.allowed_principals)} differ from the config`);
      }
      if (resourcesOf(json, "aws_vpc_endpoint_service_allowed_principal").length > 0) v.push("aws_vpc_endpoint_service_allowed_principal: principals added outside the config");
      for (const [ln, lb] of partnerLbs) {
        if (lb.internal !== true) v.push(`aws_lb.${ln}: not internal`);
        if (lb.enable_deletion_protection !== true) v.push(`aws_lb.${ln}: deletion protection off`);
        const logs = one(lb.access_logs);
        if (logs.enabled !== true || !logs.bucket) v.push(`aws_lb.${ln}: access logs off`);
        if (lb.enforce_security_group_inbound_rules_on_private_link_traffic !== "on") v.push(`aws_lb.${ln}: security group rules are not enforced on PrivateLink traffic`);
        for (const sg of asList(lb.security_groups) as string[]) {
          const ingress = sgIngress(json, sg);
          const sources = ingress.map((r) => r.source).sort();
          if (JSON.stringify(sources) !== JSON.stringify([...region.paymentApi.partnerClientCidrs].sort())) v.push(`aws_lb.${ln}: inbound sources ${JSON.stringify(sources)} are not exactly the partner ranges`);
          for (const r of ingress) if (r.protocol !== "tcp" || r.from !== 443 || r.to !== 443) v.push(`aws_lb.${ln}: inbound ${r.protocol} ${r.from}-${r.to} from ${r.source}, expected TLS 443 only`);
        }
        if (asList(lb.security_groups).length === 0) v.push(`aws_lb.${ln}: no security group`);
      }
      const partnerListeners = resourcesOf(json, "aws_lb_listener").filter(([, l]) => partnerLbRefs.includes(l.load_balancer_arn));
      for (const [ln, l] of partnerListeners) {
        if (l.protocol !== "TCP" || l.port !== 443) v.push(`aws_lb_listener.${ln}: ${l.protocol} ${l.port}, expected TCP 443 passing the partners' TLS through to the partner gateway`);
        if (l.certificate_arn !== undefined || l.ssl_policy !== undefined) v.push(`aws_lb_listener.${ln}: ends TLS at the load balancer (the partner gateway would never see the client certificate)`);
      }
      const nodeGroupAsg = (name: unknown) => /^\$\{aws_eks_node_group\.[^.]+\.resources\[0\]\.autoscaling_groups\[0\]\.name\}$/.test(String(name));
      const partnerGroups = new Set(partnerListeners.flatMap(([, l]) => asList<TfJson>(l.default_action).map((a) => refName(a.target_group_arn, "aws_lb_target_group", "arn"))));
      for (const [tn, tg] of resourcesOf(json, "aws_lb_target_group").filter(([tn]) => partnerGroups.has(tn))) {
        const at = `aws_lb_target_group.${tn}`;
        if (tg.target_type !== "instance" || tg.protocol !== "TCP" || tg.port !== PARTNER_GATEWAY.nodePorts.https) v.push(`${at}: ${tg.target_type} ${tg.protocol} ${tg.port}, expected the EKS nodes (instance) on the partner gateway's TLS node port TCP ${PARTNER_GATEWAY.nodePorts.https}`);
        const hc = one(tg.health_check);
        if (hc.protocol !== "HTTP" || hc.port !== String(PARTNER_GATEWAY.nodePorts.status) || hc.path !== "/healthz/ready") v.push(`${at}: health checks are not the gateway's readiness (HTTP ${PARTNER_GATEWAY.nodePorts.status} /healthz/ready)`);
        if (tg.preserve_client_ip !== "false") v.push(`${at}: preserve_client_ip is not "false" (the nodes admit the load balancer's security group, not the partners' ranges)`);
        const attached = resourcesOf(json, "aws_autoscaling_attachment").some(([, x]) => x.lb_target_group_arn === ref("aws_lb_target_group", tn, "arn") && nodeGroupAsg(x.autoscaling_group_name));
        if (!attached) v.push(`${at}: the EKS nodes' Auto Scaling group is not attached (no target would ever register)`);
      }
      return v;
    },
  },
  {
    id: "network.east-west-endpoint-service",
    requirement: "1.3.1, 4.2.1, 10.2",
    fix: "Where other regions' services call this region's (mesh.calls with fromTrustDomain), keep the EastWestGateway endpoint service (PartnerEndpointService with EAST_WEST_PURPOSE): internal NLB, TCP 15443 passed through to the east-west gateway's node port on the EKS nodes, acceptance required, the callers' accounts as principals, this region and the callers' regions as supported regions, the callers' workload subnets alone admitted on 15443. None where no call comes in.",
    description:
      "where calls come in from other regions, and only there, the east-west gateway is reached through an endpoint service requiring acceptance, for the callers' accounts only, from this region and the callers' regions only (cross-region PrivateLink), behind an internal NLB with deletion protection, access logs and a security group (enforced on PrivateLink) admitting only the callers' workload subnets on 15443; its listener passes the callers' mTLS through (TCP 15443) to the gateway's node port on the EKS nodes, whose Auto Scaling group is attached and whose readiness node port answers the health checks",
    check: ({ json, region, peers }) => {
      const v: string[] = [];
      const view = crossRegionView(region, peers);
      const lbs = resourcesOf(json, "aws_lb").filter(([, lb]) => String(lb.name).endsWith(`-${EAST_WEST_PURPOSE.loadBalancer}`));
      if (view.incoming.length === 0) return lbs.map(([ln]) => `aws_lb.${ln}: an east-west load balancer where no call comes in from another region`);
      if (lbs.length !== 1) return [`aws_lb: ${lbs.length} east-west load balancers, expected 1 (calls come in from ${view.incoming.map((l) => l.caller.name).join(", ")})`];
      const [ln, lb] = lbs[0];
      const lbRef = ref("aws_lb", ln, "arn");
      if (lb.internal !== true || lb.enable_deletion_protection !== true || one(lb.access_logs).enabled !== true) v.push(`aws_lb.${ln}: not internal, protected from deletion and logged`);
      if (lb.enforce_security_group_inbound_rules_on_private_link_traffic !== "on") v.push(`aws_lb.${ln}: security group rules are not enforced on PrivateLink traffic`);
      const callers = view.incoming.flatMap((l) => callerWorkloadCidrs(l)).sort();
      for (const sg of asList(lb.security_groups) as string[]) {
        const ingress = sgIngress(json, sg);
        if (JSON.stringify(ingress.map((r) => r.source).sort()) !== JSON.stringify(callers)) v.push(`aws_lb.${ln}: inbound sources ${JSON.stringify(ingress.map((r) => r.source).sort())} are not exactly the callers' workload subnets`);
        for (const r of ingress) if (r.protocol !== "tcp" || r.from !== EAST_WEST_GATEWAY.port || r.to !== EAST_WEST_GATEWAY.port) v.push(`aws_lb.${ln}: inbound ${r.protocol} ${r.from}-${r.to} from ${r.source}, expected ${EAST_WEST_GATEWAY.port} only`);
      }
      const services = resourcesOf(json, "aws_vpc_endpoint_service").filter(([, s]) => asList(s.network_load_balancer_arns).includes(lbRef));
      if (services.length !== 1) v.push(`aws_vpc_endpoint_service: ${services.length} on the east-west load balancer, expected 1`);
      for (const [sn, svc] of services) {
        if (svc.acceptance_required !== true) v.push(`aws_vpc_endpoint_service.${sn}: acceptance_required is not true`);
        const wantRegions = [...new Set([region.cloudRegion, ...view.incoming.map((l) => l.caller.cloudRegion)])].sort();
        if (JSON.stringify([...asList<string>(svc.supported_regions)].sort()) !== JSON.stringify(wantRegions)) v.push(`aws_vpc_endpoint_service.${sn}: supported regions ${JSON.stringify(svc.supported_regions)}, expected this region and the callers' ${JSON.stringify(wantRegions)}`);
        if (JSON.stringify([...asList<string>(svc.allowed_principals)].sort()) !== JSON.stringify(callerPrincipals(view))) v.push(`aws_vpc_endpoint_service.${sn}: allowed principals ${JSON.stringify(svc.allowed_principals)}, expected the callers' accounts ${JSON.stringify(callerPrincipals(view))}`);
      }
      const listeners = resourcesOf(json, "aws_lb_listener").filter(([, l]) => l.load_balancer_arn === lbRef);
      if (listeners.length !== 1) v.push(`aws_lb_listener: ${listeners.length} on the east-west load balancer, expected 1`);
      for (const [lsn, l] of listeners) {
        if (l.protocol !== "TCP" || l.port !== EAST_WEST_GATEWAY.port || l.certificate_arn !== undefined) v.push(`aws_lb_listener.${lsn}: ${l.protocol} ${l.port}, expected TCP ${EAST_WEST_GATEWAY.port} passing the callers' mTLS through`);
        const tn = refName(asList<TfJson>(l.default_action)[0]?.target_group_arn, "aws_lb_target_group", "arn");
        const tg = tn ? json.resource.aws_lb_target_group?.[tn] : undefined;
        if (!tg || tg.target_type !== "instance" || tg.protocol !== "TCP" || tg.port !== EAST_WEST_GATEWAY.nodePorts.tls) {
          v.push(`aws_lb_listener.${lsn}: not forwarding to the EKS nodes on the east-west gateway's node port TCP ${EAST_WEST_GATEWAY.nodePorts.tls}`);
          continue;
        }
        const hc = one(tg.health_check);
        if (hc.protocol !== "HTTP" || hc.port !== String(EAST_WEST_GATEWAY.nodePorts.status) || hc.path !== "/healthz/ready") v.push(`aws_lb_target_group.${tn}: health checks are not the gateway's readiness (HTTP ${EAST_WEST_GATEWAY.nodePorts.status} /healthz/ready)`);
        const attached = resourcesOf(json, "aws_autoscaling_attachment").some(([, x]) => x.lb_target_group_arn === ref("aws_lb_target_group", tn!, "arn"));
        if (!attached) v.push(`aws_lb_target_group.${tn}: the EKS nodes' Auto Scaling group is not attached`);
      }
      return v;
    },
  },
  {
    id: "network.east-west-endpoints",
    requirement: "1.3.1, 1.4.1",
    fix: "For each region this region's services call, once the region file names its east-west endpoint service (mesh.eastWestEndpointServices), keep one interface endpoint of it (service_region the callee's) in the endpoints tier, under a security group of its own that admits the EKS nodes' group on 15443 alone; no other endpoint of an endpoint service.",
    description:
      "the only endpoints of other regions' services are those of the east-west services of the regions this region's services call, named in the region file: one each, in the callee's region, in the endpoints tier, reachable from the EKS nodes' pods on 15443 alone, with no private DNS",
    check: ({ json, region, peers }) => {
      const v: string[] = [];
      const view = crossRegionView(region, peers);
      const expected = new Map(view.outgoing.flatMap((l) => (region.cloud === "aws" && region.mesh.eastWestEndpointServices[l.callee.mesh.trustDomain] ? [[region.mesh.eastWestEndpointServices[l.callee.mesh.trustDomain], l.callee.cloudRegion] as const] : [])));
      const found = resourcesOf(json, "aws_vpc_endpoint").filter(([, e]) => isEndpointServiceName(e.service_name));
      const nodes = eksNodeSecurityGroupRef(json);
      const endpointsTier = tierSubnetRefs(json, "endpoints");
      for (const [n, e] of found) {
        const at = `aws_vpc_endpoint.${n}`;
        const serviceRegion = expected.get(e.service_name);
        if (serviceRegion === undefined) {
          v.push(`${at}: an endpoint of ${e.service_name}, which is no east-west service of a region this region's services call`);
          continue;
        }
        if (e.vpc_endpoint_type !== "Interface" || e.service_region !== serviceRegion) v.push(`${at}: not an interface endpoint in the callee's region ${serviceRegion}`);
        if (e.private_dns_enabled === true) v.push(`${at}: private DNS on (the mesh addresses the endpoint by its own name)`);
        if (JSON.stringify([...asList<string>(e.subnet_ids)].sort()) !== JSON.stringify(endpointsTier)) v.push(`${at}: not in the endpoints tier`);
        for (const sg of asList<string>(e.security_group_ids)) {
          const ingress = resourcesOf(json, "aws_vpc_security_group_ingress_rule").filter(([, r]) => r.security_group_id === sg);
          if (ingress.length === 0 || ingress.some(([, r]) => r.referenced_security_group_id !== nodes || r.ip_protocol !== "tcp" || r.from_port !== EAST_WEST_GATEWAY.port || r.to_port !== EAST_WEST_GATEWAY.port)) {
            v.push(`${at}: its security group admits other than the EKS nodes on ${EAST_WEST_GATEWAY.port}`);
          }
        }
      }
      for (const name of expected.keys()) if (!found.some(([, e]) => e.service_name === name)) v.push(`aws_vpc_endpoint: none of ${name}, which the region file names`);
      return v;
    },
  },
  {
    id: "network.load-balancer-reaches-targets",
    requirement: "1.3.1, 12.10",
    fix: "Admit each target group's traffic and health-check ports on the EKS nodes' security group from its load balancer's security group (EksCluster.admitLoadBalancer), exactly those ports.",
    description: "every load balancer with targets on the EKS nodes (ip or instance) reaches them: the nodes' security group admits its security group on the target group's traffic and health-check ports (else every target stays unhealthy)",
    check: ({ json }) => {
      const nodes = eksNodeSecurityGroupRef(json);
      const admitted = (lbGroup: string, port: number) =>
        resourcesOf(json, "aws_vpc_security_group_ingress_rule").some(([, r]) => r.security_group_id === nodes && r.referenced_security_group_id === lbGroup && r.ip_protocol === "tcp" && r.from_port <= port && port <= r.to_port);
      const v: string[] = [];
      for (const [lbGroup, ports] of loadBalancerTargetPorts(json)) {
        for (const port of ports) if (!admitted(lbGroup, port)) v.push(`aws_security_group.${refName(lbGroup, "aws_security_group", "id") ?? lbGroup}: a load balancer's targets are not reachable on port ${port} (the EKS nodes' security group does not admit it)`);
      }
      return v;
    },
  },
]);

/** True for the name of an endpoint service (another account's or region's), as opposed to an AWS service's. */
function isEndpointServiceName(name: unknown): boolean {
  return /^com\.amazonaws\.vpce\.[a-z0-9-]+\.vpce-svc-/.test(String(name));
}
