/**
 * Corrections to cdktf 0.21's HCL output (`cdktf synth --hcl`), which reviewers may prefer to the
 * JSON. cdktf is archived, so its renderer is corrected here rather than upstream:
 * - a string that contains `${...}` is written between quotes without escaping its own quotes
 *   (`policy = "{"Version":...}"`), which Terraform cannot parse; strings that do not are escaped
 *   only partly (backslashes are left alone);
 * - the terraform block's plain attributes (`required_version`) are written as their index
 *   (`0 = "required_version"`);
 * - multi-line strings become heredocs, which add a trailing newline to the value, or, inside a
 *   map (a Kubernetes manifest), quoted strings split over lines, which Terraform cannot parse;
 * - attributes set to an empty list (`route = []`, which makes Terraform remove what is not
 *   declared) are dropped;
 * - `depends_on` and `ignore_changes` list quoted references, and `provider` is a quoted
 *   reference, which Terraform warns are deprecated.
 * The tests plan the corrected HCL and the JSON offline and compare the planned values.
 */

/** Every string value of a JSON document. */
function stringsOf(value: unknown, out: Set<string> = new Set()): Set<string> {
  if (typeof value === "string") out.add(value);
  else if (Array.isArray(value)) value.forEach((v) => stringsOf(v, out));
  else if (value && typeof value === "object") Object.values(value).forEach((v) => stringsOf(v, out));
  return out;
}

/** How cdktf 0.21 writes a one-line string (`renderString` and `escapeQuotes` of its HCL renderer). */
function cdktfQuoted(s: string): string {
  return `"${/\$\{/.test(s) ? s : s.replace(/(?<!\\)"/g, '\\"')}"`;
}

/** The end (exclusive) of the interpolation that starts at `start` (`${`), counting braces outside strings. */
function interpolationEnd(s: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start + 1; i < s.length; i++) {
    const c = s[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return i + 1;
  }
  return s.length;
}

/**
 * A one-line string as an HCL quoted template with the same value: quotes, backslashes and control
 * characters escaped outside template sequences; the sequences, which mean the same in Terraform's
 * JSON and HCL syntaxes, kept (`${...}` interpolations, `%{...}` directives, and their literal
 * escapes `$${` and `%%{`).
 */
export function hclQuoted(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; ) {
    if (s.startsWith("$${", i) || s.startsWith("%%{", i)) {
      out += s.slice(i, i + 3);
      i += 3;
    } else if (s.startsWith("${", i) || s.startsWith("%{", i)) {
      const end = interpolationEnd(s, i);
      out += s.slice(i, end);
      i = end;
    } else {
      const c = s[i++];
      out += c === "\\" ? "\\\\" : c === '"' ? '\\"' : c === "\t" ? "\\t" : c === "\n" ? "\\n" : c === "\r" ? "\\r" : c;
    }
  }
  return `"${out}"`;
}

/**
 * Arguments that the AWS provider declares as attributes written like blocks: `= []` is how HCL
 * says "none" (Terraform then removes rules or routes that exist but are not declared).
 */
const ATTRIBUTES_AS_BLOCKS: Record<string, readonly string[]> = {
  aws_route_table: ["route"],
  aws_default_route_table: ["route"],
  aws_security_group: ["ingress", "egress"],
  aws_default_security_group: ["ingress", "egress"],
};

/** cdktf's HCL of a stack, corrected; `json` is the stack's JSON (`toTerraform()`). */
export function correctHcl(hcl: string, json: Record<string, unknown>): string {
  const fixes = new Map<string, string>();
  for (const s of stringsOf(json)) {
    if (/[\r\n]/.test(s)) continue; // written as heredocs, which need no escaping
    const wrong = cdktfQuoted(s);
    const right = hclQuoted(s);
    // Two values that cdktf writes alike cannot be told apart in its output: refuse rather than guess.
    if (fixes.has(wrong) && fixes.get(wrong) !== right) throw new Error(`cdktf writes two different strings as ${wrong}; the HCL cannot be corrected (synthesize JSON instead).`);
    if (wrong !== right) fixes.set(wrong, right);
  }
  // Multi-line strings inside nested values (a manifest's map) are written as one quoted string
  // split over lines, unescaped: back to one escaped line.
  let text = hcl;
  for (const s of stringsOf(json)) if (/[\r\n]/.test(s)) text = text.split(cdktfQuoted(s)).join(hclQuoted(s));
  const block = (json.terraform ?? {}) as Record<string, unknown>;
  // Heredocs back to quoted strings (their content is the value, without the heredoc's last newline).
  const unheredoc = text.replace(/<<EOF\n([\s\S]*?)\nEOF$/gm, (_m, content: string) => hclQuoted(content));
  // Empty lists back where the JSON has them and HCL takes them as attributes (in JSON, `[]` for a
  // nested block means no block, which HCL says by omission).
  const resources = (json.resource ?? {}) as Record<string, Record<string, Record<string, unknown>>>;
  const withEmptyLists = unheredoc.replace(/^resource "([^"]+)" "([^"]+)" \{$/gm, (header, type: string, name: string) => {
    const empty = Object.entries(resources[type]?.[name] ?? {}).filter(([k, v]) => Array.isArray(v) && v.length === 0 && (ATTRIBUTES_AS_BLOCKS[type] ?? []).includes(k));
    return [header, ...empty.map(([k]) => `  ${k} = []`)].join("\n");
  });
  let inDependsOn = false;
  return withEmptyLists
    .split("\n")
    .map((line) => {
      if (/^\s*(depends_on|ignore_changes) = \[$/.test(line)) inDependsOn = true;
      else if (inDependsOn && /^\s*\]$/.test(line)) inDependsOn = false;
      else if (inDependsOn) return line.replace(/^(\s*)"([a-z0-9_]+(?:\.[A-Za-z0-9_-]+)?)"(,?)$/, "$1$2$3");
      // `provider = "aws.dr"` is a reference, written bare in HCL.
      // At a resource's top level (cdktf writes it unindented or at two spaces), not inside values.
      const provider = /^( {0,2})provider = "([a-z0-9_-]+\.[a-z0-9_-]+)"$/.exec(line);
      if (provider) return `${provider[1]}provider = ${provider[2]}`;
      const attribute = /^(\s*)(\d+) = "([a-z_]+)"$/.exec(line);
      if (attribute && (typeof block[attribute[3]] === "string" || typeof block[attribute[3]] === "number")) return `${attribute[1]}${attribute[3]} = ${JSON.stringify(block[attribute[3]])}`;
      const m = /^(\s*(?:[A-Za-z0-9_-]+|"[^"]*") = )(".*")(,?)$/.exec(line) ?? /^(\s*)(".*")(,?)$/.exec(line);
      if (!m) return line;
      const fixed = fixes.get(m[2]);
      return fixed === undefined ? line : `${m[1]}${fixed}${m[3]}`;
    })
    .join("\n");
}
