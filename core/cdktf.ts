/**
 * The one module that imports `cdktf` (provider bindings aside). HashiCorp archived cdktf in
 * December 2025; moving to the community fork (`cdktn`) should be a change of this file and of
 * package.json, not of every construct.
 */
// Before anything else of cdktf runs: how cdktf spends its time (see the module).
export { BLUEPRINT_STACK, RESOLVE_MODULE, TOKEN_TRACES_MODULE, constructTreeVersion, fastResolveCalls, fastStackToTerraform, useFastSynth } from "./cdktf-speed";
export type { CdktfStack } from "./cdktf-speed";

export { Annotations, App, Aspects, DISABLE_STACK_TRACE_IN_METADATA, DataTerraformRemoteStateGcs, DataTerraformRemoteStateS3, GcsBackend, dependable, Fn, Lazy, Op, S3Backend, TerraformOutput, TerraformResource, TerraformStack, TerraformVariable, Testing, Token } from "cdktf";
export type { IAspect, ITerraformDependable, TerraformElement } from "cdktf";

/** Where the app writes: `CDKTF_OUTDIR` (which the cdktf CLI sets), else `cdktf.out`, as cdktf's App decides. */
export function synthOutdir(): string {
  return process.env.CDKTF_OUTDIR ?? "cdktf.out";
}
