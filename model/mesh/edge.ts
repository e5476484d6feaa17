/**
 * The partners' way in (the region file's `edge`), as Istio and cert-manager objects: an ingress
 * gateway that ends each partner's mutual TLS on the partner's own host name (SNI `<name>.<host>`)
 * with the partner's own CA and identities, routes only the partner's declared routes to their
 * services, authorizes each request by host, server name, method, path and content type, and
 * limits every partner's rate, the ceiling of all together, and the size of a body.
 *
 * Pure data, like model/mesh/policies.ts: the in-cluster stacks turn it into Terraform, the tests
 * validate it against Istio's schemas, the guardrails compare the synthesized objects with it.
 */
import type { IAuthorizationPolicy } from "@kubernetes-models/istio/security.istio.io/v1/AuthorizationPolicy";
import type { IGateway as IGatewayV1beta1 } from "@kubernetes-models/istio/networking.istio.io/v1beta1/Gateway";
import type { IVirtualService as IVirtualServiceV1beta1 } from "@kubernetes-models/istio/networking.istio.io/v1beta1/VirtualService";
import type { IEnvoyFilter } from "@kubernetes-models/istio/networking.istio.io/v1alpha3/EnvoyFilter";
import { readFileSync } from "fs";
import { join } from "path";
import { type IssuerRef, MESH_CA_ISSUER } from "./pki";
import { RUNTIME_DEFAULT_SECCOMP } from "./pod-security";

/**
 * The gateway's JSON body check, Lua for Envoy's Lua filter (model/mesh/json-body-check.lua,
 * tested in test/model/json-body-check.test.ts): a body that is not one well-formed JSON value is
 * answered 400.
 */
export const JSON_BODY_CHECK_LUA = readFileSync(join(__dirname, "json-body-check.lua"), "utf8");

/** A Gateway at networking.istio.io/v1 (Istio's CRD serves v1 and v1beta1 with one schema). */
export type IGateway = Omit<IGatewayV1beta1, "apiVersion"> & { apiVersion: "networking.istio.io/v1" };
/** A VirtualService at networking.istio.io/v1 (the same schema as v1beta1's). */
export type IVirtualService = Omit<IVirtualServiceV1beta1, "apiVersion"> & { apiVersion: "networking.istio.io/v1" };

/** The namespace of the partner gateway: no workload runs there (config/catalog.ts reserves it). */
export const EDGE_NAMESPACE = "istio-ingress";

/**
 * The partner gateway: Istio's gateway chart released as `partner-gateway`, whose pods the chart
 * labels `app` and `istio` with that name and run as the service account of that name.
 */
export const PARTNER_GATEWAY = {
  release: "partner-gateway",
  serviceAccount: "partner-gateway",
  selector: { istio: "partner-gateway" },
  /** The node ports the partner API's load balancer reaches the gateway on (TLS, Istio's readiness endpoint). */
  nodePorts: { https: 30443, status: 31021 },
} as const;

/** The caller of the call graph that stands for a partner: `edge/<partner>`. */
export const EDGE_CALLER_PREFIX = "edge/";

/**
 * The partners' TLS: 1.2 or 1.3 (1.3's suites are fixed by BoringSSL), and for 1.2 only forward-
 * secret AEAD suites (ECDHE with AES-GCM or ChaCha20-Poly1305), the list PCI DSS 4.2.1's "strong
 * cryptography" and Mozilla's intermediate profile agree on; ECDSA only, as the gateway's server
 * certificates are (partnerServerCertificate).
 */
export const PARTNER_TLS = {
  minProtocolVersion: "TLSV1_2",
  cipherSuites: [
    "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-CHACHA20-POLY1305",
  ],
} as const;

/** The content types a request with a body must declare (JSON, with or without parameters such as a charset). */
export const PARTNER_CONTENT_TYPES = ["application/json", "application/json;*"] as const;

/** The methods that carry a body: their requests must declare JSON. */
const METHODS_WITH_BODY = new Set(["POST", "PUT", "PATCH"]);

export interface PartnerRoute {
  readonly to: string;
  readonly methods: readonly string[];
  readonly paths: readonly string[];
}

export interface EdgePartner {
  readonly name: string;
  readonly caBundle: string;
  readonly identities: readonly string[];
  readonly requestsPerSecond: number;
  readonly routes: readonly PartnerRoute[];
}

/** The edge a region declares, in the terms of the mesh model. */
export interface EdgeDesign {
  readonly host: string;
  readonly maxRequestBytes: number;
  readonly requestsPerSecond: number;
  readonly replicas: number;
  readonly partners: readonly EdgePartner[];
}

/** A service the gateway routes to: its Kubernetes Service's port. */
export interface EdgeTarget {
  readonly namespace: string;
  readonly name: string;
  readonly port: number;
}

/** The host (TLS server name and HTTP authority) of a partner. */
export function partnerHost(edge: Pick<EdgeDesign, "host">, partner: Pick<EdgePartner, "name">): string {
  return `${partner.name}.${edge.host}`;
}

/** The Secret with a partner's server certificate (cert-manager writes it). */
export function partnerCredential(partner: Pick<EdgePartner, "name">): string {
  return `partner-${partner.name}`;
}

/** The ConfigMap with a partner's client CA bundle (public certificates: no Secret needed), key `ca.crt`. */
export function partnerCaConfigMap(partner: Pick<EdgePartner, "name">): string {
  return `partner-${partner.name}-ca`;
}

/**
 * How the Gateway names a partner's CA: a ConfigMap reference, with the `-cacert` suffix istiod
 * strips before it reads the ConfigMap (pilot/pkg/credentials/kube/secrets.go, Istio 1.30). It
 * takes precedence over the `ca.crt` cert-manager writes beside the server certificate (the
 * region's own CA, which must not admit clients).
 */
export function partnerCaCredential(partner: Pick<EdgePartner, "name">): string {
  return `configmap://${EDGE_NAMESPACE}/${partnerCaConfigMap(partner)}-cacert`;
}

/** The partner gateway's identity, `<namespace>/<service account>`, as the call graph names callers. */
export const PARTNER_GATEWAY_IDENTITY = `${EDGE_NAMESPACE}/${PARTNER_GATEWAY.serviceAccount}`;

/** The principal the partner gateway's requests carry into the mesh. */
export function gatewayPrincipal(trustDomain: string): string {
  return `${trustDomain}/ns/${EDGE_NAMESPACE}/sa/${PARTNER_GATEWAY.serviceAccount}`;
}

/**
 * True when a Kubernetes object (its metadata) is the partner gateway's: in its namespace, where the
 * region declares partners. The rules of the gateway's install and configuration judge those; the
 * mesh's and the workload CA's rules leave them out.
 */
export function ofPartnerGateway(region: { readonly edge?: unknown }, metadata: { readonly namespace?: unknown } | undefined): boolean {
  return region.edge !== undefined && metadata?.namespace === EDGE_NAMESPACE;
}

/** True when a call of the call graph comes from a partner through the gateway. */
export function isEdgeCall(call: { readonly from: string }): boolean {
  return call.from.startsWith(EDGE_CALLER_PREFIX);
}

/** The gateway: one HTTPS server per partner, on its host, mutual TLS with its CA and identities only. */
export function partnerGateway(edge: EdgeDesign): IGateway {
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "Gateway",
    metadata: { name: "partner-api", namespace: EDGE_NAMESPACE },
    spec: {
      selector: { ...PARTNER_GATEWAY.selector },
      servers: edge.partners.map((p) => ({
        port: { number: 443, name: `https-${p.name}`, protocol: "HTTPS" },
        // Only VirtualServices of the gateway's own namespace may bind to the host: a route from any
        // other namespace (a merchant's) naming this Gateway is ignored.
        hosts: [`${EDGE_NAMESPACE}/${partnerHost(edge, p)}`],
        tls: {
          mode: "MUTUAL",
          credentialName: partnerCredential(p),
          caCertCredentialName: partnerCaCredential(p),
          subjectAltNames: [...p.identities],
          minProtocolVersion: PARTNER_TLS.minProtocolVersion,
          cipherSuites: [...PARTNER_TLS.cipherSuites],
        },
      })),
    },
  };
}

/** An Istio string match for a blueprint path: exact, a prefix (`/a/*`) or a suffix (`*\/b`). */
function uriMatch(path: string): { exact: string } | { prefix: string } | { regex: string } {
  if (path.endsWith("*")) return { prefix: path.slice(0, -1) };
  if (path.startsWith("*")) return { regex: `^.*${path.slice(1).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$` };
  return { exact: path };
}

/**
 * One VirtualService per partner, bound to the gateway and its host only (a route of one partner
 * never appears under another's host): each declared route's methods and paths to its service.
 */
export function partnerVirtualServices(edge: EdgeDesign, targets: readonly EdgeTarget[]): IVirtualService[] {
  return edge.partners.map((p) => ({
    apiVersion: "networking.istio.io/v1",
    kind: "VirtualService",
    metadata: { name: `partner-${p.name}`, namespace: EDGE_NAMESPACE },
    spec: {
      hosts: [partnerHost(edge, p)],
      gateways: [`${EDGE_NAMESPACE}/partner-api`],
      exportTo: ["."],
      http: p.routes.map((r) => {
        const target = targets.find((t) => `${t.namespace}/${t.name}` === r.to);
        // The config rules refuse a route to an undeclared service; reaching this is a programming error.
        if (!target) throw new Error(`Edge: partner ${p.name}'s route to "${r.to}" names no declared service.`);
        return {
          name: `${p.name}-to-${target.namespace}-${target.name}`,
          match: r.paths.flatMap((path) => r.methods.map((m) => ({ uri: uriMatch(path), method: { exact: m } }))),
          route: [{ destination: { host: `${target.name}.${target.namespace}.svc.cluster.local`, port: { number: target.port } } }],
        };
      }),
    },
  }));
}

/**
 * The gateway's authorization: nothing passes but a partner's declared route, on the partner's host
 * reached with the partner's TLS server name (so a certificate accepted on one host cannot be
 * used for another's routes), and, for a method with a body, declaring JSON.
 */
export function partnerAuthorization(edge: EdgeDesign): IAuthorizationPolicy {
  return {
    apiVersion: "security.istio.io/v1",
    kind: "AuthorizationPolicy",
    metadata: { name: "partner-routes", namespace: EDGE_NAMESPACE },
    spec: {
      selector: { matchLabels: { ...PARTNER_GATEWAY.selector } },
      action: "ALLOW",
      rules: edge.partners.flatMap((p) => {
        const host = partnerHost(edge, p);
        return p.routes.flatMap((r) => {
          const withBody = r.methods.filter((m) => METHODS_WITH_BODY.has(m));
          const withoutBody = r.methods.filter((m) => !METHODS_WITH_BODY.has(m));
          const rule = (methods: string[], json: boolean) => ({
            to: [{ operation: { hosts: [host], methods, paths: [...r.paths] } }],
            when: [{ key: "connection.sni", values: [host] }, ...(json ? [{ key: "request.headers[content-type]", values: [...PARTNER_CONTENT_TYPES] }] : [])],
          });
          return [...(withBody.length > 0 ? [rule(withBody, true)] : []), ...(withoutBody.length > 0 ? [rule(withoutBody, false)] : [])];
        });
      }),
    },
  };
}

/** A token bucket of `rps` requests per second, enforced on every request the filter sees. */
function localRateLimit(statPrefix: string, rps: number): Record<string, unknown> {
  return {
    "@type": "type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit",
    stat_prefix: statPrefix,
    token_bucket: { max_tokens: rps, tokens_per_fill: rps, fill_interval: "1s" },
    filter_enabled: { runtime_key: `${statPrefix}_enabled`, default_value: { numerator: 100, denominator: "HUNDRED" } },
    filter_enforced: { runtime_key: `${statPrefix}_enforced`, default_value: { numerator: 100, denominator: "HUNDRED" } },
  };
}

/** The Envoy HTTP filters the gateway adds, by name (the per-partner limits are looked up by the first's name). */
export const EDGE_FILTERS = { perPartner: "partner-rate", bodyLimit: "envoy.filters.http.buffer", jsonCheck: "envoy.filters.http.lua" } as const;

/**
 * A partner's bucket in each gateway replica: its rate divided by the replicas, rounded up (the
 * load balancer spreads connections over the replicas; Envoy's local rate limit counts per proxy).
 */
export function perReplicaRate(requestsPerSecond: number, replicas: number): number {
  return Math.ceil(requestsPerSecond / replicas);
}

/**
 * The gateway's limits, in Envoy's terms (Istio has no API for them): first each partner's own
 * rate on its host (429 past it), then, after authorization, a body limit (413 past it; the body
 * is buffered whole before a service sees it) and the JSON check of that body (400 for a body that
 * is not one well-formed JSON value). Each partner's server has a filter chain of its own, so a
 * bucket shared by every partner cannot be expressed with Envoy's local rate limit (its HTTP filter
 * keeps a bucket per chain): the ceiling of every partner together is the config's (the partners'
 * rates add up to at most edge.requestsPerSecond). The buckets are per replica (perReplicaRate).
 */
export function partnerLimits(edge: EdgeDesign): IEnvoyFilter {
  const gatewayListener = { context: "GATEWAY", listener: { filterChain: { filter: { name: "envoy.filters.network.http_connection_manager" } } } } as const;
  return {
    apiVersion: "networking.istio.io/v1alpha3",
    kind: "EnvoyFilter",
    metadata: { name: "partner-limits", namespace: EDGE_NAMESPACE },
    spec: {
      workloadSelector: { labels: { ...PARTNER_GATEWAY.selector } },
      configPatches: [
        {
          applyTo: "HTTP_FILTER",
          match: gatewayListener,
          // No bucket here: each partner's host sets its own (below), and every host is a partner's.
          patch: { operation: "INSERT_FIRST", value: { name: EDGE_FILTERS.perPartner, typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit", stat_prefix: "partner_rate" } } },
        },
        {
          applyTo: "HTTP_FILTER",
          match: { ...gatewayListener, listener: { filterChain: { filter: { ...gatewayListener.listener.filterChain.filter, subFilter: { name: "envoy.filters.http.router" } } } } },
          patch: { operation: "INSERT_BEFORE", value: { name: EDGE_FILTERS.bodyLimit, typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.http.buffer.v3.Buffer", max_request_bytes: edge.maxRequestBytes } } },
        },
        {
          applyTo: "HTTP_FILTER",
          match: { ...gatewayListener, listener: { filterChain: { filter: { ...gatewayListener.listener.filterChain.filter, subFilter: { name: "envoy.filters.http.router" } } } } },
          // After the buffer (inserted before the router above): the whole body, within the limit.
          patch: { operation: "INSERT_BEFORE", value: { name: EDGE_FILTERS.jsonCheck, typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua", default_source_code: { inline_string: JSON_BODY_CHECK_LUA } } } },
        },
        ...edge.partners.map((p) => ({
          applyTo: "VIRTUAL_HOST",
          match: { context: "GATEWAY", routeConfiguration: { vhost: { name: `${partnerHost(edge, p)}:443` } } },
          patch: { operation: "MERGE", value: { typed_per_filter_config: { [EDGE_FILTERS.perPartner]: localRateLimit(`partner_${p.name.replace(/-/g, "_")}`, perReplicaRate(p.requestsPerSecond, edge.replicas)) } } },
        })),
      ],
    },
  } as IEnvoyFilter;
}

/**
 * How long the gateway's server certificates live, per cloud: 90 days from ACM PCA; a day from CA
 * Service, whose pool issues nothing longer (the workload CA's policy), renewed after 16 hours.
 */
export const PARTNER_CERTIFICATE_LIFETIME = {
  aws: { duration: "2160h", renewBefore: "720h" },
  gcp: { duration: "24h", renewBefore: "8h" },
} as const;

/**
 * The gateway's server certificate for a partner's host, from the region's intermediate (the
 * partners trust the platform's root), rotated with a new key, written where the Gateway reads it.
 */
export function partnerServerCertificate(
  edge: EdgeDesign,
  partner: EdgePartner,
  issuer: IssuerRef = MESH_CA_ISSUER,
  lifetime: { readonly duration: string; readonly renewBefore: string } = PARTNER_CERTIFICATE_LIFETIME.aws,
): Record<string, unknown> {
  const host = partnerHost(edge, partner);
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "Certificate",
    metadata: { name: partnerCredential(partner), namespace: EDGE_NAMESPACE },
    spec: {
      commonName: host,
      dnsNames: [host],
      secretName: partnerCredential(partner),
      duration: lifetime.duration,
      renewBefore: lifetime.renewBefore,
      // Server auth alone: the PCA issuer then signs with EndEntityServerAuthCertificate/V1 (the partners cannot use it as a
      // client). CA Service's pool adds its baseline usages (client auth too): the certificate's key never leaves the gateway.
      usages: ["server auth"],
      privateKey: { rotationPolicy: "Always", algorithm: "ECDSA", size: 256 },
      revisionHistoryLimit: 1,
      issuerRef: { name: issuer.name, kind: issuer.kind, group: issuer.group },
    },
  };
}

/**
 * The partner gateway's Service on AWS: node ports the NLB's target group reaches through the node
 * group (instance targets), TLS and Istio's readiness endpoint.
 */
export const NODE_PORT_SERVICE = {
  type: "NodePort",
  externalTrafficPolicy: "Local",
  ports: [
    { name: "status-port", port: 15021, targetPort: 15021, nodePort: PARTNER_GATEWAY.nodePorts.status, protocol: "TCP" },
    { name: "https", port: 443, targetPort: 443, nodePort: PARTNER_GATEWAY.nodePorts.https, protocol: "TCP" },
  ],
} as const;

/**
 * The partner gateway's Service on GKE: an internal passthrough load balancer GKE creates and keeps
 * pointed at the nodes that run a gateway pod (its health checks find them), reachable on 443 from
 * the PSC service attachment's NAT range only (GKE's firewall rule for it admits that range alone),
 * published by the ServiceAttachment (partnerServiceAttachment).
 */
export function internalLoadBalancerService(pscNatCidr: string): Record<string, unknown> {
  return {
    type: "LoadBalancer",
    annotations: { "networking.gke.io/load-balancer-type": "Internal" },
    externalTrafficPolicy: "Local",
    loadBalancerSourceRanges: [pscNatCidr],
    ports: [{ name: "https", port: 443, targetPort: 443, protocol: "TCP" }],
  };
}

/** The GKE ServiceAttachment's name (in the gateway's namespace). */
export const PARTNER_SERVICE_ATTACHMENT = "partner-api";

/**
 * The Private Service Connect service attachment of the partner API on GKE (GKE's ServiceAttachment,
 * networking.gke.io/v1): it publishes the gateway's internal load balancer, translates the
 * partners' connections from the NAT subnet, accepts only the listed partner projects, each up to
 * its connection limit, and only by hand (ACCEPT_MANUAL with the accept list), and withdraws a
 * project's accepted connections when it leaves the list (reconcileConnections).
 */
export function partnerServiceAttachment(natSubnet: string, consumers: readonly { readonly project: string; readonly connectionLimit: number }[]): Record<string, unknown> {
  return {
    apiVersion: "networking.gke.io/v1",
    kind: "ServiceAttachment",
    metadata: { name: PARTNER_SERVICE_ATTACHMENT, namespace: EDGE_NAMESPACE },
    spec: {
      connectionPreference: "ACCEPT_MANUAL",
      natSubnets: [natSubnet],
      resourceRef: { kind: "Service", name: PARTNER_GATEWAY.release },
      proxyProtocol: false,
      reconcileConnections: true,
      consumerAllowList: consumers.map((c) => ({ project: c.project, connectionLimit: c.connectionLimit })),
    },
  };
}

/**
 * Helm values of the partner gateway (Istio's gateway chart, images from the region's registry
 * through istiod's injection): exactly `edge.replicas` pods (the partners' rates are divided
 * among them; no autoscaler, which would also need a metrics server), at most one zone apart, a
 * disruption budget, and a Service that keeps each connection on the node it reached (the load
 * balancer's health checks find the nodes that run a gateway pod; no hop to another node): node
 * ports on AWS (NODE_PORT_SERVICE), GKE's internal load balancer on GCP. A stopping pod keeps
 * serving for 45 s, longer than the load balancer takes to mark its node unhealthy (the NLB's 2
 * checks 5 s apart; GKE's 2 checks 3 s apart), so that no connection lands on a node without a gateway.
 */
export function partnerGatewayValues(edge: Pick<EdgeDesign, "replicas">, service: Record<string, unknown> = NODE_PORT_SERVICE): Record<string, unknown> {
  return gatewayChartValues(edge.replicas, service, PARTNER_GATEWAY.selector);
}

/**
 * Helm values of a gateway of Istio's gateway chart whose pods carry `selector`: `replicas` pods,
 * at most one zone apart, a disruption budget, the Service given, a 45 s drain, seccomp's runtime
 * default (Pod Security Admission `restricted`) and the chart's one sysctl restated (setting the
 * pod's context replaces the chart's; binding 443 without root needs it, a safe sysctl; istiod's
 * gateway injection template adds it to every gateway pod anyway).
 */
export function gatewayChartValues(replicas: number, service: Record<string, unknown>, selector: Readonly<Record<string, string>>): Record<string, unknown> {
  const labelSelector = { matchLabels: { ...selector } };
  return {
    replicaCount: replicas,
    autoscaling: { enabled: false },
    podDisruptionBudget: { maxUnavailable: 1 },
    terminationGracePeriodSeconds: 60,
    podAnnotations: { "proxy.istio.io/config": JSON.stringify({ terminationDrainDuration: "45s" }) },
    topologySpreadConstraints: [
      { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule", labelSelector },
      { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector },
    ],
    service: JSON.parse(JSON.stringify(service)),
    resources: { requests: { cpu: "500m", memory: "256Mi" }, limits: { cpu: "2000m", memory: "1Gi" } },
    securityContext: { seccompProfile: { ...RUNTIME_DEFAULT_SECCOMP }, sysctls: [{ name: "net.ipv4.ip_unprivileged_port_start", value: "0" }] },
  };
}

/** Every Istio object of the edge, in a stable order (the Certificates and CA Secrets are the istio stack's). */
export function edgeManifests(edge: EdgeDesign, targets: readonly EdgeTarget[]): (IGateway | IVirtualService | IAuthorizationPolicy | IEnvoyFilter)[] {
  return [partnerGateway(edge), ...partnerVirtualServices(edge, targets), partnerAuthorization(edge), partnerLimits(edge)];
}
