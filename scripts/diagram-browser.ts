/**
 * What `npm run diagrams` (scripts/render-diagrams.ts) renders with and what it measures, for the
 * tests to read without starting it: the browser it finds, the file it writes beside each report,
 * and the shape of the geometry it reports.
 */
import * as fs from "fs";
export { DIAGRAM_FILE, REPORT_FILE } from "../review/write-reports";

const BROWSERS = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable"];

/** The browser to render with (PUPPETEER_EXECUTABLE_PATH, or a Chromium or Chrome where Debian puts it), or undefined. */
export function findBrowser(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.PUPPETEER_EXECUTABLE_PATH) return fs.existsSync(env.PUPPETEER_EXECUTABLE_PATH) ? env.PUPPETEER_EXECUTABLE_PATH : undefined;
  return BROWSERS.find((b) => fs.existsSync(b));
}

/** A rectangle in page pixels. */
export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** Where the renderer put each box (subgraph), node and edge of one diagram, in page pixels. */
export interface Geometry {
  readonly clusters: Record<string, Rect>;
  readonly nodes: Record<string, Rect>;
  /** Each edge's SVG id (`L_<from>_<to>_<n>`) and points along it, from its start to its end. */
  readonly edges: { readonly id: string; readonly points: [number, number][] }[];
}

