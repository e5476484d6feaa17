import * as fs from "fs";
import * as path from "path";

const ROOT = path.join(__dirname, "..");

/**
 * The node arguments of cdktf.json's app command before its entry point (`main.ts`), with the
 * repository's scripts made absolute: the tests, `npm run plan` and the benchmark run main.ts
 * exactly as `cdktf synth` does.
 */
export function appRunnerArgs(): string[] {
  const app = (JSON.parse(fs.readFileSync(path.join(ROOT, "cdktf.json"), "utf8")) as { app: string }).app.split(/\s+/);
  if (app[0] !== "node" || app[app.length - 1] !== "main.ts") throw new Error(`cdktf.json's app is not "node ... main.ts": ${app.join(" ")}`);
  return app.slice(1, -1).map((a) => (a.startsWith("scripts/") ? path.join(ROOT, a) : a));
}
