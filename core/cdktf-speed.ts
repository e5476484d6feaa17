/**
 * Changes to how cdktf 0.21 spends its time, found with `npm run bench -- --profile` (see
 * bench/RESULTS.md). They leave the synthesized output byte-identical (the snapshot tests, and a
 * test that resolves every shipped stack both ways and compares). cdktf is archived, so these
 * private modules will not move under us; the tests fail if they ever do.
 *
 * 1. cdktf records a complete stack trace whenever it creates a token (every reference, every
 *    attribute of a resource), only to decorate the error about a token that cannot be resolved.
 *    That was a third of synth (1.35 s of 4.0 s for 16 regions). Off, unless
 *    BLUEPRINT_TOKEN_TRACES=1 (when an unresolvable token needs finding).
 * 2. cdktf resolves every value of every resource through its generic resolver (a new context and
 *    a token test per string, number, array and object), though most values hold no token. A fast
 *    path copies what holds no token and hands every token, and every container that cdktf treats
 *    specially (list and map tokens, resolvables, constructs), to cdktf's own resolver.
 *    BLUEPRINT_CDKTF_RESOLVE=1 keeps cdktf's resolver for everything, and turns off the two below.
 * 3. A construct's path is computed once (constructs rebuilds it from the chain of scopes at every
 *    read), and cdktf's keysToSnakeCase converts each key once per process (the same code).
 *
 * And one guard that the blueprint's stacks need because they skip cdktf's "preparing" pass (see
 * BlueprintStack.prepareStack): a reference or a depends_on from one blueprint stack to a resource
 * of another throws, naming both. Without the pass, cdktf would write the other stack's address as
 * if it were local, and since every region's stacks use the same addresses, it would silently
 * point at this stack's own resource of that name.
 */
import * as path from "path";

const CDKTF_LIB = path.dirname(require.resolve("cdktf"));
/** Where cdktf captures the token creation stacks. */
export const TOKEN_TRACES_MODULE = path.join(CDKTF_LIB, "tokens", "private", "stack-trace.js");
/** The `resolve` that TerraformStack.toTerraform calls for every element. */
export const RESOLVE_MODULE = path.join(CDKTF_LIB, "_tokens.js");

/** Set on every BlueprintStack: the stacks the cross-stack guard applies to. */
export const BLUEPRINT_STACK = Symbol.for("pci-blueprint.stack");

/* eslint-disable @typescript-eslint/no-require-imports */
// Required by literal names (not the paths above), so that a bundler (scripts/run-ts.cjs) patches
// the same module objects cdktf's own code uses.
const traces = require("cdktf/lib/tokens/private/stack-trace.js") as { captureStackTrace?: (below?: unknown) => string[] };
const cdktfCaptureStackTrace = traces.captureStackTrace;
if (typeof cdktfCaptureStackTrace !== "function") throw new Error(`${TOKEN_TRACES_MODULE} has no captureStackTrace: cdktf's internals changed; review core/cdktf-speed.ts.`);
/** No creation stack for a token (cdktf formats the whole stack for each, and most are never read). */
const noTrace = (): string[] => [];
// Before cdktf's other modules load: tfExpression.js makes tokens as it loads, and in the tests a
// stack formatted then is a stack of jest's module loader, source-mapped (a second per run).
if (process.env.BLUEPRINT_TOKEN_TRACES !== "1") traces.captureStackTrace = noTrace;
type Resolve = (scope: unknown, obj: unknown, preparing?: boolean) => unknown;
const tokens = require("cdktf/lib/_tokens.js") as { resolve?: Resolve };
const encoding = require("cdktf/lib/tokens/private/encoding.js") as {
  TokenString: { forNumbers(s: string): { test(): boolean }; forListToken(s: string): { test(): boolean } };
  extractTokenDouble(x: number, list: boolean): unknown;
};
const { TokenMap } = require("cdktf/lib/tokens/private/token-map.js") as { TokenMap: { instance(): { stringTokenMap: Map<string, object> } } };
if (!(TokenMap.instance().stringTokenMap instanceof Map)) throw new Error("cdktf's TokenMap has no stringTokenMap: cdktf's internals changed; review core/cdktf-speed.ts.");
const { Tokenization } = require("cdktf/lib/tokens/token.js") as { Tokenization: { isResolvable(x: unknown): boolean; reverseString(s: string): { firstToken?: object } } };
const expressions = require("cdktf/lib/tfExpression.js") as { ref(identifier: string): object; dependable(d: { fqn: string }): string };
const { TerraformStack } = require("cdktf") as { TerraformStack: { of(c: unknown): { node: { id: string } }; isStack(x: unknown): boolean } };
const { Node } = require("constructs") as { Node: { prototype: object } };
type KeysToSnakeCase = (object: unknown) => unknown;
const util = require("cdktf/lib/util.js") as { snakeCase(s: string): string; keysToSnakeCase?: KeysToSnakeCase; deepMerge(target: unknown, ...sources: unknown[]): unknown };
const { TerraformElement } = require("cdktf/lib/terraform-element.js") as { TerraformElement: { isTerraformElement(x: unknown): boolean } };
const { TerraformOutput } = require("cdktf/lib/terraform-output.js") as { TerraformOutput: { isTerraformOutput(x: unknown): boolean } };
/* eslint-enable @typescript-eslint/no-require-imports */

if (typeof tokens.resolve !== "function") throw new Error(`${RESOLVE_MODULE} has no resolve: cdktf's internals changed; review core/cdktf-speed.ts.`);
const cdktfResolve = tokens.resolve;

/** Marks the only places a string can hold a token (cdktf's string, list and map markers). */
const TOKEN_MARKER = "TfToken[";
/** cdktf's placeholders for map tokens in scalar context: cdktf refuses them, so they go to it. */
const MAP_TOKEN_SENTINELS: readonly unknown[] = ["String Map Token Value", "Any Map Token Value", -123456789];
// A number token is a double of magnitude about 1e+289: in a string, always an "e+" exponent.
const hasNumberToken = (s: string) => s.includes("e+") && encoding.TokenString.forNumbers(s).test();
/**
 * cdktf's test of a number token (extractTokenDouble, two buffers per number), behind a cheaper one:
 * the marker is the top 16 bits of the double, 0xfdff or 0xfbff (negative, exponent 2015 or 1983),
 * so a token is below -2^960 (about -9.7e288).
 */
const isTokenDouble = (x: number, list: boolean) => x < -1e280 && encoding.extractTokenDouble(x, list) !== undefined;

/**
 * cdktf's resolve, with the fast path: a value that holds no token comes back as cdktf would return
 * it (the same scalars; arrays and objects copied without their `undefined` entries).
 */
function fastResolve(scope: unknown, obj: unknown, preparing = false, trusted?: ReadonlySet<object>): unknown {
  try {
    return fastResolveValue(scope, obj, preparing, trusted);
  } catch {
    // cdktf's own resolver gives the error it would have given, with the path of the value (or
    // its answer, which nothing here inspects).
    notPlain.count++;
    return cdktfResolve(scope, obj, preparing);
  }
}

function fastResolveValue(scope: unknown, obj: unknown, preparing: boolean, trusted?: ReadonlySet<object>): unknown {
  fastResolveCalls.count++;
  // cdktf's resolver for a token: what it returns may hold anything (a Date, say), which the stack's
  // merge must copy as cdktf's deepMerge does (resolveFragment).
  const viaCdktf = (value: unknown): unknown => {
    const r = cdktfResolve(scope, value, preparing);
    if (typeof r === "object" && r !== null) notPlain.count++;
    return r;
  };
  const resolve = (value: unknown): unknown => {
    switch (typeof value) {
      case "undefined":
      case "boolean":
        return value;
      case "string":
        // A reference and nothing else (most tokens): what cdktf would make of it, if that is certain.
        if (value.includes(TOKEN_MARKER)) return (preparing ? undefined : wholeReference(scope, value)) ?? viaCdktf(value);
        // A number token concatenated into a string; a map token's placeholder.
        return hasNumberToken(value) || MAP_TOKEN_SENTINELS.includes(value) ? viaCdktf(value) : value;
      case "number":
        return isTokenDouble(value, false) || isTokenDouble(value, true) || MAP_TOKEN_SENTINELS.includes(value) ? viaCdktf(value) : value;
      case "object": {
        if (value === null) return value;
        if (value instanceof Date) {
          notPlain.count++;
          return value;
        }
        // Already resolved, and merged as it was (fastStackToTerraform).
        if (trusted?.has(value)) return value;
        if (Array.isArray(value)) {
          // cdktf's containsStringListTokenElement and containsNumberListTokenElement, each test behind its cheap condition.
          if (value.some((x) => (typeof x === "string" && x.includes(TOKEN_MARKER) && encoding.TokenString.forListToken(x).test()) || (typeof x === "number" && isTokenDouble(x, true)))) {
            return viaCdktf(value);
          }
          const out: unknown[] = [];
          for (const x of value) {
            const r = resolve(x);
            if (r !== undefined) out.push(r);
          }
          return out;
        }
        const keys = Object.keys(value);
        // Tokens, map tokens, tokens as keys and constructs (which cdktf refuses) are cdktf's.
        if (Tokenization.isResolvable(value) || keys.some((k) => k.includes(TOKEN_MARKER) || hasNumberToken(k)) || ("_children" in value && "_metadata" in value)) return viaCdktf(value);
        const out: Record<string, unknown> = {};
        for (const k of keys) {
          const r = resolve((value as Record<string, unknown>)[k]);
          if (r !== undefined) out[k] = r;
        }
        return out;
      }
      default:
        // Functions and anything else: cdktf's resolver says what is wrong with them.
        return viaCdktf(value);
    }
  };
  return resolve(obj);
}

/** A string that is one string token and nothing around it (cdktf's STRING_TOKEN_REGEX, anchored). */
const WHOLE_STRING_TOKEN = /^\$\{TfToken\[([a-zA-Z0-9:._-]+)\]\}$/;

/**
 * What cdktf's resolver makes of a string that is one reference (`${TfToken[TOKEN.12]}` for
 * `key.arn`), outside the preparing pass, or undefined when that is not certain (then cdktf
 * resolves it). cdktf splits the string into its one token, resolves the token in a new context
 * (Reference.resolve, the cross-stack guard included: `${identifier}`, braces since nothing
 * suppresses them), resolves what that returns once more (nothing to do for a string with no token)
 * and joins the one fragment: about ten regular expressions and as many small objects for each of
 * a region's 750 token strings. Anything else (other token kinds, literals around the token, an
 * identifier that itself holds a token) goes to cdktf.
 */
function wholeReference(scope: unknown, value: string): string | undefined {
  const m = WHOLE_STRING_TOKEN.exec(value);
  // The map of the moment (cdktf keeps it on the global object).
  const token = m ? TokenMap.instance().stringTokenMap.get(m[1]) : undefined;
  if (!token || Object.getPrototypeOf(token) !== referenceProto) return undefined;
  const resolved = (token as { resolve(c: Context): unknown }).resolve({ scope, preparing: false, suppressBraces: undefined });
  if (typeof resolved !== "string" || resolved.includes(TOKEN_MARKER) || hasNumberToken(resolved) || MAP_TOKEN_SENTINELS.includes(resolved)) return undefined;
  return resolved;
}

/**
 * A stack's `toTerraform()`, as cdktf 0.21's TerraformStack writes it (the same steps, in the same
 * order), less two copies of everything: cdktf merges each element's resolved JSON into the stack's
 * by copying it value by value, then resolves the whole once more, which copies it again. Here a
 * resolved element's object goes in as it is where the stack has nothing under that key yet, and
 * the last resolve passes over those objects, unless the stack's own overrides (merged last, as
 * cdktf does) reach into them. The output is the same (a test compares every shipped stack with
 * cdktf's own, BLUEPRINT_CDKTF_RESOLVE=1).
 */
export function fastStackToTerraform(stack: CdktfStack): Record<string, unknown> {
  if (tokens.resolve !== fastResolve) return stack.cdktfToTerraform();
  const overrides = stack.rawOverrides;
  const tf: Record<string, unknown> = {};
  const metadata: Record<string, unknown> = {
    version: stack.cdktfVersion,
    stackName: stack.node.id,
    backend: "local",
    cloud: undefined,
    ...(Object.keys(overrides).length > 0 ? { overrides: { stack: Object.keys(overrides) } } : {}),
  };
  const elements = terraformElements(stack);
  const metadatas = elements.map((e) => fastResolve(stack, e.toMetadata()));
  for (const meta of metadatas) util.deepMerge(metadata, meta);
  const outputs = elements.reduce((carry: Record<string, unknown>, item) => {
    if (!TerraformOutput.isTerraformOutput(item)) return carry;
    util.deepMerge(
      carry,
      item.node.path.split("/").reduceRight((inner: Record<string, unknown>, part) => (Object.keys(inner).length === 0 ? { [part]: item.friendlyUniqueId } : { [part]: inner }), {}),
    );
    return carry;
  }, {});
  tf["//"] = { metadata, outputs };
  const trusted = new Set<object>();
  const fragments = elements.map((e) => resolveFragment(stack, e.toTerraform()));
  for (const { json, plain } of fragments) {
    if (plain) mergeResolved(tf, json, trusted);
    else util.deepMerge(tf, json);
  }
  untrustAlong(tf, overrides, trusted);
  util.deepMerge(tf, overrides);
  return fastResolve(stack, tf, false, trusted) as Record<string, unknown>;
}

/** How many values the fast path gave that may not be plain JSON: a Date passed through as it is (as cdktf's resolve does), an object from cdktf's resolver, or a whole value cdktf's resolver took over. */
const notPlain = { count: 0 };

/**
 * An element's JSON resolved, and whether it is plain JSON for sure (the fast path took it all,
 * passed no Date through, and no token resolved to an object): only then may it go into the stack's
 * JSON as it is. cdktf's deepMerge turns a Date into `{}`; what cdktf's resolver returns is not
 * inspected, but merged as cdktf merges it.
 */
function resolveFragment(stack: unknown, value: unknown): { json: Record<string, unknown>; plain: boolean } {
  const before = notPlain.count;
  const json = fastResolve(stack, value) as Record<string, unknown>;
  return { json, plain: notPlain.count === before };
}

/** What fastStackToTerraform reads of a stack (cdktf's TerraformStack; `cdktfToTerraform` is its own toTerraform). */
export interface CdktfStack {
  readonly node: { readonly id: string; readonly children: readonly unknown[] };
  readonly rawOverrides: Record<string, unknown>;
  readonly cdktfVersion: unknown;
  cdktfToTerraform(): Record<string, unknown>;
}

type Element = { toMetadata(): unknown; toTerraform(): unknown; node: { path: string; children: readonly unknown[] }; friendlyUniqueId: string };

/** cdktf's terraformElements: the stack's elements in tree order, not those of a stack inside it. */
function terraformElements(node: { node: { children: readonly unknown[] } }, into: Element[] = []): Element[] {
  if (TerraformElement.isTerraformElement(node)) into.push(node as unknown as Element);
  for (const child of node.node.children) {
    if (TerraformStack.isStack(child)) continue;
    terraformElements(child as Element, into);
  }
  return into;
}

/**
 * cdktf's deepMerge of a resolved element's JSON into the stack's, except that an object goes in
 * as it is (and is trusted to be resolved) where the stack has no object under its key: the same
 * keys and values as the copy deepMerge would make of it, since resolved JSON holds neither
 * `undefined` nor tokens.
 */
function mergeResolved(target: Record<string, unknown>, source: Record<string, unknown>, trusted: Set<object>): void {
  for (const key of Object.keys(source)) {
    const value = source[key];
    const here = target[key];
    if (typeof value === "object" && value !== null && !Array.isArray(value) && !Tokenization.isResolvable(value)) {
      if (typeof here !== "object") {
        target[key] = value;
        trusted.add(value);
      } else if (here === null) util.deepMerge(target, { [key]: value });
      else mergeResolved(here as Record<string, unknown>, value as Record<string, unknown>, trusted);
    } else util.deepMerge(target, { [key]: value });
  }
}

/** The objects the stack's overrides will be merged into (deepMerge follows their object values): resolved afresh. */
function untrustAlong(target: unknown, overrides: Record<string, unknown>, trusted: Set<object>): void {
  if (typeof target !== "object" || target === null) return;
  trusted.delete(target);
  for (const key of Object.keys(overrides)) {
    const value = overrides[key];
    if (typeof value === "object" && value !== null && !Array.isArray(value)) untrustAlong((target as Record<string, unknown>)[key], value as Record<string, unknown>, trusted);
  }
}

/** Counts the values the fast path resolved (the tests check it is the path in use). */
export const fastResolveCalls = { count: 0 };

type Context = { scope: unknown; preparing?: boolean; suppressBraces?: boolean };
const referenceProto = Object.getPrototypeOf(expressions.ref("x")) as { resolve(this: { originStack?: unknown; identifier: string; crossStackIdentifier: Record<string, string> }, c: Context): unknown };
const dependableProto = Object.getPrototypeOf(Tokenization.reverseString(expressions.dependable({ fqn: "x" })).firstToken!) as { resolve(this: { dependable: unknown }, c: Context): unknown };
const cdktfReferenceResolve = referenceProto.resolve;
const cdktfDependableResolve = dependableProto.resolve;

/** Throws when a blueprint stack is resolving a reference to another stack's construct. */
function refuseCrossStack(origin: unknown, context: Context, what: string): void {
  if (!origin) return;
  const here = TerraformStack.of(context.scope) as unknown as Record<symbol, unknown> & { node: { id: string } };
  if (!here[BLUEPRINT_STACK] || origin === here) return;
  throw new Error(
    `${here.node.id} references ${what} of ${(origin as { node: { id: string } }).node.id}: the blueprint's stacks do not reference each other's resources. Read what another stack provides through its outputs and a terraform_remote_state of your own (as region-<name>-istio reads region-<name>), or take the value from the region file`,
  );
}

referenceProto.resolve = function (context) {
  if (!context.preparing && !this.crossStackIdentifier[String(TerraformStack.of(context.scope))]) refuseCrossStack(this.originStack, context, this.identifier);
  return cdktfReferenceResolve.call(this, context);
};
dependableProto.resolve = function (context) {
  const target = this.dependable as { node?: unknown; fqn?: string };
  if (target && target.node) refuseCrossStack(TerraformStack.of(target), context, `${target.fqn} (depends_on)`);
  return cdktfDependableResolve.call(this, context);
};

/**
 * A construct's path (`region-eu/Keys/Database`), computed once: constructs builds it from the
 * chain of scopes at every read, and cdktf reads it for every resource's metadata and every
 * reference's string. A node's id and scope never change, so neither does its path.
 */
const pathDescriptor = Object.getOwnPropertyDescriptor(Node.prototype, "path");
if (!pathDescriptor?.get) throw new Error("constructs' Node has no path getter: review core/cdktf-speed.ts.");
const constructsPath = pathDescriptor.get;
const PATH = Symbol("pci-blueprint.path");
function memoizedPath(this: Record<symbol, string | undefined>): string {
  return (this[PATH] ??= constructsPath.call(this) as string);
}

/**
 * cdktf's keysToSnakeCase (every resource's meta-arguments, every backend), the same code but each
 * key's snake_case made once per key rather than by three regular expressions at every call.
 */
if (typeof util.keysToSnakeCase !== "function") throw new Error("cdktf/lib/util.js has no keysToSnakeCase: cdktf's internals changed; review core/cdktf-speed.ts.");
const cdktfKeysToSnakeCase = util.keysToSnakeCase;
const snakeKeys = new Map<string, string>();
function keysToSnakeCase(object: unknown): unknown {
  if (Tokenization.isResolvable(object)) return object;
  const each = (e: unknown) => (typeof e === "object" ? keysToSnakeCase(e) : e);
  if (Array.isArray(object)) return object.map(each);
  const o = object as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(o)) {
    if (key === "tags" || key === "environment") {
      out[key] = o[key];
      continue;
    }
    let value = o[key];
    if (typeof value === "object") value = keysToSnakeCase(value);
    if (Array.isArray(value)) value = value.map(each);
    let snake = snakeKeys.get(key);
    if (snake === undefined) snakeKeys.set(key, (snake = util.snakeCase(key)));
    out[snake] = value;
  }
  return out;
}

/** Switches the changes on or off (the tests compare the output both ways). */
export function useFastSynth(options: { readonly skipTokenTraces: boolean; readonly fastResolve: boolean }): void {
  traces.captureStackTrace = options.skipTokenTraces ? noTrace : cdktfCaptureStackTrace;
  tokens.resolve = options.fastResolve ? fastResolve : cdktfResolve;
  Object.defineProperty(Node.prototype, "path", { ...pathDescriptor, get: options.fastResolve ? memoizedPath : constructsPath });
  util.keysToSnakeCase = options.fastResolve ? keysToSnakeCase : cdktfKeysToSnakeCase;
}

let treeVersion = 0;
/**
 * A number that changes whenever a construct tree changes in what the guardrail pack reads of it:
 * a child added or removed, metadata added (suppressions are metadata). The pack keeps what it
 * derives from the tree until it changes. (A resource's address, its friendlyUniqueId, cdktf fixes
 * at its first read: a logical id overridden later changes nothing.)
 */
export function constructTreeVersion(): number {
  return treeVersion;
}
for (const [proto, name] of [
  [Node.prototype, "addChild"],
  [Node.prototype, "tryRemoveChild"],
  [Node.prototype, "addMetadata"],
] as const) {
  const methods = proto as Record<string, (...args: unknown[]) => unknown>;
  const original = methods[name];
  if (typeof original !== "function") throw new Error(`${name} is not a method of constructs' Node: its internals changed; review core/cdktf-speed.ts.`);
  methods[name] = function (this: unknown, ...args: unknown[]) {
    treeVersion++;
    return original.apply(this, args);
  };
}

useFastSynth({ skipTokenTraces: process.env.BLUEPRINT_TOKEN_TRACES !== "1", fastResolve: process.env.BLUEPRINT_CDKTF_RESOLVE !== "1" });
