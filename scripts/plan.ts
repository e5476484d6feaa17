/**
 * `npm run plan -- <stack> [<stack> ...]`, or `npm run plan` for every AWS stack: synthesizes
 * (as `npm run synth`, guardrails and reports included; `--no-synth` plans what the last synth
 * wrote in the outdir instead), then for each stack runs `terraform init`
 * (from the local provider mirror, or the public registry when the machine has no mirror),
 * `validate` and `plan` in a temporary copy with a local backend and credential-skip settings, and
 * writes `plan.json` (sensitive values redacted) and `plan.txt` beside the stack's `cdk.tf.json`.
 * No cloud account is needed; the synthesized stack itself is never changed.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { appRunnerArgs } from "./app-runner";
import { findOfflineTerraform, planOffline, plannableOffline, serialised, writePlanArtifacts } from "./offline-plan";

const root = path.join(__dirname, "..");
const outdir = path.resolve(process.env.CDKTF_OUTDIR ?? path.join(root, "cdktf.out"));

function fail(message: string): never {
  console.error(`npm run plan: ${message}`);
  process.exit(1);
}

/** Each synthesized stack's JSON, read once. */
const stackJson = new Map<string, Record<string, any>>(); // eslint-disable-line @typescript-eslint/no-explicit-any
function jsonOf(stack: string) {
  if (!stackJson.has(stack)) stackJson.set(stack, JSON.parse(fs.readFileSync(path.join(outdir, "stacks", stack, "cdk.tf.json"), "utf8")));
  return stackJson.get(stack)!;
}

/** The providers a synthesized stack requires. */
function providersOf(stack: string): string[] {
  return Object.keys(jsonOf(stack).terraform?.required_providers ?? {});
}

async function main(): Promise<void> {
  const args = process.argv.slice(2).filter((a) => a !== "--");
  const noSynth = args.includes("--no-synth");
  const requested = args.filter((a) => a !== "--no-synth");
  const tools = findOfflineTerraform({ allowRegistry: true });
  if ("missing" in tools) fail(`${tools.missing}. Install Terraform >= 1.10.`);

  if (noSynth) {
    if (!fs.existsSync(path.join(outdir, "manifest.json"))) fail(`--no-synth: there is no synth in ${outdir} (no manifest.json). Run \`npm run synth\` first, or leave --no-synth out.`);
  } else {
    // Synthesize exactly as `npm run synth` does (bad configs and guardrail violations stop here).
    const synth = spawnSync(process.execPath, [...appRunnerArgs(), path.join(root, "main.ts")], { cwd: root, env: { ...process.env, CDKTF_OUTDIR: outdir }, stdio: "inherit" });
    if (synth.status !== 0) fail("synth failed (see above); nothing was planned.");
  }

  const all = Object.keys(JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8")).stacks as Record<string, unknown>).sort();
  const plannable = all.filter((s) => plannableOffline(jsonOf(s)));
  const stacks = requested.length > 0 ? requested : plannable;
  for (const s of stacks) {
    if (!all.includes(s)) fail(`no stack "${s}"; the stacks are ${all.join(", ")}.`);
    if (!plannable.includes(s)) {
      fail(`${s} uses the ${providersOf(s).filter((p) => p !== "aws").join(" and ")} provider(s): its objects live inside the EKS cluster and can be planned only against the live cluster (cdktf diff ${s}). Plannable offline: ${plannable.join(", ")}.`);
    }
  }

  console.log(`Planning ${stacks.join(", ")} with ${tools.terraform}, provider from ${tools.mirror ?? "the public registry"} (no cloud account; local backend in a temporary copy).`);
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), "tf-plugin-cache-"));
  const initLock = serialised();
  try {
    const results = await Promise.allSettled(
      stacks.map(async (s) => {
        const dir = path.join(outdir, "stacks", s);
        const result = await planOffline(dir, { tools, stackJson: jsonOf(s), pluginCacheDir: cache, initLock, text: true });
        const files = writePlanArtifacts(dir, result);
        const summary = result.summary;
        return `${s}: ${summary}\n  ${path.relative(process.cwd(), files.text)}\n  ${path.relative(process.cwd(), files.json)}`;
      }),
    );
    for (const r of results) {
      if (r.status === "fulfilled") console.log(r.value);
      else console.error(`npm run plan: ${(r.reason as Error).message}`);
    }
    if (results.some((r) => r.status === "rejected")) process.exitCode = 1;
  } finally {
    fs.rmSync(cache, { recursive: true, force: true });
  }
}

main().catch((e: Error) => fail(e.message));
