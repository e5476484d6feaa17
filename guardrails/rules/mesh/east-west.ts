/**
 * The in-cluster half of the path between regions (model/mesh/cross-region.ts): the callee's
 * east-west gateway and its AUTO_PASSTHROUGH Gateway, the callers' ServiceEntries and
 * DestinationRules, istiod's acceptance of the callers' trust domains. Each piece exists exactly
 * where the regions' files declare a call, and nowhere else.
 */
import { StackView, stackRules } from "../../rule";
import { TfJson, asList, firstDifference, one, resourcesOf, sameJson } from "../../../tfjson/terraform";
import { manifestsOf } from "../../../tfjson/kubernetes";
import { clusterPlatform } from "../../../model/mesh/in-cluster";
import { EAST_WEST_GATEWAY, calleeIdentity, eastWestGatewayValues, eastWestManifests, eastWestSni, remoteName } from "../../../model/mesh/cross-region";
import { WORKLOAD_POD_SECURITY } from "../../../model/mesh/pod-security";
import { helmOverrideProblems } from "./helm";
import { designOf, isEastWestRelease } from "./in-cluster";

const namespaceNamed = (n: TfJson) => one(n.metadata).name;

/** The callee's gateway: installed where other regions call in, nowhere else. */
export const EAST_WEST_INSTALL_RULES = stackRules({ layers: ["istio"] }, [
  {
    id: "mesh.east-west-gateway-install",
    requirement: "1.3, 1.4.1, 6.3.3",
    fix: "Keep IstioStack's EastWestGateway: the istio-eastwest namespace (Pod Security Admission restricted) and Istio's gateway chart released as eastwest-gateway from the private registry at the Istio release with eastWestGatewayValues, after istiod; declare or remove calls from other regions in the callee's mesh.calls (fromTrustDomain), never by hand.",
    description:
      "where another region's file declares a call into this one, the east-west gateway is Istio's gateway chart released as eastwest-gateway in its own namespace (held to Pod Security Admission restricted) at the region's Istio release from its private registry, with the blueprint's values (two pods a zone apart, a disruption budget, node ports 30044 and 30022 that keep a connection on its node), installed after istiod; where no call comes in, neither the gateway nor its namespace exists",
    check: ({ region, json, peers }: StackView) => {
      const v: string[] = [];
      const exposed = designOf({ region, peers, json }).eastWest?.exposed ?? [];
      const releases = resourcesOf(json, "helm_release");
      const gateways = releases.filter(([, r]) => isEastWestRelease(r));
      const namespaces = resourcesOf(json, "kubernetes_namespace_v1").filter(([, n]) => namespaceNamed(n) === EAST_WEST_GATEWAY.namespace);
      if (exposed.length === 0) {
        for (const [n] of gateways) v.push(`helm_release.${n}: an east-west gateway where no region's calls come in (an exposed way into the cluster)`);
        for (const [n] of namespaces) v.push(`kubernetes_namespace_v1.${n}: namespace ${EAST_WEST_GATEWAY.namespace} where no region's calls come in`);
        return v;
      }
      if (namespaces.length !== 1) v.push(`kubernetes_namespace_v1: no namespace ${EAST_WEST_GATEWAY.namespace}`);
      for (const [n, ns] of namespaces) {
        const labels = one(ns.metadata).labels ?? {};
        if (!sameJson(labels, WORKLOAD_POD_SECURITY)) v.push(`kubernetes_namespace_v1.${n}: labels ${JSON.stringify(labels)}, expected Pod Security Admission restricted (${JSON.stringify(WORKLOAD_POD_SECURITY)}) and no injection label`);
      }
      if (gateways.length !== 1) return [...v, `helm_release: ${gateways.length} east-west gateways (${EAST_WEST_GATEWAY.namespace}/${EAST_WEST_GATEWAY.release}), expected 1`];
      const [gn, g] = gateways[0];
      const at = `helm_release.${gn}`;
      if (g.chart !== "gateway") v.push(`${at}: chart ${g.chart}, expected Istio's gateway chart`);
      if (g.version !== region.mesh.istioVersion) v.push(`${at}: version ${g.version}, expected the mesh's ${region.mesh.istioVersion}`);
      if (g.repository !== `oci://${clusterPlatform(region).registry}/charts/istio`) v.push(`${at}: chart from ${g.repository}, not the region's private registry`);
      if (g.wait !== true || g.atomic !== true) v.push(`${at}: does not wait for its pods and roll back a failed install`);
      v.push(...helmOverrideProblems(at, g));
      const docs = asList<string>(g.values);
      const values = docs.length === 1 ? JSON.parse(docs[0]) : undefined;
      if (!sameJson(values, eastWestGatewayValues())) v.push(`${at}: values differ from the blueprint's east-west gateway values (eastWestGatewayValues${values ? `, at ${firstDifference(values, eastWestGatewayValues())}` : ""})`);
      const istiod = releases.find(([, r]) => r.chart === "istiod");
      if (istiod && !asList<string>(g.depends_on).includes(`helm_release.${istiod[0]}`)) v.push(`${at}: installed before istiod (nothing would inject its proxy)`);
      return v;
    },
  },
  {
    id: "mesh.east-west-trust-domains",
    requirement: "4.2.1, 8.3.1",
    fix: "Keep istiodValues: meshConfig.caCertificates lists exactly the trust domains of the regions whose calls come in (from the callees' mesh.calls), and no trustDomainAliases.",
    description:
      "istiod accepts in mutual TLS exactly the trust domains of the regions whose files declare calls into this one (meshConfig.caCertificates[].trustDomains; the platform's one root verifies their chains), none where no call comes in, and never through trustDomainAliases (which would rewrite the authorization policies' principals and make another region's workloads pass for this one's)",
    check: ({ region, json, peers }: StackView) => {
      const istiod = resourcesOf(json, "helm_release").find(([, r]) => r.chart === "istiod");
      if (!istiod) return [];
      const at = `helm_release.${istiod[0]}`;
      const values = JSON.parse(asList<string>(istiod[1].values)[0] ?? "{}") as TfJson;
      const v: string[] = [];
      const accepted = asList<TfJson>(values.meshConfig?.caCertificates).flatMap((c) => asList<string>(c.trustDomains));
      const expected = designOf({ region, peers, json }).eastWest?.callerTrustDomains ?? [];
      // Stryker disable next-line MethodExpression: equivalent while one region calls in (the pair the tests build); the order is not a property
      if (!sameJson([...accepted].sort(), [...expected])) v.push(`${at}: accepts the trust domains ${JSON.stringify(accepted)}, expected the calling regions' ${JSON.stringify(expected)}`);
      if (asList(values.meshConfig?.trustDomainAliases).length > 0) v.push(`${at}: trustDomainAliases ${JSON.stringify(values.meshConfig.trustDomainAliases)} make other trust domains' workloads pass for this region's`);
      return v;
    },
  },
]);

/** The key of a manifest: kind, namespace and name. */
const keyOf = (m: TfJson) => `${m.kind} ${m.metadata?.namespace}/${m.metadata?.name}`;

/** The callee's Gateway and the callers' routes: exactly what the declared calls build. */
export const EAST_WEST_MESH_RULES = stackRules({ layers: ["mesh"] }, [
  {
    id: "mesh.east-west-routes",
    requirement: "1.3, 1.4.1, 4.2.1, 8.3.1",
    fix: "Declare calls between regions in the callee's mesh.calls (fromTrustDomain) and name the callee's endpoint service in the caller's mesh.eastWestEndpointServices; the Gateway, ServiceEntries and DestinationRules are generated by model/mesh/cross-region.ts and take no edits.",
    description:
      "where other regions call in, the east-west Gateway passes through (AUTO_PASSTHROUGH, TLS on 15443) exactly the called services' hosts, no wildcard; where this region calls others, each calling workload's proxies answer its DNS (a ProxyConfig selecting its pods that sets ISTIO_META_DNS_CAPTURE and nothing else) and its namespace has, per remote service, a ServiceEntry inside the mesh for the host <service>.<namespace>.<callee's trust domain> whose one endpoint is this region's interface endpoint (region-<name>'s output) on 15443, exported to that namespace only, and a DestinationRule for Istio's mutual TLS with the SNI the callee's gateway routes on and the callee service's SPIFFE identity as the only server name accepted (keepalives under the load balancer's idle timeout); nothing else of those kinds",
    check: ({ region, json, peers }: StackView) => {
      const v: string[] = [];
      const design = designOf({ region, peers, json }).eastWest;
      const want = eastWestManifests(design) as TfJson[];
      const ours = (m: TfJson) => (m.kind === "Gateway" && m.metadata?.namespace === EAST_WEST_GATEWAY.namespace) || m.kind === "DestinationRule" || m.kind === "ProxyConfig" || (m.kind === "ServiceEntry" && String(m.metadata?.name).startsWith("east-west-"));
      const got = manifestsOf(json).filter(([, m]) => ours(m));
      for (const w of want) {
        const found = got.find(([, m]) => keyOf(m) === keyOf(w));
        if (!found) v.push(`kubernetes_manifest (${keyOf(w)}): missing (${w.kind === "Gateway" ? "calls from other regions would find no way in" : "this region's calls to another would go to Istio's black hole"})`);
        else if (firstDifference(found[1], w) !== undefined) v.push(`${found[0]}: differs from model/mesh/cross-region.ts at ${firstDifference(found[1], w)}`);
      }
      for (const [address, m] of got.filter(([, x]) => !want.some((w) => keyOf(w) === keyOf(x)))) v.push(`${address}: ${keyOf(m)} is not one the declared calls between regions build`);
      // Independently of the model: what makes the path safe.
      for (const [address, m] of got) {
        const spec = m.spec ?? {};
        if (m.kind === "Gateway") {
          for (const server of asList<TfJson>(spec.servers)) {
            if (server.tls?.mode !== "AUTO_PASSTHROUGH") v.push(`${address}: a server in TLS mode ${server.tls?.mode}, not AUTO_PASSTHROUGH (the gateway would end or bypass the callers' mTLS)`);
            if (asList<string>(server.hosts).some((h) => h.includes("*"))) v.push(`${address}: a wildcard host passes through to services no call names`);
          }
        }
        if (m.kind === "DestinationRule") {
          const tls = spec.trafficPolicy?.tls ?? {};
          // Stryker disable next-line ConditionalExpression,LogicalOperator: equivalent with one remote route (the pair the tests build)
          const route = design?.remote.find((r) => r.caller.namespace === m.metadata?.namespace && remoteName(r) === m.metadata?.name);
          if (tls.mode !== "ISTIO_MUTUAL") v.push(`${address}: TLS mode ${tls.mode}, not ISTIO_MUTUAL (the call would leave the region without the mesh's mutual TLS)`);
          if (route && !sameJson(tls.subjectAltNames, [calleeIdentity(route)])) v.push(`${address}: accepts the server names ${JSON.stringify(tls.subjectAltNames)}, expected only ${calleeIdentity(route)}`);
          if (route && tls.sni !== eastWestSni(route.service)) v.push(`${address}: SNI ${tls.sni}, expected ${eastWestSni(route.service)} (the callee's gateway routes on it)`);
        }
        if (m.kind === "ProxyConfig") {
          const env = Object.keys(spec.environmentVariables ?? {});
          if (spec.image !== undefined || spec.concurrency !== undefined || !sameJson(env, ["ISTIO_META_DNS_CAPTURE"])) v.push(`${address}: sets ${JSON.stringify({ image: spec.image, concurrency: spec.concurrency, environmentVariables: spec.environmentVariables })}, not only the callers' DNS capture`);
          if (Object.keys(spec.selector?.matchLabels ?? {}).length === 0) v.push(`${address}: selects every pod of its namespace, not the calling workload's`);
        }
        if ((m.kind === "ServiceEntry" || m.kind === "DestinationRule") && !sameJson(spec.exportTo, ["."])) v.push(`${address}: exported to ${JSON.stringify(spec.exportTo ?? "every namespace")}, not its own namespace only`);
      }
      return v;
    },
  },
]);
