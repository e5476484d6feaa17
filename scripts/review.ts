/**
 * `npm run review -- --base <git ref> [--out <dir>] [--no-plan]`: what a change does to the
 * security posture, and what deploying it over the previous release would replace or destroy.
 * Synthesizes the base (in a git worktree of it, with this checkout's node_modules) and the working
 * tree, compares the posture facts of every stack (review/posture.ts), plans every AWS stack that
 * changed against the state its base version would have after apply (scripts/upgrade-plan.ts), and
 * writes `review.md`, `review.json` and each upgrade plan's text (default cdktf.out/review/).
 *
 * Exit status: 0 nothing to stop for; 1 a change needs a security sign-off (the reasons
 * review/sign-off.json lists); 3 a stateful resource would be replaced or destroyed (whatever the
 * sign-off: the data goes); 2 a usage, synthesis or plan error.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- synthesized stacks and plans are untyped JSON */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { GuardrailSummary, PostureChange, diffPosture, postureFacts } from "../review/posture";
import { findOfflineTerraform, plannableOffline, remoteStateReads, serialised } from "./offline-plan";
import { RETENTION_SHORTENED, UpgradeFinding, UpgradePlan, planUpgrade, sameConfiguration, unmanagedFindings } from "./upgrade-plan";
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

/** The exit status of a review: a stateful loss first, then a sign-off. */
export const REVIEW_EXIT = { ok: 0, signOff: 1, error: 2, statefulLoss: 3 } as const;

/** The stacks whose state a stack reads (`terraform_remote_state`), by the state's bucket and key, with the outputs it reads. */
function remoteReads(json: Record<string, any>, stacks: ReadonlyMap<string, { json: Record<string, any> }>): { producer: string; outputs: string[] }[] {
  return Object.entries(remoteStateReads(json)).flatMap(([name, outputs]) => {
    const r = json.data.terraform_remote_state[name] as { config?: { bucket?: string; key?: string } };
    const producer = [...stacks].find(([, s]) => s.json.terraform?.backend?.s3?.bucket === r.config?.bucket && s.json.terraform?.backend?.s3?.key === r.config?.key)?.[0];
    return producer ? [{ producer, outputs }] : [];
  });
}

/**
 * Each AWS stack of both outputs planned against its base version's state, with what the plans
 * cannot show: a stack gone from the app (its resources stay, unmanaged), a stack that reads
 * another's outputs the change alters, and the stacks Terraform cannot plan here.
 */
export async function upgradePlans(baseDir: string, headDir: string, cacheDir: string): Promise<{ plans: UpgradePlan[]; notes: string[] }> {
  const base = readStacks(baseDir);
  const head = readStacks(headDir);
  if (base.size === 0 || head.size === 0) throw new Error(`no synthesized stack in ${base.size === 0 ? baseDir : headDir}/stacks (is CDKTF_OUTDIR or SYNTH_HCL_OUTPUT set?). Fix: unset them and run the review again.`);
  const notes: string[] = [];
  const plans: UpgradePlan[] = [];
  for (const [name, b] of base) {
    if (head.has(name)) continue;
    if (!plannableOffline(b.json)) {
      notes.push(`${name} is no longer in the app: its resources stay deployed and unmanaged (retire them with \`cdktf destroy ${name}\` from the previous version first).`);
      continue;
    }
    const findings = unmanagedFindings(name, b.json);
    plans.push({ stack: name, summary: "Removed from the app: not planned.", planText: "", findings, rounds: [] });
  }
  for (const [name, h] of head) {
    const b = base.get(name);
    if (!b) notes.push(`${name} is new: nothing of it is deployed yet, so it has no previous state; \`npm run plan\` plans it from an empty state.`);
    if (b && !plannableOffline(h.json) && !sameConfiguration(b.json, h.json)) {
      notes.push(`${name} changed and uses the ${Object.keys((h.json as Record<string, any>).terraform?.required_providers ?? {}).filter((p) => p !== "aws").join(" and ")} provider(s), which cannot be planned here: its changes are in the posture diff above; plan it against the live cluster or project with \`cdktf diff ${name}\`.`);
    }
  }
  const names = [...base.keys()].filter((n) => head.has(n) && plannableOffline(base.get(n)!.json) && plannableOffline(head.get(n)!.json));
  const tools = findOfflineTerraform({ allowRegistry: process.env.REQUIRE_TERRAFORM_PLAN !== "1" });
  if ("missing" in tools) throw new Error(`cannot plan the upgrade: ${tools.missing}. Fix: install Terraform >= 1.10 (and the provider mirror on CI), or pass --no-plan to compare the posture only.`);
  const pluginCacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "tf-plugin-cache-"));
  try {
    const options = { tools, pluginCacheDir, initLock: serialised(), cacheDir, text: true };
    const planned = new Map<string, UpgradePlan>();
    // One at a time: each plan already keeps both cores busy (terraform and its provider).
    for (const n of names) planned.set(n, await planUpgrade(n, path.join(baseDir, "stacks", n), path.join(headDir, "stacks", n), options));
    // A stack that reads another's outputs is planned with placeholders for them: where the change
    // alters one of those outputs, what it builds from them changes too, unseen by its own plan.
    for (const n of names) {
      for (const { producer, outputs } of remoteReads(head.get(n)!.json, head as ReadonlyMap<string, { json: Record<string, any> }>)) {
        const changes = planned.get(producer)?.plan?.output_changes ?? {};
        const altered = outputs.filter((o) => changes[o] && !(changes[o].actions.length === 1 && changes[o].actions[0] === "no-op"));
        if (altered.length > 0) notes.push(`${n} reads ${altered.join(", ")} from ${producer}, which this change alters: its plan used placeholders for them, so what it builds from them (and whether that is replaced) shows only in a real plan after ${producer} is deployed.`);
      }
    }
    plans.push(...names.map((n) => planned.get(n)!));
    return { plans, notes };
  } finally {
    fs.rmSync(pluginCacheDir, { recursive: true, force: true });
  }
}

/** The upgrade section of the review: each AWS stack's plan against the base's state, and what it replaces, destroys, orphans or deletes. */
export function renderUpgrade(base: string, plans: readonly UpgradePlan[], notes: readonly string[]): string {
  const findings = plans.flatMap((p) => p.findings);
  const stateful = findings.filter((f) => f.loses);
  const signOffs = findings.filter((f) => f.signOff);
  const lines = [
    `## Upgrade safety: the working tree planned against ${base}'s state`,
    "",
    stateful.length > 0
      ? `**${stateful.length} stateful resource(s) would be replaced, destroyed or left unmanaged.** No sign-off lifts this: the data goes with them.`
      : "Nothing stateful is replaced, destroyed or left unmanaged in the AWS stacks.",
    ...(signOffs.length > 0 ? ["", `**${signOffs.length} update(s) delete data by shortening a retention** (sign-off: ${RETENTION_SHORTENED}).`] : []),
    "",
    "Each AWS stack is planned for real against the state its base version would have after apply (built offline from the base's own plan; docs/upgrades.md, with what such a plan cannot see). Where only part of a stack changed, only that part and what references it is planned.",
    "",
    ...notes.map((n) => `- ${n}`),
    ...(notes.length ? [""] : []),
    table(
      ["stack", "plan", "planned"],
      plans.map((p) => [p.stack, p.summary, p.plan ? (p.targets ? `${p.targets.length} resource(s) that changed or reference a change` : "the whole stack") : "nothing"]),
    ),
    "",
  ];
  if (findings.length > 0) {
    const protection = (f: UpgradeFinding) => (f.protectedFromDestroy ? "yes: the deploy would stop at plan" : f.action === "destroy" ? "no: removed with its configuration" : "no");
    const forced = (f: UpgradeFinding) =>
      f.forcedBy.map((x) => `\`${x.path}\`: ${x.before} → ${x.after}`).join("<br>") || (f.reason ? `Terraform: ${f.reason}` : f.action === "destroy" ? "removed from the configuration" : f.action === "unmanaged" ? "its stack removed from the app" : "(the provider did not say)");
    lines.push(
      "### Replaced, destroyed, left unmanaged or shortened",
      "",
      table(
        ["stack", "resource", "action", "what is lost", "forced by", "protected from destroy", "fix"],
        findings.map((f) => [f.stack, `\`${f.address}\``, f.action, f.loses ? `**${f.loses}**` : f.signOff ? `sign-off: ${f.signOff}` : "(not stateful)", forced(f), protection(f), f.fix]),
      ),
      "",
    );
  }
  return lines.join("\n");
}

function synthesize(cwd: string): void {
  const r = spawnSync(process.execPath, [path.join(cwd, "scripts", "run-ts.cjs"), "main.ts"], { cwd, encoding: "utf8", env: { ...process.env, CHECKPOINT_DISABLE: "1" } });
  if (r.status !== 0) throw new Error(`synthesis failed in ${cwd}:\n${r.stderr || r.stdout}`);
}

/** The files the review writes into its output directory (only these are replaced there). */
const REVIEW_FILES = ["review.md", "review.json", "upgrade"];

async function main(argv: readonly string[]): Promise<number> {
  const at = (flag: string) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);
  const base = at("--base");
  if (!base) {
    console.error("Usage: npm run review -- --base <git ref> [--out <dir>] [--no-plan]. Fix: name the commit, branch or tag to compare with (e.g. --base origin/main).");
    return REVIEW_EXIT.error;
  }
  const out = path.resolve(at("--out") ?? path.join(REPO, "cdktf.out", "review"));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "review-base-"));
  const tree = path.join(work, "base");
  const add = spawnSync("git", ["worktree", "add", "--detach", tree, base], { cwd: REPO, encoding: "utf8" });
  if (add.status !== 0) {
    fs.rmSync(work, { recursive: true, force: true });
    console.error(`git worktree add ${base} failed: ${add.stderr.trim()}. Fix: name a commit, branch or tag of this repository.`);
    return REVIEW_EXIT.error;
  }
  try {
    // The base is synthesized with its own dependencies: where the lock file differs (a cdktf or
    // provider bindings bump), with those of its lock file, or both sides would be the new code's.
    const lock = (dir: string) => fs.readFileSync(path.join(dir, "package-lock.json"), "utf8");
    if (lock(tree) === lock(REPO)) fs.symlinkSync(path.join(REPO, "node_modules"), path.join(tree, "node_modules"), "dir");
    else {
      console.log(`The base's package-lock.json differs: npm ci in its worktree.`);
      const ci = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: tree, encoding: "utf8" });
      if (ci.status !== 0) throw new Error(`npm ci in the base's worktree failed:\n${ci.stderr || ci.stdout}`);
    }
    synthesize(tree);
    synthesize(REPO);
    const baseOut = path.join(tree, "cdktf.out");
    const headOut = path.join(REPO, "cdktf.out");
    const { changes, notes } = compareOutputs(baseOut, headOut);
    const required = signOffPolicy();
    for (const f of REVIEW_FILES) fs.rmSync(path.join(out, f), { recursive: true, force: true });
    fs.mkdirSync(path.join(out, "upgrade"), { recursive: true });
    let upgrade: Awaited<ReturnType<typeof upgradePlans>> | undefined;
    let upgradeError: string | undefined;
    try {
      if (!argv.includes("--no-plan")) upgrade = await upgradePlans(baseOut, headOut, path.join(REPO, "node_modules", ".cache", "blueprint-upgrade"));
    } catch (e) {
      upgradeError = (e as Error).message;
    }
    // The posture is written whatever the plans did; a plan that failed is said, and fails the review.
    const upgradeSection = upgrade
      ? renderUpgrade(base, upgrade.plans, upgrade.notes)
      : upgradeError
        ? `## Upgrade safety\n\n**The plans against ${base}'s state failed**, so nothing is known of what the change replaces or destroys:\n\n\`\`\`\n${upgradeError.slice(0, 4000)}\n\`\`\`\n`
        : `## Upgrade safety\n\nNot planned (--no-plan).\n`;
    fs.writeFileSync(path.join(out, "review.md"), `${renderReview(base, changes, required, notes)}\n${upgradeSection}`);
    for (const p of upgrade?.plans ?? []) if (p.planText) fs.writeFileSync(path.join(out, "upgrade", `${p.stack}.plan.txt`), p.planText);
    const upgradeJson = upgrade ? { notes: upgrade.notes, stacks: upgrade.plans.map((p) => ({ stack: p.stack, summary: p.summary, targets: p.targets, rounds: p.rounds, findings: p.findings })) } : { error: upgradeError ?? "not planned (--no-plan)" };
    fs.writeFileSync(path.join(out, "review.json"), JSON.stringify({ base, requireSignOff: required, notes, changes, upgrade: upgradeJson }, null, 1) + "\n");
    const findings = (upgrade?.plans ?? []).flatMap((p) => p.findings);
    const lost = findings.filter((f) => f.loses);
    const blocking = [...changes.filter((c) => c.signOff && required.includes(c.signOff)), ...findings.filter((f) => f.signOff && required.includes(f.signOff))];
    console.log(`${changes.length} posture change(s) against ${base}; ${blocking.length} need a security sign-off. ${path.relative(process.cwd(), path.join(out, "review.md"))}`);
    for (const c of blocking) console.log(`  sign-off (${c.signOff}): ${c.stack} ${"category" in c ? `${c.category} ${c.change} ${c.subject}` : `${c.address} ${c.forcedBy.map((x) => `${x.path}: ${x.before} -> ${x.after}`).join("; ")}`}`);
    for (const p of upgrade?.plans ?? []) console.log(`  upgrade ${p.stack}: ${p.summary}`);
    for (const f of lost) console.log(`  STATEFUL ${f.action}: ${f.stack} ${f.address} (${f.forcedBy.map((x) => `${x.path}: ${x.before} -> ${x.after}`).join("; ") || f.reason || f.action}). Fix: ${f.fix}`);
    if (upgradeError) {
      console.error(`The upgrade plans failed: ${upgradeError}`);
      return REVIEW_EXIT.error;
    }
    return lost.length > 0 ? REVIEW_EXIT.statefulLoss : blocking.length > 0 ? REVIEW_EXIT.signOff : REVIEW_EXIT.ok;
  } finally {
    spawnSync("git", ["worktree", "remove", "--force", tree], { cwd: REPO });
    fs.rmSync(work, { recursive: true, force: true });
  }
}

// Run as the command (node scripts/run-ts.cjs scripts/review.ts ...), not when a test imports it.
const self = process.argv.findIndex((a) => a.endsWith(path.join("scripts", "review.ts")));
if (self >= 0) {
  main(process.argv.slice(self + 1)).then(
    (status) => (process.exitCode = status),
    (e: Error) => {
      console.error(e.message);
      process.exitCode = REVIEW_EXIT.error;
    },
  );
}
