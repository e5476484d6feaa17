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
export function remoteHost(link: Pick<CrossRegionLink, "callee">, service: Pick<RemoteService, "name" | "namespace">): string {
  return `${service.name}.${service.namespace}.${link.callee.mesh.trustDomain}`;
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
  nodePorts: { tls: 31443, status: 31022 },
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
