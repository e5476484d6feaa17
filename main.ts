import { RegionConfigError } from "./config/errors";
import { loadRegions } from "./config/load";
import { App, synthOutdir } from "./core/cdktf";
import { removePreviousOutputs, writeReports } from "./review/write-reports";
import { defineStacks } from "./stacks";

// `npm run synth -- --hcl` (or `cdktf synth --hcl`, which sets the variable): cdk.tf instead of cdk.tf.json.
const args = process.argv.slice(2).filter((a) => a !== "--");
const unknown = args.filter((a) => a !== "--hcl");
if (unknown.length > 0) {
  console.error(`main.ts: unknown argument(s) ${unknown.join(" ")}; the one option is --hcl.`);
  process.exit(2);
}
if (args.includes("--hcl")) process.env.SYNTH_HCL_OUTPUT = "true";

const outdir = synthOutdir();
// What the previous synth wrote goes first: one that fails (a bad region file, a guardrail) leaves
// nothing a reviewer could take for the current code, and one in the other format (--hcl) leaves
// one format per stack.
const removed = removePreviousOutputs(outdir);

// Validate every region file before building anything, so a bad config writes nothing.
// BLUEPRINT_REGIONS_DIR points at another folder of region files (tests, a subset of regions).
let regions;
try {
  regions = loadRegions(process.env.BLUEPRINT_REGIONS_DIR || undefined);
} catch (e) {
  if (e instanceof RegionConfigError) {
    console.error(e.message);
    if (removed.length > 0) console.error(`The previous synth's outputs in ${outdir} were removed (${removed.length} files).`);
    process.exit(1);
  }
  throw e;
}

const app = new App({ outdir });
const stacks = defineStacks(app, regions);
app.synth();
// The reviewer's report beside each stack (synth has already run the guardrails).
writeReports(app.outdir, stacks);
console.log(`Synthesized ${stacks.length} stacks into ${outdir}/stacks (${app.hclOutput ? "cdk.tf" : "cdk.tf.json"}, REPORT.md beside each); the index is ${outdir}/REPORTS.md.`);
