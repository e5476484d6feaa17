import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ISTIO_ROOT_NAMESPACE, allowPolicies, meshManifests } from "../../../model/mesh/policies";
import { GUARDRAILS, checkRule } from "../../../guardrails";
import { expectCaught, weakenedViolations } from "../../support/weakening";
import { MeshStacks, TfJson, cloneJson, resourcesOf, shippedAllLayers, shippedMeshStacks, synthRegions } from "../../support/synth";
import { meshDesign } from "../../../model/mesh/in-cluster";
import { manifestsOf } from "../../../tfjson/kubernetes";

const regions = shippedMeshStacks();
/** The guardrails of the in-cluster stacks, each with the layers it checks. */
const IN_CLUSTER_RULES = GUARDRAILS.filter((r) => r.layers.some((l) => l === "pki" || l === "istio" || l === "mesh"));

it("builds an Istio stack and a mesh stack for every region, each after the one it needs, and the PKI stack between region and Istio where the region has an intermediate CA", () => {
  const all = shippedAllLayers();
  expect(regions.map((r) => [r.istio.name, r.mesh.name])).toEqual(regions.map((r) => [`region-${r.region.name}-istio`, `region-${r.region.name}-mesh`]));
  const manifest = JSON.parse(fs.readFileSync(path.join(path.dirname(path.dirname(all[0].dir)), "manifest.json"), "utf8"));
  for (const { region, pki } of regions) {
    const withPki = region.cloud === "aws" && region.mesh.rootCaArn !== undefined;
    expect(pki?.name).toBe(withPki ? `region-${region.name}-pki` : undefined);
    if (withPki) expect(manifest.stacks[`region-${region.name}-pki`].dependencies).toEqual([`region-${region.name}`]);
    expect(manifest.stacks[`region-${region.name}-istio`].dependencies).toEqual([withPki ? `region-${region.name}-pki` : `region-${region.name}`]);
    expect(manifest.stacks[`region-${region.name}-mesh`].dependencies).toEqual([`region-${region.name}-istio`]);
  }
  // The shipped AWS regions both have one: the workload CA chain is tested, not only possible.
  expect(regions.filter((r) => r.pki).map((r) => r.region.name)).toEqual(["eu", "us"]);
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

  it("only payments/payment-core may POST /tokenize on tokenization-service", () => {
    expect(allow("tokenization-service")?.spec.rules).toEqual([
      { from: [{ source: { principals: [`${region.mesh.trustDomain}/ns/payments/sa/payment-core`] } }], to: [{ operation: { methods: ["POST"], paths: ["/tokenize"] } }] },
    ]);
  });

  it("only checkout/checkout-service may POST /v1/charge on payment-service", () => {
    expect(allow("payment-service")?.spec.rules).toEqual([
      { from: [{ source: { principals: [`${region.mesh.trustDomain}/ns/checkout/sa/checkout-service`] } }], to: [{ operation: { methods: ["POST"], paths: ["/v1/charge"] } }] },
    ]);
  });

  it("merchant namespaces are labelled isolation: \"true\"", () => {
    expect(region.mesh.merchantNamespaces.length).toBeGreaterThan(0);
    for (const ns of region.mesh.merchantNamespaces) expect(namespaceOf(istio.json, ns).metadata.labels).toEqual({ isolation: "true", "istio-injection": "enabled" });
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
const manifestBody = (j: TfJson, kind: string): TfJson => Object.values(j.resource.kubernetes_manifest as Record<string, TfJson>).find((r) => r.manifest.kind === kind)!;
/** The one resource of `type` in the stack. */
const only = (j: TfJson, type: string): TfJson => {
  const all = Object.values((j.resource[type] ?? {}) as Record<string, TfJson>);
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

/** Weakenings a careless change could make, each with the invariant that must catch it: [invariant, label, stack, mutation]. */
const MUTATIONS: [string, string, "istio" | "mesh", (j: TfJson, s: MeshStacks) => void][] = [
  ["stack.reviewed-resource-types", "a Deployment outside the reviewed types", "mesh", (j) => (j.resource.kubernetes_deployment_v1 = { app: { metadata: { name: "x" } } })],
  ["mesh.workload-ca", "a manifest in the Istio stack (outside the mesh rules)", "istio", (j) =>
    (j.resource.kubernetes_manifest = { pa: { manifest: { apiVersion: "security.istio.io/v1", kind: "PeerAuthentication", metadata: { name: "x", namespace: "payments" }, spec: { mtls: { mode: "DISABLE" } } } } })],
  ["stack.references-resolve", "a reference into region-<name>'s resources", "mesh", (j) => (j.output = { leak: { value: "${aws_kms_key.keys_audit_key.arn}" } })],
  ["stack.references-resolve", "a remote state that is not declared", "istio", (j) => (release(j, "istiod").version = "${data.terraform_remote_state.other.outputs.version}")],
  ["mesh.known-kinds", "an EnvoyFilter", "mesh", (j) => addManifest(j, "ef", { apiVersion: "networking.istio.io/v1alpha3", kind: "EnvoyFilter", metadata: { name: "x", namespace: "payments" }, spec: {} })],
  ["mesh.known-kinds", "a DestinationRule turning TLS off", "mesh", (j) =>
    addManifest(j, "dr", { apiVersion: "networking.istio.io/v1", kind: "DestinationRule", metadata: { name: "x", namespace: "payments" }, spec: { host: "*", trafficPolicy: { tls: { mode: "DISABLE" } } } })],
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
  ["mesh.cluster-access", "AWS provider mixed into the mesh", "mesh", (j) => (j.terraform.required_providers.aws = { source: "hashicorp/aws" })],
  ["mesh.cluster-access", "unverified API server", "istio", (j) => (j.provider.kubernetes[0].insecure = true)],
  ["mesh.cluster-access", "static token", "mesh", (j) => (j.provider.kubernetes[0].token = "eyJhbGciOi")],
  ["mesh.cluster-access", "helm without the cluster CA", "istio", (j) => delete j.provider.helm[0].kubernetes.cluster_ca_certificate],
  ["mesh.cluster-access", "a kubeconfig file", "mesh", (j) => ((j.provider.kubernetes[0].config_path = "~/.kube/config"), delete j.provider.kubernetes[0].exec)],
  ["mesh.cluster-access", "shares the region's state", "mesh", (j, s) => {
    if (s.region.cloud === "aws") j.terraform.backend.s3.key = s.region.stateBackend.key;
    else j.terraform.backend.gcs.prefix = s.region.stateBackend.prefix;
  }],
  ["mesh.cluster-access", "state unencrypted", "istio", (j) => {
    if (j.terraform.backend.s3) j.terraform.backend.s3.encrypt = false;
    else delete j.terraform.backend.gcs.kms_encryption_key;
  }],
  ["mesh.istio-install", "lint on istiod", "istio", (j) => (release(j, "istiod").lint = true)],
  ["mesh.istio-install", "istiod without wait", "istio", (j) => (release(j, "istiod").wait = false)],
  ["mesh.istio-install", "istiod before base", "istio", (j) => delete release(j, "istiod").depends_on],
  ["mesh.istio-install", "charts from the internet", "istio", (j) => (release(j, "base").repository = "https://istio-release.storage.googleapis.com/charts")],
  ["mesh.istio-install", "unpinned chart", "istio", (j) => delete release(j, "istiod").version],
  ["mesh.istio-install", "images from Docker Hub", "istio", (j) => istiodValuesEdit(j, (v) => (v.global.hub = "docker.io/istio"))],
  ["mesh.istio-install", "another trust domain", "istio", (j) => istiodValuesEdit(j, (v) => (v.meshConfig.trustDomain = "cluster.local"))],
  ["mesh.istio-install", "a value set outside the document", "istio", (j) => (release(j, "istiod").set = [{ name: "global.hub", value: "docker.io/istio" }])],
  ["mesh.istio-install", "a second values document", "istio", (j) => release(j, "istiod").values.push(JSON.stringify({ global: { hub: "docker.io/istio" } }))],
  ["mesh.istio-install", "a pilot image override", "istio", (j) => istiodValuesEdit(j, (v) => (v.image = "docker.io/istio/pilot:latest"))],
  ["mesh.istio-install", "a post-renderer", "istio", (j) => (release(j, "istiod").postrender = { binary_path: "/usr/local/bin/kustomize" })],
  ["mesh.deny-by-default", "deny-all at v1beta1", "mesh", (j) => (manifestOf(j, "AuthorizationPolicy", "fraud", "deny-all").apiVersion = "security.istio.io/v1beta1")],
  ["mesh.allow-equals-calls", "targetRefs next to the selector", "mesh", (j) =>
    (manifestOf(j, "AuthorizationPolicy", "payments", "allow-payment-service").spec.targetRefs = [{ kind: "Service", group: "", name: "payment-service" }])],
  ["mesh.namespaces-injected", "injection off", "istio", (j) => (namespaceOf(j, "payments").metadata.labels["istio-injection"] = "disabled")],
  ["mesh.namespaces-injected", "merchant namespace missing", "istio", (j, s) => delete j.resource.kubernetes_namespace_v1[`namespaces_${merchant(s)}`]],
  ["mesh.namespaces-injected", "merchant not labelled", "istio", (j, s) => delete namespaceOf(j, merchant(s)).metadata.labels.isolation],
  ["mesh.strict-mtls", "PERMISSIVE", "mesh", (j) => (manifestOf(j, "PeerAuthentication", ISTIO_ROOT_NAMESPACE).spec.mtls.mode = "PERMISSIVE")],
  ["mesh.strict-mtls", "mesh-wide policy removed", "mesh", (j) => removeManifest(j, (m) => m.kind === "PeerAuthentication")],
  ["mesh.strict-mtls", "a namespace opts out", "mesh", (j) =>
    addManifest(j, "pa_fraud", { apiVersion: "security.istio.io/v1", kind: "PeerAuthentication", metadata: { name: "default", namespace: "fraud" }, spec: { mtls: { mode: "DISABLE" } } })],
  ["mesh.strict-mtls", "a port opts out", "mesh", (j) => (manifestOf(j, "PeerAuthentication", ISTIO_ROOT_NAMESPACE).spec.portLevelMtls = { 8080: { mode: "PERMISSIVE" } })],
  ["mesh.strict-mtls", "v1beta1", "mesh", (j) => (manifestOf(j, "PeerAuthentication", ISTIO_ROOT_NAMESPACE).apiVersion = "security.istio.io/v1beta1")],
  ["mesh.deny-by-default", "deny-all removed", "mesh", (j) => removeManifest(j, (m) => m.kind === "AuthorizationPolicy" && m.metadata.namespace === "fraud")],
  ["mesh.deny-by-default", "deny-all given a rule", "mesh", (j) => (manifestOf(j, "AuthorizationPolicy", "checkout", "deny-all").spec = { rules: [{}] })],
  ["mesh.deny-by-default", "merchant without deny-all", "mesh", (j, s) => removeManifest(j, (m) => m.metadata.name === "deny-all" && m.metadata.namespace === merchant(s))],
  ["mesh.allow-equals-calls", "a declared call not allowed", "mesh", (j) => removeManifest(j, (m) => m.metadata.name === "allow-tokenization-service")],
  ["mesh.allow-equals-calls", "an undeclared caller", "mesh", (j, s) =>
    manifestOf(j, "AuthorizationPolicy", "payments", "allow-tokenization-service").spec.rules[0].from[0].source.principals.push(`${s.region.mesh.trustDomain}/ns/fraud/sa/fraud-engine`)],
  ["mesh.allow-equals-calls", "an extra method", "mesh", (j) => manifestOf(j, "AuthorizationPolicy", "payments", "allow-tokenization-service").spec.rules[0].to[0].operation.methods.push("GET")],
  ["mesh.allow-equals-calls", "an extra path", "mesh", (j) => manifestOf(j, "AuthorizationPolicy", "payments", "allow-payment-service").spec.rules[0].to[0].operation.paths.push("/v1/refund")],
  ["mesh.allow-equals-calls", "selects every pod of the namespace", "mesh", (j) => delete manifestOf(j, "AuthorizationPolicy", "payments", "allow-tokenization-service").spec.selector],
  ["mesh.allow-equals-calls", "a DENY policy that could be misread", "mesh", (j) => (manifestOf(j, "AuthorizationPolicy", "payments", "allow-payment-service").spec.action = "DENY")],
  ["mesh.allow-equals-calls", "a source by namespace", "mesh", (j) => (manifestOf(j, "AuthorizationPolicy", "payments", "allow-payment-service").spec.rules[0].from[0].source.namespaces = ["checkout"])],
  ["mesh.no-wildcards", "a * principal", "mesh", (j) => (manifestOf(j, "AuthorizationPolicy", "payments", "allow-tokenization-service").spec.rules[0].from[0].source.principals = ["*"])],
  ["mesh.no-wildcards", "every path", "mesh", (j) => (manifestOf(j, "AuthorizationPolicy", "payments", "allow-tokenization-service").spec.rules[0].to[0].operation.paths = ["/*"])],
  ["mesh.no-wildcards", "any operation", "mesh", (j) => delete manifestOf(j, "AuthorizationPolicy", "payments", "allow-payment-service").spec.rules[0].to],
  ["mesh.no-wildcards", "any source", "mesh", (j) => delete manifestOf(j, "AuthorizationPolicy", "payments", "allow-payment-service").spec.rules[0].from],
  ["mesh.no-wildcards", "a foreign trust domain", "mesh", (j) =>
    (manifestOf(j, "AuthorizationPolicy", "payments", "allow-payment-service").spec.rules[0].from[0].source.principals = ["cluster.local/ns/checkout/sa/checkout-service"])],
  ["mesh.no-wildcards", "notPaths", "mesh", (j) => (manifestOf(j, "AuthorizationPolicy", "payments", "allow-payment-service").spec.rules[0].to[0].operation.notPaths = ["/admin"])],
  ["mesh.merchants-isolated", "default-deny removed", "mesh", (j, s) => removeManifest(j, (m) => m.kind === "NetworkPolicy" && m.metadata.name === "default-deny" && m.metadata.namespace === merchant(s))],
  ["mesh.merchants-isolated", "default-deny only for ingress", "mesh", (j, s) => (manifestOf(j, "NetworkPolicy", merchant(s), "default-deny").spec.policyTypes = ["Ingress"])],
  ["mesh.merchants-isolated", "egress to anywhere", "mesh", (j, s) =>
    addManifest(j, "np_open", { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "allow-all-egress", namespace: merchant(s) }, spec: { podSelector: {}, policyTypes: ["Egress"], egress: [{}] } })],
  ["mesh.merchants-isolated", "control plane allowance widened", "mesh", (j, s) => manifestOf(j, "NetworkPolicy", merchant(s), "allow-mesh-control-plane").spec.egress[0].ports.push({ protocol: "TCP", port: 443 })],
  ["mesh.merchants-isolated", "ingress from another tenant", "mesh", (j, s) =>
    addManifest(j, "np_tenant", {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "from-other-tenant", namespace: merchant(s) },
      spec: { podSelector: { matchLabels: { app: "x" } }, policyTypes: ["Ingress"], ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "merchant-99999" } }, podSelector: { matchLabels: { app: "y" } } }] }] },
    })],
];

const issuerOf = (j: TfJson) => manifestBody(j, "AWSPCAIssuer").manifest;
const anchorOf = (j: TfJson) => Object.values(j.resource.kubernetes_config_map_v1 as Record<string, TfJson>)[0];

/** Weakenings of the workload CA chain, for the regions that have one (an intermediate in ACM PCA). */
const PKI_MUTATIONS: [string, string, "pki" | "istio" | "mesh", (j: TfJson, s: MeshStacks) => void][] = [
  ["mesh.pki-install", "cert-manager from a public registry", "pki", (j) => (release(j, "cert-manager").repository = "oci://quay.io/jetstack/charts")],
  ["mesh.pki-install", "another cert-manager release", "pki", (j) => (release(j, "cert-manager").version = "v1.12.0")],
  ["mesh.pki-install", "the issuer's image from elsewhere", "pki", (j) => valuesEdit(release(j, "aws-privateca-issuer"), (v) => (v.image.repository = "public.ecr.aws/k1n1h4h4/cert-manager-aws-privateca-issuer"))],
  ["mesh.pki-install", "the issuer's service account renamed (its Pod Identity would not apply)", "pki", (j) => valuesEdit(release(j, "aws-privateca-issuer"), (v) => (v.serviceAccount.name = "issuer"))],
  ["mesh.pki-install", "the issuer signs unapproved requests", "pki", (j) => valuesEdit(release(j, "aws-privateca-issuer"), (v) => (v.disableApprovedCheck = true))],
  ["mesh.pki-install", "the issuer's release renamed (the approver role binds cert-manager's account by name)", "pki", (j) => (release(j, "cert-manager").name = "certs")],
  ["mesh.pki-install", "cert-manager's CRDs skipped", "pki", (j) => (release(j, "cert-manager").skip_crds = true)],
  ["mesh.crds-upgraded", "cert-manager's CRDs skipped", "pki", (j) => (release(j, "cert-manager").skip_crds = true)],
  ["mesh.crds-upgraded", "cert-manager's CRDs deleted on uninstall", "pki", (j) => valuesEdit(release(j, "cert-manager"), (v) => (v.crds.keep = false))],
  ["mesh.crds-upgraded", "the issuer's chart installs its CRDs again (once, never upgraded)", "pki", (j) => delete release(j, "aws-privateca-issuer").skip_crds],
  ["mesh.crds-upgraded", "an issuer CRD left out", "pki", (j) => removeManifest(j, (m) => m.metadata.name === "awspcaissuers.awspca.cert-manager.io")],
  ["mesh.crds-upgraded", "an issuer CRD of another release", "pki", (j) =>
    (Object.values(j.resource.kubernetes_manifest as Record<string, TfJson>).find((m) => m.manifest.metadata.name === "awspcaclusterissuers.awspca.cert-manager.io")!.manifest.spec.versions[0].served = false)],
  ["mesh.crds-upgraded", "an issuer CRD left to Helm's field manager", "pki", (j) =>
    Object.values(j.resource.kubernetes_manifest as Record<string, TfJson>).forEach((m) => delete m.field_manager)],
  ["mesh.crds-upgraded", "the issuer installed before its CRDs", "pki", (j) => {
    const r = release(j, "aws-privateca-issuer");
    r.depends_on = r.depends_on.filter((d: string) => !d.startsWith("kubernetes_manifest."));
  }],
  ["mesh.crds-upgraded", "an issuer CRD destroyable with the stack", "pki", (j) => Object.values(j.resource.kubernetes_manifest as Record<string, TfJson>).forEach((m) => delete m.lifecycle)],
  ["mesh.crds-upgraded", "the issuer started before its CRDs are Established", "pki", (j) => Object.values(j.resource.kubernetes_manifest as Record<string, TfJson>).forEach((m) => delete m.wait)],
  ["mesh.crds-upgraded", "CRDs imported on a cluster the region file calls new", "pki", (j) =>
    (j.import = Object.keys(j.resource.kubernetes_manifest).map((n) => ({ to: `kubernetes_manifest.${n}`, id: "apiVersion=apiextensions.k8s.io/v1,kind=CustomResourceDefinition,name=x" })))],
  ["mesh.crds-upgraded", "another object applied as a raw manifest", "pki", (j) =>
    addManifest(j, "extra", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "extra", namespace: "cert-manager" }, data: {} })],
  ["mesh.pki-install", "cert-manager's rights aggregated into edit and admin", "pki", (j) => valuesEdit(release(j, "cert-manager"), (v) => (v.global.rbac.aggregateClusterRoles = true))],
  ["mesh.pki-install", "the issuer's disruption budget with both bounds (the API refuses it)", "pki", (j) => valuesEdit(release(j, "aws-privateca-issuer"), (v) => (v.podDisruptionBudget.minAvailable = 1))],
  ["mesh.pki-install", "the issuer before cert-manager", "pki", (j) => delete release(j, "aws-privateca-issuer").depends_on],
  ["mesh.pki-install", "a set_sensitive beside the values", "pki", (j) => (release(j, "cert-manager").set_sensitive = [{ name: "x", value: "y" }])],
  ["mesh.cluster-access", "the PKI stack with a static token", "pki", (j) => (j.provider.kubernetes[0].token = "eyJ...")],
  ["mesh.ca-issuer-rbac", "the issuer's ClusterRole reads Secrets again", "pki", (j) => only(j, "kubernetes_cluster_role_v1").rule.push({ api_groups: [""], resources: ["secrets"], verbs: ["get", "list", "watch"] })],
  ["mesh.ca-issuer-rbac", "the leader-election Role reads the cert-manager namespace's Secrets (the webhook's CA key)", "pki", (j) => only(j, "kubernetes_role_v1").rule.push({ api_groups: [""], resources: ["secrets"], verbs: ["get"] })],
  ["mesh.ca-issuer-rbac", "the leader-election Role writes ConfigMaps (the trust anchor is one)", "pki", (j) => only(j, "kubernetes_role_v1").rule.push({ api_groups: [""], resources: ["configmaps"], verbs: ["get", "create", "update"] })],
  ["mesh.ca-issuer-rbac", "a wildcard verb on CertificateRequests", "pki", (j) => (ruleOn(only(j, "kubernetes_cluster_role_v1"), "certificaterequests").verbs = ["*"])],
  ["mesh.ca-issuer-rbac", "CertificateRequests signed in every namespace (status writes cluster-wide)", "pki", (j) =>
    only(j, "kubernetes_cluster_role_v1").rule.push({ api_groups: ["cert-manager.io"], resources: ["certificaterequests/status"], verbs: ["patch", "update"] })],
  ["mesh.ca-issuer-rbac", "the issuer may create AWSPCAClusterIssuers (as the chart lets it)", "pki", (j) => (ruleOn(only(j, "kubernetes_cluster_role_v1"), "awspcaclusterissuers").verbs = ["get", "list", "watch", "create", "delete"])],
  ["mesh.ca-issuer-rbac", "the chart's own RBAC back on", "pki", (j) => valuesEdit(release(j, "aws-privateca-issuer"), (v) => (v.rbac.create = true))],
  ["mesh.ca-issuer-rbac", "the ClusterRole bound to every authenticated user too", "pki", (j) => only(j, "kubernetes_cluster_role_binding_v1").subject.push({ kind: "Group", name: "system:authenticated" })],
  ["mesh.ca-issuer-rbac", "the RoleBinding binds a ClusterRole instead of the Role", "pki", (j) => (only(j, "kubernetes_role_binding_v1").role_ref.kind = "ClusterRole")],
  ["mesh.ca-issuer-rbac", "the leader-election Role in kube-system", "pki", (j) => (only(j, "kubernetes_role_v1").metadata.namespace = "kube-system")],
  ["mesh.ca-issuer-rbac", "no RoleBinding (the replicas cannot elect a leader)", "pki", (j) => delete j.resource.kubernetes_role_binding_v1],
  ["mesh.ca-issuer-rbac", "a binding created before its role", "pki", (j) => delete only(j, "kubernetes_cluster_role_binding_v1").depends_on],
  ["mesh.ca-issuer-rbac", "a second ClusterRole aggregating others", "pki", (j) => (j.resource.kubernetes_cluster_role_v1.extra = { metadata: { name: "x" }, aggregation_rule: { cluster_role_selectors: [{ match_labels: { a: "b" } }] } })],
  ["mesh.ca-issuer-rbac", "the issuer installed before its rights", "pki", (j) => (release(j, "aws-privateca-issuer").depends_on = ["helm_release.cert_manager"])],
  ["mesh.ca-issuer-rbac", "the signing Role reads istio-system's Secrets (istiod's key)", "istio", (j) => only(j, "kubernetes_role_v1").rule.push({ api_groups: [""], resources: ["secrets"], verbs: ["get"] })],
  ["mesh.ca-issuer-rbac", "the signing Role in another namespace", "istio", (j) => (only(j, "kubernetes_role_v1").metadata.namespace = "payments")],
  ["mesh.ca-issuer-rbac", "the issuer created before its signing rights", "istio", (j) => (manifestBody(j, "AWSPCAIssuer").depends_on = ["kubernetes_namespace_v1.namespaces_istio-system"])],
  ["mesh.ca-issuer-rbac", "a ClusterRole for the issuer in the istio stack", "istio", (j) => (j.resource.kubernetes_cluster_role_v1 = { x: { metadata: { name: "x" }, rule: [{ api_groups: ["cert-manager.io"], resources: ["certificaterequests"], verbs: ["update"] }] } })],
  ["mesh.workload-ca", "the issuer on another CA", "istio", (j) =>
    (issuerOf(j).spec.arn = "arn:aws:acm-pca:eu-west-1:123456789012:certificate-authority/00000000-0000-0000-0000-000000000000")],
  ["mesh.workload-ca", "the issuer with static access keys (secretRef)", "istio", (j) =>
    (issuerOf(j).spec.secretRef = { accessKeyIDSelector: { key: "id" }, secretAccessKeySelector: { key: "secret" }, name: "pca-keys", namespace: "cert-manager" })],
  ["mesh.workload-ca", "a cluster-wide issuer (any namespace could name it)", "istio", (j) => {
    const issuer = issuerOf(j);
    issuer.kind = "AWSPCAClusterIssuer";
    delete issuer.metadata.namespace;
  }],
  ["mesh.workload-ca", "the issuer not waited for", "istio", (j) => delete manifestBody(j, "AWSPCAIssuer").wait],
  ["mesh.workload-ca", "istiod's Certificate requested while an older istio-csr's may still exist", "istio", (j) => {
    const cert = manifestBody(j, "Certificate");
    cert.depends_on = cert.depends_on.filter((d: string) => !d.startsWith("helm_release."));
  }],
  ["mesh.merchants-isolated", "merchants cut off from istio-csr (their sidecars get no certificate)", "mesh", (j, s) =>
    (manifestOf(j, "NetworkPolicy", merchant(s), "allow-mesh-control-plane").spec.egress = manifestOf(j, "NetworkPolicy", merchant(s), "allow-mesh-control-plane").spec.egress.filter((e: TfJson) => e.ports[0].port !== 6443))],
  ["mesh.workload-ca", "the issuer in another AWS region", "istio", (j) => (issuerOf(j).spec.region = "ap-southeast-1")],
  ["mesh.workload-ca", "istio-csr trusts the issuer's answer, not the platform root", "istio", (j) => valuesEdit(release(j, "cert-manager-istio-csr"), (v) => delete v.app.tls.rootCAFile)],
  ["mesh.workload-ca", "workload certificates for a week", "istio", (j) => valuesEdit(release(j, "cert-manager-istio-csr"), (v) => (v.app.server.maxCertificateDuration = "168h"))],
  ["mesh.workload-ca", "istio-csr for another trust domain", "istio", (j) => valuesEdit(release(j, "cert-manager-istio-csr"), (v) => (v.app.tls.trustDomain = "cluster.local"))],
  ["mesh.workload-ca", "a trust anchor written in the stack", "istio", (j) => (anchorOf(j).data["ca.pem"] = "-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----")],
  ["mesh.workload-ca", "istiod before istio-csr", "istio", (j) => (release(j, "istiod").depends_on = release(j, "istiod").depends_on.filter((d: string) => !d.includes("istio_csr")))],
  ["mesh.workload-ca", "istio-csr before its issuer", "istio", (j) => (release(j, "cert-manager-istio-csr").depends_on = [])],
  ["mesh.workload-ca", "istiod before its serving certificate is Ready", "istio", (j) => (release(j, "istiod").depends_on = release(j, "istiod").depends_on.filter((d: string) => !d.includes("istiod_certificate")))],
  ["mesh.workload-ca", "istiod's certificate not waited for", "istio", (j) => delete manifestBody(j, "Certificate").wait],
  ["mesh.workload-ca", "istiod's certificate requested before its issuer", "istio", (j) => (manifestBody(j, "Certificate").depends_on = [])],
  ["mesh.workload-ca", "istiod's certificate with another identity", "istio", (j) => (manifestBody(j, "Certificate").manifest.spec.uris = ["spiffe://cluster.local/ns/istio-system/sa/istiod"])],
  ["mesh.workload-ca", "no certificate declared for istiod", "istio", (j) => {
    const [name] = Object.entries(j.resource.kubernetes_manifest as Record<string, TfJson>).find(([, r]) => r.manifest.kind === "Certificate")!;
    delete j.resource.kubernetes_manifest[name];
  }],
  ["mesh.workload-ca", "istio-csr creates istiod's certificate itself again (asynchronously)", "istio", (j) => valuesEdit(release(j, "cert-manager-istio-csr"), (v) => (v.app.tls.istiodCertificateEnable = true))],
  ["mesh.istio-install", "istiod runs its own CA again", "istio", (j) => istiodValuesEdit(j, (v) => delete v.env)],
  ["mesh.istio-install", "a legacy pilot block turns istiod's CA back on (the chart copies it over the top level)", "istio", (j) => istiodValuesEdit(j, (v) => (v.pilot = { env: { ENABLE_CA_SERVER: "true" } }))],
  ["mesh.istio-install", "istiod sends CSRs elsewhere", "istio", (j) => istiodValuesEdit(j, (v) => (v.global.caAddress = "istiod.istio-system.svc:15012"))],
];

/** The workload CA chain where a region has none: nothing of it belongs in the istio stack. */
const NO_PKI_MUTATIONS: [string, string, "istio", (j: TfJson) => void][] = [
  ["mesh.ca-issuer-rbac", "a Role in istio-system where no PCA issuer runs", "istio", (j) => (j.resource.kubernetes_role_v1 = { x: { metadata: { name: "x", namespace: "istio-system" }, rule: [{ api_groups: ["cert-manager.io"], resources: ["certificaterequests"], verbs: ["update"] }] } })],
  ["mesh.workload-ca", "a ConfigMap in the istio stack", "istio", (j) => (j.resource.kubernetes_config_map_v1 = { x: { metadata: { name: "x", namespace: "istio-system" }, data: { a: "b" } } })],
];

describe.each(regions.map((r) => [r.region.name, r] as const))("weakening the mesh of region %s", (_name, stacks) => {
  const applicable = [...MUTATIONS, ...(stacks.pki ? PKI_MUTATIONS : NO_PKI_MUTATIONS)].filter(([id]) => id !== "mesh.merchants-isolated" || stacks.region.mesh.merchantNamespaces.length > 0);
  it.each(applicable.map(([id, label, layer, mutate]) => [`${id}: ${label}`, id, layer, mutate] as const))("%s is caught", (_l, id, layer, mutate) => {
    const original = stacks[layer]!;
    const copy: MeshStacks = { ...stacks, [layer]: { ...original, json: cloneJson(original.json) } };
    mutate(copy[layer]!.json, copy);
    const rule = IN_CLUSTER_RULES.find((r) => r.id === id)!;
    expectCaught(weakenedViolations(rule, copy[layer]!, copy[layer]!.json));
    // And the pack, as synth runs the rule, rejects the weakened stack.
    const rejected = original.pack.evaluate(copy[layer]!.json, [id]).findings.filter((f) => f.rule.id === id && !f.suppressedBy);
    expect(rejected.length).toBeGreaterThan(0);
  });
});

it("weakens every mesh invariant at least once", () => {
  expect(new Set([...MUTATIONS, ...PKI_MUTATIONS, ...NO_PKI_MUTATIONS].map(([id]) => id))).toEqual(new Set(IN_CLUSTER_RULES.map((r) => r.id)));
});

/** Runs the ESM validator over objects; returns id → error (null when valid). */
function validate(objects: { id: string; object: TfJson }[]): Record<string, string | null> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "manifests-")), "objects.json");
  fs.writeFileSync(file, JSON.stringify(objects));
  const result = spawnSync(process.execPath, [path.join(__dirname, "..", "..", "support", "validate-manifests.mjs"), file], { cwd: path.join(__dirname, "..", "..", ".."), encoding: "utf8" });
  if (result.status !== 0) throw new Error(`validator failed: ${result.stderr}`);
  return Object.fromEntries((JSON.parse(result.stdout) as { id: string; error: string | null }[]).map((r) => [r.id, r.error]));
}

describe("every Kubernetes and Istio object validates against its upstream schema", () => {
  // Built in beforeAll, not while jest collects the tests: a run that selects none of them
  // (jest -t, a mutant's run) neither synthesizes nor starts the validator.
  let objects: { id: string; object: TfJson }[] = [];
  let results: Record<string, string | null> = {};
  beforeAll(() => {
    objects = regions.flatMap(({ istio, mesh }) => [
      ...manifestsOf(mesh.json).map(([address, object]) => ({ id: `${mesh.name} ${address}`, object })),
      ...resourcesOf(istio.json, "kubernetes_namespace_v1").map(([n, r]) => ({ id: `${istio.name} kubernetes_namespace_v1.${n}`, object: { apiVersion: "v1", kind: "Namespace", metadata: r.metadata } })),
    ]);
    results = validate([
      ...objects,
      // Controls: the validator must reject these, or it checks nothing.
      { id: "control: unknown mTLS mode", object: { apiVersion: "security.istio.io/v1", kind: "PeerAuthentication", metadata: { name: "x" }, spec: { mtls: { mode: "STRICTEST" } } } },
      { id: "control: methods not a list", object: { apiVersion: "security.istio.io/v1", kind: "AuthorizationPolicy", metadata: { name: "x" }, spec: { rules: [{ to: [{ operation: { methods: "POST" } }] }] } } },
      { id: "control: bad policy type", object: { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "x" }, spec: { podSelector: {}, policyTypes: ["Sideways"] } } },
      { id: "control: unknown kind", object: { apiVersion: "security.istio.io/v1", kind: "MeshPolicy", metadata: { name: "x" } } },
    ]);
  });

  it("covers every manifest of every region", () => {
    expect(objects.length).toBe(regions.reduce((n, r) => n + meshManifests(meshDesign(r.region)).length, 0) + regions.reduce((n, r) => n + resourcesOf(r.istio.json, "kubernetes_namespace_v1").length, 0));
  });

  it("accepts every one of them (the failures list each object and its schema error)", () => {
    expect(objects.map((o) => [o.id, results[o.id]]).filter(([, error]) => error !== null)).toEqual([]);
  });

  it.each(["control: unknown mTLS mode", "control: methods not a list", "control: bad policy type", "control: unknown kind"])("rejects %s", (id) => {
    expect(results[id]).toEqual(expect.any(String));
  });
});

describe("a cluster whose PCA issuer CRDs Helm installed (mesh.adoptHelmInstalledPkiCrds)", () => {
  const base = regions.find((r) => r.pki)!;
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
  });

  it("fails mesh.crds-upgraded when an import is left out", () => {
    const json = cloneJson(pki.json);
    json.import = (json.import as TfJson[]).slice(1);
    expect(checkRule(rule, { ...pki, json }).length).toBeGreaterThan(0);
  });
});
