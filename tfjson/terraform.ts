/** Reading synthesized Terraform JSON (snake_case, as Terraform reads it). */

/** A synthesized Terraform JSON document, or any part of one. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TfJson = Record<string, any>;

/** `[name, body]` of every resource of a type (empty when there is none). */
export function resourcesOf(json: TfJson, type: string): [string, TfJson][] {
  return Object.entries((json.resource?.[type] ?? {}) as Record<string, TfJson>);
}

/** The Terraform reference string `${type.name.attr}`. */
export function ref(type: string, name: string, attr: string): string {
  return `\${${type}.${name}.${attr}}`;
}

/** Every resource of the stack: `[type, name, body]`, sorted by address. */
export function allResources(json: TfJson): [string, string, TfJson][] {
  return Object.entries((json.resource ?? {}) as Record<string, Record<string, TfJson>>)
    .flatMap(([type, byName]) => Object.entries(byName).map(([name, body]) => [type, name, body] as [string, string, TfJson]))
    .sort(([ta, na], [tb, nb]) => (`${ta}.${na}` < `${tb}.${nb}` ? -1 : 1));
}
