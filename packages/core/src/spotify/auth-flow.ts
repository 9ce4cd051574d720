/**
 * The authorization-code flow for user-scoped sources (`tunelake auth`): a one-shot HTTP server on 127.0.0.1 receives
 * Spotify's redirect (Spotify no longer accepts `localhost` redirect URIs), the code is exchanged for tokens at the
 * accounts service, and the refresh token is returned for SPOTIFY_REFRESH_TOKEN. The secret and tokens are never
 * printed by this module; the caller decides what to show.
 */
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import * as v from "valibot";
import type { SpotifyEnv } from "../config/env.ts";
import { SpotifyAuthError } from "../errors.ts";
import { USER_SCOPES } from "../sources/index.ts";
import { boundedRequest, DEFAULT_MAX_RESPONSE_BYTES } from "./bounded-body.ts";
import { redirectRefused } from "./client.ts";
import { terminalSpotifyError } from "./http-errors.ts";
import { TokenResponseSchema } from "./schemas.ts";

/** Scopes the user-scoped sources need. */
export { USER_SCOPES };

export interface AuthorizationCodeFlowOptions {
  env: Pick<SpotifyEnv, "clientId" | "clientSecret" | "accountsBaseUrl">;
  /** Port of the redirect `http://127.0.0.1:PORT/callback` (register exactly this URI in the app); 0 picks one. */
  port: number;
  scopes?: readonly string[];
  /** Opens the authorize URL (e.g. in a browser). It is printed with `print` either way. */
  openUrl?: (url: string) => void | Promise<void>;
  /** Where to show instructions (default: stderr). */
  print?: (line: string) => void;
  /** Give up after this long without a redirect (default 5 minutes). */
  timeoutMs?: number;
}

const PAGE = (text: string) =>
  `<!doctype html><meta charset="utf-8"><title>tunelake</title><p>${text}</p><p>You can close this tab.</p>`;

/** Runs the flow and resolves with the refresh token. */
export async function runAuthorizationCodeFlow(options: AuthorizationCodeFlowOptions): Promise<string> {
  const print = options.print ?? ((line: string) => process.stderr.write(`${line}\n`));
  const state = randomBytes(16).toString("hex");
  const scopes = options.scopes ?? USER_SCOPES;
  let resolve!: (value: { code: string; redirectUri: string }) => void;
  let reject!: (error: Error) => void;
  const codePromise = new Promise<{ code: string; redirectUri: string }>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  // Awaited below; this only keeps a late rejection (after a failure elsewhere) from being reported as unhandled.
  codePromise.catch(() => undefined);
  let redirectUri = "";

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname !== "/callback") {
      res.writeHead(404).end();
      return;
    }
    const error = url.searchParams.get("error");
    const code = url.searchParams.get("code");
    if (url.searchParams.get("state") !== state) {
      res
        .writeHead(400, { "content-type": "text/html" })
        .end(PAGE("The state did not match; start `tunelake auth` again."));
      reject(new SpotifyAuthError({ reason: "wrongState" }));
      return;
    }
    if (error || !code) {
      res.writeHead(400, { "content-type": "text/html" }).end(PAGE(`Spotify did not authorize tunelake (${error}).`));
      reject(new SpotifyAuthError({ reason: "notAuthorized", error: error ?? undefined }));
      return;
    }
    res.writeHead(200, { "content-type": "text/html" }).end(PAGE("tunelake is authorized."));
    resolve({ code, redirectUri });
  });

  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(options.port, "127.0.0.1", () => ok());
  });
  const timer = setTimeout(
    () => reject(new SpotifyAuthError({ reason: "authTimedOut" })),
    options.timeoutMs ?? 300_000,
  );
  try {
    const port = (server.address() as AddressInfo).port;
    redirectUri = `http://127.0.0.1:${port}/callback`;
    const authorize = new URL(`${options.env.accountsBaseUrl}/authorize`);
    authorize.search = new URLSearchParams({
      client_id: options.env.clientId,
      response_type: "code",
      redirect_uri: redirectUri,
      scope: scopes.join(" "),
      state,
    }).toString();
    print(`Add this redirect URI to your Spotify app: ${redirectUri}`);
    print(`Then open this URL and accept:\n${authorize}`);
    await options.openUrl?.(authorize.toString());
    const { code } = await codePromise;

    const basic = Buffer.from(`${options.env.clientId}:${options.env.clientSecret}`).toString("base64");
    const tokenUrl = `${options.env.accountsBaseUrl}/api/token`;
    // The transport never follows a redirect: one would re-send the client secret and the code.
    const response = await boundedRequest(tokenUrl, {
      method: "POST",
      headers: { authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: redirectUri }),
      maxBytes: DEFAULT_MAX_RESPONSE_BYTES,
    });
    if (response.status >= 300 && response.status < 400) {
      throw redirectRefused(tokenUrl, response, "the client secret and the authorization code");
    }
    const text = response.text;
    if (!response.ok) {
      // A lapsed Premium subscription blocks the authorization too: say so, not "check the credentials".
      const terminal = terminalSpotifyError(text, { endpoint: "POST /api/token" });
      if (terminal) throw terminal;
      throw new SpotifyAuthError({ reason: "codeRefused", status: response.status, redirectUri });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new SpotifyAuthError({ reason: "tokenNotJson" });
    }
    const token = v.safeParse(TokenResponseSchema, json);
    if (!token.success || !token.output.refresh_token) {
      throw new SpotifyAuthError({ reason: "noRefreshToken" });
    }
    return token.output.refresh_token;
  } finally {
    clearTimeout(timer);
    server.closeAllConnections();
    await new Promise<void>((ok) => server.close(() => ok()));
  }
}
