/** What every config rule shares: the region with its file, and how a rule reports a problem. */
import type { RegionConfig } from "../schema";

/** A validated region together with the file it came from. */
export interface LoadedRegion {
  readonly file: string;
  readonly config: RegionConfig;
}

/** How a rule reports a problem: the field, what is wrong with it, and the fix. */
export type Report = (field: string, problem: string, fix: string) => void;
