/**
 * `npm run bench`: what synthesis and planning cost as regions grow, on this machine.
 *
 * 1. Synthesizes 1, 4, 16 and 64 synthetic regions (bench/regions.ts, from regions/eu.ts) through
 *    `main.ts`, the main job itself (validation, every stack, the guardrails, the reports), each in
 *    a fresh process: wall time, CPU time and peak RSS, and the marginal cost per region between
 *    sizes.
 * 2. Times the `cdktf synth` CLI on the shipped regions against the CLI on a one-resource app
 *    (bench/one-resource), alternating, in the same run: the CLI's own floor.
 * 3. Times the real offline plan of one region (init from the local mirror, validate, plan).
 * 4. Times `tsc --noEmit`.
 * Writes bench/RESULTS.md with the machine and the date. Options: `--runs N` (default 3; medians),
 * `--sizes 1,4,16,64`, `--profile` (a --cpu-prof of the 16-region synth, summarized by file),
 * `--tests` (also times `npm test`).
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { findOfflineTerraform, planOffline, planSummary } from "../scripts/offline-plan";
import { appRunnerArgs } from "../scripts/app-runner";
import { regionFileText, syntheticRegions } from "./regions";

const REPO = path.join(__dirname, "..");
const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const RUNS = Number(option("runs") ?? 3);
const SIZES = (option("sizes") ?? "1,4,16,64").split(",").map(Number);
const PROFILE = args.includes("--profile");
const TESTS = args.includes("--tests");

/** Targets of issue #8. */
const TARGETS = { cliRatio: 1.3, marginalMs: 60, marginalMb: 15, testSeconds: 90, tscSeconds: 15 };

interface Sample {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly maxRssMb: number;
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
/** Least-squares slope of ys over xs. */
const slope = (xs: number[], ys: number[]) => {
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  const num = xs.reduce((acc, x, i) => acc + (x - mx) * (ys[i] - my), 0);
  const den = xs.reduce((acc, x) => acc + (x - mx) ** 2, 0);
  return num / den;
};
/** Every temporary directory the run makes, removed at the end whatever happens. */
const temporaries: string[] = [];
const medianSample = (samples: Sample[]): Sample => ({
  wallMs: median(samples.map((s) => s.wallMs)),
  cpuMs: median(samples.map((s) => s.cpuMs)),
  maxRssMb: median(samples.map((s) => s.maxRssMb)),
});
const tmp = (prefix: string) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-${prefix}-`));
  temporaries.push(dir);
  return dir;
};

/** Runs `node <nodeArgs> main.ts` on `count` synthetic regions; wall, CPU and peak RSS of that process. */
function synthOnce(regionsDir: string, nodeArgs: string[] = []): Sample {
  const outdir = tmp("out");
  const usageFile = path.join(tmp("usage"), "usage.json");
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [...nodeArgs, "--require", path.join(__dirname, "measure.cjs"), ...appRunnerArgs(), "main.ts"], {
    cwd: REPO,
    env: { ...process.env, BLUEPRINT_REGIONS_DIR: regionsDir, CDKTF_OUTDIR: outdir, BENCH_USAGE_FILE: usageFile },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`synth of ${regionsDir} failed:\n${r.stderr}`);
  fs.rmSync(outdir, { recursive: true, force: true });
  const usage = JSON.parse(fs.readFileSync(usageFile, "utf8")) as Omit<Sample, "wallMs">;
  fs.rmSync(path.dirname(usageFile), { recursive: true, force: true });
  return { wallMs, ...usage };
}

function regionsDirOf(count: number): string {
  const dir = tmp(`regions-${count}`);
  for (const r of syntheticRegions(count)) fs.writeFileSync(path.join(dir, `${r.name}.js`), regionFileText(r));
  return dir;
}

/** Wall time of one command, in ms. */
function timed(cmd: string, cmdArgs: string[], cwd: string, env: NodeJS.ProcessEnv = {}): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, cmdArgs, { cwd, env: { ...process.env, CHECKPOINT_DISABLE: "1", ...env }, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${cmdArgs.join(" ")} failed in ${cwd}:\n${r.stdout}\n${r.stderr}`);
  return ms;
}

/** Self time of a V8 CPU profile, by file (the repository's files by path, node_modules by package). */
function summarizeProfile(file: string): { where: string; ms: number; share: number }[] {
  const profile = JSON.parse(fs.readFileSync(file, "utf8")) as {
    nodes: { id: number; callFrame: { url: string; functionName: string } }[];
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, number>();
  let all = 0;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    all += dt;
    const url = byId.get(id)?.callFrame.url ?? "";
    const fn = byId.get(id)?.callFrame.functionName ?? "";
    let where: string;
    if (!url) where = fn === "(garbage collector)" ? "(garbage collector)" : fn.startsWith("(") ? fn : "(native)";
    else if (url.includes("node_modules/")) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)(?:\/lib\/([^/]+))?/.exec(url);
      where = m ? `${m[1]}${m[1] === "@cdktf/provider-aws" && m[2] ? "" : m[2] && m[1] === "cdktf" ? `/lib/${m[2]}` : ""}` : url;
    } else if (url.startsWith("node:")) where = "(node internals)";
    else where = path.relative(REPO, url.replace(/^file:\/\//, ""));
    totals.set(where, (totals.get(where) ?? 0) + dt);
  });
  return [...totals.entries()].map(([where, ms]) => ({ where, ms, share: ms / all })).sort((a, b) => b.ms - a.ms);
}

function machine(): string {
  const cpus = os.cpus();
  let terraform = "not found";
  try {
    terraform = execFileSync("terraform", ["version"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).split("\n")[0];
  } catch {
    /* no terraform */
  }
  return `${cpus.length} × ${cpus[0]?.model ?? "?"}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.type()} ${os.release()}, Node ${process.version}, ${terraform}`;
}

const fmt = (n: number, digits = 0) => n.toFixed(digits);

async function main(): Promise<void> {
  const lines: string[] = [];
  const log = (s = "") => {
    console.log(s);
    lines.push(s);
  };
  const started = new Date();
  log("# Benchmark results");
  log();
  let commit = "unknown";
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: REPO, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: REPO, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim() !== "";
    commit = `${head}${dirty ? " (with uncommitted changes)" : ""}`;
  } catch {
    /* not a git checkout */
  }
  const env = Object.entries(process.env).filter(([k]) => k.startsWith("BLUEPRINT_") || k === "NODE_OPTIONS").map(([k, v]) => `${k}=${v}`);
  log(`Machine: ${machine()}. Date: ${started.toISOString()}. Commit: ${commit}.${env.length ? ` Environment: ${env.join(" ")}.` : ""} Medians of ${RUNS} runs. Produced by \`npm run bench\` (bench/bench.ts).`);
  log();

  // 1. Synthesis as regions grow.
  const bySize = new Map<number, Sample>();
  const dirs = new Map(SIZES.map((n) => [n, regionsDirOf(n)]));
  synthOnce(dirs.get(SIZES[0])!); // warm the file cache and run-ts's transpile cache
  // Rounds of every size in turn, so that drift over the run weighs on every size alike.
  const samples = new Map<number, Sample[]>(SIZES.map((n) => [n, []]));
  for (let round = 0; round < RUNS; round++) {
    for (const n of SIZES) samples.get(n)!.push(synthOnce(dirs.get(n)!));
    console.error(`  round ${round + 1}/${RUNS}: ${SIZES.map((n) => `${n}: ${fmt(samples.get(n)![round].wallMs)} ms`).join(", ")}`);
  }
  for (const n of SIZES) bySize.set(n, medianSample(samples.get(n)!));
  log("## Synthesis of the main job (`main.ts`: validation, 4 stacks per region, guardrails, reports)");
  log();
  log("| regions | stacks | wall (ms) | CPU (ms) | peak RSS (MB) | marginal wall per region (ms) | marginal CPU per region (ms) | marginal RSS per region (MB) |");
  log("|---|---|---|---|---|---|---|---|");
  let previous: [number, Sample] | undefined;
  const marginals: { from: number; to: number; wallMs: number; cpuMs: number; rssMb: number }[] = [];
  for (const n of SIZES) {
    const s = bySize.get(n)!;
    let m = ["", "", ""];
    if (previous) {
      const [pn, ps] = previous;
      const d = n - pn;
      const marginal = { from: pn, to: n, wallMs: (s.wallMs - ps.wallMs) / d, cpuMs: (s.cpuMs - ps.cpuMs) / d, rssMb: (s.maxRssMb - ps.maxRssMb) / d };
      marginals.push(marginal);
      m = [fmt(marginal.wallMs, 1), fmt(marginal.cpuMs, 1), fmt(marginal.rssMb, 2)];
    }
    log(`| ${n} | ${n * 4} | ${fmt(s.wallMs)} | ${fmt(s.cpuMs)} | ${fmt(s.maxRssMb, 1)} | ${m.join(" | ")} |`);
    previous = [n, s];
  }
  log();
  if (marginals.length > 0) {
    const worstWall = Math.max(...marginals.map((m) => m.wallMs));
    const worstRss = Math.max(...marginals.map((m) => m.rssMb));
    const sizes = SIZES.filter((n) => bySize.has(n));
    const fitWall = slope(sizes, sizes.map((n) => bySize.get(n)!.wallMs));
    const fitCpu = slope(sizes, sizes.map((n) => bySize.get(n)!.cpuMs));
    const fitRss = slope(sizes, sizes.map((n) => bySize.get(n)!.maxRssMb));
    const spread = (n: number) => {
      const walls = samples.get(n)!.map((x) => x.wallMs);
      return `${n}: ${fmt(Math.min(...walls))}-${fmt(Math.max(...walls))} ms`;
    };
    const growing = marginals.slice(1).filter((m, i) => m.wallMs > marginals[i].wallMs);
    log(`Marginal cost per region: least-squares slope over all sizes ${fmt(fitWall, 1)} ms wall, ${fmt(fitCpu, 1)} ms CPU, ${fmt(fitRss, 2)} MB; worst step ${fmt(worstWall, 1)} ms wall, ${fmt(worstRss, 2)} MB (targets ≤ ${TARGETS.marginalMs} ms and ≤ ${TARGETS.marginalMb} MB).`);
    log(`Cost per region never grows with the number of regions: ${growing.length === 0 ? "yes" : `no, at ${growing.map((m) => `${m.from}→${m.to}`).join(", ")}`}. Spread of the runs (wall): ${sizes.map(spread).join("; ")}.`);
    log();
  }

  // 2. The CLI on the shipped regions against the CLI's floor.
  const cdktf = path.join(REPO, "node_modules", ".bin", "cdktf");
  const shipped: number[] = [];
  const floor: number[] = [];
  // One untimed run of each first: the CLI's files and the floor app's transpile cache warm up.
  timed(cdktf, ["synth", "--output", tmp("cli-warm")], REPO);
  timed(cdktf, ["synth", "--output", tmp("cli-warm-floor")], path.join(__dirname, "one-resource"));
  for (let i = 0; i < RUNS; i++) {
    const out1 = tmp("cli");
    shipped.push(timed(cdktf, ["synth", "--output", out1], REPO));
    const out2 = tmp("cli-floor");
    floor.push(timed(cdktf, ["synth", "--output", out2], path.join(__dirname, "one-resource")));
    fs.rmSync(out2, { recursive: true, force: true });
    if (i < RUNS - 1) fs.rmSync(out1, { recursive: true, force: true });
    else fs.renameSync(out1, path.join(os.tmpdir(), `bench-shipped-${process.pid}`));
  }
  const ratio = median(shipped) / median(floor);
  log("## `cdktf synth` (the CLI) on the shipped regions against a one-resource app");
  log();
  log("| app | wall (ms), median | runs (ms) |");
  log("|---|---|---|");
  log(`| shipped regions (${fs.readdirSync(path.join(REPO, "regions")).length} regions) | ${fmt(median(shipped))} | ${shipped.map((x) => fmt(x)).join(", ")} |`);
  log(`| one-resource app (bench/one-resource) | ${fmt(median(floor))} | ${floor.map((x) => fmt(x)).join(", ")} |`);
  log();
  log(`Ratio: ${fmt(ratio, 2)}× (target ≤ ${TARGETS.cliRatio}×).`);
  log();

  // 3. The offline plan of one region.
  const tools = findOfflineTerraform();
  log("## Real offline plan of one region (`region-eu`: init from the mirror with no plugin cache, validate, plan, show -json; one run)");
  log();
  if ("missing" in tools) log(`Not measured: ${tools.missing}.`);
  else {
    const stackDir = path.join(os.tmpdir(), `bench-shipped-${process.pid}`, "stacks", "region-eu");
    const start = process.hrtime.bigint();
    const plan = await planOffline(stackDir, { tools });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const summary = planSummary(plan.planText) ?? "(no plan summary)";
    log(`${fmt(ms)} ms (${summary}).`);
  }
  log();

  // 4. Type-checking (and, on request, the test suite).
  const tsc = timed(process.execPath, [path.join(REPO, "node_modules", "typescript", "bin", "tsc"), "--noEmit", "-p", "tsconfig.json"], REPO);
  log("## Type-checking and tests");
  log();
  log(`- \`tsc --noEmit\`: ${fmt(tsc / 1000, 1)} s (target ≤ ${TARGETS.tscSeconds} s).`);
  if (TESTS) {
    const test = timed("npm", ["test", "--", "--silent"], REPO);
    log(`- \`npm test\` (including the real offline plans): ${fmt(test / 1000, 1)} s (target ≤ ${TARGETS.testSeconds} s).`);
  } else log("- `npm test`: not timed in this run (`npm run bench -- --tests` times it).");
  log();

  // 5. Where the time goes: a CPU profile of the 16-region synth.
  if (PROFILE) {
    const profileDir = tmp("profile");
    const n = SIZES.includes(16) ? 16 : SIZES[SIZES.length - 1];
    synthOnce(dirs.get(n) ?? regionsDirOf(n), ["--cpu-prof", "--cpu-prof-dir", profileDir]);
    const file = path.join(profileDir, fs.readdirSync(profileDir).find((f) => f.endsWith(".cpuprofile"))!);
    log(`## Where the time of a ${n}-region synth goes (\`node --cpu-prof\`, self time by file or package)`);
    log();
    log("| where | self time (ms) | share |");
    log("|---|---|---|");
    for (const row of summarizeProfile(file).slice(0, 20)) log(`| ${row.where} | ${fmt(row.ms)} | ${fmt(row.share * 100, 1)} % |`);
    log();
    const kept = path.join(os.tmpdir(), `bench-${n}-regions.cpuprofile`);
    fs.copyFileSync(file, kept);
    log(`Profile (open in Chrome DevTools or speedscope): ${kept}`);
    log();
  }

  fs.writeFileSync(path.join(__dirname, "RESULTS.md"), `${lines.join("\n")}\n`);
  console.error(`wrote ${path.relative(process.cwd(), path.join(__dirname, "RESULTS.md"))}`);
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const d of [...temporaries, path.join(os.tmpdir(), `bench-shipped-${process.pid}`)]) fs.rmSync(d, { recursive: true, force: true });
  });
