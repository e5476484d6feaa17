/**
 * A report's diagram as Mermaid: boxes (subgraphs) and nodes placed where the configuration puts
 * them, and edges of a few kinds, each with one meaning that the diagram's own legend states. The
 * layers (aws.ts, gcp.ts, in-cluster.ts) say what to draw; this module says how, so every diagram
 * has the same title line, layout and legend.
 */
import { label, nodeId } from "./markdown";

/** What an edge means. Each kind is drawn with its own arrow and explained in the legend. */
export type EdgeKind = "traffic" | "encrypts" | "delivers" | "holds";

const ARROW: Readonly<Record<EdgeKind, string>> = { traffic: "-->", encrypts: "-.->", delivers: "==>", holds: "---" };

/** The legend's sentence for each kind (client → server, key → what it protects, ...). */
export const EDGE_MEANING: Readonly<Record<EdgeKind, readonly [from: string, meaning: string, to: string]>> = {
  traffic: ["client", "traffic the configuration admits (label: port or call, and what admits it)", "server"],
  encrypts: ["key", "encrypts: the data at rest, or what a service encrypts with it", "data or service"],
  delivers: ["source", "data written or copied to (backup, replication, logs)", "destination"],
  holds: ["HSM", "holds the key material of (KMS custom key store)", "KMS key"],
};

/** A node's shape: a box, a store (cylinder) or an outside party (stadium). */
export type Shape = "box" | "store" | "party";

const SHAPE: Readonly<Record<Shape, [string, string]>> = { box: ["[", "]"], store: ["[(", ")]"], party: (["([", "])"]) };

export interface Edge {
  readonly kind: EdgeKind;
  readonly from: string;
  readonly to: string;
  /** What the edge carries (ports, calls), merged when two facts name the same edge. */
  readonly text: string[];
}

/** A box: its id, its title, and what is inside it in order (nodes and boxes, as Mermaid lines). */
interface Box {
  readonly id: string;
  readonly title: string;
  readonly lines: string[];
}

/** A diagram under construction. Node and box ids are made plain with nodeId(). */
export class Diagram {
  private readonly root: Box = { id: "", title: "", lines: [] };
  private readonly stack: Box[] = [this.root];
  private readonly edges = new Map<string, Edge>();
  private readonly ids = new Set<string>();

  /** Adds a node to the innermost open box. Returns its id. */
  node(id: string, text: string, shape: Shape = "box"): string {
    const plain = nodeId(id);
    if (this.ids.has(plain)) throw new Error(`diagram: node ${plain} is drawn twice`);
    this.ids.add(plain);
    const [open, close] = SHAPE[shape];
    this.current.lines.push(`${plain}${open}${label(text)}${close}`);
    return plain;
  }

  /** Draws a box around what `inside` adds. Boxes nest. */
  box(id: string, title: string, inside: () => void): void {
    const plain = nodeId(id);
    if (this.ids.has(plain)) throw new Error(`diagram: box ${plain} is drawn twice`);
    this.ids.add(plain);
    const b: Box = { id: plain, title, lines: [] };
    this.stack.push(b);
    try {
      inside();
    } finally {
      this.stack.pop();
    }
    // An empty box is not drawn: it would say that something exists there.
    if (b.lines.length > 0) this.current.lines.push(`subgraph ${plain}[${label(title)}]`, ...b.lines.map((l) => `  ${l}`), "end");
  }

  /** Whether a node or box was drawn. */
  has(id: string): boolean {
    return this.ids.has(nodeId(id));
  }

  /** An edge between two drawn nodes; the same edge named twice carries both texts. */
  edge(kind: EdgeKind, from: string, to: string, text?: string): void {
    for (const end of [from, to]) if (!this.ids.has(end)) throw new Error(`diagram: edge ${from} → ${to} names ${end}, which is not drawn`);
    const key = `${kind} ${from} ${to}`;
    const e = this.edges.get(key) ?? { kind, from, to, text: [] };
    if (text && !e.text.includes(text)) e.text.push(text);
    this.edges.set(key, e);
  }

  /** The edges drawn so far (for the layers' own checks). */
  allEdges(): Edge[] {
    return [...this.edges.values()];
  }

  private get current(): Box {
    return this.stack[this.stack.length - 1];
  }

  /**
   * The Mermaid text: a front matter with the title and the layout (ELK: it keeps nested boxes
   * inside their parents and routes edges around nodes), the boxes and nodes, the edges sorted,
   * then a legend of the edge kinds used.
   */
  render(title: string): string {
    const edges = [...this.edges.values()].sort((a, b) => (`${a.kind} ${a.from} ${a.to}` < `${b.kind} ${b.from} ${b.to}` ? -1 : 1));
    const used = (Object.keys(ARROW) as EdgeKind[]).filter((k) => edges.some((e) => e.kind === k));
    const legend = used.flatMap((k) => {
      const [from, meaning, to] = EDGE_MEANING[k];
      return [`  legend_${k}_from[${label(from)}] ${ARROW[k]}|${label(meaning)}| legend_${k}_to[${label(to)}]`];
    });
    return [
      "---",
      `title: ${label(title)}`,
      "config:",
      "  layout: elk",
      "---",
      "flowchart TB",
      ...this.root.lines.map((l) => `  ${l}`),
      ...edges.map((e) => `  ${e.from} ${ARROW[e.kind]}${e.text.length ? `|${label(e.text.join("; "))}|` : ""} ${e.to}`),
      ...(legend.length ? ["  subgraph legend[\"Legend: what each kind of line means\"]", ...legend.map((l) => `  ${l}`), "  end"] : []),
    ].join("\n");
  }
}
