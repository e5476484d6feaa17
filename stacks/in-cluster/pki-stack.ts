import { Release } from "@cdktf/provider-helm/lib/release";
import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { ClusterRoleV1 } from "@cdktf/provider-kubernetes/lib/cluster-role-v1";
import { ClusterRoleBindingV1 } from "@cdktf/provider-kubernetes/lib/cluster-role-binding-v1";
import { Construct } from "constructs";
import { RegionConfig } from "../../config/schema";
import { ISTIO_ROOT_NAMESPACE } from "../../model/mesh/policies";
import { CAS_APPROVAL, PKI_ECR_PATHS, PKI_NAMESPACE, casIssuerCrds, casIssuerManifests, certManagerValues, crdImportId, pcaIssuerCrds, pcaIssuerValues } from "../../model/mesh/pki";
import { CAS_OUTPUT_IDS } from "../../model/gcp/pki";
import { MESH_PKI_RELEASES } from "../../config/catalog";
import { clusterPlatform, hasMeshPki } from "../../model/mesh/in-cluster";
import type { ITerraformDependable } from "../../core/cdktf";
import { ClusterStack, RELEASE_DEFAULTS, grantCaIssuer } from "./cluster-stack";

/**
 * `region-<name>-pki`, where the region has an intermediate CA: cert-manager from the private
 * registry (chart and images), then the issuer that signs through the intermediate, with its CRDs
 * applied by the stack (they upgrade with the release), so that `region-<name>-istio` can plan the
 * issuer and install istio-csr. In the cluster the issuer has the blueprint's RBAC, not its
 * chart's (grantCaIssuer).
 * - AWS: the AWS PCA issuer's chart; it calls ACM PCA as its EKS Pod Identity (`region-<name>`
 *   grants it IssueCertificate on the intermediate only).
 * - GCP: Google's CAS issuer, without its chart (whose ClusterRole reads every Secret and cannot be
 *   switched off): its service account, Deployment and disruption budget, and the approval right
 *   the chart would give cert-manager; it calls CA Service as the Google identity `region-<name>`
 *   lets it act as through Workload Identity (certificateRequester on the mesh's pool only).
 */
export class PkiStack extends ClusterStack {
  readonly certManager: Release;
  /** The issuer's CRDs, applied by the stack. */
  readonly issuerCrds: readonly Manifest[];
  /** The AWS PCA issuer's release (AWS). */
  readonly pcaIssuer?: Release;
  /** The CAS issuer's objects (GCP): its service account, Deployment and disruption budget. */
  readonly casIssuer?: readonly Manifest[];

  constructor(scope: Construct, region: RegionConfig, peers?: readonly RegionConfig[]) {
    super(scope, region, "pki", peers);
    if (!hasMeshPki(region)) throw new Error(`region-${region.name}-pki: the region has no signed intermediate CA to issue from (mesh.rootCaArn${region.cloud === "gcp" ? ", mesh.intermediateCertificate" : ""}).`);
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
    // The issuer's rights, in place of its chart's ClusterRole (which reads every Secret), before it starts.
    const grants = grantCaIssuer(this, region, "pki", ISTIO_ROOT_NAMESPACE, [namespace]);
    // The issuer's CRDs at its release, applied here (the PCA issuer's chart keeps them in crds/,
    // which Helm never upgrades; the CAS issuer has no chart here). Forced over Helm's field manager,
    // which owns them on clusters installed before (imported there, mesh.adoptHelmInstalledPkiCrds);
    // never destroyed with the stack (every issuer would go with them); Established before the issuer starts.
    const crds = region.cloud === "aws" ? pcaIssuerCrds() : casIssuerCrds();
    this.issuerCrds = crds.map((crd) => {
      const manifest = new Manifest(this, `${(crd.spec as { names: { kind: string } }).names.kind}Crd`, {
        manifest: crd,
        fieldManager: { name: "terraform", forceConflicts: true },
        wait: { condition: [{ type: "Established", status: "True" }] },
        lifecycle: { preventDestroy: true },
      });
      if (region.mesh.adoptHelmInstalledPkiCrds) manifest.importFrom(crdImportId(crd));
      return manifest;
    });
    const before: ITerraformDependable[] = [this.certManager, ...grants, ...this.issuerCrds];
    if (region.cloud === "aws") {
      this.pcaIssuer = new Release(this, "PcaIssuer", {
        ...release,
        name: "aws-privateca-issuer",
        chart: "aws-privateca-issuer",
        version: MESH_PKI_RELEASES.awsPcaIssuer.chart,
        values: [JSON.stringify(pcaIssuerValues(registry))],
        skipCrds: true,
        dependsOn: before,
      });
      return;
    }
    // cert-manager's approver may approve requests to the CAS issuers (the chart's approval role).
    const approval = new ClusterRoleV1(this, "CasApprovalClusterRole", {
      metadata: { name: CAS_APPROVAL.name },
      rule: CAS_APPROVAL.rules.map((r) => ({ apiGroups: [...r.apiGroups], resources: [...r.resources], verbs: [...r.verbs], resourceNames: [...r.resourceNames] })),
      dependsOn: [namespace],
    });
    const approvalBinding = new ClusterRoleBindingV1(this, "CasApprovalClusterRoleBinding", {
      metadata: { name: CAS_APPROVAL.name },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: CAS_APPROVAL.name },
      subject: [{ ...CAS_APPROVAL.subject }],
      dependsOn: [approval],
    });
    // Its service account first (the Deployment's pods need it), then the Deployment, waited for
    // until rolled out, and its disruption budget.
    const [account, deployment, budget] = casIssuerManifests(registry, this.regionState.getString(CAS_OUTPUT_IDS.issuerAccount));
    const sa = new Manifest(this, "CasIssuerServiceAccount", { manifest: account, dependsOn: [namespace] });
    const issuer = new Manifest(this, "CasIssuerDeployment", { manifest: deployment, wait: { rollout: true }, dependsOn: [...before, sa, approvalBinding] });
    const pdb = new Manifest(this, "CasIssuerDisruptionBudget", { manifest: budget, dependsOn: [issuer] });
    this.casIssuer = [sa, issuer, pdb];
  }
}
