/**
 * Reading a region's mesh declarations (`mesh.calls`), for the config rules, the mesh model, the
 * guardrails and the reports alike.
 */

/** True when the call's caller runs in another region (another trust domain). */
export function isRemote(mesh: { readonly trustDomain: string }, call: { readonly fromTrustDomain?: string }): boolean {
  return call.fromTrustDomain !== undefined && call.fromTrustDomain !== mesh.trustDomain;
}

/** An Istio path that matches every path: `*`, or a prefix match on `/`. */
export function matchesAllPaths(path: string): boolean {
  return path === "*" || path === "/*";
}
