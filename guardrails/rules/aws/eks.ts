import { MERCHANT_NODES } from "../../../model/mesh/pod-security";
import { eksNodeSecurityGroupRef, isMerchantNodeGroup, merchantNodeSecurityGroupRef } from "./network";
import type { AwsRegionConfig } from "../../../config/schema";
import { Rule, stackRules } from "../../rule";
import { EKS_VERSIONS } from "../../../config/catalog";
import { PCA_ISSUER_SERVICE_ACCOUNT, PKI_NAMESPACE } from "../../../model/mesh/pki";
import { TfJson, ref, resourcesOf, asList, one, refName, sameJson } from "../../../tfjson/terraform";
import { ENVOY_PROMETHEUS_PORT } from "../../../model/mesh/alerts";
import { CONTROL_PLANE_TO_NODE_PORTS, EKS_LOG_TYPES, LOG_SHIPPER, NODE_MANAGED_POLICIES, POD_IDENTITY_SESSION_TAGS } from "../../../model/aws/eks";
import { mirroredImages } from "../../../model/aws/registry";
import { actionPatternMatches, principalArns, principalServices, statementsOf } from "../../../tfjson/iam-policy";
import { KEY_USE_ACTIONS } from "../../../model/aws/key-access";
import { CONFIG_PREFIX } from "../../../model/aws/detection";
import { isKeyArnRef, keyNameByAlias, loadBalancerTargetPorts, tierSubnetRefs } from "../../../tfjson/aws";

const single = (json: TfJson, type: string): [string, TfJson] | undefined => {
  const all = resourcesOf(json, type);
  return all.length === 1 ? all[0] : undefined;
};

/** Invariants of the EKS cluster, its nodes, images and workload identities. */
/** Whether a role (by a reference to it) is assumable by AWS Config only. */
function configRole(json: TfJson, roleRef: unknown): boolean {
  const name = refName(roleRef, "aws_iam_role", "id") ?? refName(roleRef, "aws_iam_role", "name");
  const role = name ? json.resource.aws_iam_role?.[name] : undefined;
  if (!role || typeof role.assume_role_policy !== "string") return false;
  const trusted = statementsOf(role.assume_role_policy).filter((t) => t.Effect === "Allow");
  return trusted.length > 0 && trusted.every((t) => principalArns(t.Principal).length === 0 && sameJson(principalServices(t.Principal), ["config.amazonaws.com"]));
}

export const EKS_RULES: readonly Rule[] = stackRules<AwsRegionConfig>({ layers: ["aws"] }, [
  {
    id: "eks.private-encrypted-logged",
    requirement: "1.3, 2.2, 3.5.1, 10.2",
    fix: "Create the cluster through EksCluster: private endpoint only, secrets under the eks-secrets key, all control-plane log types, authentication_mode API, eks.version from the catalog.",
    description: "one cluster at a supported pinned version: private endpoint only, secrets under the eks key, every control-plane log type into a log group created first under the logs key, access entries only (API mode), standard support",
    check: ({ json, region }) => {
      const found = single(json, "aws_eks_cluster");
      if (!found) return [`aws_eks_cluster: ${resourcesOf(json, "aws_eks_cluster").length}, expected 1`];
      const [n, c] = found;
      const a = `aws_eks_cluster.${n}`;
      const v: string[] = [];
      if (!(EKS_VERSIONS as readonly string[]).includes(c.version) || c.version !== region.eks.version) v.push(`${a}: version ${c.version}, expected ${region.eks.version}`);
      // Stryker disable next-line OptionalChaining: equivalent for the second (without vpc_config the first condition already holds)
      if (c.vpc_config?.endpoint_public_access !== false || c.vpc_config?.endpoint_private_access !== true) v.push(`${a}: API endpoint not private-only`);
      const enc = asList(c.encryption_config)[0];
      if (!enc || JSON.stringify(enc.resources) !== '["secrets"]' || !isKeyArnRef(enc.provider?.key_arn, keyNameByAlias(json, "eks-secrets"))) v.push(`${a}: secrets not encrypted with the eks-secrets key`);
      // Stryker disable next-line MethodExpression: equivalent while EKS_LOG_TYPES is listed in order (the sort keeps a reordering of it from mattering)
      if (JSON.stringify([...asList(c.enabled_cluster_log_types)].sort()) !== JSON.stringify([...EKS_LOG_TYPES].sort())) v.push(`${a}: log types ${JSON.stringify(c.enabled_cluster_log_types)}`);
      // Stryker disable next-line OptionalChaining: equivalent for the second (without access_config the first condition already holds)
      if (c.access_config?.authentication_mode !== "API" || c.access_config?.bootstrap_cluster_creator_admin_permissions !== false) v.push(`${a}: not access-entries only (API mode, no creator admin)`);
      if (c.upgrade_policy?.support_type !== "STANDARD") v.push(`${a}: extended support allowed`);
      const logGroup = resourcesOf(json, "aws_cloudwatch_log_group").find(([, g]) => g.name === `/aws/eks/${c.name}/cluster`);
      if (!logGroup) v.push(`aws_cloudwatch_log_group: none named /aws/eks/${c.name}/cluster`);
      else if (!asList(c.depends_on).includes(`aws_cloudwatch_log_group.${logGroup[0]}`)) v.push(`${a}: not created after its log group (EKS would create an unencrypted one)`);
      const workload = tierSubnetRefs(json, "workload");
      if (JSON.stringify([...asList(c.vpc_config?.subnet_ids)].sort()) !== JSON.stringify(workload)) v.push(`${a}: control plane not in the workload subnets`);
      return v;
    },
  },
  {
    id: "eks.access-entries",
    requirement: "7.2, 8.2",
    fix: "Grant cluster admin only to eks.adminRoleArn and eks.deployRoleArn of the region file, through access entries.",
    description: "cluster admin only for the configured admin and deploy roles, through access entries",
    check: ({ json, region }) => {
      const expected = [region.eks.adminRoleArn, region.eks.deployRoleArn].sort();
      const entries = resourcesOf(json, "aws_eks_access_entry").map(([, e]) => e.principal_arn).sort();
      const admins = resourcesOf(json, "aws_eks_access_policy_association")
        .filter(([, p]) => String(p.policy_arn).endsWith("/AmazonEKSClusterAdminPolicy") && p.access_scope?.type === "cluster")
        .map(([, p]) => p.principal_arn)
        .sort();
      const v: string[] = [];
      if (JSON.stringify(entries) !== JSON.stringify(expected)) v.push(`aws_eks_access_entry: ${JSON.stringify(entries)}, expected ${JSON.stringify(expected)}`);
      if (JSON.stringify(admins) !== JSON.stringify(expected)) v.push(`aws_eks_access_policy_association: cluster admins ${JSON.stringify(admins)}`);
      return v;
    },
  },
  {
    id: "eks.nodes-hardened",
    requirement: "2.2, 3.5.1, 8.2",
    fix: "Keep EksCluster's launch template (http_tokens required, hop limit at most 2, root volume encrypted with the ebs key, no SSH key) and the node role's three node policies.",
    description: "node groups over the workload subnets of every AZ, through a launch template with IMDSv2 only (hop limit <= 2), root volume encrypted with the ebs key, no SSH; node role with exactly the three node policies",
    check: ({ json }) => {
      const v: string[] = [];
      const workload = tierSubnetRefs(json, "workload");
      const templates = Object.fromEntries(resourcesOf(json, "aws_launch_template"));
      const groups = resourcesOf(json, "aws_eks_node_group");
      if (groups.length === 0) v.push("aws_eks_node_group: none");
      for (const [n, g] of groups) {
        const a = `aws_eks_node_group.${n}`;
        if (JSON.stringify([...asList(g.subnet_ids)].sort()) !== JSON.stringify(workload)) v.push(`${a}: not over the workload subnets of every AZ`);
        if (g.remote_access) v.push(`${a}: remote (SSH) access`);
        const lt = refName(g.launch_template?.id, "aws_launch_template", "id");
        const t = lt ? templates[lt] : undefined;
        if (!t) {
          v.push(`${a}: no launch template of this stack`);
          continue;
        }
        const md = t.metadata_options ?? {};
        if (md.http_tokens !== "required" || !(md.http_put_response_hop_limit >= 1 && md.http_put_response_hop_limit <= 2)) v.push(`aws_launch_template.${lt}: IMDSv2 not required with hop limit <= 2`);
        if (t.key_name !== undefined) v.push(`aws_launch_template.${lt}: an SSH key`);
        const ebs = asList(t.block_device_mappings).map((b: TfJson) => b.ebs);
        // Stryker disable next-line OptionalChaining: equivalent for e?.kms_key_id (a mapping without ebs already fails on e?.encrypted)
        if (ebs.length === 0 || ebs.some((e: TfJson) => e?.encrypted !== "true" || !isKeyArnRef(e?.kms_key_id, keyNameByAlias(json, "ebs")))) v.push(`aws_launch_template.${lt}: volumes not encrypted with the ebs key`);
      }
      const nodeRoles = new Set(groups.map(([, g]) => refName(g.node_role_arn, "aws_iam_role", "arn")));
      for (const role of nodeRoles) {
        // Stryker disable next-line Regex: equivalent (".*" from the start matches with or without the anchor)
        const attached = resourcesOf(json, "aws_iam_role_policy_attachment").filter(([, p]) => p.role === ref("aws_iam_role", String(role), "name")).map(([, p]) => String(p.policy_arn).replace(/^.*:policy\//, "")).sort();
        if (JSON.stringify(attached) !== JSON.stringify([...NODE_MANAGED_POLICIES].sort())) v.push(`aws_iam_role.${role}: node policies ${JSON.stringify(attached)}`);
        if (resourcesOf(json, "aws_iam_role_policy").some(([, p]) => p.role === ref("aws_iam_role", String(role), "name"))) v.push(`aws_iam_role.${role}: an inline policy on the node role`);
      }
      return v;
    },
  },
  {
    id: "eks.nodes-follow-cluster",
    requirement: "6.3.3",
    fix: "Give every node group `version: cluster.version` (EksCluster does): a version bump then updates the control plane first and rolls each node group after it, in place.",
    description:
      "every node group runs its cluster's Kubernetes version, by reference: without it a node group keeps the version (and the AMI release) it was created with, and a bump of eks.version upgrades the control plane alone",
    check: ({ json }) =>
      resourcesOf(json, "aws_eks_node_group")
        .filter(([, g]) => {
          const cluster = refName(g.cluster_name, "aws_eks_cluster", "name");
          return !cluster || g.version !== ref("aws_eks_cluster", cluster, "version");
        })
        .map(([n]) => `aws_eks_node_group.${n}: version is not its cluster's (the nodes would stay on the version they were created with)`),
  },
  {
    id: "eks.merchant-nodes",
    requirement: "1.3.1, 1.4.4, 2.2.1",
    fix: "Keep EksCluster's merchants' node group (props.merchantNodes, from eks.merchantNodes where the region has merchant namespaces): MERCHANT_NODES' taint and label, a security group of its own whose egress is the mesh's nodes, the API, the interface endpoints and S3 only, admitted by the platform nodes' group alone, and not behind the partners' load balancer.",
    description:
      "where the region has merchant namespaces, the merchants run on a node group of their own, tainted (NoSchedule) and labelled so that only their pods run there, in a security group whose egress reaches only the nodes of the mesh, the Kubernetes API, the interface endpoints and S3 (no rule to the data tier, and no data-tier group admits it), behind no load balancer: a tenant that escapes its container lands on a node with no path to the database, the brokers or the HSMs; where it has none, no such group",
    check: ({ json, region }) => {
      const v: string[] = [];
      const groups = resourcesOf(json, "aws_eks_node_group").filter(([, g]) => isMerchantNodeGroup(g));
      if (region.mesh.merchantNamespaces.length === 0) return groups.map(([n]) => `aws_eks_node_group.${n}: a merchants' node group where the region has no merchant namespaces`);
      if (groups.length !== 1) return [`aws_eks_node_group: ${groups.length} merchants' node groups (tainted ${MERCHANT_NODES.taint.key}), expected 1`];
      const [gn, g] = groups[0];
      const taint = asList<TfJson>(g.taint).find((t) => t.key === MERCHANT_NODES.taint.key)!;
      if (taint.value !== MERCHANT_NODES.taint.value || taint.effect !== MERCHANT_NODES.taint.effect) v.push(`aws_eks_node_group.${gn}: taint ${taint.key}=${taint.value}:${taint.effect}, expected ${MERCHANT_NODES.taint.value}:${MERCHANT_NODES.taint.effect} (other pods could be scheduled there)`);
      if (g.labels?.[MERCHANT_NODES.label.key] !== MERCHANT_NODES.label.value) v.push(`aws_eks_node_group.${gn}: no label ${MERCHANT_NODES.label.key}=${MERCHANT_NODES.label.value} (the merchants' pods select it)`);
      const merchantSg = merchantNodeSecurityGroupRef(json);
      const nodeSg = eksNodeSecurityGroupRef(json);
      if (!merchantSg || merchantSg === nodeSg) return [...v, `aws_eks_node_group.${gn}: not in a security group of its own (${merchantSg ?? "none"})`];
      const cluster = single(json, "aws_eks_cluster");
      // Stryker disable next-line OptionalChaining: equivalent (an EKS cluster always has its vpc_config; eks.private-encrypted-logged requires it)
      const clusterSg = cluster ? asList(cluster[1].vpc_config?.security_group_ids)[0] : undefined;
      const endpointSgs = new Set(resourcesOf(json, "aws_vpc_endpoint").flatMap(([, e]) => asList<string>(e.security_group_ids)));
      const s3PrefixLists = new Set(resourcesOf(json, "aws_vpc_endpoint").filter(([, e]) => e.vpc_endpoint_type === "Gateway").map(([n]) => ref("aws_vpc_endpoint", n, "prefix_list_id")));
      const sgName = (r: string) => `aws_security_group.${refName(r, "aws_security_group", "id") ?? r}`;
      for (const [rn, r] of resourcesOf(json, "aws_vpc_security_group_egress_rule").filter(([, x]) => x.security_group_id === merchantSg)) {
        const peer = r.referenced_security_group_id;
        const https = r.ip_protocol === "tcp" && r.from_port === 443 && r.to_port === 443;
        const ok = peer === merchantSg || peer === nodeSg || (https && (peer === clusterSg || endpointSgs.has(peer) || s3PrefixLists.has(r.prefix_list_id)));
        if (!ok) v.push(`aws_vpc_security_group_egress_rule.${rn}: the merchant nodes reach ${r.cidr_ipv4 ?? peer ?? r.prefix_list_id} on ${r.ip_protocol} ${r.from_port ?? "all"}-${r.to_port ?? "all"}`);
      }
      for (const [rn, r] of resourcesOf(json, "aws_vpc_security_group_ingress_rule").filter(([, x]) => x.referenced_security_group_id === merchantSg && x.security_group_id !== merchantSg && x.security_group_id !== nodeSg)) {
        v.push(`aws_vpc_security_group_ingress_rule.${rn}: ${sgName(r.security_group_id)} admits the merchant nodes`);
      }
      for (const [rn] of resourcesOf(json, "aws_security_group_rule").filter(([, r]) => r.security_group_id === merchantSg || r.source_security_group_id === merchantSg)) v.push(`aws_security_group_rule.${rn}: a legacy rule on the merchant nodes' group`);
      for (const [an, a] of resourcesOf(json, "aws_autoscaling_attachment")) {
        if (String(a.autoscaling_group_name).includes(`aws_eks_node_group.${gn}.`)) v.push(`aws_autoscaling_attachment.${an}: the merchant nodes behind a load balancer`);
      }
      return v;
    },
  },
  {
    id: "eks.control-plane-reaches-istio",
    requirement: "1.3.1",
    fix: "Keep the node security group's rules from the control plane on the kubelet, webhook, 15017 and 15012 ports only (besides a load balancer on exactly its ip targets' ports and AMP's collector on the sidecars' metrics port 15090), and the API open to the workload tier on 443 only.",
    description: "the node security group admits the control plane on kubelet, webhooks, 15017 and 15012, and nothing else but itself, a load balancer's security group on exactly the ports of its ip targets (traffic, health checks) and an AMP collector's on the sidecars' Envoy metrics port (15090); the API admits the workload tier on 443 only",
    check: ({ json, region }) => {
      const [cn] = single(json, "aws_eks_cluster") ?? [];
      const cluster = cn ? json.resource.aws_eks_cluster[cn] : undefined;
      const clusterSg = asList(cluster?.vpc_config?.security_group_ids)[0];
      const nodeSg = eksNodeSecurityGroupRef(json);
      const merchantSg = merchantNodeSecurityGroupRef(json);
      if (!clusterSg || !nodeSg) return ["aws_eks_cluster: the cluster or node security group (launch template) not found"];
      const v: string[] = [];
      const ingress = resourcesOf(json, "aws_vpc_security_group_ingress_rule");
      for (const { port, label } of CONTROL_PLANE_TO_NODE_PORTS) {
        if (!ingress.some(([, r]) => r.security_group_id === nodeSg && r.referenced_security_group_id === clusterSg && r.from_port === port && r.to_port === port)) v.push(`aws_security_group.${refName(nodeSg, "aws_security_group", "id") ?? nodeSg}: no ${label} (${port}) from the control plane`);
      }
      const lbPorts = loadBalancerTargetPorts(json);
      // AMP's managed collectors, by the security groups they run in.
      const scrapers = new Set(resourcesOf(json, "aws_prometheus_scraper").flatMap(([, x]) => asList<string>(one(one(x.source).eks).security_group_ids)));
      for (const [rn, r] of ingress.filter(([, r]) => r.security_group_id === nodeSg)) {
        const fromLoadBalancer = r.from_port === r.to_port && r.ip_protocol === "tcp" && (lbPorts.get(r.referenced_security_group_id)?.has(r.from_port) ?? false);
        const fromScraper = r.from_port === ENVOY_PROMETHEUS_PORT && r.to_port === ENVOY_PROMETHEUS_PORT && r.ip_protocol === "tcp" && scrapers.has(r.referenced_security_group_id);
        // The merchants' nodes are the mesh's too (their pods call and are called through it); mesh.namespaces-segmented holds what crosses.
        // Stryker disable next-line ConditionalExpression: equivalent (a rule never references an undefined group)
        const fromMerchants = merchantSg !== undefined && r.referenced_security_group_id === merchantSg;
        if (r.referenced_security_group_id !== clusterSg && r.referenced_security_group_id !== nodeSg && !fromLoadBalancer && !fromScraper && !fromMerchants) v.push(`aws_vpc_security_group_ingress_rule.${rn}: nodes admit ${r.cidr_ipv4 ?? r.referenced_security_group_id ?? r.prefix_list_id}${r.referenced_security_group_id ? ` on ${r.from_port}-${r.to_port}` : ""}`);
      }
      for (const [rn, r] of ingress.filter(([, r]) => r.security_group_id === clusterSg)) {
        if (r.from_port !== 443 || r.to_port !== 443 || !region.network.subnets.workload.includes(r.cidr_ipv4)) v.push(`aws_vpc_security_group_ingress_rule.${rn}: the API admits ${r.cidr_ipv4 ?? r.referenced_security_group_id} on ${r.from_port}-${r.to_port}`);
      }
      for (const [rn] of resourcesOf(json, "aws_security_group_rule").filter(([, r]) => [nodeSg, clusterSg].includes(r.security_group_id))) v.push(`aws_security_group_rule.${rn}: a legacy rule on an EKS group`);
      return v;
    },
  },
  {
    id: "eks.network-policies-enforced",
    requirement: "1.3, 1.4",
    fix: "Keep the vpc-cni addon with configuration_values {\"enableNetworkPolicy\":\"true\"}.",
    description: "the managed VPC CNI runs its network policy agent, so the workload namespaces' NetworkPolicies are enforced, not just stored",
    check: ({ json }) => {
      const cni = resourcesOf(json, "aws_eks_addon").filter(([, a]) => a.addon_name === "vpc-cni");
      if (cni.length !== 1) return [`aws_eks_addon: ${cni.length} vpc-cni add-ons, expected 1`];
      const [n, a] = cni[0];
      let values: TfJson = {};
      try {
        values = JSON.parse(a.configuration_values ?? "{}");
      } catch {
        return [`aws_eks_addon.${n}: configuration_values is not JSON`];
      }
      return values.enableNetworkPolicy === "true" ? [] : [`aws_eks_addon.${n}: enableNetworkPolicy is ${JSON.stringify(values.enableNetworkPolicy)}, expected "true"`];
    },
  },
  {
    id: "eks.private-images",
    requirement: "6.3.3, 11.3.1",
    fix: "Pull images and charts from the region's ECR repositories (IMMUTABLE tags, scan on push, ecr key); declare new services in the region file to get their repository.",
    description: "a private ECR repository for Istio's images and charts, the workload CA chain's where the region has one, and every declared service: immutable tags, scan on push, encrypted with the ecr key",
    check: ({ json, region }) => {
      const expected = mirroredImages(region).sort();
      const repos = resourcesOf(json, "aws_ecr_repository");
      const v: string[] = [];
      if (JSON.stringify(repos.map(([, r]) => r.name).sort()) !== JSON.stringify(expected)) v.push(`aws_ecr_repository: ${JSON.stringify(repos.map(([, r]) => r.name).sort())}, expected ${JSON.stringify(expected)}`);
      for (const [n, r] of repos) {
        const enc = asList(r.encryption_configuration)[0];
        if (r.image_tag_mutability !== "IMMUTABLE") v.push(`aws_ecr_repository.${n}: mutable tags`);
        if (r.image_scanning_configuration?.scan_on_push !== true) v.push(`aws_ecr_repository.${n}: no scan on push`);
        // Stryker disable next-line OptionalChaining: equivalent for enc?.kms_key (without an encryption block the first condition already holds)
        if (enc?.encryption_type !== "KMS" || !isKeyArnRef(enc?.kms_key, keyNameByAlias(json, "ecr"))) v.push(`aws_ecr_repository.${n}: not encrypted with the ecr key`);
        if (r.force_delete === true) v.push(`aws_ecr_repository.${n}: force_delete`);
      }
      return v;
    },
  },
  {
    id: "eks.workload-identity-least-privilege",
    requirement: "7.2.1, 7.2.2",
    fix: "Declare a service's AWS access in the region file (services[].access); the blueprint generates a Pod Identity role scoped to it. Never Action * on Resource *.",
    description: "one Pod Identity role per service with AWS access (and the log shipper's, and the PCA issuer's where the region has an intermediate CA), trusted by this cluster only; only services declaring it use the tokenization key or write audit records (under their own prefix); no IAM policy allows * actions",
    check: ({ json, region }) => {
      const v: string[] = [];
      const withAws = region.services.filter((s) => s.access);
      const assocs = resourcesOf(json, "aws_eks_pod_identity_association");
      const identities = assocs.map(([, a]) => `${a.namespace}/${a.service_account}`).sort();
      // The PCA issuer is the platform's identity where the region has an intermediate CA (mesh.ca-issuer-least-privilege).
      // And the log shipper's (detection.container-logs-shipped checks what it may do).
      const platform = [...(region.mesh.rootCaArn ? [`${PKI_NAMESPACE}/${PCA_ISSUER_SERVICE_ACCOUNT}`] : []), `${LOG_SHIPPER.namespace}/${LOG_SHIPPER.serviceAccount}`];
      const expected = [...withAws.map((s) => `${s.namespace}/${s.serviceAccount ?? s.name}`), ...platform].sort();
      if (JSON.stringify(identities) !== JSON.stringify(expected)) v.push(`aws_eks_pod_identity_association: ${JSON.stringify(identities)}, expected ${JSON.stringify(expected)}`);
      const roles = Object.fromEntries(resourcesOf(json, "aws_iam_role"));
      for (const [an, a] of assocs) {
        const role = refName(a.role_arn, "aws_iam_role", "arn");
        // Stryker disable next-line ArrayDeclaration: equivalent (any non-statement fails the trust check as the empty list does)
        const trust = role ? statementsOf(roles[role].assume_role_policy) : [];
        const eq = trust[0]?.Condition?.StringEquals ?? {};
        const ok =
          trust.length === 1 &&
          JSON.stringify(trust[0].Principal) === JSON.stringify({ Service: "pods.eks.amazonaws.com" }) &&
          String(eq[`aws:RequestTag/${POD_IDENTITY_SESSION_TAGS.clusterArn}`]).startsWith("${aws_eks_cluster.") &&
          eq[`aws:RequestTag/${POD_IDENTITY_SESSION_TAGS.namespace}`] === a.namespace &&
          eq[`aws:RequestTag/${POD_IDENTITY_SESSION_TAGS.serviceAccount}`] === a.service_account;
        if (!ok) v.push(`aws_eks_pod_identity_association.${an}: role not trusted by this cluster's Pod Identity for ${a.namespace}/${a.service_account} only`);
      }
      // Every service that declares database access can log in.
      // Stryker disable next-line OptionalChaining: equivalent (every service of withAws has access)
      for (const s of withAws.filter((x) => x.access?.database)) {
        // Stryker disable next-line MethodExpression: equivalent for .some (a login on any other user fails below)
        const logins = resourcesOf(json, "aws_iam_role_policy").flatMap(([, p]) => statementsOf(String(p.policy))).filter((st) => asList(st.Action).includes("rds-db:connect") && asList(st.Resource).some((r) => String(r).endsWith(`/${s.name}`)));
        if (logins.length === 0) v.push(`aws_iam_role_policy: ${s.name} declares database access but its role cannot log in (rds-db:connect)`);
      }
      const tokenizationKeys = resourcesOf(json, "aws_kms_key").filter(([, k]) => String(k.description).includes("tokenization")).map(([kn]) => ref("aws_kms_key", kn, "arn"));
      // The service a role belongs to, through its Pod Identity association.
      const serviceOfRole = (roleNameRef: string) => {
        const assoc = assocs.find(([, a]) => refName(a.role_arn, "aws_iam_role", "arn") === refName(roleNameRef, "aws_iam_role", "name"))?.[1];
        return assoc ? withAws.find((s) => s.namespace === assoc.namespace && (s.serviceAccount ?? s.name) === assoc.service_account) : undefined;
      };
      for (const [pn, p] of [...resourcesOf(json, "aws_iam_role_policy").map(([n, b]) => [`aws_iam_role_policy.${n}`, b] as const), ...resourcesOf(json, "aws_iam_policy").map(([n, b]) => [`aws_iam_policy.${n}`, b] as const)]) {
        const service = p.role ? serviceOfRole(p.role) : undefined;
        for (const s of statementsOf(p.policy)) {
          const actions = asList(s.Action);
          const resources = asList(s.Resource).map(String);
          if (s.Effect === "Allow" && actions.some((x) => x === "*" || x.endsWith(":*"))) v.push(`${pn}: statement ${s.Sid} allows ${actions.join(", ")}`);
          // Stryker disable next-line OptionalChaining: equivalent for access?. (a chain stops at an undefined service)
          // Use, not administration (the key deletion guard may cancel a deletion, which encrypts nothing).
          const usesKeys = actions.some((x) => KEY_USE_ACTIONS.some((u) => actionPatternMatches(x, u)));
          if (s.Effect === "Allow" && usesKeys && resources.some((r) => tokenizationKeys.includes(r)) && !service?.access?.tokenizationKey) v.push(`${pn}: uses a tokenization key without declaring it`);
          // A database login only for a service that declares it, as the user of its own name on this stack's cluster.
          // Stryker disable next-line Regex: equivalent (no IAM action merely contains or extends rds-db:connect)
          if (s.Effect === "Allow" && actions.some((x) => /^rds-db:(connect|\*)$/.test(x) || x === "*")) {
            // Only called for a service that declares database access.
            const own = (r: string) => /:dbuser:\$\{aws_rds_cluster\.[^.]+\.cluster_resource_id\}\//.test(r) && r.endsWith(`/${service!.name}`);
            // Stryker disable next-line OptionalChaining: equivalent for access?. (a chain stops at an undefined service)
            if (!service?.access?.database || !resources.every(own)) v.push(`${pn}: logs in to a database as ${resources.join(", ")} without declaring it, or as another user`);
          }
          // Only a workload writes to a bucket, under its declared prefix; the one exception is S3
          // replication writing replicas into the DR partner region's buckets.
          // Stryker disable next-line Regex: equivalent for the anchors (an action is s3:<name>; a resource is a bucket reference or another ARN)
          const replicaOnly = actions.every((x) => /^s3:Replicate(Object|Tags)$/.test(x)) && resources.every((r) => /^\$\{aws_s3_bucket\.([^.]+)\.arn\}\/\*$/.test(r) && json.resource.aws_s3_bucket[/^\$\{aws_s3_bucket\.([^.]+)\./.exec(r)![1]]?.provider === "aws.dr");
          // And AWS Config's recorder, a role only config.amazonaws.com assumes, delivering under Config's own prefix.
          const configDelivery =
            configRole(json, p.role) &&
            actions.every((x) => x === "s3:PutObject") &&
            resources.every((r) => new RegExp(`^\\$\\{aws_s3_bucket\\.[^.]+\\.arn\\}/${CONFIG_PREFIX}/AWSLogs/${region.accountId}/Config/\\*$`).test(r));
          // Stryker disable next-line Regex: equivalent for the anchors (an action is <service>:<name>)
          const writes = !replicaOnly && !configDelivery && s.Effect === "Allow" && actions.some((x) => /^(s3:(Put|Delete|Replicate|Restore|Bypass)\w*|s3:\*|\*)$/i.test(x));
          for (const r of writes ? resources.filter((x) => x.includes(":s3:::") || x.includes("aws_s3_bucket.")) : []) {
            // Stryker disable next-line OptionalChaining: equivalent for access?. (a chain stops at an undefined service)
            const prefix = service?.access?.auditWritePrefix;
            if (!prefix || !r.endsWith(`/${prefix}*`)) v.push(`${pn}: writes ${r} outside its declared audit prefix`);
          }
        }
      }
      return v;
    },
  },
]);
