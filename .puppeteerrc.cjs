/**
 * Puppeteer (used by scripts/render-diagrams.ts to render the reports' diagrams) drives the machine's Chromium
 * (Debian's `chromium` package): it downloads no browser of its own at install, since the only
 * network here is the npm registry and Debian's packages. scripts/render-diagrams.mjs finds the
 * browser (or PUPPETEER_EXECUTABLE_PATH), and says so when there is none.
 */
module.exports = { skipDownload: true };
