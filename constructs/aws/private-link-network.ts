import { DefaultNetworkAcl } from "@cdktf/provider-aws/lib/default-network-acl";
import { DefaultRouteTable } from "@cdktf/provider-aws/lib/default-route-table";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { NetworkAcl, NetworkAclEgress, NetworkAclIngress } from "@cdktf/provider-aws/lib/network-acl";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcBlockPublicAccessOptions } from "@cdktf/provider-aws/lib/vpc-block-public-access-options";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Construct } from "constructs";
import { Lazy } from "../../core/cdktf";
import { EncryptedLogGroup } from "./encrypted-log-group";
import { HardenedBucket } from "./hardened-bucket";
import { PolicyStatement, partitionOf, renderPolicy } from "./iam-policy";
import { NETWORK_TIERS, type NetworkTier } from "../../model/aws/network";
import { DEFAULT_INTERFACE_ENDPOINTS } from "../../config/catalog";

/** Construct ids of the tiers (ids are API: they become Terraform addresses). */
const TIER_IDS: Readonly<Record<NetworkTier, string>> = { workload: "Workload", data: "Data", endpoints: "Endpoints" };

/** The clients of a service hosted in the endpoints tier over PrivateLink: their ranges and the service's port. */
export interface PrivateLinkClients {
  readonly cidrs: readonly string[];
  readonly port: number;
}

/** Properties of {@link PrivateLinkNetwork.dataTierSecurityGroup}. */
export interface DataTierSecurityGroupProps {
  /** Group name (also its Name tag). */
  readonly name: string;
  /** What the group protects and admits. */
  readonly description: string;
  /** The TCP ports admitted, each with a construct id and a label for the rule description. */
  readonly ports: readonly { readonly id: string; readonly port: number; readonly label: string }[];
  /** The only clients: their security group, and how rule descriptions name them. */
  readonly clients: DataTierClients;
}

/** The clients of a data-tier service: a security group (in the blueprint, the EKS nodes'). */
export interface DataTierClients {
  readonly securityGroup: SecurityGroup;
  /** E.g. "the EKS nodes". */
  readonly description: string;
}

/** Properties of {@link PrivateLinkNetwork}. */
export interface PrivateLinkNetworkProps {
  /** Prefix of Name tags and IAM names, unique per account (e.g. `acme-pay-eu`). */
  readonly name: string;
  /** The owning account (flow-log trust and S3 endpoint policy conditions). */
  readonly accountId: string;
  /** Region of the VPC (service names of endpoints). */
  readonly region: string;
  /** The VPC's IPv4 block. */
  readonly cidrBlock: string;
  /**
   * Availability zone IDs (`euw1-az1`), not names: an ID is the same physical zone in every
   * account. Each tier has one subnet in each, in this order. At least 3.
   */
  readonly availabilityZoneIds: readonly string[];
  /** Subnet blocks per tier, one per availability zone. */
  readonly subnets: Readonly<Record<NetworkTier, readonly string[]>>;
  /** Flow logs (traffic type ALL) go to a log group encrypted with this key. */
  readonly flowLogKey: KmsKey;
  /** Days to keep flow logs (≥ 365). */
  readonly flowLogRetentionDays: number;
  /**
   * Buckets that workloads may reach through the S3 gateway endpoint (besides the ECR layer
   * bucket that image pulls need). More can be added with {@link allowS3Bucket}.
   * @default - none
   */
  readonly s3Buckets?: readonly HardenedBucket[];
  /**
   * Interface endpoints (service suffixes) besides {@link DEFAULT_INTERFACE_ENDPOINTS}.
   * @default - none
   */
  readonly extraInterfaceEndpoints?: readonly string[];
  /**
   * The policy of each interface endpoint by service suffix (model/aws/network.ts
   * interfaceEndpointPolicy); undefined keeps the full-access default (a service that takes none).
   * @default - every endpoint full access
   */
  readonly interfaceEndpointPolicy?: (service: string) => readonly PolicyStatement[] | undefined;
  /**
   * Clients that reach a PrivateLink endpoint service hosted in the endpoints tier. PrivateLink
   * delivers their packets with their own source addresses, so the tier's NACL admits these ranges
   * on `port` (and answers them on ephemeral ports).
   * @default - none: the endpoints tier talks to the VPC only
   */
  readonly privateLinkClients?: PrivateLinkClients | readonly PrivateLinkClients[];
  /**
   * Turns on VPC Block Public Access for the account in this region (bidirectional), so no
   * internet gateway can carry traffic even if one is attached later by hand.
   * @default true
   */
  readonly blockPublicAccess?: boolean;
}

/**
 * A VPC with no path to the internet (PCI DSS 1.2–1.4): private subnets in three tiers across
 * the AZs, no internet or NAT gateway, no public IPs, AWS APIs through interface endpoints with
 * private DNS, S3 through a gateway endpoint limited to named buckets, tier NACLs, a default
 * security group, NACL and route table with no rules, and flow logs of all traffic (10.2).
 */
export class PrivateLinkNetwork extends Construct {
  readonly vpc: Vpc;
  /** Subnets per tier, in the order of the availability zones. */
  readonly subnets: Readonly<Record<NetworkTier, readonly Subnet[]>>;
  /** Subnet blocks per tier, as declared. */
  readonly subnetCidrs: Readonly<Record<NetworkTier, readonly string[]>>;
  readonly cidrBlock: string;
  /** The availability zone IDs, in the order of every tier's subnets. */
  readonly availabilityZoneIds: readonly string[];
  /** The account the network belongs to (services acting for it are pinned to it by condition). */
  readonly accountId: string;
  /** Security group of the interface endpoints: HTTPS from the VPC only. */
  readonly endpointSecurityGroup: SecurityGroup;
  /** Interface endpoints by service suffix. */
  readonly interfaceEndpoints: Readonly<Record<string, VpcEndpoint>>;
  readonly s3GatewayEndpoint: VpcEndpoint;
  readonly flowLogGroup: EncryptedLogGroup;
  private readonly s3Buckets: HardenedBucket[];
  private readonly privateLinkClients: readonly PrivateLinkClients[];

  constructor(scope: Construct, id: string, props: PrivateLinkNetworkProps) {
    super(scope, id);
    this.accountId = props.accountId;
    const azs = props.availabilityZoneIds;
    if (azs.length < 3 || new Set(azs).size !== azs.length) {
      throw new Error(`PrivateLinkNetwork ${props.name}: needs at least 3 distinct availability zones, got [${azs.join(", ")}].`);
    }
    for (const tier of NETWORK_TIERS) {
      if (props.subnets[tier].length !== azs.length) {
        throw new Error(`PrivateLinkNetwork ${props.name}: subnets.${tier} has ${props.subnets[tier].length} blocks for ${azs.length} zones; give one per zone.`);
      }
    }
    this.cidrBlock = props.cidrBlock;
    this.availabilityZoneIds = [...azs];
    this.subnetCidrs = props.subnets;
    const clients = props.privateLinkClients;
    this.privateLinkClients = clients === undefined ? [] : Array.isArray(clients) ? [...(clients as readonly PrivateLinkClients[])] : [clients as PrivateLinkClients];
    this.s3Buckets = [...(props.s3Buckets ?? [])];
    const partition = partitionOf(props.region);

    if (props.blockPublicAccess ?? true) {
      new VpcBlockPublicAccessOptions(this, "BlockPublicAccess", { internetGatewayBlockMode: "block-bidirectional" });
    }

    this.vpc = new Vpc(this, "Vpc", {
      cidrBlock: props.cidrBlock,
      enableDnsSupport: true,
      enableDnsHostnames: true,
      instanceTenancy: "default",
      tags: { Name: props.name },
    });
    const vpcId = this.vpc.id;

    stripVpcDefaults(this, this.vpc, props.name);

    const subnets = {} as Record<NetworkTier, Subnet[]>;
    const routeTables = {} as Record<NetworkTier, RouteTable>;
    for (const tier of NETWORK_TIERS) {
      const tierScope = new Construct(this, TIER_IDS[tier]);
      routeTables[tier] = new RouteTable(tierScope, "RouteTable", {
        vpcId,
        // Only the implicit local route (and, for the workload tier, the S3 gateway endpoint).
        route: [],
        tags: { Name: `${props.name}-${tier}` },
      });
      subnets[tier] = azs.map((az, i) => {
        const subnet = new Subnet(tierScope, az, {
          vpcId,
          // By zone ID: the same physical zone in every account (a name maps differently per account).
          availabilityZoneId: az,
          cidrBlock: props.subnets[tier][i],
          mapPublicIpOnLaunch: false,
          assignIpv6AddressOnCreation: false,
          tags: { Name: `${props.name}-${tier}-${az}`, Tier: tier },
        });
        new RouteTableAssociation(subnet, "RouteTableAssociation", { subnetId: subnet.id, routeTableId: routeTables[tier].id });
        return subnet;
      });
      new NetworkAcl(tierScope, "NetworkAcl", {
        vpcId,
        subnetIds: subnets[tier].map((s) => s.id),
        ...this.tierAclRules(tier),
        tags: { Name: `${props.name}-${tier}` },
      });
    }
    this.subnets = subnets;

    this.endpointSecurityGroup = new SecurityGroup(this, "EndpointSecurityGroup", {
      name: `${props.name}-interface-endpoints`,
      description: "Interface VPC endpoints: HTTPS from inside the VPC only",
      vpcId,
      revokeRulesOnDelete: true,
      tags: { Name: `${props.name}-interface-endpoints` },
    });
    new VpcSecurityGroupIngressRule(this, "EndpointHttpsFromVpc", {
      securityGroupId: this.endpointSecurityGroup.id,
      description: "HTTPS to AWS APIs from inside the VPC",
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      cidrIpv4: props.cidrBlock,
    });

    const endpointScope = new Construct(this, "InterfaceEndpoints");
    const services = [...DEFAULT_INTERFACE_ENDPOINTS, ...(props.extraInterfaceEndpoints ?? [])];
    if (new Set(services).size !== services.length) {
      throw new Error(`PrivateLinkNetwork ${props.name}: extraInterfaceEndpoints repeats a service already in [${services.join(", ")}].`);
    }
    const endpoints: Record<string, VpcEndpoint> = {};
    for (const service of services) {
      const policy = props.interfaceEndpointPolicy?.(service);
      endpoints[service] = new VpcEndpoint(endpointScope, service, {
        vpcId,
        serviceName: `com.amazonaws.${props.region}.${service}`,
        vpcEndpointType: "Interface",
        privateDnsEnabled: true,
        ipAddressType: "ipv4",
        subnetIds: subnets.endpoints.map((s) => s.id),
        securityGroupIds: [this.endpointSecurityGroup.id],
        ...(policy ? { policy: renderPolicy(policy) } : {}),
        tags: { Name: `${props.name}-${service}` },
      });
    }
    this.interfaceEndpoints = endpoints;

    this.s3GatewayEndpoint = new VpcEndpoint(this, "S3GatewayEndpoint", {
      vpcId,
      serviceName: `com.amazonaws.${props.region}.s3`,
      vpcEndpointType: "Gateway",
      routeTableIds: [routeTables.workload.id],
      policy: Lazy.stringValue({ produce: () => renderPolicy(this.s3EndpointStatements(props, partition)) }),
      tags: { Name: `${props.name}-s3` },
    });

    this.flowLogGroup = vpcFlowLogs(this, { vpc: this.vpc, name: props.name, accountId: props.accountId, region: props.region, key: props.flowLogKey, retentionDays: props.flowLogRetentionDays, purpose: "" });
  }

  /**
   * A security group, in `scope`, for a managed data service in the data tier: it admits the given
   * TCP ports from the clients' security group (the EKS nodes) and nothing else (no egress rules:
   * managed data services do not initiate).
   */
  dataTierSecurityGroup(scope: Construct, props: DataTierSecurityGroupProps): SecurityGroup {
    const group = new SecurityGroup(scope, "SecurityGroup", {
      name: props.name,
      description: props.description,
      vpcId: this.vpc.id,
      revokeRulesOnDelete: true,
      tags: { Name: props.name },
    });
    const ingressScope = new Construct(scope, "IngressFromClients");
    for (const { id, port, label } of props.ports) {
      new VpcSecurityGroupIngressRule(ingressScope, id, {
        securityGroupId: group.id,
        description: `${label} from ${props.clients.description}`,
        ipProtocol: "tcp",
        fromPort: port,
        toPort: port,
        referencedSecurityGroupId: props.clients.securityGroup.id,
      });
    }
    return group;
  }

  /** Lets workloads reach one more bucket through the S3 gateway endpoint. */
  allowS3Bucket(bucket: HardenedBucket): void {
    this.s3Buckets.push(bucket);
  }

  private s3EndpointStatements(props: PrivateLinkNetworkProps, partition: string): PolicyStatement[] {
    const statements: PolicyStatement[] = [
      {
        // Image layers of private ECR are served from this AWS-owned bucket (pre-signed URLs).
        Sid: "EcrImageLayers",
        Effect: "Allow",
        Principal: "*",
        Action: "s3:GetObject",
        Resource: `arn:${partition}:s3:::prod-${props.region}-starport-layer-bucket/*`,
      },
    ];
    if (this.s3Buckets.length > 0) {
      statements.push({
        Sid: "RegionBucketsFromThisAccountOnly",
        Effect: "Allow",
        Principal: "*",
        Action: "s3:*",
        Resource: this.s3Buckets.flatMap((b) => [b.bucket.arn, `${b.bucket.arn}/*`]),
        Condition: { StringEquals: { "aws:PrincipalAccount": props.accountId } },
      });
    }
    return statements;
  }

  /**
   * NACLs per tier. The endpoints tier talks to the VPC and to the PrivateLink clients of the
   * service hosted there, on that service's port only; the data tier only to the workload
   * and data tiers; the workload tier to the VPC and, through the S3 gateway endpoint (its only
   * route out), to S3 on 443 with the stateless return path on ephemeral ports.
   */
  private tierAclRules(tier: NetworkTier): { ingress: NetworkAclIngress[]; egress: NetworkAclEgress[] } {
    const allFrom = (cidrs: readonly string[], start: number) =>
      cidrs.map((cidrBlock, i) => ({ ruleNo: start + i, action: "allow", protocol: "-1", fromPort: 0, toPort: 0, cidrBlock }));
    switch (tier) {
      case "endpoints": {
        // Each hosted service's clients from rule 200 on, a hundred numbers apart (the partners' first).
        const tcp = (cidrBlock: string, ruleNo: number, fromPort: number, toPort: number) => ({ ruleNo, action: "allow", protocol: "6", fromPort, toPort, cidrBlock });
        const groups = this.privateLinkClients.map((g, n) => ({ ...g, base: 200 + 100 * n }));
        return {
          ingress: [...allFrom([this.cidrBlock], 100), ...groups.flatMap((g) => g.cidrs.map((c, i) => tcp(c, g.base + i, g.port, g.port)))],
          egress: [...allFrom([this.cidrBlock], 100), ...groups.flatMap((g) => g.cidrs.map((c, i) => tcp(c, g.base + i, 1024, 65535)))],
        };
      }
      case "data": {
        const peers = [...this.subnetCidrs.workload, ...this.subnetCidrs.data];
        return { ingress: allFrom(peers, 100), egress: allFrom(peers, 100) };
      }
      case "workload":
        return {
          ingress: [
            ...allFrom([this.cidrBlock], 100),
            { ruleNo: 200, action: "allow", protocol: "6", fromPort: 1024, toPort: 65535, cidrBlock: "0.0.0.0/0" },
          ],
          egress: [
            ...allFrom([this.cidrBlock], 100),
            { ruleNo: 200, action: "allow", protocol: "6", fromPort: 443, toPort: 443, cidrBlock: "0.0.0.0/0" },
          ],
        };
    }
  }
}

/**
 * Adopts a VPC's default security group, NACL and route table and strips them (`<name>-default-*`):
 * nothing may fall back on an open default.
 */
export function stripVpcDefaults(scope: Construct, vpc: Vpc, name: string): void {
  new DefaultSecurityGroup(scope, "DefaultSecurityGroup", { vpcId: vpc.id, ingress: [], egress: [], tags: { Name: `${name}-default-deny` } });
  new DefaultNetworkAcl(scope, "DefaultNetworkAcl", {
    defaultNetworkAclId: vpc.defaultNetworkAclId,
    ingress: [],
    egress: [],
    tags: { Name: `${name}-default-deny` },
    // Subnets move to the tier NACLs; AWS reports them here until then.
    lifecycle: { ignoreChanges: ["subnet_ids"] },
  });
  new DefaultRouteTable(scope, "DefaultRouteTable", { defaultRouteTableId: vpc.defaultRouteTableId, route: [], tags: { Name: `${name}-default-unused` } });
}

/**
 * Flow logs of ALL of a VPC's traffic, aggregated every minute, to its own log group (`/<name>/vpc-flow-logs`,
 * under `key`, kept `retentionDays`), written by a role that VPC Flow Logs of this account alone
 * assumes and that may write to that group only. `purpose` ends the role's description.
 */
export function vpcFlowLogs(
  scope: Construct,
  props: { vpc: Vpc; name: string; accountId: string; region: string; key: KmsKey; retentionDays: number; purpose: string },
): EncryptedLogGroup {
  const partition = partitionOf(props.region);
  const group = new EncryptedLogGroup(scope, "FlowLogGroup", { name: `/${props.name}/vpc-flow-logs`, key: props.key, retentionDays: props.retentionDays });
  const role = new IamRole(scope, "FlowLogRole", {
    name: `${props.name}-vpc-flow-logs`,
    description: `Lets VPC Flow Logs write to its own log group${props.purpose}`,
    assumeRolePolicy: renderPolicy([
      {
        Sid: "VpcFlowLogsOfThisAccount",
        Effect: "Allow",
        Principal: { Service: "vpc-flow-logs.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: {
          StringEquals: { "aws:SourceAccount": props.accountId },
          ArnLike: { "aws:SourceArn": `arn:${partition}:ec2:${props.region}:${props.accountId}:vpc-flow-log/*` },
        },
      },
    ]),
  });
  new IamRolePolicy(scope, "FlowLogRolePolicy", {
    name: "write-flow-logs",
    role: role.id,
    policy: renderPolicy([
      {
        Sid: "WriteOwnLogGroupOnly",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
        Resource: [group.logGroup.arn, `${group.logGroup.arn}:*`],
      },
    ]),
  });
  new FlowLog(scope, "FlowLog", {
    vpcId: props.vpc.id,
    trafficType: "ALL",
    logDestinationType: "cloud-watch-logs",
    logDestination: group.logGroup.arn,
    iamRoleArn: role.arn,
    maxAggregationInterval: 60,
    tags: { Name: `${props.name}-all-traffic` },
  });
  return group;
}
