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
