/**
 * `npm run bench [-- --json] [-- --only extract|extract-scale|extract-steady|transform|cli|crawl] [-- --items N]
 * [-- --baseline DIR] [-- --days N] [-- --tracks N --albums N --artists N --exhausted-day N]`:
 * measures extraction against the sample API (requests vs the minimum, wall time vs the ideal; peak RSS at two day
 * sizes; requests over a killed and resumed run), the transform against a plain-JS baseline, and how long the
 * `tunelake` command takes to answer (against another checkout's with `--baseline`), and the crawler's work on day 1
 * and day N of a simulated lake (`--days`, default 365), and a steady-state extract over days of the changing sample
 * world (`extract-steady`: `--days`, default 30; the config's sizes and the exhausted day), in one run.
 * Figures are ratios measured side by side, never absolute targets in tests.
 */
import "../packages/local/src/polyfills.ts";
import { parseArgs } from "node:util";
import { benchCli } from "./cli.ts";
import { benchCrawl } from "./crawl.ts";
import { BenchError } from "./errors.ts";
import { benchExtract } from "./extract.ts";
import { benchExtractResume, benchExtractScale } from "./extract-scale.ts";
import { benchExtractSteady } from "./extract-steady.ts";
import { benchTransform } from "./transform.ts";

const { values } = parseArgs({
  options: {
    json: { type: "boolean", default: false },
    only: { type: "string" },
    items: { type: "string" },
    baseline: { type: "string" },
    runs: { type: "string" },
    days: { type: "string" },
    tracks: { type: "string" },
    albums: { type: "string" },
    artists: { type: "string" },
    "exhausted-day": { type: "string" },
  },
});
const count = (name: "tracks" | "albums" | "artists" | "exhausted-day") => {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new BenchError({ reason: "badFlag", flag: name, value: raw, min: 1 });
  return n;
};

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
if (!values.only || values.only === "cli") {
  if (!values.json) process.stderr.write("bench: cli (median time to answer --version, --help, query SELECT 1)...\n");
  result.cli = await benchCli({
    ...(values.runs ? { runs: Number(values.runs) } : {}),
    ...(values.baseline ? { baseline: values.baseline } : {}),
  });
}
if (!values.only || values.only === "extract-steady") {
  if (!values.json) process.stderr.write("bench: extract steady state (days of the sample world, one home)...\n");
  result.extractSteady = await benchExtractSteady({
    ...(values.days ? { days: Number(values.days) } : {}),
    tracks: count("tracks"),
    albums: count("albums"),
    artists: count("artists"),
    exhaustedDay: count("exhausted-day"),
    ...(values.json ? {} : { progress: (line: string) => process.stderr.write(`${line}\n`) }),
  });
}
if (!values.only || values.only === "crawl") {
  if (!values.json) process.stderr.write("bench: crawl (folders listed and files read on day 1 and day N)...\n");
  result.crawl = await benchCrawl(values.days ? { days: Number(values.days) } : {});
}
process.stdout.write(`${JSON.stringify(result, values.json ? undefined : null, values.json ? undefined : 2)}\n`);
