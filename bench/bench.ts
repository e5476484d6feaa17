/**
 * `npm run bench`: every performance target of the project against its floor, on this machine, in
 * one table (bench/RESULTS.md, with the machine and the date), then the details.
 *
 * 1. The README's main command (`npm run synth`) against `cdktf synth` of a one-resource app
 *    (bench/one-resource, the CLI's floor), alternating in the same run; the app alone against the
 *    one-resource app run the same way; and `cdktf synth` of the shipped regions (it still works).
 * 2. Synthesizes 1, 4, 16 and 64 synthetic regions (bench/regions.ts, from regions/eu.ts) through
 *    `main.ts` in fresh processes: wall time, CPU time, peak RSS, and the marginal cost of a region
 *    per synthesized resource (least-squares slope over the sizes), never growing.
 * 3. Times the real offline plan of one region (as `npm run plan` makes it).
 * 4. Times `tsc --noEmit`, and `npm test` as CI runs it (no plan, state or transpiled file kept).
 * Options: `--runs N` (default 3; medians), `--sizes 1,4,16,64`, `--profile` (a --cpu-prof of the
 * 16-region synth, summarized by file), `--no-tests` (skips timing `npm test`, about a minute).
 * No test measures time; this does.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { findOfflineTerraform, planOffline, providerServers } from "../scripts/offline-plan";
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
const TESTS = !args.includes("--no-tests");

/** Targets of issue #23. */
const TARGETS = { mainRatio: 0.5, marginalMsPerResource: 0.1, marginalKbPerResource: 40, testSeconds: 60, tscSeconds: 10 };

interface Sample {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly maxRssMb: number;
  /** The threads main.ts synthesized on (it says so when more than one). */
  readonly threads?: number;
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
function synthOnce(regionsDir: string, nodeArgs: string[] = [], extraEnv: NodeJS.ProcessEnv = {}): Sample {
  const outdir = tmp("out");
  const usageFile = path.join(tmp("usage"), "usage.json");
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [...nodeArgs, "--require", path.join(__dirname, "measure.cjs"), ...appRunnerArgs(), "main.ts"], {
    cwd: REPO,
    env: { ...process.env, BLUEPRINT_REGIONS_DIR: regionsDir, CDKTF_OUTDIR: outdir, BENCH_USAGE_FILE: usageFile, ...extraEnv },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`synth of ${regionsDir} failed:\n${r.stderr}`);
  fs.rmSync(outdir, { recursive: true, force: true });
  const usage = JSON.parse(fs.readFileSync(usageFile, "utf8")) as Omit<Sample, "wallMs">;
  fs.rmSync(path.dirname(usageFile), { recursive: true, force: true });
  return { wallMs, ...usage, threads: Number(/, on (\d+) threads\)/.exec(r.stdout)?.[1] ?? 1) };
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

/** Counts of one region's synthesized stacks: resources and data sources (the marginal cost is per these). */
function synthesizedResources(regionsDir: string): number {
  const outdir = tmp("count");
  const r = spawnSync(process.execPath, [...appRunnerArgs(), "main.ts"], { cwd: REPO, env: { ...process.env, BLUEPRINT_REGIONS_DIR: regionsDir, CDKTF_OUTDIR: outdir }, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`synth of ${regionsDir} failed:\n${r.stderr}`);
  let count = 0;
  for (const stack of fs.readdirSync(path.join(outdir, "stacks"))) {
    const json = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", stack, "cdk.tf.json"), "utf8")) as Record<string, Record<string, Record<string, unknown>> | undefined>;
    for (const kind of ["resource", "data"]) for (const byName of Object.values(json[kind] ?? {})) count += Object.keys(byName).length;
  }
  fs.rmSync(outdir, { recursive: true, force: true });
  return count;
}

/** Alternating timed runs of several commands (so that drift weighs on each alike), after one untimed run of each. */
function alternate(commands: { name: string; run: () => number }[], runs: number): Map<string, number[]> {
  for (const c of commands) c.run();
  const times = new Map(commands.map((c) => [c.name, [] as number[]]));
  for (let i = 0; i < runs; i++) for (const c of commands) times.get(c.name)!.push(c.run());
  return times;
}

async function main(): Promise<void> {
  const details: string[] = [];
  const log = (s = "") => {
    console.log(s);
    details.push(s);
  };
  /** The summary table: each measure against its floor and its target. */
  const summary: string[] = [];
  const row = (measure: string, result: string, floor: string, target: string, met: boolean | undefined) => summary.push(`| ${measure} | ${result} | ${floor} | ${target} | ${met === undefined ? "not measured" : met ? "yes" : "**no**"} |`);
  const started = new Date();
  let commit = "unknown";
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: REPO, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: REPO, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim() !== "";
    commit = `${head}${dirty ? " (with uncommitted changes)" : ""}`;
  } catch {
    /* not a git checkout */
  }
  const env = Object.entries(process.env).filter(([k]) => k.startsWith("BLUEPRINT_") || k === "NODE_OPTIONS").map(([k, v]) => `${k}=${v}`);
  const header = `Machine: ${machine()}. Date: ${started.toISOString()}. Commit: ${commit}.${env.length ? ` Environment: ${env.join(" ")}.` : ""} Medians of ${RUNS} runs. Produced by \`npm run bench\` (bench/bench.ts).`;
  console.log(header);

  // 1. The README's main command against the cdktf CLI's floor, and the app alone against a one-resource app run directly.
  const cdktf = path.join(REPO, "node_modules", ".bin", "cdktf");
  const floorDir = path.join(__dirname, "one-resource");
  const times = alternate(
    [
      { name: "npm run synth", run: () => timed("npm", ["run", "-s", "synth"], REPO, { CDKTF_OUTDIR: tmp("main") }) },
      { name: "cdktf synth, one-resource app", run: () => timed(cdktf, ["synth", "--output", tmp("cli-floor")], floorDir) },
      { name: "the app alone", run: () => timed(process.execPath, [...appRunnerArgs(), "main.ts"], REPO, { CDKTF_OUTDIR: tmp("app") }) },
      { name: "one-resource app alone", run: () => timed(process.execPath, [...appRunnerArgs(), "app.ts"], floorDir, { CDKTF_OUTDIR: tmp("app-floor") }) },
      { name: "cdktf synth, shipped regions", run: () => timed(cdktf, ["synth", "--output", tmp("cli")], REPO) },
    ],
    RUNS,
  );
  const med = (name: string) => median(times.get(name)!);
  const mainRatio = med("npm run synth") / med("cdktf synth, one-resource app");
  row("The README's main command, `npm run synth` (every region, the guardrails, the reports)", `${fmt(med("npm run synth"))} ms`, `\`cdktf synth\` of a one-resource app: ${fmt(med("cdktf synth, one-resource app"))} ms`, `≤ ${TARGETS.mainRatio}× the floor (${fmt(mainRatio, 2)}×)`, mainRatio <= TARGETS.mainRatio);
  log("## The main command and the app against their floors");
  log();
  log("| command | wall (ms), median | runs (ms) |");
  log("|---|---|---|");
  for (const [name, xs] of times) log(`| ${name} | ${fmt(median(xs))} | ${xs.map((x) => fmt(x)).join(", ")} |`);
  log();
  log(`\`npm run synth\` runs the app itself (\`${(JSON.parse(fs.readFileSync(path.join(REPO, "cdktf.json"), "utf8")) as { app: string }).app}\`); \`cdktf synth\`, \`cdktf diff\` and \`cdktf deploy\` run the same command (cdktf.json) and read the same output. The app alone: ${fmt(med("the app alone") / med("one-resource app alone"), 2)}× a one-resource app run the same way.`);
  log();

  // 2. Synthesis as regions grow.
  const bySize = new Map<number, Sample>();
  const dirs = new Map(SIZES.map((n) => [n, regionsDirOf(n)]));
  synthOnce(dirs.get(SIZES[0])!); // warm the file cache and the runner's bundle
  const resources = synthesizedResources(regionsDirOf(1));
  // Rounds of every size in turn, so that drift over the run weighs on every size alike.
  const samples = new Map<number, Sample[]>(SIZES.map((n) => [n, []]));
  for (let round = 0; round < RUNS; round++) {
    for (const n of SIZES) samples.get(n)!.push(synthOnce(dirs.get(n)!));
    console.error(`  round ${round + 1}/${RUNS}: ${SIZES.map((n) => `${n}: ${fmt(samples.get(n)![round].wallMs)} ms`).join(", ")}`);
  }
  for (const n of SIZES) bySize.set(n, medianSample(samples.get(n)!));
  const threadsUsed = new Map(SIZES.map((n) => [n, Math.max(...samples.get(n)!.map((x) => x.threads ?? 1))]));
  log(`## Synthesis as regions grow (\`main.ts\`: validation, every stack, guardrails, reports; each synthetic region ${resources} resources and data sources)`);
  log();
  log("| regions | threads | wall (ms) | CPU (ms) | peak RSS (MB) | marginal wall per region (ms) | marginal CPU per region (ms) | marginal RSS per region (MB) |");
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
    log(`| ${n} | ${threadsUsed.get(n)} | ${fmt(s.wallMs)} | ${fmt(s.cpuMs)} | ${fmt(s.maxRssMb, 1)} | ${m.join(" | ")} |`);
    previous = [n, s];
  }
  log();
  if (marginals.length > 0) {
    const sizes = SIZES.filter((n) => bySize.has(n));
    const fitWall = slope(sizes, sizes.map((n) => bySize.get(n)!.wallMs));
    const fitCpu = slope(sizes, sizes.map((n) => bySize.get(n)!.cpuMs));
    const fitRss = slope(sizes, sizes.map((n) => bySize.get(n)!.maxRssMb));
    const worstWall = Math.max(...marginals.map((m) => m.wallMs));
    const spread = (n: number) => {
      const walls = samples.get(n)!.map((x) => x.wallMs);
      return `${n}: ${fmt(Math.min(...walls))}-${fmt(Math.max(...walls))} ms`;
    };
    // "Never growing": a later step may not cost more than the one before it beyond the runs' noise (10 %).
    const growing = marginals.slice(1).filter((m, i) => m.wallMs > marginals[i].wallMs * 1.1);
    const msPerResource = fitWall / resources;
    const kbPerResource = (fitRss * 1024) / resources;
    // The same on one thread (BLUEPRINT_SYNTH_THREADS=1), between the smallest and the largest size: what a region costs without the other cores.
    const [low, high] = [Math.min(...sizes), Math.max(...sizes)];
    const oneThread = (n: number) => medianSample(Array.from({ length: RUNS }, () => synthOnce(dirs.get(n)!, [], { BLUEPRINT_SYNTH_THREADS: "1" })));
    const [oneLow, oneHigh] = [oneThread(low), oneThread(high)];
    const oneWall = (oneHigh.wallMs - oneLow.wallMs) / (high - low);
    const oneCpu = (oneHigh.cpuMs - oneLow.cpuMs) / (high - low);
    const threads = os.availableParallelism();
    row(
      `Marginal cost of a region, per synthesized resource (${resources} per region, up to ${Math.max(...sizes)} regions; wall time, the regions shared among the ${threads} cores' threads)`,
      `${fmt(msPerResource, 3)} ms, ${fmt(kbPerResource, 1)} KB (${fmt(fitWall, 1)} ms, ${fmt(fitRss, 2)} MB a region); CPU ${fmt(fitCpu / resources, 3)} ms; one thread ${fmt(oneWall / resources, 3)} ms (${fmt(oneWall, 1)} ms a region)`,
      "-",
      `≤ ${TARGETS.marginalMsPerResource} ms, ≤ ${TARGETS.marginalKbPerResource} KB, never growing${growing.length ? ` (grows at ${growing.map((m) => `${m.from}→${m.to}`).join(", ")})` : ""}`,
      msPerResource <= TARGETS.marginalMsPerResource && kbPerResource <= TARGETS.marginalKbPerResource && growing.length === 0,
    );
    log(`Marginal cost per region: least-squares slope ${fmt(fitWall, 1)} ms wall, ${fmt(fitCpu, 1)} ms CPU, ${fmt(fitRss, 2)} MB (${fmt(msPerResource, 3)} ms and ${fmt(kbPerResource, 1)} KB per synthesized resource); worst step ${fmt(worstWall, 1)} ms. Spread of the runs (wall): ${sizes.map(spread).join("; ")}.`);
    log();
    log(`On one thread (\`BLUEPRINT_SYNTH_THREADS=1\`), ${low} and ${high} regions: ${fmt(oneLow.wallMs)} and ${fmt(oneHigh.wallMs)} ms wall, ${fmt(oneLow.cpuMs)} and ${fmt(oneHigh.cpuMs)} ms CPU: ${fmt(oneWall, 1)} ms wall and ${fmt(oneCpu, 1)} ms CPU a region (${fmt(oneWall / resources, 3)} ms per resource). From ${sizes.find((n) => (threadsUsed.get(n) ?? 1) > 1) ?? "no size here"} regions up, the synth shares the regions among ${threads} threads (core/synth-threads.ts); threads that run at once slow each other (each one's regions take longer than on one thread: shared caches and memory), so the CPU time is above one thread's.`);
    log();
  }

  // 3. The offline plan of one region.
  const tools = findOfflineTerraform();
  log("## Real offline plan of one region (`region-eu`: init from the mirror, plan with the reviewer's text, show -json; one run)");
  log();
  if ("missing" in tools) log(`Not measured: ${tools.missing}.`);
  else {
    const outdir = tmp("plan-synth");
    timed(process.execPath, [...appRunnerArgs(), "main.ts"], REPO, { CDKTF_OUTDIR: outdir });
    const start = process.hrtime.bigint();
    const plan = await planOffline(path.join(outdir, "stacks", "region-eu"), { tools, text: true });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    providerServers(tools)?.close();
    log(`${fmt(ms)} ms (${plan.summary}).`);
  }
  log();

  // 4. Type-checking and the tests.
  const tsc = timed(process.execPath, [path.join(REPO, "node_modules", "typescript", "bin", "tsc"), "--noEmit", "-p", "tsconfig.json"], REPO);
  row("`tsc --noEmit`", `${fmt(tsc / 1000, 1)} s`, "-", `≤ ${TARGETS.tscSeconds} s`, tsc / 1000 <= TARGETS.tscSeconds);
  if (TESTS) {
    // As CI runs it, on a clean checkout: no plan or built state kept by an earlier run (the tests
    // keep them by their inputs, under node_modules/.cache), and no file transpiled by jest before.
    // The kept ones are set aside for the run and put back after it.
    const kept = ["blueprint-plans", "blueprint-upgrade"].map((d) => path.join(REPO, "node_modules", ".cache", d));
    for (const d of kept) if (fs.existsSync(d)) fs.renameSync(d, `${d}.bench-aside`);
    let test: number;
    try {
      test = timed("npm", ["test", "--", "--silent", `--cacheDirectory=${tmp("jest-cache")}`], REPO);
    } finally {
      for (const d of kept) {
        if (!fs.existsSync(`${d}.bench-aside`)) continue;
        fs.rmSync(d, { recursive: true, force: true });
        fs.renameSync(`${d}.bench-aside`, d);
      }
    }
    row(
      `\`npm test\` (every test, the real offline plans included; ${os.cpus().length} cores; as on CI: no plan, built state or transpiled file kept from an earlier run)`,
      `${fmt(test / 1000, 1)} s`,
      "-",
      `≤ ${TARGETS.testSeconds} s`,
      test / 1000 <= TARGETS.testSeconds,
    );
  } else row("`npm test`", "not timed (`--no-tests`)", "-", `≤ ${TARGETS.testSeconds} s`, undefined);

  // 5. Where the time goes: a CPU profile of the 16-region synth.
  if (PROFILE) {
    const profileDir = tmp("profile");
    const n = SIZES.includes(16) ? 16 : SIZES[SIZES.length - 1];
    // On one thread: one profile holds all of it.
    synthOnce(dirs.get(n) ?? regionsDirOf(n), ["--cpu-prof", "--cpu-prof-dir", profileDir], { BLUEPRINT_SYNTH_THREADS: "1" });
    const file = path.join(profileDir, fs.readdirSync(profileDir).find((f) => f.endsWith(".cpuprofile"))!);
    log(`## Where the time of a ${n}-region synth on one thread goes (\`node --cpu-prof\`, self time by file or package)`);
    log();
    log("| where | self time (ms) | share |");
    log("|---|---|---|");
    for (const r of summarizeProfile(file).slice(0, 20)) log(`| ${r.where} | ${fmt(r.ms)} | ${fmt(r.share * 100, 1)} % |`);
    log();
    const kept = path.join(os.tmpdir(), `bench-${n}-regions.cpuprofile`);
    fs.copyFileSync(file, kept);
    log(`Profile (open in Chrome DevTools or speedscope): ${kept}`);
    log();
  }

  const table = ["| measure | result | floor | target | met |", "|---|---|---|---|---|", ...summary];
  console.log(["", ...table].join("\n"));
  const text = ["# Benchmark results", "", header, "", ...table, "", ...details];
  fs.writeFileSync(path.join(__dirname, "RESULTS.md"), `${text.join("\n")}\n`);
  console.error(`wrote ${path.relative(process.cwd(), path.join(__dirname, "RESULTS.md"))}`);
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const d of temporaries) fs.rmSync(d, { recursive: true, force: true });
  });
