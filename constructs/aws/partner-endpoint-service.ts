import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcEndpointService } from "@cdktf/provider-aws/lib/vpc-endpoint-service";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Construct } from "constructs";
import { HardenedBucket } from "./hardened-bucket";
import { PrivateLinkNetwork } from "./private-link-network";

/** Properties of {@link PartnerEndpointService}. */
export interface PartnerEndpointServiceProps {
  /** Name prefix (load balancer, target group, security group). At most 20 characters. */
  readonly name: string;
  /** The region's network; the NLB lives in its endpoints tier. */
  readonly network: PrivateLinkNetwork;
  /** Region (log delivery conditions). */
  readonly region: string;
  /** IAM principals (partner accounts or roles) allowed to request an endpoint. */
  readonly allowedPrincipals: readonly string[];
  /**
   * Source ranges of the partners' clients, admitted on 443 by the NLB's security group. The
   * network must admit them in its endpoints-tier NACL too (`privateLinkClients`).
   */
  readonly clientCidrs: readonly string[];
  /** Log-delivery bucket for NLB access logs. */
  readonly accessLogBucket: HardenedBucket;
  /**
   * Other regions from which consumers may connect (cross-region PrivateLink), e.g. the DR partner:
   * the only path between the regions, one service wide, with the same principals and acceptance.
   * @default none: consumers in the region only
   */
  readonly crossRegionConsumers?: readonly string[];
  /**
   * The node port of the partner gateway's TLS on the EKS nodes (instance targets): the NLB passes
   * each partner's TLS through to it untouched, so that the gateway sees the client certificate.
   */
  readonly targetPort: number;
  /** The node port of the gateway's readiness endpoint (Istio's status port, `/healthz/ready`). */
  readonly healthCheckPort: number;
  /**
   * What the service carries, for its names and descriptions, its listener's port and whether each
   * connection waits for acceptance.
   * @default the partner API: `partner-api` on 443, acceptance required
   */
  readonly purpose?: GatewayServicePurpose;
}

/** What a gateway endpoint service carries: its names, its port, its acceptance. */
export interface GatewayServicePurpose {
  /** The load balancer's name suffix (`<name>-<suffix>`), also in its target group's descriptions. */
  readonly loadBalancer: string;
  /** The security group's name suffix. */
  readonly securityGroup: string;
  /** The endpoint service's Name tag suffix. */
  readonly endpointServiceTag: string;
  /** What the clients send, in rule descriptions. */
  readonly traffic: string;
  /** Who the clients are, in rule descriptions. */
  readonly clients: string;
  /** The listener's port (TCP, passed through). */
  readonly port: number;
  /** Whether every connection waits for acceptance. */
  readonly acceptanceRequired: boolean;
}

/** The partner API's: partners' TLS on 443, every connection accepted by hand. */
export const PARTNER_API_PURPOSE: GatewayServicePurpose = {
  loadBalancer: "partner-api",
  securityGroup: "partner-nlb",
  endpointServiceTag: "payment-api",
  traffic: "Partner TLS",
  clients: "partner clients",
  port: 443,
  acceptanceRequired: true,
};

/**
 * The payment API offered to named partners over AWS PrivateLink (PCI DSS 1.3, 4.2): an internal
 * NLB that passes the partners' TLS through (TCP on 443) to the partner gateway on the EKS nodes,
 * where their mutual TLS ends (an NLB TLS listener would end it first and drop the client
 * certificate), behind an endpoint service that requires acceptance of every connection and admits
 * only the listed principals. The nodes join the target group through their Auto Scaling group
 * (the stack attaches it); only nodes running a gateway pod pass the health check (the gateway's
 * Service keeps traffic on the node it reached).
 */
export class PartnerEndpointService extends Construct {
  readonly loadBalancer: Lb;
  readonly listener: LbListener;
  /** The nodes' Auto Scaling group is attached here (instance targets on the gateway's node port). */
  readonly targetGroup: LbTargetGroup;
  readonly endpointService: VpcEndpointService;
  readonly securityGroup: SecurityGroup;
  /** The ports the NLB opens to its targets (traffic, health checks): the targets' security group must admit them from `securityGroup`. */
  readonly targetPorts: readonly { readonly port: number; readonly label: string }[];

  constructor(scope: Construct, id: string, props: PartnerEndpointServiceProps) {
    super(scope, id);
    if (props.allowedPrincipals.length === 0) {
      throw new Error(`PartnerEndpointService ${props.name}: allowedPrincipals is empty; name the partner principals that may connect.`);
    }
    const wildcard = props.allowedPrincipals.find((p) => p.includes("*"));
    if (wildcard) {
      throw new Error(`PartnerEndpointService ${props.name}: allowed principal "${wildcard}" is a wildcard; name each partner account or role.`);
    }
    if (props.name.length > 20) {
      throw new Error(`PartnerEndpointService: name "${props.name}" is longer than 20 characters (load balancer names are limited to 32).`);
    }
    const targetPort = props.targetPort;
    const healthCheckPort = props.healthCheckPort;
    const purpose = props.purpose ?? PARTNER_API_PURPOSE;
    this.targetPorts = [
      { port: targetPort, label: purpose.traffic.replace(/^Partner/, "partner") },
      { port: healthCheckPort, label: "health checks" },
    ];
    const network = props.network;

    if (props.clientCidrs.length === 0 || props.clientCidrs.some((c) => c === "0.0.0.0/0" || c === "::/0")) {
      throw new Error(`PartnerEndpointService ${props.name}: clientCidrs must name the ${purpose.clients}' ranges, not be empty or 0.0.0.0/0.`);
    }
    // Security-group rules are evaluated on PrivateLink traffic (enforcement on), whose source is
    // the partner client's own address: only the declared partner ranges, only on 443. Nothing
    // inside the VPC may reach the NLB.
    const partners = purpose === PARTNER_API_PURPOSE;
    this.securityGroup = new SecurityGroup(this, "SecurityGroup", {
      name: `${props.name}-${purpose.securityGroup}`,
      description: partners
        ? "Partner NLB: TLS from the partner client ranges; outbound only to the ingress in the workload tier"
        : `${purpose.traffic} NLB: from the ranges of the ${purpose.clients} on ${purpose.port}; outbound only to the gateway in the workload tier`,
      vpcId: network.vpc.id,
      revokeRulesOnDelete: true,
      tags: { Name: `${props.name}-${purpose.securityGroup}` },
    });
    const ingressScope = new Construct(this, partners ? "IngressFromPartners" : "IngressFromClients");
    props.clientCidrs.forEach((cidrIpv4) => {
      new VpcSecurityGroupIngressRule(ingressScope, cidrIpv4.replace("/", "_"), {
        securityGroupId: this.securityGroup.id,
        description: partners ? `TLS from partner clients in ${cidrIpv4}` : `${purpose.traffic} from ${purpose.clients} in ${cidrIpv4}`,
        ipProtocol: "tcp",
        fromPort: purpose.port,
        toPort: purpose.port,
        cidrIpv4,
      });
    });
    const egressScope = new Construct(this, "EgressToWorkloadTier");
    network.availabilityZoneIds.forEach((az, i) => {
      const zoneScope = new Construct(egressScope, az);
      const cidrIpv4 = network.subnetCidrs.workload[i];
      new VpcSecurityGroupEgressRule(zoneScope, "Traffic", {
        securityGroupId: this.securityGroup.id,
        description: `${purpose.traffic} to the gateway node port in ${az}`,
        ipProtocol: "tcp",
        fromPort: targetPort,
        toPort: targetPort,
        cidrIpv4,
      });
      new VpcSecurityGroupEgressRule(zoneScope, "HealthCheck", {
        securityGroupId: this.securityGroup.id,
        description: `Health checks of the gateway in ${az}`,
        ipProtocol: "tcp",
        fromPort: healthCheckPort,
        toPort: healthCheckPort,
        cidrIpv4,
      });
    });

    const logPrefix = `${purpose.securityGroup}`;
    props.accessLogBucket.allowLoadBalancerLogs(props.region, logPrefix);
    this.loadBalancer = new Lb(this, "LoadBalancer", {
      name: `${props.name}-${purpose.loadBalancer}`,
      loadBalancerType: "network",
      internal: true,
      ipAddressType: "ipv4",
      subnets: network.subnets.endpoints.map((s) => s.id),
      securityGroups: [this.securityGroup.id],
      enforceSecurityGroupInboundRulesOnPrivateLinkTraffic: "on",
      enableDeletionProtection: true,
      enableCrossZoneLoadBalancing: true,
      accessLogs: { bucket: props.accessLogBucket.bucket.id, prefix: logPrefix, enabled: true },
      // The bucket policy must exist before the NLB validates log delivery.
      dependsOn: [props.accessLogBucket.policy],
    });
    this.targetGroup = new LbTargetGroup(this, "TargetGroup", {
      // Named after its port: a change that replaces it (port, target type) creates the new group
      // first, so the listener moves over before the old one, still in use, is deleted.
      name: `${props.name}-gw-${targetPort}`,
      lifecycle: { createBeforeDestroy: true },
      targetType: "instance",
      protocol: "TCP",
      port: targetPort,
      vpcId: network.vpc.id,
      ipAddressType: "ipv4",
      // PrivateLink traffic reaches targets from the NLB's own addresses anyway; set so that the
      // nodes' security group admits the NLB's group, whatever the source (no client ranges on the nodes).
      preserveClientIp: "false",
      // A node leaving (rotation, scale-in) drains for 30 s, not the default 300.
      deregistrationDelay: "30",
      healthCheck: {
        enabled: true,
        protocol: "HTTP",
        port: String(healthCheckPort),
        path: "/healthz/ready",
        // A node whose gateway pod stops is out within 10 s (the pod keeps serving 45 s).
        healthyThreshold: 3,
        unhealthyThreshold: 2,
        interval: 5,
      },
    });
    // TLS passes through: the partner gateway ends it with the partner's client certificate (mesh.partner-edge holds its TLS settings).
    // (Its id stays the former TLS listener's: an update in place, never a second listener on 443.)
    this.listener = new LbListener(this, "TlsListener", {
      loadBalancerArn: this.loadBalancer.arn,
      port: purpose.port,
      protocol: "TCP",
      defaultAction: [{ type: "forward", targetGroupArn: this.targetGroup.arn }],
    });
    this.endpointService = new VpcEndpointService(this, "EndpointService", {
      acceptanceRequired: purpose.acceptanceRequired,
      allowedPrincipals: [...props.allowedPrincipals],
      ...(props.crossRegionConsumers && props.crossRegionConsumers.length > 0 ? { supportedRegions: [props.region, ...props.crossRegionConsumers] } : {}),
      networkLoadBalancerArns: [this.loadBalancer.arn],
      supportedIpAddressTypes: ["ipv4"],
      tags: { Name: `${props.name}-${purpose.endpointServiceTag}` },
    });
  }
}
