/**
 * `npm run bench [-- --json] [-- --only extract|extract-scale|transform] [-- --items N]`: measures extraction against
 * the sample API (requests vs the minimum, wall time vs the ideal; peak RSS at two day sizes; requests over a killed
 * and resumed run) and the transform against a plain-JS baseline, in one run.
 * Figures are ratios measured side by side, never absolute targets in tests.
 */
import "../packages/local/src/polyfills.ts";
import { parseArgs } from "node:util";
import { benchExtract } from "./extract.ts";
import { benchExtractResume, benchExtractScale } from "./extract-scale.ts";
import { benchTransform } from "./transform.ts";

const { values } = parseArgs({
  options: {
    json: { type: "boolean", default: false },
    only: { type: "string" },
    items: { type: "string" },
  },
});

const result: Record<string, unknown> = { node: process.version, cpus: (await import("node:os")).cpus().length };
if (!values.only || values.only === "extract") {
  if (!values.json) process.stderr.write("bench: extract (sample API with artificial latency)...\n");
  result.extract = await benchExtract();
}
if (!values.only || values.only === "extract" || values.only === "extract-scale") {
  if (!values.json)
    process.stderr.write("bench: extract scale (peak RSS at two day sizes) and resume after a kill...\n");
  result.extractScale = await benchExtractScale();
  result.extractResume = await benchExtractResume();
}
if (!values.only || values.only === "transform") {
  if (!values.json) process.stderr.write("bench: transform (DuckDB vs plain-JS baseline)...\n");
  const { transform, readCeiling } = await benchTransform(values.items ? { items: Number(values.items) } : {});
  result.transform = transform;
  result.transformReadCeiling = readCeiling;
}
process.stdout.write(`${JSON.stringify(result, values.json ? undefined : null, values.json ? undefined : 2)}\n`);
