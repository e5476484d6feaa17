/** The mesh's call graph as Mermaid lines: declared calls, or the calls the ALLOW policies admit. */
import { isRemote } from "../config/mesh";
import type { StackView } from "../guardrails/rule";
import { TfJson, asList } from "../tfjson/terraform";
import { manifestsOf } from "../tfjson/kubernetes";
import type { Diagram } from "./diagram";
import { nodeId } from "./markdown";
import type { MeshCall } from "../model/mesh/policies";
import { EDGE_NAMESPACE, PARTNER_GATEWAY_IDENTITY as GATEWAY_IDENTITY, isEdgeCall } from "../model/mesh/edge";

/** True when the call comes through the partner gateway (declared from a partner, or read back from its principal). */
function throughGateway(c: Call): boolean {
  return isEdgeCall(c) || (c.fromTrustDomain === undefined && c.from === GATEWAY_IDENTITY);
}

/** A call the mesh admits: the model's declared call, read back from the policies or the region file. */
export type Call = MeshCall;

/** The calls the synthesized ALLOW policies admit (what the mesh stack will enforce). */
export function callsFromPolicies(json: TfJson, trustDomain: string): Call[] {
  return manifestsOf(json)
    // (The partner gateway's own policy admits partners by host, not mesh callers.)
    .filter(([, m]) => m.kind === "AuthorizationPolicy" && m.spec?.action === "ALLOW" && m.metadata?.namespace !== EDGE_NAMESPACE)
    .flatMap(([, m]) =>
      asList<TfJson>(m.spec.rules).map((r) => ({
        ...(() => {
          const p = String(asList(r.from?.[0]?.source?.principals)[0] ?? "?");
          const [td, rest] = p.split("/ns/");
          return { from: String(rest ?? p).replace("/sa/", "/"), ...(td !== trustDomain ? { fromTrustDomain: td } : {}) };
        })(),
        to: `${m.metadata?.namespace}/${m.spec.selector?.matchLabels?.app}`,
        methods: asList<string>(r.to?.[0]?.operation?.methods),
        paths: asList<string>(r.to?.[0]?.operation?.paths),
      })),
    );
}

/** The services of the region and the calls' targets, in a box per namespace (merchant namespaces marked). */
export function drawServices(d: Diagram, view: StackView, calls: readonly Call[]): void {
  const { region } = view;
  const namespaces = new Map<string, Set<string>>();
  const add = (ns: string, name: string) => namespaces.set(ns, (namespaces.get(ns) ?? new Set()).add(name));
  for (const s of region.services) add(s.namespace, s.name);
  for (const c of calls) {
    const [ns, name] = c.to.split("/");
    add(ns, name);
  }
  const merchants = new Set(region.mesh.merchantNamespaces);
  if (calls.some(throughGateway)) {
    d.box(`ns_${EDGE_NAMESPACE}`, `namespace ${EDGE_NAMESPACE}`, () => d.node(serviceNode(GATEWAY_IDENTITY), "partner gateway (partners' mutual TLS)"));
  }
  for (const ns of [...namespaces.keys(), ...region.mesh.merchantNamespaces.filter((m) => !namespaces.has(m))].sort()) {
    // The merchant mark is on the nodes, not the box's title: a title wider than the box's content
    // is drawn sticking out of the boxes around it (Mermaid's ELK layout sizes a box by its content).
    const mark = merchants.has(ns) ? " (merchant, isolated)" : "";
    d.box(`ns_${ns}`, `namespace ${ns}`, () => {
      const names = [...(namespaces.get(ns) ?? [])].sort();
      if (names.length === 0) d.node(`ns_${ns}_empty`, `no services yet${mark}`);
      for (const n of names) d.node(serviceNode(`${ns}/${n}`), `${n}${mark}`);
    });
  }
}

/** The node id of a service, `namespace/name`. */
export function serviceNode(ref: string): string {
  return `svc_${nodeId(ref)}`;
}

/** The node of a caller in another region's mesh (another trust domain). */
function remoteNode(c: Call): string {
  return `remote_${nodeId(`${c.fromTrustDomain}/${c.from}`)}`;
}

/** The callers of other regions (drawn wherever the layer puts other regions). Returns how many. */
export function drawRemoteCallers(d: Diagram, view: StackView, calls: readonly Call[]): number {
  const remote = calls.filter((c) => isRemote(view.region.mesh, c));
  for (const c of remote) if (!d.has(remoteNode(c))) d.node(remoteNode(c), `${c.from} in ${c.fromTrustDomain}`, "party");
  return remote.length;
}

/** Each call as a traffic edge, caller → callee, after drawServices and drawRemoteCallers. */
export function drawCalls(d: Diagram, view: StackView, calls: readonly Call[], admittedBy: string): void {
  const { region } = view;
  const byIdentity = (ref: string) => region.services.find((s) => `${s.namespace}/${s.serviceAccount ?? s.name}` === ref);
  for (const c of calls) {
    const from = byIdentity(c.from);
    const source = isRemote(region.mesh, c) ? remoteNode(c) : throughGateway(c) ? serviceNode(GATEWAY_IDENTITY) : serviceNode(from ? `${from.namespace}/${from.name}` : c.from);
    d.edge("traffic", source, serviceNode(c.to), `mTLS ${c.methods.join(",")} ${c.paths.join(",")} (${admittedBy})`);
  }
}
