import { podSecurityLabels } from "../../../model/mesh/pod-security";
import { sidecarPodMonitoring } from "../../../model/mesh/alerts";
import * as fs from "fs";
import * as path from "path";
import { validateManifests as validate } from "../../support/validate";
import { ISTIO_ROOT_NAMESPACE, allowPolicies, meshManifests, workloadNamespaces } from "../../../model/mesh/policies";
import { GUARDRAILS, checkRule } from "../../../guardrails";
import { COULD_NOT_CHECK } from "../../../guardrails/rule";
import { expectCaught, weakenedViolations } from "../../support/weakening";
import { MeshStacks, TfJson, cloneJson, edited, resourcesOf, shippedAllLayers, shippedMeshStacks, synthRegions } from "../../support/synth";
import { hasMeshPki, meshDesign } from "../../../model/mesh/in-cluster";
import { manifestsOf } from "../../../tfjson/kubernetes";

const regions = shippedMeshStacks();
/** The guardrails of the in-cluster stacks, each with the layers it checks. */
const IN_CLUSTER_RULES = GUARDRAILS.filter((r) => r.layers.some((l) => l === "pki" || l === "istio" || l === "mesh"));

it("builds an Istio stack and a mesh stack for every region, each after the one it needs, and the PKI stack between region and Istio where the region has an intermediate CA", () => {
  const all = shippedAllLayers();
  expect(regions.map((r) => [r.istio.name, r.mesh.name])).toEqual(regions.map((r) => [`region-${r.region.name}-istio`, `region-${r.region.name}-mesh`]));
  const manifest = JSON.parse(fs.readFileSync(path.join(path.dirname(path.dirname(all[0].dir)), "manifest.json"), "utf8"));
  for (const { region, pki } of regions) {
    const withPki = hasMeshPki(region);
    expect(pki?.name).toBe(withPki ? `region-${region.name}-pki` : undefined);
    if (withPki) expect(manifest.stacks[`region-${region.name}-pki`].dependencies).toEqual([`region-${region.name}`]);
    expect(manifest.stacks[`region-${region.name}-istio`].dependencies).toEqual([withPki ? `region-${region.name}-pki` : `region-${region.name}`]);
    expect(manifest.stacks[`region-${region.name}-mesh`].dependencies).toEqual([`region-${region.name}-istio`]);
  }
  // Some region has one: the workload CA chain is tested, not only possible.
  expect(regions.filter((r) => r.pki).length).toBeGreaterThan(0);
});

describe.each(regions.map((r) => [r.region.name, r] as const))("the mesh of region %s meets every guardrail", (_name, stacks) => {
  it.each(IN_CLUSTER_RULES.map((r) => [r.id, r] as const))("%s", (_id, rule) => {
    for (const stack of [stacks.pki, stacks.istio, stacks.mesh].filter((s) => s !== undefined)) {
      expect(checkRule(rule, stack)).toEqual([]);
      expect(stack.guardrails.findings).toEqual([]);
    }
  });
});

describe.each(regions.map((r) => [r.region.name, r] as const))("the seeds' examples in region %s", (_name, { region, istio, mesh }) => {
  const allow = (app: string) => manifestsOf(mesh.json).find(([, m]) => m.kind === "AuthorizationPolicy" && m.spec?.selector?.matchLabels?.app === app)?.[1];

  it("a merchant's proxies learn only its own namespace, Istio's, the cluster DNS and the namespaces it calls", () => {
    for (const ns of region.mesh.merchantNamespaces) {
      const called = [...new Set(region.mesh.calls.filter((c) => c.from.startsWith(`${ns}/`)).map((c) => c.to.split("/")[0]))].filter((n) => n !== ns).sort();
      const sidecar = manifestsOf(mesh.json).find(([, m]) => m.kind === "Sidecar" && m.metadata?.namespace === ns)?.[1];
      expect(sidecar?.spec).toEqual({ egress: [{ hosts: ["./*", "istio-system/*", "kube-system/kube-dns.kube-system.svc.cluster.local", ...called.map((n) => `${n}/*`)] }] });
    }
  });

  it("only payments/payment-core may POST /tokenize on tokenization-service", () => {
    expect(allow("tokenization-service")?.spec.rules).toEqual([
      { from: [{ source: { principals: [`${region.mesh.trustDomain}/ns/payments/sa/payment-core`] } }], to: [{ operation: { methods: ["POST"], paths: ["/tokenize"] } }] },
    ]);
  });

  it("only checkout/checkout-service may POST /v1/charge on payment-service", () => {
    expect(allow("payment-service")?.spec.rules.filter((r: TfJson) => r.to[0].operation.paths.includes("/v1/charge"))).toEqual([
      { from: [{ source: { principals: [`${region.mesh.trustDomain}/ns/checkout/sa/checkout-service`] } }], to: [{ operation: { methods: ["POST"], paths: ["/v1/charge"] } }] },
    ]);
  });

  it("a partner reaches a service only as the partner gateway, on exactly its declared routes", () => {
    const gateway = `${region.mesh.trustDomain}/ns/istio-ingress/sa/partner-gateway`;
    const viaGateway = ["payment-service", "checkout-service"].flatMap((svc) => (allow(svc)?.spec.rules ?? []).filter((r: TfJson) => r.from[0].source.principals[0] === gateway).map((r: TfJson) => [svc, r.to[0].operation]));
    const declared = (region.edge?.partners ?? []).flatMap((p) => p.routes.map((r) => [r.to.split("/")[1], { methods: r.methods, paths: r.paths }]));
    // (A region without partners, such as GCP's until issue 21, has no rule for the gateway.)
    if (!region.edge) return expect(viaGateway).toEqual([]);
    expect(declared.length).toBeGreaterThan(0);
    expect(viaGateway).toEqual(expect.arrayContaining(declared));
    expect(viaGateway.length).toBe(declared.length);
  });

  it("merchant namespaces are labelled isolation: \"true\"", () => {
    expect(region.mesh.merchantNamespaces.length).toBeGreaterThan(0);
    for (const ns of region.mesh.merchantNamespaces) expect(namespaceOf(istio.json, ns).metadata.labels).toEqual({ isolation: "true", "istio-injection": "enabled", ...podSecurityLabels("restricted") });
  });
});

describe("ALLOW rules", () => {
  it("are one per call, never merged across callers", () => {
    const design = meshDesign(regions[0].region);
    const twoCallers = {
      ...design,
      calls: [
        { from: "payments/payment-core", to: "payments/tokenization-service", methods: ["POST"], paths: ["/tokenize"] },
        { from: "payments/payment-service", to: "payments/tokenization-service", methods: ["GET"], paths: ["/health"] },
      ],
    };
    const [policy] = allowPolicies(twoCallers);
    expect(policy.spec?.rules?.map((r) => [r.from?.[0].source?.principals, r.to?.[0].operation?.methods, r.to?.[0].operation?.paths])).toEqual([
      [[`${design.trustDomain}/ns/payments/sa/payment-core`], ["POST"], ["/tokenize"]],
      [[`${design.trustDomain}/ns/payments/sa/payment-service`], ["GET"], ["/health"]],
    ]);
  });

  it("refuse a call from an identity that is not declared", () => {
    const design = meshDesign(regions[0].region);
    expect(() => allowPolicies({ ...design, calls: [{ from: "payments/intruder", to: "payments/payment-core", methods: ["POST"], paths: ["/x"] }] })).toThrow(
      /"payments\/intruder" is not a declared service identity/,
    );
  });
});

const manifestOf = (j: TfJson, kind: string, namespace: string, name?: string): TfJson =>
  Object.values(j.resource.kubernetes_manifest as Record<string, TfJson>).find(
    (r) => r.manifest.kind === kind && r.manifest.metadata.namespace === namespace && (name === undefined || r.manifest.metadata.name === name),
  )!.manifest;
const release = (j: TfJson, chart: string) => Object.values(j.resource.helm_release as Record<string, TfJson>).find((r) => r.chart === chart)!;
/** The rule of a role that names `resource`. */
const ruleOn = (role: TfJson, resource: string): TfJson => (role.rule as TfJson[]).find((r) => r.resources.includes(resource))!;
/** The kubernetes_manifest resource (not only its manifest) of `kind`. */
/** The partner gateway's install in the istio stack: a manifest body, its object, a CA ConfigMap. */
const edgeBody = (j: TfJson, kind: string): TfJson => Object.values(j.resource.kubernetes_manifest as Record<string, TfJson>).find((r) => r.manifest.kind === kind && r.manifest.metadata.namespace === "istio-ingress")!;
const edgeManifest = (j: TfJson, kind: string): TfJson => edgeBody(j, kind).manifest;
const edgeConfigMap = (j: TfJson): TfJson => Object.values(j.resource.kubernetes_config_map_v1 as Record<string, TfJson>).find((c) => c.metadata.namespace === "istio-ingress")!;
/** The partner gateway's first object of `kind` (in its namespace). */
const edgeObject = (j: TfJson, kind: string): TfJson =>
  Object.values(j.resource.kubernetes_manifest as Record<string, TfJson>).map((r) => r.manifest).find((m) => m.kind === kind && m.metadata.namespace === "istio-ingress")!;
const manifestBody = (j: TfJson, kind: string): TfJson => Object.values(j.resource.kubernetes_manifest as Record<string, TfJson>).find((r) => r.manifest.kind === kind && r.manifest.metadata.namespace !== "istio-ingress")!;
/** The one resource of `type` in the stack. */
const only = (j: TfJson, type: string): TfJson => {
  // (The partner gateway's, in istio-ingress, are mesh.partner-gateway-install's: see EDGE_MUTATIONS.)
  const all = Object.values((j.resource[type] ?? {}) as Record<string, TfJson>).filter((r) => r.metadata?.namespace !== "istio-ingress");
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0];
};
const namespaceOf = (j: TfJson, name: string) => Object.values(j.resource.kubernetes_namespace_v1 as Record<string, TfJson>).find((r) => r.metadata.name === name)!;
const removeManifest = (j: TfJson, pred: (m: TfJson) => boolean) => {
  const [n] = Object.entries(j.resource.kubernetes_manifest as Record<string, TfJson>).find(([, r]) => pred(r.manifest))!;
  delete j.resource.kubernetes_manifest[n];
};
const addManifest = (j: TfJson, name: string, manifest: TfJson) => (j.resource.kubernetes_manifest[name] = { manifest });
const merchant = (s: MeshStacks) => s.region.mesh.merchantNamespaces[0];
/** Edits a release's one values document in place. */
const valuesEdit = (r: TfJson, edit: (v: TfJson) => void) => {
  const v = JSON.parse(r.values[0]);
  edit(v);
  r.values = [JSON.stringify(v)];
};
const istiodValuesEdit = (j: TfJson, edit: (v: TfJson) => void) => valuesEdit(release(j, "istiod"), edit);
const logFormatEdit = (j: TfJson, edit: (f: TfJson) => void) =>
  istiodValuesEdit(j, (v) => {
    const format = JSON.parse(v.meshConfig.accessLogFormat);
    edit(format);
    v.meshConfig.accessLogFormat = JSON.stringify(format);
  });

/**
 * What a weakening must produce besides some violation: `says`, a violation matching it (the
 * condition that must answer, where a rule checks one thing in several ways); `when`, the regions it
 * applies to (a weakening of an S3 backend has no GCS counterpart).
 */
type Expect = RegExp | { says?: RegExp; when: (s: MeshStacks) => boolean };
type Mutation<L extends string> = [string, string, L, (j: TfJson, s: MeshStacks) => void, Expect?];
const onAws = (says: RegExp): Expect => ({ says, when: (s) => s.region.cloud === "aws" });
const onGcp = (says: RegExp): Expect => ({ says, when: (s) => s.region.cloud === "gcp" });
/** The one remote state the stack reads. */
const remoteState = (j: TfJson): TfJson => Object.values(j.data.terraform_remote_state as Record<string, TfJson>)[0];
/** The stack's first kubernetes provider configuration, or helm's cluster block. */
const kube = (j: TfJson): TfJson => (j.provider.kubernetes ? j.provider.kubernetes[0] : j.provider.helm[0].kubernetes);
const execOf = (j: TfJson): TfJson => (j.provider.kubernetes ? j.provider.kubernetes[0].exec[0] : j.provider.helm[0].kubernetes.exec);

/** The workload pod policy and its binding (cluster-scoped). */
const podPolicy = (j: TfJson): TfJson => placementPolicy(j, "workload-pods-stay-off-the-node");
const podBinding = (j: TfJson): TfJson => placementBinding(j, "workload-pods-stay-off-the-node");
/** A placement policy or binding by name. */
const placementPolicy = (j: TfJson, name: string): TfJson => Object.values(j.resource.kubernetes_manifest as Record<string, TfJson>).find((r) => r.manifest.kind === "ValidatingAdmissionPolicy" && r.manifest.metadata.name === name)!.manifest;
const placementBinding = (j: TfJson, name: string): TfJson => Object.values(j.resource.kubernetes_manifest as Record<string, TfJson>).find((r) => r.manifest.kind === "ValidatingAdmissionPolicyBinding" && r.manifest.metadata.name === name)!.manifest;
/** A ServiceEntry of the mesh stack by namespace and name. */
const seOf = (j: TfJson, namespace: string, name: string): TfJson => manifestOf(j, "ServiceEntry", namespace, name);
/** A NetworkPolicy of the mesh stack by namespace and name. */
const npOf = (j: TfJson, namespace: string, name: string): TfJson => manifestOf(j, "NetworkPolicy", namespace, name);
/** A merchant's NetworkPolicy of a declared call that crosses its namespace (`egress-...` or `ingress-...`). */
const crossingPolicy = (j: TfJson, s: MeshStacks, direction: "egress" | "ingress"): TfJson =>
  Object.values(j.resource.kubernetes_manifest as Record<string, TfJson>).find(
    (r) => r.manifest.kind === "NetworkPolicy" && r.manifest.metadata.namespace === merchant(s) && r.manifest.metadata.name.startsWith(`${direction}-`),
  )!.manifest;
/** Regions where a merchant's service calls out of its namespace (its egress NetworkPolicy exists). */
const merchantCalls = (s: MeshStacks) => s.region.mesh.calls.some((c) => s.region.mesh.merchantNamespaces.some((ns) => c.from.startsWith(`${ns}/`)));
const withMerchantCall = (says: RegExp): Expect => ({ says, when: merchantCalls });
const NEITHER = /allows traffic the design does not declare/;
const peer = (namespace: string, app: string) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } }, podSelector: { matchLabels: { app } } });

/** Weakenings a careless change could make, each with the invariant that must catch it: [invariant, label, stack, mutation, expect?]. */
const MUTATIONS: Mutation<"istio" | "mesh">[] = [
  ["stack.reviewed-resource-types", "a Deployment outside the reviewed types", "mesh", (j) => (j.resource.kubernetes_deployment_v1 = { app: { metadata: { name: "x" } } })],
  ["mesh.workload-ca", "a manifest in the Istio stack (outside the mesh rules)", "istio", (j) =>
    (j.resource.kubernetes_manifest = { pa: { manifest: { apiVersion: "security.istio.io/v1", kind: "PeerAuthentication", metadata: { name: "x", namespace: "payments" }, spec: { mtls: { mode: "DISABLE" } } } } })],
  ["stack.references-resolve", "a reference into region-<name>'s resources", "mesh", (j) => (j.output = { leak: { value: "${aws_kms_key.keys_audit_key.arn}" } })],
  ["stack.references-resolve", "a remote state that is not declared", "istio", (j) => (release(j, "istiod").version = "${data.terraform_remote_state.other.outputs.version}")],
  ["mesh.sidecar-scope", "a namespace's proxies given the whole mesh", "mesh", (j) => (manifestOf(j, "Sidecar", "fraud", "default").spec.egress[0].hosts = ["*/*"]), /differs from sidecarScopes at .spec.egress\[0\].hosts/],
  ["mesh.sidecar-scope", "a merchant's proxies taught the payments namespace", "mesh", (j, s) => manifestOf(j, "Sidecar", merchant(s), "default").spec.egress[0].hosts.push("payments/*"), /differs from sidecarScopes at .spec.egress\[0\].hosts\[\d\]/],
  ["mesh.sidecar-scope", "a namespace without its Sidecar", "mesh", (j) => removeManifest(j, (m) => m.kind === "Sidecar" && m.metadata.namespace === "checkout"), /Sidecar checkout\/default\): missing/],
  ["mesh.sidecar-scope", "a second Sidecar for one workload", "mesh", (j) => addManifest(j, "sc", { apiVersion: "networking.istio.io/v1", kind: "Sidecar", metadata: { name: "wide", namespace: "payments" }, spec: { workloadSelector: { labels: { app: "payment-core" } }, egress: [{ hosts: ["*/*"] }] } }), /sc: Sidecar payments\/wide is not one the design builds/],
  ["mesh.partner-edge", "the partners' TLS made one-way", "mesh", (j) => (edgeObject(j, "Gateway").spec.servers[0].tls.mode = "SIMPLE"), onAws(/differs from model\/mesh\/edge.ts at .spec.servers\[0\].tls.mode/)],
  ["mesh.partner-edge", "any identity of the partner's CA accepted", "mesh", (j) => delete edgeObject(j, "Gateway").spec.servers[0].tls.subjectAltNames, onAws(/at .spec.servers\[0\].tls.subjectAltNames/)],
  ["mesh.partner-edge", "a partner's server reading another partner's CA", "mesh", (j) => (edgeObject(j, "Gateway").spec.servers[0].tls.credentialName = "partner-other"), onAws(/at .spec.servers\[0\].tls.credentialName/)],
  ["mesh.partner-edge", "TLS 1.0 admitted", "mesh", (j) => (edgeObject(j, "Gateway").spec.servers[0].tls.minProtocolVersion = "TLSV1_0"), onAws(/at .spec.servers\[0\].tls.minProtocolVersion/)],
  ["mesh.partner-edge", "a CBC suite without forward secrecy", "mesh", (j) => edgeObject(j, "Gateway").spec.servers[0].tls.cipherSuites.push("AES128-SHA"), onAws(/at .spec.servers\[0\].tls.cipherSuites\[3\]/)],
  ["mesh.partner-edge", "a route to every path", "mesh", (j) => edgeObject(j, "VirtualService").spec.http[0].match.push({ uri: { prefix: "/" } }), onAws(/at .spec.http\[0\].match\[1\]/)],
  ["mesh.partner-edge", "the gateway admits a host without checking the server name", "mesh", (j) => (edgeObject(j, "AuthorizationPolicy").spec.rules[0].when = edgeObject(j, "AuthorizationPolicy").spec.rules[0].when.filter((w: TfJson) => w.key !== "connection.sni")), onAws(/at .spec.rules\[0\].when\[0\].key/)],
  ["mesh.partner-edge", "bodies of any content type", "mesh", (j) => edgeObject(j, "AuthorizationPolicy").spec.rules[0].when.pop(), onAws(/at .spec.rules\[0\].when\[1\]/)],
  ["mesh.partner-edge", "a partner's rate raised tenfold", "mesh", (j) => (edgeObject(j, "EnvoyFilter").spec.configPatches[3].patch.value.typed_per_filter_config["partner-rate"].token_bucket.max_tokens *= 10), onAws(/at .spec.configPatches\[3\].patch.value.typed_per_filter_config.partner-rate.token_bucket.max_tokens/)],
  ["mesh.partner-edge", "no rate filter (every partner unlimited)", "mesh", (j) => edgeObject(j, "EnvoyFilter").spec.configPatches.splice(0, 1), onAws(/at .spec.configPatches\[0\]/)],
  ["mesh.partner-edge", "no body limit", "mesh", (j) => edgeObject(j, "EnvoyFilter").spec.configPatches.splice(1, 1), onAws(/at .spec.configPatches\[1\]/)],
  ["mesh.partner-edge", "no JSON check of the bodies", "mesh", (j) => edgeObject(j, "EnvoyFilter").spec.configPatches.splice(2, 1), onAws(/at .spec.configPatches\[2\]/)],
  ["mesh.partner-edge", "a JSON check that passes everything", "mesh", (j) => (edgeObject(j, "EnvoyFilter").spec.configPatches[2].patch.value.typed_config.default_source_code.inline_string = "function envoy_on_request(h) end"), onAws(/at .spec.configPatches\[2\].patch.value.typed_config.default_source_code.inline_string/)],
  ["mesh.partner-edge", "a partner without its rate", "mesh", (j) => edgeObject(j, "EnvoyFilter").spec.configPatches.pop(), onAws(/at .spec.configPatches\[\d\]/)],
  ["mesh.partner-edge", "a partner's routes missing", "mesh", (j) => removeManifest(j, (m) => m.kind === "VirtualService"), onAws(/kubernetes_manifest \(VirtualService partner-[a-z-]+\): missing/)],
  ["mesh.partner-edge", "a second Gateway in the partners' namespace", "mesh", (j) => addManifest(j, "gw2", { ...edgeObject(j, "Gateway"), metadata: { name: "open", namespace: "istio-ingress" } }), onAws(/gw2: Gateway open is not one the partners' design builds/)],
  ["mesh.known-kinds", "a Gateway outside the partners' namespace", "mesh", (j) => addManifest(j, "gw2", { ...edgeObject(j, "Gateway"), metadata: { name: "partner-api", namespace: "payments" } }), onAws(/gw2: networking.istio.io\/v1 Gateway is not a kind the mesh stack may apply/)],
  ["mesh.allow-equals-calls", "the gateway allowed a partner's route it was not given", "mesh", (j) => {
    const allow = Object.values(j.resource.kubernetes_manifest as Record<string, TfJson>).map((r) => r.manifest).find((m) => m.kind === "AuthorizationPolicy" && JSON.stringify(m.spec.rules ?? []).includes("/sa/partner-gateway"))!;
    allow.spec.rules.find((r: TfJson) => r.from[0].source.principals[0].endsWith("/sa/partner-gateway")).to[0].operation.paths.push("/v1/admin");
  }, onAws(/allowed but not declared: .*partner-gateway/)],
  // (Every shipped region declares partners, as the config requires: the stack is judged as if its region did not.)
  ["mesh.partner-gateway-install", "a gateway in a region that declares no partners", "istio", (_j, s) => ((s as { istio: { region: unknown } }).istio.region = { ...s.region, edge: undefined }), /helm_release\.\S+: a gateway in a region that declares no partners/],
  ["mesh.partner-gateway-install", "a partner's Certificate in a region that declares no partners", "istio", (j, s) => {
    (s as { istio: { region: unknown } }).istio.region = { ...s.region, edge: undefined };
    j.resource.kubernetes_manifest.cert = { manifest: { apiVersion: "cert-manager.io/v1", kind: "Certificate", metadata: { name: "x", namespace: "istio-ingress" }, spec: {} } };
  }, /cert: Certificate in istio-ingress of a region that declares no partners/],
  ["mesh.partner-gateway-install", "no partner gateway", "istio", (j) => delete j.resource.helm_release[Object.entries(j.resource.helm_release as Record<string, TfJson>).find(([, r]) => r.chart === "gateway")![0]], onAws(/no partner gateway/)],
  ["mesh.partner-gateway-install", "a single gateway replica", "istio", (j) => valuesEdit(release(j, "gateway"), (v) => (v.replicaCount = 1)), onAws(/values differ from the blueprint's partner gateway values/)],
  ["mesh.partner-gateway-install", "a stopping gateway that drains for the chart's default only", "istio", (j) => valuesEdit(release(j, "gateway"), (v) => delete v.podAnnotations), onAws(/values differ from the blueprint's partner gateway values/)],
  ["mesh.partner-gateway-install", "every gateway replica in one zone allowed", "istio", (j) => valuesEdit(release(j, "gateway"), (v) => (v.topologySpreadConstraints[0].whenUnsatisfiable = "ScheduleAnyway")), onAws(/values differ from the blueprint's partner gateway values/)],
  ["mesh.partner-gateway-install", "the gateway as a public load balancer", "istio", (j) => valuesEdit(release(j, "gateway"), (v) => (v.service.type = "LoadBalancer")), onAws(/values differ from the blueprint's partner gateway values/)],
  ["mesh.partner-gateway-install", "the gateway chart from a public repository", "istio", (j) => (release(j, "gateway").repository = "https://istio-release.storage.googleapis.com/charts"), onAws(/chart from https:\/\/istio-release.storage.googleapis.com\/charts, not the region's private registry/)],
  ["mesh.partner-gateway-install", "the gateway at another Istio release", "istio", (j) => (release(j, "gateway").version = "1.29.0"), onAws(/version 1.29.0, expected the mesh's/)],
  ["mesh.partner-gateway-install", "the gateway released under another name (other labels and identity)", "istio", (j) => (release(j, "gateway").name = "ingress"), onAws(/release istio-ingress\/ingress, expected istio-ingress\/partner-gateway/)],
  ["mesh.partner-gateway-install", "the gateway installed before istiod", "istio", (j) => (release(j, "gateway").depends_on = release(j, "gateway").depends_on.filter((d: string) => !d.includes("istiod"))), onAws(/installed before istiod/)],
  ["mesh.partner-gateway-install", "the gateway installed before a partner's certificate", "istio", (j) => (release(j, "gateway").depends_on = release(j, "gateway").depends_on.filter((d: string) => !d.includes("server_certificate"))), onAws(/installed before kubernetes_manifest\.\S+server_certificate/)],
  ["mesh.partner-gateway-install", "the gateway without waiting for its pods", "istio", (j) => (release(j, "gateway").wait = false), onAws(/does not wait for its pods/)],
  ["mesh.partner-gateway-install", "a partner's CA bundle with another CA added", "istio", (j) => (edgeConfigMap(j).data["ca.crt"] += "\n-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"), onAws(/does not hold exactly partner \S+'s CA bundle/)],
  ["mesh.partner-gateway-install", "a partner's CA missing", "istio", (j) => delete j.resource.kubernetes_config_map_v1[Object.entries(j.resource.kubernetes_config_map_v1 as Record<string, TfJson>).find(([, c]) => c.metadata.namespace === "istio-ingress")![0]], onAws(/no istio-ingress\/partner-\S+-ca with partner \S+'s CA/)],
  ["mesh.partner-gateway-install", "a partner's server certificate for a wildcard", "istio", (j) => (edgeManifest(j, "Certificate").spec.dnsNames = ["*.example"]), onAws(/no server certificate for partner/)],
  ["mesh.partner-gateway-install", "a partner's certificate not waited for", "istio", (j) => delete edgeBody(j, "Certificate").wait, onAws(/does not wait until the certificate is Ready/)],
  ["mesh.partner-gateway-install", "a partner's certificate requested before its issuer", "istio", (j) => (edgeBody(j, "Certificate").depends_on = []), onAws(/requested before its issuer/)],
  ["mesh.partner-gateway-install", "the gateway's issuer on another CA", "istio", (j) => (edgeManifest(j, "AWSPCAIssuer").spec.arn = "arn:aws:acm-pca:eu-west-1:111122223333:certificate-authority/other"), onAws(/no issuer in istio-ingress/)],
  ["mesh.partner-gateway-install", "the gateway's issuer not waited for", "istio", (j) => delete edgeBody(j, "AWSPCAIssuer").wait, onAws(/does not wait until the issuer is Ready/)],
  ["mesh.partner-gateway-install", "another object in the gateway's namespace", "istio", (j) => addManifest(j, "extra", { apiVersion: "v1", kind: "Secret", metadata: { name: "x", namespace: "istio-ingress" } }), onAws(/extra: Secret x is not one the partner gateway's install builds/)],
  ["mesh.partner-gateway-install", "another ConfigMap in the gateway's namespace", "istio", (j) => (j.resource.kubernetes_config_map_v1.extra = { metadata: { name: "x", namespace: "istio-ingress" }, data: {} }), onAws(/kubernetes_config_map_v1.extra: x is not a partner's CA/)],
  ["mesh.partner-gateway-install", "no namespace for the gateway", "istio", (j) => delete j.resource.kubernetes_namespace_v1[Object.entries(j.resource.kubernetes_namespace_v1 as Record<string, TfJson>).find(([, n]) => n.metadata.name === "istio-ingress")![0]], onAws(/no namespace istio-ingress/)],
  ["mesh.ca-issuer-rbac", "the gateway's issuer created before its signing Role is bound", "istio", (j) => (edgeBody(j, "AWSPCAIssuer").depends_on = []), onAws(/created without waiting for kubernetes_role_binding_v1\.partner_gateway/)],
  ["mesh.ca-issuer-rbac", "no signing Role in the gateway's namespace", "istio", (j) => {
    for (const type of ["kubernetes_role_v1", "kubernetes_role_binding_v1"]) for (const [n, r] of Object.entries(j.resource[type] as Record<string, TfJson>)) if (r.metadata.namespace === "istio-ingress") delete j.resource[type][n];
  }, onAws(/no Role \S+ in istio-ingress/)],
  ["mesh.known-kinds", "an EnvoyFilter", "mesh", (j) => addManifest(j, "ef", { apiVersion: "networking.istio.io/v1alpha3", kind: "EnvoyFilter", metadata: { name: "x", namespace: "payments" }, spec: {} })],
  // A DestinationRule is a known kind (the remote services'), held to the declared calls between regions.
  ["mesh.east-west-routes", "a DestinationRule turning TLS off", "mesh", (j) =>
    addManifest(j, "dr", { apiVersion: "networking.istio.io/v1", kind: "DestinationRule", metadata: { name: "x", namespace: "payments" }, spec: { host: "*", trafficPolicy: { tls: { mode: "DISABLE" } } } }), /TLS mode DISABLE, not ISTIO_MUTUAL/],
  ["mesh.east-west-routes", "a Gateway passing through where no region calls in", "mesh", (j) =>
    addManifest(j, "ew", { apiVersion: "networking.istio.io/v1", kind: "Gateway", metadata: { name: "east-west", namespace: "istio-eastwest" }, spec: { selector: { istio: "eastwest-gateway" }, servers: [{ port: { number: 15443, name: "tls", protocol: "TLS" }, tls: { mode: "AUTO_PASSTHROUGH" }, hosts: ["*.local"] }] } }), /is not one the declared calls between regions build/],
  ["mesh.east-west-gateway-install", "an east-west gateway where no region calls in", "istio", (j) => (j.resource.helm_release.ew = { ...release(j, "istiod"), name: "eastwest-gateway", namespace: "istio-eastwest", chart: "gateway" }), /an east-west gateway where no region's calls come in/],
  ["mesh.east-west-trust-domains", "another region's workloads accepted", "istio", (j) => valuesEdit(release(j, "istiod"), (v) => (v.meshConfig.caCertificates = [{ trustDomains: ["other.acme-pay.internal"] }])), /expected the calling regions' \[\]/],
  ["residency.in-jurisdiction", "Istio images from a registry in another jurisdiction", "istio", (j) => (release(j, "istiod").repository = "oci://111122223333.dkr.ecr.sa-east-1.amazonaws.com/charts/istio")],
  ["residency.in-jurisdiction", "state in another jurisdiction", "mesh", (j) => {
    if (j.terraform.backend.s3) j.terraform.backend.s3.region = "sa-east-1";
    else j.terraform.backend.gcs.kms_encryption_key = "projects/p/locations/southamerica-east1/keyRings/r/cryptoKeys/k";
  }],
  ["secrets.no-key-material", "a TLS key pasted into a manifest", "mesh", (j) =>
    addManifest(j, "tls", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "tls", namespace: "payments" }, data: { key: "-----BEGIN EC PRIVATE KEY-----MHc" } })],
  ["secrets.no-literals", "a Kubernetes Secret with its data", "mesh", (j) =>
    addManifest(j, "db_secret", { apiVersion: "v1", kind: "Secret", metadata: { name: "db", namespace: "payments" }, stringData: { password: "hunter2" } })],
  ["secrets.no-literals", "helm set_sensitive", "istio", (j) => (Object.values(j.resource.helm_release as Record<string, TfJson>)[0].set_sensitive = [{ name: "x", value: "s3cr3t" }])],
  ["secrets.no-literals", "a literal provider token", "mesh", (j) => (j.provider.kubernetes[0].token = "eyJhbGciOi")],
  ["mesh.cluster-access", "AWS provider mixed into the mesh", "mesh", (j) => (j.terraform.required_providers.aws = { source: "hashicorp/aws" }), /required_providers/],
  ["mesh.cluster-access", "unverified API server", "istio", (j) => (j.provider.kubernetes[0].insecure = true), /static or unverified credentials/],
  ["mesh.cluster-access", "static token", "mesh", (j) => (j.provider.kubernetes[0].token = "eyJhbGciOi"), /static or unverified credentials/],
  ["mesh.cluster-access", "helm without the cluster CA", "istio", (j) => delete j.provider.helm[0].kubernetes.cluster_ca_certificate, /does not verify the cluster's CA/],
  ["mesh.cluster-access", "a kubeconfig file", "mesh", (j) => ((j.provider.kubernetes[0].config_path = "~/.kube/config"), delete j.provider.kubernetes[0].exec), /static or unverified credentials/],
  ["mesh.cluster-access", "shares the region's state", "mesh", (j, s) => {
    if (s.region.cloud === "aws") j.terraform.backend.s3.key = s.region.stateBackend.key;
    else j.terraform.backend.gcs.prefix = s.region.stateBackend.prefix;
  }, /is not its own/],
  ["mesh.cluster-access", "state unencrypted", "istio", (j) => {
    if (j.terraform.backend.s3) j.terraform.backend.s3.encrypt = false;
    else delete j.terraform.backend.gcs.kms_encryption_key;
  }, /not encrypted under the state key/],
  ["mesh.cluster-access", "state not locked", "istio", (j) => (j.terraform.backend.s3.use_lockfile = false), onAws(/not encrypted under the state key and locked/)],
  ["mesh.cluster-access", "state under another key", "mesh", (j) => {
    if (j.terraform.backend.s3) j.terraform.backend.s3.kms_key_id = "arn:aws:kms:eu-west-1:111122223333:key/other";
    else j.terraform.backend.gcs.kms_encryption_key = "projects/p/locations/asia-southeast1/keyRings/r/cryptoKeys/other";
  }, /not encrypted under the state key/],
  ["mesh.cluster-access", "state in another bucket", "mesh", (j) => ((j.terraform.backend.s3 ?? j.terraform.backend.gcs).bucket = "someone-elses-state"), /is not its own/],
  ["mesh.cluster-access", "state inside the region's prefix", "mesh", (j, s) => (j.terraform.backend.gcs.prefix = `${(s.region.stateBackend as { prefix: string }).prefix}/mesh`), onGcp(/is not its own/)],
  ["mesh.cluster-access", "reads another stack's state", "mesh", (j) => {
    const c = remoteState(j).config;
    if (c.key !== undefined) c.key = "other/terraform.tfstate";
    else c.prefix = "other";
  }, /does not read region-\S+'s state/],
  ["mesh.cluster-access", "reads state from another bucket", "istio", (j) => (remoteState(j).config.bucket = "someone-elses-state"), /does not read region-\S+'s state/],
  ["mesh.cluster-access", "reads state through another backend", "mesh", (j) => (remoteState(j).backend = "local"), /does not read region-\S+'s state/],
  ["mesh.cluster-access", "reads a second state", "mesh", (j) => (j.data.terraform_remote_state.other = cloneJson(remoteState(j))), /does not read region-\S+'s state \(and only it\)/],
  ["mesh.cluster-access", "a second provider configuration", "mesh", (j) => j.provider.kubernetes.push({ ...cloneJson(j.provider.kubernetes[0]), alias: "other" }), /2 provider configurations, expected 1/],
  ["mesh.cluster-access", "another API server", "istio", (j) => (kube(j).host = "https://10.0.0.1"), /is not the cluster's endpoint/],
  ["mesh.cluster-access", "a client key", "mesh", (j) => (kube(j).client_key = "${file(\"key.pem\")}"), /static or unverified credentials/],
  ["mesh.cluster-access", "a password", "mesh", (j) => (kube(j).password = "${var.password}"), /static or unverified credentials/],
  ["mesh.cluster-access", "a kubeconfig beside the credential plugin", "istio", (j) => (kube(j).config_path = "~/.kube/config"), /static or unverified credentials/],
  ["mesh.cluster-access", "helm without its cluster block", "istio", (j) => delete j.provider.helm[0].kubernetes, /provider\.helm: host undefined is not the cluster's endpoint/],
  ["mesh.cluster-access", "no provider block", "mesh", (j) => delete j.provider, /0 provider configurations, expected 1/],
  ["mesh.cluster-access", "no terraform block", "mesh", (j) => delete j.terraform, /terraform\.required_providers: \[\], expected/],
  ["mesh.cluster-access", "no backend block", "mesh", (j) => delete j.terraform.backend, /state not encrypted under the state key/],
  ["mesh.cluster-access", "a remote state read without its configuration", "mesh", (j) => delete remoteState(j).config, /does not read region-\S+'s state/],
  ["mesh.cluster-access", "credentials from another command, named in full", "mesh", (j) => (execOf(j).command = "sh"), /credentials not from (aws eks get-token|gke-gcloud-auth-plugin)$/],
  ["mesh.cluster-access", "another credential command", "mesh", (j) => (execOf(j).command = "sh"), /credentials not from/],
  ["mesh.cluster-access", "credentials for another cluster", "istio", (j) => (execOf(j).args = [...(execOf(j).args ?? []), "--profile", "admin"]), /credentials not from/],
  ["mesh.known-kinds", "a PodMonitoring on EKS (AMP's collector scrapes there)", "mesh", (j, s) => addManifest(j, "pm", sidecarPodMonitoring(s.region.services[0].namespace) as unknown as TfJson), onAws(/monitoring.googleapis.com\/v1 PodMonitoring is not a kind the mesh stack may apply/)],
  ["mesh.known-kinds", "a namespace's sidecars unscraped on GKE", "mesh", (j) => removeManifest(j, (m) => m.kind === "PodMonitoring" && m.metadata.namespace === "payments"), onGcp(/no PodMonitoring of the sidecars in payments/)],
  ["mesh.known-kinds", "every metric of the sidecars scraped on GKE", "mesh", (j) => {
    const [, r] = Object.entries(j.resource.kubernetes_manifest as Record<string, TfJson>).find(([, x]) => x.manifest.kind === "PodMonitoring")!;
    delete r.manifest.spec.endpoints[0].metricRelabeling;
  }, onGcp(/the PodMonitoring is not the sidecars' reviewed scrape/)],
  ["mesh.access-logs", "access logs to a file on the node", "istio", (j) => istiodValuesEdit(j, (v) => (v.meshConfig.accessLogFile = "/var/log/envoy.log")), /accessLogFile is \/var\/log\/envoy.log, not \/dev\/stdout/],
  ["mesh.access-logs", "access logs as text", "istio", (j) => istiodValuesEdit(j, (v) => (v.meshConfig.accessLogEncoding = "TEXT")), /accessLogEncoding is TEXT, not JSON/],
  ["mesh.access-logs", "Istio's default format (query strings logged)", "istio", (j) => istiodValuesEdit(j, (v) => delete v.meshConfig.accessLogFormat), /accessLogFormat is not a JSON object/],
  ["mesh.access-logs", "a format that is not JSON", "istio", (j) => istiodValuesEdit(j, (v) => (v.meshConfig.accessLogFormat = "[%START_TIME%] %REQ(:PATH)%")), /accessLogFormat is not a JSON object/],
  ["mesh.access-logs", "no caller identity", "istio", (j) => logFormatEdit(j, (f) => delete f.source_principal), /field source_principal is undefined, expected %DOWNSTREAM_PEER_URI_SAN%/],
  ["mesh.access-logs", "the handshake's failure reason left out", "istio", (j) => logFormatEdit(j, (f) => delete f.downstream_transport_failure_reason), /field downstream_transport_failure_reason is undefined/],
  ["mesh.access-logs", "the request id from another header", "istio", (j) => logFormatEdit(j, (f) => (f.request_id = "%REQ(X-B3-TRACEID)%")), /field request_id is "%REQ\(X-B3-TRACEID\)%"/],
  ["mesh.access-logs", "the path with its query string", "istio", (j) => logFormatEdit(j, (f) => (f.path = "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%")), /field path logs %REQ\(X-ENVOY-ORIGINAL-PATH\?:PATH\)%/],
  ["mesh.access-logs", "the authorization header", "istio", (j) => logFormatEdit(j, (f) => (f.auth = "%REQ(AUTHORIZATION)%")), /field auth logs %REQ\(AUTHORIZATION\)%/],
  ["mesh.access-logs", "an allowed header with a forbidden alternative", "istio", (j) => logFormatEdit(j, (f) => (f.who = "%REQ(:AUTHORITY?X-CARD-NUMBER)%")), /field who logs %REQ\(:AUTHORITY\?X-CARD-NUMBER\)%/],
  ["mesh.access-logs", "another header without its query", "istio", (j) => logFormatEdit(j, (f) => (f.ref = "%REQ_WITHOUT_QUERY(REFERER)%")), /field ref logs %REQ_WITHOUT_QUERY\(REFERER\)%/],
  ["mesh.access-logs", "a response header", "istio", (j) => logFormatEdit(j, (f) => (f.set_cookie = "%RESP(SET-COOKIE)%")), /field set_cookie logs %RESP\(SET-COOKIE\)%/],
  ["mesh.access-logs", "dynamic metadata (a filter may put a body there)", "istio", (j) => logFormatEdit(j, (f) => (f.meta = "%DYNAMIC_METADATA(envoy.lua:body)%")), /field meta logs %DYNAMIC_METADATA\(envoy.lua:body\)%/],
  ["mesh.access-logs", "a CEL expression", "istio", (j) => logFormatEdit(j, (f) => (f.cel = "%CEL(request.headers['x-pan'])%")), /field cel logs %CEL/],
  ["mesh.access-logs", "no handshake counters exported", "istio", (j) => istiodValuesEdit(j, (v) => delete v.meshConfig.defaultConfig), /does not export the failed-handshake counters/],
  ["mesh.istio-install", "lint on istiod", "istio", (j) => (release(j, "istiod").lint = true), /lint set/],
  ["mesh.istio-install", "istiod without wait", "istio", (j) => (release(j, "istiod").wait = false), /does not wait/],
  ["mesh.istio-install", "istiod's values without global", "istio", (j) => istiodValuesEdit(j, (v) => delete v.global), /images from undefined:undefined/],
  ["mesh.istio-install", "istiod's values without meshConfig", "istio", (j) => istiodValuesEdit(j, (v) => delete v.meshConfig), /trust domain undefined/],
  ["mesh.istio-install", "a chart the install does not have", "istio", (j) => (j.resource.helm_release.extra = { ...cloneJson(release(j, "istiod")), chart: "ztunnel", name: "ztunnel" }), /expected base, (cert-manager-istio-csr, )?cni, (gateway, )?istiod$/],
  ["mesh.istio-install", "istiod before the CNI agent", "istio", (j) => (release(j, "istiod").depends_on = release(j, "istiod").depends_on.filter((d: string) => !d.includes("istio_cni"))), /not installed after istio-cni/],
  ["mesh.istio-install", "the CNI agent before base", "istio", (j) => delete release(j, "cni").depends_on, /helm_release.\S+: not installed after istio-base/],
  ["mesh.istio-install", "the CNI agent's images from the internet", "istio", (j) => valuesEdit(release(j, "cni"), (v) => (v.global.hub = "docker.io/istio")), /values differ from the blueprint's istio-cni values \(at .global.hub\)/],
  ["mesh.istio-install", "the CNI agent in ambient mode", "istio", (j) => valuesEdit(release(j, "cni"), (v) => (v.ambient.enabled = true)), /istio-cni values \(at .ambient.enabled\)/],
  ["mesh.istio-install", "the CNI agent without GKE's plugin directory", "istio", (j) => valuesEdit(release(j, "cni"), (v) => delete v.cniBinDir), onGcp(/istio-cni values \(at .cniBinDir\)/)],
  ["mesh.pod-security", "a workload namespace without Pod Security Admission", "istio", (j) => (namespaceOf(j, "payments").metadata.labels = { "istio-injection": "enabled" }), /payments\S*: Pod Security Admission labels \{\}, expected/],
  ["mesh.pod-security", "a merchant namespace at baseline", "istio", (j, s) => (namespaceOf(j, merchant(s)).metadata.labels["pod-security.kubernetes.io/enforce"] = "baseline"), /Pod Security Admission labels .*"baseline"/],
  ["mesh.pod-security", "a workload namespace only warned, not enforced", "istio", (j) => delete namespaceOf(j, "fraud").metadata.labels["pod-security.kubernetes.io/enforce"], /fraud\S*: Pod Security Admission labels/],
  ["mesh.pod-security", "the root namespace left to the cluster's default", "istio", (j) => delete namespaceOf(j, "istio-system").metadata.labels, /istio-system: Pod Security Admission labels \{\}, expected .*privileged/],
  ["mesh.pod-security", "the partner gateway's namespace without restricted", "istio", (j) => delete namespaceOf(j, "istio-ingress").metadata.labels, onAws(/Pod Security Admission labels \{\}, expected .*restricted/)],
  ["mesh.pod-security", "the partner gateway's namespace missing", "istio", (j) => {
    const [n] = Object.entries(j.resource.kubernetes_namespace_v1 as Record<string, TfJson>).find(([, r]) => r.metadata.name === "istio-ingress")!;
    delete j.resource.kubernetes_namespace_v1[n];
  }, onAws(/no namespace istio-ingress held to restricted/)],
  ["mesh.pod-security", "a workload namespace labelled before istiod injects for CNI", "istio", (j) => delete namespaceOf(j, "payments").depends_on, /labelled restricted before istiod injects for Istio CNI/],
  ["mesh.pod-security", "Istio CNI off in istiod", "istio", (j) => istiodValuesEdit(j, (v) => (v.cni.enabled = false)), /Istio CNI off/],
  ["mesh.pod-security", "istiod without CNI settings", "istio", (j) => istiodValuesEdit(j, (v) => delete v.cni), /Istio CNI off/],
  ["mesh.pod-security", "istiod without global settings", "istio", (j) => istiodValuesEdit(j, (v) => delete v.global), /the injected containers have no seccomp profile/],
  ["mesh.pod-security", "the CNI agent in another namespace", "istio", (j) => (release(j, "cni").namespace = "kube-system"), /no istio-cni in istio-system/],
  ["mesh.pod-security", "the injected containers without seccomp", "istio", (j) => istiodValuesEdit(j, (v) => delete v.global.proxy), /the injected containers have no seccomp profile/],
  ["mesh.pod-security", "no CNI agent", "istio", (j) => {
    const [n] = Object.entries(j.resource.helm_release as Record<string, TfJson>).find(([, r]) => r.chart === "cni")!;
    delete j.resource.helm_release[n];
  }, /no istio-cni in istio-system/],
  ["mesh.pod-security", "no istiod", "istio", (j) => {
    const [n] = Object.entries(j.resource.helm_release as Record<string, TfJson>).find(([, r]) => r.chart === "istiod")!;
    delete j.resource.helm_release[n];
  }, /helm_release: no istiod/],
  ["mesh.workload-pod-policy", "the policy removed", "mesh", (j) => removeManifest(j, (m) => m.kind === "ValidatingAdmissionPolicy" && m.metadata.name === "workload-pods-stay-off-the-node"), /ValidatingAdmissionPolicy workload-pods-stay-off-the-node\): missing \(hostNetwork/],
  ["mesh.workload-pod-policy", "the binding removed", "mesh", (j) => removeManifest(j, (m) => m.kind === "ValidatingAdmissionPolicyBinding" && m.metadata.name === "workload-pods-stay-off-the-node"), /ValidatingAdmissionPolicyBinding workload-pods-stay-off-the-node\): missing/],
  ["mesh.workload-pod-policy", "hostNetwork no longer checked", "mesh", (j) => podPolicy(j).spec.validations.shift(), /differs from model\/mesh\/pod-security.ts at .spec.validations/],
  ["mesh.workload-pod-policy", "the policy failing open", "mesh", (j) => (podPolicy(j).spec.failurePolicy = "Ignore"), /at .spec.failurePolicy/],
  ["mesh.workload-pod-policy", "the binding only warns", "mesh", (j) => (podBinding(j).spec.validationActions = ["Warn", "Audit"]), /actions \["Warn","Audit"\], not Deny/],
  ["mesh.workload-pod-policy", "the binding leaves a merchant out", "mesh", (j, s) => (podBinding(j).spec.matchResources.namespaceSelector.matchExpressions[0].values = podBinding(j).spec.matchResources.namespaceSelector.matchExpressions[0].values.filter((n: string) => n !== merchant(s))), /namespace merchant-\d+ not bound/],
  ["mesh.workload-pod-policy", "the binding's names under another key", "mesh", (j) => (podBinding(j).spec.matchResources.namespaceSelector.matchExpressions[0].key = "name"), /namespace payments not bound/],
  ["mesh.workload-pod-policy", "the binding's names excluded instead", "mesh", (j) => (podBinding(j).spec.matchResources.namespaceSelector.matchExpressions[0].operator = "NotIn"), /namespace payments not bound/],
  ["mesh.workload-pod-policy", "the binding without a namespace selector (every namespace, kube-system's node agents refused)", "mesh", (j) => delete podBinding(j).spec.matchResources.namespaceSelector, /namespace payments not bound/],
  ["mesh.workload-pod-policy", "the binding without match resources", "mesh", (j) => delete podBinding(j).spec.matchResources, /namespace payments not bound/],
  ["mesh.workload-pod-policy", "the binding by a label a namespace's owner can remove", "mesh", (j) => (podBinding(j).spec.matchResources.namespaceSelector = { matchLabels: { "istio-injection": "enabled" } }), /namespace payments not bound/],
  ["mesh.workload-pod-policy", "a merchant's pods free to run on any node", "mesh", (j) => removeManifest(j, (m) => m.kind === "ValidatingAdmissionPolicy" && m.metadata.name === "merchant-pods-on-merchant-nodes"), /ValidatingAdmissionPolicy merchant-pods-on-merchant-nodes\): missing \(a merchant's pod could run beside the platform's/],
  ["mesh.workload-pod-policy", "the platform's placement bound to no namespace of the platform", "mesh", (j) => (placementBinding(j, "platform-pods-off-merchant-nodes").spec.matchResources.namespaceSelector.matchExpressions[0].values = ["istio-ingress"]), /differs from model\/mesh\/pod-security.ts at .spec.matchResources/],
  ["mesh.workload-pod-policy", "a merchant's placement that admits any selector", "mesh", (j) => (placementPolicy(j, "merchant-pods-on-merchant-nodes").spec.validations[0].expression = "true"), /at .spec.validations\[0\].expression/],
  ["mesh.workload-pod-policy", "the platform's placement only audited", "mesh", (j) => (placementBinding(j, "platform-pods-off-merchant-nodes").spec.validationActions = ["Audit"]), /differs from model\/mesh\/pod-security.ts at .spec.validationActions/],
  ["mesh.workload-pod-policy", "a second admission policy", "mesh", (j) =>
    addManifest(j, "vap_other", { ...cloneJson(podPolicy(j)), metadata: { name: "other" } }), /ValidatingAdmissionPolicy other is not the blueprint's/],
  ["mesh.registry-only", "sidecars forwarding to any address", "istio", (j) => istiodValuesEdit(j, (v) => (v.meshConfig.outboundTrafficPolicy.mode = "ALLOW_ANY")), /outbound traffic policy ALLOW_ANY, expected REGISTRY_ONLY/],
  ["mesh.registry-only", "istiod without mesh settings", "istio", (j) => istiodValuesEdit(j, (v) => delete v.meshConfig), /outbound traffic policy ALLOW_ANY \(Istio's default\)/],
  ["mesh.registry-only", "Istio's default outbound policy", "istio", (j) => istiodValuesEdit(j, (v) => delete v.meshConfig.outboundTrafficPolicy), /outbound traffic policy ALLOW_ANY \(Istio's default\)/],
  ["mesh.registry-only", "no istiod", "istio", (j) => {
    const [n] = Object.entries(j.resource.helm_release as Record<string, TfJson>).find(([, r]) => r.chart === "istiod")!;
    delete j.resource.helm_release[n];
  }, /helm_release: no istiod/],
  ["mesh.service-entries", "the database's entry removed", "mesh", (j) => removeManifest(j, (m) => m.kind === "ServiceEntry" && m.metadata.name === "egress-database"), /ServiceEntry payments\/egress-database\): missing/],
  ["mesh.service-entries", "an entry exported to the whole mesh", "mesh", (j) => delete seOf(j, "fraud", "egress-kafka").spec.exportTo, /exported to "every namespace", not its own namespace only/],
  ["mesh.service-entries", "an entry for every address", "mesh", (j) => (seOf(j, "fraud", "egress-kafka").spec.addresses = ["0.0.0.0/0"]), /opens every address \(0.0.0.0\/0\)/],
  ["mesh.service-entries", "an entry for every address, narrowed a little", "mesh", (j) => (seOf(j, "fraud", "egress-kafka").spec.addresses = ["0.0.0.0/1", "128.0.0.0/1"]), /opens every address/],
  ["mesh.service-entries", "an entry for every host beside its own", "mesh", (j) => seOf(j, "fraud", "egress-kafka").spec.hosts.push("*"), /opens every host/],
  ["mesh.service-entries", "an entry for the unspecified address beside a block", "mesh", (j) => (seOf(j, "fraud", "egress-kafka").spec.addresses = ["0.0.0.0", "10.0.0.0/8"]), /opens every address \(0\.0\.0\.0, 10\.0\.0\.0\/8\)/],
  ["mesh.service-entries", "a second entry the design does not build", "mesh", (j) =>
    addManifest(j, "se_extra", { ...cloneJson(seOf(j, "fraud", "egress-kafka")), metadata: { name: "egress-extra", namespace: "fraud" } }), /ServiceEntry fraud\/egress-extra is not one the design builds/],
  ["mesh.service-entries", "the database's port in a namespace that declares none", "mesh", (j) =>
    addManifest(j, "se_db", { ...cloneJson(seOf(j, "payments", "egress-database")), metadata: { name: "egress-database", namespace: "checkout" } }), /lets sidecars of checkout reach the database \(port 5432\), which none of its services declares/],
  ["mesh.service-entries", "a wider entry than the design's", "mesh", (j) => seOf(j, "fraud", "egress-kafka").spec.ports.push({ number: 2223, name: "tcp-2223", protocol: "TCP" }), /differs from model\/mesh\/policies.ts at .spec.ports/],
  ["mesh.istio-install", "istiod with set_list", "istio", (j) => (release(j, "istiod").set_list = [{ name: "x", value: ["y"] }]), /set_list changes the release outside the reviewed values document/],
  ["mesh.istio-install", "istiod with set_wo", "istio", (j) => (release(j, "istiod").set_wo = [{ name: "x", value: "y" }]), /set_wo changes the release outside the reviewed values document/],
  ["mesh.istio-install", "istiod before base", "istio", (j) => delete release(j, "istiod").depends_on, /not installed after istio-base/],
  ["mesh.istio-install", "charts from the internet", "istio", (j) => (release(j, "base").repository = "https://istio-release.storage.googleapis.com/charts"), /not the region's private registry/],
  ["mesh.istio-install", "unpinned chart", "istio", (j) => delete release(j, "istiod").version, /version undefined, expected/],
  ["mesh.istio-install", "images from Docker Hub", "istio", (j) => istiodValuesEdit(j, (v) => (v.global.hub = "docker.io/istio")), /images from docker.io/],
  ["mesh.istio-install", "another trust domain", "istio", (j) => istiodValuesEdit(j, (v) => (v.meshConfig.trustDomain = "cluster.local")), /trust domain cluster.local, expected/],
  ["mesh.istio-install", "a value set outside the document", "istio", (j) => (release(j, "istiod").set = [{ name: "global.hub", value: "docker.io/istio" }]), /set changes the release/],
  ["mesh.istio-install", "a second values document", "istio", (j) => release(j, "istiod").values.push(JSON.stringify({ global: { hub: "docker.io/istio" } })), /2 values documents/],
  ["mesh.istio-install", "a pilot image override", "istio", (j) => istiodValuesEdit(j, (v) => (v.image = "docker.io/istio/pilot:latest")), /values differ from the blueprint's istiod values/],
  ["mesh.istio-install", "a post-renderer", "istio", (j) => (release(j, "istiod").postrender = { binary_path: "/usr/local/bin/kustomize" }), /postrender changes the release/],
  ["mesh.deny-by-default", "deny-all at v1beta1", "mesh", (j) => (manifestOf(j, "AuthorizationPolicy", "fraud", "deny-all").apiVersion = "security.istio.io/v1beta1"), /namespace fraud has no deny-all/],
  ["mesh.allow-equals-calls", "targetRefs next to the selector", "mesh", (j) =>
    (manifestOf(j, "AuthorizationPolicy", "payments", "allow-payment-service").spec.targetRefs = [{ kind: "Service", group: "", name: "payment-service" }]), /spec keys/],
  ["mesh.namespaces-injected", "injection off", "istio", (j) => (namespaceOf(j, "payments").metadata.labels["istio-injection"] = "disabled"), /sidecar injection off/],
  ["mesh.namespaces-injected", "merchant namespace missing", "istio", (j, s) => delete j.resource.kubernetes_namespace_v1[`namespaces_${merchant(s)}`], /no namespace merchant-/],
  ["mesh.namespaces-injected", "merchant not labelled", "istio", (j, s) => delete namespaceOf(j, merchant(s)).metadata.labels.isolation, /isolation label undefined, merchant: true/],
  ["mesh.strict-mtls", "PERMISSIVE", "mesh", (j) => (manifestOf(j, "PeerAuthentication", ISTIO_ROOT_NAMESPACE).spec.mtls.mode = "PERMISSIVE"), /mode PERMISSIVE/],
  ["mesh.strict-mtls", "mesh-wide policy removed", "mesh", (j) => removeManifest(j, (m) => m.kind === "PeerAuthentication"), /0 PeerAuthentication default/],
  ["mesh.strict-mtls", "a namespace opts out", "mesh", (j) =>
    addManifest(j, "pa_fraud", { apiVersion: "security.istio.io/v1", kind: "PeerAuthentication", metadata: { name: "default", namespace: "fraud" }, spec: { mtls: { mode: "DISABLE" } } }), /mode DISABLE/],
  ["mesh.strict-mtls", "a port opts out", "mesh", (j) => (manifestOf(j, "PeerAuthentication", ISTIO_ROOT_NAMESPACE).spec.portLevelMtls = { 8080: { mode: "PERMISSIVE" } }), /port 8080 mode PERMISSIVE/],
  ["mesh.strict-mtls", "v1beta1", "mesh", (j) => (manifestOf(j, "PeerAuthentication", ISTIO_ROOT_NAMESPACE).apiVersion = "security.istio.io/v1beta1"), /v1beta1, expected security.istio.io\/v1/],
  ["mesh.deny-by-default", "no mesh-wide deny-all in the root namespace (a namespace outside the design would be allow-all)", "mesh", (j) => removeManifest(j, (m) => m.kind === "AuthorizationPolicy" && m.metadata.namespace === "istio-system"), /namespace istio-system has no deny-all/],
  ["mesh.deny-by-default", "deny-all removed", "mesh", (j) => removeManifest(j, (m) => m.kind === "AuthorizationPolicy" && m.metadata.namespace === "fraud"), /namespace fraud has no deny-all/],
  ["mesh.deny-by-default", "deny-all given a rule", "mesh", (j) => (manifestOf(j, "AuthorizationPolicy", "checkout", "deny-all").spec = { rules: [{}] }), /namespace checkout has no deny-all/],
  ["mesh.deny-by-default", "merchant without deny-all", "mesh", (j, s) => removeManifest(j, (m) => m.metadata.name === "deny-all" && m.metadata.namespace === merchant(s)), /namespace merchant-\S+ has no deny-all/],
  ["mesh.allow-equals-calls", "a declared call not allowed", "mesh", (j) => removeManifest(j, (m) => m.metadata.name === "allow-tokenization-service"), /declared but not allowed/],
  ["mesh.allow-equals-calls", "an undeclared caller", "mesh", (j, s) =>
    manifestOf(j, "AuthorizationPolicy", "payments", "allow-tokenization-service").spec.rules[0].from[0].source.principals.push(`${s.region.mesh.trustDomain}/ns/fraud/sa/fraud-engine`), /does not name exactly one principal/],
  ["mesh.allow-equals-calls", "the declared caller replaced by another", "mesh", (j, s) =>
    (manifestOf(j, "AuthorizationPolicy", "payments", "allow-tokenization-service").spec.rules[0].from[0].source.principals = [`${s.region.mesh.trustDomain}/ns/fraud/sa/fraud-engine`]), /allowed but not declared: \S+\/ns\/fraud\/sa\/fraud-engine/],
  ["mesh.allow-equals-calls", "an extra method", "mesh", (j) => manifestOf(j, "AuthorizationPolicy", "payments", "allow-tokenization-service").spec.rules[0].to[0].operation.methods.push("GET"), /allowed but not declared/],
  ["mesh.allow-equals-calls", "an extra path", "mesh", (j) => manifestOf(j, "AuthorizationPolicy", "payments", "allow-payment-service").spec.rules[0].to[0].operation.paths.push("/v1/refund"), /allowed but not declared/],
  ["mesh.allow-equals-calls", "selects every pod of the namespace", "mesh", (j) => delete manifestOf(j, "AuthorizationPolicy", "payments", "allow-tokenization-service").spec.selector, /does not select one service's pods/],
  ["mesh.allow-equals-calls", "a DENY policy that could be misread", "mesh", (j) => (manifestOf(j, "AuthorizationPolicy", "payments", "allow-payment-service").spec.action = "DENY"), /action DENY/],
  ["mesh.allow-equals-calls", "a source by namespace", "mesh", (j) => (manifestOf(j, "AuthorizationPolicy", "payments", "allow-payment-service").spec.rules[0].from[0].source.namespaces = ["checkout"]), /does not name exactly one principal/],
  ["mesh.no-wildcards", "a * principal", "mesh", (j) => (manifestOf(j, "AuthorizationPolicy", "payments", "allow-tokenization-service").spec.rules[0].from[0].source.principals = ["*"]), /principal \*/],
  ["mesh.no-wildcards", "every path", "mesh", (j) => (manifestOf(j, "AuthorizationPolicy", "payments", "allow-tokenization-service").spec.rules[0].to[0].operation.paths = ["/*"]), /every path/],
  ["mesh.no-wildcards", "any operation", "mesh", (j) => delete manifestOf(j, "AuthorizationPolicy", "payments", "allow-payment-service").spec.rules[0].to, /any operation/],
  ["mesh.no-wildcards", "any source", "mesh", (j) => delete manifestOf(j, "AuthorizationPolicy", "payments", "allow-payment-service").spec.rules[0].from, /any source/],
  ["mesh.no-wildcards", "a foreign trust domain", "mesh", (j) =>
    (manifestOf(j, "AuthorizationPolicy", "payments", "allow-payment-service").spec.rules[0].from[0].source.principals = ["cluster.local/ns/checkout/sa/checkout-service"]), /outside trust domain/],
  ["mesh.no-wildcards", "notPaths", "mesh", (j) => (manifestOf(j, "AuthorizationPolicy", "payments", "allow-payment-service").spec.rules[0].to[0].operation.notPaths = ["/admin"]), /negative match/],
  ["mesh.istio-install", "istio-base left out", "istio", (j) => {
    const [n] = Object.entries(j.resource.helm_release as Record<string, TfJson>).find(([, r]) => r.chart === "base")!;
    delete j.resource.helm_release[n];
    release(j, "istiod").depends_on = [];
  }, /helm_release: charts/],
  ["mesh.istio-install", "istio-base at another release", "istio", (j) => (release(j, "base").version = "1.29.0"), /helm_release.\S+: version 1.29.0, expected/],
  ["mesh.istio-install", "istiod in another namespace", "istio", (j) => (release(j, "istiod").namespace = "default"), /namespace default/],
  ["mesh.istio-install", "an Istio release the catalog does not list", "istio", (j, s) => {
    for (const r of Object.values(j.resource.helm_release as Record<string, TfJson>)) if (r.version === s.region.mesh.istioVersion) r.version = "1.25.2";
    istiodValuesEdit(j, (v) => (v.global.tag = "1.25.2"));
    (s as { istio: { region: unknown } }).istio.region = { ...s.region, mesh: { ...s.region.mesh, istioVersion: "1.25.2" } };
  }, /Istio 1.25.2 is not a supported release/],
  ["mesh.istio-install", "istiod's images at another tag", "istio", (j) => istiodValuesEdit(j, (v) => (v.global.tag = "latest")), /images from \S+:latest/],
  ["mesh.namespaces-injected", "no istio-system namespace", "istio", (j) => {
    const [n] = Object.entries(j.resource.kubernetes_namespace_v1 as Record<string, TfJson>).find(([, r]) => r.metadata.name === ISTIO_ROOT_NAMESPACE)!;
    delete j.resource.kubernetes_namespace_v1[n];
  }, /no istio-system/],
  ["mesh.namespaces-injected", "a service namespace labelled as a merchant's", "istio", (j) => (namespaceOf(j, "payments").metadata.labels.isolation = "true"), /isolation label true, merchant: false/],
  // Per condition (issue 17): each is the only weakening that one condition of its rule answers.
  ["mesh.strict-mtls", "a PeerAuthentication with no spec", "mesh", (j) => delete manifestOf(j, "PeerAuthentication", ISTIO_ROOT_NAMESPACE).spec, /mode undefined/],
  ["mesh.strict-mtls", "a PeerAuthentication with no mtls block", "mesh", (j) => delete manifestOf(j, "PeerAuthentication", ISTIO_ROOT_NAMESPACE).spec.mtls, /mode undefined/],
  ["mesh.deny-by-default", "a deny-all without metadata (in no namespace)", "mesh", (j) => delete manifestOf(j, "AuthorizationPolicy", "fraud", "deny-all").metadata, /namespace fraud has no deny-all/],
  ["mesh.allow-equals-calls", "an AuthorizationPolicy with no spec", "mesh", (j) => delete manifestOf(j, "AuthorizationPolicy", "payments", "allow-payment-service").spec, /action undefined/],
  ["mesh.allow-equals-calls", "an unknown key in an ALLOW's spec", "mesh", (j) => (manifestOf(j, "AuthorizationPolicy", "payments", "allow-payment-service").spec.targetRefs = []), /spec keys \["action","rules","selector","targetRefs"\], expected exactly/],
  ["mesh.allow-equals-calls", "an empty selector", "mesh", (j) => (manifestOf(j, "AuthorizationPolicy", "payments", "allow-payment-service").spec.selector = {}), /does not select one service's pods/],
  ["mesh.allow-equals-calls", "a rule with an empty source list", "mesh", (j) => (manifestOf(j, "AuthorizationPolicy", "payments", "allow-payment-service").spec.rules[0].from = []), /rule 0 does not name exactly one principal/],
  ["mesh.allow-equals-calls", "a rule with an empty operation list", "mesh", (j) => (manifestOf(j, "AuthorizationPolicy", "payments", "allow-payment-service").spec.rules[0].to = []), /rule 0 is not exactly methods and paths/],
  ["mesh.allow-equals-calls", "an ALLOW without metadata", "mesh", (j) => delete manifestOf(j, "AuthorizationPolicy", "payments", "allow-payment-service").metadata, /allowed but not declared/],
  ["mesh.no-wildcards", "a principal of every service account of every namespace of the trust domain", "mesh", (j, s) =>
    (manifestOf(j, "AuthorizationPolicy", "payments", "allow-tokenization-service").spec.rules[0].from[0].source.principals = [`${s.region.mesh.trustDomain}/ns/*/sa/*`]), /rule 0: principal \S+\/ns\/\*\/sa\/\*$/],
  ["mesh.no-wildcards", "a wildcard path among named ones", "mesh", (j) => manifestOf(j, "AuthorizationPolicy", "payments", "allow-tokenization-service").spec.rules[0].to[0].operation.paths.push("/*"), /every path/],
  ["mesh.strict-mtls", "a second mesh-wide policy", "mesh", (j) => addManifest(j, "pa_again", cloneJson(manifestOf(j, "PeerAuthentication", ISTIO_ROOT_NAMESPACE))), /2 PeerAuthentication default in istio-system, expected 1/],
  ["mesh.strict-mtls", "the mesh-wide policy narrowed to some workloads", "mesh", (j) => (manifestOf(j, "PeerAuthentication", ISTIO_ROOT_NAMESPACE).spec.selector = { matchLabels: { app: "payment-service" } }), /applies only to selected workloads/],
  ["mesh.allow-equals-calls", "an ALLOW at v1beta1", "mesh", (j) => (manifestOf(j, "AuthorizationPolicy", "payments", "allow-payment-service").apiVersion = "security.istio.io/v1beta1"), /v1beta1, expected security.istio.io\/v1/],
  ["mesh.allow-equals-calls", "a selector with a second label", "mesh", (j) => (manifestOf(j, "AuthorizationPolicy", "payments", "allow-payment-service").spec.selector.matchLabels.version = "v2"), /does not select one service's pods/],
  ["mesh.allow-equals-calls", "a second source in a rule", "mesh", (j, s) => {
    const rule = manifestOf(j, "AuthorizationPolicy", "payments", "allow-payment-service").spec.rules[0];
    rule.from.push({ source: { principals: [`${s.region.mesh.trustDomain}/ns/fraud/sa/fraud-engine`] } });
  }, /does not name exactly one principal/],
  ["mesh.allow-equals-calls", "a port next to the methods and paths", "mesh", (j) => (manifestOf(j, "AuthorizationPolicy", "payments", "allow-payment-service").spec.rules[0].to[0].operation.ports = ["8080"]), /is not exactly methods and paths/],
  ["mesh.allow-equals-calls", "a second operation in a rule", "mesh", (j) => {
    const rule = manifestOf(j, "AuthorizationPolicy", "payments", "allow-payment-service").spec.rules[0];
    rule.to.push({ operation: { methods: ["GET"], paths: ["/admin"] } });
  }, /is not exactly methods and paths/],
  ["mesh.allow-equals-calls", "a rule with conditions", "mesh", (j) => (manifestOf(j, "AuthorizationPolicy", "payments", "allow-payment-service").spec.rules[0].when = [{ key: "request.headers[x-debug]", values: ["1"] }]), /has conditions/],
  ["mesh.allow-equals-calls", "a declared call allowed twice", "mesh", (j) => {
    const spec = manifestOf(j, "AuthorizationPolicy", "payments", "allow-payment-service").spec;
    spec.rules.push(cloneJson(spec.rules[0]));
  }, /ALLOW rules for \d+ declared calls/],
  ["mesh.no-wildcards", "every method", "mesh", (j) => (manifestOf(j, "AuthorizationPolicy", "payments", "allow-payment-service").spec.rules[0].to[0].operation.methods = ["*"]), /every method/],
  ["mesh.no-wildcards", "no methods (all of them)", "mesh", (j) => delete manifestOf(j, "AuthorizationPolicy", "payments", "allow-payment-service").spec.rules[0].to[0].operation.methods, /every method/],
  ["mesh.no-wildcards", "no paths (all of them)", "mesh", (j) => delete manifestOf(j, "AuthorizationPolicy", "payments", "allow-payment-service").spec.rules[0].to[0].operation.paths, /every path/],
  ["mesh.no-wildcards", "notMethods", "mesh", (j) => (manifestOf(j, "AuthorizationPolicy", "payments", "allow-payment-service").spec.rules[0].to[0].operation.notMethods = ["DELETE"]), /negative match/],
  ...(["namespaces", "ipBlocks", "remoteIpBlocks", "requestPrincipals", "notPrincipals", "notNamespaces"] as const).map((key): Mutation<"mesh"> => [
    "mesh.no-wildcards", `a source by ${key}`, "mesh", (j) => (manifestOf(j, "AuthorizationPolicy", "payments", "allow-payment-service").spec.rules[0].from[0].source[key] = ["x"]), new RegExp(`source by ${key}$`),
  ]),
  ["mesh.namespaces-segmented", "default-deny narrowed to some pods", "mesh", (j, s) => (manifestOf(j, "NetworkPolicy", merchant(s), "default-deny").spec.podSelector = { matchLabels: { app: "x" } }), /no default-deny/],
  ["mesh.namespaces-segmented", "default-deny that admits all ingress", "mesh", (j, s) => (manifestOf(j, "NetworkPolicy", merchant(s), "default-deny").spec.ingress = [{}]), /no default-deny/],
  ["mesh.namespaces-segmented", "default-deny that admits all ingress is itself a policy that lets traffic through", "mesh", (j, s) => (manifestOf(j, "NetworkPolicy", merchant(s), "default-deny").spec.ingress = [{}]), NEITHER],
  ["mesh.namespaces-segmented", "a declared call's egress to every destination (no peer)", "mesh", (j, s) => delete crossingPolicy(j, s, "egress").spec.egress[0].to, withMerchantCall(NEITHER)],
  ["mesh.namespaces-segmented", "a declared call's egress to an empty peer", "mesh", (j, s) => (crossingPolicy(j, s, "egress").spec.egress[0].to = [{}]), withMerchantCall(NEITHER)],
  ["mesh.namespaces-segmented", "a declared call's egress to every pod of every namespace", "mesh", (j, s) => (crossingPolicy(j, s, "egress").spec.egress[0].to = [{ namespaceSelector: {}, podSelector: {} }]), withMerchantCall(NEITHER)],
  ["mesh.namespaces-segmented", "a declared call's egress turned to another service (the call has none)", "mesh", (j, s) => (crossingPolicy(j, s, "egress").spec.egress[0].to = [peer("payments", "payment-core")]), withMerchantCall(NEITHER)],
  ["mesh.namespaces-segmented", "default-deny that admits all egress", "mesh", (j, s) => (manifestOf(j, "NetworkPolicy", merchant(s), "default-deny").spec.egress = [{}]), /no default-deny/],
  ["mesh.namespaces-segmented", "the control plane allowance admits ingress too", "mesh", (j, s) => (manifestOf(j, "NetworkPolicy", merchant(s), "allow-mesh-control-plane").spec.ingress = [{}]), NEITHER],
  ["mesh.namespaces-segmented", "the control plane allowance for some pods only", "mesh", (j, s) => (manifestOf(j, "NetworkPolicy", merchant(s), "allow-mesh-control-plane").spec.podSelector = { matchLabels: { app: "x" } }), NEITHER],
  ["mesh.namespaces-segmented", "a declared call's egress to a second peer", "mesh", (j, s) => crossingPolicy(j, s, "egress").spec.egress[0].to.push(peer("payments", "payment-core")), withMerchantCall(NEITHER)],
  ["mesh.namespaces-segmented", "a declared call's egress on a port list", "mesh", (j, s) => (crossingPolicy(j, s, "egress").spec.egress[0].ports = [{ protocol: "TCP", port: 8080 }]), withMerchantCall(NEITHER)],
  ["mesh.namespaces-segmented", "a declared call's egress with a second rule", "mesh", (j, s) => crossingPolicy(j, s, "egress").spec.egress.push({ to: [peer("payments", "payment-core")] }), withMerchantCall(NEITHER)],
  ["mesh.namespaces-segmented", "a declared call's egress admitting ingress too", "mesh", (j, s) => (crossingPolicy(j, s, "egress").spec.ingress = [{ from: [peer("payments", "payment-core")] }]), withMerchantCall(NEITHER)],
  ["mesh.namespaces-segmented", "a declared call's egress to an undeclared peer", "mesh", (j, s) => (crossingPolicy(j, s, "egress").spec.egress[0].to = [peer("payments", "payment-core")]), withMerchantCall(NEITHER)],
  ["mesh.namespaces-segmented", "a declared call's egress from another pod", "mesh", (j, s) => (crossingPolicy(j, s, "egress").spec.podSelector = { matchLabels: { app: "x" } }), withMerchantCall(NEITHER)],
  ["mesh.namespaces-segmented", "a declared call's egress removed", "mesh", (j, s) => removeManifest(j, (m) => m.kind === "NetworkPolicy" && m.metadata.namespace === merchant(s) && m.metadata.name.startsWith("egress-")), withMerchantCall(/declared call \S+ -> \S+ has no egress NetworkPolicy/)],
  ["mesh.namespaces-segmented", "default-deny removed", "mesh", (j, s) => removeManifest(j, (m) => m.kind === "NetworkPolicy" && m.metadata.name === "default-deny" && m.metadata.namespace === merchant(s)), /no default-deny/],
  ["mesh.namespaces-segmented", "a platform namespace without its default-deny", "mesh", (j) => removeManifest(j, (m) => m.kind === "NetworkPolicy" && m.metadata.name === "default-deny" && m.metadata.namespace === "payments"), /namespace payments has no default-deny/],
  ["mesh.namespaces-segmented", "the database opened to a service that does not declare it", "mesh", (j) =>
    addManifest(j, "np_db", { ...cloneJson(npOf(j, "payments", "egress-tokenization-service-to-database")), metadata: { name: "egress-payment-service-to-database", namespace: "payments" }, spec: { ...cloneJson(npOf(j, "payments", "egress-tokenization-service-to-database").spec), podSelector: { matchLabels: { app: "payment-service" } } } }),
  /pods of payment-service may open the database \(port 5432\) without declaring that access/],
  ["mesh.namespaces-segmented", "the database's allowance widened to every pod of the namespace", "mesh", (j) => (npOf(j, "payments", "egress-tokenization-service-to-database").spec.podSelector = {}), /pods of every service may open the database/],
  ["mesh.namespaces-segmented", "a service's data-tier allowance on every port", "mesh", (j) => delete npOf(j, "payments", "egress-tokenization-service-to-database").spec.egress[0].ports, /pods of tokenization-service may open the Kafka brokers/],
  ["mesh.namespaces-segmented", "a port range over the HSMs' ports", "mesh", (j) => (npOf(j, "payments", "egress-tokenization-service-to-database").spec.egress[0].ports = [{ protocol: "TCP", port: 2000, endPort: 3000 }]), onAws(/may open the HSMs \(port 2224\)/)],
  ["mesh.namespaces-segmented", "the brokers opened to a pod by an address block with no port list beside a pod peer", "mesh", (j) =>
    npOf(j, "fraud", "egress-fraud-engine-to-kafka").spec.egress.push({ to: [peer("payments", "payment-core"), { ipBlock: { cidr: "10.0.0.0/8" } }] }), /pods of fraud-engine may open the database/],
  ["mesh.namespaces-segmented", "a service's credentials allowance removed (its SDK gets no credentials)", "mesh", (j) => removeManifest(j, (m) => m.kind === "NetworkPolicy" && m.metadata.name === "egress-fraud-engine-to-credentials"), /missing: fraud\/fraud-engine declares access to credentials/],
  ["mesh.namespaces-segmented", "the sidecars' metrics closed to the scrapers", "mesh", (j) => removeManifest(j, (m) => m.kind === "NetworkPolicy" && m.metadata.name === "allow-metrics-scrape" && m.metadata.namespace === "fraud"), /NetworkPolicy fraud\/allow-metrics-scrape\): missing: the metrics scrapers/],
  ["mesh.namespaces-segmented", "the metrics port opened to every address", "mesh", (j) => (npOf(j, "fraud", "allow-metrics-scrape").spec.ingress[0].from = [{ ipBlock: { cidr: "0.0.0.0/0" } }]), /allow-metrics-scrape.*differs from model\/mesh\/policies.ts at .spec.ingress\[0\].from/],
  ["mesh.namespaces-segmented", "the gateway's namespace without its default-deny", "mesh", (j) => removeManifest(j, (m) => m.kind === "NetworkPolicy" && m.metadata.name === "default-deny" && m.metadata.namespace === "istio-ingress"), onAws(/namespace istio-ingress has no default-deny/)],
  ["mesh.namespaces-segmented", "the gateway's metrics closed to the scrapers", "mesh", (j) => removeManifest(j, (m) => m.kind === "NetworkPolicy" && m.metadata.name === "allow-metrics-scrape" && m.metadata.namespace === "istio-ingress"), onAws(/NetworkPolicy istio-ingress\/allow-metrics-scrape\): missing: the metrics scrapers' way to the gateway/)],
  ["mesh.namespaces-segmented", "the gateway closed to the load balancer", "mesh", (j) => removeManifest(j, (m) => m.kind === "NetworkPolicy" && m.metadata.name === "ingress-partner-gateway-from-load-balancer"), onAws(/missing: the partner API's load balancer to the gateway/)],
  ["mesh.namespaces-segmented", "a partner's service closed to the gateway", "mesh", (j) => removeManifest(j, (m) => m.kind === "NetworkPolicy" && m.metadata.name.endsWith("-from-partner-gateway")), onAws(/missing: the partners' routes to \S+ have no ingress NetworkPolicy from the gateway/)],
  ["mesh.namespaces-segmented", "the gateway's egress to every pod", "mesh", (j) => (Object.values(j.resource.kubernetes_manifest as Record<string, TfJson>).find((r) => r.manifest.kind === "NetworkPolicy" && r.manifest.metadata.name.startsWith("egress-partner-gateway-to-"))!.manifest.spec.egress = [{}]), onAws(NEITHER)],
  ["mesh.namespaces-segmented", "an allow-all NetworkPolicy in a platform namespace", "mesh", (j) =>
    addManifest(j, "np_payments", { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "allow-all", namespace: "payments" }, spec: { podSelector: {}, ingress: [{}], policyTypes: ["Ingress"] } }), /payments\/allow-all is not one of the design's NetworkPolicies/],
  ["mesh.namespaces-segmented", "default-deny only for ingress", "mesh", (j, s) => (manifestOf(j, "NetworkPolicy", merchant(s), "default-deny").spec.policyTypes = ["Ingress"]), /no default-deny/],
  ["mesh.namespaces-segmented", "egress to anywhere", "mesh", (j, s) =>
    addManifest(j, "np_open", { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "allow-all-egress", namespace: merchant(s) }, spec: { podSelector: {}, policyTypes: ["Egress"], egress: [{}] } }), NEITHER],
  ["mesh.namespaces-segmented", "control plane allowance widened", "mesh", (j, s) => manifestOf(j, "NetworkPolicy", merchant(s), "allow-mesh-control-plane").spec.egress[0].ports.push({ protocol: "TCP", port: 443 }), NEITHER],
  ["mesh.namespaces-segmented", "ingress from another tenant", "mesh", (j, s) =>
    addManifest(j, "np_tenant", {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "from-other-tenant", namespace: merchant(s) },
      spec: { podSelector: { matchLabels: { app: "x" } }, policyTypes: ["Ingress"], ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "merchant-99999" } }, podSelector: { matchLabels: { app: "y" } } }] }] },
    })],
];

const issuerOf = (j: TfJson) => manifestBody(j, "AWSPCAIssuer").manifest;
const anchorOf = (j: TfJson) => Object.values(j.resource.kubernetes_config_map_v1 as Record<string, TfJson>).find((c) => c.metadata.namespace !== "istio-ingress")!;

const casObject = (j: TfJson, kind: string): TfJson => manifestBody(j, kind).manifest;
const casContainer = (j: TfJson): TfJson => casObject(j, "Deployment").spec.template.spec.containers[0];
const casRole = (j: TfJson, name = "google-cas-issuer-least-privilege"): TfJson => Object.values(j.resource.kubernetes_cluster_role_v1 as Record<string, TfJson>).find((r) => r.metadata.name === name)!;
const casBinding = (j: TfJson, name = "google-cas-issuer-least-privilege"): TfJson => Object.values(j.resource.kubernetes_cluster_role_binding_v1 as Record<string, TfJson>).find((r) => r.metadata.name === name)!;
const attachmentBody = (j: TfJson): TfJson => Object.values(j.resource.kubernetes_manifest as Record<string, TfJson>).find((r) => r.manifest.kind === "ServiceAttachment")!;
const gatewayValuesEdit = (j: TfJson, edit: (v: TfJson) => void) => valuesEdit(release(j, "gateway"), edit);
/** Weakenings of the partner path on GCP: GKE's internal load balancer and its PSC service attachment. */
const GCP_EDGE_MUTATIONS: Mutation<"pki" | "istio" | "mesh">[] = [
  ["mesh.partner-gateway-install", "partners accepted automatically", "istio", (j) => (attachmentBody(j).manifest.spec.connectionPreference = "ACCEPT_AUTOMATIC"), onGcp(/no ServiceAttachment partner-api for the region file's partner projects/)],
  ["mesh.partner-gateway-install", "a project the region file does not list", "istio", (j) => attachmentBody(j).manifest.spec.consumerAllowList.push({ project: "someone-else", connectionLimit: 10 }), onGcp(/no ServiceAttachment partner-api/)],
  ["mesh.partner-gateway-install", "a partner's connection limit raised", "istio", (j) => (attachmentBody(j).manifest.spec.consumerAllowList[0].connectionLimit = 100), onGcp(/no ServiceAttachment partner-api/)],
  ["mesh.partner-gateway-install", "a removed partner's connections kept", "istio", (j) => (attachmentBody(j).manifest.spec.reconcileConnections = false), onGcp(/no ServiceAttachment partner-api/)],
  ["mesh.partner-gateway-install", "the attachment on another Service", "istio", (j) => (attachmentBody(j).manifest.spec.resourceRef.name = "istiod"), onGcp(/no ServiceAttachment partner-api/)],
  ["mesh.partner-gateway-install", "the partners' addresses translated from another subnet", "istio", (j) => (attachmentBody(j).manifest.spec.natSubnets = ["acme-pay-apac-workload"]), onGcp(/no ServiceAttachment partner-api/)],
  ["mesh.partner-gateway-install", "no service attachment", "istio", (j) => removeManifest(j, (m) => m.kind === "ServiceAttachment"), onGcp(/no ServiceAttachment partner-api/)],
  ["mesh.partner-gateway-install", "a second service attachment", "istio", (j) => addManifest(j, "sa2", { ...cloneJson(attachmentBody(j).manifest), metadata: { name: "open", namespace: "istio-ingress" } }), onGcp(/sa2: ServiceAttachment open is not one the partner gateway's install builds/)],
  ["mesh.partner-gateway-install", "the attachment not waited for", "istio", (j) => delete attachmentBody(j).wait, onGcp(/not waited for until GKE has created the service attachment/)],
  ["mesh.partner-gateway-install", "the attachment created before the gateway's Service", "istio", (j) => (attachmentBody(j).depends_on = []), onGcp(/created before the gateway's Service/)],
  ["mesh.partner-gateway-install", "an external load balancer for the gateway", "istio", (j) => gatewayValuesEdit(j, (v) => delete v.service.annotations), onGcp(/values differ from the blueprint's partner gateway values/)],
  ["mesh.partner-gateway-install", "the gateway's load balancer open to every address", "istio", (j) => gatewayValuesEdit(j, (v) => (v.service.loadBalancerSourceRanges = ["0.0.0.0/0"])), onGcp(/values differ from the blueprint's partner gateway values/)],
  ["mesh.partner-gateway-install", "a partner's certificate for 90 days (the pool issues a day at most)", "istio", (j) => (edgeManifest(j, "Certificate").spec.duration = "2160h"), onGcp(/no server certificate for partner acquirer-sg/)],
  ["mesh.partner-gateway-install", "a partner's certificate from the PCA issuer on GCP", "istio", (j) => (edgeManifest(j, "Certificate").spec.issuerRef.kind = "AWSPCAIssuer"), onGcp(/no server certificate for partner acquirer-sg/)],
  ["mesh.partner-gateway-install", "the gateway's issuer on another pool", "istio", (j) => (edgeManifest(j, "GoogleCASIssuer").spec.caPoolId = "other"), onGcp(/no issuer in istio-ingress on region-apac's mesh_ca_pool/)],
  ["mesh.partner-gateway-install", "a service attachment on AWS", "istio", (j) => addManifest(j, "sa", { apiVersion: "networking.gke.io/v1", kind: "ServiceAttachment", metadata: { name: "partner-api", namespace: "istio-ingress" }, spec: {} }), onAws(/sa: ServiceAttachment partner-api is not one the partner gateway's install builds/)],
];

/** Weakenings of the CAS issuer (GCP), which runs without its chart. */
const CAS_MUTATIONS: Mutation<"pki" | "istio" | "mesh">[] = [
  ["mesh.pki-install", "the CAS issuer's chart installed after all (its ClusterRole reads every Secret)", "pki", (j) => (j.resource.helm_release.cas = { ...cloneJson(release(j, "cert-manager")), name: "google-cas-issuer", chart: "cert-manager-google-cas-issuer" }), onGcp(/helm_release: charts \["cert-manager","cert-manager-google-cas-issuer"\], expected cert-manager$/)],
  ["mesh.ca-issuer-rbac", "the CAS issuer's chart installed after all", "pki", (j) => (j.resource.helm_release.cas = { ...cloneJson(release(j, "cert-manager")), name: "google-cas-issuer", chart: "cert-manager-google-cas-issuer" }), onGcp(/helm_release.cas: a chart besides cert-manager/)],
  ["mesh.cas-issuer-install", "the issuer's image from the internet", "pki", (j) => (casContainer(j).image = "quay.io/jetstack/cert-manager-google-cas-issuer:v0.12.0"), onGcp(/Deployment differs from casIssuerManifests at .spec.template.spec.containers\[0\].image/)],
  ["mesh.cas-issuer-install", "a single replica", "pki", (j) => (casObject(j, "Deployment").spec.replicas = 1), onGcp(/at .spec.replicas/)],
  ["mesh.cas-issuer-install", "the issuer running as root", "pki", (j) => delete casObject(j, "Deployment").spec.template.spec.securityContext.runAsNonRoot, onGcp(/at .spec.template.spec.securityContext.runAsNonRoot/)],
  ["mesh.cas-issuer-install", "a writable root filesystem", "pki", (j) => (casContainer(j).securityContext.readOnlyRootFilesystem = false), onGcp(/readOnlyRootFilesystem/)],
  ["mesh.cas-issuer-install", "no leader election (two replicas would both sign)", "pki", (j) => casContainer(j).args.shift(), onGcp(/at .spec.template.spec.containers\[0\].args\[0\]/)],
  ["mesh.cas-issuer-install", "the service account acting as another Google identity", "pki", (j) => (casObject(j, "ServiceAccount").metadata.annotations["iam.gke.io/gcp-service-account"] = "owner@acme-pay-apac-prod.iam.gserviceaccount.com"), onGcp(/ServiceAccount differs from casIssuerManifests at .metadata.annotations/)],
  ["mesh.cas-issuer-install", "no disruption budget", "pki", (j) => removeManifest(j, (m) => m.kind === "PodDisruptionBudget"), onGcp(/no PodDisruptionBudget cert-manager-google-cas-issuer/)],
  ["mesh.cas-issuer-install", "another object beside the issuer's", "pki", (j) => addManifest(j, "extra", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "extra", namespace: "cert-manager" }, data: {} }), onGcp(/ConfigMap extra is not one of the CAS issuer's objects/)],
  ["mesh.cas-issuer-install", "the Deployment not waited for", "pki", (j) => delete manifestBody(j, "Deployment").wait, onGcp(/not waited for until rolled out/)],
  ["mesh.cas-issuer-install", "the issuer started before its rights", "pki", (j) => (manifestBody(j, "Deployment").depends_on = manifestBody(j, "Deployment").depends_on.filter((d: string) => !d.includes("role_binding"))), onGcp(/started without waiting for kubernetes_(cluster_)?role_binding_v1/)],
  ["mesh.cas-issuer-install", "the issuer started before its CRDs", "pki", (j) => (manifestBody(j, "Deployment").depends_on = manifestBody(j, "Deployment").depends_on.filter((d: string) => !d.endsWith("_crd"))), onGcp(/started without waiting for kubernetes_manifest\.google_cas/)],
  ["mesh.cas-issuer-install", "the issuer started before cert-manager", "pki", (j) => (manifestBody(j, "Deployment").depends_on = manifestBody(j, "Deployment").depends_on.filter((d: string) => !d.startsWith("helm_release"))), onGcp(/started without waiting for helm_release/)],
  ["mesh.cas-issuer-install", "the issuer started before its service account", "pki", (j) => (manifestBody(j, "Deployment").depends_on = manifestBody(j, "Deployment").depends_on.filter((d: string) => !d.includes("service_account"))), onGcp(/started without waiting for kubernetes_manifest.cas_issuer_service_account/)],
  ["mesh.cas-issuer-install", "no approval for cert-manager (requests never signed)", "pki", (j) => {
    for (const type of ["kubernetes_cluster_role_v1", "kubernetes_cluster_role_binding_v1"]) {
      for (const [n, r] of Object.entries(j.resource[type] as Record<string, TfJson>)) if (r.metadata.name === "cert-manager-approve-google-cas-issuer") delete j.resource[type][n];
    }
  }, onGcp(/no ClusterRole cert-manager-approve-google-cas-issuer/)],
  ["mesh.cas-issuer-install", "cert-manager may approve for every issuer", "pki", (j) => (casRole(j, "cert-manager-approve-google-cas-issuer").rule[0].resource_names = ["*"]), onGcp(/rules differ from CAS_APPROVAL/)],
  ["mesh.cas-issuer-install", "the approval bound to every authenticated user", "pki", (j) => casBinding(j, "cert-manager-approve-google-cas-issuer").subject.push({ kind: "Group", name: "system:authenticated" }), onGcp(/is not bound to cert-manager's service account alone/)],
  ["mesh.cas-issuer-install", "the CAS issuer in an AWS region", "pki", (j) => addManifest(j, "cas", { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "cert-manager-google-cas-issuer", namespace: "cert-manager" } }), onAws(/Deployment cert-manager-google-cas-issuer in the pki stack of an AWS region/)],
  ["mesh.ca-issuer-rbac", "the CAS issuer's ClusterRole reads Secrets (as its chart's does)", "pki", (j) => casRole(j).rule.push({ api_groups: [""], resources: ["secrets"], verbs: ["get", "list", "watch"] }), onGcp(/grants \S+ on Secrets/)],
  ["mesh.ca-issuer-rbac", "the CAS issuer may sign Kubernetes CSRs", "pki", (j) => casRole(j).rule.push({ api_groups: ["certificates.k8s.io"], resources: ["signers"], verbs: ["sign"] }), onGcp(/kubernetes_cluster_role_v1\.\S+: rules differ from the blueprint's/)],
  ["mesh.ca-issuer-rbac", "the CAS issuer may renew cert-manager's Leases", "pki", (j) => delete only(j, "kubernetes_role_v1").rule[1].resource_names, onGcp(/kubernetes_role_v1\.\S+: rules differ from the blueprint's/)],
  ["mesh.ca-issuer-rbac", "the CAS issuer's ClusterRole bound to every authenticated user too", "pki", (j) => casBinding(j).subject.push({ kind: "Group", name: "system:authenticated" }), onGcp(/subjects .*system:authenticated/)],
  ["mesh.ca-issuer-rbac", "the CAS issuer's ClusterRole renamed", "pki", (j) => (casRole(j).metadata.name = "issuer"), onGcp(/no ClusterRole google-cas-issuer-least-privilege$/)],
  ["mesh.ca-issuer-rbac", "the CAS issuer writes every namespace's CertificateRequests", "pki", (j) => casRole(j).rule.push({ api_groups: ["cert-manager.io"], resources: ["certificaterequests/status"], verbs: ["patch"] }), onGcp(/rules differ from the blueprint's/)],
  ["mesh.ca-issuer-rbac", "the CAS issuer created before its signing rights", "istio", (j) => (manifestBody(j, "GoogleCASIssuer").depends_on = ["kubernetes_namespace_v1.namespaces_istio-system"]), onGcp(/created without waiting for kubernetes_role_binding_v1/)],
  ["mesh.workload-ca", "the CAS issuer on another pool", "istio", (j) => (casObject(j, "GoogleCASIssuer").spec.caPoolId = "other"), onGcp(/no GoogleCASIssuer in istio-system on region-apac's mesh_ca_pool/)],
  ["mesh.workload-ca", "the CAS issuer with a key file (credentials)", "istio", (j) => (casObject(j, "GoogleCASIssuer").spec.credentials = { name: "cas-key", key: "key.json" }), onGcp(/no GoogleCASIssuer in istio-system/)],
  ["mesh.workload-ca", "the CAS issuer in another project", "istio", (j) => (casObject(j, "GoogleCASIssuer").spec.project = "elsewhere"), onGcp(/no GoogleCASIssuer in istio-system/)],
  ["mesh.workload-ca", "a cluster-wide CAS issuer", "istio", (j) => {
    const issuer = casObject(j, "GoogleCASIssuer");
    issuer.kind = "GoogleCASClusterIssuer";
    delete issuer.metadata.namespace;
  }, onGcp(/no GoogleCASIssuer in istio-system/)],
  ["mesh.workload-ca", "the CAS issuer not waited for", "istio", (j) => delete manifestBody(j, "GoogleCASIssuer").wait, onGcp(/does not wait until the issuer is Ready/)],
  ["mesh.workload-ca", "istio-csr through the PCA issuer on GCP", "istio", (j) => valuesEdit(release(j, "cert-manager-istio-csr"), (v) => (v.app.certmanager.issuer.kind = "AWSPCAIssuer")), onGcp(/values differ from the blueprint's cert-manager-istio-csr values/)],
  ["mesh.workload-ca", "istiod's certificate from another issuer", "istio", (j) => (casObject(j, "Certificate").spec.issuerRef.kind = "ClusterIssuer"), onGcp(/no Certificate istiod/)],
];

/** Weakenings of the workload CA chain, for the regions that have one (an intermediate in ACM PCA or CA Service). */
const PKI_MUTATIONS: Mutation<"pki" | "istio" | "mesh">[] = [
  ["mesh.pki-install", "cert-manager from a public registry", "pki", (j) => (release(j, "cert-manager").repository = "oci://quay.io/jetstack/charts"), /chart from oci:\/\/quay.io/],
  ["mesh.pki-install", "another cert-manager release", "pki", (j) => (release(j, "cert-manager").version = "v1.12.0"), /version v1.12.0, expected/],
  ["mesh.pki-install", "the issuer's image from elsewhere", "pki", (j) => valuesEdit(release(j, "aws-privateca-issuer"), (v) => (v.image.repository = "public.ecr.aws/k1n1h4h4/cert-manager-aws-privateca-issuer")), onAws(/values differ from the blueprint's aws-privateca-issuer values/)],
  ["mesh.pki-install", "the issuer's service account renamed (its Pod Identity would not apply)", "pki", (j) => valuesEdit(release(j, "aws-privateca-issuer"), (v) => (v.serviceAccount.name = "issuer")), onAws(/values differ from the blueprint's aws-privateca-issuer values/)],
  ["mesh.pki-install", "the issuer signs unapproved requests", "pki", (j) => valuesEdit(release(j, "aws-privateca-issuer"), (v) => (v.disableApprovedCheck = true)), onAws(/values differ from the blueprint's aws-privateca-issuer values/)],
  ["mesh.pki-install", "the issuer's release renamed (the approver role binds cert-manager's account by name)", "pki", (j) => (release(j, "cert-manager").name = "certs"), /release name certs, expected cert-manager/],
  ["mesh.pki-install", "cert-manager's CRDs skipped", "pki", (j) => (release(j, "cert-manager").skip_crds = true), /skips its CRDs/],
  ["mesh.crds-upgraded", "cert-manager's CRDs skipped", "pki", (j) => (release(j, "cert-manager").skip_crds = true), /its CRDs are not rendered and kept by the chart/],
  ["mesh.crds-upgraded", "cert-manager's CRDs deleted on uninstall", "pki", (j) => valuesEdit(release(j, "cert-manager"), (v) => (v.crds.keep = false)), /its CRDs are not rendered and kept by the chart/],
  ["mesh.crds-upgraded", "the issuer's chart installs its CRDs again (once, never upgraded)", "pki", (j) => delete release(j, "aws-privateca-issuer").skip_crds, onAws(/Helm installs its crds/)],
  ["mesh.crds-upgraded", "an issuer CRD left out", "pki", (j) => removeManifest(j, (m) => m.metadata.name === "awspcaissuers.awspca.cert-manager.io"), onAws(/no CRD awspcaissuers.awspca.cert-manager.io/)],
  ["mesh.crds-upgraded", "an issuer CRD of another release", "pki", (j) =>
    (Object.values(j.resource.kubernetes_manifest as Record<string, TfJson>).find((m) => m.manifest.metadata.name === "awspcaclusterissuers.awspca.cert-manager.io")!.manifest.spec.versions[0].served = false), onAws(/differs from aws-privateca-issuer/)],
  ["mesh.crds-upgraded", "an issuer CRD left to Helm's field manager", "pki", (j) =>
    Object.values(j.resource.kubernetes_manifest as Record<string, TfJson>).forEach((m) => delete m.field_manager), /field_manager.force_conflicts/],
  ["mesh.crds-upgraded", "the issuer installed before its CRDs", "pki", (j) => {
    const r = release(j, "aws-privateca-issuer");
    r.depends_on = r.depends_on.filter((d: string) => !d.startsWith("kubernetes_manifest."));
  }, onAws(/not started after kubernetes_manifest/)],
  ["mesh.crds-upgraded", "an issuer CRD destroyable with the stack", "pki", (j) => Object.values(j.resource.kubernetes_manifest as Record<string, TfJson>).forEach((m) => delete m.lifecycle), /not protected from destroy/],
  ["mesh.crds-upgraded", "the issuer started before its CRDs are Established", "pki", (j) => Object.values(j.resource.kubernetes_manifest as Record<string, TfJson>).forEach((m) => delete m.wait), /not waited for until Established/],
  ["mesh.crds-upgraded", "CRDs imported on a cluster the region file calls new", "pki", (j) =>
    (j.import = Object.keys(j.resource.kubernetes_manifest).map((n) => ({ to: `kubernetes_manifest.${n}`, id: "apiVersion=apiextensions.k8s.io/v1,kind=CustomResourceDefinition,name=x" }))), /imported, though the region file says no Helm-installed CRD exists/],
  ["mesh.crds-upgraded", "another object applied as a raw manifest", "pki", (j) =>
    addManifest(j, "extra", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "extra", namespace: "cert-manager" }, data: {} }), onAws(/ConfigMap extra is not a CRD of the issuer's release/)],
  ["mesh.pki-install", "cert-manager's rights aggregated into edit and admin", "pki", (j) => valuesEdit(release(j, "cert-manager"), (v) => (v.global.rbac.aggregateClusterRoles = true)), /values differ from the blueprint's cert-manager values/],
  ["mesh.pki-install", "the issuer's disruption budget with both bounds (the API refuses it)", "pki", (j) => valuesEdit(release(j, "aws-privateca-issuer"), (v) => (v.podDisruptionBudget.minAvailable = 1)), onAws(/values differ from the blueprint's aws-privateca-issuer values/)],
  ["mesh.pki-install", "the issuer before cert-manager", "pki", (j) => delete release(j, "aws-privateca-issuer").depends_on, onAws(/not installed after cert-manager/)],
  ["mesh.pki-install", "a set_sensitive beside the values", "pki", (j) => (release(j, "cert-manager").set_sensitive = [{ name: "x", value: "y" }]), /set_sensitive changes the release/],
  ["mesh.cluster-access", "the PKI stack with a static token", "pki", (j) => (j.provider.kubernetes[0].token = "eyJ..."), /static or unverified credentials/],
  ["mesh.ca-issuer-rbac", "the issuer's ClusterRole reads Secrets again", "pki", (j) => only(j, "kubernetes_cluster_role_v1").rule.push({ api_groups: [""], resources: ["secrets"], verbs: ["get", "list", "watch"] }), onAws(/grants \S+ on Secrets/)],
  ["mesh.ca-issuer-rbac", "the leader-election Role reads the cert-manager namespace's Secrets (the webhook's CA key)", "pki", (j) => only(j, "kubernetes_role_v1").rule.push({ api_groups: [""], resources: ["secrets"], verbs: ["get"] }), /grants \S+ on Secrets/],
  ["mesh.ca-issuer-rbac", "the leader-election Role writes ConfigMaps (the trust anchor is one)", "pki", (j) => only(j, "kubernetes_role_v1").rule.push({ api_groups: [""], resources: ["configmaps"], verbs: ["get", "create", "update"] }), /kubernetes_role_v1\.\S+: rules differ from the blueprint's/],
  ["mesh.ca-issuer-rbac", "a wildcard verb on CertificateRequests", "pki", (j) => (ruleOn(only(j, "kubernetes_cluster_role_v1"), "certificaterequests").verbs = ["*"]), onAws(/a rule with a wildcard/)],
  ["mesh.ca-issuer-rbac", "CertificateRequests signed in every namespace (status writes cluster-wide)", "pki", (j) =>
    only(j, "kubernetes_cluster_role_v1").rule.push({ api_groups: ["cert-manager.io"], resources: ["certificaterequests/status"], verbs: ["patch", "update"] }), onAws(/kubernetes_cluster_role_v1\.\S+: rules differ from the blueprint's/)],
  ["mesh.ca-issuer-rbac", "the issuer may create AWSPCAClusterIssuers (as the chart lets it)", "pki", (j) => (ruleOn(only(j, "kubernetes_cluster_role_v1"), "awspcaclusterissuers").verbs = ["get", "list", "watch", "create", "delete"]), onAws(/kubernetes_cluster_role_v1\.\S+: rules differ from the blueprint's/)],
  ["mesh.ca-issuer-rbac", "the chart's own RBAC back on", "pki", (j) => valuesEdit(release(j, "aws-privateca-issuer"), (v) => (v.rbac.create = true)), onAws(/the chart's own ClusterRole is on/)],
  ["mesh.ca-issuer-rbac", "the ClusterRole bound to every authenticated user too", "pki", (j) => only(j, "kubernetes_cluster_role_binding_v1").subject.push({ kind: "Group", name: "system:authenticated" }), onAws(/subjects .*system:authenticated/)],
  ["mesh.ca-issuer-rbac", "the RoleBinding binds a ClusterRole instead of the Role", "pki", (j) => (only(j, "kubernetes_role_binding_v1").role_ref.kind = "ClusterRole"), /binds .*ClusterRole.*, not the issuer's Role/],
  ["mesh.ca-issuer-rbac", "the leader-election Role in kube-system", "pki", (j) => (only(j, "kubernetes_role_v1").metadata.namespace = "kube-system"), /no Role \S+ in cert-manager/],
  ["mesh.ca-issuer-rbac", "no RoleBinding (the replicas cannot elect a leader)", "pki", (j) => delete j.resource.kubernetes_role_binding_v1, /0 RoleBinding\(s\), expected 1/],
  ["mesh.ca-issuer-rbac", "a binding created before its role", "pki", (j) => delete only(j, "kubernetes_cluster_role_binding_v1").depends_on, onAws(/not created after its ClusterRole/)],
  ["mesh.ca-issuer-rbac", "a second ClusterRole aggregating others", "pki", (j) => (j.resource.kubernetes_cluster_role_v1.extra = { metadata: { name: "x" }, aggregation_rule: { cluster_role_selectors: [{ match_labels: { a: "b" } }] } }), /aggregates other roles/],
  ["mesh.ca-issuer-rbac", "the issuer installed before its rights", "pki", (j) => (release(j, "aws-privateca-issuer").depends_on = ["helm_release.cert_manager"]), onAws(/installed without waiting for kubernetes_/)],
  ["mesh.ca-issuer-rbac", "the signing Role reads istio-system's Secrets (istiod's key)", "istio", (j) => only(j, "kubernetes_role_v1").rule.push({ api_groups: [""], resources: ["secrets"], verbs: ["get"] }), /grants \S+ on Secrets/],
  ["mesh.ca-issuer-rbac", "the signing Role in another namespace", "istio", (j) => (only(j, "kubernetes_role_v1").metadata.namespace = "payments"), /no Role \S+ in istio-system/],
  ["mesh.ca-issuer-rbac", "the issuer created before its signing rights", "istio", (j) => (manifestBody(j, "AWSPCAIssuer").depends_on = ["kubernetes_namespace_v1.namespaces_istio-system"]), onAws(/created without waiting for kubernetes_role_binding_v1/)],
  ["mesh.ca-issuer-rbac", "a ClusterRole for the issuer in the istio stack", "istio", (j) => (j.resource.kubernetes_cluster_role_v1 = { x: { metadata: { name: "x" }, rule: [{ api_groups: ["cert-manager.io"], resources: ["certificaterequests"], verbs: ["update"] }] } }), /1 ClusterRole\(s\), expected 0/],
  ["mesh.workload-ca", "the issuer on another CA", "istio", (j) =>
    (issuerOf(j).spec.arn = "arn:aws:acm-pca:eu-west-1:123456789012:certificate-authority/00000000-0000-0000-0000-000000000000"), onAws(/no AWSPCAIssuer in istio-system/)],
  ["mesh.workload-ca", "the issuer with static access keys (secretRef)", "istio", (j) =>
    (issuerOf(j).spec.secretRef = { accessKeyIDSelector: { key: "id" }, secretAccessKeySelector: { key: "secret" }, name: "pca-keys", namespace: "cert-manager" }), onAws(/no AWSPCAIssuer in istio-system/)],
  ["mesh.workload-ca", "a cluster-wide issuer (any namespace could name it)", "istio", (j) => {
    const issuer = issuerOf(j);
    issuer.kind = "AWSPCAClusterIssuer";
    delete issuer.metadata.namespace;
  }, onAws(/no AWSPCAIssuer in istio-system/)],
  ["mesh.workload-ca", "the issuer not waited for", "istio", (j) => delete manifestBody(j, "AWSPCAIssuer").wait, onAws(/does not wait until the issuer is Ready/)],
  ["mesh.workload-ca", "istiod's Certificate requested while an older istio-csr's may still exist", "istio", (j) => {
    const cert = manifestBody(j, "Certificate");
    cert.depends_on = cert.depends_on.filter((d: string) => !d.startsWith("helm_release."));
  }, /requested before istio-csr's release/],
  ["mesh.namespaces-segmented", "merchants cut off from istio-csr (their sidecars get no certificate)", "mesh", (j, s) =>
    (manifestOf(j, "NetworkPolicy", merchant(s), "allow-mesh-control-plane").spec.egress = manifestOf(j, "NetworkPolicy", merchant(s), "allow-mesh-control-plane").spec.egress.filter((e: TfJson) => e.ports[0].port !== 6443)), NEITHER],
  ["mesh.workload-ca", "the issuer in another AWS region", "istio", (j) => (issuerOf(j).spec.region = "ap-southeast-1"), onAws(/no AWSPCAIssuer in istio-system/)],
  ["mesh.workload-ca", "istio-csr trusts the issuer's answer, not the platform root", "istio", (j) => valuesEdit(release(j, "cert-manager-istio-csr"), (v) => delete v.app.tls.rootCAFile), /values differ from the blueprint's cert-manager-istio-csr values/],
  ["mesh.workload-ca", "workload certificates for a week", "istio", (j) => valuesEdit(release(j, "cert-manager-istio-csr"), (v) => (v.app.server.maxCertificateDuration = "168h")), /values differ from the blueprint's cert-manager-istio-csr values/],
  ["mesh.workload-ca", "istio-csr for another trust domain", "istio", (j) => valuesEdit(release(j, "cert-manager-istio-csr"), (v) => (v.app.tls.trustDomain = "cluster.local")), /values differ from the blueprint's cert-manager-istio-csr values/],
  ["mesh.workload-ca", "a trust anchor written in the stack", "istio", (j) => (anchorOf(j).data["ca.pem"] = "-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----"), /no cert-manager\/\S+ holding region-\S+'s mesh_trust_anchor/],
  ["mesh.workload-ca", "istiod before istio-csr", "istio", (j) => (release(j, "istiod").depends_on = release(j, "istiod").depends_on.filter((d: string) => !d.includes("istio_csr"))), /installed before istio-csr, its CA/],
  ["mesh.workload-ca", "istio-csr before its issuer", "istio", (j) => (release(j, "cert-manager-istio-csr").depends_on = []), /installed before its issuer and trust anchor/],
  ["mesh.workload-ca", "istiod before its serving certificate is Ready", "istio", (j) => (release(j, "istiod").depends_on = release(j, "istiod").depends_on.filter((d: string) => !d.includes("istiod_certificate"))), /installed before its serving certificate/],
  ["mesh.workload-ca", "istiod's certificate not waited for", "istio", (j) => delete manifestBody(j, "Certificate").wait, /does not wait until istiod's certificate is Ready/],
  ["mesh.workload-ca", "istiod's certificate requested before its issuer", "istio", (j) => (manifestBody(j, "Certificate").depends_on = []), /requested before its issuer/],
  ["mesh.workload-ca", "istiod's certificate with another identity", "istio", (j) => (manifestBody(j, "Certificate").manifest.spec.uris = ["spiffe://cluster.local/ns/istio-system/sa/istiod"]), /no Certificate istiod/],
  ["mesh.workload-ca", "no certificate declared for istiod", "istio", (j) => {
    const [name] = Object.entries(j.resource.kubernetes_manifest as Record<string, TfJson>).find(([, r]) => r.manifest.kind === "Certificate" && r.manifest.metadata.name === "istiod")!;
    delete j.resource.kubernetes_manifest[name];
  }, /no Certificate istiod/],
  ["mesh.workload-ca", "istio-csr creates istiod's certificate itself again (asynchronously)", "istio", (j) => valuesEdit(release(j, "cert-manager-istio-csr"), (v) => (v.app.tls.istiodCertificateEnable = true)), /values differ from the blueprint's cert-manager-istio-csr values/],
  ["mesh.istio-install", "istiod runs its own CA again", "istio", (j) => istiodValuesEdit(j, (v) => delete v.env), /values differ from the blueprint's istiod values/],
  ["mesh.istio-install", "a legacy pilot block turns istiod's CA back on (the chart copies it over the top level)", "istio", (j) => istiodValuesEdit(j, (v) => (v.pilot = { env: { ENABLE_CA_SERVER: "true" } })), /values differ from the blueprint's istiod values/],
  ["mesh.istio-install", "istiod sends CSRs elsewhere", "istio", (j) => istiodValuesEdit(j, (v) => (v.global.caAddress = "istiod.istio-system.svc:15012")), /values differ from the blueprint's istiod values/],
  ["mesh.pki-install", "a pki stack where the region has no intermediate", "pki", (_j, s) => {
    const { rootCaArn: _root, ...mesh } = s.region.mesh as { rootCaArn?: string };
    (s as { pki: { region: unknown } }).pki.region = { ...s.region, mesh };
  }, /\(stack\): a pki stack for a region without a signed intermediate/],
  ["mesh.pki-install", "the issuer's release left out", "pki", (j) => {
    const [n] = Object.entries(j.resource.helm_release as Record<string, TfJson>).find(([, r]) => r.chart === "aws-privateca-issuer")!;
    delete j.resource.helm_release[n];
  }, onAws(/helm_release: no aws-privateca-issuer/)],
  ["mesh.pki-install", "a second namespace", "pki", (j) => (j.resource.kubernetes_namespace_v1.extra = { metadata: { name: "extra" } }), /kubernetes_namespace_v1: \[/],
  ["mesh.pki-install", "cert-manager in kube-system", "pki", (j) => (release(j, "cert-manager").namespace = "kube-system"), /namespace kube-system, expected cert-manager/],
  ["mesh.pki-install", "the issuer without wait", "pki", (j) => (release(j, "aws-privateca-issuer").wait = false), onAws(/does not wait for its resources and roll back a failed install/)],
  ["mesh.pki-install", "cert-manager without rollback", "pki", (j) => (release(j, "cert-manager").atomic = false), /does not wait for its resources and roll back a failed install/],
  ...(["reuse_values", "disable_webhooks", "force_update"] as const).map((key): Mutation<"pki"> => [
    "mesh.pki-install", `cert-manager with ${key}`, "pki", (j) => (release(j, "cert-manager")[key] = true), /reuse_values, disable_webhooks or force_update set/,
  ]),
  ["mesh.pki-install", "a second values document", "pki", (j) => release(j, "cert-manager").values.push("{}"), /values differ from the blueprint's cert-manager values/],
  // Per condition (issue 17).
  ["mesh.crds-upgraded", "an issuer CRD waited for until Established is False", "pki", (j) =>
    Object.values(j.resource.kubernetes_manifest as Record<string, TfJson>).forEach((m) => (m.wait = { condition: [{ type: "Established", status: "False" }] })), /not waited for until Established/],
  ["mesh.crds-upgraded", "an issuer CRD waited for on another condition", "pki", (j) =>
    Object.values(j.resource.kubernetes_manifest as Record<string, TfJson>).forEach((m) => (m.wait = { condition: [{ type: "NamesAccepted", status: "True" }] })), /not waited for until Established/],
  ["mesh.crds-upgraded", "a raw manifest without its kind", "pki", (j) => addManifest(j, "nokind", { apiVersion: "v1", metadata: { name: "awspcaissuers.awspca.cert-manager.io" } }), onAws(/kubernetes_manifest\.nokind: undefined awspcaissuers\S+ is not a CRD of the issuer's release/)],
  ["mesh.crds-upgraded", "a CRD of another name applied as a raw manifest", "pki", (j) =>
    addManifest(j, "other_crd", { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", metadata: { name: "others.example.com" } }), /kubernetes_manifest\.other_crd: CustomResourceDefinition others\.example\.com is not a CRD/],
  ["mesh.crds-upgraded", "cert-manager's CRDs not rendered by its chart", "pki", (j) => valuesEdit(release(j, "cert-manager"), (v) => (v.crds.enabled = false)), /its CRDs are not rendered and kept by the chart/],
  ["mesh.crds-upgraded", "cert-manager's values without a crds block", "pki", (j) => valuesEdit(release(j, "cert-manager"), (v) => delete v.crds), /its CRDs are not rendered and kept by the chart/],
  ["mesh.crds-upgraded", "the imports of CRDs adopted from Helm aimed at other objects", "pki", (j, s) => {
    (s as { pki: { region: unknown } }).pki.region = { ...s.region, mesh: { ...s.region.mesh, adoptHelmInstalledPkiCrds: true } };
    j.import = Object.keys(j.resource.kubernetes_manifest).map((n) => ({ to: `kubernetes_manifest.${n}`, id: "apiVersion=apiextensions.k8s.io/v1,kind=CustomResourceDefinition,name=x" }));
  }, /no import block brings \S+ into the state/],
  ["mesh.crds-upgraded", "the imports of CRDs adopted from Helm swapped between them", "pki", (j, s) => {
    (s as { pki: { region: unknown } }).pki.region = { ...s.region, mesh: { ...s.region.mesh, adoptHelmInstalledPkiCrds: true } };
    const names = Object.entries(j.resource.kubernetes_manifest as Record<string, TfJson>).map(([n, m]) => [n, m.manifest.metadata.name]);
    j.import = names.map(([n], i) => ({ to: `kubernetes_manifest.${n}`, id: `apiVersion=apiextensions.k8s.io/v1,kind=CustomResourceDefinition,name=${names[(i + 1) % names.length][1]}` }));
  }, /no import block brings \S+ into the state/],
  ["mesh.workload-ca", "the issuer waited for until Ready is False", "istio", (j) => (manifestBody(j, "AWSPCAIssuer").wait = { condition: [{ type: "Ready", status: "False" }] }), onAws(/does not wait until the issuer is Ready/)],
  ["mesh.workload-ca", "the issuer waited for on another condition", "istio", (j) => (manifestBody(j, "AWSPCAIssuer").wait = { condition: [{ type: "Issuing", status: "True" }] }), onAws(/does not wait until the issuer is Ready/)],
  ["mesh.workload-ca", "istiod's certificate waited for until Ready is False", "istio", (j) => (manifestBody(j, "Certificate").wait = { condition: [{ type: "Ready", status: "False" }] }), /does not wait until istiod's certificate is Ready/],
  ["mesh.workload-ca", "istiod's certificate waited for on another condition", "istio", (j) => (manifestBody(j, "Certificate").wait = { condition: [{ type: "Issuing", status: "True" }] }), /does not wait until istiod's certificate is Ready/],
  ["mesh.crds-upgraded", "CRDs adopted from Helm without an import", "pki", (_j, s) => {
    (s as { pki: { region: unknown } }).pki.region = { ...s.region, mesh: { ...s.region.mesh, adoptHelmInstalledPkiCrds: true } };
  }, /no import block brings \S+ into the state/],
  ["mesh.ca-issuer-rbac", "Secrets added to the issuer's CertificateRequests rule", "pki", (j) => ruleOn(only(j, "kubernetes_cluster_role_v1"), "certificaterequests").resources.push("secrets"), onAws(/grants \S+ on Secrets/)],
  ["mesh.pki-install", "a third chart in the pki stack", "pki", (j) => (j.resource.helm_release.extra = { ...cloneJson(release(j, "cert-manager")), name: "extra", chart: "kube-prometheus-stack" }), /helm_release: charts \[/],
  ["mesh.crds-upgraded", "the PCA issuer's chart left out (its CRDs belong to no release)", "pki", (j) => {
    const [n] = Object.entries(j.resource.helm_release as Record<string, TfJson>).find(([, r]) => r.chart === "aws-privateca-issuer")!;
    delete j.resource.helm_release[n];
  }, onAws(/is not a CRD of the issuer's release/)],
  ["mesh.ca-issuer-rbac", "a ClusterRole that reaches Secret subresources", "pki", (j) => only(j, "kubernetes_cluster_role_v1").rule.push({ api_groups: [""], resources: ["secrets/status"], verbs: ["get"] }), onAws(/grants \S+ on Secrets/)],
  ["mesh.ca-issuer-rbac", "a wildcard resource", "pki", (j) => only(j, "kubernetes_role_v1").rule.push({ api_groups: ["coordination.k8s.io"], resources: ["*"], verbs: ["get"] }), /a rule with a wildcard/],
  ["mesh.ca-issuer-rbac", "a wildcard API group", "pki", (j) => only(j, "kubernetes_role_v1").rule.push({ api_groups: ["*"], resources: ["leases"], verbs: ["get"] }), /a rule with a wildcard/],
  ["mesh.ca-issuer-rbac", "a rule on non-resource URLs", "pki", (j) => only(j, "kubernetes_cluster_role_v1").rule.push({ non_resource_urls: ["/metrics"], verbs: ["get"] }), onAws(/non-resource URLs/)],
  ["mesh.ca-issuer-rbac", "a rule on named resources", "pki", (j) => (ruleOn(only(j, "kubernetes_cluster_role_v1"), "certificaterequests").resource_names = ["x"]), onAws(/rules differ from the blueprint/)],
  ["mesh.ca-issuer-rbac", "the ClusterRole renamed", "pki", (j) => (only(j, "kubernetes_cluster_role_v1").metadata.name = "issuer"), onAws(/no ClusterRole \S+$/)],
  ["mesh.ca-issuer-rbac", "the ClusterRoleBinding renamed", "pki", (j) => (only(j, "kubernetes_cluster_role_binding_v1").metadata.name = "issuer"), onAws(/no ClusterRoleBinding \S+$/)],
  ["mesh.ca-issuer-rbac", "the leader-election RoleBinding created before its Role", "pki", (j) => delete only(j, "kubernetes_role_binding_v1").depends_on, /not created after its Role$/],
  ["mesh.ca-issuer-rbac", "the issuer installed without the chart's RBAC switched off", "pki", (j) => valuesEdit(release(j, "aws-privateca-issuer"), (v) => delete v.rbac), onAws(/the chart's own ClusterRole is on/)],
  ["mesh.ca-issuer-rbac", "the issuer's release left out", "pki", (j) => {
    const [n] = Object.entries(j.resource.helm_release as Record<string, TfJson>).find(([, r]) => r.chart === "aws-privateca-issuer")!;
    delete j.resource.helm_release[n];
  }, onAws(/helm_release: no aws-privateca-issuer/)],
  ["mesh.workload-ca", "a second issuer", "istio", (j) => addManifest(j, "issuer_again", cloneJson(issuerOf(j))), onAws(/no AWSPCAIssuer in istio-system/)],
  ["mesh.workload-ca", "the trust anchor ConfigMap renamed", "istio", (j) => (anchorOf(j).metadata.name = "trust-anchor"), /no cert-manager\/mesh-trust-anchor holding/],
  ["mesh.workload-ca", "the trust anchor ConfigMap without metadata", "istio", (j) => delete anchorOf(j).metadata, /no cert-manager\/mesh-trust-anchor holding/],
  ["mesh.workload-ca", "istio-csr not installed", "istio", (j) => {
    const [n] = Object.entries(j.resource.helm_release as Record<string, TfJson>).find(([, r]) => r.chart === "cert-manager-istio-csr")!;
    delete j.resource.helm_release[n];
  }],
  ["mesh.workload-ca", "a second ConfigMap", "istio", (j) => (j.resource.kubernetes_config_map_v1.extra = { metadata: { name: "extra", namespace: "cert-manager" }, data: {} }), /kubernetes_config_map_v1.extra: not the trust anchor/],
  ["mesh.workload-ca", "the trust anchor in another namespace", "istio", (j) => (anchorOf(j).metadata.namespace = "istio-system"), /no cert-manager\/\S+ holding/],
  ["mesh.workload-ca", "another manifest beside the issuer", "istio", (j) =>
    addManifest(j, "pa", { apiVersion: "security.istio.io/v1", kind: "PeerAuthentication", metadata: { name: "x", namespace: "payments" }, spec: { mtls: { mode: "DISABLE" } } }), /PeerAuthentication x is neither the blueprint's issuer nor istiod's certificate/],
  ["mesh.workload-ca", "istio-csr from the internet", "istio", (j) => (release(j, "cert-manager-istio-csr").repository = "oci://quay.io/jetstack/charts"), /chart from oci:\/\/quay.io/],
  ["mesh.workload-ca", "istio-csr before its trust anchor", "istio", (j) => {
    const r = release(j, "cert-manager-istio-csr");
    r.depends_on = r.depends_on.filter((d: string) => !d.startsWith("kubernetes_config_map_v1."));
  }, /installed before its issuer and trust anchor/],
  ...CAS_MUTATIONS,
  ...GCP_EDGE_MUTATIONS,
];

/** The workload CA chain where a region has none: nothing of it belongs in the istio stack. */
const NO_PKI_MUTATIONS: Mutation<"istio">[] = [
  ["mesh.ca-issuer-rbac", "a Role in istio-system where no PCA issuer runs", "istio", (j) => (j.resource.kubernetes_role_v1 = { x: { metadata: { name: "x", namespace: "istio-system" }, rule: [{ api_groups: ["cert-manager.io"], resources: ["certificaterequests"], verbs: ["update"] }] } }), /1 Role\(s\), expected 0/],
  ["mesh.workload-ca", "a ConfigMap in the istio stack", "istio", (j) => (j.resource.kubernetes_config_map_v1 = { x: { metadata: { name: "x", namespace: "istio-system" }, data: { a: "b" } } }), /no ConfigMap belongs in the istio stack/],
];

describe.each(regions.map((r) => [r.region.name, r] as const))("weakening the mesh of region %s", (_name, stacks) => {
  const applicable = [...MUTATIONS, ...(stacks.pki ? PKI_MUTATIONS : NO_PKI_MUTATIONS)]
    .filter(([id]) => id !== "mesh.namespaces-segmented" || stacks.region.mesh.merchantNamespaces.length > 0)
    .filter(([, , , , expected]) => expected === undefined || expected instanceof RegExp || expected.when(stacks));
  it.each(applicable.map(([id, label, layer, mutate, expected]) => [`${id}: ${label}`, id, layer, mutate, expected] as const))("%s is caught", (_l, id, layer, mutate, expected) => {
    const original = stacks[layer]!;
    // The weakening gets a copy of the region's stacks whose stack under test holds a draft of its JSON (test/support/synth.ts edited).
    const copy: MeshStacks = { ...stacks, [layer]: { ...original } };
    (copy[layer] as { json: TfJson }).json = edited(original, (draft) => {
      (copy[layer] as { json: TfJson }).json = draft;
      mutate(draft, copy);
    });
    const rule = IN_CLUSTER_RULES.find((r) => r.id === id)!;
    expectCaught(weakenedViolations(rule, copy[layer]!, copy[layer]!.json), expected instanceof RegExp ? expected : expected?.says);
    // And the pack, as synth runs the rule, rejects the weakened stack (where the weakening is in
    // the stack: the pack checks it against the region it was built for).
    if (copy[layer]!.region !== original.region) return;
    const rejected = original.pack.evaluate(copy[layer]!.json, [id]).findings.filter((f) => f.rule.id === id && !f.suppressedBy);
    expect(rejected.length).toBeGreaterThan(0);
  });
});

/** Changes that keep a mesh stack compliant, each with the rule that must still accept it: [invariant, label, stack, change]. */
const ACCEPTED: [string, string, "pki" | "istio" | "mesh", (j: TfJson, s: MeshStacks) => void][] = [
  ["mesh.crds-upgraded", "cert-manager not installed (mesh.pki-install refuses it)", "pki", (j) => {
    const [n] = Object.entries(j.resource.helm_release as Record<string, TfJson>).find(([, r]) => r.chart === "cert-manager")!;
    delete j.resource.helm_release[n];
  }],
  ["mesh.strict-mtls", "a STRICT PeerAuthentication named default in a workload namespace", "mesh", (j) =>
    addManifest(j, "pa_payments", { ...cloneJson(manifestOf(j, "PeerAuthentication", ISTIO_ROOT_NAMESPACE)), metadata: { name: "default", namespace: "payments" } })],
  ["mesh.strict-mtls", "a second STRICT PeerAuthentication in the root namespace, named otherwise", "mesh", (j) =>
    addManifest(j, "pa_strict", { ...cloneJson(manifestOf(j, "PeerAuthentication", ISTIO_ROOT_NAMESPACE)), metadata: { name: "strict", namespace: ISTIO_ROOT_NAMESPACE } })],
  ["mesh.strict-mtls", "a port held STRICT explicitly", "mesh", (j) => (manifestOf(j, "PeerAuthentication", ISTIO_ROOT_NAMESPACE).spec.portLevelMtls = { 8080: { mode: "STRICT" } })],
  ["mesh.allow-equals-calls", "an ALLOW's spec keys in another order", "mesh", (j) => {
    const m = manifestOf(j, "AuthorizationPolicy", "payments", "allow-payment-service");
    m.spec = { selector: m.spec.selector, rules: m.spec.rules, action: m.spec.action };
  }],
  ["mesh.allow-equals-calls", "an operation with its paths before its methods", "mesh", (j) => {
    const rule = manifestOf(j, "AuthorizationPolicy", "payments", "allow-payment-service").spec.rules[0];
    rule.to[0].operation = { paths: rule.to[0].operation.paths, methods: rule.to[0].operation.methods };
  }],
  ["mesh.no-wildcards", "an AuthorizationPolicy with no spec (mesh.allow-equals-calls refuses it)", "mesh", (j) => delete manifestOf(j, "AuthorizationPolicy", "payments", "allow-payment-service").spec],
  ["mesh.workload-ca", "istiod not installed (mesh.istio-install refuses it)", "istio", (j) => {
    const [n] = Object.entries(j.resource.helm_release as Record<string, TfJson>).find(([, r]) => r.chart === "istiod")!;
    delete j.resource.helm_release[n];
  }],
  ["mesh.pod-security", "a namespace outside the design, left to the cluster's default", "istio", (j) => (j.resource.kubernetes_namespace_v1.extra = { metadata: { name: "tools" } })],
  ["mesh.namespaces-segmented", "a NetworkPolicy's spec keys in another order", "mesh", (j) => {
    const m = manifestOf(j, "NetworkPolicy", "payments", "allow-mesh-control-plane");
    m.spec = { egress: m.spec.egress, policyTypes: m.spec.policyTypes, podSelector: m.spec.podSelector };
  }],
];

describe.each(regions.map((r) => [r.region.name, r] as const))("the mesh of region %s: every invariant accepts what complies", (_name, stacks) => {
  const applicable = ACCEPTED.filter(([id, , layer]) => stacks[layer] !== undefined && (id !== "mesh.namespaces-segmented" || stacks.region.mesh.merchantNamespaces.length > 0));
  it.each(applicable.map(([id, label, layer, change]) => [`${id}: ${label}`, id, layer, change] as const))("%s", (_l, id, layer, change) => {
    const json = edited(stacks[layer]!, (j) => change(j, stacks));
    expect(weakenedViolations(IN_CLUSTER_RULES.find((r) => r.id === id)!, stacks[layer]!, json)).toEqual([]);
  });
});

it("weakens every mesh invariant at least once", () => {
  expect(new Set([...MUTATIONS, ...PKI_MUTATIONS, ...NO_PKI_MUTATIONS].map(([id]) => id))).toEqual(new Set(IN_CLUSTER_RULES.map((r) => r.id)));
});

describe("every Kubernetes and Istio object validates against its upstream schema", () => {
  // Built in beforeAll, not while jest collects the tests: a run that selects none of them
  // (jest -t, a mutant's run) neither synthesizes nor starts the validator.
  let objects: { id: string; object: TfJson }[] = [];
  let results: Record<string, string | null> = {};
  beforeAll(() => {
    objects = regions.flatMap(({ pki, istio, mesh }) => [
      ...manifestsOf(mesh.json).map(([address, object]) => ({ id: `${mesh.name} ${address}`, object })),
      // The workload CA: the CAS issuer's own objects (GCP), and each issuer against its release's CRD.
      ...(pki ? manifestsOf(pki.json).filter(([, o]) => o.kind !== "CustomResourceDefinition").map(([address, object]) => ({ id: `${pki.name} ${address}`, object })) : []),
      ...manifestsOf(istio.json).filter(([, o]) => ["AWSPCAIssuer", "GoogleCASIssuer"].includes(o.kind)).map(([address, object]) => ({ id: `${istio.name} ${address}`, object })),
      ...resourcesOf(istio.json, "kubernetes_namespace_v1").map(([n, r]) => ({ id: `${istio.name} kubernetes_namespace_v1.${n}`, object: { apiVersion: "v1", kind: "Namespace", metadata: r.metadata } })),
    ]);
    results = validate([
      ...objects,
      // Controls: the validator must reject these, or it checks nothing.
      { id: "control: unknown mTLS mode", object: { apiVersion: "security.istio.io/v1", kind: "PeerAuthentication", metadata: { name: "x" }, spec: { mtls: { mode: "STRICTEST" } } } },
      { id: "control: methods not a list", object: { apiVersion: "security.istio.io/v1", kind: "AuthorizationPolicy", metadata: { name: "x" }, spec: { rules: [{ to: [{ operation: { methods: "POST" } }] }] } } },
      { id: "control: bad policy type", object: { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "x" }, spec: { podSelector: {}, policyTypes: ["Sideways"] } } },
      { id: "control: unknown kind", object: { apiVersion: "security.istio.io/v1", kind: "MeshPolicy", metadata: { name: "x" } } },
      { id: "control: a CAS issuer whose pool is a number", object: { apiVersion: "cas-issuer.jetstack.io/v1beta1", kind: "GoogleCASIssuer", metadata: { name: "x", namespace: "x" }, spec: { project: "p", location: "l", caPoolId: 5 } } },
      { id: "control: a PCA issuer whose ARN is a number", object: { apiVersion: "awspca.cert-manager.io/v1beta1", kind: "AWSPCAIssuer", metadata: { name: "x", namespace: "x" }, spec: { arn: 5, region: "eu-west-1" } } },
      { id: "control: a Deployment whose replicas are a word", object: { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "x" }, spec: { replicas: "two", selector: {}, template: {} } } },
      { id: "control: a PodMonitoring without endpoints", object: { apiVersion: "monitoring.googleapis.com/v1", kind: "PodMonitoring", metadata: { name: "x", namespace: "x" }, spec: { selector: {} } } },
      { id: "control: a PodMonitoring with an unknown metadata label", object: { apiVersion: "monitoring.googleapis.com/v1", kind: "PodMonitoring", metadata: { name: "x", namespace: "x" }, spec: { selector: {}, endpoints: [{ port: "p" }], targetLabels: { metadata: ["namespace_uid"] } } } },
    ]);
  });

  it("covers every manifest of every region", () => {
    // The mesh's manifests, GKE's scrapes (one PodMonitoring per workload namespace) and the namespaces.
    const scrapes = regions.reduce((n, r) => n + (r.region.cloud === "gcp" ? workloadNamespaces(meshDesign(r.region)).length : 0), 0);
    expect(scrapes).toBeGreaterThan(0);
    // Each region's issuers (istio-system's, and the partner gateway's where it has partners); the CAS issuer's three objects on GCP.
    const issuers = regions.reduce((n, r) => n + (hasMeshPki(r.region) ? 1 + (r.region.edge ? 1 : 0) : 0), 0);
    const casObjects = regions.filter((r) => r.region.cloud === "gcp" && hasMeshPki(r.region)).length * 3;
    expect(casObjects).toBeGreaterThan(0);
    expect(objects.length).toBe(regions.reduce((n, r) => n + meshManifests(meshDesign(r.region)).length, 0) + scrapes + regions.reduce((n, r) => n + resourcesOf(r.istio.json, "kubernetes_namespace_v1").length, 0) + issuers + casObjects);
  });

  it("accepts every one of them (the failures list each object and its schema error)", () => {
    expect(objects.map((o) => [o.id, results[o.id]]).filter(([, error]) => error !== null)).toEqual([]);
  });

  it.each(["control: unknown mTLS mode", "control: methods not a list", "control: bad policy type", "control: unknown kind", "control: a PodMonitoring without endpoints", "control: a PodMonitoring with an unknown metadata label", "control: a CAS issuer whose pool is a number", "control: a PCA issuer whose ARN is a number", "control: a Deployment whose replicas are a word"])("rejects %s", (id) => {
    expect(results[id]).toEqual(expect.any(String));
  });
});

describe("a cluster whose PCA issuer CRDs Helm installed (mesh.adoptHelmInstalledPkiCrds)", () => {
  const base = regions.find((r) => r.pki && r.region.cloud === "aws")!;
  const region = { ...base.region, mesh: { ...base.region.mesh, adoptHelmInstalledPkiCrds: true } };
  const pki = synthRegions([region]).stacks.find((x) => x.name === `region-${region.name}-pki`)!;
  const rule = IN_CLUSTER_RULES.find((r) => r.id === "mesh.crds-upgraded")!;

  it("imports both CRDs in the plan, and meets every guardrail", () => {
    expect(((pki.json.import ?? []) as TfJson[]).map((i) => [i.to, i.id])).toEqual(
      Object.entries(pki.json.resource.kubernetes_manifest as Record<string, TfJson>).map(([n, m]) => [
        `kubernetes_manifest.${n}`,
        `apiVersion=apiextensions.k8s.io/v1,kind=CustomResourceDefinition,name=${m.manifest.metadata.name}`,
      ]),
    );
    expect(pki.guardrails.findings.filter((f) => !f.suppressedBy && f.rule.level === "error")).toEqual([]);
    // The rules themselves, too: in a mutant's run (npm run mutate) synth's findings are those of the unmutated rules.
    for (const r of IN_CLUSTER_RULES.filter((x) => x.layers.includes("pki") && x.level === "error")) expect(checkRule(r, pki)).toEqual([]);
  });

  it("fails mesh.crds-upgraded when an import is left out", () => {
    const json = cloneJson(pki.json);
    json.import = (json.import as TfJson[]).slice(1);
    expect(checkRule(rule, { ...pki, json }).length).toBeGreaterThan(0);
  });
});

describe("a declared call into a merchant namespace", () => {
  // No shipped region calls into a merchant: this one does, so the ingress side is tested too; its
  // caller runs as a service account of its own (not its name), so identities and names differ.
  const base = regions.find((r) => merchantCalls(r))!;
  const target = base.region.services.find((svc) => base.region.mesh.merchantNamespaces.includes(svc.namespace))!;
  const plain = base.region.services.find((svc) => svc.namespace === "checkout")!;
  const caller = { ...plain, serviceAccount: `${plain.name}-sa` };
  const renamed = (from: string) => (from === `${plain.namespace}/${plain.serviceAccount ?? plain.name}` ? `${caller.namespace}/${caller.serviceAccount}` : from);
  const region = {
    ...base.region,
    services: base.region.services.map((svc) => (svc === plain ? caller : svc)),
    mesh: {
      ...base.region.mesh,
      calls: [
        ...base.region.mesh.calls.map((c) => ({ ...c, from: renamed(c.from) })),
        { from: `${caller.namespace}/${caller.serviceAccount}`, to: `${target.namespace}/${target.name}`, methods: ["POST" as const], paths: ["/v1/notify"], cardholderData: false },
      ],
    },
  };
  const mesh = synthRegions([region]).stacks.find((x) => x.name === `region-${region.name}-mesh`)!;
  const stacks: MeshStacks = { ...base, region, mesh };
  const rule = IN_CLUSTER_RULES.find((r) => r.id === "mesh.namespaces-segmented")!;

  it("lets the caller's pods in, and meets every guardrail", () => {
    expect(crossingPolicy(mesh.json, stacks, "ingress").spec).toEqual({
      podSelector: { matchLabels: { app: target.name } },
      policyTypes: ["Ingress"],
      ingress: [{ from: [peer(caller.namespace, caller.name)] }],
    });
    expect(mesh.guardrails.findings.filter((f) => !f.suppressedBy)).toEqual([]);
    // The rules themselves, too: in a mutant's run (npm run mutate) synth's findings are those of the unmutated rules.
    for (const r of IN_CLUSTER_RULES.filter((x) => x.layers.includes("mesh"))) expect(checkRule(r, { ...mesh, region })).toEqual([]);
  });

  it.each<[string, (j: TfJson) => void, RegExp]>([
    ["from a second peer", (j) => crossingPolicy(j, stacks, "ingress").spec.ingress[0].from.push(peer("payments", "payment-core")), NEITHER],
    ["on a port list", (j) => (crossingPolicy(j, stacks, "ingress").spec.ingress[0].ports = [{ protocol: "TCP", port: 8080 }]), NEITHER],
    ["with a second rule", (j) => crossingPolicy(j, stacks, "ingress").spec.ingress.push({ from: [peer("payments", "payment-core")] }), NEITHER],
    ["admitting egress too", (j) => (crossingPolicy(j, stacks, "ingress").spec.egress = [{ to: [peer("payments", "payment-core")] }]), NEITHER],
    ["from an undeclared peer", (j) => (crossingPolicy(j, stacks, "ingress").spec.ingress[0].from = [peer("payments", "payment-core")]), NEITHER],
    ["to another pod", (j) => (crossingPolicy(j, stacks, "ingress").spec.podSelector = { matchLabels: { app: "x" } }), NEITHER],
    ["removed", (j) => removeManifest(j, (m) => m.kind === "NetworkPolicy" && m.metadata.name.startsWith("ingress-")), /declared call \S+ -> \S+ has no ingress NetworkPolicy/],
    ["from two peers in one rule", (j) => crossingPolicy(j, stacks, "ingress").spec.ingress[0].from.push(peer(caller.namespace, caller.name)), NEITHER],
    ["from the caller's service account label instead of its pods' app label", (j) => (crossingPolicy(j, stacks, "ingress").spec.ingress[0].from = [peer(caller.namespace, caller.serviceAccount)]), NEITHER],
    ["turned into the egress of the merchant's own call (the ingress is then missing)", (j) => {
      const p = crossingPolicy(j, stacks, "ingress");
      p.spec = { podSelector: { matchLabels: { app: target.name } }, policyTypes: ["Egress"], egress: [{ to: [peer(caller.namespace, caller.name)] }] };
    }, NEITHER],
    ["selecting another pod of the merchant, and none selecting the target", (j) => (crossingPolicy(j, stacks, "ingress").spec.podSelector = { matchLabels: { app: `${target.name}-2` } }), NEITHER],
  ])("the call's ingress %s is caught", (_label, mutate, says) => {
    const json = cloneJson(mesh.json);
    mutate(json);
    expectCaught(weakenedViolations(rule, mesh, json), says);
  });
});

/**
 * Parts a hand edit can leave out of an in-cluster object. The rules read each part with care: a
 * missing one is a finding about that object, never a rule that could not check the stack.
 */
const STRIPPED: [string, (body: TfJson) => void][] = [
  ["its manifest's metadata", (b) => delete b.manifest.metadata],
  ["its manifest's spec", (b) => delete b.manifest.spec],
  ["its manifest", (b) => delete b.manifest],
];

describe.each(regions.map((r) => [r.region.name, r] as const))("the in-cluster stacks of region %s, with an object missing a part", (_name, stacks) => {
  const cases = (["pki", "istio", "mesh"] as const).flatMap((layer) => {
    const stack = stacks[layer];
    if (!stack) return [];
    const kinds = [...new Set(resourcesOf(stack.json, "kubernetes_manifest").map(([, r]) => r.manifest.kind as string))].sort();
    // The typed objects (namespaces, roles, bindings, ConfigMaps) without their metadata block.
    const typed = Object.keys(stack.json.resource).filter((t) => t.startsWith("kubernetes_") && t !== "kubernetes_manifest").sort();
    return [
      // (A part the kind does not have, such as a ServiceAccount's spec, cannot be left out.)
      ...kinds.flatMap((kind) => STRIPPED.filter(([part]) => part !== "its manifest's spec" || resourcesOf(stack.json, "kubernetes_manifest").some(([, r]) => r.manifest.kind === kind && r.manifest.spec !== undefined)).map(([part, strip]) => [`${layer}: every ${kind} without ${part}`, layer, (j: TfJson) => {
        for (const [, body] of resourcesOf(j, "kubernetes_manifest")) if (body.manifest.kind === kind) strip(body);
      }] as const)),
      ...typed.map((type) => [`${layer}: every ${type} without its metadata`, layer, (j: TfJson) => {
        for (const [, body] of resourcesOf(j, type)) delete body.metadata;
      }] as const),
    ];
  });
  it.each(cases)("%s is reported by name, not as a rule that could not check", (_l, layer, strip) => {
    const stack = stacks[layer]!;
    const json = edited(stack, strip);
    const found = IN_CLUSTER_RULES.flatMap((rule) => weakenedViolations(rule, stack, json));
    expect(found.filter((m) => m.includes(COULD_NOT_CHECK))).toEqual([]);
    expect(found.length).toBeGreaterThan(0);
  });
});
