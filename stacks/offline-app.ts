/**
 * Synthesizes the SST app with no AWS credentials and no network. `sst build` asks AWS for the account and SST's
 * bootstrap bucket first, so this builds SST's `App` directly, the way SST's own construct tests do: a project
 * record instead of `initProject`, a fixed account id, and SST's test switch (NODE_ENV=test) only around
 * `app.finish()`, where it skips the bootstrap-bucket lookup that uploads sourcemaps. Functions are still bundled
 * with esbuild; the DuckDB binding comes from this machine or npm's cache (context `tunelake:offline`), unless
 * `npmInstall` asks for the deploy's npm install.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { CloudAssembly } from "aws-cdk-lib/cx-api";
import { App } from "sst/constructs";
import { setProject } from "sst/project.js";
import { APP_NAME } from "../packages/core/src/stage-outputs.ts";
import config from "../sst.config.ts";
import { CONTEXT } from "./pipeline.ts";

/** The repository root (where sst.config.ts is). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
/** A well-formed account id for offline templates; deploys use the caller's account. */
export const OFFLINE_ACCOUNT = "123456789012";

export interface OfflineSynthOptions {
  stage?: string;
  region?: string;
  alertEmail?: string;
  /** Where SST writes function builds and the cloud assembly; a fresh temp dir when omitted. */
  workDir?: string;
  /**
   * `false` marks the stack inactive, as `sst deploy <other stack>` does: SST then gives functions placeholder code
   * instead of bundling them. Everything else in the template is the same; tests of IAM and resources use it for speed.
   */
  bundle?: boolean;
  /**
   * `true` installs the transform's DuckDB packages with npm for the Lambda platform, as `sst deploy` does (npm's
   * cache, else the registry); by default the synth stays offline (this machine's packages or npm's cache only).
   */
  npmInstall?: boolean;
}

export interface OfflineSynth {
  assembly: CloudAssembly;
  /** CloudFormation templates by stack name. */
  templates: Record<string, Record<string, unknown>>;
  /** Removes the work dir (unless the caller passed it). */
  cleanup: () => void;
}

function sstVersions(): { version: string; cdkVersion: string; constructsVersion: string } {
  const require = createRequire(import.meta.url);
  const pkg = JSON.parse(readFileSync(require.resolve("sst/package.json"), "utf8")) as {
    version: string;
    dependencies: Record<string, string>;
  };
  return {
    version: pkg.version,
    cdkVersion: pkg.dependencies["aws-cdk-lib"] ?? "unknown",
    constructsVersion: pkg.dependencies.constructs ?? "unknown",
  };
}

/**
 * Builds the app's stacks offline and calls `fn` with the app, in the repository root (handler paths such as
 * "packages/functions/src/extract.handler" are relative to it, as under `sst`). `mode: "dev"` builds the app as
 * `sst dev` does (live functions, built on demand in SST's start mode); `app.finish()` is left to `fn`.
 */
export async function withOfflineApp<T>(
  options: OfflineSynthOptions & { mode?: "deploy" | "dev" },
  fn: (app: App, workDir: string) => Promise<T>,
): Promise<T> {
  const stage = options.stage ?? "offline";
  const region = options.region ?? "us-east-1";
  const workDir = options.workDir ?? mkdtempSync(path.join(os.tmpdir(), "tunelake-synth-"));
  const out = path.join(workDir, ".sst");
  // SST's Logger opens `<out>/debug.log` lazily, once per process, and keeps writing to it: the folder must exist and
  // outlive this synth (cleanup removes only the cloud assembly), or the stream fails later as an uncaught error.
  mkdirSync(out, { recursive: true });
  const cwd = process.cwd();
  process.chdir(REPO_ROOT);
  // As `sst` does (project.ts): SST passes CDK props that jsii reports as deprecated on every synth.
  process.env.JSII_DEPRECATED = "quiet";
  try {
    setProject({
      ...sstVersions(),
      config: { name: APP_NAME, stage, region, ssmPrefix: `/sst/${APP_NAME}/${stage}/` },
      stacks: config.stacks,
      metafile: { inputs: {}, outputs: {} },
      paths: {
        root: REPO_ROOT,
        config: path.join(REPO_ROOT, "sst.config.ts"),
        out,
        artifacts: path.join(out, "artifacts"),
      },
    } as unknown as Parameters<typeof setProject>[0]);
    const app = new App(
      {
        mode: options.mode ?? "deploy",
        stage,
        name: APP_NAME,
        region,
        account: OFFLINE_ACCOUNT,
        ...(options.bundle === false ? { isActiveStack: () => false } : {}),
      },
      {
        outdir: path.join(workDir, "cdk.out"),
        context: {
          [CONTEXT.offline]: options.npmInstall !== true,
          ...(options.alertEmail ? { [CONTEXT.alertEmail]: options.alertEmail } : {}),
        },
      },
    );
    await config.stacks(app);
    return await fn(app, workDir);
  } finally {
    process.chdir(cwd);
  }
}

/** Builds the app for a stage and returns its cloud assembly and templates. */
export async function synthOffline(options: OfflineSynthOptions = {}): Promise<OfflineSynth> {
  return withOfflineApp(options, async (app, workDir) => {
    const nodeEnv = process.env.NODE_ENV;
    process.env.NODE_ENV = "test";
    try {
      await app.finish();
    } finally {
      if (nodeEnv === undefined) delete process.env.NODE_ENV;
      else process.env.NODE_ENV = nodeEnv;
    }
    const assembly = app.synth();
    const templates = Object.fromEntries(
      assembly.stacks.map((artifact) => [artifact.stackName, artifact.template as Record<string, unknown>]),
    );
    return {
      assembly,
      templates,
      cleanup: () => {
        if (!options.workDir) rmSync(path.join(workDir, "cdk.out"), { recursive: true, force: true });
      },
    };
  });
}
