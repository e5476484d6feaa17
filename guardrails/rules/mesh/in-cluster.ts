import type { RegionConfig } from "../../../config/schema";
import { ISTIO_RELEASES } from "../../../config/catalog";
import { ISTIO_ROOT_NAMESPACE, meshEdgeManifests, placementPolicies, podSecurityNamespaces, principal, segmentation, serviceEntries, sidecarScopes } from "../../../model/mesh/policies";
import { StackView, stackRules } from "../../rule";
import { TfJson, resourcesOf, asList, firstDifference, one, sameJson, sortedStrings } from "../../../tfjson/terraform";
import { helmOverrideProblems } from "./helm";
import { isRemote, matchesAllPaths } from "../../../config/mesh";
import { clusterPlatform, hasMeshPki, issuerManifest, istioCniValues, istiodValues, meshDesign, partnerAttachmentFor, partnerCertificateFor, partnerGatewayService } from "../../../model/mesh/in-cluster";
import { ROOT_POD_SECURITY, RUNTIME_DEFAULT_SECCOMP, TENANT_POD_POLICY, WORKLOAD_POD_SECURITY, workloadPodPolicy } from "../../../model/mesh/pod-security";
import { manifestsOf } from "../../../tfjson/kubernetes";
import { sidecarPodMonitoring } from "../../../model/mesh/alerts";
import { ACCESS_LOG_FORMAT, HANDSHAKE_STATS_REGEX, LOGGED_REQUEST_HEADERS, REQUIRED_ACCESS_LOG_FIELDS } from "../../../model/mesh/telemetry";
import { EDGE_NAMESPACE, PARTNER_GATEWAY, gatewayPrincipal, ofPartnerGateway, isEdgeCall, partnerCaConfigMap, PARTNER_SERVICE_ATTACHMENT, partnerGatewayValues } from "../../../model/mesh/edge";
import { MESH_CA_OUTPUT_IDS } from "../../../model/mesh/pki";
import { CAS_OUTPUT_IDS } from "../../../model/gcp/pki";
import { regionOutput, waitsUntilReady } from "../../../tfjson/kubernetes";
import { POSTGRES_PORT } from "../../../model/aws/database";
import { KAFKA_PORTS } from "../../../model/aws/kafka";
import { CLOUDHSM_PORTS } from "../../../model/aws/hsm";
import { GCP_DATA_TIER_PORTS } from "../../../model/gcp/network";
import { EAST_WEST_GATEWAY, remoteServiceEntries } from "../../../model/mesh/cross-region";

/** True for the east-west gateway's release (its name in its namespace). */
export const isEastWestRelease = (r: TfJson) => r.name === EAST_WEST_GATEWAY.release && r.namespace === EAST_WEST_GATEWAY.namespace;

const ofKind = (json: TfJson, kind: string) => manifestsOf(json).filter(([, m]) => m.kind === kind);

/** The mesh design of a stack's region, with its part of the path between regions (its peers' calls; region-<name>'s outputs as the stack reads them). */
export function designOf({ region, peers, json }: Pick<StackView, "region" | "peers" | "json">): ReturnType<typeof meshDesign> {
  return meshDesign(region, peers ?? [region], (id) => regionOutput(json, id) ?? "?");
}

/** The namespaces that run workloads: every service's, every merchant's. */
export function workloadNamespaceNames({ region }: Pick<StackView, "region">): string[] {
  // Stryker disable next-line MethodExpression: equivalent (the order only orders the messages; the rules check each name)
  return [...new Set([...region.services.map((s) => s.namespace), ...region.mesh.merchantNamespaces])].sort();
}

/** A NetworkPolicy spec that selects every pod of its namespace and allows nothing, either way. */
const deniesAll = ({ podSelector, policyTypes, ...rest }: TfJson): boolean => sameJson(podSelector, {}) && sameJson(sortedStrings(policyTypes), ["Egress", "Ingress"]) && sameJson(rest, {});

/** The data tier's ports, each with the access a service must declare to open it (none for the HSMs: only KMS reaches them). */
function dataTierPorts(region: RegionConfig): { port: number; what: string; declared: (s: RegionConfig["services"][number]) => boolean }[] {
  const database = (s: RegionConfig["services"][number]) => s.access?.database === true;
  const kafka = (s: RegionConfig["services"][number]) => s.access !== undefined && s.access.kafka.read.length + s.access.kafka.write.length > 0;
  if (region.cloud === "aws") {
    return [
      { port: POSTGRES_PORT, what: "database", declared: database },
      { port: KAFKA_PORTS.iam, what: "Kafka brokers", declared: kafka },
      // The config rules hold every SCRAM user to a service that declares Kafka access.
      { port: KAFKA_PORTS.saslScram, what: "Kafka brokers (SASL/SCRAM)", declared: (s) => region.kafka.scramUsers.includes(s.name) },
      // Stryker disable next-line ArrowFunction: equivalent (undefined refuses as false does)
      ...Array.from({ length: CLOUDHSM_PORTS.to - CLOUDHSM_PORTS.from + 1 }, (_, i) => ({ port: CLOUDHSM_PORTS.from + i, what: "HSMs", declared: () => false })),
    ];
  }
  return [
    ...GCP_DATA_TIER_PORTS.filter((p) => p.port !== 9092).map((p) => ({ port: p.port, what: "database", declared: database })),
    { port: 9092, what: "Kafka brokers", declared: kafka },
  ];
}

/**
 * A NetworkPolicy's egress to the data tier's ports (any address block, or no port list at all)
 * from pods whose service does not declare that access.
 */
export function dataTierProblems(region: RegionConfig, address: string, m: TfJson): string[] {
  const spec = m.spec ?? {};
  const app: string | undefined = spec.podSelector?.matchLabels?.app;
  const service = region.services.find((s) => s.name === app && s.namespace === m.metadata?.namespace);
  const v: string[] = [];
  for (const rule of asList<TfJson>(spec.egress)) {
    // A rule that names pods reaches pods, not the data tier; one with an address block (or no peer) may.
    const peers = asList<TfJson>(rule.to);
    if (peers.length > 0 && peers.every((p) => p.ipBlock === undefined)) continue;
    const ports = asList<TfJson>(rule.ports);
    for (const d of dataTierPorts(region)) {
      // A named port may be any port (on an address block nothing resolves it): it opens.
      const opens = ports.length === 0 || ports.some((p) => typeof p.port !== "number" || (p.port <= d.port && d.port <= (typeof p.endPort === "number" ? p.endPort : p.port)));
      if (opens && !(service && d.declared(service))) v.push(`${address}: pods ${app ? `of ${app}` : "of every service"} may open the ${d.what} (port ${d.port}) without declaring that access`);
    }
  }
  return v;
}

/**
 * The synthesized manifests `got` against the objects a model builds (`want`), matched by `key`:
 * each object the model builds that is missing, each found one that differs from it (at its first
 * difference), each found one the model does not build. The texts are each rule's own.
 */
function againstModel<W>(
  got: readonly [string, TfJson][],
  want: readonly W[],
  key: (m: TfJson) => string,
  say: { readonly object?: (w: W) => TfJson; readonly missing: (w: W) => string; readonly differs: (address: string, at: string) => string; readonly extra: (address: string, m: TfJson) => string },
): string[] {
  const objectOf = say.object ?? ((w: W) => w as TfJson);
  const v: string[] = [];
  for (const w of want) {
    const found = got.find(([, m]) => key(m) === key(objectOf(w)));
    const at = found ? firstDifference(found[1], objectOf(w)) : undefined;
    if (!found) v.push(say.missing(w));
    else if (at !== undefined) v.push(say.differs(found[0], at));
  }
  for (const [address, m] of got.filter(([, x]) => !want.some((w) => key(objectOf(w)) === key(x)))) v.push(say.extra(address, m));
  return v;
}

/** A namespaced object's `<namespace>/<name>`. */
const namespacedName = (m: TfJson) => `${m.metadata?.namespace}/${m.metadata?.name}`;

/** A declared or an allowed call, as one comparable line. */
const callLine = (principal: string, namespace: string, app: string, methods: unknown, paths: unknown) =>
  // Stryker disable next-line StringLiteral: equivalent (allowed and declared calls are joined alike; methods and paths contain no separator)
  `${principal} -> ${namespace}/${app} ${sortedStrings(methods).join(",")} ${sortedStrings(paths).join(",")}`;

/** The providers each in-cluster stack may use. */
const IN_CLUSTER_PROVIDERS: Record<string, readonly string[]> = { pki: ["helm", "kubernetes"], istio: ["helm", "kubernetes"], mesh: ["kubernetes"] };

/** The state backend of an in-cluster stack: its own object, next to the region's, encrypted (and, on S3, locked). */
function stateProblems(region: RegionConfig, json: TfJson): string[] {
  if (region.cloud === "aws") {
    const s3 = json.terraform?.backend?.s3;
    if (!s3 || s3.encrypt !== true || s3.use_lockfile !== true || s3.kms_key_id !== region.stateBackend.kmsKeyArn) return ["terraform.backend.s3: state not encrypted under the state key and locked"];
    if (s3.key === region.stateBackend.key || s3.bucket !== region.stateBackend.bucket) return [`terraform.backend.s3: state key ${s3.key} is not its own, next to the region's`];
    return [];
  }
  const gcs = json.terraform?.backend?.gcs;
  if (!gcs || gcs.kms_encryption_key !== region.stateBackend.kmsKeyName) return ["terraform.backend.gcs: state not encrypted under the state key"];
  if (gcs.prefix === region.stateBackend.prefix || String(gcs.prefix).startsWith(`${region.stateBackend.prefix}/`) || gcs.bucket !== region.stateBackend.bucket) return [`terraform.backend.gcs: prefix ${gcs.prefix} is not its own, next to the region's`];
  return [];
}

/** True when the remote state read is exactly the region stack's. */
function readsRegionState(region: RegionConfig, remote: TfJson): boolean {
  const config = one(remote.config);
  return region.cloud === "aws"
    ? remote.backend === "s3" && config.key === region.stateBackend.key && config.bucket === region.stateBackend.bucket
    : remote.backend === "gcs" && config.prefix === region.stateBackend.prefix && config.bucket === region.stateBackend.bucket;
}

/** Rules of every in-cluster stack (`region-<name>-pki`, `-istio` and `-mesh`). */
export const IN_CLUSTER_RULES = stackRules<RegionConfig>({ layers: ["pki", "istio", "mesh"] }, [
  {
    id: "mesh.cluster-access",
    requirement: "7.2, 8.2, 3.5",
    fix: "Keep the in-cluster stacks on the kubernetes/helm providers configured from region-<name>'s outputs, with the cloud's credential plugin (aws eks get-token, gke-gcloud-auth-plugin) and state of their own.",
    description: "in-cluster stacks use only the kubernetes (and, for the install, helm) providers, reach the cluster through the endpoint and CA that region-<name> outputs with short-lived tokens from the cloud's credential plugin, and keep their own encrypted state next to the region's",
    check: ({ region, layer, json }) => {
      const v: string[] = [];
      const providers = IN_CLUSTER_PROVIDERS[layer];
      const used = Object.keys(json.terraform?.required_providers ?? {}).sort();
      if (!sameJson(used, providers)) v.push(`terraform.required_providers: ${JSON.stringify(used)}, expected ${JSON.stringify(providers)}`);
      v.push(...stateProblems(region, json));
      const remote = Object.entries((json.data?.terraform_remote_state ?? {}) as Record<string, TfJson>);
      if (remote.length !== 1 || !readsRegionState(region, remote[0][1])) {
        v.push(`data.terraform_remote_state: does not read region-${region.name}'s state (and only it)`);
        return v;
      }
      const output = (id: string) => `data.terraform_remote_state.${remote[0][0]}.outputs.${id}`;
      const configs = [
        ...asList(json.provider?.kubernetes).map((p: TfJson) => ({ at: "provider.kubernetes", p, exec: one(p.exec) })),
        ...asList(json.provider?.helm).map((p: TfJson) => ({ at: "provider.helm", p: p.kubernetes, exec: one(p.kubernetes?.exec) })),
      ];
      if (configs.length !== providers.length) v.push(`provider: ${configs.length} provider configurations, expected ${providers.length}`);
      const platform = clusterPlatform(region);
      const expectedArgs = platform.exec.args(`\${${output(platform.outputs.name)}}`);
      for (const { at, p, exec } of configs) {
        if (p?.host !== `${platform.hostPrefix}\${${output(platform.outputs.endpoint)}}`) v.push(`${at}: host ${p?.host} is not the cluster's endpoint`);
        if (p?.cluster_ca_certificate !== `\${base64decode(${output(platform.outputs.certificateAuthority)})}`) v.push(`${at}: does not verify the cluster's CA`);
        if (p?.insecure || p?.token || p?.config_path || p?.client_key || p?.password) v.push(`${at}: static or unverified credentials`);
        if (exec.command !== platform.exec.command || !sameJson(asList(exec.args), expectedArgs)) v.push(`${at}: credentials not from ${[platform.exec.command, ...expectedArgs.slice(0, 2)].join(" ")}`);
      }
      return v;
    },
  },
]);

/** Access-log operators that can carry a body, a credential or anything an application put there: response headers and trailers, metadata, filter state, CEL. */
const UNLOGGED_OPERATORS = ["RESP", "TRAILER", "DYNAMIC_METADATA", "CLUSTER_METADATA", "UPSTREAM_METADATA", "METADATA", "FILTER_STATE", "UPSTREAM_FILTER_STATE", "CEL"];

/** The headers a path is read from (only ever without its query string). */
const PATH_HEADERS = ["X-ENVOY-ORIGINAL-PATH", ":PATH"];

/** Rules of the stack that installs Istio (`region-<name>-istio`). */
export const ISTIO_RULES = stackRules<RegionConfig>({ layers: ["istio"] }, [
  {
    id: "mesh.istio-install",
    requirement: "6.3.3, 2.2",
    fix: "Set mesh.istioVersion to a release of the catalog (ISTIO_RELEASES); install base, then istiod (wait, no lint) from the region's private registry (ECR or Artifact Registry) with the blueprint's values.",
    description: "Istio at the pinned supported release: istio-base, then istiod with wait (after base), neither linted, charts and images from the region's private registry, istiod with the region's trust domain",
    check: ({ region, json, peers }) => {
      const v: string[] = [];
      const charts = resourcesOf(json, "helm_release").map(([, r]) => r.chart as string);
      const all = Object.fromEntries(resourcesOf(json, "helm_release").map(([n, r]) => [r.chart as string, { address: `helm_release.${n}`, r }]));
      const gateways = [...(region.edge && hasMeshPki(region) ? ["gateway"] : []), ...(designOf({ region, peers, json }).eastWest?.exposed.length ? ["gateway"] : [])];
      const expected = [...(hasMeshPki(region) ? ["base", "cert-manager-istio-csr", "cni", "istiod"] : ["base", "cni", "istiod"]), ...gateways].sort();
      if (!sameJson([...charts].sort(), expected)) return [`helm_release: charts ${JSON.stringify(charts)}, expected ${expected.join(", ")}`];
      // istio-csr is mesh.workload-ca's, the partner gateway mesh.partner-gateway-install's, the east-west gateway mesh.east-west-gateway-install's.
      const releases = { base: all.base, cni: all.cni, istiod: all.istiod };
      const version = region.mesh.istioVersion;
      // The catalog lists only supported releases (1.26 or newer); the config rules check the same.
      if (!(version.split(".").slice(0, 2).join(".") in ISTIO_RELEASES)) v.push(`helm_release: Istio ${version} is not a supported release (listed in the catalog, ISTIO_RELEASES)`);
      const registry = clusterPlatform(region).registry;
      for (const { address, r } of Object.values(releases)) {
        if (r.version !== version) v.push(`${address}: version ${r.version}, expected ${version}`);
        if (r.repository !== `oci://${registry}/charts/istio`) v.push(`${address}: chart from ${r.repository}, not the region's private registry`);
        if (r.wait !== true) v.push(`${address}: does not wait for its resources`);
        if (r.lint !== undefined) v.push(`${address}: lint set (istio/istio#41792)`);
        if (r.namespace !== ISTIO_ROOT_NAMESPACE) v.push(`${address}: namespace ${r.namespace}`);
        v.push(...helmOverrideProblems(address, r));
        if (asList(r.values).length !== 1) v.push(`${address}: ${asList(r.values).length} values documents, expected exactly 1`);
      }
      const istiod = releases.istiod;
      if (!asList(istiod.r.depends_on).includes(releases.base.address)) v.push(`${istiod.address}: not installed after istio-base (its CRDs)`);
      const cni = releases.cni;
      if (!asList(istiod.r.depends_on).includes(cni.address)) v.push(`${istiod.address}: not installed after istio-cni (a pod injected on a node without the CNI agent fails its istio-validation check)`);
      if (!asList(cni.r.depends_on).includes(releases.base.address)) v.push(`${cni.address}: not installed after istio-base`);
      if (!sameJson(JSON.parse(asList<string>(cni.r.values)[0] ?? "{}"), istioCniValues(region))) v.push(`${cni.address}: values differ from the blueprint's istio-cni values (at ${firstDifference(JSON.parse(asList<string>(cni.r.values)[0] ?? "{}"), istioCniValues(region))})`);
      const values = JSON.parse(asList<string>(istiod.r.values)[0] ?? "{}") as TfJson;
      const global = one(values.global);
      if (global.hub !== `${registry}/istio` || global.tag !== version) v.push(`${istiod.address}: images from ${global.hub}:${global.tag}, not the region's private registry at ${version}`);
      if (values.meshConfig?.trustDomain !== region.mesh.trustDomain) v.push(`${istiod.address}: trust domain ${values.meshConfig?.trustDomain}, expected ${region.mesh.trustDomain}`);
      // Anything else in the document (an image override, another hub) is a change to review.
      if (!sameJson(values, istiodValues(region, peers))) v.push(`${istiod.address}: values differ from the blueprint's istiod values`);
      return v;
    },
  },
  {
    id: "mesh.namespaces-injected",
    requirement: "1.3, 4.2",
    fix: "Declare workload and merchant namespaces in the region file (services[].namespace, mesh.merchantNamespaces); IstioStack creates them with istio-injection=enabled.",
    description: "every workload namespace exists with sidecar injection on; merchant namespaces, and only they, are labelled isolation=true",
    check: (stack) => {
      const v: string[] = [];
      const namespaces = new Map(resourcesOf(stack.json, "kubernetes_namespace_v1").map(([n, r]) => [r.metadata?.name as string, { address: `kubernetes_namespace_v1.${n}`, labels: (r.metadata?.labels ?? {}) as Record<string, string> }]));
      if (!namespaces.has(ISTIO_ROOT_NAMESPACE)) v.push(`kubernetes_namespace_v1: no ${ISTIO_ROOT_NAMESPACE}`);
      const merchants = new Set(stack.region.mesh.merchantNamespaces);
      for (const ns of workloadNamespaceNames(stack)) {
        const found = namespaces.get(ns);
        if (!found) {
          v.push(`kubernetes_namespace_v1: no namespace ${ns}`);
          continue;
        }
        if (found.labels["istio-injection"] !== "enabled") v.push(`${found.address}: sidecar injection off`);
        if (merchants.has(ns) !== (found.labels.isolation === "true")) v.push(`${found.address}: isolation label ${found.labels.isolation}, merchant: ${merchants.has(ns)}`);
      }
      return v;
    },
  },
  {
    id: "mesh.pod-security",
    requirement: "2.2.1, 2.2.5, 7.2.1",
    fix: "Keep Istio CNI (istiod cni.enabled, the cni chart before istiod), seccomp's runtime default on the injected containers, and the Pod Security Admission labels model/mesh/pod-security.ts gives: restricted on every workload namespace and the partner gateway's (created after istiod), privileged on Istio's root namespace only.",
    description:
      "Pod Security Admission enforces, audits and warns `restricted` on every workload namespace and the partner gateway's, and only Istio's root namespace (the CNI node agent's) is privileged; Istio CNI redirects the pods' traffic, so no injected container needs NET_ADMIN or root, and the injected containers run under seccomp's runtime default; the workload namespaces are labelled only once istiod injects for CNI",
    check: ({ region, json, peers }) => {
      const v: string[] = [];
      const namespaces = resourcesOf(json, "kubernetes_namespace_v1").map(([n, r]) => ({ address: `kubernetes_namespace_v1.${n}`, r, name: String(r.metadata?.name), labels: (r.metadata?.labels ?? {}) as Record<string, string> }));
      const istiod = resourcesOf(json, "helm_release").find(([, r]) => r.chart === "istiod");
      const design = designOf({ region, peers, json });
      const workloads = new Set(workloadNamespaceNames({ region }));
      const held = new Set(podSecurityNamespaces(design));
      const labels = (l: Record<string, string>) => Object.fromEntries(Object.entries(l).filter(([k]) => k.startsWith("pod-security.kubernetes.io/")));
      for (const ns of namespaces) {
        const want = ns.name === ISTIO_ROOT_NAMESPACE ? ROOT_POD_SECURITY : held.has(ns.name) ? WORKLOAD_POD_SECURITY : undefined;
        if (want === undefined) continue;
        if (!sameJson(labels(ns.labels), want)) v.push(`${ns.address}: Pod Security Admission labels ${JSON.stringify(labels(ns.labels))}, expected ${JSON.stringify(want)}`);
        if (workloads.has(ns.name) && istiod && !asList(ns.r.depends_on).includes(`helm_release.${istiod[0]}`)) v.push(`${ns.address}: labelled restricted before istiod injects for Istio CNI (a pod injected meanwhile with istio-init is refused)`);
      }
      for (const ns of held) if (!namespaces.some((n) => n.name === ns)) v.push(`kubernetes_namespace_v1: no namespace ${ns} held to restricted`);
      if (!istiod) return [...v, "helm_release: no istiod"];
      const values = JSON.parse(asList<string>(istiod[1].values)[0] ?? "{}") as TfJson;
      if (values.cni?.enabled !== true) v.push(`helm_release.${istiod[0]}: Istio CNI off (the injected istio-init needs NET_ADMIN and NET_RAW, which restricted refuses)`);
      if (!sameJson(values.global?.proxy?.seccompProfile, RUNTIME_DEFAULT_SECCOMP)) v.push(`helm_release.${istiod[0]}: the injected containers have no seccomp profile (restricted refuses the pod)`);
      if (!resourcesOf(json, "helm_release").some(([, r]) => r.chart === "cni" && r.namespace === ISTIO_ROOT_NAMESPACE)) v.push(`helm_release: no istio-cni in ${ISTIO_ROOT_NAMESPACE}`);
      return v;
    },
  },
  {
    id: "mesh.registry-only",
    requirement: "1.3.2, 1.4.1",
    fix: "Keep istiod's meshConfig.outboundTrafficPolicy.mode REGISTRY_ONLY; a destination outside the mesh is declared in the region file (services[].access) and becomes a ServiceEntry of its namespace.",
    description: "istiod's outbound traffic policy is REGISTRY_ONLY: a sidecar forwards only to the mesh's services and its namespace's ServiceEntries (what its services declare), anything else to Istio's black hole",
    check: ({ json }) => {
      const istiod = resourcesOf(json, "helm_release").find(([, r]) => r.chart === "istiod");
      if (!istiod) return ["helm_release: no istiod"];
      const mode = (JSON.parse(asList<string>(istiod[1].values)[0] ?? "{}") as TfJson).meshConfig?.outboundTrafficPolicy?.mode;
      return mode === "REGISTRY_ONLY" ? [] : [`helm_release.${istiod[0]}: outbound traffic policy ${mode ?? "ALLOW_ANY (Istio's default)"}, expected REGISTRY_ONLY (a sidecar would forward to any address)`];
    },
  },
  {
    id: "mesh.access-logs",
    requirement: "10.2.1, 10.2.2, 3.3.1, 10.4.1",
    fix: "Keep istiod's meshConfig from istiodValues: accessLogFile /dev/stdout, accessLogEncoding JSON, accessLogFormat = model/mesh/telemetry.ts ACCESS_LOG_FORMAT (the path without its query string, no other headers, no metadata or filter state), and defaultConfig.proxyStatsMatcher exporting HANDSHAKE_STATS_REGEX.",
    description:
      "every sidecar writes one JSON access-log line per request to stdout (shipped off the node by the region's log pipeline) with the request id, the caller's and the callee's SPIFFE identities, the authority, the response code and the mTLS handshake's result; the path without its query string and no other request header, no metadata or filter state (a PAN can reach none); and exports Envoy's counters of failed inbound handshakes",
    check: ({ json }) => {
      const istiod = resourcesOf(json, "helm_release").find(([, r]) => r.chart === "istiod");
      if (!istiod) return [];
      const a = `helm_release.${istiod[0]}`;
      const mesh = one((JSON.parse(asList<string>(istiod[1].values)[0] ?? "{}") as TfJson).meshConfig);
      const v: string[] = [];
      if (mesh.accessLogFile !== "/dev/stdout") v.push(`${a}: meshConfig.accessLogFile is ${mesh.accessLogFile}, not /dev/stdout (the log pipeline reads the containers' output)`);
      if (mesh.accessLogEncoding !== "JSON") v.push(`${a}: meshConfig.accessLogEncoding is ${mesh.accessLogEncoding}, not JSON`);
      let format: Record<string, unknown> = {};
      try {
        format = JSON.parse(String(mesh.accessLogFormat)) as Record<string, unknown>;
      } catch {
        v.push(`${a}: meshConfig.accessLogFormat is not a JSON object (Istio would fall back to its default format, which logs query strings)`);
      }
      for (const field of REQUIRED_ACCESS_LOG_FIELDS) {
        if (format[field] !== ACCESS_LOG_FORMAT[field]) v.push(`${a}: access-log field ${field} is ${JSON.stringify(format[field])}, expected ${ACCESS_LOG_FORMAT[field]}`);
      }
      for (const [field, value] of Object.entries(format)) {
        for (const [, operator, argument] of String(value).matchAll(/%([A-Z_]+)(?:\(([^)]*)\))?/g)) {
          const headers = (argument ?? "").split("?").map((h) => h.toUpperCase());
          const unsafe =
            UNLOGGED_OPERATORS.includes(operator) ||
            (operator === "REQ" && !headers.every((h) => (LOGGED_REQUEST_HEADERS as readonly string[]).includes(h))) ||
            (operator === "REQ_WITHOUT_QUERY" && !headers.every((h) => PATH_HEADERS.includes(h)));
          if (unsafe) v.push(`${a}: access-log field ${field} logs %${operator}${argument === undefined ? "" : `(${argument})`}% (only the path without its query and ${LOGGED_REQUEST_HEADERS.join(", ")} may be logged)`);
        }
      }
      const stats = asList<string>(one(one(mesh.defaultConfig).proxyStatsMatcher).inclusionRegexps);
      if (!stats.includes(HANDSHAKE_STATS_REGEX)) v.push(`${a}: meshConfig.defaultConfig.proxyStatsMatcher does not export the failed-handshake counters (${HANDSHAKE_STATS_REGEX})`);
      return v;
    },
  },
]);

/** The partner gateway's install in `region-<name>-istio`. */
export const PARTNER_GATEWAY_RULES = stackRules<RegionConfig>({ layers: ["istio"] }, [
  {
    id: "mesh.partner-gateway-install",
    requirement: "1.3, 4.2.1, 6.3.3, 8.3.1",
    fix: "Keep IstioStack's PartnerGateway: the istio-ingress namespace, the region's issuer there (AWSPCAIssuer on mesh_ca_arn, GoogleCASIssuer on mesh_ca_pool), per partner a ConfigMap with its CA bundle and the Certificate of model/mesh/edge.ts (both waited for), then Istio's gateway chart from the private registry at the Istio release with partnerGatewayValues and the cloud's Service (partnerGatewayService), after istiod; on GCP, the ServiceAttachment of partnerServiceAttachment after it, waited for until GKE has created it.",
    description:
      "where the region declares partners, the partner gateway is Istio's gateway chart at the region's Istio release from its private registry, with the blueprint's values (replicas spread over zones, a disruption budget, a Service that keeps a connection on its node: node ports behind the NLB on AWS, GKE's internal load balancer open to the PSC NAT range only on GCP), installed after istiod and after every partner's CA (a ConfigMap with exactly the region file's bundle) and server certificate (from the region's intermediate, Ready before the gateway serves it); on GCP, the PSC service attachment on that load balancer accepts only the region file's partner projects, by hand, up to their limits; nothing else in the gateway's namespace",
    check: ({ region, json }) => {
      const v: string[] = [];
      const releases = resourcesOf(json, "helm_release");
      // (The east-west gateway is mesh.east-west-gateway-install's.)
      const gateway = releases.find(([, r]) => r.chart === "gateway" && !isEastWestRelease(r));
      const inEdge = (m: TfJson | undefined) => m?.metadata?.namespace === EDGE_NAMESPACE;
      if (!region.edge || !hasMeshPki(region)) {
        if (gateway) v.push(`helm_release.${gateway[0]}: a gateway in a region that declares no partners`);
        for (const [address, m] of manifestsOf(json).filter(([, x]) => inEdge(x))) v.push(`${address}: ${m.kind} in ${EDGE_NAMESPACE} of a region that declares no partners`);
        return v;
      }
      const edge = region.edge;
      const namespaces = resourcesOf(json, "kubernetes_namespace_v1").filter(([, n]) => asList<TfJson>(n.metadata)[0]?.name === EDGE_NAMESPACE || n.metadata?.name === EDGE_NAMESPACE);
      if (namespaces.length !== 1) v.push(`kubernetes_namespace_v1: no namespace ${EDGE_NAMESPACE}`);
      const manifests = manifestsOf(json).filter(([, m]) => inEdge(m));
      const body = (address: string) => json.resource.kubernetes_manifest[address.split(".")[1]] as TfJson;
      const issuer = manifests.find(([, m]) => sameJson(m, issuerManifest(region, (id) => regionOutput(json, id) ?? "?", EDGE_NAMESPACE)));
      if (!issuer) v.push(`kubernetes_manifest: no issuer in ${EDGE_NAMESPACE} on region-${region.name}'s ${region.cloud === "aws" ? MESH_CA_OUTPUT_IDS.arn : CAS_OUTPUT_IDS.pool}`);
      else if (!waitsUntilReady(body(issuer[0]))) v.push(`${issuer[0]}: does not wait until the issuer is Ready`);
      const before: string[] = [];
      for (const p of edge.partners) {
        const certificate = manifests.find(([, m]) => sameJson(m, partnerCertificateFor({ ...region, edge }, p)));
        if (!certificate) v.push(`kubernetes_manifest: no server certificate for partner ${p.name} as model/mesh/edge.ts builds it`);
        else {
          before.push(certificate[0]);
          if (!waitsUntilReady(body(certificate[0]))) v.push(`${certificate[0]}: does not wait until the certificate is Ready`);
          if (issuer && !asList(body(certificate[0]).depends_on).includes(issuer[0])) v.push(`${certificate[0]}: requested before its issuer`);
        }
        const ca = resourcesOf(json, "kubernetes_config_map_v1").find(([, c]) => sameJson([c.metadata?.name, c.metadata?.namespace], [partnerCaConfigMap(p), EDGE_NAMESPACE]));
        if (!ca) v.push(`kubernetes_config_map_v1: no ${EDGE_NAMESPACE}/${partnerCaConfigMap(p)} with partner ${p.name}'s CA`);
        else {
          before.push(`kubernetes_config_map_v1.${ca[0]}`);
          if (!sameJson(ca[1].data, { "ca.crt": p.caBundle })) v.push(`kubernetes_config_map_v1.${ca[0]}: does not hold exactly partner ${p.name}'s CA bundle of the region file`);
        }
      }
      // On GCP, the PSC service attachment GKE creates for the gateway's internal load balancer.
      const expectedAttachment = partnerAttachmentFor(region);
      const attachment = expectedAttachment && manifests.find(([, m]) => sameJson(m, expectedAttachment));
      if (expectedAttachment && !attachment) v.push(`kubernetes_manifest: no ServiceAttachment ${PARTNER_SERVICE_ATTACHMENT} for the region file's partner projects (paymentApi.consumerAcceptList), accepted by hand, on the gateway's Service, as model/mesh/edge.ts builds it`);
      if (attachment) {
        const b = body(attachment[0]);
        if (!sameJson(b.wait, { fields: { "status.serviceAttachmentURL": "^https://" } })) v.push(`${attachment[0]}: not waited for until GKE has created the service attachment`);
        if (gateway && !asList(b.depends_on).includes(`helm_release.${gateway[0]}`)) v.push(`${attachment[0]}: created before the gateway's Service`);
      }
      const known = new Set([issuer?.[0], attachment?.[0], ...before]);
      for (const [address, m] of manifests.filter(([a]) => !known.has(a))) v.push(`${address}: ${m.kind} ${m.metadata?.name} is not one the partner gateway's install builds`);
      for (const [cn, c] of resourcesOf(json, "kubernetes_config_map_v1").filter(([x, m]) => m.metadata?.namespace === EDGE_NAMESPACE && !known.has(`kubernetes_config_map_v1.${x}`))) v.push(`kubernetes_config_map_v1.${cn}: ${c.metadata?.name} is not a partner's CA`);
      if (!gateway) return [...v, "helm_release: no partner gateway (Istio's gateway chart)"];
      const [gn, g] = gateway;
      const at = `helm_release.${gn}`;
      const registry = clusterPlatform(region).registry;
      if (g.name !== PARTNER_GATEWAY.release || g.namespace !== EDGE_NAMESPACE) v.push(`${at}: release ${g.namespace}/${g.name}, expected ${EDGE_NAMESPACE}/${PARTNER_GATEWAY.release} (its pods' labels and service account are named after it)`);
      if (g.version !== region.mesh.istioVersion) v.push(`${at}: version ${g.version}, expected the mesh's ${region.mesh.istioVersion}`);
      if (g.repository !== `oci://${registry}/charts/istio`) v.push(`${at}: chart from ${g.repository}, not the region's private registry`);
      if (g.wait !== true || g.atomic !== true) v.push(`${at}: does not wait for its pods and roll back a failed install`);
      v.push(...helmOverrideProblems(at, g));
      const docs = asList<string>(g.values);
      if (docs.length !== 1 || !sameJson(JSON.parse(docs[0]), partnerGatewayValues(edge, partnerGatewayService(region)))) v.push(`${at}: values differ from the blueprint's partner gateway values (partnerGatewayValues)`);
      const istiod = releases.find(([, r]) => r.chart === "istiod");
      const deps = asList<string>(g.depends_on);
      if (istiod && !deps.includes(`helm_release.${istiod[0]}`)) v.push(`${at}: installed before istiod (nothing would inject its proxy)`);
      for (const b of before) if (!deps.includes(b)) v.push(`${at}: installed before ${b}`);
      return v;
    },
  },
]);

/** The only objects the mesh stack applies: anything else (EnvoyFilter, DestinationRule, RBAC) needs its own review. */
export const MESH_KINDS = ["security.istio.io/v1 PeerAuthentication", "security.istio.io/v1 AuthorizationPolicy", "networking.k8s.io/v1 NetworkPolicy", "networking.istio.io/v1 Sidecar", "networking.istio.io/v1 ServiceEntry", "networking.istio.io/v1 DestinationRule", "networking.istio.io/v1beta1 ProxyConfig"];

/** The cluster-scoped kinds the mesh stack applies: the workload pod policy and its binding (mesh.workload-pod-policy). */
const ADMISSION_KINDS = ["admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy", "admissionregistration.k8s.io/v1 ValidatingAdmissionPolicyBinding"];

/** The one more kind the mesh stack applies on GKE: Managed Service for Prometheus's scrape of the sidecars. */
const GKE_SCRAPE_KIND = "monitoring.googleapis.com/v1 PodMonitoring";

/** The kinds the partner gateway's configuration adds, in its namespace only (mesh.partner-edge holds each to the model). */
export const EDGE_KINDS = ["networking.istio.io/v1 Gateway", "networking.istio.io/v1 VirtualService", "networking.istio.io/v1alpha3 EnvoyFilter", "security.istio.io/v1 AuthorizationPolicy"];


/** Rules of the stack that holds the mesh's policies (`region-<name>-mesh`). */
export const MESH_RULES = stackRules({ layers: ["mesh"] }, [
  {
    id: "mesh.known-kinds",
    requirement: "1.3, 6.5.1",
    fix: "Express the change through the region file's mesh section (calls, merchant namespaces); an object of another kind (EnvoyFilter, DestinationRule, a RoleBinding) needs a reviewed rule of its own before it is added to MESH_KINDS.",
    description:
      "the mesh stack applies only PeerAuthentication, AuthorizationPolicy (security.istio.io/v1), Sidecar (networking.istio.io/v1, mesh.sidecar-scope), ServiceEntry (networking.istio.io/v1, mesh.service-entries), DestinationRule (networking.istio.io/v1) and ProxyConfig (networking.istio.io/v1beta1), only the remote services' and their callers' DNS capture (mesh.east-west-routes), and NetworkPolicy (networking.k8s.io/v1) objects, and the workload pod policy with its binding (admissionregistration.k8s.io/v1, mesh.workload-pod-policy); on GKE the sidecars' scrape: one PodMonitoring per workload namespace exactly as model/mesh/alerts.ts builds it (only the request and failed-handshake counters leave the cluster); where the region declares partners, the partner gateway's Gateway, VirtualServices and EnvoyFilter in its own namespace (held to the model by mesh.partner-edge); where other regions call in, the east-west Gateway in its own namespace (mesh.east-west-routes)",
    check: ({ json, region }) => {
      const v: string[] = [];
      const monitorings = manifestsOf(json).filter(([, m]) => `${m.apiVersion} ${m.kind}` === GKE_SCRAPE_KIND);
      const edgeKind = (x: TfJson) =>
        (region.edge !== undefined && x.metadata?.namespace === EDGE_NAMESPACE && EDGE_KINDS.includes(`${x.apiVersion} ${x.kind}`)) ||
        (x.metadata?.namespace === EAST_WEST_GATEWAY.namespace && `${x.apiVersion} ${x.kind}` === "networking.istio.io/v1 Gateway");
      for (const [address, m] of manifestsOf(json).filter(([, x]) => !MESH_KINDS.includes(`${x.apiVersion} ${x.kind}`) && !(region.cloud === "gcp" && `${x.apiVersion} ${x.kind}` === GKE_SCRAPE_KIND) && !edgeKind(x) && !ADMISSION_KINDS.includes(`${x.apiVersion} ${x.kind}`))) {
        v.push(`${address}: ${m.apiVersion} ${m.kind} is not a kind the mesh stack may apply`);
      }
      for (const [address, m] of monitorings) {
        if (!sameJson(m, sidecarPodMonitoring(String(m.metadata?.namespace)))) v.push(`${address}: the PodMonitoring is not the sidecars' reviewed scrape`);
      }
      if (region.cloud === "gcp") {
        const scraped = new Set(monitorings.map(([, m]) => String(m.metadata?.namespace)));
        for (const ns of workloadNamespaceNames({ region }).filter((n) => !scraped.has(n))) v.push(`kubernetes_manifest: no PodMonitoring of the sidecars in ${ns} (their handshake failures would go unseen)`);
      }
      return v;
    },
  },
  {
    id: "mesh.strict-mtls",
    requirement: "4.2.1, 8.3",
    fix: "Keep the root namespace's PeerAuthentication default in STRICT mode; do not add a PeerAuthentication that selects workloads or relaxes a port.",
    description: "PeerAuthentication `default` in the root namespace requires mTLS mesh-wide, and no PeerAuthentication relaxes it",
    check: ({ json }) => {
      const v: string[] = [];
      const all = ofKind(json, "PeerAuthentication");
      const root = all.filter(([, m]) => sameJson([m.metadata?.name, m.metadata?.namespace], ["default", ISTIO_ROOT_NAMESPACE]));
      if (root.length !== 1) v.push(`kubernetes_manifest: ${root.length} PeerAuthentication default in ${ISTIO_ROOT_NAMESPACE}, expected 1`);
      for (const [address, m] of all) {
        if (m.apiVersion !== "security.istio.io/v1") v.push(`${address}: ${m.apiVersion}, expected security.istio.io/v1`);
        if (m.spec?.mtls?.mode !== "STRICT") v.push(`${address}: mode ${m.spec?.mtls?.mode}`);
        if (m.spec?.selector !== undefined) v.push(`${address}: applies only to selected workloads`);
        for (const [port, p] of Object.entries((m.spec?.portLevelMtls ?? {}) as Record<string, TfJson>)) if (p.mode !== "STRICT") v.push(`${address}: port ${port} mode ${p.mode}`);
      }
      return v;
    },
  },
  {
    id: "mesh.deny-by-default",
    requirement: "1.3, 7.2.1",
    fix: "Keep the empty-spec deny-all AuthorizationPolicy in Istio's root namespace and in every workload namespace; allow traffic by declaring calls in mesh.calls.",
    description: "Istio's root namespace (so every workload of the mesh, in whatever namespace) and every workload namespace have the deny-all AuthorizationPolicy (empty spec: applies to all their workloads, allows nothing)",
    check: (stack) => {
      const v: string[] = [];
      const denyAll = ofKind(stack.json, "AuthorizationPolicy").filter(([, m]) => sameJson(m.spec, {}) && m.apiVersion === "security.istio.io/v1");
      for (const ns of [ISTIO_ROOT_NAMESPACE, ...workloadNamespaceNames(stack)]) {
        if (!denyAll.some(([, m]) => m.metadata?.namespace === ns)) v.push(`kubernetes_manifest: namespace ${ns} has no deny-all AuthorizationPolicy`);
      }
      return v;
    },
  },
  {
    id: "mesh.allow-equals-calls",
    requirement: "7.2.1, 7.2.2",
    fix: "Declare the call in mesh.calls of the region file (from namespace/serviceaccount, to namespace/service, methods, paths) instead of writing an AuthorizationPolicy.",
    description: "the ALLOW rules and the declared calls are the same set: each rule lets exactly one declared caller (its principal in the region's trust domain; the partner gateway's for a partner's route) make exactly the declared methods on the declared paths of the called service's pods",
    check: ({ region, json, peers }) => {
      const v: string[] = [];
      const allowed: string[] = [];
      // (The partner gateway's own policy, in its namespace, is mesh.partner-edge's.)
      for (const [address, m] of ofKind(json, "AuthorizationPolicy").filter(([, x]) => !ofPartnerGateway(region, x.metadata))) {
        if (sameJson(m.spec, {})) continue;
        if (m.apiVersion !== "security.istio.io/v1") v.push(`${address}: ${m.apiVersion}, expected security.istio.io/v1`);
        if (m.spec?.action !== "ALLOW") {
          v.push(`${address}: action ${m.spec?.action}; the mesh's policies are deny-all and ALLOWs of declared calls`);
          continue;
        }
        // An ALLOW has a spec (its action is ALLOW).
        const keys = Object.keys(m.spec).sort();
        if (!sameJson(keys, ["action", "rules", "selector"])) v.push(`${address}: spec keys ${JSON.stringify(keys)}, expected exactly action, rules, selector`);
        const app = m.spec.selector?.matchLabels?.app;
        if (!app || Object.keys(m.spec.selector.matchLabels).length !== 1) v.push(`${address}: does not select one service's pods`);
        asList<TfJson>(m.spec.rules).forEach((rule, i) => {
          const from = asList<TfJson>(rule.from);
          const to = asList<TfJson>(rule.to);
          const source = from[0]?.source ?? {};
          const op = to[0]?.operation ?? {};
          if (from.length !== 1 || !sameJson(Object.keys(source), ["principals"]) || asList(source.principals).length !== 1) v.push(`${address}: rule ${i} does not name exactly one principal as its source`);
          if (to.length !== 1 || !sameJson(Object.keys(op).sort(), ["methods", "paths"])) v.push(`${address}: rule ${i} is not exactly methods and paths`);
          if (rule.when !== undefined) v.push(`${address}: rule ${i} has conditions`);
          allowed.push(callLine(String(asList(source.principals)[0]), m.metadata?.namespace, app, op.methods, op.paths));
        });
      }
      const declared = designOf({ region, peers, json }).calls.map((c) => {
        const [ns, name] = c.to.split("/");
        return callLine(isEdgeCall(c) ? gatewayPrincipal(region.mesh.trustDomain) : principal(c.fromTrustDomain ?? region.mesh.trustDomain, c.from), ns, name, c.methods, c.paths);
      });
      for (const line of allowed.filter((a) => !declared.includes(a))) v.push(`kubernetes_manifest: allowed but not declared: ${line}`);
      for (const line of declared.filter((d) => !allowed.includes(d))) v.push(`kubernetes_manifest: declared but not allowed: ${line}`);
      if (allowed.length !== declared.length) v.push(`kubernetes_manifest: ${allowed.length} ALLOW rules for ${declared.length} declared calls`);
      return v;
    },
  },
  {
    id: "mesh.no-wildcards",
    requirement: "7.2.1",
    fix: "Name one principal of the region's trust domain and explicit methods and paths; no *, namespaces, IP blocks or negative matches.",
    description: "no AuthorizationPolicy allows a `*` principal, a principal outside the region's trust domain (other than a declared cross-region caller), any namespace or IP source, every path or every method",
    check: ({ region, json }) => {
      const v: string[] = [];
      // Callers of other regions, each declared with its trust domain (config rules check them).
      // Stryker disable next-line MethodExpression: equivalent (a local call's principal, taken as remote, would be "undefined/ns/...", which no policy names)
      const remotePrincipals = region.mesh.calls.filter((c) => isRemote(region.mesh, c)).map((c) => principal(c.fromTrustDomain!, c.from));
      // The partner gateway's policy admits any source (partners are not mesh principals; their TLS is checked by the Gateway): mesh.partner-edge holds it to the model.
      for (const [address, m] of ofKind(json, "AuthorizationPolicy").filter(([, x]) => !ofPartnerGateway(region, x.metadata))) {
        asList<TfJson>(m.spec?.rules).forEach((rule, i) => {
          const at = `${address}: rule ${i}`;
          if (asList(rule.from).length === 0) v.push(`${at}: any source`);
          if (asList(rule.to).length === 0) v.push(`${at}: any operation`);
          for (const f of asList<TfJson>(rule.from)) {
            const s = f.source ?? {};
            for (const p of asList<string>(s.principals)) {
              if (p.includes("*")) v.push(`${at}: principal ${p}`);
              else if (!p.startsWith(`${region.mesh.trustDomain}/ns/`) && !remotePrincipals.includes(p)) v.push(`${at}: principal ${p} outside trust domain ${region.mesh.trustDomain}, and not a declared cross-region caller`);
            }
            for (const key of ["namespaces", "ipBlocks", "remoteIpBlocks", "requestPrincipals", "notPrincipals", "notNamespaces"]) if (s[key] !== undefined) v.push(`${at}: source by ${key}`);
          }
          for (const t of asList<TfJson>(rule.to)) {
            const op = t.operation ?? {};
            if (asList(op.paths).length === 0 || asList<string>(op.paths).some(matchesAllPaths)) v.push(`${at}: every path`);
            if (asList(op.methods).length === 0 || asList<string>(op.methods).includes("*")) v.push(`${at}: every method`);
            if (op.notPaths !== undefined || op.notMethods !== undefined) v.push(`${at}: negative match (allows everything else)`);
          }
        });
      }
      return v;
    },
  },
  {
    id: "mesh.sidecar-scope",
    requirement: "1.3, 7.2.1",
    fix: "Keep the Sidecar default of every workload namespace as model/mesh/policies.ts sidecarScopes builds it from the declared calls; change what a namespace reaches through mesh.calls.",
    description:
      "every workload namespace has the Sidecar `default` that limits its proxies to its own namespace, Istio's root namespace, the cluster DNS and the namespaces its declared calls reach (a merchant's proxies learn nothing else of the mesh), and no other Sidecar exists",
    check: ({ region, json, peers }) => {
      return againstModel(ofKind(json, "Sidecar"), sidecarScopes(designOf({ region, peers, json })), namespacedName, {
        missing: (w) => `kubernetes_manifest (Sidecar ${w.metadata!.namespace}/default): missing (its proxies would receive the whole mesh's configuration)`,
        differs: (address, at) => `${address}: differs from sidecarScopes at ${at}`,
        extra: (address, m) => `${address}: Sidecar ${namespacedName(m)} is not one the design builds`,
      });
    },
  },
  {
    id: "mesh.partner-edge",
    requirement: "1.3, 4.2.1, 6.4.2, 7.2.1, 8.3.1",
    fix: "Change the partners in the region file's edge section (CA bundle, identities, routes, rates, limits); the gateway's objects are generated by model/mesh/edge.ts and take no edits.",
    description:
      "where the region declares partners, the partner gateway's namespace holds exactly the objects model/mesh/edge.ts builds from the region file: a Gateway with one server per partner on its own host (mutual TLS with the partner's CA and identities only, TLS 1.2+ with forward-secret AEAD suites), one VirtualService per partner with its declared routes only, one ALLOW policy (each partner's routes on its host and server name, JSON for bodies), and the EnvoyFilter of the ceiling, each partner's rate and the body limit; nothing else of those kinds",
    check: ({ region, json, peers }) => {
      // (Its NetworkPolicies are mesh.namespaces-segmented's.)
      const got = manifestsOf(json).filter(([, m]) => m.metadata?.namespace === EDGE_NAMESPACE && m.kind !== "NetworkPolicy");
      return againstModel(got, meshEdgeManifests(designOf({ region, peers, json })), (m) => `${m.apiVersion} ${m.kind} ${namespacedName(m)}`, {
        missing: (w) => `kubernetes_manifest (${w.kind} ${w.metadata!.name}): missing`,
        differs: (address, at) => `${address}: differs from model/mesh/edge.ts at ${at}`,
        extra: (address, m) => `${address}: ${m.kind} ${m.metadata?.name} is not one the partners' design builds`,
      });
    },
  },
  {
    id: "mesh.workload-pod-policy",
    requirement: "2.2.1, 2.2.5, 1.3",
    fix: "Keep the ValidatingAdmissionPolicy and its binding as model/mesh/pod-security.ts builds them, bound with Deny to every workload namespace and the partner gateway's by name.",
    description:
      "a ValidatingAdmissionPolicy refuses, in every workload namespace and the partner gateway's (bound by name, with Deny, so relabelling a namespace does not take it out), pods on the node's network, PID or IPC namespace, with a host path or a privileged container (init and ephemeral ones included), and any pod or container but Istio's own running as Istio's proxy user or group (1337), or Istio's containers from another image than the mesh's proxy or with a command of their own: a hostNetwork pod escapes the NetworkPolicies (the VPC CNI's agent does not police it), a process as 1337 escapes its sidecar (REGISTRY_ONLY); where the cluster has the merchants' nodes, a merchant's pods must select them and the platform's pods may not tolerate their taint (nor every taint); no other admission policy",
    check: ({ region, json, peers }) => {
      const design = designOf({ region, peers, json });
      const got = manifestsOf(json).filter(([, m]) => ADMISSION_KINDS.includes(`${m.apiVersion} ${m.kind}`));
      const key = (m: TfJson) => `${m.kind} ${m.metadata?.name}`;
      const v = againstModel(got, [...workloadPodPolicy(podSecurityNamespaces(design), design.proxyImage), ...placementPolicies(design)], key, {
        missing: (w) =>
          `kubernetes_manifest (${key(w)}): missing (${w.metadata!.name === TENANT_POD_POLICY ? "hostNetwork, host paths and privileged pods would be admitted where a namespace's labels allow them" : "a merchant's pod could run beside the platform's, or a platform pod beside a tenant"})`,
        differs: (address, at) => `${address}: differs from model/mesh/pod-security.ts at ${at}`,
        extra: (address, m) => `${address}: ${m.kind} ${m.metadata?.name} is not the blueprint's`,
      });
      const binding = got.find(([, m]) => m.kind === "ValidatingAdmissionPolicyBinding" && m.metadata?.name === TENANT_POD_POLICY)?.[1];
      if (binding) {
        if (!sameJson(binding.spec?.validationActions, ["Deny"])) v.push(`kubernetes_manifest (ValidatingAdmissionPolicyBinding ${TENANT_POD_POLICY}): actions ${JSON.stringify(binding.spec?.validationActions)}, not Deny`);
        // Stryker disable next-line ArrayDeclaration: equivalent (another expression's values are never the names the binding must list)
        const names = asList<TfJson>(binding.spec?.matchResources?.namespaceSelector?.matchExpressions).flatMap((e) => (e.key === "kubernetes.io/metadata.name" && e.operator === "In" ? asList<string>(e.values) : []));
        for (const ns of podSecurityNamespaces(design)) if (!names.includes(ns)) v.push(`kubernetes_manifest (ValidatingAdmissionPolicyBinding ${TENANT_POD_POLICY}): namespace ${ns} not bound`);
      }
      return v;
    },
  },
  {
    id: "mesh.service-entries",
    requirement: "1.3.2, 1.4.1, 7.2.1",
    fix: "Keep the ServiceEntries as model/mesh/policies.ts serviceEntries builds them from services[].access; a new destination outside the mesh is declared there.",
    description:
      "each workload namespace has exactly the ServiceEntries of what its services declare outside the mesh (credentials, database, brokers, cloud APIs, object store), exported to that namespace only, by address block and port or TLS server name, never every address; where a service calls another region, the remote service's entry (mesh.east-west-routes); the data tier's ports only in a namespace where a service declares that access; no other ServiceEntry",
    check: ({ region, json, peers }) => {
      const got = ofKind(json, "ServiceEntry");
      const design = designOf({ region, peers, json });
      // (The remote services' entries are also mesh.east-west-routes'.)
      const v = againstModel(got, [...serviceEntries(design), ...remoteServiceEntries(design.eastWest ?? { remote: [] })], namespacedName, {
        missing: (w) => `kubernetes_manifest (ServiceEntry ${namespacedName(w)}): missing (its services' calls out of the mesh would go to Istio's black hole)`,
        differs: (address, at) => `${address}: differs from model/mesh/policies.ts at ${at}`,
        extra: (address, m) => `${address}: ServiceEntry ${namespacedName(m)} is not one the design builds`,
      });
      for (const [address, m] of got) {
        const spec = m.spec ?? {};
        if (!sameJson(spec.exportTo, ["."])) v.push(`${address}: exported to ${JSON.stringify(spec.exportTo ?? "every namespace")}, not its own namespace only`);
        if (asList<string>(spec.addresses).some((a) => /\/([0-7])$/.test(a) || a === "0.0.0.0")) v.push(`${address}: opens every address (${asList<string>(spec.addresses).join(", ")})`);
        if (asList<string>(spec.hosts).some((h) => h === "*")) v.push(`${address}: opens every host`);
        // Independently of the model: the data tier's ports only where a service of the namespace declares that access.
        const services = region.services.filter((s) => s.namespace === m.metadata?.namespace);
        for (const d of dataTierPorts(region)) {
          if (asList<TfJson>(spec.ports).some((p) => p.number === d.port) && !services.some(d.declared)) v.push(`${address}: lets sidecars of ${m.metadata?.namespace} reach the ${d.what} (port ${d.port}), which none of its services declares`);
        }
      }
      return v;
    },
  },
  {
    id: "mesh.namespaces-segmented",
    requirement: "1.3, 1.4, 7.2.1",
    fix: "Keep every workload namespace's NetworkPolicies as model/mesh/policies.ts segmentation builds them; change what a pod may reach through the region file (mesh.calls, services[].access, edge.partners).",
    description:
      "every workload namespace, and the partner gateway's, denies all ingress and egress by NetworkPolicy, then allows only the mesh's control plane (istiod, DNS, istio-csr), the declared calls pod to pod, the gateway to the partners' services, the metrics scrapers to the sidecars' port 15090 and, per service, exactly the data tier and cloud endpoints it declares: no pod opens the database, the brokers or the HSMs unless its service declares that access; no other NetworkPolicy",
    check: ({ region, json, peers }) => {
      const v: string[] = [];
      const want = segmentation(designOf({ region, peers, json }));
      const got = ofKind(json, "NetworkPolicy");
      const undeclared = "allows traffic the design does not declare";
      for (const ns of [...new Set(want.map((w) => w.policy.metadata!.namespace!))]) {
        if (!got.some(([, m]) => m.metadata?.namespace === ns && deniesAll(m.spec ?? {}))) v.push(`kubernetes_manifest: namespace ${ns} has no default-deny NetworkPolicy for ingress and egress`);
      }
      v.push(
        ...againstModel(got, want, namespacedName, {
          object: (w) => w.policy as TfJson,
          missing: ({ policy, purpose }) => `kubernetes_manifest (NetworkPolicy ${namespacedName(policy as TfJson)}): missing: ${purpose}`,
          differs: (address, at) => `${address}: ${undeclared} (differs from model/mesh/policies.ts at ${at})`,
          extra: (address, m) => `${address}: ${undeclared} (${namespacedName(m)} is not one of the design's NetworkPolicies)`,
        }),
      );
      // Independently of the model: the data tier's ports open only to the pods of a service that declares that access.
      for (const [address, m] of got) v.push(...dataTierProblems(region, address, m));
      return v;
    },
  },
]);
