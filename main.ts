import { RegionConfigError } from "./config/errors";
import { loadRegions } from "./config/load";
import type { RegionConfig } from "./config/schema";
import { App, synthOutdir } from "./core/cdktf";
import { isSynthWorker, synthesizeInThreads, synthesizeShare, synthThreads } from "./core/synth-threads";
import { removePreviousOutputs, sourceRevision, writeReportsIndex, writeStackReports } from "./review/write-reports";
import { defineStacks } from "./stacks";

/** What every synthesis thread is given: the regions (each is a peer of every stack) and the source revision the reports name. */
interface SynthData {
  readonly regions: readonly RegionConfig[];
  readonly revision: string;
}

/** The stacks of regions [from, to), every region their peer. */
const define = (app: App, data: SynthData, from: number, to: number) => defineStacks(app, data.regions, data.regions.slice(from, to));
/** The reports beside a share's stacks (synth has already run the guardrails); their rows of the index. */
const finish = (app: App, stacks: ReturnType<typeof define>, data: SynthData) => writeStackReports(app.outdir, stacks, data.revision).rows;

if (isSynthWorker()) synthesizeShare(define, finish);
else
  main().catch((e) => {
    // A failed synth exits 1 whatever Node does with an unhandled rejection, and stops the workers.
    console.error(e);
    process.exit(1);
  });

async function main(): Promise<void> {
  // `npm run synth -- --hcl` (or `cdktf synth --hcl`, which sets the variable): cdk.tf instead of cdk.tf.json.
  const args = process.argv.slice(2).filter((a) => a !== "--");
  const unknown = args.filter((a) => a !== "--hcl");
  if (unknown.length > 0) {
    console.error(`main.ts: unknown argument(s) ${unknown.join(" ")}; the one option is --hcl.`);
    process.exit(2);
  }
  if (args.includes("--hcl")) process.env.SYNTH_HCL_OUTPUT = "true";
  const threads = synthThreads();

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

  // Every region's stacks, the guardrails and the reports, the regions shared among the machine's
  // cores (core/synth-threads.ts); the index of the reports last, in the stacks' order.
  const app = new App({ outdir });
  const synth = await synthesizeInThreads({ app, count: regions.length, data: { regions, revision: sourceRevision() }, threads, define, finish });
  const rows = synth.results.flat();
  writeReportsIndex(app.outdir, rows);
  const on = synth.threads > 1 ? `, on ${synth.threads} threads` : "";
  console.log(`Synthesized ${rows.length} stacks into ${outdir}/stacks (${app.hclOutput ? "cdk.tf" : "cdk.tf.json"}, REPORT.md beside each${on}); the index is ${outdir}/REPORTS.md.`);
}
