/**
 * A rewriting proxy on 127.0.0.1 in front of the sample API: real HTTP, with the bodies a misbehaving Spotify (or a
 * broken network middlebox) could send: HTML instead of JSON, truncated or wrongly typed JSON, huge or looping pages.
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { SpotifyEnv } from "@tunelake/core/config/env";
import { type SampleServer, sampleEnv } from "@tunelake/sample-api/sample-server";

export interface ProxiedResponse {
  status: number;
  body: string;
  headers: Record<string, string>;
}

/**
 * Rewrites one API response (token requests are never rewritten); `n` counts API requests from 1. `"reset"` drops
 * the connection without an answer, as a network failure would.
 */
export type Rewrite = (
  request: { path: string; url: URL; n: number },
  response: ProxiedResponse,
) => ProxiedResponse | "reset";

export interface RewritingProxy {
  /** Credentials of the sample server, with base URLs through the proxy. */
  env: SpotifyEnv;
  origin: string;
  setRewrite(rewrite: Rewrite | undefined): void;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** Starts the proxy; links in bodies point back at the proxy, so paging goes through it too. */
export async function startProxy(server: SampleServer, initial?: Rewrite): Promise<RewritingProxy> {
  const upstream = new URL(server.apiBaseUrl).origin;
  let rewrite = initial;
  let n = 0;
  let origin = "";
  const http = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const path = req.url ?? "/";
      const answer = await fetch(`${upstream}${path}`, {
        method: req.method,
        headers: {
          ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
          ...(req.headers["content-type"] ? { "content-type": req.headers["content-type"] } : {}),
        },
        ...(body.length > 0 ? { body } : {}),
      });
      const headers: Record<string, string> = { "content-type": answer.headers.get("content-type") ?? "" };
      const retryAfter = answer.headers.get("retry-after");
      if (retryAfter) headers["retry-after"] = retryAfter;
      let out: ProxiedResponse | "reset" = {
        status: answer.status,
        body: (await answer.text()).split(upstream).join(origin),
        headers,
      };
      if (path.startsWith("/v1/") && rewrite) out = rewrite({ path, url: new URL(path, origin), n: ++n }, out);
      if (out === "reset") {
        req.socket.destroy();
        return;
      }
      res.writeHead(out.status, out.headers);
      res.end(out.body);
    })().catch(() => {
      res.writeHead(502);
      res.end();
    });
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", () => resolve()));
  origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return {
    env: { ...sampleEnv(server, true), apiBaseUrl: `${origin}/v1`, accountsBaseUrl: `${origin}/accounts` },
    origin,
    setRewrite: (next) => {
      rewrite = next;
      n = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  };
}

/** Applies `edit` to the JSON body (a copy), keeping the status and headers. */
export function editJson(response: ProxiedResponse, edit: (json: Record<string, unknown>) => unknown): ProxiedResponse {
  const json = JSON.parse(response.body) as Record<string, unknown>;
  return { ...response, body: JSON.stringify(edit(json) ?? json) };
}
