import { MERCHANT_NODES } from "../../model/mesh/pod-security";
import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { EksAccessEntry } from "@cdktf/provider-aws/lib/eks-access-entry";
import { EksAccessPolicyAssociation } from "@cdktf/provider-aws/lib/eks-access-policy-association";
import { EksAddon } from "@cdktf/provider-aws/lib/eks-addon";
import { EksCluster as EksClusterResource } from "@cdktf/provider-aws/lib/eks-cluster";
import { EksNodeGroup } from "@cdktf/provider-aws/lib/eks-node-group";
import { EksPodIdentityAssociation } from "@cdktf/provider-aws/lib/eks-pod-identity-association";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Construct } from "constructs";
import type { ITerraformDependable } from "../../core/cdktf";
import { GUARDDUTY_AGENT_ADDON } from "../../model/aws/detection";
import { EncryptedLogGroup } from "./encrypted-log-group";
import { PolicyStatement, partitionOf, renderPolicy } from "./iam-policy";
import { PrivateLinkNetwork } from "./private-link-network";
import { EKS_LOG_TYPES, LOG_SHIPPER, NODE_MANAGED_POLICIES, CONTROL_PLANE_TO_NODE_PORTS, NODE_TO_DATA_TIER_PORTS, POD_IDENTITY_SESSION_TAGS, containerLogGroupName } from "../../model/aws/eks";
import { serviceLinkedRoleArn } from "../../model/aws/iam";

/** A managed node group's machines and size. */
export interface NodeGroupSize {
  readonly instanceTypes: readonly string[];
  readonly minSize: number;
  readonly desiredSize: number;
  readonly maxSize: number;
  readonly diskGiB: number;
}

/** Properties of {@link EksCluster}. */
export interface EksClusterProps {
  /** Cluster name (also the prefix of its roles, groups and log group). */
  readonly name: string;
  readonly accountId: string;
  readonly region: string;
  /** Kubernetes version, pinned. */
  readonly version: string;
  /** The control plane's ENIs and the nodes live in the workload tier; nothing reaches the internet. */
  readonly network: PrivateLinkNetwork;
  /** Envelope encryption of Kubernetes secrets. */
  readonly secretsKey: KmsKey;
  /** Node root volumes. Its policy must admit the Auto Scaling service-linked role (see `ebsKeyStatements`). */
  readonly ebsKey: KmsKey;
  /** Control-plane log group. */
  readonly logsKey: KmsKey;
  readonly logRetentionDays: number;
  /** Roles that get cluster admin through access entries (no aws-auth ConfigMap). */
  readonly clusterAdminRoleArns: readonly string[];
  readonly nodes: NodeGroupSize;
  /**
   * The merchants' own node group (tainted and labelled, MERCHANT_NODES) in a security group with
   * no path to the data tier.
   * @default - none: the region has no merchant tenants
   */
  readonly merchantNodes?: NodeGroupSize;
  /** Images the cluster runs, each a private ECR repository (`istio/pilot`, `payments/payment-core`, ...). */
  readonly images: readonly string[];
  /** Encrypts the ECR repositories. */
  readonly ecrKey: KmsKey;
}

/**
 * A private EKS cluster (PCI DSS 1.3, 2.2, 3.5, 8.2, 10.2): API endpoint reachable only inside the
 * VPC, secrets envelope-encrypted with a CMK, every control-plane log type kept in a CMK log group,
 * access entries only (authentication mode API), a managed node group over the workload subnets
 * of every AZ with IMDSv2 only, encrypted root volumes and no SSH, images from private ECR
 * repositories (immutable tags, scan on push, CMK), and EKS Pod Identity for workloads.
 */
export class EksCluster extends Construct {
  /** GuardDuty's runtime agent; the stack makes it wait for the feature and the endpoint it reports through. */
  readonly guardDutyAgent: EksAddon;
  /** Ships every container's logs (the sidecars' access logs among them) off the nodes. */
  readonly logShipper: EksAddon;
  /** The log shipper's groups, by kind (application, dataplane, host, performance). */
  readonly containerLogGroups: Readonly<Record<string, EncryptedLogGroup>>;
  readonly cluster: EksClusterResource;
  readonly clusterSecurityGroup: SecurityGroup;
  readonly nodeSecurityGroup: SecurityGroup;
  readonly nodeRole: IamRole;
  /** Name of the control plane's role (the secrets key's policy names it by ARN). */
  readonly clusterRoleName: string;
  readonly nodeGroup: EksNodeGroup;
  /** The merchants' node group and its security group, where the cluster has merchant tenants. */
  readonly merchantNodeGroup?: EksNodeGroup;
  readonly merchantSecurityGroup?: SecurityGroup;
  readonly logGroup: EncryptedLogGroup;
  readonly repositories: Readonly<Record<string, EcrRepository>>;
  private readonly props: EksClusterProps;
  private readonly partition: string;
  private readonly workloadScope: Construct;

  constructor(scope: Construct, id: string, props: EksClusterProps) {
    super(scope, id);
    this.props = props;
    const { network, name } = props;
    const partition = partitionOf(props.region);
    this.partition = partition;
    const managedPolicy = (policy: string) => `arn:${partition}:iam::aws:policy/${policy}`;
    if (props.clusterAdminRoleArns.length === 0) throw new Error(`EksCluster ${name}: name at least one cluster admin role (no one could manage the cluster).`);
    const n = props.nodes;
    if (n.minSize < network.availabilityZoneIds.length || n.minSize > n.desiredSize || n.desiredSize > n.maxSize) {
      throw new Error(`EksCluster ${name}: node sizes must satisfy AZs (${network.availabilityZoneIds.length}) <= min <= desired <= max, got ${n.minSize}/${n.desiredSize}/${n.maxSize}.`);
    }

    // EKS writes to this exact name; creating it first keeps it under our key and retention.
    this.logGroup = new EncryptedLogGroup(this, "ControlPlaneLogs", { name: `/aws/eks/${name}/cluster`, key: props.logsKey, retentionDays: props.logRetentionDays });

    this.clusterRoleName = `${name}-eks-cluster`;
    const clusterRole = new IamRole(this, "ClusterRole", {
      name: this.clusterRoleName,
      assumeRolePolicy: renderPolicy([
        {
          Sid: "EksControlPlane",
          Effect: "Allow",
          Principal: { Service: "eks.amazonaws.com" },
          Action: ["sts:AssumeRole", "sts:TagSession"],
          Condition: { StringEquals: { "aws:SourceAccount": props.accountId } },
        },
      ]),
    });
    const clusterPolicy = new IamRolePolicyAttachment(this, "ClusterRolePolicy", { role: clusterRole.name, policyArn: managedPolicy("AmazonEKSClusterPolicy") });
    // The control plane envelope-encrypts secrets as this role: its IAM policy and the key's
    // policy (which names the role) must both allow it.
    const secretsKeyPolicy = new IamRolePolicy(this, "ClusterRoleSecretsKey", {
      role: clusterRole.name,
      name: "secrets-envelope-encryption",
      policy: renderPolicy([
        // ListGrants: the control plane's health check of the key lists its grants (the key's policy lets IAM allow it).
        { Sid: "EnvelopeEncryptSecrets", Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey", "kms:ListGrants"], Resource: props.secretsKey.arn },
        { Sid: "GrantsForTheCluster", Effect: "Allow", Action: "kms:CreateGrant", Resource: props.secretsKey.arn, Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } } },
      ]),
    });

    this.clusterSecurityGroup = this.securityGroup("ClusterSecurityGroup", `${name}-eks-control-plane`, "EKS control-plane ENIs: the API on 443 from the workload tier");
    this.nodeSecurityGroup = this.securityGroup("NodeSecurityGroup", `${name}-eks-nodes`, "EKS nodes and pods: from each other and from the control plane on the ports it calls");
    if (props.merchantNodes) {
      this.merchantSecurityGroup = this.securityGroup("MerchantNodeSecurityGroup", `${name}-eks-merchant-nodes`, "EKS merchant nodes and pods: the mesh and AWS APIs, no path to the data tier");
    }
    this.wireSecurityGroups();

    this.cluster = new EksClusterResource(this, "Cluster", {
      name,
      version: props.version,
      roleArn: clusterRole.arn,
      vpcConfig: {
        subnetIds: network.subnets.workload.map((s) => s.id),
        securityGroupIds: [this.clusterSecurityGroup.id],
        endpointPrivateAccess: true,
        endpointPublicAccess: false,
      },
      encryptionConfig: { resources: ["secrets"], provider: { keyArn: props.secretsKey.arn } },
      enabledClusterLogTypes: [...EKS_LOG_TYPES],
      accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
      // Refuse paid extended support: an unsupported version must be upgraded, not kept.
      upgradePolicy: { supportType: "STANDARD" },
      kubernetesNetworkConfig: { ipFamily: "ipv4" },
      dependsOn: [this.logGroup.logGroup, clusterPolicy, secretsKeyPolicy],
    });

    const accessScope = new Construct(this, "ClusterAdmins");
    props.clusterAdminRoleArns.forEach((principalArn) => {
      const roleScope = new Construct(accessScope, principalArn.replace(/^.*:role\//, "").replace(/[^A-Za-z0-9-]/g, "-"));
      const entry = new EksAccessEntry(roleScope, "AccessEntry", { clusterName: this.cluster.name, principalArn, type: "STANDARD" });
      new EksAccessPolicyAssociation(roleScope, "ClusterAdmin", {
        clusterName: this.cluster.name,
        principalArn,
        policyArn: `arn:${partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`,
        accessScope: { type: "cluster" },
        dependsOn: [entry],
      });
    });

    this.nodeRole = new IamRole(this, "NodeRole", {
      name: `${name}-eks-node`,
      assumeRolePolicy: renderPolicy([{ Sid: "Ec2Nodes", Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceAccount": props.accountId } } }]),
    });
    const nodePolicyScope = new Construct(this, "NodeRolePolicies");
    const nodePolicies = NODE_MANAGED_POLICIES.map((policy) => new IamRolePolicyAttachment(nodePolicyScope, policy, { role: this.nodeRole.name, policyArn: managedPolicy(policy) }));

    this.nodeGroup = this.managedNodeGroup("", `${name}-default`, n, this.nodeSecurityGroup, nodePolicies);
    if (props.merchantNodes && this.merchantSecurityGroup) {
      this.merchantNodeGroup = this.managedNodeGroup("Merchant", `${name}-merchants`, props.merchantNodes, this.merchantSecurityGroup, nodePolicies, true);
    }

    // The managed VPC CNI with its network policy agent: without it, NetworkPolicies are not enforced.
    new EksAddon(this, "VpcCni", {
      clusterName: this.cluster.name,
      addonName: "vpc-cni",
      configurationValues: JSON.stringify({ enableNetworkPolicy: "true" }),
      resolveConflictsOnCreate: "OVERWRITE",
      resolveConflictsOnUpdate: "OVERWRITE",
      dependsOn: [this.nodeGroup],
    });
    const podIdentityAgent = new EksAddon(this, "PodIdentityAgent", {
      clusterName: this.cluster.name,
      addonName: "eks-pod-identity-agent",
      resolveConflictsOnCreate: "OVERWRITE",
      resolveConflictsOnUpdate: "OVERWRITE",
      dependsOn: [this.nodeGroup],
    });
    // GuardDuty's runtime agent (a DaemonSet), installed here rather than by GuardDuty: GuardDuty's
    // automated management would create a guardduty-data endpoint with a security group of its own,
    // which the nodes' egress (to this VPC's endpoint group only) does not reach. The agent reports
    // through the network's guardduty-data endpoint.
    this.guardDutyAgent = new EksAddon(this, "GuardDutyAgent", {
      clusterName: this.cluster.name,
      addonName: GUARDDUTY_AGENT_ADDON,
      resolveConflictsOnCreate: "OVERWRITE",
      resolveConflictsOnUpdate: "OVERWRITE",
      dependsOn: [this.nodeGroup],
    });

    const repoScope = new Construct(this, "Repositories");
    const repositories: Record<string, EcrRepository> = {};
    for (const image of props.images) {
      if (!/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/.test(image)) throw new Error(`EksCluster ${name}: "${image}" is not an ECR repository name.`);
      if (repositories[image]) throw new Error(`EksCluster ${name}: image "${image}" is listed twice.`);
      const imageScope = new Construct(repoScope, image.replace(/\//g, "-"));
      const repo = new EcrRepository(imageScope, "Repository", {
        name: image,
        imageTagMutability: "IMMUTABLE",
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfiguration: [{ encryptionType: "KMS", kmsKey: props.ecrKey.arn }],
        forceDelete: false,
      });
      new EcrLifecyclePolicy(imageScope, "Lifecycle", {
        repository: repo.name,
        policy: JSON.stringify({
          rules: [{ rulePriority: 1, description: "Untagged images go after 14 days", selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 14 }, action: { type: "expire" } }],
        }),
      });
      repositories[image] = repo;
    }
    this.repositories = repositories;
    this.workloadScope = new Construct(this, "Workloads");

    // Container logs off the nodes (PCI DSS 10.2, 10.5): the groups first, under the logs key and
    // the retention, then the add-on's identity, then the add-on (its pods read their credentials once).
    const logScope = new Construct(this, "ContainerLogs");
    this.containerLogGroups = Object.fromEntries(
      LOG_SHIPPER.groups.map((kind) => [kind, new EncryptedLogGroup(logScope, kind, { name: containerLogGroupName(name, kind), key: props.logsKey, retentionDays: props.logRetentionDays })]),
    );
    const shipper = this.workloadRole("log-shipper", {
      namespace: LOG_SHIPPER.namespace,
      serviceAccount: LOG_SHIPPER.serviceAccount,
      statements: [
        {
          Sid: "WriteContainerLogGroupsOnly",
          Effect: "Allow",
          // No CreateLogGroup (a group it created would have no key and no retention), no
          // PutRetentionPolicy or DeleteLogGroup (the evidence outlives the node agent's credentials).
          Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
          Resource: LOG_SHIPPER.groups.map((kind) => `arn:${this.partition}:logs:${props.region}:${props.accountId}:log-group:${containerLogGroupName(name, kind)}:*`),
        },
        // The agent tags its metrics with the instance's and volumes' tags (read-only, no resource-level permissions).
        { Sid: "DescribeNodes", Effect: "Allow", Action: ["ec2:DescribeTags", "ec2:DescribeVolumes"], Resource: "*" },
      ],
    });
    this.logShipper = new EksAddon(this, "LogShipper", {
      clusterName: this.cluster.name,
      addonName: LOG_SHIPPER.addon,
      configurationValues: JSON.stringify(LOG_SHIPPER.configuration),
      resolveConflictsOnCreate: "OVERWRITE",
      resolveConflictsOnUpdate: "OVERWRITE",
      // Its pods read their credentials from the Pod Identity agent when they start.
      dependsOn: [this.nodeGroup, podIdentityAgent, ...Object.values(this.containerLogGroups).map((g) => g.logGroup), shipper.association],
    });
  }

  /**
   * Key-policy statements the ebs key needs: EC2 Auto Scaling launches the nodes and uses the key
   * on their behalf through its service-linked role (grants only for AWS resources). The role must
   * exist before the key policy names it: the stack creates it first, or the account has it.
   */
  ebsKeyStatements(): PolicyStatement[] {
    const slr = serviceLinkedRoleArn(this.partition, this.props.accountId, "autoscaling.amazonaws.com");
    return [
      {
        Sid: "AutoScalingUsesTheKeyForNodeVolumes",
        Effect: "Allow",
        Principal: { AWS: slr },
        Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
        Resource: "*",
        // As AWS documents it for the Auto Scaling service-linked role (EC2 calls KMS on its behalf).
        Condition: { StringEquals: { "kms:CallerAccount": this.props.accountId } },
      },
      {
        Sid: "AutoScalingGrantsForNodeVolumes",
        Effect: "Allow",
        Principal: { AWS: slr },
        Action: "kms:CreateGrant",
        Resource: "*",
        Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
      },
    ];
  }

  /** The name of the Pod Identity role {@link workloadRole} creates for `id`. */
  workloadRoleName(id: string): string {
    return `${this.props.name}-${id}`.slice(0, 64);
  }

  /**
   * An EKS Pod Identity role for one service account with exactly `statements` (no managed
   * policies), and its association (what a pod that reads its credentials at start waits for). The
   * trust names this cluster only.
   */
  workloadRole(id: string, props: { readonly namespace: string; readonly serviceAccount: string; readonly statements: readonly PolicyStatement[] }): { role: IamRole; association: EksPodIdentityAssociation } {
    const scope = new Construct(this.workloadScope, id);
    const role = new IamRole(scope, "Role", {
      name: this.workloadRoleName(id),
      description: `EKS Pod Identity of ${props.namespace}/${props.serviceAccount}`,
      assumeRolePolicy: renderPolicy([
        {
          Sid: "PodIdentityOfThisServiceAccount",
          Effect: "Allow",
          Principal: { Service: "pods.eks.amazonaws.com" },
          Action: ["sts:AssumeRole", "sts:TagSession"],
          // The session tags EKS Pod Identity sends (docs: pod-id-role, pod-id-abac): this cluster,
          // this namespace and service account only. A key EKS does not send (aws:SourceArn is not
          // documented for Pod Identity) would deny every pod.
          Condition: {
            StringEquals: {
              "aws:SourceAccount": this.props.accountId,
              [`aws:RequestTag/${POD_IDENTITY_SESSION_TAGS.clusterArn}`]: this.cluster.arn,
              [`aws:RequestTag/${POD_IDENTITY_SESSION_TAGS.namespace}`]: props.namespace,
              [`aws:RequestTag/${POD_IDENTITY_SESSION_TAGS.serviceAccount}`]: props.serviceAccount,
            },
          },
        },
      ]),
    });
    if (props.statements.length > 0) {
      new IamRolePolicy(scope, "Policy", { role: role.name, name: "least-privilege", policy: renderPolicy(props.statements) });
    }
    const association = new EksPodIdentityAssociation(scope, "Association", {
      clusterName: this.cluster.name,
      namespace: props.namespace,
      serviceAccount: props.serviceAccount,
      roleArn: role.arn,
    });
    return { role, association };
  }

  /**
   * A managed node group over the workload subnets of every AZ, from a launch template of its own:
   * IMDSv2 only with hop limit 1 (pods cannot reach the node's role; they use Pod Identity), an
   * encrypted root volume under the ebs key, no SSH key, the given security group. The merchants'
   * carries MERCHANT_NODES' label and taint.
   */
  private managedNodeGroup(idPrefix: "" | "Merchant", nodeGroupName: string, n: NodeGroupSize, securityGroup: SecurityGroup, after: ITerraformDependable[], merchants = false): EksNodeGroup {
    const { name, network } = this.props;
    const nodeName = merchants ? `${name}-eks-merchant-node` : `${name}-eks-node`;
    const launchTemplate = new LaunchTemplate(this, `${idPrefix}NodeLaunchTemplate`, {
      name: nodeName,
      description: `${merchants ? "Merchant nodes" : "Nodes"} of ${name}: IMDSv2 only, encrypted root volume, no SSH key`,
      updateDefaultVersion: true,
      vpcSecurityGroupIds: [securityGroup.id],
      metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" },
      blockDeviceMappings: [
        {
          deviceName: "/dev/xvda",
          ebs: { encrypted: "true", kmsKeyId: this.props.ebsKey.arn, volumeSize: n.diskGiB, volumeType: "gp3", deleteOnTermination: "true" },
        },
      ],
      monitoring: { enabled: true },
      tagSpecifications: [
        { resourceType: "instance", tags: { Name: nodeName } },
        { resourceType: "volume", tags: { Name: nodeName } },
      ],
    });
    return new EksNodeGroup(this, `${idPrefix}NodeGroup`, {
      clusterName: this.cluster.name,
      // The cluster's version: a bump of eks.version updates the control plane, then rolls the nodes.
      version: this.cluster.version,
      nodeGroupName,
      nodeRoleArn: this.nodeRole.arn,
      subnetIds: network.subnets.workload.map((s) => s.id),
      amiType: "AL2023_x86_64_STANDARD",
      capacityType: "ON_DEMAND",
      instanceTypes: [...n.instanceTypes],
      scalingConfig: { minSize: n.minSize, desiredSize: n.desiredSize, maxSize: n.maxSize },
      updateConfig: { maxUnavailable: 1 },
      launchTemplate: { id: launchTemplate.id, version: launchTemplate.latestVersion.toString() },
      ...(merchants ? { labels: { [MERCHANT_NODES.label.key]: MERCHANT_NODES.label.value }, taint: [{ ...MERCHANT_NODES.taint }] } : {}),
      dependsOn: after,
    });
  }

  private securityGroup(id: string, name: string, description: string): SecurityGroup {
    return new SecurityGroup(this, id, { name, description, vpcId: this.props.network.vpc.id, revokeRulesOnDelete: true, tags: { Name: name } });
  }

  /**
   * Admits a load balancer with targets on the nodes (the nodes themselves, or pods with ip targets)
   * to the nodes on exactly its target ports: without this the nodes' security group drops its
   * traffic and health checks.
   */
  admitLoadBalancer(id: string, loadBalancerSecurityGroup: SecurityGroup, ports: readonly { readonly port: number; readonly label: string }[]): void {
    const scope = new Construct(this, id);
    for (const { port, label } of ports) {
      new VpcSecurityGroupIngressRule(scope, String(port), {
        securityGroupId: this.nodeSecurityGroup.id,
        description: `${id}: ${label} to its targets on the nodes`,
        ipProtocol: "tcp",
        fromPort: port,
        toPort: port,
        referencedSecurityGroupId: loadBalancerSecurityGroup.id,
      });
    }
  }

  /**
   * Lets the nodes' pods reach an interface endpoint of their own (another region's service over
   * PrivateLink) on exactly its port: egress from the nodes' group, ingress on the endpoint's.
   */
  reachEndpoint(id: string, endpointSecurityGroup: SecurityGroup, port: number, label: string): void {
    const scope = new Construct(this, id);
    const tcp = { ipProtocol: "tcp", fromPort: port, toPort: port };
    new VpcSecurityGroupEgressRule(scope, "FromNodes", { securityGroupId: this.nodeSecurityGroup.id, description: `${label} from the pods of the nodes`, ...tcp, referencedSecurityGroupId: endpointSecurityGroup.id });
    new VpcSecurityGroupIngressRule(scope, "ToEndpoint", { securityGroupId: endpointSecurityGroup.id, description: `${label} from the pods of the nodes`, ...tcp, referencedSecurityGroupId: this.nodeSecurityGroup.id });
  }

  /** Rules between the control plane, the nodes, the endpoints, S3 and the data tier; nothing to or from 0.0.0.0/0. */
  private wireSecurityGroups(): void {
    const { network } = this.props;
    const cluster = this.clusterSecurityGroup;
    const nodes = this.nodeSecurityGroup;
    const rules = new Construct(this, "Rules");
    const tcp = (from: number, to = from) => ({ ipProtocol: "tcp", fromPort: from, toPort: to });

    network.availabilityZoneIds.forEach((az, i) => {
      new VpcSecurityGroupIngressRule(rules, `ApiFromWorkloadTier-${az}`, {
        securityGroupId: cluster.id,
        description: `Kubernetes API from the workload tier in ${az} (nodes, deploy runners)`,
        ...tcp(443),
        cidrIpv4: network.subnetCidrs.workload[i],
      });
    });
    for (const { id, port, label } of CONTROL_PLANE_TO_NODE_PORTS) {
      new VpcSecurityGroupEgressRule(rules, `ControlPlaneTo${id}`, { securityGroupId: cluster.id, description: `${label} on the nodes`, ...tcp(port), referencedSecurityGroupId: nodes.id });
      new VpcSecurityGroupIngressRule(rules, `Nodes${id}FromControlPlane`, { securityGroupId: nodes.id, description: `${label} from the control plane`, ...tcp(port), referencedSecurityGroupId: cluster.id });
    }
    new VpcSecurityGroupIngressRule(rules, "NodesFromNodes", { securityGroupId: nodes.id, description: "Pods and nodes among themselves (the mesh enforces mTLS and policy)", ipProtocol: "-1", referencedSecurityGroupId: nodes.id });
    new VpcSecurityGroupEgressRule(rules, "NodesToNodes", { securityGroupId: nodes.id, description: "Pods and nodes among themselves", ipProtocol: "-1", referencedSecurityGroupId: nodes.id });
    new VpcSecurityGroupEgressRule(rules, "NodesToApi", { securityGroupId: nodes.id, description: "Kubernetes API", ...tcp(443), referencedSecurityGroupId: cluster.id });
    new VpcSecurityGroupEgressRule(rules, "NodesToEndpoints", { securityGroupId: nodes.id, description: "AWS APIs through the interface endpoints", ...tcp(443), referencedSecurityGroupId: network.endpointSecurityGroup.id });
    new VpcSecurityGroupEgressRule(rules, "NodesToS3", { securityGroupId: nodes.id, description: "S3 through the gateway endpoint (ECR layers, audit archive)", ...tcp(443), prefixListId: network.s3GatewayEndpoint.prefixListId });
    // The merchants' nodes: the mesh with the platform's nodes, the control plane, the API, the
    // AWS APIs and S3 (images); no rule to the data tier, whose groups admit the platform's nodes only.
    const merchants = this.merchantSecurityGroup;
    if (merchants) {
      for (const { id, port, label } of CONTROL_PLANE_TO_NODE_PORTS) {
        new VpcSecurityGroupEgressRule(rules, `ControlPlaneToMerchant${id}`, { securityGroupId: cluster.id, description: `${label} on the merchant nodes`, ...tcp(port), referencedSecurityGroupId: merchants.id });
        new VpcSecurityGroupIngressRule(rules, `Merchant${id}FromControlPlane`, { securityGroupId: merchants.id, description: `${label} from the control plane`, ...tcp(port), referencedSecurityGroupId: cluster.id });
      }
      for (const [id, peer, label] of [["Merchants", merchants, "the merchant nodes"], ["Nodes", nodes, "the platform nodes"]] as const) {
        new VpcSecurityGroupIngressRule(rules, `MerchantsFrom${id}`, { securityGroupId: merchants.id, description: `Pods of ${label} (the mesh enforces mTLS and policy)`, ipProtocol: "-1", referencedSecurityGroupId: peer.id });
        new VpcSecurityGroupEgressRule(rules, `MerchantsTo${id}`, { securityGroupId: merchants.id, description: `Pods of ${label}`, ipProtocol: "-1", referencedSecurityGroupId: peer.id });
      }
      new VpcSecurityGroupIngressRule(rules, "NodesFromMerchants", { securityGroupId: nodes.id, description: "Pods of the merchant nodes (the mesh enforces mTLS and policy)", ipProtocol: "-1", referencedSecurityGroupId: merchants.id });
      new VpcSecurityGroupEgressRule(rules, "NodesToMerchants", { securityGroupId: nodes.id, description: "Pods of the merchant nodes", ipProtocol: "-1", referencedSecurityGroupId: merchants.id });
      new VpcSecurityGroupEgressRule(rules, "MerchantsToApi", { securityGroupId: merchants.id, description: "Kubernetes API", ...tcp(443), referencedSecurityGroupId: cluster.id });
      new VpcSecurityGroupEgressRule(rules, "MerchantsToEndpoints", { securityGroupId: merchants.id, description: "AWS APIs through the interface endpoints (images, the node agents)", ...tcp(443), referencedSecurityGroupId: network.endpointSecurityGroup.id });
      new VpcSecurityGroupEgressRule(rules, "MerchantsToS3", { securityGroupId: merchants.id, description: "S3 through the gateway endpoint (ECR layers)", ...tcp(443), prefixListId: network.s3GatewayEndpoint.prefixListId });
    }
    network.availabilityZoneIds.forEach((az, i) => {
      for (const { id, from, to, label } of NODE_TO_DATA_TIER_PORTS) {
        new VpcSecurityGroupEgressRule(rules, `NodesTo${id}-${az}`, { securityGroupId: nodes.id, description: `${label} in the data tier of ${az}`, ...tcp(from, to), cidrIpv4: network.subnetCidrs.data[i] });
      }
    });
  }
}
