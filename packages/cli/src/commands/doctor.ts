/**
 * `tunelake doctor`: what stands between this checkout and a working run, one line each with the fix (README
 * "tunelake doctor"). Locally: Node, the DuckDB binding, the config, the Spotify credentials (never printed), the
 * refresh token's age, and the home (stale locks, runs left RUNNING by a dead process, a crawler nobody finishes);
 * with `--stage S`: the stage's outputs and the caller's permissions. Exit 0 when nothing needs fixing, else 1.
 */
import { requestsSpotifyCredentials } from "@tunelake/core/config/env";
import pc from "picocolors";
import { readRefreshTokenAge, refreshTokenWarning } from "../auth-record.ts";
import { cliEnv, EXIT_CODES, type GlobalOptions, printJson, setExitCode, stdout } from "../context.ts";
import { widthOf, wrap } from "../wrap.ts";

export interface DoctorCheck {
  name: string;
  ok: boolean;
  /** What was found (ok), or what is wrong and what to do (not ok): never a secret. */
  detail: string;
}

export interface DoctorOptions {
  config: string;
  stage?: string;
  fix?: boolean;
}

const NODE_RANGE = "^20.19.0 || >=22";

function checkNode(version = process.versions.node): DoctorCheck {
  const [major = 0, minor = 0] = version.split(".").map(Number);
  const ok = major >= 22 || (major === 20 && minor >= 19);
  return {
    name: "node",
    ok,
    detail: ok ? `Node ${version}` : `Node ${version} is too old: install Node ${NODE_RANGE} (Lambda runs Node 22)`,
  };
}

async function checkDuckDb(): Promise<DoctorCheck> {
  try {
    await (await import("@tunelake/local/duckdb-binding")).probeDuckDb();
    return { name: "duckdb", ok: true, detail: "the DuckDB binding loads" };
  } catch (error) {
    return {
      name: "duckdb",
      ok: false,
      detail: `the DuckDB binding does not load (${(error as Error).message.split("\n")[0]}): run npm ci again on this machine`,
    };
  }
}

async function checkConfig(file: string): Promise<DoctorCheck> {
  const { loadConfig } = await import("@tunelake/core/config/load");
  try {
    await loadConfig(file);
    return { name: "config", ok: true, detail: `${file} is valid` };
  } catch (error) {
    return { name: "config", ok: false, detail: (error as Error).message.replace(/\n\s*/g, " ") };
  }
}

function checkCredentials(env: NodeJS.ProcessEnv): DoctorCheck {
  try {
    const spotify = requestsSpotifyCredentials(env);
    return {
      name: "credentials",
      ok: true,
      detail: spotify
        ? `SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET are set${env.SPOTIFY_REFRESH_TOKEN?.trim() ? ", and SPOTIFY_REFRESH_TOKEN" : ""}`
        : "no SPOTIFY_* variable is set: runs use the sample API",
    };
  } catch (error) {
    return { name: "credentials", ok: false, detail: (error as Error).message };
  }
}

async function checkRefreshToken(home: string, env: NodeJS.ProcessEnv, now: Date): Promise<DoctorCheck | undefined> {
  const token = env.SPOTIFY_REFRESH_TOKEN?.trim();
  if (!token) return undefined;
  const age = await readRefreshTokenAge(home, token, now);
  if (!age) {
    return {
      name: "refresh token",
      ok: true,
      detail: "SPOTIFY_REFRESH_TOKEN was not issued by tunelake auth with this home: its age is unknown",
    };
  }
  const warning = refreshTokenWarning(age);
  return {
    name: "refresh token",
    ok: warning === undefined,
    detail:
      warning ??
      `SPOTIFY_REFRESH_TOKEN expires on ${age.expiresAt.toISOString().slice(0, 10)} (in ${age.daysLeft} days)`,
  };
}

async function checkHome(home: string, fix: boolean): Promise<DoctorCheck[]> {
  const [{ inspectHome, repairHome }, { checkLocalHome }] = await Promise.all([
    import("@tunelake/local/home-health"),
    import("@tunelake/local/paths"),
  ]);
  try {
    checkLocalHome(home);
  } catch (error) {
    return [{ name: "home", ok: false, detail: (error as Error).message }];
  }
  const findings = await inspectHome(home);
  if (fix && findings.length > 0) {
    const done = await repairHome(home, findings);
    const left = await inspectHome(home);
    return [
      ...done.map((detail) => ({ name: "fixed", ok: true, detail })),
      ...left.map((f) => ({ name: f.kind, ok: false, detail: `${f.problem}: ${f.fix}` })),
    ];
  }
  if (findings.length === 0)
    return [{ name: "home", ok: true, detail: `${home}: no stale lock, stuck run or crawler` }];
  return findings.map((f) => ({ name: f.kind, ok: false, detail: `${f.problem}: ${f.fix}` }));
}

async function checkStageHealth(stage: string): Promise<DoctorCheck[]> {
  const [{ createCloudClients, destroyCloudClients }, { checkStage }] = await Promise.all([
    import("@tunelake/aws/cloud-clients"),
    import("@tunelake/aws/stage-health"),
  ]);
  const clients = createCloudClients();
  try {
    return await checkStage(stage, clients);
  } finally {
    destroyCloudClients(clients);
  }
}

/** Every check of this invocation, in the order printed. */
export async function runChecks(g: GlobalOptions, opts: DoctorOptions, now = new Date()): Promise<DoctorCheck[]> {
  const env = cliEnv();
  const checks: DoctorCheck[] = [checkNode(), await checkDuckDb(), await checkConfig(opts.config)];
  checks.push(checkCredentials(env));
  const token = await checkRefreshToken(g.home, env, now);
  if (token) checks.push(token);
  checks.push(...(await checkHome(g.home, opts.fix ?? false)));
  if (opts.stage) checks.push(...(await checkStageHealth(opts.stage)));
  return checks;
}

/** `tunelake doctor [--config F] [--stage S] [--fix]`. */
export async function doctorCommand(g: GlobalOptions, opts: DoctorOptions): Promise<void> {
  const checks = await runChecks(g, opts);
  const healthy = checks.every((c) => c.ok);
  if (g.json) printJson({ healthy, checks });
  else {
    const width = widthOf(stdout());
    // Wrapped as plain text, then the mark coloured, so that colour codes never count as width.
    const lines = checks.flatMap((c) =>
      wrap(`${c.ok ? "✓" : "✗"} ${c.name}: ${c.detail}`, width, "  ").map((line, i) =>
        i === 0 ? `${c.ok ? pc.green("✓") : pc.red("✗")}${line.slice(1)}` : line,
      ),
    );
    const problems = checks.filter((c) => !c.ok).length;
    lines.push(
      healthy ? pc.green("healthy: nothing to fix") : pc.red(`${problems} to fix${opts.fix ? "" : " (see above)"}`),
    );
    stdout().write(`${lines.join("\n")}\n`);
  }
  setExitCode(healthy ? EXIT_CODES.success : EXIT_CODES.pipelineFailure);
}
