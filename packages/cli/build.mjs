#!/usr/bin/env node
/**
 * Compiles the `tunelake` command once, at install time (the root package's `prepare` script, which `npm install` and
 * `npm ci` run; `npm run build` by hand): esbuild bundles the CLI and the workspace packages it imports into
 * packages/cli/dist, one chunk per lazily loaded command, so that no invocation pays for transpiling TypeScript.
 * Every other package (DuckDB, the AWS SDK, the engine, Hono, ...) stays external and is loaded from node_modules
 * at run time, only by the commands that use it.
 *
 * dist/build.json lists the sources the bundle was built from; bin/tunelake.mjs runs the bundle only while none of
 * them is newer than it, else the sources through tsx (an edit or a checkout never runs stale code).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";

const root = path.resolve(import.meta.dirname, "../..");
const outdir = path.join(import.meta.dirname, "dist");

/**
 * Packages bundled although they are not ours: their ES module build only loads through a bundler (dt-sql-parser's
 * imports name directories, which Node's ES module loader refuses).
 */
const BUNDLED = ["dt-sql-parser"];
const bundled = (specifier) =>
  specifier.startsWith("@tunelake/") || BUNDLED.some((name) => specifier === name || specifier.startsWith(`${name}/`));

/** Bare imports stay external, except our own workspace packages (TypeScript sources) and BUNDLED. */
const externalPackages = {
  name: "external-packages",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      bundled(args.path) || args.importer.includes(`${path.sep}node_modules${path.sep}dt-sql-parser`)
        ? undefined
        : { external: true },
    );
  },
};

/**
 * A bundled module that reads files next to its source (`new URL("./web/app.js", import.meta.url)`, createRequire)
 * must still find them: each `import.meta.url` becomes its source file's URL, relative to the bundle, so the
 * checkout can move. Every output file sits in dist/ itself (no chunk folder), so one relative path fits all.
 */
const sourceUrls = {
  name: "source-urls",
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      const text = readFileSync(args.path, "utf8");
      if (text.includes("import.meta.dirname") || text.includes("import.meta.filename")) {
        throw new Error(`${path.relative(root, args.path)}: use import.meta.url, which the CLI bundle rewrites`);
      }
      const relative = path.relative(outdir, args.path).split(path.sep).join("/");
      const url = `new URL(${JSON.stringify(relative)}, import.meta.url).href`;
      return { contents: text.replaceAll("import.meta.url", url), loader: "ts" };
    });
  },
};

const builtAt = Date.now();
rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { main: path.join(import.meta.dirname, "src/main.ts") },
  outdir,
  outExtension: { ".js": ".mjs" },
  chunkNames: "chunk-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  metafile: true,
  logLevel: "warning",
  plugins: [externalPackages, sourceUrls],
});
const inputs = Object.keys(result.metafile.inputs)
  .filter((file) => !file.includes("node_modules"))
  .map((file) => path.relative(root, path.resolve(root, file)).split(path.sep).join("/"))
  .sort();
writeFileSync(path.join(outdir, "build.json"), `${JSON.stringify({ builtAt, inputs }, null, 2)}\n`);
