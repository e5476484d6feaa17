/** Markdown tables and Mermaid labels for the reports. */


/** A Mermaid node id: letters, digits and underscores only. */
export function nodeId(s: string): string {
  return s.replace(/[^A-Za-z0-9_]/g, "_");
}

/** A Mermaid label: quotes and brackets would end it. */
export function label(s: string): string {
  return `"${s.replace(/"/g, "'").replace(/[[\]{}<>]/g, " ")}"`;
}

/** Markdown-safe table cell. */
export function cell(value: unknown): string {
  return String(value ?? "").replace(/\|/g, "\\|").replace(/\n/g, " ");
}

export function table(header: string[], rows: unknown[][]): string {
  if (rows.length === 0) return "_none_\n";
  return [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`)].join("\n") + "\n";
}

/** A reference or ARN, shortened for a reader: `${aws_iam_role.x.arn}` → `aws_iam_role.x`. */
export function shortRef(value: unknown): string {
  const s = String(value);
  const m = /^\$\{([a-z0-9_]+)\.([^.}]+)\.[a-z_]+\}$/.exec(s);
  if (m) return `${m[1]}.${m[2]}`;
  const root = /^arn:aws:iam::(\d{12}):root$/.exec(s);
  if (root) return `account ${root[1]} root, i.e. its IAM policies`;
  return s;
}
