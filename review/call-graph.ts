/** The mesh's call graph as Mermaid lines: declared calls, or the calls the ALLOW policies admit. */
import { isRemote } from "../config/mesh";
import type { StackView } from "../guardrails/rule";
import { TfJson, asList } from "../tfjson/terraform";
import { manifestsOf } from "../tfjson/kubernetes";
import { label, nodeId } from "./markdown";
import type { MeshCall } from "../model/mesh/policies";

/** A call the mesh admits: the model's declared call, read back from the policies or the region file. */
export type Call = MeshCall;

/** The calls the synthesized ALLOW policies admit (what the mesh stack will enforce). */
export function callsFromPolicies(json: TfJson, trustDomain: string): Call[] {
  return manifestsOf(json)
    .filter(([, m]) => m.kind === "AuthorizationPolicy" && m.spec?.action === "ALLOW")
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

/** The call graph, as Mermaid lines (services grouped by namespace). */
export function callGraph(view: StackView, calls: readonly Call[], indent: string): string[] {
  const { region } = view;
  const svc = (ref: string) => `svc_${nodeId(ref)}`;
  const byIdentity = (ref: string) => region.services.find((s) => `${s.namespace}/${s.serviceAccount ?? s.name}` === ref);
  const namespaces = new Map<string, Set<string>>();
  const add = (ns: string, name: string) => namespaces.set(ns, (namespaces.get(ns) ?? new Set()).add(name));
  for (const s of region.services) add(s.namespace, s.name);
  for (const c of calls) {
    const [ns, name] = c.to.split("/");
    add(ns, name);
  }
  const lines: string[] = [];
  const merchants = new Set(region.mesh.merchantNamespaces);
  for (const ns of [...namespaces.keys(), ...region.mesh.merchantNamespaces.filter((m) => !namespaces.has(m))].sort()) {
    lines.push(`${indent}subgraph ns_${nodeId(ns)}[${label(`namespace ${ns}${merchants.has(ns) ? " (merchant, isolated)" : ""}`)}]`);
    const names = [...(namespaces.get(ns) ?? [])].sort();
    if (names.length === 0) lines.push(`${indent}  ns_${nodeId(ns)}_empty[${label("no services yet")}]`);
    for (const n of names) lines.push(`${indent}  ${svc(`${ns}/${n}`)}[${label(n)}]`);
    lines.push(`${indent}end`);
  }
  for (const c of calls) {
    const remote = isRemote(region.mesh, c);
    const from = remote ? undefined : byIdentity(c.from);
    const source = remote ? `remote_${nodeId(`${c.fromTrustDomain}/${c.from}`)}` : svc(from ? `${from.namespace}/${from.name}` : c.from);
    if (remote) lines.push(`${indent}${source}([${label(`${c.from} in ${c.fromTrustDomain}`)}])`);
    lines.push(`${indent}${source} -->|${label(`mTLS ${c.methods.join(",")} ${c.paths.join(",")}`)}| ${svc(c.to)}`);
  }
  return lines;
}
