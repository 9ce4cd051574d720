/**
 * What a synthesized Lambda bundle is made of. esbuild writes the path of each module it bundles, relative to the
 * repository root, as a `// <path>` line above that module's code when it does not minify (SST's deploy build does
 * not), so the bundle itself says which source files ship.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

const MODULE_COMMENT = /^\/\/ ((?:[\w@.+-]+\/)+[\w@.+-]+\.(?:[cm]?[jt]sx?|json))$/gm;

/** The repository-relative paths of the modules esbuild put into the bundle, in bundle order, without repeats. */
export function bundledModules(bundle: string): string[] {
  return [...new Set([...bundle.matchAll(MODULE_COMMENT)].map((m) => m[1]!))];
}

/** Code that is local-runtime, CLI, AWS-operations or sample-API only: none of it may ship in a Lambda. */
export const NOT_IN_LAMBDA = [
  /^packages\/(local|cli|aws|sample-api|console)\//,
  /(^|\/)node_modules\/@tunelake\/(local|cli|aws|sample-api|console)\//,
  /(^|\/)node_modules\/(aws-local-stepfunctions|@aws-sdk\/client-sfn|@aws-sdk\/client-cloudformation)\//,
] as const;

/** The same packages as bare imports left for the runtime to resolve (esbuild externals). */
export const NOT_IN_LAMBDA_IMPORT =
  /(?:from\s*|import\s*\(\s*)["'](aws-local-stepfunctions|@aws-sdk\/client-(?:sfn|cloudformation)|@tunelake\/(?:local|cli|aws|sample-api|console))(?:\/[^"']*)?["']/g;

/** A function asset's bundle and the modules in it. */
export function readBundle(assetDir: string, handlerFile: string): { code: string; modules: string[] } {
  const code = readFileSync(path.join(assetDir, handlerFile), "utf8");
  return { code, modules: bundledModules(code) };
}
