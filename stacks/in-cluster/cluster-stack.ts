import { Release } from "@cdktf/provider-helm/lib/release";
import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { ClusterRoleV1 } from "@cdktf/provider-kubernetes/lib/cluster-role-v1";
import { ClusterRoleBindingV1 } from "@cdktf/provider-kubernetes/lib/cluster-role-binding-v1";
import { RoleV1 } from "@cdktf/provider-kubernetes/lib/role-v1";
import { RoleBindingV1 } from "@cdktf/provider-kubernetes/lib/role-binding-v1";
import { Construct } from "constructs";
import { AwsRegionConfig, RegionConfig } from "../../config/schema";
import { DataTerraformRemoteStateGcs, DataTerraformRemoteStateS3, Fn } from "../../core/cdktf";
import type { ITerraformDependable } from "../../core/cdktf";
import { ISTIO_ROOT_NAMESPACE, MeshManifest, meshManifests, workloadNamespaces } from "../../model/mesh/policies";
import { MESH_CA_OUTPUT_IDS, PCA_ISSUER_RBAC_NAME, PCA_ISSUER_SERVICE_ACCOUNT, PKI_ECR_PATHS, PKI_NAMESPACE, TRUST_ANCHOR_CONFIG_MAP, certManagerValues, istioCsrValues, meshCaIssuer, pcaIssuerGrants, pcaIssuerValues } from "../../model/mesh/pki";
import { MESH_PKI_RELEASES } from "../../config/catalog";
import { RegionStack } from "../../core/blueprint-stack";
import { ISTIO_ECR_PATHS } from "../../model/aws/registry";
import { clusterPlatform, meshDesign, hasMeshPki, istiodValues } from "../../model/mesh/cluster";

/** The state object of one of a region's stacks: `regions/eu/terraform.tfstate` → `regions/eu/terraform-istio.tfstate`. */
export function stateKey(region: AwsRegionConfig, suffix: string): string {
  return `${region.stateBackend.key.replace(/\.tfstate$/, "")}-${suffix}.tfstate`;
}

/** The GCS prefix of one of a region's stacks, beside the region's: `regions/apac` → `regions/apac-istio`. */
export function gcsStatePrefix(prefix: string, suffix: string): string {
  return `${prefix.replace(/\/$/, "")}-${suffix}`;
}

/** The Helm release settings shared by the in-cluster stacks: wait, roll back a failed install, keep 10 revisions. */
const RELEASE_DEFAULTS = { wait: true, timeout: 600, atomic: true, cleanupOnFail: true, maxHistory: 10 } as const;

/**
 * Base of the stacks that act inside a region's cluster (EKS or GKE): their own state next to the
 * region's, and providers configured from the cluster endpoint and CA that `region-<name>` outputs.
 * Tokens come from the cloud's credential plugin (`aws eks get-token` as the deploy role, an access
 * entry of the cluster; `gke-gcloud-auth-plugin` as the deploy identity). The API endpoint is
 * private: these stacks are applied from inside the network (README, deploy order).
 */
abstract class ClusterStack extends RegionStack {
  /** The state of `region-<name>`: its outputs. */
  protected readonly regionState: DataTerraformRemoteStateS3 | DataTerraformRemoteStateGcs;
  /** The provider settings for the cluster's API. */
  protected readonly api: { readonly host: string; readonly clusterCaCertificate: string; readonly exec: { readonly apiVersion: string; readonly command: string; readonly args: string[] } };

  constructor(scope: Construct, region: RegionConfig, suffix: "pki" | "istio" | "mesh") {
    super(scope, `region-${region.name}-${suffix}`, region, suffix);
    let regionState: DataTerraformRemoteStateS3 | DataTerraformRemoteStateGcs;
    if (region.cloud === "aws") {
      this.useRegionStateBackend(stateKey(region, suffix));
      const state = region.stateBackend;
      regionState = new DataTerraformRemoteStateS3(this, "RegionState", { bucket: state.bucket, key: state.key, region: state.region });
    } else {
      this.useGcsStateBackend(gcsStatePrefix(region.stateBackend.prefix, suffix));
      regionState = new DataTerraformRemoteStateGcs(this, "RegionState", { bucket: region.stateBackend.bucket, prefix: region.stateBackend.prefix });
    }
    this.regionState = regionState;
    const platform = clusterPlatform(region);
    this.api = {
      host: `${platform.hostPrefix}${regionState.getString(platform.outputs.endpoint)}`,
      clusterCaCertificate: Fn.base64decode(regionState.getString(platform.outputs.certificateAuthority)),
      exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command: platform.exec.command, args: platform.exec.args(regionState.getString(platform.outputs.name)) },
    };
    new KubernetesProvider(this, "kubernetes", { host: this.api.host, clusterCaCertificate: this.api.clusterCaCertificate, exec: [this.api.exec] });
  }
}

/**
 * `region-<name>-istio`: the mesh's namespaces and Istio itself, from the private ECR (charts and
 * images), in Istio's order: the base chart (CRDs), then istiod with `wait`, so that the CRDs and
 * the webhook exist before `region-<name>-mesh` is planned.
 */
export class IstioStack extends ClusterStack {
  readonly base: Release;
  readonly istiod: Release;
  /** istio-csr, where the region has an intermediate CA. */
  readonly istioCsr?: Release;

  constructor(scope: Construct, region: RegionConfig) {
    super(scope, region, "istio");
    new HelmProvider(this, "helm", { kubernetes: this.api });

    const namespaceScope = new Construct(this, "Namespaces");
    const root = new NamespaceV1(namespaceScope, ISTIO_ROOT_NAMESPACE, { metadata: { name: ISTIO_ROOT_NAMESPACE } });
    for (const ns of workloadNamespaces(meshDesign(region))) {
      new NamespaceV1(namespaceScope, ns.name, { metadata: { name: ns.name, labels: { ...ns.labels } } });
    }

    const registry = clusterPlatform(region).registry;
    const chartRepository = `oci://${registry}/${ISTIO_ECR_PATHS.charts}`;
    const release = { ...RELEASE_DEFAULTS, repository: chartRepository, version: region.mesh.istioVersion, namespace: ISTIO_ROOT_NAMESPACE };

    // Where the region has an intermediate CA: the PCA issuer, the platform root as trust
    // anchor, and istio-csr, before istiod (which sends its own CSR and the sidecars' to istio-csr).
    const caReady: Release[] = [];
    if (hasMeshPki(region)) {
      const pki = new Construct(this, "WorkloadCa");
      // The PCA issuer may write here (its issuer's status, the CertificateRequests) and nowhere else.
      const grants = grantPcaIssuer(pki, "istio", ISTIO_ROOT_NAMESPACE, [root]);
      // Ready once the issuer has reached ACM PCA as its Pod Identity.
      const issuer = new Manifest(pki, "Issuer", {
        manifest: meshCaIssuer(this.regionState.getString(MESH_CA_OUTPUT_IDS.arn), region.cloudRegion, ISTIO_ROOT_NAMESPACE),
        wait: { condition: [{ type: "Ready", status: "True" }] },
        dependsOn: [root, ...grants],
      });
      const anchor = new ConfigMapV1(pki, "TrustAnchor", {
        metadata: { name: TRUST_ANCHOR_CONFIG_MAP, namespace: PKI_NAMESPACE },
        data: { "ca.pem": this.regionState.getString(MESH_CA_OUTPUT_IDS.trustAnchor) },
      });
      this.istioCsr = new Release(pki, "IstioCsr", {
        ...RELEASE_DEFAULTS,
        name: "cert-manager-istio-csr",
        chart: "cert-manager-istio-csr",
        repository: `oci://${registry}/${PKI_ECR_PATHS.charts}`,
        version: MESH_PKI_RELEASES.istioCsr.chart,
        namespace: PKI_NAMESPACE,
        values: [JSON.stringify(istioCsrValues(registry, region.mesh.trustDomain, ISTIO_ROOT_NAMESPACE))],
        dependsOn: [issuer, anchor, root],
      });
      caReady.push(this.istioCsr);
    }
    this.base = new Release(this, "IstioBase", {
      ...release,
      name: "istio-base",
      chart: "base",
      values: [JSON.stringify({ global: { istioNamespace: ISTIO_ROOT_NAMESPACE } })],
      dependsOn: [root],
    });
    // No `lint`: linting istiod's chart fails on its own templates (istio/istio#41792).
    this.istiod = new Release(this, "Istiod", {
      ...release,
      name: "istiod",
      chart: "istiod",
      values: [JSON.stringify(istiodValues(region))],
      dependsOn: [this.base, ...caReady],
    });
  }
}

/**
 * The PCA issuer's grants of one stack (pcaIssuerGrants): each Role or ClusterRole, then its
 * binding to the issuer's service account alone. Returns the bindings, for what must wait on them.
 */
function grantPcaIssuer(scope: Construct, layer: "pki" | "istio", issuerNamespace: string, after: ITerraformDependable[]): ITerraformDependable[] {
  const subject = [{ kind: "ServiceAccount", name: PCA_ISSUER_SERVICE_ACCOUNT, namespace: PKI_NAMESPACE }];
  const roleRef = (kind: string) => ({ apiGroup: "rbac.authorization.k8s.io", kind, name: PCA_ISSUER_RBAC_NAME });
  return pcaIssuerGrants(layer, issuerNamespace).map((grant) => {
    const rule = grant.rules.map((r) => ({ apiGroups: [...r.apiGroups], resources: [...r.resources], verbs: [...r.verbs] }));
    if (grant.kind === "ClusterRole") {
      const role = new ClusterRoleV1(scope, "PcaIssuerClusterRole", { metadata: { name: PCA_ISSUER_RBAC_NAME }, rule, dependsOn: after });
      return new ClusterRoleBindingV1(scope, "PcaIssuerClusterRoleBinding", { metadata: { name: PCA_ISSUER_RBAC_NAME }, roleRef: roleRef("ClusterRole"), subject, dependsOn: [role] });
    }
    const metadata = { name: PCA_ISSUER_RBAC_NAME, namespace: grant.namespace! };
    const id = grant.namespace === PKI_NAMESPACE ? "PcaIssuerLeaderElection" : "PcaIssuerSigning";
    const role = new RoleV1(scope, `${id}Role`, { metadata, rule, dependsOn: after });
    return new RoleBindingV1(scope, `${id}RoleBinding`, { metadata, roleRef: roleRef("Role"), subject, dependsOn: [role] });
  });
}

/**
 * `region-<name>-pki`, where the region has an intermediate CA in ACM PCA: cert-manager and the AWS
 * PCA issuer from the private ECR (charts and images), with their CRDs, so that
 * `region-<name>-istio` can plan the issuer and install istio-csr. The issuer calls ACM PCA as its
 * EKS Pod Identity (`region-<name>` grants it IssueCertificate on the intermediate only); in the
 * cluster it has the blueprint's RBAC, not its chart's (grantPcaIssuer).
 */
export class PkiStack extends ClusterStack {
  readonly certManager: Release;
  readonly pcaIssuer: Release;

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
    this.pcaIssuer = new Release(this, "PcaIssuer", {
      ...release,
      name: "aws-privateca-issuer",
      chart: "aws-privateca-issuer",
      version: MESH_PKI_RELEASES.awsPcaIssuer.chart,
      values: [JSON.stringify(pcaIssuerValues(registry))],
      dependsOn: [this.certManager, ...grants],
    });
  }
}

/**
 * `region-<name>-mesh`: the mesh's policies as `kubernetes_manifest`s, planned only once Istio's
 * CRDs exist (after `region-<name>-istio`): STRICT mTLS, deny-all in every workload namespace, the
 * ALLOW policies of the declared calls, the merchant namespaces' NetworkPolicies.
 */
export class MeshStack extends ClusterStack {
  readonly manifests: readonly MeshManifest[];

  constructor(scope: Construct, region: RegionConfig) {
    super(scope, region, "mesh");
    this.manifests = meshManifests(meshDesign(region));
    const scopes = new Map<string, Construct>();
    for (const m of this.manifests) {
      const namespace = m.metadata!.namespace!;
      let nsScope = scopes.get(namespace);
      if (!nsScope) scopes.set(namespace, (nsScope = new Construct(this, namespace)));
      new Manifest(nsScope, `${m.kind}-${m.metadata!.name}`, { manifest: m as unknown as Record<string, unknown> });
    }
  }
}
