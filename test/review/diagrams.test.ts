import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DIAGRAM_FILE, Geometry, Rect, findBrowser } from "../../scripts/diagram-browser";
import { boxesAround, readDiagram } from "../support/mermaid";
import { SCRIPT_RUNNER, allStacks, shippedAllLayers } from "../support/synth";

/**
 * Every report's diagram rendered by the real renderer (Mermaid and its ELK layout in Chromium, what
 * `npm run diagrams` runs), and checked where a reader relies on the picture: a box lies inside
 * the box it is drawn in (a tier inside its VPC, the VPC inside its region), each node inside its
 * box, no two nodes overlap, every edge runs from its own node to its own node and through no
 * other node. Skipped loudly where no browser exists, except on CI when it has one
 * (REQUIRE_DIAGRAM_RENDER=1, set by .ci/run), where that is a failure.
 */
const browser = findBrowser();
const required = process.env.REQUIRE_DIAGRAM_RENDER === "1";
/** The shipped stacks and the later CloudHSM stages (the only ones whose diagram has a key held in the HSM). */
const stacks = [...shippedAllLayers(), ...allStacks().filter((s) => s.name.includes("@"))];
/** Each stack's directory in the render's outdir (variant names hold spaces and @). */
const dirOf = (name: string) => name.replace(/[^A-Za-z0-9_-]/g, "_");

const inside = (a: Rect, b: Rect, tolerance = 1) =>
  a.x >= b.x - tolerance && a.y >= b.y - tolerance && a.x + a.width <= b.x + b.width + tolerance && a.y + a.height <= b.y + b.height + tolerance;

/** Distance from a point to a rectangle (0 inside it). */
const distance = ([x, y]: [number, number], r: Rect) => Math.hypot(Math.max(r.x - x, 0, x - r.x - r.width), Math.max(r.y - y, 0, y - r.y - r.height));

/** Whether a point lies inside a rectangle shrunk by `margin` on every side. */
const strictlyIn = ([x, y]: [number, number], r: Rect, margin: number) => x > r.x + margin && x < r.x + r.width - margin && y > r.y + margin && y < r.y + r.height - margin;

if (!browser) {
  if (required) {
    it("has a browser to render the diagrams with (required on CI)", () => {
      throw new Error("Rendering the diagrams is required here, but no Chromium was found (PUPPETEER_EXECUTABLE_PATH, /usr/bin/chromium).");
    });
  } else {
    console.warn("\n*** SKIPPING the rendered-diagram checks: no Chromium on this machine (apt-get install chromium). ***\n*** The diagrams' text is still checked by test/review/report.test.ts; CI requires the rendering. ***\n");
    it.skip("rendered diagrams (no browser)", () => undefined);
  }
} else {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "diagrams-"));
  let geometry: Record<string, Geometry> = {};
  let render = { status: -1 as number | null, output: "" };

  beforeAll(() => {
    // The reports of the shipped synth, copied: the render writes beside them.
    for (const s of stacks) {
      fs.mkdirSync(path.join(outdir, "stacks", dirOf(s.name)), { recursive: true });
      fs.writeFileSync(path.join(outdir, "stacks", dirOf(s.name), "REPORT.md"), s.report);
    }
    const file = path.join(outdir, "geometry.json");
    const r = spawnSync(process.execPath, [...SCRIPT_RUNNER, "scripts/render-diagrams.ts", "--outdir", outdir, "--geometry", file, "--require"], { encoding: "utf8", timeout: 240_000 });
    render = { status: r.status, output: `${r.stdout}${r.stderr}` };
    if (r.status === 0) geometry = JSON.parse(fs.readFileSync(file, "utf8"));
  }, 250_000);

  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  it("renders every report's diagram with Mermaid in Chromium, an SVG beside each report", () => {
    expect(render).toEqual({ status: 0, output: expect.stringContaining(`Rendered ${stacks.length} diagrams`) });
    for (const s of stacks) expect(fs.readFileSync(path.join(outdir, "stacks", dirOf(s.name), DIAGRAM_FILE), "utf8")).toMatch(/^<svg [^>]*id="diagram"/);
  });

  describe.each(stacks.map((s) => [s.name, s] as const))("the rendered diagram of %s", (name, s) => {
    const drawn = () => readDiagram(s.report);
    const g = () => {
      const x = geometry[dirOf(name)];
      if (!x) throw new Error(`no geometry for ${name}: ${render.output}`);
      return x;
    };

    it("has every box and node of the text, with its title", () => {
      const d = drawn();
      expect(Object.keys(g().clusters).sort()).toEqual([...d.boxes].sort());
      expect(Object.keys(g().nodes).sort()).toEqual([...d.parent.keys()].filter((id) => !d.boxes.has(id)).sort());
      const title = /^title: "([^"]*)"$/m.exec(s.report)![1];
      expect(fs.readFileSync(path.join(outdir, "stacks", dirOf(name), DIAGRAM_FILE), "utf8")).toContain(title.replace(/&/g, "&amp;"));
    });

    it("draws each box inside the box it belongs to, each node inside its box, and nothing in a box it does not belong to", () => {
      const { clusters, nodes } = g();
      const misplaced: string[] = [];
      for (const [id, parent] of drawn().parent) {
        const r = clusters[id] ?? nodes[id];
        if (parent && !inside(r, clusters[parent])) misplaced.push(`${id} sticks out of ${parent}`);
      }
      // And nothing lies in a box it does not belong to (a DR key drawn in the home region, a caller of another region inside this one).
      const d = drawn();
      for (const [id, r] of Object.entries(nodes)) {
        const around = new Set(boxesAround(d, id));
        const centre: [number, number] = [r.x + r.width / 2, r.y + r.height / 2];
        for (const [box, b] of Object.entries(clusters)) if (!around.has(box) && strictlyIn(centre, b, 0)) misplaced.push(`${id} lies in ${box}`);
      }
      expect(misplaced).toEqual([]);
    });

    it("overlaps no two nodes", () => {
      const nodes = Object.entries(g().nodes);
      const overlaps: string[] = [];
      for (const [i, [a, ra]] of nodes.entries()) {
        for (const [b, rb] of nodes.slice(i + 1)) {
          if (ra.x < rb.x + rb.width - 1 && rb.x < ra.x + ra.width - 1 && ra.y < rb.y + rb.height - 1 && rb.y < ra.y + ra.height - 1) overlaps.push(`${a} and ${b}`);
        }
      }
      expect(overlaps).toEqual([]);
    });

    it("runs every edge from its own node to its own node, through no other node", () => {
      const { nodes, edges } = g();
      const problems: string[] = [];
      const text = drawn().edges;
      expect(edges.length).toBe(text.length);
      for (const { from, to } of text) {
        const path = edges.find((e) => new RegExp(`^L_${from}_${to}_\\d+$`).test(e.id));
        if (!path) {
          problems.push(`${from} → ${to} is not drawn`);
          continue;
        }
        const [start, end] = [path.points[0], path.points[path.points.length - 1]];
        if (distance(start, nodes[from]) > 12) problems.push(`${from} → ${to} starts ${Math.round(distance(start, nodes[from]))} px from ${from}`);
        if (distance(end, nodes[to]) > 12) problems.push(`${from} → ${to} ends ${Math.round(distance(end, nodes[to]))} px from ${to}`);
        for (const [id, r] of Object.entries(nodes)) {
          if (id !== from && id !== to && path.points.some((p) => strictlyIn(p, r, 2))) problems.push(`${from} → ${to} passes through ${id}`);
        }
      }
      expect(problems).toEqual([]);
    });
  });
}
