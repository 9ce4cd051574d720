#!/usr/bin/env node
// The `tunelake` command. Runs the CLI compiled at install time (packages/cli/dist, built by `npm run build`, which
// `npm install` and `npm ci` run as `prepare`), so that no invocation pays for transpiling TypeScript. When a source
// is newer than that build (an edit, a checkout), or there is none, it runs the sources through tsx instead: never
// stale code. TUNELAKE_FROM_SOURCE=1 always runs the sources.
import { readFileSync, statSync } from "node:fs";

const root = new URL("../../../", import.meta.url);

function compiledIsCurrent() {
  try {
    const { builtAt, inputs } = JSON.parse(readFileSync(new URL("../dist/build.json", import.meta.url), "utf8"));
    return inputs.length > 0 && inputs.every((file) => statSync(new URL(file, root)).mtimeMs <= builtAt);
  } catch {
    return false;
  }
}

if (process.env.TUNELAKE_FROM_SOURCE !== "1" && compiledIsCurrent()) {
  await import("../dist/main.mjs");
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../src/main.ts");
}
