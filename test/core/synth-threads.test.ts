import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { APP_RUNNER } from "../support/synth";
import { DEFAULT_MAX_THREADS, shares, synthThreads, WORKER_MIN_UNITS, WORKER_STARTUP_IN_UNITS } from "../../core/synth-threads";

const ROOT = path.join(__dirname, "..", "..");

describe("shares: the regions cut among the synthesis threads", () => {
  it.each([1, 2, 3, 4, 5, 16, 17, 64, 128])("covers %i units once, contiguously, the main thread's share first and largest, for 1 to 8 threads", (count) => {
    for (let threads = 1; threads <= 8; threads++) {
      const cut = shares(count, threads);
      expect(cut[0][0]).toBe(0);
      expect(cut[cut.length - 1][1]).toBe(count);
      cut.forEach(([from, to], i) => {
        expect(to).toBeGreaterThan(from);
        if (i > 0) expect(from).toBe(cut[i - 1][1]);
      });
      expect(cut.length).toBeLessThanOrEqual(threads);
      const sizes = cut.map(([from, to]) => to - from);
      for (const size of sizes.slice(1)) expect(sizes[0]).toBeGreaterThanOrEqual(size);
      // The workers' shares differ by one at most, and hold two units or more.
      for (const size of sizes.slice(1)) expect(size).toBeGreaterThanOrEqual(2);
      if (sizes.length > 1) expect(Math.max(...sizes.slice(1)) - Math.min(...sizes.slice(1))).toBeLessThanOrEqual(1);
    }
  });

  it("gives the main thread an even share of the units and of the workers' startup", () => {
    expect([WORKER_STARTUP_IN_UNITS, WORKER_MIN_UNITS]).toEqual([1, 2]);
    expect(shares(16, 2)).toEqual([[0, 9], [9, 16]]);
    expect(shares(64, 2)).toEqual([[0, 33], [33, 64]]);
    expect(shares(64, 4)).toEqual([[0, 17], [17, 32], [32, 48], [48, 64]]);
    expect(shares(16, 2, 0)).toEqual([[0, 8], [8, 16]]);
  });

  it("starts a worker only for two units or more: the shipped three regions stay on one thread", () => {
    expect(shares(3, 2)).toEqual([[0, 3]]);
    expect(shares(4, 2)).toEqual([[0, 4]]);
    expect(shares(5, 2)).toEqual([[0, 3], [3, 5]]);
    expect(shares(1, 8)).toEqual([[0, 1]]);
    expect(shares(64, 1)).toEqual([[0, 64]]);
    // Fewer workers when each could not have two units.
    expect(shares(5, 4)).toEqual([[0, 3], [3, 5]]);
    expect(shares(9, 4)).toEqual([[0, 3], [3, 5], [5, 7], [7, 9]]);
  });
});

describe("synthThreads: BLUEPRINT_SYNTH_THREADS", () => {
  it("is the machine's cores when unset or empty, at most DEFAULT_MAX_THREADS, else the number given", () => {
    expect(DEFAULT_MAX_THREADS).toBe(4);
    expect(synthThreads({})).toBe(Math.min(os.availableParallelism(), 4));
    expect(synthThreads({ BLUEPRINT_SYNTH_THREADS: "" })).toBe(Math.min(os.availableParallelism(), 4));
    expect(synthThreads({ BLUEPRINT_SYNTH_THREADS: "8" })).toBe(8);
    expect(synthThreads({ BLUEPRINT_SYNTH_THREADS: "1" })).toBe(1);
    expect(synthThreads({ BLUEPRINT_SYNTH_THREADS: "3" })).toBe(3);
  });

  it.each(["0", "-1", "1.5", "two"])("refuses %s, saying what to give", (raw) => {
    expect(() => synthThreads({ BLUEPRINT_SYNTH_THREADS: raw })).toThrow(`BLUEPRINT_SYNTH_THREADS=${raw}: give a whole number of threads, 1 or more (1: no worker threads).`);
  });
});

describe("main.ts's exit code", () => {
  it("is 1 when the synth fails after it started (a bad BLUEPRINT_SYNTH_THREADS here), even where Node only warns of a rejection", () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "main-fails-"));
    const r = spawnSync(process.execPath, [...APP_RUNNER, "main.ts"], {
      cwd: ROOT,
      env: { ...process.env, CDKTF_OUTDIR: outdir, BLUEPRINT_SYNTH_THREADS: "0", NODE_OPTIONS: "--unhandled-rejections=warn" },
      encoding: "utf8",
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("BLUEPRINT_SYNTH_THREADS=0: give a whole number of threads, 1 or more (1: no worker threads).");
  });
});

describe("a synthesis in worker threads (test/fixtures/synth-threads/app.ts, through scripts/run-ts.cjs as main.ts runs)", () => {
  const run = (env: Record<string, string>) => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "synth-threads-"));
    const r = spawnSync(process.execPath, [path.join(ROOT, "scripts", "run-ts.cjs"), path.join(__dirname, "..", "fixtures", "synth-threads", "app.ts")], {
      cwd: ROOT,
      env: { ...process.env, CDKTF_OUTDIR: outdir, ...env },
      encoding: "utf8",
    });
    const manifestFile = path.join(outdir, "manifest.json");
    const manifest = fs.existsSync(manifestFile) ? (JSON.parse(fs.readFileSync(manifestFile, "utf8")) as { stacks: Record<string, { synthesizedStackPath: string }> }) : undefined;
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, outdir, manifest };
  };

  it("writes every share's stacks and one manifest of them all, and returns the shares' results in order", () => {
    const r = run({ UNITS: "6", BLUEPRINT_SYNTH_THREADS: "2" });
    expect(r.status).toBe(0);
    const units = Array.from({ length: 6 }, (_, i) => `unit-${i}`);
    expect(JSON.parse(r.stdout)).toEqual({ threads: 2, results: [units.slice(0, 4), units.slice(4)] });
    expect(Object.keys(r.manifest!.stacks).sort()).toEqual(units);
    for (const unit of units) {
      const json = JSON.parse(fs.readFileSync(path.join(r.outdir, r.manifest!.stacks[unit].synthesizedStackPath), "utf8")) as { output: { unit: { value: string } } };
      expect(json.output.unit.value).toBe(unit);
    }
  });

  it.each([
    ["a worker's", "5"],
    ["the main thread's", "1"],
  ])("fails with %s error, the stack that threw named, and writes no manifest (exit 1 even where Node only warns of a rejection)", (_who, fail) => {
    const r = run({ UNITS: "6", BLUEPRINT_SYNTH_THREADS: "2", FAIL_UNIT: fail, NODE_OPTIONS: "--unhandled-rejections=warn" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`Error: unit unit-${fail} cannot be built`);
    expect(r.manifest).toBeUndefined();
  });
});
