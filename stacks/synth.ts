/**
 * `npm run synth -- --out DIR [--stage S]`: writes the CloudFormation templates (`<stack>.template.json`) and the
 * state machine definition (`statemachine.asl.json`, with its `${...}` placeholders) to DIR, offline.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: { out: { type: "string" }, stage: { type: "string", default: "prod" }, region: { type: "string" } },
});
if (!values.out) {
  console.error("Usage: npm run synth -- --out DIR [--stage S] [--region R]");
  process.exit(2);
}
// CDK and the app are imported only now: loading them takes seconds, and a usage error should not wait for that.
const [{ definitionJson }, { synthOffline }] = await Promise.all([
  import("../packages/core/src/workflow/definition.ts"),
  import("./offline-app.ts"),
]);
const outDir = path.resolve(values.out);
mkdirSync(outDir, { recursive: true });
const synth = await synthOffline({ stage: values.stage, region: values.region });
try {
  for (const [stackName, template] of Object.entries(synth.templates)) {
    const file = path.join(outDir, `${stackName}.template.json`);
    writeFileSync(file, `${JSON.stringify(template, null, 2)}\n`);
    console.log(`wrote ${file}`);
  }
  const asl = path.join(outDir, "statemachine.asl.json");
  writeFileSync(asl, `${definitionJson()}\n`);
  console.log(`wrote ${asl}`);
  console.log(
    "Offline synth: Lambda code bundled with esbuild; the DuckDB binding comes from node_modules when this host has the Lambda platform's package, else from npm's cache, else `sst deploy` installs it.",
  );
} finally {
  synth.cleanup();
}
