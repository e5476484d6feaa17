/**
 * `npm run diagrams`: renders the diagram of every report of a synth (`cdktf.out/stacks/<stack>/
 * REPORT.md`) to `diagram.svg` beside it, with the real renderer (mermaid-cli, in the machine's
 * Chromium), so a reviewer has a picture that does not depend on a Markdown viewer's Mermaid.
 *
 *   npm run diagrams -- [--outdir cdktf.out] [--geometry file.json] [--require]
 *
 * --geometry also writes, per stack, where the renderer put each box, node and edge (in the SVG's
 * pixels), for test/review/diagrams.test.ts to check what a reader relies on: a box lies inside
 * its parent, an edge runs from its node to its node and crosses no other node.
 *
 * Without a browser it says so and exits 0 (the synth's reports stand without pictures), or 3
 * with --require. The browser is PUPPETEER_EXECUTABLE_PATH or Debian's `chromium`; puppeteer
 * downloads none (.puppeteerrc.cjs).
 */
import * as fs from "fs";
import * as path from "path";
import type { Browser } from "puppeteer";
import { DIAGRAM_FILE, Geometry, REPORT_FILE, findBrowser } from "./diagram-browser";

function argValue(argv: readonly string[], name: string, fallback: string): string;
function argValue(argv: readonly string[], name: string, fallback: undefined): string | undefined;
function argValue(argv: readonly string[], name: string, fallback: string | undefined): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : fallback;
}

/** The Mermaid block of a report. */
function mermaidOf(report: string): string | undefined {
  const m = /```mermaid\n([\s\S]*?)\n```/.exec(report);
  return m ? m[1] : undefined;
}

/**
 * Run in the page (a string: this project's TypeScript has no DOM types): the outline of each
 * cluster and node (not their labels) and points every few pixels along each edge.
 */
const GEOMETRY_SCRIPT = `(() => {
  const root = document.querySelector("svg");
  // At its own size: Mermaid's SVG scales to the page's width, and the checks' tolerances are in the diagram's pixels.
  const box = root.viewBox.baseVal;
  root.removeAttribute("style");
  root.setAttribute("width", String(box.width));
  root.setAttribute("height", String(box.height));
  const prefix = root.id + "-";
  const rect = (el) => { const r = el.getBoundingClientRect(); return { x: r.x, y: r.y, width: r.width, height: r.height }; };
  const clusters = {};
  for (const g of root.querySelectorAll("g.cluster")) clusters[g.id.slice(prefix.length)] = rect(g.querySelector(":scope > rect") || g);
  const nodes = {};
  for (const g of root.querySelectorAll("g.node")) {
    const id = g.id.slice(prefix.length).replace(/^flowchart-/, "").replace(/-[0-9]+$/, "");
    nodes[id] = rect(g.querySelector(":scope > rect, :scope > path, :scope > g.basic, :scope > polygon") || g);
  }
  const edges = [];
  for (const p of root.querySelectorAll("path.flowchart-link")) {
    const length = p.getTotalLength();
    const m = p.getScreenCTM();
    const points = [];
    for (let l = 0; l < length; l += Math.max(1, length / 400)) { const q = p.getPointAtLength(l).matrixTransform(m); points.push([q.x, q.y]); }
    const end = p.getPointAtLength(length).matrixTransform(m);
    points.push([end.x, end.y]);
    edges.push({ id: p.id.slice(prefix.length), points });
  }
  return { clusters, nodes, edges };
})()`;

async function geometryOf(browser: Browser, svg: string): Promise<Geometry> {
  const page = await browser.newPage();
  try {
    await page.setContent(`<!doctype html><html><body style="margin:0">${svg}</body></html>`);
    return (await page.evaluate(GEOMETRY_SCRIPT)) as Geometry;
  } finally {
    await page.close();
  }
}

/** An ES module by name: mermaid-cli is ESM only, and this file is compiled to CommonJS (which would turn import() into require()). */
const importEsm = new Function("specifier", "return import(specifier)") as <T>(specifier: string) => Promise<T>;

export async function main(argv: readonly string[]): Promise<number> {
  const outdir = argValue(argv, "--outdir", "cdktf.out");
  const geometryFile = argValue(argv, "--geometry", undefined);
  const required = argv.includes("--require");
  const stacksDir = path.join(outdir, "stacks");
  const reports = fs.existsSync(stacksDir)
    ? fs
        .readdirSync(stacksDir)
        .sort()
        .map((s) => ({ stack: s, file: path.join(stacksDir, s, REPORT_FILE) }))
        .filter((r) => fs.existsSync(r.file))
    : [];
  if (reports.length === 0) {
    console.error(`render-diagrams: no reports under ${stacksDir}. Fix: run \`npm run synth\` first.`);
    return 2;
  }
  const executablePath = findBrowser();
  if (!executablePath) {
    console.error(
      `render-diagrams: WARNING: no Chromium on this machine, so the ${reports.length} diagrams were NOT rendered (no ${DIAGRAM_FILE} beside the reports; ` +
        "the Mermaid text in each REPORT.md stands). Fix: `sudo apt-get install chromium`, or set PUPPETEER_EXECUTABLE_PATH to a Chrome or Chromium.",
    );
    return required ? 3 : 0;
  }
  const [{ default: puppeteer }, { renderMermaid }] = await Promise.all([
    importEsm<typeof import("puppeteer")>("puppeteer"),
    importEsm<typeof import("@mermaid-js/mermaid-cli")>("@mermaid-js/mermaid-cli"),
  ]);
  // --no-sandbox: Chromium's sandbox refuses to run as root (CI containers); the pages are our own diagrams.
  const browser = await puppeteer.launch({ executablePath, headless: true, args: ["--no-sandbox", "--disable-gpu"] });
  const geometry: Record<string, Geometry> = {};
  try {
    // Two at a time: the machine has two cores, and each render is one page.
    const queue = [...reports];
    const worker = async () => {
      for (let r = queue.shift(); r; r = queue.shift()) {
        const definition = mermaidOf(fs.readFileSync(r.file, "utf8"));
        if (!definition) throw new Error(`${r.file}: no Mermaid diagram`);
        const { data } = await renderMermaid(browser, definition, "svg", { viewport: { width: 2400, height: 1200 }, svgId: "diagram" });
        const svg = Buffer.from(data).toString("utf8");
        fs.writeFileSync(path.join(path.dirname(r.file), DIAGRAM_FILE), svg);
        if (geometryFile) geometry[r.stack] = await geometryOf(browser, svg);
      }
    };
    await Promise.all([worker(), worker()]);
  } finally {
    await browser.close();
  }
  if (geometryFile) fs.writeFileSync(geometryFile, JSON.stringify(geometry));
  console.log(`Rendered ${reports.length} diagrams (${DIAGRAM_FILE} beside each REPORT.md under ${stacksDir}) with ${executablePath}.`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`render-diagrams: ${e instanceof Error ? e.stack : String(e)}`);
    process.exit(1);
  },
);
