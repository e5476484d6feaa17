/** Reading back the Mermaid flowcharts of the reports (the form review/diagram.ts writes). */

/** What the Mermaid text says: the box each node and box is drawn in, and the edges. */
export interface Drawn {
  /** The box each node and box is drawn in (undefined: at the top). */
  readonly parent: Map<string, string | undefined>;
  readonly boxes: Set<string>;
  /** Each edge: its ends, its arrow and its label. */
  readonly edges: { from: string; to: string; arrow: string; text: string }[];
  /** Each node's label. */
  readonly labels: Map<string, string>;
  /** The front matter's title. */
  readonly title: string;
  /** The front matter's and the flowchart's first lines. */
  readonly head: string[];
}

const ID = "([A-Za-z0-9_]+)";
const SHAPE = '(?:\\[\\("([^"]*)"\\)\\]|\\(\\["([^"]*)"\\]\\)|\\["([^"]*)"\\])';

/** Reads the nesting and the edges of a report's flowchart (the form review/diagram.ts writes). */
export function readDiagram(report: string): Drawn {
  const m = /```mermaid\n([\s\S]*?)\n```/.exec(report);
  if (!m) throw new Error("no mermaid block");
  const parent = new Map<string, string | undefined>();
  const boxes = new Set<string>();
  const edges: Drawn["edges"] = [];
  const labels = new Map<string, string>();
  const open: string[] = [];
  const [, front, body] = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(m[1]) ?? ["", "", m[1]];
  const title = /^title: "([^"]*)"$/m.exec(front)?.[1] ?? "";
  for (const raw of body.split("\n")) {
    const line = raw.trim();
    let x: RegExpExecArray | null;
    if ((x = new RegExp(`^subgraph ${ID}\\[`).exec(line))) {
      parent.set(x[1], open[open.length - 1]);
      boxes.add(x[1]);
      open.push(x[1]);
    } else if (line === "end") open.pop();
    else if ((x = new RegExp(`^${ID}${SHAPE}?\\s+(-->|-\\.->|==>|---)(?:\\|"([^"]*)"\\|)?\\s+${ID}${SHAPE}?$`).exec(line))) {
      const [from, arrow, text, to] = [x[1], x[5], x[6] ?? "", x[7]];
      edges.push({ from, to, arrow, text });
      if (!parent.has(from)) parent.set(from, open[open.length - 1]);
      if (!parent.has(to)) parent.set(to, open[open.length - 1]);
      const [fromLabel, toLabel] = [x[2] ?? x[3] ?? x[4], x[8] ?? x[9] ?? x[10]];
      if (fromLabel !== undefined) labels.set(from, fromLabel);
      if (toLabel !== undefined) labels.set(to, toLabel);
    } else if ((x = new RegExp(`^${ID}${SHAPE}$`).exec(line))) {
      parent.set(x[1], open[open.length - 1]);
      labels.set(x[1], x[2] ?? x[3] ?? x[4]);
    }
  }
  return { parent, boxes, edges, labels, title, head: [...front.split("\n"), ...body.split("\n").slice(0, 1)] };
}

/** The boxes around a node or box, innermost first. */
export function boxesAround(d: Drawn, id: string): string[] {
  const out: string[] = [];
  for (let p = d.parent.get(id); p !== undefined; p = d.parent.get(p)) out.push(p);
  return out;
}
