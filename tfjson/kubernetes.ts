/**
 * Reading an in-cluster stack's synthesized JSON: its Kubernetes manifests and the outputs of
 * `region-<name>` it reads.
 */
import { type TfJson, asList, resourcesOf } from "./terraform";

/** True when a kubernetes_manifest waits until its object reports the condition Ready True. */
export function waitsUntilReady(body: TfJson): boolean {
  return asList<TfJson>(asList<TfJson>(body.wait)[0]?.condition).some((c) => c.type === "Ready" && c.status === "True");
}

/**
 * Every Kubernetes object of a stack's `kubernetes_manifest`s, with its Terraform address; an empty
 * object where a resource has none (a rule then reports an object of no known kind).
 */
export function manifestsOf(json: TfJson): [string, TfJson][] {
  return resourcesOf(json, "kubernetes_manifest").map(([n, r]) => [`kubernetes_manifest.${n}`, (r.manifest ?? {}) as TfJson]);
}

/** `data.terraform_remote_state.<n>.outputs.<id>` of the one remote state an in-cluster stack reads, or undefined. */
export function regionOutput(json: TfJson, id: string): string | undefined {
  const remote = Object.keys((json.data?.terraform_remote_state ?? {}) as Record<string, TfJson>);
  return remote.length === 1 ? `\${data.terraform_remote_state.${remote[0]}.outputs.${id}}` : undefined;
}
