import { RegionConfigError } from "./config/errors";
import { loadRegions } from "./config/load";
import { App } from "./core/cdktf";
import { writeReports } from "./review/write-reports";
import { defineStacks } from "./stacks";

// Validate every region file before building anything, so a bad config writes nothing.
// BLUEPRINT_REGIONS_DIR points at another folder of region files (tests, a subset of regions).
let regions;
try {
  regions = loadRegions(process.env.BLUEPRINT_REGIONS_DIR || undefined);
} catch (e) {
  if (e instanceof RegionConfigError) {
    console.error(e.message);
    process.exit(1);
  }
  throw e;
}

const app = new App();
const stacks = defineStacks(app, regions);
app.synth();
// The reviewer's report beside each stack (synth has already run the guardrails).
writeReports(app.outdir, stacks);
