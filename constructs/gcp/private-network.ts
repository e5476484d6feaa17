import { AccessContextManagerServicePerimeter } from "@cdktf/provider-google/lib/access-context-manager-service-perimeter";
import { ComputeFirewall, ComputeFirewallAllow } from "@cdktf/provider-google/lib/compute-firewall";
import { ComputeGlobalAddress } from "@cdktf/provider-google/lib/compute-global-address";
import { ComputeGlobalForwardingRule } from "@cdktf/provider-google/lib/compute-global-forwarding-rule";
import { ComputeNetwork } from "@cdktf/provider-google/lib/compute-network";
import { ComputeSubnetwork } from "@cdktf/provider-google/lib/compute-subnetwork";
import { DnsManagedZone } from "@cdktf/provider-google/lib/dns-managed-zone";
import { DnsRecordSet } from "@cdktf/provider-google/lib/dns-record-set";
import { ServiceAccount } from "@cdktf/provider-google/lib/service-account";
import { Construct } from "constructs";
import { GCP_CONTROL_PLANE_TO_NODE_PORTS, GCP_DATA_TIER_PORTS, PERIMETER_SERVICES } from "../../model/gcp/network";

/** Properties of {@link GcpPrivateNetwork}. */
export interface GcpPrivateNetworkProps {
  /** Name stem of the network and its parts, e.g. `acme-pay-apac`. */
  readonly name: string;
  readonly region: string;
  readonly projectNumber: string;
  /** The address plan (config `network`). */
  readonly ranges: {
    readonly workload: string;
    readonly pods: string;
    readonly services: string;
    readonly data: string;
    readonly pscNat: string;
    readonly controlPlane: string;
  };
  /** Internal address of the PSC endpoint for Google APIs. */
  readonly googleApisAddress: string;
  /** The GKE nodes' service account: the firewall names it as the nodes. */
  readonly nodeServiceAccount: ServiceAccount;
  /** The merchants' nodes, where the cluster has them: the mesh and Google APIs, never the data tier. */
  readonly merchantServiceAccount?: ServiceAccount;
  /** The deploy runners' service account: it may reach the control plane and Google APIs on 443. */
  readonly deployServiceAccount: string;
  /** When set, a VPC Service Controls perimeter around the project's data services. */
  readonly perimeter?: {
    readonly accessPolicy: string;
    /** Enforced, or (the default, for a first deploy) a dry-run spec that only logs. */
    readonly enforced?: boolean;
    /** The deploy runners' access level: the deploy identity enters from there only. */
    readonly deployAccessLevel: string;
    /** The break-glass path in: identities and their access level. */
    readonly breakGlass: { readonly accessLevel: string; readonly identities: readonly string[] };
  };
}

/**
 * A custom-mode VPC with no route to the internet (the default routes are deleted at creation):
 * one regional subnet per tier with Private Google Access and flow logs of all traffic; Google APIs
 * through a Private Service Connect endpoint (`*.googleapis.com` and `*.pkg.dev` resolve to it);
 * a firewall that denies and logs everything, then allows the nodes what the data flow needs; and,
 * when configured, a VPC Service Controls perimeter (PCI DSS 1.2-1.4, 10.2).
 */
export class GcpPrivateNetwork extends Construct {
  /** The VPC Service Controls perimeter, where the region has one: the stack orders it after what it protects. */
  readonly perimeter?: AccessContextManagerServicePerimeter;
  readonly network: ComputeNetwork;
  readonly workloadSubnet: ComputeSubnetwork;
  readonly dataSubnet: ComputeSubnetwork;
  readonly pscNatSubnet: ComputeSubnetwork;
  /** Secondary range names of the workload subnet, for GKE. */
  readonly podsRangeName = "pods";
  readonly servicesRangeName = "services";

  constructor(scope: Construct, id: string, props: GcpPrivateNetworkProps) {
    super(scope, id);
    const r = props.ranges;
    this.network = new ComputeNetwork(this, "Vpc", {
      name: props.name,
      autoCreateSubnetworks: false,
      routingMode: "REGIONAL",
      // No default route to the internet gateway: nothing in the VPC can reach the internet.
      deleteDefaultRoutesOnCreate: true,
    });
    const flowLogs = { aggregationInterval: "INTERVAL_5_SEC", flowSampling: 1, metadata: "INCLUDE_ALL_METADATA" };
    this.workloadSubnet = new ComputeSubnetwork(this, "Workload", {
      name: `${props.name}-workload`,
      region: props.region,
      network: this.network.id,
      ipCidrRange: r.workload,
      privateIpGoogleAccess: true,
      stackType: "IPV4_ONLY",
      secondaryIpRange: [
        { rangeName: this.podsRangeName, ipCidrRange: r.pods },
        { rangeName: this.servicesRangeName, ipCidrRange: r.services },
      ],
      logConfig: flowLogs,
    });
    this.dataSubnet = new ComputeSubnetwork(this, "Data", {
      name: `${props.name}-data`,
      region: props.region,
      network: this.network.id,
      ipCidrRange: r.data,
      privateIpGoogleAccess: true,
      stackType: "IPV4_ONLY",
      logConfig: flowLogs,
    });
    this.pscNatSubnet = new ComputeSubnetwork(this, "PscNat", {
      name: `${props.name}-psc-nat`,
      region: props.region,
      network: this.network.id,
      ipCidrRange: r.pscNat,
      purpose: "PRIVATE_SERVICE_CONNECT",
    });

    // Google APIs through one internal address; the perimeter's bundle when there is a perimeter.
    const apis = new ComputeGlobalAddress(this, "GoogleApisAddress", {
      name: `${props.name}-googleapis`,
      purpose: "PRIVATE_SERVICE_CONNECT",
      addressType: "INTERNAL",
      address: props.googleApisAddress,
      network: this.network.id,
    });
    new ComputeGlobalForwardingRule(this, "GoogleApis", {
      // PSC endpoints for Google APIs: 1-20 lowercase letters and digits.
      name: `${props.name.replace(/[^a-z0-9]/g, "")}apis`.slice(0, 20),
      target: props.perimeter ? "vpc-sc" : "all-apis",
      network: this.network.id,
      ipAddress: apis.id,
      loadBalancingScheme: "",
    });
    for (const [zoneId, domain] of [
      ["GoogleapisZone", "googleapis.com."],
      ["PkgDevZone", "pkg.dev."],
      // GKE's own system images come from gcr.io.
      ["GcrZone", "gcr.io."],
    ] as const) {
      const zone = new DnsManagedZone(this, zoneId, {
        name: `${props.name}-${domain.replace(/\.$/, "").replace(/\./g, "-")}`,
        dnsName: domain,
        visibility: "private",
        privateVisibilityConfig: { networks: [{ networkUrl: this.network.id }] },
      });
      new DnsRecordSet(this, `${zoneId}Wildcard`, { managedZone: zone.name, name: `*.${domain}`, type: "A", ttl: 300, rrdatas: [props.googleApisAddress] });
      new DnsRecordSet(this, `${zoneId}Apex`, { managedZone: zone.name, name: domain, type: "A", ttl: 300, rrdatas: [props.googleApisAddress] });
    }

    // Firewall: deny and log everything (lowest priority), then the flows the platform needs.
    const nodes = [props.nodeServiceAccount.email];
    // The merchants' nodes share the mesh's flows and Google APIs, not the data tier.
    const allNodes = props.merchantServiceAccount ? [...nodes, props.merchantServiceAccount.email] : nodes;
    const rule = (ruleId: string, name: string, direction: "INGRESS" | "EGRESS", priority: number, ranges: string[], allow: ComputeFirewallAllow[] | undefined, description: string, targets = nodes) =>
      new ComputeFirewall(this, ruleId, {
        name: `${props.name}-${name}`,
        network: this.network.id,
        direction,
        priority,
        description,
        ...(direction === "INGRESS" ? { sourceRanges: ranges } : { destinationRanges: ranges }),
        ...(allow ? { allow, targetServiceAccounts: targets } : { deny: [{ protocol: "all" }] }),
        logConfig: { metadata: "INCLUDE_ALL_METADATA" },
      });
    rule("DenyAllIngress", "deny-all-ingress", "INGRESS", 65534, ["0.0.0.0/0"], undefined, "Default deny: nothing reaches the VPC unless a rule below allows it");
    rule("DenyAllEgress", "deny-all-egress", "EGRESS", 65534, ["0.0.0.0/0"], undefined, "Default deny: nothing leaves the VPC unless a rule below allows it");
    rule("NodesAndPods", "allow-nodes-pods", "INGRESS", 1000, [r.workload, r.pods], [{ protocol: "tcp" }, { protocol: "udp" }, { protocol: "icmp" }], "Nodes and pods among themselves (the mesh enforces mTLS and policy)", allNodes);
    rule("ControlPlaneIstio", "allow-control-plane-istio", "INGRESS", 1000, [r.controlPlane], [{ protocol: "tcp", ports: GCP_CONTROL_PLANE_TO_NODE_PORTS.map(String) }], "Istio webhook (15017) and istiod (15012) from the GKE control plane", allNodes);
    // Before GKE's own rule for the gateway's load balancer (priority 1000, unlogged): every partner connection is logged here.
    // (GKE also admits Google's health checkers to the nodes' health-check port, with a rule of its own.)
    rule("PscNatIngress", "allow-psc-nat", "INGRESS", 900, [r.pscNat], [{ protocol: "tcp", ports: ["443"] }], "Partners' connections through the PSC service attachment (they arrive from its NAT range)");
    rule("NodesEgressInternal", "allow-nodes-egress-internal", "EGRESS", 1000, [r.workload, r.pods, r.services, r.controlPlane], [{ protocol: "tcp" }, { protocol: "udp" }], "Nodes and pods to each other, to services and to the control plane", allNodes);
    rule("NodesToData", "allow-nodes-to-data", "EGRESS", 1000, [r.data], [{ protocol: "tcp", ports: GCP_DATA_TIER_PORTS.map((p) => String(p.port)) }], "Nodes to Cloud SQL and Managed Kafka (their PSC endpoints in the data subnet)");
    rule("NodesToGoogleApis", "allow-nodes-to-google-apis", "EGRESS", 1000, [`${props.googleApisAddress}/32`], [{ protocol: "tcp", ports: ["443"] }], "Nodes to Google APIs through the PSC endpoint", allNodes);
    rule("DeployRunners", "allow-deploy-runners", "EGRESS", 1000, [r.controlPlane, `${props.googleApisAddress}/32`], [{ protocol: "tcp", ports: ["443"] }], "Deploy runners to the GKE control plane and Google APIs", [props.deployServiceAccount]);

    const perimeter = props.perimeter;
    if (perimeter) {
      const config = {
        resources: [`projects/${props.projectNumber}`],
        restrictedServices: PERIMETER_SERVICES,
        vpcAccessibleServices: { enableRestriction: true, allowedServices: ["RESTRICTED-SERVICES"] },
        // The deploy pipeline manages the project from outside, from the runners' network only;
        // break-glass identities from theirs; no one else enters.
        ingressPolicies: [
          {
            ingressFrom: { identities: [`serviceAccount:${props.deployServiceAccount}`], sources: [{ accessLevel: perimeter.deployAccessLevel }] },
            ingressTo: { resources: ["*"], operations: [{ serviceName: "*" }] },
          },
          {
            ingressFrom: { identities: [...perimeter.breakGlass.identities], sources: [{ accessLevel: perimeter.breakGlass.accessLevel }] },
            ingressTo: { resources: ["*"], operations: [{ serviceName: "*" }] },
          },
        ],
      };
      this.perimeter = new AccessContextManagerServicePerimeter(this, "Perimeter", {
        parent: perimeter.accessPolicy,
        name: `${perimeter.accessPolicy}/servicePerimeters/${props.name.replace(/-/g, "_")}`,
        title: `${props.name} data services`,
        perimeterType: "PERIMETER_TYPE_REGULAR",
        // Dry run first (it logs what it would deny), enforced once the region file says so.
        ...(perimeter.enforced ? { status: config } : { spec: config, useExplicitDryRunSpec: true }),
      });
    }
  }
}
