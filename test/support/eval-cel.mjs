// Evaluates CEL expressions (the workload pod policy's checks) with @marcbachmann/cel-js, which is
// ESM-only, so the tests run this file in a child process:
//   node test/support/eval-cel.mjs <file with a JSON array of {id, expression, object}>
// It prints a JSON array of {id, value, error}.
import { readFileSync } from "node:fs";
import { evaluate } from "@marcbachmann/cel-js";

const items = JSON.parse(readFileSync(process.argv[2], "utf8"));
const results = items.map(({ id, expression, object }) => {
  try {
    return { id, value: evaluate(expression, { object }), error: null };
  } catch (e) {
    return { id, value: null, error: String(e?.message ?? e) };
  }
});
process.stdout.write(JSON.stringify(results));
