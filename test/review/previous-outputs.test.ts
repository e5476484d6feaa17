import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { removePreviousOutputs } from "../../review/write-reports";

/** Every file under `dir`, relative, sorted. */
const files = (dir: string): string[] =>
  fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();

function outdirWith(paths: readonly string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "previous-outputs-"));
  for (const p of paths) {
    fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    fs.writeFileSync(path.join(dir, p), "x");
  }
  return dir;
}

describe("before a synth, what the previous one wrote is removed", () => {
  it("removes each stack's configuration in both formats, its report, its rendered diagram and its plan, the manifest and the index", () => {
    const dir = outdirWith([
      "manifest.json",
      "REPORTS.md",
      "stacks/region-eu/cdk.tf.json",
      "stacks/region-eu/REPORT.md",
      "stacks/region-eu/diagram.svg",
      "stacks/region-eu/plan.json",
      "stacks/region-eu/plan.txt",
      "stacks/region-eu-mesh/cdk.tf",
      "stacks/region-eu-mesh/cdk.tf.json",
      // A stack the regions no longer define.
      "stacks/region-gone/cdk.tf.json",
      "stacks/region-gone/REPORT.md",
    ]);
    expect(removePreviousOutputs(dir).map((f) => path.relative(dir, f))).toEqual([
      "manifest.json",
      "REPORTS.md",
      "stacks/region-eu/cdk.tf.json",
      "stacks/region-eu/REPORT.md",
      "stacks/region-eu/diagram.svg",
      "stacks/region-eu/plan.json",
      "stacks/region-eu/plan.txt",
      "stacks/region-eu-mesh/cdk.tf.json",
      "stacks/region-eu-mesh/cdk.tf",
      "stacks/region-gone/cdk.tf.json",
      "stacks/region-gone/REPORT.md",
    ]);
    expect(files(dir)).toEqual([]);
  });

  it("keeps Terraform's working files and anything else it did not write", () => {
    const dir = outdirWith(["stacks/region-eu/.terraform/terraform.tfstate", "stacks/region-eu/.terraform.lock.hcl", "stacks/region-eu/cdk.tf.json", "notes.md"]);
    removePreviousOutputs(dir);
    expect(files(dir)).toEqual(["notes.md", "stacks/region-eu/.terraform.lock.hcl", "stacks/region-eu/.terraform/terraform.tfstate"]);
  });

  it("does nothing where no synth has run yet", () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "previous-outputs-")), "cdktf.out");
    expect(removePreviousOutputs(dir)).toEqual([]);
    expect(fs.existsSync(dir)).toBe(false);
  });
});
