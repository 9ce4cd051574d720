/**
 * When `tunelake auth` issued the refresh token this home uses: recorded with a fingerprint of the token, never the
 * token, so that `tunelake doctor` and the run summary can say when Spotify will expire it (6 months after
 * authorization, core/spotify/refresh-token.ts).
 */
import { createHash } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import {
  type RefreshTokenAge,
  refreshTokenAge,
  refreshTokenWarning as warningFor,
} from "@tunelake/core/spotify/refresh-token";

/** Where `tunelake auth` records when it issued a refresh token. */
export const authRecordFile = (home: string) => path.join(home, "spotify-auth.json");

/** A short fingerprint of a secret: enough to recognise it, useless to use it. */
export const fingerprint = (secret: string) => createHash("sha256").update(secret).digest("hex").slice(0, 16);

/** Records that `token` was issued now (called by `tunelake auth`). */
export async function recordRefreshToken(home: string, token: string, now = new Date()): Promise<void> {
  await mkdir(home, { recursive: true });
  await writeFile(
    authRecordFile(home),
    `${JSON.stringify({ issuedAt: now.toISOString(), fingerprint: fingerprint(token) }, null, 2)}\n`,
  );
}

/** The age of `token` when this home recorded issuing it; undefined when it did not (or recorded another token). */
export async function readRefreshTokenAge(
  home: string,
  token: string,
  now: Date = new Date(),
): Promise<RefreshTokenAge | undefined> {
  const text = await readFile(authRecordFile(home), "utf8").catch(() => undefined);
  if (!text) return undefined;
  let record: { issuedAt?: string; fingerprint?: string };
  try {
    record = JSON.parse(text) as typeof record;
  } catch {
    return undefined;
  }
  const issuedAt = record.issuedAt ? new Date(record.issuedAt) : undefined;
  if (!issuedAt || Number.isNaN(issuedAt.getTime()) || record.fingerprint !== fingerprint(token)) return undefined;
  return refreshTokenAge(issuedAt, now);
}

/** What to tell a user about a token's age, locally: nothing while it is valid, else when it expires and the fix. */
export const refreshTokenWarning = (age: RefreshTokenAge): string | undefined => warningFor(age, "npx tunelake auth");
