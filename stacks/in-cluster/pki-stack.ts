import { Release } from "@cdktf/provider-helm/lib/release";
import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { Construct } from "constructs";
import { AwsRegionConfig } from "../../config/schema";
import { ISTIO_ROOT_NAMESPACE } from "../../model/mesh/policies";
import { PKI_ECR_PATHS, PKI_NAMESPACE, certManagerValues, crdImportId, pcaIssuerCrds, pcaIssuerValues } from "../../model/mesh/pki";
import { MESH_PKI_RELEASES } from "../../config/catalog";
import { clusterPlatform, hasMeshPki } from "../../model/mesh/in-cluster";
import { ClusterStack, RELEASE_DEFAULTS, grantPcaIssuer } from "./cluster-stack";

/**
 * `region-<name>-pki`, where the region has an intermediate CA in ACM PCA: cert-manager and the AWS
 * PCA issuer from the private ECR (charts and images), with their CRDs (cert-manager's through its
 * chart's templates, the issuer's applied from the pinned release: both upgrade with the release), so that
 * `region-<name>-istio` can plan the issuer and install istio-csr. The issuer calls ACM PCA as its
 * EKS Pod Identity (`region-<name>` grants it IssueCertificate on the intermediate only); in the
 * cluster it has the blueprint's RBAC, not its chart's (grantPcaIssuer).
 */
export class PkiStack extends ClusterStack {
  readonly certManager: Release;
  readonly pcaIssuer: Release;
  /** The PCA issuer's CRDs, applied by the stack (the chart installs them once only). */
  readonly pcaIssuerCrds: readonly Manifest[];

  constructor(scope: Construct, region: AwsRegionConfig) {
    super(scope, region, "pki");
    if (!hasMeshPki(region)) throw new Error(`region-${region.name}-pki: the region names no mesh.rootCaArn, so it has no intermediate CA to issue from.`);
    new HelmProvider(this, "helm", { kubernetes: this.api });
    const registry = clusterPlatform(region).registry;
    const namespace = new NamespaceV1(this, "Namespace", { metadata: { name: PKI_NAMESPACE } });
    const release = { ...RELEASE_DEFAULTS, repository: `oci://${registry}/${PKI_ECR_PATHS.charts}`, namespace: PKI_NAMESPACE };
    this.certManager = new Release(this, "CertManager", {
      ...release,
      name: "cert-manager",
      chart: "cert-manager",
      version: MESH_PKI_RELEASES.certManager.chart,
      values: [JSON.stringify(certManagerValues(registry))],
      dependsOn: [namespace],
    });
    // The issuer's rights, in place of the chart's ClusterRole (which reads every Secret), before it starts.
    const grants = grantPcaIssuer(this, "pki", ISTIO_ROOT_NAMESPACE, [namespace]);
    // The issuer's CRDs at its release, applied here: Helm never upgrades a chart's crds/. Forced
    // over Helm's field manager, which owns them on clusters installed before (imported there,
    // mesh.adoptHelmInstalledPkiCrds); never destroyed with the stack (every issuer would go with
    // them); Established before the chart starts the issuer.
    this.pcaIssuerCrds = pcaIssuerCrds().map((crd) => {
      const manifest = new Manifest(this, `${(crd.spec as { names: { kind: string } }).names.kind}Crd`, {
        manifest: crd,
        fieldManager: { name: "terraform", forceConflicts: true },
        wait: { condition: [{ type: "Established", status: "True" }] },
        lifecycle: { preventDestroy: true },
      });
      if (region.mesh.adoptHelmInstalledPkiCrds) manifest.importFrom(crdImportId(crd));
      return manifest;
    });
    this.pcaIssuer = new Release(this, "PcaIssuer", {
      ...release,
      name: "aws-privateca-issuer",
      chart: "aws-privateca-issuer",
      version: MESH_PKI_RELEASES.awsPcaIssuer.chart,
      values: [JSON.stringify(pcaIssuerValues(registry))],
      skipCrds: true,
      dependsOn: [this.certManager, ...grants, ...this.pcaIssuerCrds],
    });
  }
}
