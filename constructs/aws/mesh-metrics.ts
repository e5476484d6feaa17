import { EksCluster as EksClusterResource } from "@cdktf/provider-aws/lib/eks-cluster";
import { PrometheusAlertManagerDefinition } from "@cdktf/provider-aws/lib/prometheus-alert-manager-definition";
import { PrometheusRuleGroupNamespace } from "@cdktf/provider-aws/lib/prometheus-rule-group-namespace";
import { PrometheusScraper } from "@cdktf/provider-aws/lib/prometheus-scraper";
import { PrometheusWorkspace } from "@cdktf/provider-aws/lib/prometheus-workspace";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Construct } from "constructs";
import { suppressGuardrails } from "../../core/suppress";
import { ENVOY_PROMETHEUS_PORT, WatchedService, meshAlertRules, meshScrapeConfiguration } from "../../model/mesh/alerts";
import { PrivateLinkNetwork } from "./private-link-network";
import { SecurityAlerts } from "./security-alerts";

/** Properties of {@link MeshMetrics}. */
export interface MeshMetricsProps {
  /** Resource name prefix (`<prefix>-<region>`). */
  readonly name: string;
  readonly region: string;
  readonly network: PrivateLinkNetwork;
  /** The cluster whose sidecars are scraped (its API must be reachable from the workload tier). */
  readonly cluster: EksClusterResource;
  readonly clusterSecurityGroup: SecurityGroup;
  readonly nodeSecurityGroup: SecurityGroup;
  /** The merchants' nodes, where the cluster has them (their sidecars are scraped too). */
  readonly merchantSecurityGroup?: SecurityGroup;
  /** Where the alerts go (its policy and key are extended to admit the workspace's alert manager). */
  readonly alerts: SecurityAlerts;
  /** The services whose failure rate pages (those that declare the tokenization key). */
  readonly tokenization: readonly WatchedService[];
}

/**
 * The mesh's own alerts (PCI DSS 10.4.1, 10.7.2; seed 001): an Amazon Managed Service for
 * Prometheus workspace fed by an AWS managed collector that scrapes every sidecar's Envoy endpoint
 * from the workload tier (no agent in the cluster; AMP creates its access entry), keeping only the
 * request counter and the failed-handshake counters (model/mesh/alerts.ts); alerting rules for each
 * tokenization service's failure rate and for failed handshakes; the alert manager sends to the
 * region's security topic.
 *
 * Prometheus, not CloudWatch metric filters on the access logs: a failed handshake writes no
 * access-log line (the connection never reaches the HTTP filters), only Envoy's counters see it,
 * and the seed's rule is a rate over a window held for a duration, which Prometheus evaluates as
 * written. The workspace is under an AWS owned key: AMP's guide contradicts itself on managed
 * collectors writing under a customer managed key (see the suppression). What it holds is counters
 * labelled with workload names and response codes, nothing a request carried.
 */
export class MeshMetrics extends Construct {
  readonly workspace: PrometheusWorkspace;
  readonly scraper: PrometheusScraper;
  readonly scraperSecurityGroup: SecurityGroup;

  constructor(scope: Construct, id: string, props: MeshMetricsProps) {
    super(scope, id);
    this.workspace = new PrometheusWorkspace(this, "Workspace", { alias: `${props.name}-mesh` });
    suppressGuardrails(this.workspace, [
      {
        id: "encryption.customer-managed-key",
        reason:
          "AMP's user guide contradicts itself on managed collectors writing to a workspace under a customer managed key (its encryption-at-rest page: not supported; its collector page: with a role configuration), so the workspace stays under an AWS owned key until a real account shows which holds (docs/limits.md); it holds only the sidecars' request and failed-handshake counters (detection.mesh-alerts checks the scrape keeps nothing else)",
      },
    ]);

    const name = `${props.name}-metrics-scraper`;
    this.scraperSecurityGroup = new SecurityGroup(this, "ScraperSecurityGroup", {
      name,
      description: "AMP managed collector: the Kubernetes API and the sidecar Envoy metrics port, nothing else",
      vpcId: props.network.vpc.id,
      revokeRulesOnDelete: true,
      tags: { Name: name },
    });
    const tcp = (port: number) => ({ ipProtocol: "tcp", fromPort: port, toPort: port });
    // The API admits the workload tier, where the collector's interfaces are, on 443 already.
    new VpcSecurityGroupEgressRule(this, "ScraperToApi", { securityGroupId: this.scraperSecurityGroup.id, description: "Kubernetes API (service discovery)", ...tcp(443), referencedSecurityGroupId: props.clusterSecurityGroup.id });
    new VpcSecurityGroupEgressRule(this, "ScraperToSidecars", { securityGroupId: this.scraperSecurityGroup.id, description: "the sidecar Envoy metrics (15090)", ...tcp(ENVOY_PROMETHEUS_PORT), referencedSecurityGroupId: props.nodeSecurityGroup.id });
    new VpcSecurityGroupIngressRule(this, "SidecarsFromScraper", { securityGroupId: props.nodeSecurityGroup.id, description: "AMP managed collector to the sidecar Envoy metrics (15090)", ...tcp(ENVOY_PROMETHEUS_PORT), referencedSecurityGroupId: this.scraperSecurityGroup.id });
    if (props.merchantSecurityGroup) {
      new VpcSecurityGroupEgressRule(this, "ScraperToMerchantSidecars", { securityGroupId: this.scraperSecurityGroup.id, description: "sidecar Envoy metrics on the merchant nodes (15090)", ...tcp(ENVOY_PROMETHEUS_PORT), referencedSecurityGroupId: props.merchantSecurityGroup.id });
      new VpcSecurityGroupIngressRule(this, "MerchantSidecarsFromScraper", { securityGroupId: props.merchantSecurityGroup.id, description: "AMP managed collector to the sidecar Envoy metrics (15090)", ...tcp(ENVOY_PROMETHEUS_PORT), referencedSecurityGroupId: this.scraperSecurityGroup.id });
    }

    this.scraper = new PrometheusScraper(this, "Scraper", {
      alias: `${props.name}-mesh`,
      source: [{ eks: [{ clusterArn: props.cluster.arn, subnetIds: props.network.subnets.workload.map((s) => s.id), securityGroupIds: [this.scraperSecurityGroup.id] }] }],
      destination: [{ amp: [{ workspaceArn: this.workspace.arn }] }],
      scrapeConfiguration: JSON.stringify(meshScrapeConfiguration()),
      // AMP takes up to 30 minutes to create a collector, the provider's default timeout.
      timeouts: { create: "45m" },
    });

    new PrometheusRuleGroupNamespace(this, "Rules", {
      name: "mesh",
      workspaceId: this.workspace.id,
      data: JSON.stringify({ groups: [{ name: "mesh", rules: meshAlertRules(props.tokenization) }] }),
    });
    props.alerts.admitPublisher("MeshAlertManager", "aps.amazonaws.com", this.workspace.arn, ["sns:Publish", "sns:GetTopicAttributes"]);
    new PrometheusAlertManagerDefinition(this, "AlertManager", {
      workspaceId: this.workspace.id,
      definition: JSON.stringify({
        alertmanager_config: JSON.stringify({
          route: { receiver: "security-topic", group_by: ["alertname", "service", "namespace"], group_wait: "30s", group_interval: "5m", repeat_interval: "4h" },
          receivers: [{ name: "security-topic", sns_configs: [{ topic_arn: props.alerts.topic.arn, sigv4: { region: props.region }, subject: `${props.name}: mesh alert` }] }],
        }),
      }),
      // AMP publishes with the topic's policy and key in place.
      dependsOn: [props.alerts.topic],
    });
  }
}
