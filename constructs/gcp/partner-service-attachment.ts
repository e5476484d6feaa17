import { ComputeForwardingRule } from "@cdktf/provider-google/lib/compute-forwarding-rule";
import { ComputeRegionBackendService } from "@cdktf/provider-google/lib/compute-region-backend-service";
import { ComputeRegionHealthCheck } from "@cdktf/provider-google/lib/compute-region-health-check";
import { ComputeServiceAttachment } from "@cdktf/provider-google/lib/compute-service-attachment";
import { ComputeSubnetwork } from "@cdktf/provider-google/lib/compute-subnetwork";
import { Construct } from "constructs";

/** Properties of {@link GcpPartnerServiceAttachment}. */
export interface GcpPartnerServiceAttachmentProps {
  readonly name: string;
  readonly region: string;
  readonly networkId: string;
  /** Where the internal load balancer's address lives. */
  readonly subnet: ComputeSubnetwork;
  /** The PSC NAT subnet (purpose PRIVATE_SERVICE_CONNECT). */
  readonly natSubnet: ComputeSubnetwork;
  /** Partner projects that may connect, each with a connection limit. */
  readonly consumerAcceptList: readonly { readonly project: string; readonly connectionLimit: number }[];
}

/**
 * The partner-facing payment API on GCP, the counterpart of the PrivateLink endpoint service: an
 * internal TCP load balancer on 443 (TLS ends at the mesh's ingress gateway behind it) published
 * through a Private Service Connect service attachment that accepts only the listed partner
 * projects, each up to its connection limit; any other project's request stays pending (manual
 * preference, PCI DSS 1.3, 4.2). The backend service has no
 * backends until the ingress gateway exists (docs/limits.md).
 */
export class GcpPartnerServiceAttachment extends Construct {
  readonly attachment: ComputeServiceAttachment;
  readonly forwardingRule: ComputeForwardingRule;

  constructor(scope: Construct, id: string, props: GcpPartnerServiceAttachmentProps) {
    super(scope, id);
    if (props.consumerAcceptList.length === 0) throw new Error(`GcpPartnerServiceAttachment ${props.name}: name at least one partner project.`);
    const health = new ComputeRegionHealthCheck(this, "HealthCheck", {
      name: `${props.name}-hc`,
      region: props.region,
      tcpHealthCheck: { port: 443 },
      logConfig: { enable: true },
    });
    const backend = new ComputeRegionBackendService(this, "Backend", {
      name: `${props.name}-backend`,
      region: props.region,
      loadBalancingScheme: "INTERNAL",
      protocol: "TCP",
      healthChecks: [health.id],
      logConfig: { enable: true, sampleRate: 1 },
    });
    this.forwardingRule = new ComputeForwardingRule(this, "ForwardingRule", {
      name: `${props.name}-ilb`,
      region: props.region,
      loadBalancingScheme: "INTERNAL",
      ipProtocol: "TCP",
      ports: ["443"],
      network: props.networkId,
      subnetwork: props.subnet.id,
      backendService: backend.id,
      allowGlobalAccess: false,
    });
    this.attachment = new ComputeServiceAttachment(this, "Attachment", {
      name: props.name,
      region: props.region,
      connectionPreference: "ACCEPT_MANUAL",
      consumerAcceptLists: props.consumerAcceptList.map((c) => ({ projectIdOrNum: c.project, connectionLimit: c.connectionLimit })),
      natSubnets: [props.natSubnet.id],
      enableProxyProtocol: false,
      targetService: this.forwardingRule.id,
    });
  }
}
