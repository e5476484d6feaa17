/**
 * What the EKS cluster of an AWS region is made of: its log types, the ports between the control
 * plane, the nodes and the data tier, the node role's managed policies, the outputs the cluster
 * stacks read.
 */
import { POSTGRES_PORT } from "./database";
import { KAFKA_PORTS } from "./kafka";
import { CLOUDHSM_PORTS } from "./hsm";

/** Every control-plane log type (PCI DSS 10.2). */
export const EKS_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;

/**
 * Ports the control plane opens to nodes: kubelet, webhooks on 443, Istio's sidecar-injection
 * webhook (15017) and istiod's XDS/CA port (15012) (istio/istio#38930), and the CloudWatch agent
 * operator's webhook (9443, the log shipper add-on's chart).
 */
export const CONTROL_PLANE_TO_NODE_PORTS = [
  { id: "Kubelet", port: 10250, label: "kubelet" },
  { id: "Webhooks", port: 443, label: "admission webhooks" },
  { id: "IstioWebhook", port: 15017, label: "Istio sidecar-injection webhook" },
  { id: "IstioXds", port: 15012, label: "istiod XDS and CA" },
  // The CloudWatch observability add-on's operator (its webhooks on pods and workloads; unreachable, each call waits 10 s).
  { id: "CloudWatchOperatorWebhook", port: 9443, label: "CloudWatch agent operator webhook" },
] as const;

/** The AWS managed policies a node needs, and no other. */
export const NODE_MANAGED_POLICIES = ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly", "AmazonEKS_CNI_Policy"] as const;

/** Ports nodes reach in the data tier: Aurora, MSK (SASL/SCRAM, IAM), CloudHSM clients. */
export const NODE_TO_DATA_TIER_PORTS = [
  { id: "Postgres", from: POSTGRES_PORT, to: POSTGRES_PORT, label: "Aurora PostgreSQL" },
  { id: "KafkaScram", from: KAFKA_PORTS.saslScram, to: KAFKA_PORTS.saslScram, label: "MSK SASL/SCRAM over TLS" },
  { id: "KafkaIam", from: KAFKA_PORTS.iam, to: KAFKA_PORTS.iam, label: "MSK IAM over TLS" },
  { id: "CloudHsm", from: CLOUDHSM_PORTS.from, to: CLOUDHSM_PORTS.to, label: "CloudHSM clients" },
] as const;

/** Outputs the mesh stacks read (through the state of `region-<name>`). */
export const EKS_OUTPUT_IDS = {
  name: "eks_cluster_name",
  endpoint: "eks_cluster_endpoint",
  certificateAuthority: "eks_cluster_certificate_authority",
} as const;

/**
 * The session tags EKS Pod Identity adds when it assumes a role (unless the association disables
 * them): what a trust policy may condition on, besides aws:SourceAccount.
 */
export const POD_IDENTITY_SESSION_TAGS = {
  clusterArn: "eks-cluster-arn",
  clusterName: "eks-cluster-name",
  namespace: "kubernetes-namespace",
  serviceAccount: "kubernetes-service-account",
  podName: "kubernetes-pod-name",
  podUid: "kubernetes-pod-uid",
} as const;

/**
 * How container logs leave the nodes (PCI DSS 10.2, 10.5): the managed add-on whose Fluent Bit
 * DaemonSet ships every container's stdout (the sidecars' access logs among them) to CloudWatch
 * Logs, as the service account it runs under (Pod Identity), into log groups the stack creates first
 * under the logs key (Fluent Bit uses a group that exists; one it created would have neither).
 */
export const LOG_SHIPPER = {
  addon: "amazon-cloudwatch-observability",
  namespace: "amazon-cloudwatch",
  serviceAccount: "cloudwatch-agent",
  /** The add-on's log groups, `/aws/containerinsights/<cluster>/<kind>`. */
  groups: ["application", "dataplane", "host", "performance"],
  /**
   * Container logs on; the agent collects Container Insights' cluster metrics only (no Application
   * Signals: it would inject instrumentation whose images come from a public registry).
   */
  configuration: { containerLogs: { enabled: true }, agent: { config: { logs: { metrics_collected: { kubernetes: { enhanced_container_insights: true } } } } } },
} as const;

/** The name of one of the add-on's log groups. */
export function containerLogGroupName(cluster: string, kind: string): string {
  return `/aws/containerinsights/${cluster}/${kind}`;
}

