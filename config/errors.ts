/** One thing wrong with one field of one region file. */
export interface ConfigProblem {
  /** Repository-relative path of the region file, e.g. `regions/eu.ts`. */
  readonly file: string;
  /** Dotted path of the field, e.g. `network.subnets.data[1]`. */
  readonly field: string;
  /** What is wrong, in the terms of the field (e.g. `"eu-west-1d" is not a zone of eu-west-1`). */
  readonly problem: string;
  /** What to change so that the region validates. */
  readonly fix: string;
}

/** Thrown before any stack is built when a region file is invalid. Lists every problem found. */
export class RegionConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(
      [
        `Invalid region configuration: ${problems.length} problem(s); nothing was synthesized.`,
        ...problems.map((p) => `- ${p.file}: ${p.field}: ${p.problem}\n  Fix: ${p.fix}`),
      ].join("\n"),
    );
    this.name = "RegionConfigError";
  }
}
