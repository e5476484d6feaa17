/**
 * The VPC of an AWS region: its subnet tiers, its interface endpoints beyond the defaults
 * (`DEFAULT_INTERFACE_ENDPOINTS` in config/catalog.ts), the TLS policies the partner API may use.
 */
import type { AwsRegionConfig } from "../../config/schema";
import { SUBNET_TIERS } from "../../config/schema";

/** The subnet tiers, each with one subnet per availability zone. */
export const NETWORK_TIERS = SUBNET_TIERS;

export type NetworkTier = (typeof NETWORK_TIERS)[number];

/**
 * The region's interface endpoints beyond the defaults: the configured ones, and ACM PCA where the
 * region has a mesh intermediate (the PCA issuer calls it; the VPC has no other way out).
 */
export function extraInterfaceEndpoints(region: AwsRegionConfig): string[] {
  const extra = [...region.network.extraInterfaceEndpoints];
  if (region.mesh.rootCaArn && !extra.includes("acm-pca")) extra.push("acm-pca");
  return extra;
}

/**
 * TLS policies an NLB listener may use here: TLS 1.3 with 1.2 as the floor (PCI DSS 4.2.1,
 * strong cryptography). Older policies allow TLS 1.0/1.1 or weak ciphers.
 */
export const ALLOWED_TLS_POLICIES = [
  "ELBSecurityPolicy-TLS13-1-2-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
  "ELBSecurityPolicy-TLS13-1-3-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
] as const;

/**
 * Interface endpoints that keep the full-access default: Amazon EKS documents that its endpoints
 * take no endpoint policy ("VPC endpoint policies are not supported for Amazon EKS"; eks-auth, Pod
 * Identity's, is on the same page), and EC2 refuses one on such a service with "only supports the
 * full-access endpoint policy". Their security group still admits the VPC only.
 */
export const ENDPOINTS_WITHOUT_POLICY: readonly string[] = ["eks", "eks-auth"];

/**
 * Interface endpoints limited by principal only, as their service documents: GuardDuty's runtime
 * agent reports through guardduty-data, whose documented endpoint policy conditions on
 * aws:PrincipalAccount alone (which resource account its calls carry, if any, is not documented).
 */
export const PRINCIPAL_ONLY_ENDPOINTS: readonly string[] = ["guardduty-data"];

/** Reading an image: what a node's pull of an AWS-owned EKS add-on image (or GuardDuty's agent) needs. */
export const ECR_PULL_ACTIONS = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"] as const;

/** One statement of an endpoint policy (the shape of IAM's, Principal always "*"). */
export interface EndpointPolicyStatement {
  readonly Sid: string;
  readonly Effect: "Allow";
  readonly Principal: "*";
  readonly Action: string | readonly string[];
  readonly Resource: "*";
  readonly Condition: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

/**
 * The accounts whose resources the region's principals may use through its endpoints: its own,
 * and, for ACM PCA, the account of the platform's root CA (which signs the intermediate's CSR).
 */
export function endpointResourceAccounts(region: AwsRegionConfig, service: string): string[] {
  const root = region.mesh.rootCaArn ? /^arn:[^:]+:acm-pca:[^:]+:(\d{12}):/.exec(region.mesh.rootCaArn)?.[1] : undefined;
  return service === "acm-pca" && root && root !== region.accountId ? [region.accountId, root] : [region.accountId];
}

/**
 * The policy of an interface endpoint (undefined where the service takes none): only principals of
 * the region's account pass, and only on resources of the accounts endpointResourceAccounts names,
 * or in calls that name no resource's account (aws:ResourceAccount absent: Describe and List
 * calls, ecr:GetAuthorizationToken); on ECR also reads of images of any account (EKS's add-ons
 * and GuardDuty's agent come from AWS-owned registries whose accounts differ by region), never a
 * push. A stolen credential of another account, or a pod writing to another account's key, secret,
 * log group or registry through the VPC, is refused at the endpoint.
 */
export function interfaceEndpointPolicy(region: AwsRegionConfig, service: string): EndpointPolicyStatement[] | undefined {
  if (ENDPOINTS_WITHOUT_POLICY.includes(service)) return undefined;
  const principal = { "aws:PrincipalAccount": region.accountId };
  if (PRINCIPAL_ONLY_ENDPOINTS.includes(service)) {
    return [{ Sid: "OwnPrincipalsOnly", Effect: "Allow", Principal: "*", Action: "*", Resource: "*", Condition: { StringEquals: principal } }];
  }
  const statements: EndpointPolicyStatement[] = [
    {
      Sid: "OwnPrincipalsOnOwnResources",
      Effect: "Allow",
      Principal: "*",
      Action: "*",
      Resource: "*",
      Condition: { StringEquals: { ...principal, "aws:ResourceAccount": endpointResourceAccounts(region, service) } },
    },
    {
      Sid: "OwnPrincipalsInCallsWithoutResourceAccount",
      Effect: "Allow",
      Principal: "*",
      Action: "*",
      Resource: "*",
      Condition: { StringEquals: principal, Null: { "aws:ResourceAccount": "true" } },
    },
  ];
  if (service === "ecr.api" || service === "ecr.dkr") {
    statements.push({ Sid: "OwnPrincipalsPullAwsOwnedImages", Effect: "Allow", Principal: "*", Action: [...ECR_PULL_ACTIONS], Resource: "*", Condition: { StringEquals: principal } });
  }
  return statements;
}
