/**
 * Two changes to how cdktf 0.21 spends its time, found with `npm run bench -- --profile` (see
 * bench/RESULTS.md). Both leave the synthesized output byte-identical (the snapshot tests, and a
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
 *    BLUEPRINT_CDKTF_RESOLVE=1 keeps cdktf's resolver for everything.
 */
import * as path from "path";

const CDKTF_LIB = path.dirname(require.resolve("cdktf"));
/** Where cdktf captures the token creation stacks. */
export const TOKEN_TRACES_MODULE = path.join(CDKTF_LIB, "tokens", "private", "stack-trace.js");
/** The `resolve` that TerraformStack.toTerraform calls for every element. */
export const RESOLVE_MODULE = path.join(CDKTF_LIB, "_tokens.js");
const ENCODING_MODULE = path.join(CDKTF_LIB, "tokens", "private", "encoding.js");
const TOKEN_MODULE = path.join(CDKTF_LIB, "tokens", "token.js");

/* eslint-disable @typescript-eslint/no-require-imports */
const traces = require(TOKEN_TRACES_MODULE) as { captureStackTrace?: (below?: unknown) => string[] };
type Resolve = (scope: unknown, obj: unknown, preparing?: boolean) => unknown;
const tokens = require(RESOLVE_MODULE) as { resolve?: Resolve };
const encoding = require(ENCODING_MODULE) as {
  TokenString: { forNumbers(s: string): { test(): boolean } };
  extractTokenDouble(x: number, list: boolean): unknown;
  containsStringListTokenElement(xs: unknown[]): boolean;
  containsNumberListTokenElement(xs: unknown[]): boolean;
  containsMapToken(x: object): boolean;
};
const { Tokenization } = require(TOKEN_MODULE) as { Tokenization: { isResolvable(x: unknown): boolean } };
/* eslint-enable @typescript-eslint/no-require-imports */

for (const [module, name, fn] of [[TOKEN_TRACES_MODULE, "captureStackTrace", traces.captureStackTrace], [RESOLVE_MODULE, "resolve", tokens.resolve]] as const) {
  if (typeof fn !== "function") throw new Error(`${module} has no ${name}: cdktf's internals changed; review constructs/cdktf-speed.ts.`);
}
const cdktfCaptureStackTrace = traces.captureStackTrace!;
const cdktfResolve = tokens.resolve!;

/** Marks the only places a string can hold a token (cdktf's string, list and map markers). */
const TOKEN_MARKER = "TfToken[";

/**
 * cdktf's resolve, with the fast path: a value that holds no token comes back as cdktf would return
 * it (the same scalars; arrays and objects copied without their `undefined` entries).
 */
function fastResolve(scope: unknown, obj: unknown, preparing = false): unknown {
  const resolve = (value: unknown): unknown => {
    switch (typeof value) {
      case "undefined":
      case "boolean":
        return value;
      case "string":
        // A token in a string, or a number token concatenated into it.
        return value.includes(TOKEN_MARKER) || (value.includes("e") && encoding.TokenString.forNumbers(value).test()) ? cdktfResolve(scope, value, preparing) : value;
      case "number":
        return encoding.extractTokenDouble(value, false) !== undefined || encoding.extractTokenDouble(value, true) !== undefined ? cdktfResolve(scope, value, preparing) : value;
      case "object": {
        if (value === null || value instanceof Date) return value;
        if (Array.isArray(value)) {
          if (encoding.containsStringListTokenElement(value) || encoding.containsNumberListTokenElement(value)) return cdktfResolve(scope, value, preparing);
          const out: unknown[] = [];
          for (const x of value) {
            const r = resolve(x);
            if (r !== undefined) out.push(r);
          }
          return out;
        }
        const keys = Object.keys(value);
        // Tokens, map tokens, tokens as keys and constructs (which cdktf refuses) are cdktf's.
        if (Tokenization.isResolvable(value) || keys.some((k) => k.includes(TOKEN_MARKER)) || ("_children" in value && "_metadata" in value)) return cdktfResolve(scope, value, preparing);
        const out: Record<string, unknown> = {};
        for (const k of keys) {
          const r = resolve((value as Record<string, unknown>)[k]);
          if (r !== undefined) out[k] = r;
        }
        return out;
      }
      default:
        // Functions and anything else: cdktf's resolver says what is wrong with them.
        return cdktfResolve(scope, value, preparing);
    }
  };
  return resolve(obj);
}

/** Switches both changes on or off (the tests compare the output both ways). */
export function useFastSynth(options: { readonly skipTokenTraces: boolean; readonly fastResolve: boolean }): void {
  traces.captureStackTrace = options.skipTokenTraces ? () => [] : cdktfCaptureStackTrace;
  tokens.resolve = options.fastResolve ? fastResolve : cdktfResolve;
}

useFastSynth({ skipTokenTraces: process.env.BLUEPRINT_TOKEN_TRACES !== "1", fastResolve: process.env.BLUEPRINT_CDKTF_RESOLVE !== "1" });
