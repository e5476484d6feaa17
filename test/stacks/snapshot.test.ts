import { spawnSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { syntheticRegions } from "../../bench/regions";
import apacFile from "../../regions/apac";
import euFile from "../../regions/eu";
import usFile from "../../regions/us";
import { APP_RUNNER, hsmStageStacks, shippedAllLayers, synthRegions } from "../support/synth";

/**
 * Every file under `dir`, relative path → SHA-256 of its bytes (jest compares a Buffer byte by
 * byte: comparing the trees themselves took 20 of this file's 27 seconds).
 */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = createHash("sha256").update(fs.readFileSync(p)).digest("hex");
    }
  };
  walk(dir);
  return out;
}

const stacks = shippedAllLayers();

describe.each([...stacks, ...hsmStageStacks()].map((s) => [s.name, s] as const))("%s", (_name, stack) => {
  it("matches its snapshot (drift shows here; the invariant tests say whether it matters)", () => {
    expect(stack.text).toMatchSnapshot();
  });
});

describe("synthesis is deterministic", () => {
  /** The outdir of the shipped synth (read at the first test, not while jest collects them). */
  const first = () => path.dirname(path.dirname(stacks[0].dir));

  it("writes byte-identical output when synthesized again", () => {
    const again = synthRegions();
    expect(tree(again.outdir)).toEqual(tree(first()));
  });

  it("writes the same bytes on two threads as on one (main.ts; the shipped regions and two of the benchmark's, one of them a worker's share)", () => {
    const regionsDir = fs.mkdtempSync(path.join(os.tmpdir(), "threads-regions-"));
    for (const [name, data] of [...Object.entries({ eu: euFile, us: usFile, apac: apacFile }), ...syntheticRegions(2).map((r) => [r.name, r] as const)]) {
      fs.writeFileSync(path.join(regionsDir, `${name}.js`), `exports.default = ${JSON.stringify(data)};\n`);
    }
    const synth = (threads: string) => {
      const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `main-synth-${threads}-`));
      const result = spawnSync(process.execPath, [...APP_RUNNER, "main.ts"], {
        cwd: path.join(__dirname, "..", ".."),
        env: { ...process.env, CDKTF_OUTDIR: outdir, BLUEPRINT_REGIONS_DIR: regionsDir, BLUEPRINT_SYNTH_THREADS: threads },
        encoding: "utf8",
      });
      expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: "" });
      return { stdout: result.stdout, tree: tree(outdir) };
    };
    const one = synth("1");
    const two = synth("2");
    expect(one.stdout).toContain("REPORT.md beside each); the index");
    expect(two.stdout).toContain("REPORT.md beside each, on 2 threads); the index");
    expect(Object.keys(two.tree).filter((f) => f.endsWith("cdk.tf.json"))).toHaveLength(23);
    expect(two.tree).toEqual(one.tree);
  });

  it("writes the same bytes through main.ts in a fresh process (what cdktf synth runs)", () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "main-synth-"));
    const result = spawnSync(process.execPath, [...APP_RUNNER, "main.ts"], {
      cwd: path.join(__dirname, "..", ".."),
      env: { ...process.env, CDKTF_OUTDIR: outdir },
      encoding: "utf8",
    });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: expect.not.stringContaining("Error") });
    expect(tree(outdir)).toEqual(tree(first()));
  });
});
