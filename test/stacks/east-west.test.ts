import { validateRegions } from "../../config/load";
import { RegionConfig } from "../../config/schema";
import { GUARDRAILS } from "../../guardrails";
import apac from "../../regions/apac";
import eu from "../../regions/eu";
import us from "../../regions/us";
import { SynthStack, TfJson, cloneJson, edited, jsonCopy, resourcesOf, synthRegions } from "../support/synth";
import { expectCaught, weakenedViolations } from "../support/weakening";
import { validateManifests } from "../support/validate";
import { manifestsOf } from "../../tfjson/kubernetes";
import { EAST_WEST_GATEWAY } from "../../model/mesh/cross-region";
import { TENANT_POD_POLICY, WORKLOAD_POD_SECURITY } from "../../model/mesh/pod-security";

/**
 * The east-west path on AWS for a declared call (us's fraud engine shares risk signals with eu's,
 * without cardholder data): the callee's gateway behind an endpoint service open to the caller, the
 * caller's interface endpoint of it, and nothing of it once the call is gone.
 */
const SERVICE = "com.amazonaws.vpce.eu-west-1.vpce-svc-0a1b2c3d4e5f60718";
function regionsWith(call: boolean, named = true): RegionConfig[] {
  const e = cloneJson(eu);
  const u = cloneJson(us);
  if (call) e.mesh.calls = [...(e.mesh.calls ?? []), { from: "fraud/fraud-engine", fromTrustDomain: us.mesh.trustDomain, to: "fraud/fraud-engine", methods: ["POST"], paths: ["/v1/risk-signals"], cardholderData: false }];
  if (call && named) u.mesh.eastWestEndpointServices = { [eu.mesh.trustDomain]: SERVICE };
  return validateRegions([
    { file: "regions/apac.ts", data: cloneJson(apac) },
    { file: "regions/eu.ts", data: e },
    { file: "regions/us.ts", data: u },
  ]).map((r) => r.config);
}
/** One synthesis per set of regions (lazy: each is synthesized at first use). */
const syntheses = new Map<RegionConfig[], ReturnType<typeof synthRegions>>();
const regionStack = (regions: RegionConfig[], name: string) => {
  if (!syntheses.has(regions)) syntheses.set(regions, synthRegions(regions, { shared: true }));
  return syntheses.get(regions)!.stacks.find((s) => s.name === name || s.name === `region-${name}`)! as SynthStack;
};
const withCall = regionsWith(true);
const none = regionsWith(false);
const unnamed = regionsWith(true, false);
const [euStack, usStack] = [regionStack(withCall, "eu"), regionStack(withCall, "us")];
const lbNamed = (j: TfJson, suffix: string) => resourcesOf(j, "aws_lb").filter(([, lb]) => String(lb.name).endsWith(suffix));

describe("a declared call from us into eu", () => {
  it("gives eu an east-west NLB on 15443 behind an endpoint service for us's account, from us-east-1, acceptance required, and an alarm", () => {
    const [[ln]] = lbNamed(euStack.json, "-east-west");
    const [[, svc]] = resourcesOf(euStack.json, "aws_vpc_endpoint_service").filter(([, s]) => s.network_load_balancer_arns.includes(`\${aws_lb.${ln}.arn}`));
    expect(svc).toMatchObject({ acceptance_required: true, allowed_principals: [`arn:aws:iam::${(withCall.find((r) => r.name === "us") as { accountId: string }).accountId}:root`], supported_regions: ["eu-west-1", "us-east-1"] });
    expect(resourcesOf(euStack.json, "aws_lb_listener").filter(([, l]) => l.load_balancer_arn === `\${aws_lb.${ln}.arn}`).map(([, l]) => [l.protocol, l.port])).toEqual([["TCP", 15443]]);
    expect(resourcesOf(euStack.json, "aws_cloudwatch_metric_alarm").filter(([n]) => n.includes("east_west"))).toHaveLength(1);
  });
  it("gives us an interface endpoint of that service in eu-west-1, without private DNS, and its address as an output", () => {
    const endpoints = resourcesOf(usStack.json, "aws_vpc_endpoint").filter(([, e]) => e.service_name === SERVICE);
    expect(endpoints.map(([, e]) => [e.vpc_endpoint_type, e.service_region, e.private_dns_enabled])).toEqual([["Interface", "eu-west-1", false]]);
    expect(usStack.json.output.east_west_endpoint_eu.value).toBe(`\${aws_vpc_endpoint.${endpoints[0][0]}.dns_entry[0].dns_name}`);
  });
  it("meets every guardrail on both sides", () => {
    for (const s of [euStack, usStack]) expect(s.pack.evaluate(s.json).findings.filter((f) => !f.suppressedBy && f.rule.level === "error")).toEqual([]);
  });
  it("builds nothing of the path without the call, and no endpoint until us names eu's service", () => {
    expect(lbNamed(regionStack(none, "eu").json, "-east-west")).toEqual([]);
    expect(resourcesOf(regionStack(none, "us").json, "aws_vpc_endpoint").filter(([, e]) => String(e.service_name).startsWith("com.amazonaws.vpce."))).toEqual([]);
    expect(lbNamed(regionStack(unnamed, "eu").json, "-east-west")).toHaveLength(1);
    expect(resourcesOf(regionStack(unnamed, "us").json, "aws_vpc_endpoint").filter(([, e]) => String(e.service_name).startsWith("com.amazonaws.vpce."))).toEqual([]);
  });
});

const rule = (id: string) => GUARDRAILS.find((r) => r.id === id)!;
const svcOf = (j: TfJson) => resourcesOf(j, "aws_vpc_endpoint_service").find(([, s]) => s.tags?.Name?.endsWith("-east-west"))![1];
const endpointOf = (j: TfJson) => resourcesOf(j, "aws_vpc_endpoint").find(([, e]) => e.service_name === SERVICE)![1];
const WEAKENINGS: [string, "eu" | "us", string, (j: TfJson) => void, RegExp][] = [
  ["network.east-west-endpoint-service", "eu", "connections accepted without review", (j) => (svcOf(j).acceptance_required = false), /acceptance_required is not true/],
  ["network.east-west-endpoint-service", "eu", "consumers from another region", (j) => svcOf(j).supported_regions.push("ap-southeast-1"), /supported regions .*expected this region and the callers'/],
  ["network.east-west-endpoint-service", "eu", "any principal of another account", (j) => svcOf(j).allowed_principals.push("arn:aws:iam::111122223333:root"), /allowed principals .*expected the callers' accounts/],
  ["network.east-west-endpoint-service", "eu", "no east-west load balancer where calls come in", (j) => { for (const [n] of lbNamed(j, "-east-west")) delete j.resource.aws_lb[n]; }, /0 east-west load balancers, expected 1/],
  ["network.east-west-endpoints", "us", "private DNS on the endpoint", (j) => (endpointOf(j).private_dns_enabled = true), /private DNS on/],
  ["network.east-west-endpoints", "us", "the endpoint in another region", (j) => (endpointOf(j).service_region = "eu-central-1"), /not an interface endpoint in the callee's region eu-west-1/],
  ["network.east-west-endpoints", "us", "an endpoint of an unknown service", (j) => (endpointOf(j).service_name = "com.amazonaws.vpce.eu-west-1.vpce-svc-0fffffffffffffff0"), /which is no east-west service of a region this region's services call/],
  ["detection.partner-gateway-watched", "eu", "no alarm on the east-west gateway", (j) => { for (const [n] of resourcesOf(j, "aws_cloudwatch_metric_alarm").filter(([x]) => x.includes("east_west"))) delete j.resource.aws_cloudwatch_metric_alarm[n]; }, /no alarm on its HealthyHostCount/],
  ["residency.in-jurisdiction", "eu", "consumers from an undeclared region outside the jurisdiction", (j) => svcOf(j).supported_regions.push("ap-southeast-1"), /names ap-southeast-1, outside EU/],
];
describe("the east-west path's guardrails fail when it is weakened", () => {
  it.each(WEAKENINGS.map(([id, side, label, mutate, says]) => [`${id}: ${label}`, id, side, mutate, says] as const))("%s", (_l, id, side, mutate, says) => {
    const stack = side === "eu" ? euStack : usStack;
    const json = edited(stack, mutate);
    expectCaught(weakenedViolations(rule(id), stack, json), says);
  });
  it("an east-west load balancer where no call comes in is refused", () => {
    const noCall = regionStack(none, "eu");
    const json = cloneJson(noCall.json);
    json.resource.aws_lb.extra = { ...lbNamed(euStack.json, "-east-west")[0][1] };
    expectCaught(weakenedViolations(rule("network.east-west-endpoint-service"), noCall, json), /an east-west load balancer where no call comes in from another region/);
  });
});

// The in-cluster half: eu's east-west gateway and its Gateway, us's routes to it, each mesh's trust.
const stackOf = (regions: RegionConfig[], name: string) => regionStack(regions, name);
const releasesOf = (j: TfJson) => resourcesOf(j, "helm_release");
const ewRelease = (j: TfJson) => releasesOf(j).find(([, r]) => r.name === EAST_WEST_GATEWAY.release)!;
const istiodOf = (j: TfJson) => releasesOf(j).find(([, r]) => r.chart === "istiod")![1];
const istiodValuesOf = (j: TfJson) => JSON.parse(istiodOf(j).values[0]);
const setIstiod = (j: TfJson, edit: (v: TfJson) => void) => {
  const v = istiodValuesOf(j);
  edit(v);
  istiodOf(j).values = [JSON.stringify(v)];
};
const ewValues = (j: TfJson) => JSON.parse(ewRelease(j)[1].values[0]);
const manifest = (j: TfJson, kind: string, name: string, namespace?: string) => manifestsOf(j).find(([, m]) => m.kind === kind && m.metadata.name === name && (!namespace || m.metadata.namespace === namespace))?.[1];
const ROUTE = "east-west-eu-fraud-fraud-engine";

describe("in the clusters, a declared call from us into eu", () => {
  const [euIstio, euMesh, usIstio, usMesh] = [stackOf(withCall, "region-eu-istio"), stackOf(withCall, "region-eu-mesh"), stackOf(withCall, "region-us-istio"), stackOf(withCall, "region-us-mesh")];
  it("gives eu an east-west gateway in its own restricted namespace on the NLB's node ports, after istiod", () => {
    const [, g] = ewRelease(euIstio.json);
    expect(g).toMatchObject({ chart: "gateway", namespace: EAST_WEST_GATEWAY.namespace });
    expect(g.depends_on).toContain("helm_release.istiod");
    expect(ewValues(euIstio.json).service).toEqual({
      type: "NodePort",
      externalTrafficPolicy: "Local",
      ports: [
        { name: "status-port", port: 15021, targetPort: 15021, nodePort: 30022, protocol: "TCP" },
        { name: "tls", port: 15443, targetPort: 15443, nodePort: 30044, protocol: "TCP" },
      ],
    });
    expect(ewValues(euIstio.json).replicaCount).toBe(2);
    expect(resourcesOf(euIstio.json, "kubernetes_namespace_v1").filter(([, n]) => n.metadata.name === EAST_WEST_GATEWAY.namespace).map(([, n]) => n.metadata.labels)).toEqual([{ ...WORKLOAD_POD_SECURITY }]);
  });
  it("makes eu's istiod accept us's trust domain (not as an alias), and only us's calling pods' sidecars answer their DNS", () => {
    expect(istiodValuesOf(euIstio.json).meshConfig.caCertificates).toEqual([{ trustDomains: [us.mesh.trustDomain] }]);
    expect(istiodValuesOf(euIstio.json).meshConfig.trustDomainAliases).toBeUndefined();
    for (const j of [euIstio.json, usIstio.json]) expect(istiodValuesOf(j).meshConfig.defaultConfig.proxyMetadata).toBeUndefined();
    expect(manifestsOf(usMesh.json).filter(([, m]) => m.kind === "ProxyConfig").map(([, m]) => m)).toEqual([
      { apiVersion: "networking.istio.io/v1beta1", kind: "ProxyConfig", metadata: { name: "dns-capture-fraud-engine", namespace: "fraud" }, spec: { selector: { matchLabels: { app: "fraud-engine" } }, environmentVariables: { ISTIO_META_DNS_CAPTURE: "true" } } },
    ]);
    expect(manifestsOf(euMesh.json).filter(([, m]) => m.kind === "ProxyConfig")).toEqual([]);
    expect(istiodValuesOf(usIstio.json).meshConfig.caCertificates).toBeUndefined();
    expect(ewRelease(usIstio.json)).toBeUndefined();
  });
  it("passes through eu's gateway exactly the called service, by SNI, and lets the gateway reach only it", () => {
    expect(manifest(euMesh.json, "Gateway", "east-west", EAST_WEST_GATEWAY.namespace)!.spec).toEqual({
      selector: { istio: "eastwest-gateway" },
      servers: [{ port: { number: 15443, name: "tls", protocol: "TLS" }, tls: { mode: "AUTO_PASSTHROUGH" }, hosts: ["fraud-engine.fraud.svc.cluster.local"] }],
    });
    const policies = manifestsOf(euMesh.json).filter(([, m]) => m.kind === "NetworkPolicy" && m.metadata.namespace === EAST_WEST_GATEWAY.namespace).map(([, m]) => m.metadata.name).sort();
    expect(policies).toEqual(["allow-mesh-control-plane", "allow-metrics-scrape", "default-deny", "egress-east-west-gateway-to-fraud-fraud-engine", "ingress-east-west-gateway-from-load-balancer"]);
    const fromLb = manifest(euMesh.json, "NetworkPolicy", "ingress-east-west-gateway-from-load-balancer")!.spec.ingress[0];
    expect(fromLb.from.map((p: TfJson) => p.ipBlock.cidr)).toEqual(withCall.find((r) => r.name === "eu")!.cloud === "aws" ? (withCall.find((r) => r.name === "eu") as { network: { subnets: { endpoints: string[] } } }).network.subnets.endpoints : []);
    expect(fromLb.ports).toEqual([{ protocol: "TCP", port: 15443 }, { protocol: "TCP", port: 15021 }]);
    expect(manifest(euMesh.json, "NetworkPolicy", "ingress-fraud-engine-from-east-west-gateway", "fraud")!.spec.ingress).toEqual([{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": EAST_WEST_GATEWAY.namespace } }, podSelector: { matchLabels: { istio: "eastwest-gateway" } } }] }]);
    // The callee's sidecar authorizes the caller's own identity (from us's trust domain) for the declared call only.
    const allow = manifest(euMesh.json, "AuthorizationPolicy", "allow-fraud-engine", "fraud")!;
    expect(allow.spec.rules).toContainEqual({ from: [{ source: { principals: [`${us.mesh.trustDomain}/ns/fraud/sa/fraud-engine`] } }], to: [{ operation: { methods: ["POST"], paths: ["/v1/risk-signals"] } }] });
  });
  it("gives us's caller a host of eu's service whose one endpoint is its interface endpoint, mutual TLS to eu's identity only, and egress to that endpoint on 15443 only", () => {
    const entry = manifest(usMesh.json, "ServiceEntry", ROUTE, "fraud")!;
    expect(entry.spec).toEqual({
      hosts: [`fraud-engine.fraud.${eu.mesh.trustDomain}`],
      ports: [{ number: 8080, name: "http-8080", protocol: "HTTP" }],
      location: "MESH_INTERNAL",
      resolution: "DNS",
      endpoints: [{ address: "${data.terraform_remote_state.region_state.outputs.east_west_endpoint_eu}", ports: { "http-8080": 15443 } }],
      exportTo: ["."],
    });
    expect(manifest(usMesh.json, "DestinationRule", ROUTE, "fraud")!.spec).toEqual({
      host: `fraud-engine.fraud.${eu.mesh.trustDomain}`,
      exportTo: ["."],
      trafficPolicy: {
        tls: { mode: "ISTIO_MUTUAL", sni: "outbound_.8080_._.fraud-engine.fraud.svc.cluster.local", subjectAltNames: [`spiffe://${eu.mesh.trustDomain}/ns/fraud/sa/fraud-engine`] },
        connectionPool: { tcp: { tcpKeepalive: { time: "60s", interval: "20s", probes: 3 } }, http: { idleTimeout: "300s" } },
      },
    });
    const egress = manifest(usMesh.json, "NetworkPolicy", "egress-fraud-engine-to-region-eu", "fraud")!.spec;
    expect(egress.podSelector).toEqual({ matchLabels: { app: "fraud-engine" } });
    expect(egress.egress).toEqual([{ to: (withCall.find((r) => r.name === "us") as { network: { subnets: { endpoints: string[] } } }).network.subnets.endpoints.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ protocol: "TCP", port: 15443 }] }]);
  });
  it("meets every guardrail in both regions' clusters", () => {
    for (const s of [euIstio, euMesh, usIstio, usMesh]) expect(s.pack.evaluate(s.json).findings.filter((f) => !f.suppressedBy && f.rule.level === "error")).toEqual([]);
  });
  it("validates every object of the path against Istio's and Kubernetes' schemas", () => {
    const objects = [...manifestsOf(euMesh.json), ...manifestsOf(usMesh.json)]
      .filter(([, m]) => m.metadata.namespace === EAST_WEST_GATEWAY.namespace || String(m.metadata.name).includes("east-west") || String(m.metadata.name).includes("region-eu") || m.kind === "ProxyConfig")
      .map(([address, object]) => ({ id: address, object }));
    expect(objects.length).toBe(11);
    const results = validateManifests([...objects, { id: "control: a DestinationRule with an unknown TLS mode", object: { apiVersion: "networking.istio.io/v1", kind: "DestinationRule", metadata: { name: "x" }, spec: { host: "x", trafficPolicy: { tls: { mode: "MOSTLY_MUTUAL" } } } } }]);
    expect(results["control: a DestinationRule with an unknown TLS mode"]).not.toBeNull();
    expect(Object.entries(results).filter(([id, e]) => !id.startsWith("control:") && e !== null)).toEqual([]);
  });
  it("builds none of it without the call, and no route until us names eu's endpoint service", () => {
    for (const name of ["eu", "us"]) {
      const [istio, mesh] = [stackOf(none, `region-${name}-istio`), stackOf(none, `region-${name}-mesh`)];
      expect(ewRelease(istio.json)).toBeUndefined();
      expect(istiodValuesOf(istio.json).meshConfig.caCertificates).toBeUndefined();
      expect(manifestsOf(mesh.json).filter(([, m]) => m.metadata.namespace === EAST_WEST_GATEWAY.namespace || /east-west|region-/.test(String(m.metadata.name)) || ["DestinationRule", "ProxyConfig"].includes(m.kind))).toEqual([]);
    }
    // Declared but not yet named: eu's side exists, us's waits for its endpoint.
    expect(ewRelease(stackOf(unnamed, "region-eu-istio").json)).toBeDefined();
    expect(manifestsOf(stackOf(unnamed, "region-us-mesh").json).filter(([, m]) => /east-west|region-eu|dns-capture/.test(String(m.metadata.name)))).toEqual([]);
  });
});

const IN_CLUSTER_WEAKENINGS: [string, "region-eu-istio" | "region-eu-mesh" | "region-us-istio" | "region-us-mesh", string, (j: TfJson) => void, RegExp][] = [
  ["mesh.east-west-gateway-install", "region-eu-istio", "no gateway", (j) => delete j.resource.helm_release[ewRelease(j)[0]], /0 east-west gateways/],
  ["mesh.east-west-gateway-install", "region-eu-istio", "no namespace", (j) => { for (const [n, ns] of resourcesOf(j, "kubernetes_namespace_v1")) if (ns.metadata.name === EAST_WEST_GATEWAY.namespace) delete j.resource.kubernetes_namespace_v1[n]; }, /no namespace istio-eastwest/],
  ["mesh.east-west-gateway-install", "region-eu-istio", "the namespace injected, out of restricted", (j) => { for (const [, ns] of resourcesOf(j, "kubernetes_namespace_v1")) if (ns.metadata.name === EAST_WEST_GATEWAY.namespace) ns.metadata.labels = { "istio-injection": "enabled" }; }, /labels .*expected Pod Security Admission restricted/],
  ["mesh.east-west-gateway-install", "region-eu-istio", "another chart", (j) => (ewRelease(j)[1].chart = "istio-ingress"), /chart istio-ingress, expected Istio's gateway chart/],
  ["mesh.east-west-gateway-install", "region-eu-istio", "another version", (j) => (ewRelease(j)[1].version = "1.20.0"), /version 1\.20\.0, expected the mesh's/],
  ["mesh.east-west-gateway-install", "region-eu-istio", "a public chart repository", (j) => (ewRelease(j)[1].repository = "https://istio-release.storage.googleapis.com/charts"), /not the region's private registry/],
  ["mesh.east-west-gateway-install", "region-eu-istio", "no wait", (j) => (ewRelease(j)[1].wait = false), /does not wait for its pods/],
  ["mesh.east-west-gateway-install", "region-eu-istio", "a public load balancer for the gateway", (j) => { const v = ewValues(j); v.service.type = "LoadBalancer"; ewRelease(j)[1].values = [JSON.stringify(v)]; }, /values differ from the blueprint's east-west gateway values .*at \.service\.type/],
  ["mesh.east-west-gateway-install", "region-eu-istio", "no rollback of a failed install", (j) => (ewRelease(j)[1].atomic = false), /does not wait for its pods and roll back/],
  ["mesh.east-west-gateway-install", "region-eu-istio", "two values documents", (j) => ewRelease(j)[1].values.push("{}"), /values differ from the blueprint's east-west gateway values \(eastWestGatewayValues\)$/],
  ["mesh.east-west-trust-domains", "region-eu-istio", "no mesh configuration at all", (j) => setIstiod(j, (v) => delete v.meshConfig), /accepts the trust domains \[\], expected the calling regions'/],
  ["mesh.east-west-routes", "region-eu-mesh", "a nameless object of a kind the rule owns", (j) => (j.resource.kubernetes_manifest.extra = { manifest: { apiVersion: "networking.istio.io/v1", kind: "DestinationRule", spec: { host: "x", exportTo: ["."], trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" } } } } }), /DestinationRule undefined\/undefined is not one the declared calls between regions build/],
  ["mesh.east-west-routes", "region-eu-mesh", "a server with no TLS settings", (j) => delete manifest(j, "Gateway", "east-west")!.spec.servers[0].tls, /a server in TLS mode undefined, not AUTO_PASSTHROUGH/],
  ["mesh.east-west-routes", "region-eu-mesh", "a wildcard host beside the exact one", (j) => manifest(j, "Gateway", "east-west")!.spec.servers[0].hosts.push("*.payments.svc.cluster.local"), /a wildcard host passes through/],
  ["mesh.east-west-routes", "region-us-mesh", "no traffic policy", (j) => delete manifest(j, "DestinationRule", ROUTE)!.spec.trafficPolicy, /TLS mode undefined, not ISTIO_MUTUAL/],
  ["mesh.east-west-routes", "region-us-mesh", "the proxies' concurrency set by the ProxyConfig", (j) => (manifest(j, "ProxyConfig", "dns-capture-fraud-engine")!.spec.concurrency = 8), /not only the callers' DNS capture/],
  ["mesh.east-west-routes", "region-us-mesh", "a ProxyConfig without its variable", (j) => delete manifest(j, "ProxyConfig", "dns-capture-fraud-engine")!.spec.environmentVariables, /not only the callers' DNS capture/],
  ["mesh.east-west-routes", "region-us-mesh", "the remote entry exported mesh-wide", (j) => (manifest(j, "ServiceEntry", ROUTE)!.spec.exportTo = ["*"]), /fraud_service_entry-east-west-eu-fraud-fraud-engine: exported to \["\*"\], not its own namespace only/],
  ["mesh.east-west-gateway-install", "region-eu-istio", "installed before istiod", (j) => (ewRelease(j)[1].depends_on = ewRelease(j)[1].depends_on.filter((d: string) => d !== "helm_release.istiod")), /installed before istiod/],
  ["mesh.east-west-trust-domains", "region-eu-istio", "a trust domain no region calls from", (j) => setIstiod(j, (v) => v.meshConfig.caCertificates[0].trustDomains.push("apac.acme-pay.internal")), /accepts the trust domains .*expected the calling regions'/],
  ["mesh.east-west-trust-domains", "region-eu-istio", "the caller's trust domain not accepted", (j) => setIstiod(j, (v) => delete v.meshConfig.caCertificates), /accepts the trust domains \[\], expected the calling regions' \["us/],
  ["mesh.east-west-trust-domains", "region-eu-istio", "the caller's trust domain as an alias", (j) => setIstiod(j, (v) => (v.meshConfig.trustDomainAliases = [us.mesh.trustDomain])), /trustDomainAliases .* pass for this region's/],
  ["mesh.east-west-trust-domains", "region-us-istio", "a caller's trust domain where none calls in", (j) => setIstiod(j, (v) => (v.meshConfig.caCertificates = [{ trustDomains: [eu.mesh.trustDomain] }])), /expected the calling regions' \[\]/],
  ["mesh.istio-install", "region-eu-istio", "a second east-west gateway", (j) => (j.resource.helm_release.extra = { ...ewRelease(j)[1], name: "eastwest-2" }), /charts .*expected base, cert-manager-istio-csr, cni, gateway, gateway, istiod/],
  ["mesh.partner-gateway-install", "region-eu-istio", "the partner gateway removed (the east-west one does not stand in for it)", (j) => { for (const [n, r] of releasesOf(j)) if (r.name === "partner-gateway") delete j.resource.helm_release[n]; }, /no partner gateway/],
  ["mesh.east-west-routes", "region-eu-mesh", "no Gateway", (j) => { for (const [n, r] of Object.entries(j.resource.kubernetes_manifest as Record<string, TfJson>)) if (r.manifest.kind === "Gateway" && r.manifest.metadata.namespace === EAST_WEST_GATEWAY.namespace) delete j.resource.kubernetes_manifest[n]; }, /Gateway istio-eastwest\/east-west\): missing \(calls from other regions would find no way in\)/],
  ["mesh.east-west-routes", "region-eu-mesh", "a wildcard host", (j) => (manifest(j, "Gateway", "east-west")!.spec.servers[0].hosts = ["*.fraud.svc.cluster.local"]), /a wildcard host passes through/],
  ["mesh.east-west-routes", "region-eu-mesh", "the gateway ends the TLS", (j) => (manifest(j, "Gateway", "east-west")!.spec.servers[0].tls = { mode: "SIMPLE", credentialName: "x" }), /TLS mode SIMPLE, not AUTO_PASSTHROUGH/],
  ["mesh.east-west-routes", "region-eu-mesh", "another service passed through", (j) => manifest(j, "Gateway", "east-west")!.spec.servers[0].hosts.push("payments-api.payments.svc.cluster.local"), /differs from model\/mesh\/cross-region\.ts at \.spec\.servers\[0\]\.hosts/],
  ["mesh.east-west-routes", "region-us-mesh", "no DestinationRule", (j) => { for (const [n, r] of Object.entries(j.resource.kubernetes_manifest as Record<string, TfJson>)) if (r.manifest.kind === "DestinationRule") delete j.resource.kubernetes_manifest[n]; }, /DestinationRule fraud\/east-west-eu-fraud-fraud-engine\): missing \(this region's calls to another would go to Istio's black hole\)/],
  ["mesh.east-west-routes", "region-us-mesh", "the call in plain text", (j) => (manifest(j, "DestinationRule", ROUTE)!.spec.trafficPolicy.tls = { mode: "DISABLE" }), /TLS mode DISABLE, not ISTIO_MUTUAL/],
  ["mesh.east-west-routes", "region-us-mesh", "any server of eu accepted", (j) => manifest(j, "DestinationRule", ROUTE)!.spec.trafficPolicy.tls.subjectAltNames.push(`spiffe://${eu.mesh.trustDomain}/ns/payments/sa/payments-api`), /accepts the server names .*expected only spiffe:/],
  ["mesh.east-west-routes", "region-us-mesh", "another SNI", (j) => (manifest(j, "DestinationRule", ROUTE)!.spec.trafficPolicy.tls.sni = "outbound_.8080_._.payments-api.payments.svc.cluster.local"), /SNI outbound_\.8080_\._\.payments-api.*expected outbound_\.8080_\._\.fraud-engine/],
  ["mesh.east-west-routes", "region-us-mesh", "the route exported mesh-wide", (j) => (manifest(j, "DestinationRule", ROUTE)!.spec.exportTo = ["*"]), /exported to \["\*"\], not its own namespace only/],
  ["mesh.east-west-routes", "region-us-mesh", "a DestinationRule of its own", (j) => (j.resource.kubernetes_manifest.extra = { manifest: { apiVersion: "networking.istio.io/v1", kind: "DestinationRule", metadata: { name: "relaxed", namespace: "payments" }, spec: { host: "*", exportTo: ["."], trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" } } } } }), /DestinationRule payments\/relaxed is not one the declared calls between regions build/],
  ["mesh.east-west-routes", "region-us-mesh", "the endpoint elsewhere", (j) => (manifest(j, "ServiceEntry", ROUTE)!.spec.endpoints[0].address = "gateway.example.com"), /differs from model\/mesh\/cross-region\.ts at \.spec\.endpoints\[0\]\.address/],
  ["mesh.east-west-routes", "region-us-mesh", "no keepalive under the load balancer's idle timeout", (j) => delete manifest(j, "DestinationRule", ROUTE)!.spec.trafficPolicy.connectionPool, /differs from model\/mesh\/cross-region\.ts at \.spec\.trafficPolicy\.connectionPool/],
  ["mesh.east-west-routes", "region-us-mesh", "the caller's DNS not answered", (j) => { for (const [n, r] of Object.entries(j.resource.kubernetes_manifest as Record<string, TfJson>)) if (r.manifest.kind === "ProxyConfig") delete j.resource.kubernetes_manifest[n]; }, /ProxyConfig fraud\/dns-capture-fraud-engine\): missing/],
  ["mesh.east-west-routes", "region-us-mesh", "another proxy image through the ProxyConfig", (j) => (manifest(j, "ProxyConfig", "dns-capture-fraud-engine")!.spec.image = { imageType: "debug" }), /not only the callers' DNS capture/],
  ["mesh.east-west-routes", "region-us-mesh", "DNS capture for the whole namespace", (j) => delete manifest(j, "ProxyConfig", "dns-capture-fraud-engine")!.spec.selector, /selects every pod of its namespace/],
  ["mesh.service-entries", "region-us-mesh", "the remote service's entry exported mesh-wide", (j) => (manifest(j, "ServiceEntry", ROUTE)!.spec.exportTo = ["*"]), /exported to \["\*"\], not its own namespace only/],
  ["mesh.known-kinds", "region-us-mesh", "a Gateway outside the east-west namespace", (j) => (j.resource.kubernetes_manifest.extra = { manifest: { ...manifest(stackOf(withCall, "region-eu-mesh").json, "Gateway", "east-west"), metadata: { name: "east-west", namespace: "fraud" } } }), /Gateway is not a kind the mesh stack may apply/],
  ["mesh.namespaces-segmented", "region-eu-mesh", "the called service closed to the gateway", (j) => { for (const [n, r] of Object.entries(j.resource.kubernetes_manifest as Record<string, TfJson>)) if (r.manifest.metadata.name === "ingress-fraud-engine-from-east-west-gateway") delete j.resource.kubernetes_manifest[n]; }, /calls from other regions to fraud\/fraud-engine have no ingress NetworkPolicy/],
  ["mesh.namespaces-segmented", "region-eu-mesh", "the gateway open to the whole VPC", (j) => (manifest(j, "NetworkPolicy", "ingress-east-west-gateway-from-load-balancer")!.spec.ingress[0].from = [{ ipBlock: { cidr: "10.0.0.0/8" } }]), /allows traffic the design does not declare/],
  ["mesh.namespaces-segmented", "region-us-mesh", "the caller's way to the endpoint closed", (j) => { for (const [n, r] of Object.entries(j.resource.kubernetes_manifest as Record<string, TfJson>)) if (r.manifest.metadata.name === "egress-fraud-engine-to-region-eu") delete j.resource.kubernetes_manifest[n]; }, /fraud\/fraud-engine calls region eu and has no egress NetworkPolicy/],
  ["mesh.workload-pod-policy", "region-eu-mesh", "the gateway's namespace not bound", (j) => { const b = manifestsOf(j).find(([, m]) => m.kind === "ValidatingAdmissionPolicyBinding" && m.metadata.name === TENANT_POD_POLICY)![1]; for (const e of b.spec.matchResources.namespaceSelector.matchExpressions) e.values = e.values.filter((x: string) => x !== EAST_WEST_GATEWAY.namespace); }, /namespace istio-eastwest not bound/],
];
describe("the in-cluster path's guardrails pass what the blueprint builds", () => {
  // (Each rule alone, as the weakenings run it, on both sides, with and without the call.)
  const RULES: [string, string][] = [
    ["mesh.east-west-gateway-install", "istio"],
    ["mesh.east-west-trust-domains", "istio"],
    ["mesh.east-west-routes", "mesh"],
  ];
  it.each(RULES.flatMap(([id, layer]) => ["eu", "us"].flatMap((r) => [[id, `region-${r}-${layer}`, "with"], [id, `region-${r}-${layer}`, "without"]] as const)))("%s on %s, %s the call", (id, name, call) => {
    const stack = stackOf(call === "with" ? withCall : none, name);
    expect(weakenedViolations(rule(id), stack, jsonCopy(stack))).toEqual([]);
  });
  it("a region without istiod is not the trust rule's to judge (mesh.istio-install says so)", () => {
    const stack = stackOf(withCall, "region-eu-istio");
    const json = jsonCopy(stack);
    for (const [n, r] of releasesOf(json)) if (r.chart === "istiod") delete json.resource.helm_release[n];
    expect(weakenedViolations(rule("mesh.east-west-trust-domains"), stack, json)).toEqual([]);
  });
});

describe("the in-cluster path's guardrails fail when it is weakened", () => {
  it.each(IN_CLUSTER_WEAKENINGS.map(([id, stack, label, mutate, says]) => [`${id}: ${label}`, id, stack, mutate, says] as const))("%s", (_l, id, name, mutate, says) => {
    const stack = stackOf(withCall, name);
    const json = edited(stack, mutate);
    expectCaught(weakenedViolations(rule(id), stack, json), says);
  });
  it("an east-west gateway or its namespace where no call comes in is refused", () => {
    const noCall = stackOf(none, "region-eu-istio");
    const json = cloneJson(noCall.json);
    json.resource.helm_release.extra = { ...ewRelease(stackOf(withCall, "region-eu-istio").json)[1] };
    json.resource.kubernetes_namespace_v1.extra = { metadata: { name: EAST_WEST_GATEWAY.namespace, labels: { ...WORKLOAD_POD_SECURITY } } };
    expectCaught(weakenedViolations(rule("mesh.east-west-gateway-install"), noCall, json), /an east-west gateway where no region's calls come in/);
    expectCaught(weakenedViolations(rule("mesh.east-west-gateway-install"), noCall, json), /namespace istio-eastwest where no region's calls come in/);
  });
  it("a route to a region that is not called is refused", () => {
    const noCall = stackOf(none, "region-us-mesh");
    const json = cloneJson(noCall.json);
    for (const [n, r] of Object.entries(stackOf(withCall, "region-us-mesh").json.resource.kubernetes_manifest as Record<string, TfJson>)) if (r.manifest.metadata.name === ROUTE) json.resource.kubernetes_manifest[n] = r;
    expectCaught(weakenedViolations(rule("mesh.east-west-routes"), noCall, json), /ServiceEntry fraud\/east-west-eu-fraud-fraud-engine is not one the declared calls between regions build/);
  });
});
