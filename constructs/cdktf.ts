/**
 * The one module that imports `cdktf` (provider bindings aside). HashiCorp archived cdktf in
 * December 2025; moving to the community fork (`cdktn`) should be a change of this file and of
 * package.json, not of every construct.
 */
import * as path from "path";

/**
 * cdktf records a complete stack trace whenever it creates a token (every reference, every
 * attribute of a resource), only to decorate the error about a token that cannot be resolved.
 * Under tsx (source maps on) that was most of the app's time: `npm run bench -- --profile` showed
 * `captureStackTrace` at 1.35 s of 4.0 s for 16 regions, and building the stacks went from 1.5 s to
 * 0.12 s without it. The blueprint turns it off; `BLUEPRINT_TOKEN_TRACES=1` turns it back on when
 * an unresolvable token needs finding. cdktf is archived, so this private module will not move
 * under us; `test/stacks/blueprint-stack.test.ts` fails if it ever does.
 */
export const TOKEN_TRACES_MODULE = path.join(path.dirname(require.resolve("cdktf")), "tokens", "private", "stack-trace.js");
if (process.env.BLUEPRINT_TOKEN_TRACES !== "1") {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const traces = require(TOKEN_TRACES_MODULE) as { captureStackTrace?: unknown };
  if (typeof traces.captureStackTrace !== "function") throw new Error(`${TOKEN_TRACES_MODULE} has no captureStackTrace: cdktf's internals changed; review constructs/cdktf.ts.`);
  traces.captureStackTrace = () => [];
}

export { Annotations, App, Aspects, DataTerraformRemoteStateGcs, DataTerraformRemoteStateS3, GcsBackend, dependable, Fn, Lazy, S3Backend, TerraformOutput, TerraformResource, TerraformStack, TerraformVariable, Testing, Token } from "cdktf";
export type { IAspect, TerraformElement } from "cdktf";
