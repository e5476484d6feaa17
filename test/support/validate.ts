import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { TfJson } from "./synth";

/** Runs the ESM validator (validate-manifests.mjs) over objects; returns id → error (null when valid). */
export function validateManifests(objects: { id: string; object: TfJson }[]): Record<string, string | null> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "manifests-")), "objects.json");
  fs.writeFileSync(file, JSON.stringify(objects));
  const result = spawnSync(process.execPath, [path.join(__dirname, "validate-manifests.mjs"), file], { cwd: path.join(__dirname, "..", ".."), encoding: "utf8" });
  if (result.status !== 0) throw new Error(`validator failed: ${result.stderr}`);
  return Object.fromEntries((JSON.parse(result.stdout) as { id: string; error: string | null }[]).map((r) => [r.id, r.error]));
}
