import { z } from "zod";

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

/** Zod's issues as problems of `file`, each naming the field and the fix; `schema` is the file that defines its shape. */
export function problemsFromZod(file: string, issues: readonly z.core.$ZodIssue[], schema = "config/schema.ts"): ConfigProblem[] {
  return issues.map((issue) => fromZodIssue(file, issue, schema));
}

function fieldPath(pathParts: readonly PropertyKey[]): string {
  return pathParts.reduce<string>((acc, part) => {
    if (typeof part === "number") return `${acc}[${part}]`;
    return acc === "" ? String(part) : `${acc}.${String(part)}`;
  }, "");
}

function fromZodIssue(file: string, issue: z.core.$ZodIssue, schema: string): ConfigProblem {
  const field = fieldPath(issue.path) || "(root)";
  // A key of a record: what is wrong with the key is the first of its own issues.
  const message = issue.code === "invalid_key" ? (issue.issues[0]?.message ?? issue.message) : issue.message;
  const [problem, customFix] = message.split(" Fix: ");
  if (customFix) return { file, field, problem, fix: customFix };
  switch (issue.code) {
    case "invalid_type":
      return issue.message.endsWith("received undefined")
        ? { file, field, problem: "is missing", fix: `add ${field} (${issue.expected})` }
        : { file, field, problem: issue.message, fix: `set ${field} to a value of type ${issue.expected}` };
    case "unrecognized_keys":
      return {
        file,
        field,
        problem: `has unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(", ")}`,
        fix: `remove them or correct the spelling (see ${schema} for the fields)`,
      };
    case "invalid_value":
      return { file, field, problem: issue.message, fix: `use one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}` };
    case "too_small":
      return { file, field, problem: issue.message, fix: `provide at least ${String(issue.minimum)}` };
    default:
      return { file, field, problem: issue.message, fix: `see ${schema} for the expected form` };
  }
}
