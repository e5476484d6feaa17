/**
 * `npm run docs`: writes the generated references (docs/guardrails.md, docs/region-file.md; see
 * scripts/generated-docs.ts). `npm run docs -- --check` writes nothing and fails when a committed
 * file is stale.
 */
import * as fs from "fs";
import * as path from "path";
import { GENERATED, ROOT, staleDocs } from "./generated-docs";

if (process.argv.includes("--check")) {
  const stale = staleDocs();
  if (stale.length > 0) {
    console.error(`Stale generated docs: ${stale.join(", ")}. Run npm run docs and commit the result.`);
    process.exit(1);
  }
  console.log(`Generated docs are current: ${Object.keys(GENERATED).join(", ")}.`);
} else {
  for (const [file, generate] of Object.entries(GENERATED)) {
    fs.writeFileSync(path.join(ROOT, file), generate());
    console.log(`wrote ${file}`);
  }
}
