import { MESH_PKI_RELEASES } from "../../config/catalog";
import pcaIssuerCrdsV190 from "./crds/aws-privateca-issuer-v1.9.0.json";
import casIssuerCrdsV0120 from "./crds/google-cas-issuer-v0.12.0.json";
import { uriNameConstraints } from "../../config/pem";

export { uriNameConstraints } from "../../config/pem";

/**
 * How a region's workload certificates come from its intermediate CA in ACM PCA, without any CA
 * key in the cluster or in Terraform: cert-manager, the AWS Private CA issuer for cert-manager
 * (signs cert-manager's CertificateRequests by calling ACM PCA IssueCertificate as an EKS Pod
 * Identity), and istio-csr (Istio's CA endpoint: it turns each sidecar's CSR into a
 * CertificateRequest). istiod runs no CA of its own. Pure data: the stacks and the guardrails
 * build the same values from here.
 */

/** The namespace of cert-manager, the PCA issuer and istio-csr. */
export const PKI_NAMESPACE = "cert-manager";
/** Where the chain lives in the region's ECR: images at `cert-manager/<image>`, charts at `charts/cert-manager/<chart>`. */
export const PKI_ECR_PATHS = { images: "cert-manager", charts: "charts/cert-manager" } as const;
/** Images of the chain, mirrored into the region's ECR. */
export const PKI_IMAGES: readonly string[] = [
  "cert-manager-controller",
  "cert-manager-webhook",
  "cert-manager-cainjector",
  "cert-manager-acmesolver",
  "cert-manager-startupapicheck",
  "aws-privateca-issuer",
  "cert-manager-istio-csr",
].map((image) => `${PKI_ECR_PATHS.images}/${image}`);
/** The chain's Helm charts, mirrored into the region's ECR. */
export const PKI_CHARTS: readonly string[] = ["cert-manager", "aws-privateca-issuer", "cert-manager-istio-csr"].map((chart) => `${PKI_ECR_PATHS.charts}/${chart}`);

/**
 * The PCA issuer's CustomResourceDefinitions, by release, as its chart ships them in `crds/`
 * (charts/aws-pca-issuer/crds of the release tag). Helm installs a chart's `crds/` once and never
 * upgrades them, so the pki stack applies these itself and installs the chart with `skip_crds`:
 * a release upgrade is then a reviewed diff of its CRDs too. Upgrading the issuer adds the new
 * release's file here.
 */
const PCA_ISSUER_CRDS: Readonly<Record<string, readonly Record<string, unknown>[]>> = {
  "v1.9.0": pcaIssuerCrdsV190,
};

/** Google's CAS issuer's CRDs, by release, as its chart renders them (templates/crd-*.yaml, without Helm's labels). */
const CAS_ISSUER_CRDS: Readonly<Record<string, readonly Record<string, unknown>[]>> = {
  "v0.12.0": casIssuerCrdsV0120,
};

/** The CAS issuer's CRDs at the catalog's release, or a clear error if they are not vendored. */
export function casIssuerCrds(release: string = MESH_PKI_RELEASES.googleCasIssuer.image): readonly Record<string, unknown>[] {
  const crds = CAS_ISSUER_CRDS[release];
  if (!crds) {
    throw new Error(
      `config/catalog.ts MESH_PKI_RELEASES.googleCasIssuer.image is ${release}, but model/mesh/crds/ has no google-cas-issuer-${release}.json: convert the release's deploy/charts/google-cas-issuer/templates/crd-*.yaml (without the template lines) to a JSON array there and list it in CAS_ISSUER_CRDS.`,
    );
  }
  return crds;
}

/** The PCA issuer's CRDs at the catalog's release (MESH_PKI_RELEASES), or a clear error if they are not vendored. */
export function pcaIssuerCrds(release: string = MESH_PKI_RELEASES.awsPcaIssuer.chart): readonly Record<string, unknown>[] {
  const crds = PCA_ISSUER_CRDS[release];
  if (!crds) {
    throw new Error(
      `config/catalog.ts MESH_PKI_RELEASES.awsPcaIssuer.chart is ${release}, but model/mesh/crds/ has no aws-privateca-issuer-${release}.json: convert the release's charts/aws-pca-issuer/crds/*.yaml to a JSON array there and list it in PCA_ISSUER_CRDS.`,
    );
  }
  return crds;
}

/** The `terraform import` id of a CRD as a kubernetes_manifest (cluster-scoped: no namespace). */
export function crdImportId(crd: Readonly<Record<string, unknown>>): string {
  return `apiVersion=apiextensions.k8s.io/v1,kind=CustomResourceDefinition,name=${(crd.metadata as { name: string }).name}`;
}

/** The service account of the PCA issuer: the only identity that may issue from the intermediate. */
export const PCA_ISSUER_SERVICE_ACCOUNT = "aws-privateca-issuer";
/** The API group of the AWS PCA issuer's resources. */
const MESH_CA_GROUP = "awspca.cert-manager.io";

/** One rule of a Kubernetes Role or ClusterRole. */
export interface RbacRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
  /** The objects the rule is limited to, by name (where the name is known beforehand). */
  readonly resourceNames?: readonly string[];
}

/**
 * The name of the PCA issuer's own RBAC objects. The chart's are off (`rbac.create: false`): its
 * ClusterRole lets the issuer read every Secret of the cluster, write CertificateRequests in every
 * namespace, and write ConfigMaps (the trust anchor among them) and Leases in every namespace.
 */
export const PCA_ISSUER_RBAC_NAME = "aws-privateca-issuer-least-privilege";

/**
 * What the PCA issuer may read cluster-wide: its controllers watch both issuer kinds and every
 * CertificateRequest (controller-runtime's informers list and watch across namespaces), and it
 * records events. No Secret: the issuer reads AWS keys from a Secret only for an issuer that names
 * a `secretRef`; the blueprint's names none (the Pod Identity supplies the credentials). No write
 * here: it writes only where its issuer is (PCA_ISSUER_SIGNING_RULES).
 */
export const PCA_ISSUER_CLUSTER_RULES: readonly RbacRule[] = [
  { apiGroups: [MESH_CA_GROUP], resources: ["awspcaissuers", "awspcaclusterissuers"], verbs: ["get", "list", "watch"] },
  { apiGroups: ["cert-manager.io"], resources: ["certificaterequests"], verbs: ["get", "list", "watch"] },
  { apiGroups: [""], resources: ["events"], verbs: ["create", "patch"] },
];

/**
 * What the PCA issuer may write, in its issuer's namespace only (Istio's root namespace, where
 * istio-csr creates its CertificateRequests): its issuer's status, the certificate ARN it
 * annotates on a request, and the signed certificate in the request's status. A CertificateRequest
 * of any other namespace stays out of its reach.
 */
export const PCA_ISSUER_SIGNING_RULES: readonly RbacRule[] = [
  { apiGroups: [MESH_CA_GROUP], resources: ["awspcaissuers/status"], verbs: ["patch", "update"] },
  { apiGroups: ["cert-manager.io"], resources: ["certificaterequests"], verbs: ["update"] },
  { apiGroups: ["cert-manager.io"], resources: ["certificaterequests/status"], verbs: ["patch", "update"] },
];

/**
 * Leader election of the issuer's two replicas, in its own namespace only: a Lease (controller-
 * runtime's lock since v0.12; client-go reads, creates and updates it). No ConfigMap: the
 * namespace holds the mesh's trust anchor.
 */
export const PCA_ISSUER_LEADER_ELECTION_RULES: readonly RbacRule[] = [
  { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get", "create", "update"] },
];

/** The API group of Google's CAS issuer (cert-manager's google-cas-issuer). */
const CAS_ISSUER_GROUP = "cas-issuer.jetstack.io";
/** The CAS issuer's service account (its Workload Identity names it). */
export const CAS_ISSUER_SERVICE_ACCOUNT = "cert-manager-google-cas-issuer";
/**
 * The name of the CAS issuer's RBAC objects. Its chart's ClusterRole, which cannot be switched off,
 * reads every Secret of the cluster: the blueprint installs the issuer without its chart.
 */
export const CAS_ISSUER_RBAC_NAME = "google-cas-issuer-least-privilege";

/**
 * What the CAS issuer may read cluster-wide (issuer-lib's controllers watch both issuer kinds, every
 * CertificateRequest and, for Kubernetes' own CSR API, every CertificateSigningRequest), and the
 * events it records. No Secret: it reads one only for an issuer that names `credentials`; the
 * blueprint's names none (Workload Identity supplies them). No signer right: it signs no
 * Kubernetes CSR.
 */
export const CAS_ISSUER_CLUSTER_RULES: readonly RbacRule[] = [
  { apiGroups: [CAS_ISSUER_GROUP], resources: ["googlecasissuers", "googlecasclusterissuers"], verbs: ["get", "list", "watch"] },
  { apiGroups: ["cert-manager.io"], resources: ["certificaterequests"], verbs: ["get", "list", "watch"] },
  { apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests"], verbs: ["get", "list", "watch"] },
  { apiGroups: ["", "events.k8s.io"], resources: ["events"], verbs: ["create", "patch"] },
];

/**
 * The CAS issuer's leader election: its own Lease only (`cm-google-cas-issuer`, the binary's
 * default `--leader-election-id`), which it may create (a name cannot limit a create), read and
 * renew; not cert-manager's Leases in the same namespace.
 */
export const CAS_ISSUER_LEADER_ELECTION_RULES: readonly RbacRule[] = [
  { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create"] },
  { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get", "update"], resourceNames: ["cm-google-cas-issuer"] },
];

/** What the CAS issuer may write where its issuer is: the issuer's status and the signed certificate in a request's status (issuer-lib patches status only). */
export const CAS_ISSUER_SIGNING_RULES: readonly RbacRule[] = [
  { apiGroups: [CAS_ISSUER_GROUP], resources: ["googlecasissuers/status"], verbs: ["patch"] },
  { apiGroups: ["cert-manager.io"], resources: ["certificaterequests/status"], verbs: ["patch"] },
];

/** One Role or ClusterRole of the PCA issuer, bound to its service account alone. */
export interface PcaIssuerGrant {
  readonly kind: "ClusterRole" | "Role";
  /** A Role's namespace. */
  readonly namespace?: string;
  readonly rules: readonly RbacRule[];
}

/**
 * The PCA issuer's grants each in-cluster stack makes, all named PCA_ISSUER_RBAC_NAME:
 * `region-<name>-pki` the cluster-wide reads and the leader election, before the issuer starts;
 * `region-<name>-istio` the writes in the issuer's namespace (Istio's root namespace, which that
 * stack creates), before the issuer exists.
 */
export function pcaIssuerGrants(layer: "pki" | "istio", issuerNamespace: string, cloud: "aws" | "gcp" = "aws"): readonly PcaIssuerGrant[] {
  const [cluster, signing] = cloud === "aws" ? [PCA_ISSUER_CLUSTER_RULES, PCA_ISSUER_SIGNING_RULES] : [CAS_ISSUER_CLUSTER_RULES, CAS_ISSUER_SIGNING_RULES];
  return layer === "pki"
    ? [
        { kind: "ClusterRole", rules: cluster },
        // Both issuers elect their leader with a Lease (controller-runtime); the CAS issuer's is named beforehand.
        { kind: "Role", namespace: PKI_NAMESPACE, rules: cloud === "aws" ? PCA_ISSUER_LEADER_ELECTION_RULES : CAS_ISSUER_LEADER_ELECTION_RULES },
      ]
    : [{ kind: "Role", namespace: issuerNamespace, rules: signing }];
}

/**
 * The issuer istio-csr signs through: namespaced, in Istio's root namespace, where istio-csr
 * creates its CertificateRequests. A Certificate in any other namespace cannot name it, so only
 * who may create CertificateRequests in istio-system (the platform) can obtain a certificate from
 * the intermediate; cert-manager's rights are not aggregated into the edit and admin roles either.
 */
export const MESH_CA_ISSUER = { name: "mesh-intermediate", kind: "AWSPCAIssuer", group: MESH_CA_GROUP } as const;

/** A reference to the issuer a Certificate names (cert-manager's `issuerRef`). */
export interface IssuerRef {
  readonly name: string;
  readonly kind: string;
  readonly group: string;
}

/**
 * The in-cluster issuer of each cloud that signs through the region's intermediate: the AWS PCA
 * issuer (ACM PCA) or Google's CAS issuer (CA Service), its service account in cert-manager's
 * namespace and the name of the RBAC the blueprint grants it.
 */
export const CA_ISSUERS = {
  aws: { ref: MESH_CA_ISSUER, serviceAccount: PCA_ISSUER_SERVICE_ACCOUNT, rbacName: PCA_ISSUER_RBAC_NAME },
  gcp: { ref: { name: "mesh-intermediate", kind: "GoogleCASIssuer", group: CAS_ISSUER_GROUP }, serviceAccount: CAS_ISSUER_SERVICE_ACCOUNT, rbacName: CAS_ISSUER_RBAC_NAME },
} as const;
/** The ConfigMap holding the platform root (a public certificate) that istio-csr distributes to every namespace. */
export const TRUST_ANCHOR_CONFIG_MAP = "mesh-trust-anchor";
/** istio-csr's service name: the DNS name of its serving certificate. */
export const ISTIO_CSR_SERVICE_DNS = `cert-manager-istio-csr.${PKI_NAMESPACE}.svc`;
/** Where istio-csr serves Istio's CA API (istiod and the sidecars call it). */
export const ISTIO_CSR_ADDRESS = `${ISTIO_CSR_SERVICE_DNS}:443`;
/** The label and port of istio-csr's pods (the merchant namespaces' egress admits them). */
export const ISTIO_CSR_POD = { labels: { app: "cert-manager-istio-csr" }, port: 6443 } as const;
/** Longest validity of a workload certificate (Istio's default; the sidecar renews before it ends). */
export const WORKLOAD_CERTIFICATE_MAX = "24h";

/** Outputs of `region-<name>` the in-cluster stacks read for the CA. */
export const MESH_CA_OUTPUT_IDS = { arn: "mesh_ca_arn", trustAnchor: "mesh_trust_anchor" } as const;

/**
 * The ACM PCA templates the issuer uses for end-entity certificates (it picks one from the
 * request's usages). The issuer's role may issue with these only: never a CA certificate.
 */
export const END_ENTITY_TEMPLATES: readonly string[] = [
  // Workload certificates (client and server auth).
  "EndEntityCertificate/V1",
  // istio-csr's own serving certificate (server auth).
  "EndEntityServerAuthCertificate/V1",
  // istiod's certificate (a Certificate without usages).
  "BlankEndEntityCertificate_APICSRPassthrough/V1",
].map((t) => `arn:aws:acm-pca:::template/${t}`);

const image = (registry: string, name: string, tag: string) => ({ repository: `${registry}/${PKI_ECR_PATHS.images}/${name}`, tag, pullPolicy: "IfNotPresent" });

/** Helm values of cert-manager: private images, its CRDs kept on uninstall, two replicas of each part. */
export function certManagerValues(registry: string): Record<string, unknown> {
  const tag = MESH_PKI_RELEASES.certManager.image;
  const ha = { replicaCount: 2, podDisruptionBudget: { enabled: true, minAvailable: 1 } };
  return {
    crds: { enabled: true, keep: true },
    // cert-manager's rights stay out of the edit and admin roles: namespace editors cannot request certificates.
    global: { leaderElection: { namespace: PKI_NAMESPACE }, rbac: { aggregateClusterRoles: false } },
    image: image(registry, "cert-manager-controller", tag),
    ...ha,
    webhook: { image: image(registry, "cert-manager-webhook", tag), ...ha },
    cainjector: { image: image(registry, "cert-manager-cainjector", tag), ...ha },
    acmesolver: { image: image(registry, "cert-manager-acmesolver", tag) },
    // The install completes only once the webhook answers (Helm's wait sees pods, not the webhook's CA bundle).
    startupapicheck: { enabled: true, image: image(registry, "cert-manager-startupapicheck", tag) },
  };
}

/** Helm values of the AWS PCA issuer: private image, the service account its Pod Identity names, two replicas. */
export function pcaIssuerValues(registry: string): Record<string, unknown> {
  return {
    image: image(registry, "aws-privateca-issuer", MESH_PKI_RELEASES.awsPcaIssuer.image),
    replicaCount: 2,
    // The chart renders this block as the PodDisruptionBudget's spec (its default is maxUnavailable: 1).
    podDisruptionBudget: { maxUnavailable: 1 },
    serviceAccount: { create: true, name: PCA_ISSUER_SERVICE_ACCOUNT },
    // The chart's ClusterRole reads every Secret of the cluster: the pki and istio stacks grant the
    // issuer's rights themselves (pcaIssuerGrants).
    rbac: { create: false },
    // cert-manager's approver approves the issuer's requests (only istio-system can name the issuer); the issuer signs only approved ones.
    disableApprovedCheck: false,
    approverRole: { enabled: true, serviceAccountName: "cert-manager", namespace: PKI_NAMESPACE },
  };
}

/**
 * Helm values of istio-csr: Istio's CA for the region's trust domain, signing through the PCA
 * issuer in Istio's root namespace, distributing the platform root (not the issuer's answer) as
 * the trust anchor.
 */
export function istioCsrValues(registry: string, trustDomain: string, rootNamespace: string, issuer: IssuerRef = MESH_CA_ISSUER): Record<string, unknown> {
  return {
    image: image(registry, "cert-manager-istio-csr", MESH_PKI_RELEASES.istioCsr.image),
    replicaCount: 2,
    // istio-csr is the mesh's CA: a drain never takes both replicas (the chart's budget is off by default).
    podDisruptionBudget: { enabled: true, minAvailable: 1 },
    app: {
      logFormat: "json",
      certmanager: { namespace: rootNamespace, issuer: { ...issuer }, preserveCertificateRequests: false },
      // istiod's serving certificate is declared by the blueprint (istiodCertificate), waited for
      // until Ready, before istiod starts: istio-csr's own would be created asynchronously, and
      // istiod reads it once at start.
      tls: { trustDomain, rootCAFile: "/var/run/secrets/istio-csr/ca.pem", certificateDuration: "1h", istiodCertificateEnable: false },
      server: { maxCertificateDuration: WORKLOAD_CERTIFICATE_MAX },
      istio: { namespace: rootNamespace },
    },
    volumes: [{ name: "root-ca", configMap: { name: TRUST_ANCHOR_CONFIG_MAP } }],
    volumeMounts: [{ name: "root-ca", mountPath: "/var/run/secrets/istio-csr", readOnly: true }],
  };
}

/** Labels of the CAS issuer's pods. */
export const CAS_ISSUER_POD_LABELS = { app: CAS_ISSUER_SERVICE_ACCOUNT } as const;

/**
 * The CAS issuer as the blueprint runs it, in place of its chart (whose ClusterRole reads every
 * Secret and cannot be switched off): its service account, which Workload Identity maps to the
 * Google identity `googleServiceAccount` (the only one that may request from the pool); two
 * replicas spread over zones, leader-elected, under the chart's own hardening (non-root, seccomp
 * runtime default, no privilege escalation, no capability, read-only root), the image from the
 * region's registry; a disruption budget keeping one. Its rights are granted apart
 * (pcaIssuerGrants, cloud gcp).
 */
export function casIssuerManifests(registry: string, googleServiceAccount: string): Record<string, unknown>[] {
  const metadata = { name: CAS_ISSUER_SERVICE_ACCOUNT, namespace: PKI_NAMESPACE };
  const selector = { matchLabels: { ...CAS_ISSUER_POD_LABELS } };
  return [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { ...metadata, annotations: { "iam.gke.io/gcp-service-account": googleServiceAccount } } },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata,
      spec: {
        replicas: 2,
        selector,
        template: {
          metadata: { labels: { ...CAS_ISSUER_POD_LABELS } },
          spec: {
            serviceAccountName: CAS_ISSUER_SERVICE_ACCOUNT,
            securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
            topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: selector }],
            containers: [
              {
                name: CAS_ISSUER_SERVICE_ACCOUNT,
                image: `${registry}/${PKI_ECR_PATHS.images}/${CAS_ISSUER_SERVICE_ACCOUNT}:${MESH_PKI_RELEASES.googleCasIssuer.image}`,
                imagePullPolicy: "IfNotPresent",
                // The chart's arguments: leader election (a Lease in cert-manager), metrics on 9402.
                args: ["--enable-leader-election", "--log-level=1", "--metrics-addr=:9402"],
                ports: [{ containerPort: 9402, name: "metrics" }],
                resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } },
                securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true },
              },
            ],
          },
        },
      },
    },
    { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata, spec: { minAvailable: 1, selector } },
  ];
}

/**
 * Who approves the CAS issuer's requests: cert-manager's approver may approve for the namespaced
 * CAS issuers (the chart's approval ClusterRole, which the blueprint grants since it installs no
 * chart). Only who may create CertificateRequests where an issuer is can get one approved.
 */
export const CAS_APPROVAL = {
  name: "cert-manager-approve-google-cas-issuer",
  rules: [{ apiGroups: ["cert-manager.io"], resources: ["signers"], verbs: ["approve"], resourceNames: [`googlecasissuers.${CAS_ISSUER_GROUP}/*`] }],
  subject: { kind: "ServiceAccount", name: "cert-manager", namespace: PKI_NAMESPACE },
} as const;

/** The Secret istiod reads its serving certificate from (istio-csr's convention). */
export const ISTIOD_TLS_SECRET = "istiod-tls";

/**
 * istiod's serving certificate, from the region's intermediate, as istio-csr's chart would make it
 * (its DNS name and SPIFFE ID, 1 h, renewed at 30 min, a new key each time), but declared by the
 * blueprint so that istiod is installed only once it is Ready.
 */
export function istiodCertificate(trustDomain: string, rootNamespace: string, issuer: IssuerRef = MESH_CA_ISSUER): Record<string, unknown> {
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "Certificate",
    metadata: { name: "istiod", namespace: rootNamespace },
    spec: {
      commonName: `istiod.${rootNamespace}.svc`,
      dnsNames: [`istiod.${rootNamespace}.svc`],
      uris: [`spiffe://${trustDomain}/ns/${rootNamespace}/sa/istiod-service-account`],
      secretName: ISTIOD_TLS_SECRET,
      duration: "1h",
      renewBefore: "30m",
      privateKey: { rotationPolicy: "Always", algorithm: "RSA", size: 2048 },
      revisionHistoryLimit: 1,
      issuerRef: { name: issuer.name, kind: issuer.kind, group: issuer.group },
    },
  };
}

/**
 * The issuer (in `namespace`) that signs through a GCP region's intermediate in CA Service: the
 * pool (its one enabled CA signs), with no `credentials` (Workload Identity gives the issuer its
 * Google identity, the only one allowed to request from the pool).
 */
export function casIssuer(project: string, location: string, caPoolId: string, namespace: string): Record<string, unknown> {
  const { ref } = CA_ISSUERS.gcp;
  return {
    apiVersion: `${ref.group}/v1beta1`,
    kind: ref.kind,
    metadata: { name: ref.name, namespace },
    spec: { project, location, caPoolId },
  };
}

/** The issuer (in Istio's root namespace) that signs through the region's intermediate in ACM PCA. */
export function meshCaIssuer(caArn: string, cloudRegion: string, namespace: string): Record<string, unknown> {
  return {
    apiVersion: `${MESH_CA_ISSUER.group}/v1beta1`,
    kind: MESH_CA_ISSUER.kind,
    metadata: { name: MESH_CA_ISSUER.name, namespace },
    spec: { arn: caArn, region: cloudRegion },
  };
}

/** OID of the Name Constraints extension. */
export const NAME_CONSTRAINTS_OID = "2.5.29.30";

/**
 * ACM PCA's template for an intermediate that may sign only end-entity (workload) certificates,
 * in its API-passthrough variant (it carries the name constraint).
 */
export const SUBORDINATE_TEMPLATE = "arn:aws:acm-pca:::template/SubordinateCACertificate_PathLen0_APIPassthrough/V1";

/** The extensions the root writes into the intermediate: a critical name constraint to the trust domain. */
export function intermediateApiPassthrough(trustDomain: string): string {
  return JSON.stringify({ Extensions: { CustomExtensions: [{ ObjectIdentifier: NAME_CONSTRAINTS_OID, Value: uriNameConstraints(trustDomain), Critical: true }] } });
}
