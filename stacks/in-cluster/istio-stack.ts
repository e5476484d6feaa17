import { Release } from "@cdktf/provider-helm/lib/release";
import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { Construct } from "constructs";
import type { ITerraformDependable } from "../../core/cdktf";
import { RegionConfig } from "../../config/schema";
import { ISTIO_ROOT_NAMESPACE, workloadNamespaces } from "../../model/mesh/policies";
import { MESH_CA_OUTPUT_IDS, PKI_ECR_PATHS, PKI_NAMESPACE, TRUST_ANCHOR_CONFIG_MAP, istioCsrValues, istiodCertificate } from "../../model/mesh/pki";
import { MESH_PKI_RELEASES } from "../../config/catalog";
import { ISTIO_ECR_PATHS } from "../../model/aws/registry";
import { caIssuerOf, clusterPlatform, meshDesign, hasMeshPki, istioCniValues, issuerManifest, istiodValues, partnerAttachmentFor, partnerCertificateFor, partnerGatewayService } from "../../model/mesh/in-cluster";
import { ROOT_POD_SECURITY, WORKLOAD_POD_SECURITY } from "../../model/mesh/pod-security";
import { ClusterStack, RELEASE_DEFAULTS, grantCaIssuer } from "./cluster-stack";
import { EDGE_NAMESPACE, PARTNER_GATEWAY, partnerCaConfigMap, partnerGatewayValues } from "../../model/mesh/edge";
import { EAST_WEST_GATEWAY, eastWestGatewayValues } from "../../model/mesh/cross-region";

/**
 * `region-<name>-istio`: the mesh's namespaces and Istio itself, from the private ECR (charts and
 * images), in Istio's order: the base chart (CRDs), Istio CNI's node agent, then istiod with
 * `wait`, so that the CRDs and the webhook exist before `region-<name>-mesh` is planned.
 */
export class IstioStack extends ClusterStack {
  readonly base: Release;
  readonly istiod: Release;
  /** Istio CNI's node agent. */
  readonly cni: Release;
  /** istio-csr, where the region has an intermediate CA. */
  readonly istioCsr?: Release;
  /** The partner gateway, where the region declares partners. */
  readonly partnerGateway?: Release;
  /** On GCP, the partner API's PSC service attachment (GKE's ServiceAttachment) on the gateway's internal load balancer. */
  readonly partnerAttachment?: Manifest;
  /** The east-west gateway, where other regions call this one. */
  readonly eastWestGateway?: Release;

  constructor(scope: Construct, region: RegionConfig, peers?: readonly RegionConfig[]) {
    super(scope, region, "istio", peers);
    new HelmProvider(this, "helm", { kubernetes: this.api });

    const namespaceScope = new Construct(this, "Namespaces");
    // The root namespace runs the CNI node agent, which needs the node: the one namespace held to less than `restricted`.
    const root = new NamespaceV1(namespaceScope, ISTIO_ROOT_NAMESPACE, { metadata: { name: ISTIO_ROOT_NAMESPACE, labels: { ...ROOT_POD_SECURITY } } });

    const registry = clusterPlatform(region).registry;
    const chartRepository = `oci://${registry}/${ISTIO_ECR_PATHS.charts}`;
    const release = { ...RELEASE_DEFAULTS, repository: chartRepository, version: region.mesh.istioVersion, namespace: ISTIO_ROOT_NAMESPACE };

    // Where the region has an intermediate CA: the PCA issuer, the platform root as trust
    // anchor, and istio-csr, before istiod (which sends its own CSR and the sidecars' to istio-csr).
    const caReady: ITerraformDependable[] = [];
    if (hasMeshPki(region)) {
      const pki = new Construct(this, "WorkloadCa");
      // The issuer may write here (its issuer's status, the CertificateRequests) and nowhere else.
      const grants = grantCaIssuer(pki, region, "istio", ISTIO_ROOT_NAMESPACE, [root]);
      // Ready once the issuer has checked its configuration (the PCA issuer reaches ACM PCA as its Pod Identity).
      const issuer = new Manifest(pki, "Issuer", {
        manifest: issuerManifest(region, (id) => this.regionState.getString(id), ISTIO_ROOT_NAMESPACE),
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
        values: [JSON.stringify(istioCsrValues(registry, region.mesh.trustDomain, ISTIO_ROOT_NAMESPACE, caIssuerOf(region).ref))],
        dependsOn: [issuer, anchor, root],
      });
      // istiod's serving certificate, Ready before istiod starts (it reads it once).
      const istiodCertificateReady = new Manifest(pki, "IstiodCertificate", {
        manifest: istiodCertificate(region.mesh.trustDomain, ISTIO_ROOT_NAMESPACE, caIssuerOf(region).ref),
        wait: { condition: [{ type: "Ready", status: "True" }] },
        // After istio-csr: up to 0.14 its chart made an `istiod` Certificate itself, which an upgrade removes first.
        dependsOn: [issuer, root, this.istioCsr],
      });
      caReady.push(this.istioCsr, istiodCertificateReady);
    }
    this.base = new Release(this, "IstioBase", {
      ...release,
      name: "istio-base",
      chart: "base",
      values: [JSON.stringify({ global: { istioNamespace: ISTIO_ROOT_NAMESPACE } })],
      dependsOn: [root],
    });
    // The CNI node agent on every node (wait: its DaemonSet ready) before istiod injects pods that
    // rely on it; an injected pod on a node without it fails its istio-validation check.
    this.cni = new Release(this, "IstioCni", {
      ...release,
      name: "istio-cni",
      chart: "cni",
      values: [JSON.stringify(istioCniValues(region))],
      dependsOn: [this.base],
    });
    // No `lint`: linting istiod's chart fails on its own templates (istio/istio#41792).
    this.istiod = new Release(this, "Istiod", {
      ...release,
      name: "istiod",
      chart: "istiod",
      values: [JSON.stringify(istiodValues(region, this.peers))],
      dependsOn: [this.base, this.cni, ...caReady],
    });
    // The workload namespaces, held to Pod Security Admission `restricted` once istiod injects for
    // Istio CNI (a pod injected before, with istio-init's NET_ADMIN, would be refused).
    const design = meshDesign(region, this.peers);
    for (const ns of workloadNamespaces(design)) {
      new NamespaceV1(namespaceScope, ns.name, { metadata: { name: ns.name, labels: { ...ns.labels } }, dependsOn: [this.istiod] });
    }

    // Calls from other regions: the east-west gateway (its Gateway is region-<name>-mesh's), in its
    // own namespace, on the node ports region-<name>'s east-west load balancer reaches.
    if (design.eastWest?.exposed.length) {
      const scope = new Construct(this, "EastWestGateway");
      const namespace = new NamespaceV1(scope, "Namespace", { metadata: { name: EAST_WEST_GATEWAY.namespace, labels: { ...WORKLOAD_POD_SECURITY } } });
      this.eastWestGateway = new Release(scope, "Gateway", {
        ...release,
        name: EAST_WEST_GATEWAY.release,
        chart: "gateway",
        namespace: EAST_WEST_GATEWAY.namespace,
        values: [JSON.stringify(eastWestGatewayValues())],
        dependsOn: [this.istiod, namespace],
      });
    }

    // The partners' way in (its Gateway, routes, policy and limits are region-<name>-mesh's): the
    // gateway's namespace, its server certificate per partner from the region's intermediate, each
    // partner's CA where the Gateway reads it, and the gateway itself once istiod injects it.
    if (region.edge && hasMeshPki(region)) {
      const edgeRegion = { ...region, edge: region.edge };
      const edge = region.edge;
      const scope = new Construct(this, "PartnerGateway");
      const namespace = new NamespaceV1(scope, "Namespace", { metadata: { name: EDGE_NAMESPACE, labels: { ...WORKLOAD_POD_SECURITY } } });
      const grants = grantCaIssuer(scope, region, "istio", EDGE_NAMESPACE, [namespace]);
      const issuer = new Manifest(scope, "Issuer", {
        manifest: issuerManifest(region, (id) => this.regionState.getString(id), EDGE_NAMESPACE),
        wait: { condition: [{ type: "Ready", status: "True" }] },
        dependsOn: [namespace, ...grants],
      });
      const ready: ITerraformDependable[] = [];
      for (const partner of edge.partners) {
        const p = new Construct(scope, partner.name);
        // Public certificates only (the config refuses a bundle with a key): a ConfigMap the Gateway names by caCertCredentialName.
        ready.push(new ConfigMapV1(p, "ClientCa", { metadata: { name: partnerCaConfigMap(partner), namespace: EDGE_NAMESPACE }, data: { "ca.crt": partner.caBundle }, dependsOn: [namespace] }));
        ready.push(new Manifest(p, "ServerCertificate", { manifest: partnerCertificateFor(edgeRegion, partner), wait: { condition: [{ type: "Ready", status: "True" }] }, dependsOn: [issuer] }));
      }
      this.partnerGateway = new Release(scope, "Gateway", {
        ...release,
        name: PARTNER_GATEWAY.release,
        chart: "gateway",
        namespace: EDGE_NAMESPACE,
        values: [JSON.stringify(partnerGatewayValues(edge, partnerGatewayService(region)))],
        dependsOn: [this.istiod, ...ready],
      });
      // On GCP the partners reach the gateway's internal load balancer through a PSC service
      // attachment GKE creates for it (GKE owns the load balancer, so only it can publish it);
      // waited for until GKE has created it (its URL is what partners connect to).
      const attachment = partnerAttachmentFor(region);
      if (attachment) {
        this.partnerAttachment = new Manifest(scope, "ServiceAttachment", {
          manifest: attachment,
          wait: { fields: { "status.serviceAttachmentURL": "^https://" } },
          dependsOn: [this.partnerGateway],
        });
      }
    }
  }
}
