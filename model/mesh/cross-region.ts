/**
 * Calls between regions, as the regions' files declare them: a call into a region names its caller's
 * trust domain (`mesh.calls[].fromTrustDomain`). From every region's file together, each region's
 * view: the calls that come in (whose callers must reach this region's east-west gateway) and the
 * calls that go out (whose callee's gateway this region must reach). A call crosses regions only
 * where the callee's file declares it; nothing else opens a path.
 *
 * The path (docs/regions.md, Cross-region calls): the callee's east-west gateway behind an internal
 * NLB and an endpoint service open to the callers' regions (cross-region PrivateLink), an interface
 * endpoint of that service in each caller's VPC; end-to-end mTLS from the caller's sidecar to the
 * callee's (the gateway passes it through by SNI). AWS regions only: no private path joins two
 * clouds here (the config refuses a call between clouds).
 */
import type { RegionConfig } from "../../config/schema";
import { isRemote } from "../../config/mesh";
import { type IGateway, gatewayChartValues } from "./edge";
import type { IDestinationRule, IServiceEntry } from "./istio-kinds";
import type { IProxyConfig } from "@kubernetes-models/istio/networking.istio.io/v1beta1/ProxyConfig";

/** One declared call between regions, with both ends resolved. */
export interface CrossRegionCall {
  /** The caller's identity `<namespace>/<serviceAccount>`, in `caller`. */
  readonly from: string;
  /** The called service `<namespace>/<name>`, in `callee`. */
  readonly to: string;
  readonly methods: readonly string[];
  readonly paths: readonly string[];
  readonly cardholderData: boolean;
}

/** A called service as the caller must address it. */
export interface RemoteService {
  readonly name: string;
  readonly namespace: string;
  readonly port: number;
  readonly serviceAccount: string;
}

/** Calls from one region into another: the regions, the calls, the called services. */
export interface CrossRegionLink {
  readonly caller: RegionConfig;
  readonly callee: RegionConfig;
  readonly calls: readonly CrossRegionCall[];
  /** The callee's services the calls reach, each once, in a stable order. */
  readonly services: readonly RemoteService[];
}

/** A region's calls with other regions: those that come in, those that go out. */
export interface CrossRegionView {
  readonly incoming: readonly CrossRegionLink[];
  readonly outgoing: readonly CrossRegionLink[];
}

/** Every link between two regions of `regions`, from the callees' declared calls, in a stable order. */
export function crossRegionLinks(regions: readonly RegionConfig[]): CrossRegionLink[] {
  const links: CrossRegionLink[] = [];
  for (const callee of regions) {
    const byCaller = new Map<string, CrossRegionCall[]>();
    for (const call of callee.mesh.calls) {
      if (!isRemote(callee.mesh, call)) continue;
      const list = byCaller.get(call.fromTrustDomain!) ?? [];
      list.push({ from: call.from, to: call.to, methods: [...call.methods], paths: [...call.paths], cardholderData: call.cardholderData });
      byCaller.set(call.fromTrustDomain!, list);
    }
    for (const [trustDomain, calls] of [...byCaller.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const caller = regions.find((r) => r.mesh.trustDomain === trustDomain);
      // (The config rules refuse a call from a trust domain no region has.)
      if (!caller) continue;
      const targets = [...new Set(calls.map((c) => c.to))].sort();
      const services = targets.flatMap((to) => {
        const s = callee.services.find((x) => `${x.namespace}/${x.name}` === to);
        return s ? [{ name: s.name, namespace: s.namespace, port: s.port, serviceAccount: s.serviceAccount ?? s.name }] : [];
      });
      links.push({ caller, callee, calls, services });
    }
  }
  return links;
}

/** One region's view of the links among `regions` (which include it; by default the region alone, which has none). */
export function crossRegionView(region: RegionConfig, regions: readonly RegionConfig[] = [region]): CrossRegionView {
  const links = crossRegionLinks(regions);
  return {
    incoming: links.filter((l) => l.callee.name === region.name),
    outgoing: links.filter((l) => l.caller.name === region.name),
  };
}

/** The host a caller's sidecars address a remote service by: distinct from every local service (`<name>.<namespace>.<callee's trust domain>`). */
export function remoteHost(calleeTrustDomain: string, service: Pick<RemoteService, "name" | "namespace">): string {
  return `${service.name}.${service.namespace}.${calleeTrustDomain}`;
}

/** The callee's own name of a service, which its east-west gateway routes on (the SNI the caller sends names it). */
export function localHost(service: Pick<RemoteService, "name" | "namespace">): string {
  return `${service.name}.${service.namespace}.svc.cluster.local`;
}

/**
 * The east-west gateway of a region that receives calls from others: Istio's gateway chart released
 * as `eastwest-gateway` in its own namespace, passing the callers' mTLS through on 15443 (AUTO_PASSTHROUGH),
 * reached by its NLB on node ports (as the partner gateway).
 */
export const EAST_WEST_GATEWAY = {
  namespace: "istio-eastwest",
  release: "eastwest-gateway",
  selector: { istio: "eastwest-gateway" },
  port: 15443,
  /** In the static band of the default node-port range (30000-30085), which Kubernetes never hands out to a Service that asks for none. */
  nodePorts: { tls: 30044, status: 30022 },
  /** Two, at most one zone apart: the alarm pages below one. */
  replicas: 2,
} as const;

/** Outputs of `region-<name>` for the path: the callee's endpoint service, each caller's interface endpoint (by callee region). */
export const EAST_WEST_OUTPUT_IDS = {
  endpointService: "east_west_endpoint_service",
  endpoint: (callee: Pick<RegionConfig, "name">) => `east_west_endpoint_${callee.name}`,
} as const;

/** The callers' accounts, as the principals the callee's endpoint service admits. */
export function callerPrincipals(view: CrossRegionView): string[] {
  return [...new Set(view.incoming.map((l) => (l.caller.cloud === "aws" ? `arn:aws:iam::${l.caller.accountId}:root` : "")).filter((p) => p !== ""))].sort();
}

/** The caller's workload subnets (its pods' addresses on EKS): the only sources the callee's east-west NLB admits. */
export function callerWorkloadCidrs(link: Pick<CrossRegionLink, "caller">): string[] {
  return link.caller.cloud === "aws" ? [...link.caller.network.subnets.workload] : [];
}

/** The east-west endpoint service's names, port and acceptance (each caller's endpoint is accepted by hand once, as the partners'). */
export const EAST_WEST_PURPOSE = {
  loadBalancer: "east-west",
  securityGroup: "east-west-nlb",
  endpointServiceTag: "east-west",
  traffic: "Cross-region mTLS",
  clients: "pods of the calling regions",
  port: EAST_WEST_GATEWAY.port,
  acceptanceRequired: true,
} as const;

/** A remote service one caller of this region reaches, and how. */
export interface RemoteRoute {
  /** The calling workload here (its pods' `app` label and namespace). */
  readonly caller: { readonly name: string; readonly namespace: string };
  readonly callee: { readonly name: string; readonly trustDomain: string };
  readonly service: RemoteService;
  /** The DNS name of this region's interface endpoint of the callee's east-west service (region-<name>'s output). */
  readonly endpoint: string;
  /** The endpoints tier, where that interface endpoint has its addresses. */
  readonly endpointCidrs: readonly string[];
}

/** The mesh's part of the path between regions: what the region's east-west gateway exposes, and what its callers reach. */
export interface EastWestDesign {
  /** This region's services that other regions call, each once, in a stable order: the gateway passes through to them only. */
  readonly exposed: readonly RemoteService[];
  /** Where the east-west gateway's load balancer reaches its pods from (its addresses in the endpoints tier). */
  readonly loadBalancerCidrs: readonly string[];
  /** The trust domains of the regions that call in, whose certificates this region's sidecars accept. */
  readonly callerTrustDomains: readonly string[];
  /** The remote services this region's workloads call, one route per caller workload and service, once its endpoint exists. */
  readonly remote: readonly RemoteRoute[];
}

/**
 * The region's part of the path, from the declared calls among `peers`: the services it exposes to
 * callers (incoming links) and the routes of its callers (outgoing links whose callee's endpoint
 * service this region's file names, so that its interface endpoint exists; `output` reads its
 * address from region-<name>'s outputs). Undefined where the region neither calls nor is called.
 */
export function eastWestDesign(region: RegionConfig, peers: readonly RegionConfig[], output: (id: string) => string): EastWestDesign | undefined {
  const view = crossRegionView(region, peers);
  if (view.incoming.length === 0 && view.outgoing.length === 0) return undefined;
  const exposed = new Map<string, RemoteService>();
  for (const s of view.incoming.flatMap((l) => l.services)) exposed.set(`${s.namespace}/${s.name}`, s);
  const remote: RemoteRoute[] = [];
  for (const link of view.outgoing) {
    if (region.cloud !== "aws" || !region.mesh.eastWestEndpointServices[link.callee.mesh.trustDomain]) continue;
    const endpoint = output(EAST_WEST_OUTPUT_IDS.endpoint(link.callee));
    for (const call of link.calls) {
      // (The config rules refuse a caller that is not a service of its region.)
      const caller = region.services.find((s) => `${s.namespace}/${s.serviceAccount ?? s.name}` === call.from);
      const service = link.services.find((s) => `${s.namespace}/${s.name}` === call.to);
      if (!caller || !service) continue;
      const route = { caller: { name: caller.name, namespace: caller.namespace }, callee: { name: link.callee.name, trustDomain: link.callee.mesh.trustDomain }, service, endpoint, endpointCidrs: [...region.network.subnets.endpoints] };
      // One route per caller workload and service, however many of its calls reach it.
      if (!remote.some((r) => r.caller.name === caller.name && r.caller.namespace === caller.namespace && remoteName(r) === remoteName(route))) remote.push(route);
    }
  }
  return {
    exposed: [...exposed.keys()].sort().map((k) => exposed.get(k)!),
    loadBalancerCidrs: view.incoming.length > 0 && region.cloud === "aws" ? [...region.network.subnets.endpoints] : [],
    callerTrustDomains: [...new Set(view.incoming.map((l) => l.caller.mesh.trustDomain))].sort(),
    remote: remote.sort((a, b) => byCodeUnits(remoteName(a), remoteName(b)) || byCodeUnits(a.caller.name, b.caller.name)),
  };
}

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The name of a remote service's ServiceEntry and DestinationRule in its caller's namespace: `east-west-<callee region>-<namespace>-<name>`. */
export function remoteName(route: Pick<RemoteRoute, "callee" | "service">): string {
  return `east-west-${route.callee.name}-${route.service.namespace}-${route.service.name}`;
}

/** The SNI the east-west gateway routes on: the callee's own outbound cluster of the service (`outbound_.<port>_._.<host>`). */
export function eastWestSni(service: Pick<RemoteService, "name" | "namespace" | "port">): string {
  return `outbound_.${service.port}_._.${localHost(service)}`;
}

/** The callee's SPIFFE identity of a service: the only server name its callers accept. */
export function calleeIdentity(route: Pick<RemoteRoute, "callee" | "service">): string {
  return `spiffe://${route.callee.trustDomain}/ns/${route.service.namespace}/sa/${route.service.serviceAccount}`;
}

/**
 * The east-west gateway's one server: TLS on 15443, passed through untouched (`AUTO_PASSTHROUGH`:
 * the SNI names the destination, the mTLS runs from the caller's sidecar to the callee's), for
 * exactly the services other regions call. Istio builds such a chain only for Istio's mTLS ALPNs
 * and adds no authorization to it: the callee's sidecar authorizes each call.
 */
export function eastWestGateway(design: Pick<EastWestDesign, "exposed">): IGateway {
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "Gateway",
    metadata: { name: "east-west", namespace: EAST_WEST_GATEWAY.namespace },
    spec: {
      selector: { ...EAST_WEST_GATEWAY.selector },
      servers: [{ port: { number: EAST_WEST_GATEWAY.port, name: "tls", protocol: "TLS" }, tls: { mode: "AUTO_PASSTHROUGH" }, hosts: design.exposed.map(localHost) }],
    },
  };
}

/** The remote routes once per caller namespace and service (a ServiceEntry and a DestinationRule serve all the namespace's callers). */
function routesByNamespace(design: Pick<EastWestDesign, "remote">): RemoteRoute[] {
  const byKey = new Map<string, RemoteRoute>();
  for (const r of design.remote) if (!byKey.has(`${r.caller.namespace} ${remoteName(r)}`)) byKey.set(`${r.caller.namespace} ${remoteName(r)}`, r);
  return [...byKey.values()];
}

/**
 * Per caller namespace and remote service, the host its callers address (`<name>.<namespace>.<callee's
 * trust domain>`: no local Service has it), on the service's port, whose one endpoint is the
 * interface endpoint on the east-west port; inside the mesh (mTLS by the DestinationRule),
 * exported to that namespace only. The sidecars answer its DNS name (DNS capture) with the address
 * istiod allocates it.
 */
export function remoteServiceEntries(design: Pick<EastWestDesign, "remote">): IServiceEntry[] {
  return routesByNamespace(design).map((r) => ({
    apiVersion: "networking.istio.io/v1",
    kind: "ServiceEntry",
    metadata: { name: remoteName(r), namespace: r.caller.namespace },
    spec: {
      hosts: [remoteHost(r.callee.trustDomain, r.service)],
      ports: [{ number: r.service.port, name: `http-${r.service.port}`, protocol: "HTTP" }],
      location: "MESH_INTERNAL",
      resolution: "DNS",
      endpoints: [{ address: r.endpoint, ports: { [`http-${r.service.port}`]: EAST_WEST_GATEWAY.port } }],
      exportTo: ["."],
    },
  }));
}

/**
 * Per remote ServiceEntry, Istio's mutual TLS with the SNI the callee's gateway routes on and the
 * callee service's identity as the only server name accepted: the gateway cannot read or redirect
 * the call, and nothing but that service can answer it.
 */
export function remoteDestinationRules(design: Pick<EastWestDesign, "remote">): IDestinationRule[] {
  return routesByNamespace(design).map((r) => ({
    apiVersion: "networking.istio.io/v1",
    kind: "DestinationRule",
    metadata: { name: remoteName(r), namespace: r.caller.namespace },
    spec: {
      host: remoteHost(r.callee.trustDomain, r.service),
      exportTo: ["."],
      trafficPolicy: {
        tls: { mode: "ISTIO_MUTUAL", sni: eastWestSni(r.service), subjectAltNames: [calleeIdentity(r)] },
        // The NLB and the endpoint drop a flow idle for 350 s without a word: keepalives hold the
        // pooled connections open, and Envoy closes an idle one first, not the path under it.
        connectionPool: { tcp: { tcpKeepalive: { time: "60s", interval: "20s", probes: 3 } }, http: { idleTimeout: "300s" } },
      },
    },
  }));
}

/**
 * Per calling workload, its proxies answer its DNS (ISTIO_META_DNS_CAPTURE, read at injection and
 * by Istio CNI from the proxy's environment): a remote service's host is known to the mesh only,
 * not to the cluster's DNS. Only the callers' pods; a pod takes it when it starts.
 */
export function dnsCaptureConfigs(design: Pick<EastWestDesign, "remote">): IProxyConfig[] {
  const callers = new Map<string, RemoteRoute["caller"]>();
  for (const r of design.remote) callers.set(`${r.caller.namespace}/${r.caller.name}`, r.caller);
  return [...callers.keys()].sort().map((k) => {
    const c = callers.get(k)!;
    return {
      apiVersion: "networking.istio.io/v1beta1",
      kind: "ProxyConfig",
      metadata: { name: `dns-capture-${c.name}`, namespace: c.namespace },
      spec: { selector: { matchLabels: { [CALLER_LABEL]: c.name } }, environmentVariables: { ISTIO_META_DNS_CAPTURE: "true" } },
    };
  });
}

/** The label a calling workload's pods carry (the mesh's workload label). */
const CALLER_LABEL = "app";

/** The mesh's objects of the path: the east-west Gateway where calls come in, the callers' ServiceEntries, DestinationRules and DNS capture. */
export function eastWestManifests(design: EastWestDesign | undefined): (IGateway | IServiceEntry | IDestinationRule | IProxyConfig)[] {
  if (!design) return [];
  return [...(design.exposed.length > 0 ? [eastWestGateway(design)] : []), ...remoteServiceEntries(design), ...remoteDestinationRules(design), ...dnsCaptureConfigs(design)];
}

/**
 * The east-west gateway's Service: node ports the east-west NLB reaches (instance targets), its TLS
 * and Istio's readiness endpoint, each connection kept on the node it reached.
 */
export const EAST_WEST_SERVICE = {
  type: "NodePort",
  externalTrafficPolicy: "Local",
  ports: [
    { name: "status-port", port: 15021, targetPort: 15021, nodePort: EAST_WEST_GATEWAY.nodePorts.status, protocol: "TCP" },
    { name: "tls", port: EAST_WEST_GATEWAY.port, targetPort: EAST_WEST_GATEWAY.port, nodePort: EAST_WEST_GATEWAY.nodePorts.tls, protocol: "TCP" },
  ],
} as const;

/** Helm values of the east-west gateway: two pods a zone apart on the node ports above. */
export function eastWestGatewayValues(): Record<string, unknown> {
  return gatewayChartValues(EAST_WEST_GATEWAY.replicas, EAST_WEST_SERVICE, EAST_WEST_GATEWAY.selector);
}
