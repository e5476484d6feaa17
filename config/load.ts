import * as fs from "fs";
import * as path from "path";
import { ConfigProblem, RegionConfigError, problemsFromZod } from "./errors";
import { checkJurisdictionsFile } from "./jurisdictions-file";
import { LoadedRegion, checkAcrossRegions, checkRegion } from "./rules";
import { RegionConfig, RegionSchema } from "./schema";

/** A region file's path (repository-relative) and its default export, not yet validated. */
export interface RegionSource {
  readonly file: string;
  readonly data: unknown;
}

/** The repository's `regions/` folder. */
export const REGIONS_DIR = path.join(__dirname, "..", "regions");

/**
 * Reads every `*.ts` / `*.js` file of `dir` (sorted, so stack order is stable). A region is one
 * file: adding a region never touches code.
 */
export function readRegionSources(dir: string = REGIONS_DIR): RegionSource[] {
  const repoRoot = path.dirname(dir);
  return fs
    .readdirSync(dir)
    .filter((f) => /\.[jt]s$/.test(f) && !f.endsWith(".d.ts"))
    .sort()
    .map((f) => {
      const absolute = path.join(dir, f);
      const file = path.relative(repoRoot, absolute).split(path.sep).join("/");
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(absolute) as { default?: unknown };
      return { file, data: mod.default };
    });
}

/**
 * Validates every region: shape (zod), then per-region and cross-region rules. Throws a
 * RegionConfigError listing every problem, so a bad config stops synth before anything is written.
 */
export function validateRegions(sources: readonly RegionSource[]): LoadedRegion[] {
  // The catalog the region rules read must hold first (a region checked against a broken one proves nothing).
  const catalog = checkJurisdictionsFile();
  if (catalog.length > 0) throw new RegionConfigError(catalog);
  const problems: ConfigProblem[] = [];
  const loaded: LoadedRegion[] = [];
  for (const { file, data } of sources) {
    if (data === undefined) {
      problems.push({ file, field: "(file)", problem: "has no default export", fix: "end the file with `export default region;`" });
      continue;
    }
    const parsed = RegionSchema.safeParse(data);
    if (!parsed.success) {
      problems.push(...problemsFromZod(file, parsed.error.issues));
      continue;
    }
    const regionProblems = checkRegion(file, parsed.data);
    problems.push(...regionProblems);
    if (regionProblems.length === 0) loaded.push({ file, config: parsed.data });
  }
  if (sources.length === 0) {
    problems.push({ file: "regions/", field: "(folder)", problem: "holds no region file", fix: "add one, e.g. regions/eu.ts (copy an existing region)" });
  }
  problems.push(...checkAcrossRegions(loaded));
  if (problems.length > 0) throw new RegionConfigError(problems);
  return loaded;
}

/** Loads and validates every region file; the entry point of `main.ts`. */
export function loadRegions(dir: string = REGIONS_DIR): RegionConfig[] {
  return validateRegions(readRegionSources(dir)).map((r) => r.config);
}
