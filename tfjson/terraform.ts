/**
 * Reading synthesized Terraform JSON (snake_case, as Terraform reads it): resources of a type,
 * references, nested blocks, every string with its path. Imports nothing of the blueprint.
 */

/** A synthesized Terraform JSON document, or any part of one. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TfJson = Record<string, any>;

/** `[name, body]` of every resource of a type (empty when there is none). */
export function resourcesOf(json: TfJson, type: string): [string, TfJson][] {
  return Object.entries((json.resource?.[type] ?? {}) as Record<string, TfJson>);
}

/** The body of the named resource of a type, undefined where the stack has no such resource (or no name is given). */
export function resourceNamed(json: TfJson, type: string, name: string | undefined): TfJson | undefined {
  return name === undefined ? undefined : json.resource?.[type]?.[name];
}

/** One attribute of the named resource of a type, undefined where the stack has no such resource (or no name is given). */
export function attributeOf(json: TfJson, type: string, name: string | undefined, attr: string): unknown {
  return resourceNamed(json, type, name)?.[attr];
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

export function asList<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** A list argument (or a single value) as sorted strings, for comparing sets of names and ranges. */
export function sortedStrings(value: unknown): string[] {
  return asList(value as unknown[] | undefined).map(String).sort();
}

/** The first (or only) element of a nested block, `{}` when absent: cdktf writes single blocks as objects, Terraform as lists. */
export function one(value: unknown): TfJson {
  return (asList(value as TfJson | TfJson[])[0] ?? {}) as TfJson;
}

/** A boolean argument, written as a boolean or (in some blocks) as the string "true". */
export function truthy(value: unknown): boolean {
  return value === true || value === "true";
}

/** The resource name in a reference `${type.name.attr}` (the inverse of `ref`), or undefined. */
export function refName(value: unknown, type: string, attr: string): string | undefined {
  const m = /^\$\{([^.]+)\.([^.]+)\.([^.}]+)\}$/.exec(String(value));
  return m && m[1] === type && m[3] === attr ? m[2] : undefined;
}

/** The resources a resource waits for, as `type.name`: its depends_on and the resources its arguments reference. */
export function waitsFor(body: TfJson): Set<string> {
  const out = new Set(asList<string>(body.depends_on).map((d) => d.replace(/^\$\{|\}$/g, "")));
  for (const m of JSON.stringify(body).matchAll(/\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\./g)) out.add(`${m[1]}.${m[2]}`);
  return out;
}

export function preventsDestroy(body: TfJson): boolean {
  return body.lifecycle?.prevent_destroy === true;
}

/** JSON with object keys sorted (the synthesized JSON sorts them; the model does not). */
const canonical = (x: unknown): string =>
  JSON.stringify(x, (_k, value: unknown) =>
    value && typeof value === "object" && !Array.isArray(value) ? Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : value,
  );

/**
 * True when two JSON values are equal whatever the order of object keys: when their JSON with keys
 * sorted is the same. Plain JSON (strings, finite numbers, booleans, null, arrays and plain objects
 * of them) is compared in place; anything else (undefined, a toJSON, a non-finite number...) by
 * the JSON itself. The guardrails compare this way about 70 times a stack.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  const plain = plainEqual(a, b);
  return plain === NOT_PLAIN ? canonical(a) === canonical(b) : plain;
}

const NOT_PLAIN = Symbol("not plain JSON");

/** Equality of plain JSON values, whatever the order of keys, or NOT_PLAIN at the first value that is not. */
function plainEqual(a: unknown, b: unknown): boolean | typeof NOT_PLAIN {
  const kind = plainKind(a);
  if (kind === undefined || plainKind(b) === undefined) return NOT_PLAIN;
  if (kind !== plainKind(b)) return false;
  if (kind === "array") {
    const [x, y] = [a as unknown[], b as unknown[]];
    let equal = x.length === y.length;
    for (let i = 0; i < Math.max(x.length, y.length); i++) {
      const r = i < x.length && i < y.length ? plainEqual(x[i], y[i]) : plainKind(i < x.length ? x[i] : y[i]) === undefined ? NOT_PLAIN : false;
      if (r === NOT_PLAIN) return NOT_PLAIN;
      equal &&= r;
    }
    return equal;
  }
  if (kind === "object") {
    const [x, y] = [a as Record<string, unknown>, b as Record<string, unknown>];
    // The keys JSON writes: own and enumerable.
    const [kx, ky] = [Object.keys(x), Object.keys(y)];
    const [inX, inY] = [new Set(kx), new Set(ky)];
    let equal = kx.length === ky.length;
    for (const k of kx) {
      const r = inY.has(k) ? plainEqual(x[k], y[k]) : plainKind(x[k]) === undefined ? NOT_PLAIN : false;
      if (r === NOT_PLAIN) return NOT_PLAIN;
      equal &&= r;
    }
    // A key of y's alone that holds no plain value: the JSON decides.
    if (equal) return true;
    for (const k of ky) if (!inX.has(k) && plainKind(y[k]) === undefined) return NOT_PLAIN;
    return false;
  }
  return a === b;
}

/** The kind of a plain JSON value, or undefined for anything JSON.stringify would change or drop. */
function plainKind(v: unknown): "scalar" | "array" | "object" | undefined {
  switch (typeof v) {
    case "string":
    case "boolean":
      return "scalar";
    case "number":
      return Number.isFinite(v) ? "scalar" : undefined;
    case "object":
      if (v === null) return "scalar";
      if (Array.isArray(v)) return Object.getPrototypeOf(v) === Array.prototype && typeof (v as { toJSON?: unknown }).toJSON !== "function" ? "array" : undefined;
      return Object.getPrototypeOf(v) === Object.prototype && typeof (v as { toJSON?: unknown }).toJSON !== "function" ? "object" : undefined;
    default:
      return undefined;
  }
}
/** The first path where two JSON values differ (`(root)` when their kinds differ at the top), or undefined when they are the same. */
export function firstDifference(got: unknown, want: unknown, path = ""): string | undefined {
  if (sameJson(got, want)) return undefined;
  if (got && want && typeof got === "object" && typeof want === "object" && Array.isArray(got) === Array.isArray(want)) {
    const keys = [...new Set([...Object.keys(got), ...Object.keys(want)])];
    for (const k of keys) {
      const d = firstDifference((got as Record<string, unknown>)[k], (want as Record<string, unknown>)[k], Array.isArray(got) ? `${path}[${k}]` : `${path}.${k}`);
      if (d !== undefined) return d;
    }
  }
  return path || "(root)";
}

/** Every string in a JSON value with its path of keys. */
export function walkStrings(value: unknown, path: string[], visit: (path: readonly string[], value: string) => void): void {
  if (indexed && value === indexed.root && path.length === 0) {
    if (indexed.values) replay(indexed, visit);
    else indexStrings(indexed, visit);
    return;
  }
  walkEach(value, path, visit);
}

/** walkStrings itself: one path array, pushed and popped (`visit` must copy it to keep it). */
function walkEach(value: unknown, path: string[], visit: (path: readonly string[], value: string) => void): void {
  if (typeof value === "string") visit(path, value);
  else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      path.push(String(i));
      walkEach(value[i], path, visit);
      path.pop();
    }
  } else if (value && typeof value === "object") {
    for (const k of Object.keys(value)) {
      if (k === "//") continue;
      path.push(k);
      walkEach((value as Record<string, unknown>)[k], path, visit);
      path.pop();
    }
  }
}

/**
 * The strings of one JSON value in walkStrings' order: each one's value, and its path as the
 * length it keeps of the previous string's path and the keys after that.
 */
interface StringIndex {
  readonly root: unknown;
  values?: string[];
  keep?: number[];
  suffixes?: string[][];
}

let indexed: StringIndex | undefined;

/**
 * Runs `f` with the strings of `root` indexed: inside it, `walkStrings(root, [], visit)` walks
 * `root` once and replays that walk to every later call (the guardrails walk each stack's strings
 * four times: about 3 ms of a region's synth). `root` must not change inside `f`.
 */
export function withStringIndex<T>(root: unknown, f: () => T): T {
  const outer = indexed;
  indexed = { root };
  try {
    return f();
  } finally {
    indexed = outer;
  }
}

/** walkStrings of the index's root, recording what replay needs while it visits. */
function indexStrings(index: StringIndex, visit: (path: readonly string[], value: string) => void): void {
  const values: string[] = [];
  const keep: number[] = [];
  const suffixes: string[][] = [];
  let last: readonly string[] = [];
  walkEach(index.root, [], (path, value) => {
    // How much of the path the last recorded string's path shares.
    let shared = 0;
    while (shared < path.length && shared < last.length && path[shared] === last[shared]) shared++;
    values.push(value);
    keep.push(shared);
    suffixes.push(path.slice(shared));
    last = [...path];
    visit(path, value);
  });
  Object.assign(index, { values, keep, suffixes });
}

function replay(index: StringIndex, visit: (path: readonly string[], value: string) => void): void {
  const { values, keep, suffixes } = index as Required<StringIndex>;
  const path: string[] = [];
  for (let i = 0; i < values.length; i++) {
    path.length = keep[i];
    for (const k of suffixes[i]) path.push(k);
    visit(path, values[i]);
  }
}

/** The address of a JSON path: `type.name` for a resource, the block otherwise. */
export function addressOf(path: readonly string[]): string {
  if (path[0] === "resource" || path[0] === "data") return `${path[0] === "data" ? "data." : ""}${path[1]}.${path[2]}`;
  return path.slice(0, path[0] === "provider" || path[0] === "variable" ? 2 : 3).join(".");
}

/** The capability a resource belongs to: the first construct under the stack (`Database`, `Eks`). */
export function capabilityOf(body: TfJson): string {
  const path = String(body["//"]?.metadata?.path ?? "");
  return path.split("/")[1] ?? "(stack)";
}

/** A value with its object keys in Terraform's snake_case, as cdktf writes the camelCase of a construct's arguments. */
export function snakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), snakeKeys(v)]));
}
