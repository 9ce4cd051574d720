/**
 * `tunelake doctor`: what stands between this checkout and a working run, one line each with the fix (README
 * "tunelake doctor"). Locally: Node, the DuckDB binding, the config, the Spotify credentials (never printed), the
 * refresh token's age, and the home (stale locks, runs left RUNNING by a dead process, a crawler nobody finishes);
 * with `--stage S`: the stage's outputs and the caller's permissions. Exit 0 when nothing needs fixing, else 1.
 */
import { requestsSpotifyCredentials } from "@tunelake/core/config/env";
import pc from "picocolors";
import { readRefreshTokenAge, refreshTokenWarning } from "../auth-record.ts";
import type { Backend, HealthCheck } from "../backend.ts";
import { cliEnv, EXIT_CODES, type GlobalOptions, printJson, setExitCode, stdout } from "../context.ts";
import { widthOf, wrap } from "../wrap.ts";

export type DoctorCheck = HealthCheck;

export interface DoctorOptions {
  config: string;
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

/** Every check of this invocation, in the order printed. */
export async function runChecks(
  backend: Backend,
  g: GlobalOptions,
  opts: DoctorOptions,
  now = new Date(),
): Promise<DoctorCheck[]> {
  const env = cliEnv();
  const health = await backend.health({ fix: opts.fix ?? false });
  const checks: DoctorCheck[] = [checkNode(), health.engine, await checkConfig(opts.config)];
  checks.push(checkCredentials(env));
  const token = await checkRefreshToken(g.home, env, now);
  if (token) checks.push(token);
  checks.push(...health.home, ...health.stage);
  return checks;
}

/** `tunelake doctor [--config F] [--stage S] [--fix]`. */
export async function doctorCommand(backend: Backend, g: GlobalOptions, opts: DoctorOptions): Promise<void> {
  const checks = await runChecks(backend, g, opts);
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
