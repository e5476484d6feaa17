import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { EksCluster, EksClusterProps } from "../../../constructs/aws/eks-cluster";
import { PrivateLinkNetwork } from "../../../constructs/aws/private-link-network";
import { TestStack, newStack, synthJson } from "../../support/construct-stack";
import { testNetworkProps } from "../../support/fixtures";

const props = (stack: TestStack, extra: Partial<EksClusterProps> = {}): EksClusterProps => ({
  name: "t-eu",
  accountId: "123456789012",
  region: "eu-west-1",
  version: "1.35",
  network: new PrivateLinkNetwork(stack, "Network", testNetworkProps(stack)),
  secretsKey: new KmsKey(stack, "SecretsKey", {}),
  ebsKey: new KmsKey(stack, "EbsKey", {}),
  logsKey: new KmsKey(stack, "LogsKey", {}),
  ecrKey: new KmsKey(stack, "EcrKey", {}),
  logRetentionDays: 365,
  clusterAdminRoleArns: ["arn:aws:iam::123456789012:role/admin"],
  nodes: { instanceTypes: ["m6i.large"], minSize: 3, desiredSize: 3, maxSize: 6, diskGiB: 50 },
  images: ["istio/pilot", "payments/payment-core"],
  ...extra,
});

describe("EksCluster", () => {
  it("is private, encrypted, logged, API-auth only, with hardened nodes and private images", () => {
    const stack = newStack();
    const eks = new EksCluster(stack, "Eks", props(stack));
    eks.workloadRole("payment-core", { namespace: "payments", serviceAccount: "payment-core", statements: [{ Sid: "S3", Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::b/p/*" }] });
    const r = synthJson(stack).resource;
    expect(r.aws_eks_cluster.eks_cluster).toMatchObject({
      version: "1.35",
      vpc_config: { endpoint_private_access: true, endpoint_public_access: false },
      encryption_config: { resources: ["secrets"], provider: { key_arn: "${aws_kms_key.secrets_key.arn}" } },
      enabled_cluster_log_types: ["api", "audit", "authenticator", "controllerManager", "scheduler"],
      access_config: { authentication_mode: "API", bootstrap_cluster_creator_admin_permissions: false },
      upgrade_policy: { support_type: "STANDARD" },
    });
    expect(r.aws_cloudwatch_log_group.eks_control_plane_logs_log_group).toMatchObject({ name: "/aws/eks/t-eu/cluster", retention_in_days: 365 });
    expect(r.aws_launch_template.eks_node_launch_template.metadata_options).toMatchObject({ http_tokens: "required", http_put_response_hop_limit: 1 });
    expect(r.aws_launch_template.eks_node_launch_template.key_name).toBeUndefined();
    expect(Object.values(r.aws_ecr_repository).map((x) => (x as { name: string }).name)).toEqual(["istio/pilot", "payments/payment-core"]);
    expect(r.aws_eks_pod_identity_association).toBeDefined();
    // Nothing to or from anywhere.
    const rules = [...Object.values(r.aws_vpc_security_group_ingress_rule), ...Object.values(r.aws_vpc_security_group_egress_rule)] as { cidr_ipv4?: string }[];
    expect(rules.filter((x) => x.cidr_ipv4 === "0.0.0.0/0")).toEqual([]);
  });

  it("refuses no admin, too few nodes for the AZs, and a bad repository name", () => {
    const a = newStack();
    expect(() => new EksCluster(a, "Eks", props(a, { clusterAdminRoleArns: [] }))).toThrow(/at least one cluster admin/);
    const b = newStack();
    expect(() => new EksCluster(b, "Eks", props(b, { nodes: { instanceTypes: ["m6i.large"], minSize: 2, desiredSize: 2, maxSize: 3, diskGiB: 50 } }))).toThrow(/AZs/);
    const c = newStack();
    expect(() => new EksCluster(c, "Eks", props(c, { images: ["Payments/Core"] }))).toThrow(/ECR repository name/);
  });
});
