/**
 * The mutation score per folder and the mutants that survived, from StrykerJS's JSON report
 * (`npm run mutate` writes reports/mutation/mutation.json).
 *
 *   npm run mutate:report                       scores per folder and per file
 *   npm run mutate:report -- --survivors <part>  also each surviving mutant of files whose path contains <part>
 *   npm run mutate:report -- --report <file>     another report (a run of one folder, say); repeat
 *                                                it to combine runs of different folders (a file in
 *                                                several reports counts as in the last)
 *
 * The score is StrykerJS's: killed and timed-out mutants over those plus the survivors and the
 * mutants no test covers (mutants that do not compile, and those marked equivalent, count for
 * neither side).
 */
import * as fs from "fs";
import * as path from "path";

interface Mutant {
  readonly status: string;
  readonly mutatorName: string;
  readonly replacement?: string;
  readonly location: { readonly start: { line: number; column: number }; readonly end: { line: number; column: number } };
}
interface Report {
  readonly files: Record<string, { readonly source: string; readonly mutants: readonly Mutant[] }>;
}

const DETECTED = new Set(["Killed", "Timeout"]);
const UNDETECTED = new Set(["Survived", "NoCoverage"]);

/** Detected, undetected and the score (NaN without either). */
function score(mutants: readonly Mutant[]): { detected: number; undetected: number; score: number } {
  const detected = mutants.filter((m) => DETECTED.has(m.status)).length;
  const undetected = mutants.filter((m) => UNDETECTED.has(m.status)).length;
  return { detected, undetected, score: (100 * detected) / (detected + undetected) };
}

const line = (label: string, mutants: readonly Mutant[]) => {
  const s = score(mutants);
  return `| ${label} | ${s.detected + s.undetected} | ${s.undetected} | ${Number.isNaN(s.score) ? "-" : `${s.score.toFixed(1)} %`} |`;
};

function main(argv: readonly string[]): void {
  const option = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const named = argv.flatMap((a, i) => (a === "--report" ? [argv[i + 1]] : []));
  const reports = named.length > 0 ? named : [path.join("reports", "mutation", "mutation.json")];
  const merged: Report["files"] = {};
  for (const file of reports) {
    if (file === undefined || !fs.existsSync(file)) {
      console.error(`${file ?? "--report"}: no mutation report; run npm run mutate first (or name one with --report <file>)`);
      process.exit(2);
    }
    Object.assign(merged, (JSON.parse(fs.readFileSync(file, "utf8")) as Report).files);
  }
  const files = Object.entries(merged).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  // Each folder, and each top-level folder (guardrails/, config/) with everything under it.
  const folders = new Map<string, Mutant[]>();
  const add = (folder: string, mutants: readonly Mutant[]) => folders.set(folder, [...(folders.get(folder) ?? []), ...mutants]);
  for (const [f, { mutants }] of files) {
    const dir = path.dirname(f).split(path.sep).join("/");
    add(`${dir}/`, mutants);
    add(`${dir.split("/")[0]}/ (all)`, mutants);
  }
  const out = ["| folder or file | mutants scored | undetected | score |", "|---|---:|---:|---:|"];
  for (const [folder, mutants] of [...folders].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out.push(line(folder, mutants));
  out.push(line("**all**", files.flatMap(([, f]) => f.mutants)));
  out.push("", "| folder or file | mutants scored | undetected | score |", "|---|---:|---:|---:|");
  for (const [f, { mutants }] of files) out.push(line(f, mutants));
  const part = option("--survivors");
  if (part !== undefined) {
    out.push("");
    for (const [f, { source, mutants }] of files.filter(([f]) => f.includes(part))) {
      const lines = source.split("\n");
      for (const m of mutants.filter((x) => UNDETECTED.has(x.status))) {
        const { start, end } = m.location;
        const original = start.line === end.line ? lines[start.line - 1].slice(start.column - 1, end.column - 1) : `${lines[start.line - 1].slice(start.column - 1)}…`;
        out.push(`${f}:${start.line}:${start.column} ${m.status} ${m.mutatorName}: ${JSON.stringify(original).slice(0, 100)} -> ${JSON.stringify(m.replacement ?? "").slice(0, 80)}`);
      }
    }
  }
  console.log(out.join("\n"));
}

main(process.argv.slice(2));
