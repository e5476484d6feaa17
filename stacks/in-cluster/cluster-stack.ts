import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { ClusterRoleV1 } from "@cdktf/provider-kubernetes/lib/cluster-role-v1";
import { ClusterRoleBindingV1 } from "@cdktf/provider-kubernetes/lib/cluster-role-binding-v1";
import { RoleV1 } from "@cdktf/provider-kubernetes/lib/role-v1";
import { RoleBindingV1 } from "@cdktf/provider-kubernetes/lib/role-binding-v1";
import { Construct } from "constructs";
import { RegionConfig } from "../../config/schema";
import { DataTerraformRemoteStateGcs, DataTerraformRemoteStateS3, Fn } from "../../core/cdktf";
import type { ITerraformDependable } from "../../core/cdktf";
import { CA_ISSUERS, PKI_NAMESPACE, pcaIssuerGrants } from "../../model/mesh/pki";
import { RegionStack, layerStateKey } from "../../core/blueprint-stack";
import { clusterPlatform } from "../../model/mesh/in-cluster";
import { stackName } from "../plan";


/** The GCS prefix of one of a region's stacks, beside the region's: `regions/apac` → `regions/apac-istio`. */
function gcsStatePrefix(prefix: string, suffix: string): string {
  return `${prefix.replace(/\/$/, "")}-${suffix}`;
}

/** The Helm release settings shared by the in-cluster stacks: wait, roll back a failed install, keep 10 revisions. */
export const RELEASE_DEFAULTS = { wait: true, timeout: 600, atomic: true, cleanupOnFail: true, maxHistory: 10 } as const;

/**
 * Base of the stacks that act inside a region's cluster (EKS or GKE): their own state next to the
 * region's, and providers configured from the cluster endpoint and CA that `region-<name>` outputs.
 * Tokens come from the cloud's credential plugin (`aws eks get-token` as the deploy role, an access
 * entry of the cluster; `gke-gcloud-auth-plugin` as the deploy identity). The API endpoint is
 * private: these stacks are applied from inside the network (docs/deploy.md, step 6).
 */
export abstract class ClusterStack extends RegionStack {
  /** The state of `region-<name>`: its outputs. */
  protected readonly regionState: DataTerraformRemoteStateS3 | DataTerraformRemoteStateGcs;
  /** The provider settings for the cluster's API. */
  protected readonly api: { readonly host: string; readonly clusterCaCertificate: string; readonly exec: { readonly apiVersion: string; readonly command: string; readonly args: string[] } };

  constructor(scope: Construct, region: RegionConfig, suffix: "pki" | "istio" | "mesh", peers?: readonly RegionConfig[]) {
    super(scope, stackName(region, suffix), region, suffix, peers);
    let regionState: DataTerraformRemoteStateS3 | DataTerraformRemoteStateGcs;
    if (region.cloud === "aws") {
      this.useRegionStateBackend(layerStateKey(region, suffix));
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
 * The in-cluster issuer's grants of one stack (pcaIssuerGrants, for the region's cloud): each Role
 * or ClusterRole, then its binding to the issuer's service account alone. Returns the bindings,
 * for what must wait on them.
 */
export function grantCaIssuer(scope: Construct, region: RegionConfig, layer: "pki" | "istio", issuerNamespace: string, after: ITerraformDependable[]): ITerraformDependable[] {
  const issuer = CA_ISSUERS[region.cloud];
  const subject = [{ kind: "ServiceAccount", name: issuer.serviceAccount, namespace: PKI_NAMESPACE }];
  const roleRef = (kind: string) => ({ apiGroup: "rbac.authorization.k8s.io", kind, name: issuer.rbacName });
  const prefix = region.cloud === "aws" ? "PcaIssuer" : "CasIssuer";
  return pcaIssuerGrants(layer, issuerNamespace, region.cloud).map((grant) => {
    const rule = grant.rules.map((r) => ({ apiGroups: [...r.apiGroups], resources: [...r.resources], verbs: [...r.verbs], ...(r.resourceNames ? { resourceNames: [...r.resourceNames] } : {}) }));
    if (grant.kind === "ClusterRole") {
      const role = new ClusterRoleV1(scope, `${prefix}ClusterRole`, { metadata: { name: issuer.rbacName }, rule, dependsOn: after });
      return new ClusterRoleBindingV1(scope, `${prefix}ClusterRoleBinding`, { metadata: { name: issuer.rbacName }, roleRef: roleRef("ClusterRole"), subject, dependsOn: [role] });
    }
    const metadata = { name: issuer.rbacName, namespace: grant.namespace! };
    const id = `${prefix}${grant.namespace === PKI_NAMESPACE ? "LeaderElection" : "Signing"}`;
    const role = new RoleV1(scope, `${id}Role`, { metadata, rule, dependsOn: after });
    return new RoleBindingV1(scope, `${id}RoleBinding`, { metadata, roleRef: roleRef("Role"), subject, dependsOn: [role] });
  });
}
