/**
 * `npm run review -- --base <git ref> [--out <dir>]`: what a change does to the security posture.
 * Synthesizes the base (in a git worktree of it, with this checkout's node_modules) and the working
 * tree, compares the posture facts of every stack (review/posture.ts), and writes `review.md` and
 * `review.json` (default cdktf.out/review/). Exits 1 when a change needs a security sign-off (the
 * reasons review/sign-off.json lists), 0 otherwise; 2 on a usage or synthesis error.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { GuardrailSummary, PostureChange, diffPosture, postureFacts } from "../review/posture";
import { GUARDRAILS_FILE } from "../review/write-reports";
import { table } from "../review/markdown";

const REPO = path.join(__dirname, "..");

/** The sign-off reasons that fail the review (review/sign-off.json); a reason not listed is informational. */
export function signOffPolicy(file = path.join(REPO, "review", "sign-off.json")): readonly string[] {
  const doc = JSON.parse(fs.readFileSync(file, "utf8")) as { requireSignOff?: unknown };
  if (!Array.isArray(doc.requireSignOff) || doc.requireSignOff.some((r) => typeof r !== "string")) {
    throw new Error(`${file}: requireSignOff must be a list of reasons (strings). Fix: e.g. { "requireSignOff": ["new or changed exposure"] }.`);
  }
  return doc.requireSignOff as string[];
}

/** The stacks of a synthesis output: name → cdk.tf.json and guardrails.json (where written). */
export function readStacks(outdir: string): Map<string, { json: Record<string, unknown>; guardrails?: GuardrailSummary[] }> {
  const stacks = new Map<string, { json: Record<string, unknown>; guardrails?: GuardrailSummary[] }>();
  const dir = path.join(outdir, "stacks");
  for (const name of fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []) {
    const file = path.join(dir, name, "cdk.tf.json");
    if (!fs.existsSync(file)) continue;
    const g = path.join(dir, name, GUARDRAILS_FILE);
    stacks.set(name, { json: JSON.parse(fs.readFileSync(file, "utf8")), guardrails: fs.existsSync(g) ? JSON.parse(fs.readFileSync(g, "utf8")) : undefined });
  }
  return stacks;
}

/** The changes between two synthesis outputs, every stack of either. */
export function compareOutputs(baseDir: string, headDir: string): { changes: PostureChange[]; notes: string[] } {
  const base = readStacks(baseDir);
  const head = readStacks(headDir);
  const notes: string[] = [];
  const changes: PostureChange[] = [];
  for (const name of [...new Set([...base.keys(), ...head.keys()])].sort()) {
    const b = base.get(name);
    const h = head.get(name);
    if (b && h && (b.guardrails === undefined) !== (h.guardrails === undefined)) notes.push(`${name}: the guardrails' outcome is known on one side only (a base older than guardrails.json); their changes are not compared.`);
    const compareGuardrails = b?.guardrails !== undefined && h?.guardrails !== undefined;
    const facts = (s: typeof b) => (s ? postureFacts(s.json, compareGuardrails || !b || !h ? s.guardrails : undefined) : []);
    changes.push(...diffPosture(name, facts(b), facts(h)));
  }
  return { changes, notes };
}

/** The review as Markdown: a summary, then per stack the changes by category, sign-offs first. */
export function renderReview(base: string, changes: readonly PostureChange[], required: readonly string[], notes: readonly string[]): string {
  const blocking = changes.filter((c) => c.signOff && required.includes(c.signOff));
  const lines = [
    `# Security posture: working tree against ${base}`,
    "",
    blocking.length > 0 ? `**${blocking.length} change(s) need a security sign-off** (review/sign-off.json).` : "No change needs a security sign-off.",
    `${changes.length} change(s) in all, in ${new Set(changes.map((c) => c.stack)).size} stack(s).`,
    "",
    ...notes.map((n) => `- ${n}`),
    ...(notes.length ? [""] : []),
  ];
  for (const stack of [...new Set(changes.map((c) => c.stack))]) {
    lines.push(`## ${stack}`, "");
    const rows = changes
      .filter((c) => c.stack === stack)
      .sort((a, b) => Number(!!b.signOff) - Number(!!a.signOff))
      .map((c) => [c.signOff && required.includes(c.signOff) ? `**sign-off: ${c.signOff}**` : c.signOff ?? "", c.category, c.change, c.subject, c.before ?? "", c.after ?? "", c.requirement]);
    lines.push(table(["sign-off", "category", "change", "subject", "before", "after", "PCI DSS"], rows), "");
  }
  return lines.join("\n");
}

function synthesize(cwd: string): void {
  const r = spawnSync(process.execPath, [path.join(cwd, "scripts", "run-ts.cjs"), "main.ts"], { cwd, encoding: "utf8", env: { ...process.env, CHECKPOINT_DISABLE: "1" } });
  if (r.status !== 0) throw new Error(`synthesis failed in ${cwd}:\n${r.stderr || r.stdout}`);
}

function main(argv: readonly string[]): number {
  const at = (flag: string) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);
  const base = at("--base");
  if (!base) {
    console.error("Usage: npm run review -- --base <git ref> [--out <dir>]. Fix: name the commit, branch or tag to compare with (e.g. --base origin/main).");
    return 2;
  }
  const out = path.resolve(at("--out") ?? path.join(REPO, "cdktf.out", "review"));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "review-base-"));
  const tree = path.join(work, "base");
  const add = spawnSync("git", ["worktree", "add", "--detach", tree, base], { cwd: REPO, encoding: "utf8" });
  if (add.status !== 0) {
    console.error(`git worktree add ${base} failed: ${add.stderr.trim()}. Fix: name a commit, branch or tag of this repository.`);
    return 2;
  }
  try {
    fs.symlinkSync(path.join(REPO, "node_modules"), path.join(tree, "node_modules"), "dir");
    synthesize(tree);
    synthesize(REPO);
    const { changes, notes } = compareOutputs(path.join(tree, "cdktf.out"), path.join(REPO, "cdktf.out"));
    const required = signOffPolicy();
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, "review.md"), renderReview(base, changes, required, notes));
    fs.writeFileSync(path.join(out, "review.json"), JSON.stringify({ base, requireSignOff: required, notes, changes }, null, 1) + "\n");
    const blocking = changes.filter((c) => c.signOff && required.includes(c.signOff));
    console.log(`${changes.length} posture change(s) against ${base}; ${blocking.length} need a security sign-off. ${path.relative(process.cwd(), path.join(out, "review.md"))}`);
    for (const c of blocking) console.log(`  sign-off (${c.signOff}): ${c.stack} ${c.category} ${c.change} ${c.subject}`);
    return blocking.length > 0 ? 1 : 0;
  } finally {
    spawnSync("git", ["worktree", "remove", "--force", tree], { cwd: REPO });
    fs.rmSync(work, { recursive: true, force: true });
  }
}

// Run as the command (node scripts/run-ts.cjs scripts/review.ts ...), not when a test imports it.
const self = process.argv.findIndex((a) => a.endsWith(path.join("scripts", "review.ts")));
if (self >= 0) {
  try {
    process.exitCode = main(process.argv.slice(self + 1));
  } catch (e) {
    console.error((e as Error).message);
    process.exitCode = 2;
  }
}
