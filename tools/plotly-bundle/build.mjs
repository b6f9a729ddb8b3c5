// Build plotly.js with only the trace types SWORD draws (scatter, bar, heatmap) into
// static/vendor/plotly/plotly-sword.min.js. `--check` rebuilds in memory and fails if the
// vendored file differs, so CI proves the committed bundle is what this recipe makes.
import { build } from "esbuild";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const target = join(here, "..", "..", "static", "vendor", "plotly", "plotly-sword.min.js");
const version = JSON.parse(
  readFileSync(join(here, "node_modules", "plotly.js", "package.json"), "utf8"),
).version;

const result = await build({
  entryPoints: [join(here, "entry.js")],
  bundle: true,
  minify: true,
  format: "iife",
  globalName: "Plotly",
  legalComments: "none",
  define: { "process.env.NODE_ENV": '"production"', global: "window" },
  // plotly.js's own styles are served from plotly.css; the maps' stylesheet is not wanted.
  loader: { ".css": "empty" },
  banner: {
    js: `/* plotly.js ${version} (scatter, bar, heatmap) built by tools/plotly-bundle. MIT licence: see LICENSE. */`,
  },
  write: false,
  logLevel: "warning",
});
const bundle = result.outputFiles[0].text;

if (process.argv.includes("--check")) {
  const vendored = readFileSync(target, "utf8");
  if (vendored !== bundle) {
    console.error(`${target} is not what tools/plotly-bundle builds: run npm run build there.`);
    process.exit(1);
  }
  console.log(`plotly-sword.min.js matches its recipe (${bundle.length} bytes).`);
} else {
  writeFileSync(target, bundle);
  console.log(`wrote ${target} (${bundle.length} bytes)`);
}
