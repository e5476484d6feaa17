/**
 * `npm run diagrams`: renders the diagram of every report of a synth (`cdktf.out/stacks/<stack>/
 * REPORT.md`) to `diagram.svg` beside it, with the real renderer (Mermaid and its ELK layout, the
 * versions in the lock file, in the machine's Chromium), so a reviewer has a picture that does not
 * depend on a Markdown viewer's Mermaid.
 *
 * One page loads Mermaid once and renders every diagram in turn (mermaid-cli's renderMermaid,
 * used before, loads Mermaid's ~6 MB of modules into a new page per diagram: 2 s each, against
 * a fraction of that here). The page's only origin is a made-up one whose requests this script
 * answers from Mermaid's and ELK's `dist` folders; every other request is refused, so nothing
 * leaves the machine.
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
import type { HTTPRequest } from "puppeteer";
import { DIAGRAM_FILE, Geometry, REPORT_FILE, Rect, findBrowser } from "./diagram-browser";

/** The value after `name` in argv, if given. */
function option(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** The Mermaid block of a report. */
function mermaidOf(report: string): string | undefined {
  const m = /```mermaid\n([\s\S]*?)\n```/.exec(report);
  return m ? m[1] : undefined;
}

/** The page's made-up origin: its requests are answered from these folders, and only them. */
const ORIGIN = "https://diagrams.invalid";
const MODULES = path.join(__dirname, "..", "node_modules");
const SERVED: Readonly<Record<string, string>> = {
  "/mermaid/": path.join(MODULES, "mermaid", "dist"),
  "/elk/": path.join(MODULES, "@mermaid-js", "layout-elk", "dist"),
};

const PAGE = `<!doctype html><html><head><meta charset="utf-8"></head><body style="margin:0;background:white"><div id="container"></div>
<script type="module">
import mermaid from "/mermaid/mermaid.esm.min.mjs";
import elk from "/elk/mermaid-layout-elk.esm.min.mjs";
mermaid.registerLayoutLoaders(elk);
mermaid.initialize({ startOnLoad: false });
window.mermaidReady = true;
window.renderDiagram = async (definition, withGeometry) => {
  await document.fonts.ready;
  const container = document.getElementById("container");
  const { svg } = await mermaid.render("diagram", definition, container);
  container.innerHTML = svg;
  const root = container.querySelector("svg");
  root.style.backgroundColor = "white";
  // As XML (an SVG file), not HTML: the labels' HTML must be well-formed.
  const xml = new XMLSerializer().serializeToString(root);
  const geometry = withGeometry ? (${measure.toString()})(root) : undefined;
  container.innerHTML = "";
  return { xml, geometry };
};
</script></body></html>`;

/** An element of the page's DOM (this project's TypeScript has no DOM types). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Dom = any;

/**
 * Runs in the page (serialized into it): the outline of each box and node (not their labels) and
 * points along each edge, in the diagram's own pixels (the SVG at its viewBox size, not scaled to
 * the page).
 */
function measure(root: Dom): Geometry {
  const box = root.viewBox.baseVal;
  root.removeAttribute("style");
  root.setAttribute("width", String(box.width));
  root.setAttribute("height", String(box.height));
  const prefix = `${root.id}-`;
  const rect = (el: Dom) => {
    const r = el.getBoundingClientRect();
    return { x: r.x, y: r.y, width: r.width, height: r.height };
  };
  const clusters: Record<string, Rect> = {};
  for (const g of root.querySelectorAll("g.cluster")) clusters[g.id.slice(prefix.length)] = rect(g.querySelector(":scope > rect") ?? g);
  const nodes: Record<string, Rect> = {};
  for (const g of root.querySelectorAll("g.node")) {
    const id = g.id.slice(prefix.length).replace(/^flowchart-/, "").replace(/-[0-9]+$/, "");
    nodes[id] = rect(g.querySelector(":scope > rect, :scope > path, :scope > g.basic, :scope > polygon") ?? g);
  }
  const edges: { id: string; points: [number, number][] }[] = [];
  for (const p of root.querySelectorAll("path.flowchart-link")) {
    const length = p.getTotalLength();
    const m = p.getScreenCTM();
    const points: [number, number][] = [];
    for (let l = 0; l < length; l += Math.max(1, length / 400)) {
      const q = p.getPointAtLength(l).matrixTransform(m);
      points.push([q.x, q.y]);
    }
    const end = p.getPointAtLength(length).matrixTransform(m);
    points.push([end.x, end.y]);
    edges.push({ id: p.id.slice(prefix.length), points });
  }
  return { clusters, nodes, edges };
}

/** Answers the page's requests: the page, and files under SERVED; refuses everything else. */
async function answer(request: HTTPRequest): Promise<void> {
  const url = new URL(request.url());
  if (url.origin !== ORIGIN) return request.abort("blockedbyclient");
  if (url.pathname === "/") return request.respond({ status: 200, contentType: "text/html; charset=utf-8", body: PAGE });
  const prefix = Object.keys(SERVED).find((p) => url.pathname.startsWith(p));
  const file = prefix && path.resolve(SERVED[prefix], `.${url.pathname.slice(prefix.length - 1)}`);
  if (!prefix || !file || !file.startsWith(SERVED[prefix] + path.sep) || !file.endsWith(".mjs") || !fs.existsSync(file)) return request.respond({ status: 404, body: "" });
  return request.respond({ status: 200, contentType: "application/javascript; charset=utf-8", body: fs.readFileSync(file) });
}

/** An ES module by name: puppeteer's is ESM, and this file is compiled to CommonJS (which would turn import() into require()). */
const importEsm = new Function("specifier", "return import(specifier)") as <T>(specifier: string) => Promise<T>;

export async function main(argv: readonly string[]): Promise<number> {
  const outdir = option(argv, "--outdir") ?? "cdktf.out";
  const geometryFile = option(argv, "--geometry");
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
  const { default: puppeteer } = await importEsm<typeof import("puppeteer")>("puppeteer");
  // --no-sandbox: Chromium's sandbox refuses to run as root (CI containers); the page is our own diagrams.
  // The rest keep Chromium from calling out (updates, sync, Google's hosts): this network refuses it, many at a time.
  const args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
  const browser = await puppeteer.launch({ executablePath, headless: true, args });
  const geometry: Record<string, Geometry> = {};
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 2400, height: 1200 });
    await page.setRequestInterception(true);
    page.on("request", (r) => void answer(r));
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(String(e)));
    await page.goto(`${ORIGIN}/`);
    await page.waitForFunction("window.mermaidReady === true", { timeout: 60_000 }).catch(() => {
      throw new Error(`Mermaid did not load in the page: ${problems.join("; ") || "no error reported"}`);
    });
    for (const r of reports) {
      const definition = mermaidOf(fs.readFileSync(r.file, "utf8"));
      if (!definition) throw new Error(`${r.file}: no Mermaid diagram`);
      const out = (await page.evaluate(`window.renderDiagram(${JSON.stringify(definition)}, ${geometryFile !== undefined})`)) as { xml: string; geometry?: Geometry };
      fs.writeFileSync(path.join(path.dirname(r.file), DIAGRAM_FILE), out.xml);
      if (out.geometry) geometry[r.stack] = out.geometry;
    }
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
