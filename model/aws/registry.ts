/**
 * The region's private ECR: what is mirrored there (Istio, the workload CA chain, every declared
 * service) and under which repository names.
 */
import type { AwsRegionConfig } from "../../config/schema";
import { PKI_IMAGES, PKI_CHARTS } from "../mesh/pki";

/**
 * Where Istio lives in the region's ECR: images at `istio/<image>` (the Helm `global.hub`), Helm
 * charts as OCI artifacts at `charts/istio/<chart>` (`helm push <chart>.tgz oci://<registry>/charts/istio`).
 */
export const ISTIO_ECR_PATHS = { images: "istio", charts: "charts/istio" } as const;

/** Images of the Istio control plane, the sidecars and the CNI node agent, mirrored into the region's ECR. */
const ISTIO_IMAGES: readonly string[] = ["pilot", "proxyv2", "install-cni"].map((image) => `${ISTIO_ECR_PATHS.images}/${image}`);

/** Istio's Helm charts, mirrored into the region's ECR. */
const ISTIO_CHARTS: readonly string[] = ["base", "cni", "istiod"].map((chart) => `${ISTIO_ECR_PATHS.charts}/${chart}`);

/** Istio's gateway chart, for the partner gateway where the region declares partners. */
const GATEWAY_CHART = `${ISTIO_ECR_PATHS.charts}/gateway`;

/** The ECR repositories of a region: Istio (and its gateway chart where the region has partners), the workload CA chain where the region has one, every declared service. */
export function mirroredImages(region: AwsRegionConfig): string[] {
  return [
    ...ISTIO_IMAGES,
    ...ISTIO_CHARTS,
    ...(region.edge ? [GATEWAY_CHART] : []),
    ...(region.mesh.rootCaArn ? [...PKI_IMAGES, ...PKI_CHARTS] : []),
    ...region.services.map(serviceImage),
  ];
}

/** The region's private ECR registry. */
export function ecrRegistry(region: Pick<AwsRegionConfig, "accountId" | "cloudRegion">): string {
  return `${region.accountId}.dkr.ecr.${region.cloudRegion}.amazonaws.com`;
}

/** The ECR repository of a service's image. */
function serviceImage(service: { readonly namespace: string; readonly name: string }): string {
  return `${service.namespace}/${service.name}`;
}
