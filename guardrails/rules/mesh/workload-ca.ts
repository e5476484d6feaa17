import type { AwsRegionConfig, RegionConfig } from "../../../config/schema";
import { MESH_PKI_RELEASES } from "../../../config/catalog";
import { ISTIO_ROOT_NAMESPACE } from "../../../model/mesh/policies";
import {
  CA_ISSUERS, CAS_APPROVAL, END_ENTITY_TEMPLATES, MESH_CA_OUTPUT_IDS, PCA_ISSUER_SERVICE_ACCOUNT, PKI_ECR_PATHS, PKI_NAMESPACE,
  RbacRule, TRUST_ANCHOR_CONFIG_MAP, casIssuerCrds, casIssuerManifests, crdImportId, istiodCertificate, certManagerValues, pcaIssuerCrds, pcaIssuerGrants, istioCsrValues, pcaIssuerValues,
} from "../../../model/mesh/pki";
import { CAS_OUTPUT_IDS } from "../../../model/gcp/pki";

import { stackRules } from "../../rule";
import { TfJson, ref, resourcesOf, asList, preventsDestroy, refName, sameJson, firstDifference } from "../../../tfjson/terraform";
import { helmOverrideProblems } from "./helm";
import { IDENTITY_POLICIES } from "../aws/iam";
import { caIssuerOf, clusterPlatform, hasMeshPki, issuerManifest } from "../../../model/mesh/in-cluster";
import { actionPatternMatches, statementsOf } from "../../../tfjson/iam-policy";
import { manifestsOf, regionOutput, waitsUntilReady } from "../../../tfjson/kubernetes";
import { EDGE_NAMESPACE, ofPartnerGateway } from "../../../model/mesh/edge";

/** What a Helm release of the workload CA chain must be. */
interface ExpectedRelease {
  /** The release name (cert-manager's also names its service account, which the issuer's approver role binds). */
  readonly name: string;
  readonly chart: string;
  readonly version: string;
  readonly values: Record<string, unknown>;
  readonly after?: string;
  /** The chart's CRDs are applied by the stack, not by Helm (which never upgrades a chart's crds/). */
  readonly crdsApplied?: boolean;
}

/** The problems of the releases in `json` against `expected` (by chart): private registry, version, wait, exact values. */
function releaseProblems(json: TfJson, region: RegionConfig, expected: readonly ExpectedRelease[]): string[] {
  const v: string[] = [];
  const registry = clusterPlatform(region).registry;
  const byChart = new Map(resourcesOf(json, "helm_release").map(([n, r]) => [r.chart as string, { address: `helm_release.${n}`, r }]));
  for (const e of expected) {
    const found = byChart.get(e.chart);
    if (!found) {
      v.push(`helm_release: no ${e.chart}`);
      continue;
    }
    const { address, r } = found;
    if (r.repository !== `oci://${registry}/${PKI_ECR_PATHS.charts}`) v.push(`${address}: chart from ${r.repository}, not the region's private registry`);
    if (r.version !== e.version) v.push(`${address}: version ${r.version}, expected ${e.version} (MESH_PKI_RELEASES)`);
    if (r.namespace !== PKI_NAMESPACE) v.push(`${address}: namespace ${r.namespace}, expected ${PKI_NAMESPACE}`);
    if (r.name !== e.name) v.push(`${address}: release name ${r.name}, expected ${e.name}`);
    if (r.wait !== true || r.atomic !== true) v.push(`${address}: does not wait for its resources and roll back a failed install`);
    if (r.skip_crds === true && !e.crdsApplied) v.push(`${address}: skips its CRDs`);
    if (r.reuse_values === true || r.disable_webhooks === true || r.force_update === true) v.push(`${address}: reuse_values, disable_webhooks or force_update set`);
    v.push(...helmOverrideProblems(address, r));
    const docs = asList<string>(r.values);
    if (docs.length !== 1 || !sameJson(JSON.parse(docs[0]), e.values)) v.push(`${address}: values differ from the blueprint's ${e.chart} values`);
    if (e.after) {
      const before = byChart.get(e.after);
      if (!before || !asList(r.depends_on).includes(before.address)) v.push(`${address}: not installed after ${e.after}`);
    }
  }
  return v;
}

/** The workload CA chain in the cluster: cert-manager and the PCA issuer (`region-<name>-pki`). */
export const PKI_RULES = stackRules<RegionConfig>({ layers: ["pki"] }, [
  {
    id: "mesh.pki-install",
    requirement: "4.2.1, 6.3.3, 3.6.1",
    fix: "Keep PkiStack as built: the cert-manager namespace, cert-manager (then, on AWS, the AWS PCA issuer's chart) at the catalog's releases (MESH_PKI_RELEASES) from the region's private registry, with the blueprint's values; change a release by changing the catalog.",
    description: "cert-manager and, on AWS, then the AWS PCA issuer, at the pinned releases, charts and images from the region's private registry, with the blueprint's values (the issuer's service account is the one its Pod Identity names); on GCP no other chart (the CAS issuer is installed without its chart)",
    check: ({ json, region }) => {
      const v: string[] = [];
      if (!hasMeshPki(region)) return ["(stack): a pki stack for a region without a signed intermediate (mesh.rootCaArn, on GCP mesh.intermediateCertificate)"];
      const registry = clusterPlatform(region).registry;
      const charts = resourcesOf(json, "helm_release").map(([, r]) => r.chart as string).sort();
      const expected = region.cloud === "aws" ? ["aws-privateca-issuer", "cert-manager"] : ["cert-manager"];
      if (!sameJson(charts, expected)) v.push(`helm_release: charts ${JSON.stringify(charts)}, expected ${expected.join(" and ")}`);
      const namespaces = resourcesOf(json, "kubernetes_namespace_v1").map(([, r]) => r.metadata?.name);
      if (!sameJson(namespaces, [PKI_NAMESPACE])) v.push(`kubernetes_namespace_v1: ${JSON.stringify(namespaces)}, expected ["${PKI_NAMESPACE}"]`);
      v.push(
        ...releaseProblems(json, region, [
          { name: "cert-manager", chart: "cert-manager", version: MESH_PKI_RELEASES.certManager.chart, values: certManagerValues(registry) },
          ...(region.cloud === "aws"
            ? [{ name: "aws-privateca-issuer", chart: "aws-privateca-issuer", version: MESH_PKI_RELEASES.awsPcaIssuer.chart, values: pcaIssuerValues(registry), after: "cert-manager", crdsApplied: true }]
            : []),
        ]),
      );
      return v;
    },
  },
  {
    id: "mesh.cas-issuer-install",
    requirement: "3.6.1, 6.3.3, 7.2.1",
    fix: "Keep PkiStack's CAS issuer on GCP as built: the service account annotated with region-<name>'s mesh_ca_issuer_account, the Deployment and disruption budget of casIssuerManifests (image from the region's registry at MESH_PKI_RELEASES.googleCasIssuer), the Deployment waited for until rolled out after cert-manager, its CRDs, its rights and cert-manager's approval right (CAS_APPROVAL).",
    description:
      "on GCP, Google's CAS issuer runs without its chart (whose ClusterRole reads every Secret): exactly the blueprint's service account, acting through Workload Identity as region-<name>'s CAS issuer identity, two replicas of the pinned image from the region's registry under the chart's hardening, a disruption budget; started once cert-manager, its CRDs, its rights and cert-manager's right to approve its requests exist, and waited for until rolled out",
    check: ({ json, region }) => {
      const objects = manifestsOf(json).filter(([, m]) => m.kind !== "CustomResourceDefinition");
      const approvals = resourcesOf(json, "kubernetes_cluster_role_v1").filter(([, r]) => r.metadata?.name === CAS_APPROVAL.name);
      if (region.cloud === "aws") {
        return [...objects.map(([address, m]) => `${address}: ${m.kind} ${m.metadata?.name} in the pki stack of an AWS region (its issuer is the PCA issuer's chart)`), ...approvals.map(([n]) => `kubernetes_cluster_role_v1.${n}: the CAS issuer's approval in an AWS region`)];
      }
      const v: string[] = [];
      const registry = clusterPlatform(region).registry;
      // Stryker disable next-line StringLiteral: equivalent (without the output to read, any placeholder matches no service account)
      const expected = casIssuerManifests(registry, regionOutput(json, CAS_OUTPUT_IDS.issuerAccount) ?? "?");
      const found = expected.map((e) => objects.find(([, m]) => m.kind === e.kind));
      expected.forEach((e, i) => {
        const f = found[i];
        if (!f) v.push(`kubernetes_manifest: no ${e.kind} ${CA_ISSUERS.gcp.serviceAccount}`);
        else {
          const diff = firstDifference(f[1], e);
          if (diff) v.push(`${f[0]}: ${e.kind} differs from casIssuerManifests at ${diff}`);
        }
      });
      for (const [address, m] of objects) if (!found.some((f) => f?.[0] === address)) v.push(`${address}: ${m.kind} ${m.metadata?.name} is not one of the CAS issuer's objects`);
      const body = (address: string) => json.resource.kubernetes_manifest[address.split(".")[1]] as TfJson;
      const deployment = found[1];
      if (deployment) {
        const d = body(deployment[0]);
        if (d.wait?.rollout !== true) v.push(`${deployment[0]}: not waited for until rolled out`);
        const deps = asList<string>(d.depends_on);
        const needed = [
          // Stryker disable next-line MethodExpression,ConditionalExpression: equivalent (cert-manager's is the only release of a GCP pki stack; mesh.pki-install refuses another)
          ...resourcesOf(json, "helm_release").filter(([, r]) => r.chart === "cert-manager").map(([n]) => `helm_release.${n}`),
          ...manifestsOf(json).filter(([, m]) => m.kind === "CustomResourceDefinition").map(([a]) => a),
          ...(["kubernetes_cluster_role_binding_v1", "kubernetes_role_binding_v1"] as const).flatMap((t) => resourcesOf(json, t).map(([n]) => `${t}.${n}`)),
          ...(found[0] ? [found[0][0]] : []),
        ];
        for (const n of needed) if (!deps.includes(n)) v.push(`${deployment[0]}: started without waiting for ${n}`);
      }
      if (approvals.length !== 1) v.push(`kubernetes_cluster_role_v1: no ClusterRole ${CAS_APPROVAL.name} (cert-manager could not approve the CAS issuer's requests)`);
      for (const [n, r] of approvals) {
        const rules = CAS_APPROVAL.rules.map((x) => ({ api_groups: [...x.apiGroups], resources: [...x.resources], verbs: [...x.verbs], resource_names: [...x.resourceNames] }));
        if (!sameJson(r.rule, rules)) v.push(`kubernetes_cluster_role_v1.${n}: rules differ from CAS_APPROVAL (approve for the namespaced CAS issuers only)`);
        const bindings = resourcesOf(json, "kubernetes_cluster_role_binding_v1").filter(([, b]) => b.metadata?.name === CAS_APPROVAL.name);
        if (bindings.length !== 1 || !sameJson(bindings[0][1].subject, [CAS_APPROVAL.subject]) || !sameJson(bindings[0][1].role_ref, { api_group: "rbac.authorization.k8s.io", kind: "ClusterRole", name: CAS_APPROVAL.name })) {
          v.push(`kubernetes_cluster_role_binding_v1: ${CAS_APPROVAL.name} is not bound to cert-manager's service account alone`);
        }
      }
      return v;
    },
  },
]);


/** The workload CA chain's CRDs upgrade with their releases (`region-<name>-pki`). */
export const PKI_CRD_RULES = stackRules<RegionConfig>({ layers: ["pki"] }, [
  {
    id: "mesh.crds-upgraded",
    requirement: "6.3.3, 12.5",
    fix: "Keep cert-manager's crds.enabled and crds.keep (its chart renders the CRDs as templates, which Helm upgrades); apply the issuer's CRDs of the pinned release from model/mesh/crds/ as kubernetes_manifest (force_conflicts, prevent_destroy, wait for Established; importFrom where mesh.adoptHelmInstalledPkiCrds) and start the issuer after them (on AWS its chart with skip_crds = true).",
    description:
      "every CRD of the workload CA chain upgrades with its release: cert-manager's come from its chart's templates (crds.enabled, kept on uninstall); the issuer's (the PCA issuer's chart keeps them in crds/, where Helm installs them once and never upgrades them; the CAS issuer is installed without its chart) are applied by the stack at the catalog's release, each exactly as released, taken over from Helm's field manager (and imported where the region file says Helm installed them), protected from destroy and Established before the issuer starts",
    check: ({ json, region }) => {
      const v: string[] = [];
      const byChart = new Map(resourcesOf(json, "helm_release").map(([n, r]) => [r.chart as string, { address: `helm_release.${n}`, r }]));
      const certManager = byChart.get("cert-manager");
      if (certManager) {
        const crds: TfJson = JSON.parse(asList<string>(certManager.r.values)[0] ?? "{}").crds ?? {};
        if (certManager.r.skip_crds === true || crds.enabled !== true || crds.keep !== true) v.push(`${certManager.address}: its CRDs are not rendered and kept by the chart (crds.enabled and crds.keep true, skip_crds unset)`);
      }
      // What starts the issuer, and the CRDs of its release: the PCA issuer's chart (at its version), the CAS issuer's Deployment.
      const deployment = resourcesOf(json, "kubernetes_manifest").find(([, m]) => m.manifest?.kind === "Deployment");
      const issuer = region.cloud === "aws" ? byChart.get("aws-privateca-issuer") : deployment && { address: `kubernetes_manifest.${deployment[0]}`, r: deployment[1] };
      const released = () => (region.cloud === "aws" ? pcaIssuerCrds(String(issuer!.r.version)) : casIssuerCrds());
      const expected = issuer ? released().map((c) => (c.metadata as { name: string }).name) : [];
      // The stack applies no other CRD; its other raw manifests are the CAS issuer's (mesh.cas-issuer-install).
      for (const [address, m] of manifestsOf(json)) {
        if (region.cloud === "gcp" && m.kind !== "CustomResourceDefinition") continue;
        if (m.kind !== "CustomResourceDefinition" || !expected.includes(m.metadata?.name)) v.push(`${address}: ${m.kind} ${m.metadata?.name} is not a CRD of the issuer's release`);
      }
      if (!issuer) return v;
      if (region.cloud === "aws" && issuer.r.skip_crds !== true) v.push(`${issuer.address}: Helm installs its crds/ (once, never upgraded); set skip_crds and apply them from the release`);
      const manifests = resourcesOf(json, "kubernetes_manifest");
      for (const crd of released()) {
        // (An unknown release throws: the rule reports it, naming the file to add.)
        const name = (crd.metadata as { name: string }).name;
        const found = manifests.find(([, m]) => sameJson([m.manifest?.kind, m.manifest?.metadata?.name], ["CustomResourceDefinition", name]));
        const release = region.cloud === "aws" ? `aws-privateca-issuer ${issuer.r.version}` : `google-cas-issuer ${MESH_PKI_RELEASES.googleCasIssuer.image}`;
        if (!found) {
          v.push(`kubernetes_manifest: no CRD ${name} of ${release}`);
          continue;
        }
        const [n, m] = found;
        if (!sameJson(m.manifest, crd)) v.push(`kubernetes_manifest.${n}: CRD ${name} differs from ${release}'s`);
        if (m.field_manager?.force_conflicts !== true) v.push(`kubernetes_manifest.${n}: does not take the CRD over from Helm's field manager (field_manager.force_conflicts)`);
        if (!preventsDestroy(m)) v.push(`kubernetes_manifest.${n}: not protected from destroy (deleting the CRD deletes every issuer, and the mesh's CA with them)`);
        if (!asList<TfJson>(m.wait?.condition).some((c) => c.type === "Established" && c.status === "True")) v.push(`kubernetes_manifest.${n}: not waited for until Established, before the chart starts the issuer`);
        // Adopted from Helm on a cluster installed before (the region file says so), never on a new one (nothing to import).
        const imports = asList<TfJson>(json.import).filter((i) => i.to === `kubernetes_manifest.${n}`);
        if (region.mesh.adoptHelmInstalledPkiCrds && !imports.some((i) => i.id === crdImportId(crd))) v.push(`kubernetes_manifest.${n}: the region adopts Helm's CRDs, but no import block brings ${name} into the state`);
        if (!region.mesh.adoptHelmInstalledPkiCrds && imports.length > 0) v.push(`kubernetes_manifest.${n}: imported, though the region file says no Helm-installed CRD exists (mesh.adoptHelmInstalledPkiCrds)`);
        if (!asList(issuer.r.depends_on).includes(`kubernetes_manifest.${n}`)) v.push(`${issuer.address}: not started after kubernetes_manifest.${n}`);
      }
      return v;
    },
  },
]);

/** An RBAC rule as the kubernetes provider's JSON holds it. */
const rbacJson = (rules: readonly RbacRule[]) => rules.map((r) => ({ api_groups: [...r.apiGroups], resources: [...r.resources], verbs: [...r.verbs], ...(r.resourceNames ? { resource_names: [...r.resourceNames] } : {}) }));
const ROLE_TYPES = { ClusterRole: "kubernetes_cluster_role_v1", Role: "kubernetes_role_v1" } as const;
const BINDING_TYPES = { ClusterRole: "kubernetes_cluster_role_binding_v1", Role: "kubernetes_role_binding_v1" } as const;

/** The PCA issuer's rights in the cluster, granted by the blueprint instead of its chart (`region-<name>-pki`, `-istio`). */
export const PKI_RBAC_RULES = stackRules({ layers: ["pki", "istio"] }, [
  {
    id: "mesh.ca-issuer-rbac",
    requirement: "7.2.1, 7.2.2, 3.6.1",
    fix: "Keep the issuer's RBAC as built (pcaIssuerGrants, for the region's cloud): the PCA issuer's chart's off (rbac.create false), the CAS issuer's chart not used; in the pki stack a ClusterRole with the cloud's cluster rules and a Role in cert-manager with PCA_ISSUER_LEADER_ELECTION_RULES, before the issuer starts; in the istio stack a Role with the cloud's signing rules where each issuer is, before the issuer manifest; each bound, after it exists, to the issuer's service account alone.",
    description: "the issuer (AWS PCA issuer, Google CAS issuer) reads no Secret and writes only where its issuer is: its chart's ClusterRole (every Secret of the cluster) is off or its chart not used; the blueprint grants cluster-wide reads of its issuers and CertificateRequests, writes where its issuers are, a Lease in cert-manager, to its service account alone, before it needs them",
    check: ({ json, region, layer }) => {
      const v: string[] = [];
      const caIssuer = caIssuerOf(region);
      // Whatever else is wrong, say plainly where a rule reaches Secrets or uses a wildcard.
      // (cert-manager's approval of the CAS issuer's requests names signers: mesh.cas-issuer-install holds it exactly.)
      const isApproval = (type: string, r: TfJson) => region.cloud === "gcp" && type === ROLE_TYPES.ClusterRole && r.metadata?.name === CAS_APPROVAL.name;
      const isApprovalBinding = (r: TfJson) => region.cloud === "gcp" && r.metadata?.name === CAS_APPROVAL.name;
      for (const type of Object.values(ROLE_TYPES)) {
        for (const [n, r] of resourcesOf(json, type)) {
          if (isApproval(type, r)) continue;
          const at = `${type}.${n}`;
          for (const rule of asList<TfJson>(r.rule)) {
            if (asList<string>(rule.resources).some((x) => x === "secrets" || x.startsWith("secrets/"))) v.push(`${at}: grants ${JSON.stringify(rule.verbs)} on Secrets`);
            if ([rule.resources, rule.verbs, rule.api_groups].some((list) => asList<string>(list).includes("*"))) v.push(`${at}: a rule with a wildcard (${JSON.stringify(rule)})`);
            if (rule.non_resource_urls !== undefined) v.push(`${at}: a rule with non-resource URLs, outside the reviewed rules`);
          }
          if (r.aggregation_rule !== undefined) v.push(`${at}: aggregates other roles`);
        }
      }
      // (The rule's layers are pki and istio.)
      // In the istio stack, a signing Role where each issuer is: istio-system, and the partner gateway's namespace where the region has partners.
      const issuerNamespaces = [ISTIO_ROOT_NAMESPACE, ...(layer === "istio" && region.edge ? [EDGE_NAMESPACE] : [])];
      const grants = hasMeshPki(region) ? issuerNamespaces.flatMap((ns) => pcaIssuerGrants(layer as "pki" | "istio", ns, region.cloud)) : [];
      // Exactly the expected roles and bindings, one of each, by kind.
      for (const kind of ["ClusterRole", "Role"] as const) {
        for (const [types, what] of [[ROLE_TYPES, kind], [BINDING_TYPES, `${kind}Binding`]] as const) {
          const found = resourcesOf(json, types[kind]).filter(([, r]) => !isApprovalBinding(r)).length;
          const expected = grants.filter((g) => g.kind === kind).length;
          if (found !== expected) v.push(`${types[kind]}: ${found} ${what}(s), expected ${expected} (the issuer's, pcaIssuerGrants)`);
        }
      }
      const rbacName = caIssuer.rbacName;
      const subject = [{ kind: "ServiceAccount", name: caIssuer.serviceAccount, namespace: PKI_NAMESPACE }];
      const bindings: { at: string; namespace?: string }[] = [];
      for (const g of grants) {
        // A ClusterRole's namespace is undefined, which sameJson leaves out.
        const metadata = { name: rbacName, namespace: g.namespace };
        const where = g.kind === "Role" ? ` in ${g.namespace}` : "";
        const role = resourcesOf(json, ROLE_TYPES[g.kind]).find(([, r]) => sameJson(r.metadata, metadata));
        if (!role) v.push(`${ROLE_TYPES[g.kind]}: no ${g.kind} ${rbacName}${where}`);
        else if (!sameJson(role[1].rule, rbacJson(g.rules))) v.push(`${ROLE_TYPES[g.kind]}.${role[0]}: rules differ from the blueprint's (pcaIssuerGrants)`);
        const binding = resourcesOf(json, BINDING_TYPES[g.kind]).find(([, r]) => sameJson(r.metadata, metadata));
        if (!binding) {
          v.push(`${BINDING_TYPES[g.kind]}: no ${g.kind}Binding ${rbacName}${where}`);
          continue;
        }
        const at = `${BINDING_TYPES[g.kind]}.${binding[0]}`;
        bindings.push({ at, namespace: g.namespace });
        if (!sameJson(binding[1].role_ref, { api_group: "rbac.authorization.k8s.io", kind: g.kind, name: rbacName })) v.push(`${at}: binds ${JSON.stringify(binding[1].role_ref)}, not the issuer's ${g.kind}`);
        if (!sameJson(binding[1].subject, subject)) v.push(`${at}: subjects ${JSON.stringify(binding[1].subject)}, expected the issuer's service account ${PKI_NAMESPACE}/${PCA_ISSUER_SERVICE_ACCOUNT} alone`);
        if (role && !asList(binding[1].depends_on).includes(`${ROLE_TYPES[g.kind]}.${role[0]}`)) v.push(`${at}: not created after its ${g.kind}`);
      }
      // What needs the rights waits for them: the issuer's release (pki), the issuer (istio).
      if (layer === "pki" && region.cloud === "aws") {
        const issuer = resourcesOf(json, "helm_release").find(([, r]) => r.chart === "aws-privateca-issuer");
        if (!issuer) return [...v, "helm_release: no aws-privateca-issuer"];
        const values = JSON.parse(asList<string>(issuer[1].values)[0] ?? "{}") as TfJson;
        if (values.rbac?.create !== false) v.push(`helm_release.${issuer[0]}: the chart's own ClusterRole is on (rbac.create is not false): the issuer could read every Secret of the cluster`);
        for (const { at } of bindings) if (!asList(issuer[1].depends_on).includes(at)) v.push(`helm_release.${issuer[0]}: installed without waiting for ${at} (the issuer would start without its rights)`);
      } else if (layer === "pki") {
        // No chart of the CAS issuer (its ClusterRole reads every Secret); its Deployment waits for its rights (mesh.cas-issuer-install).
        for (const [n] of resourcesOf(json, "helm_release").filter(([, r]) => r.chart !== "cert-manager")) v.push(`helm_release.${n}: a chart besides cert-manager (the CAS issuer's would grant itself every Secret)`);
      } else {
        // Each issuer waits for the rights in its own namespace.
        for (const [n, body] of resourcesOf(json, "kubernetes_manifest").filter(([, r]) => (r.manifest ?? {}).kind === caIssuer.ref.kind)) {
          for (const { at } of bindings.filter((b) => b.namespace === body.manifest.metadata?.namespace)) if (!asList(body.depends_on).includes(at)) v.push(`kubernetes_manifest.${n}: created without waiting for ${at} (the issuer could not report Ready)`);
        }
      }
      return v;
    },
  },
]);

/** Istio's CA where the region has an intermediate: istio-csr through the PCA issuer (`region-<name>-istio`). */
export const WORKLOAD_CA_RULES = stackRules<RegionConfig>({ layers: ["istio"] }, [
  {
    id: "mesh.workload-ca",
    requirement: "3.6.1, 4.2.1, 8.3",
    fix: "Where the region has its intermediate, keep IstioStack's workload CA: the issuer in istio-system (AWSPCAIssuer on region-<name>'s mesh_ca_arn, GoogleCASIssuer on its mesh_ca_pool), the trust anchor ConfigMap from its mesh_trust_anchor, istio-csr with the blueprint's values before istiod, and istiod's CA off (istiodValues). Without a root, none of them.",
    description: "with an intermediate CA, workload certificates come only from it: the issuer names the region's intermediate (ACM PCA) or pool (CA Service) in its region, istio-csr (the mesh's CA, before istiod) signs through it and distributes the platform root; no other manifest or ConfigMap in the istio stack",
    check: ({ json, region }) => {
      const v: string[] = [];
      // (The partner gateway's issuer, certificates and CA ConfigMaps are mesh.partner-gateway-install's.)
      const manifests = manifestsOf(json).filter(([, m]) => !ofPartnerGateway(region, m.metadata));
      const maps = resourcesOf(json, "kubernetes_config_map_v1").filter(([, m]) => !ofPartnerGateway(region, m.metadata));
      if (!hasMeshPki(region)) {
        for (const [address] of manifests) v.push(`${address}: no manifest belongs in the istio stack of a region without an intermediate CA`);
        for (const [n] of maps) v.push(`kubernetes_config_map_v1.${n}: no ConfigMap belongs in the istio stack of a region without an intermediate CA`);
        return v;
      }
      const anchor = regionOutput(json, MESH_CA_OUTPUT_IDS.trustAnchor);
      const caIssuer = caIssuerOf(region);
      // Stryker disable next-line StringLiteral: equivalent (without the output to read, any placeholder matches no issuer)
      const expectedIssuer = issuerManifest(region, (id) => regionOutput(json, id) ?? "?", ISTIO_ROOT_NAMESPACE);
      const issuers = manifests.filter(([, m]) => sameJson(m, expectedIssuer));
      const on = region.cloud === "aws" ? MESH_CA_OUTPUT_IDS.arn : CAS_OUTPUT_IDS.pool;
      if (issuers.length !== 1) v.push(`kubernetes_manifest: no ${caIssuer.ref.kind} in ${ISTIO_ROOT_NAMESPACE} on region-${region.name}'s ${on} in ${region.cloudRegion}`);
      for (const [address] of issuers) {
        const body = json.resource.kubernetes_manifest[address.split(".")[1]];
        if (!waitsUntilReady(body)) v.push(`${address}: does not wait until the issuer is Ready`);
      }
      const certificates = manifests.filter(([, m]) => sameJson(m, istiodCertificate(region.mesh.trustDomain, ISTIO_ROOT_NAMESPACE, caIssuer.ref)));
      if (certificates.length !== 1) v.push(`kubernetes_manifest: no Certificate istiod in ${ISTIO_ROOT_NAMESPACE} for istiod's serving certificate (istio-csr would create it after istiod may have started)`);
      for (const [address] of certificates) {
        const body = json.resource.kubernetes_manifest[address.split(".")[1]];
        if (!waitsUntilReady(body)) v.push(`${address}: does not wait until istiod's certificate is Ready`);
        // Stryker disable next-line MethodExpression: equivalent (exactly one issuer passes; a second is refused above)
        if (!issuers.every(([a]) => asList<string>(body.depends_on).includes(a))) v.push(`${address}: requested before its issuer`);
      }
      // Stryker disable next-line MethodExpression: equivalent (exactly one issuer and one certificate pass; a second is refused above)
      for (const [address, m] of manifests) if (!issuers.some(([a]) => a === address) && !certificates.some(([a]) => a === address)) v.push(`${address}: ${m.apiVersion} ${m.kind} ${m.metadata?.name} is neither the blueprint's issuer nor istiod's certificate`);
      const anchors = maps.filter(([, s]) => sameJson([s.metadata?.name, s.metadata?.namespace, s.data], [TRUST_ANCHOR_CONFIG_MAP, PKI_NAMESPACE, { "ca.pem": anchor }]));
      if (anchors.length !== 1) v.push(`kubernetes_config_map_v1: no ${PKI_NAMESPACE}/${TRUST_ANCHOR_CONFIG_MAP} holding region-${region.name}'s ${MESH_CA_OUTPUT_IDS.trustAnchor} (and only it)`);
      // Stryker disable next-line MethodExpression: equivalent (exactly one anchor passes; a second is refused above)
      for (const [n] of maps) if (!anchors.some(([a]) => a === n)) v.push(`kubernetes_config_map_v1.${n}: not the trust anchor`);
      const registry = clusterPlatform(region).registry;
      v.push(...releaseProblems(json, region, [{ name: "cert-manager-istio-csr", chart: "cert-manager-istio-csr", version: MESH_PKI_RELEASES.istioCsr.chart, values: istioCsrValues(registry, region.mesh.trustDomain, ISTIO_ROOT_NAMESPACE, caIssuer.ref) }]));
      const releases = resourcesOf(json, "helm_release");
      const csr = releases.find(([, r]) => r.chart === "cert-manager-istio-csr");
      const istiod = releases.find(([, r]) => r.chart === "istiod");
      if (csr) {
        const deps = asList<string>(csr[1].depends_on);
        // Stryker disable next-line MethodExpression: equivalent (exactly one issuer and one anchor pass; a second is refused above)
        if (!issuers.every(([address]) => deps.includes(address)) || !anchors.every(([n]) => deps.includes(`kubernetes_config_map_v1.${n}`))) v.push(`helm_release.${csr[0]}: installed before its issuer and trust anchor`);
        if (istiod && !asList(istiod[1].depends_on).includes(`helm_release.${csr[0]}`)) v.push(`helm_release.${istiod[0]}: installed before istio-csr, its CA`);
        // istio-csr up to 0.14 made its own istiod Certificate: the blueprint's comes after an upgrade removed it.
        for (const [address] of certificates) if (!asList<string>(json.resource.kubernetes_manifest[address.split(".")[1]].depends_on).includes(`helm_release.${csr[0]}`)) v.push(`${address}: requested before istio-csr's release (whose earlier versions created a Certificate of that name)`);
      }
      if (istiod) {
        for (const [address] of certificates) if (!asList(istiod[1].depends_on).includes(address)) v.push(`helm_release.${istiod[0]}: installed before its serving certificate (${address}) is Ready; istiod reads it once at start`);
      }
      return v;
    },
  },
]);

/** `acm-pca:IssueCertificate` matched by an action pattern (`acm-pca:*`, `*`, `acm-pca:Issue*`). */
const grantsIssue = (action: string) => actionPatternMatches(action, "acm-pca:IssueCertificate");

/** Who may sign with the intermediate (`region-<name>`). */
export const CA_ISSUER_RULES = stackRules<AwsRegionConfig>({ layers: ["aws"] }, [
  {
    id: "mesh.ca-issuer-least-privilege",
    requirement: "3.6.1, 7.2.1, 7.2.2",
    fix: "Grant acm-pca:IssueCertificate only in the PCA issuer's Pod Identity role (cert-manager/aws-privateca-issuer), on the intermediate's ARN, with acm-pca:TemplateArn limited to END_ENTITY_TEMPLATES.",
    description: "one identity may issue from the intermediate: the PCA issuer's Pod Identity (cert-manager/aws-privateca-issuer), on that CA only, with end-entity templates only (never a CA certificate)",
    check: ({ json }) => {
      const v: string[] = [];
      const cas = resourcesOf(json, "aws_acmpca_certificate_authority").map(([n]) => ref("aws_acmpca_certificate_authority", n, "arn"));
      // Every identity policy of the stack (role policies, inline policies of roles, managed, user and group policies).
      const grants: { role: string | undefined; at: string; s: TfJson }[] = [];
      for (const [type, documents] of Object.entries(IDENTITY_POLICIES)) {
        for (const [n, p] of resourcesOf(json, type)) {
          for (const doc of documents(p)) {
            for (const s of statementsOf(String(doc))) {
              if (s.Effect !== "Allow" || !asList(s.Action).some(grantsIssue)) continue;
              // Only a role policy (aws_iam_role_policy) of the issuer's role is the expected grant.
              // Stryker disable next-line ConditionalExpression: equivalent (the other identity policies have no role argument to name a role by)
              const role = type === "aws_iam_role_policy" ? refName(p.role, "aws_iam_role", "name") : undefined;
              grants.push({ role, at: `${type}.${n} (${s.Sid ?? "no Sid"})`, s: s as unknown as TfJson });
            }
          }
        }
      }
      if (cas.length === 0) return grants.map((g) => `${g.at}: grants acm-pca:IssueCertificate in a region without an intermediate CA`);
      if (grants.length !== 1) v.push(`aws_iam_role_policy: ${grants.length} statements grant acm-pca:IssueCertificate, expected exactly one (the PCA issuer's)`);
      for (const g of grants) {
        if (!sameJson(asList(g.s.Action), ["acm-pca:IssueCertificate"])) v.push(`${g.at}: actions ${JSON.stringify(g.s.Action)}, expected acm-pca:IssueCertificate alone`);
        if (!sameJson(asList(g.s.Resource), cas)) v.push(`${g.at}: on ${JSON.stringify(g.s.Resource)}, not the intermediate alone`);
        const templates = asList<string>(g.s.Condition?.StringEquals?.["acm-pca:TemplateArn"]);
        if (templates.length === 0 || templates.some((t) => !END_ENTITY_TEMPLATES.includes(t)) || Object.keys(g.s.Condition ?? {}).length !== 1) {
          v.push(`${g.at}: templates ${JSON.stringify(templates)}; expected a StringEquals on acm-pca:TemplateArn within the end-entity templates`);
        }
        if (!g.role) v.push(`${g.at}: IssueCertificate granted outside the issuer's role policy (aws_iam_role_policy)`);
        const associations = resourcesOf(json, "aws_eks_pod_identity_association").filter(([, a]) => g.role && a.role_arn === ref("aws_iam_role", g.role, "arn"));
        if (associations.length !== 1 || associations[0][1].namespace !== PKI_NAMESPACE || associations[0][1].service_account !== PCA_ISSUER_SERVICE_ACCOUNT) {
          v.push(`${g.at}: the role is not the Pod Identity of ${PKI_NAMESPACE}/${PCA_ISSUER_SERVICE_ACCOUNT} (and only it)`);
        }
      }
      return v;
    },
  },
]);
