/**
 * The Spotify client's HTTP transport: one request, its body read whole with a ceiling on its size after
 * decompression (see README, "Hostile input").
 *
 * It is undici's `request` on a keep-alive agent of its own, not `fetch`: fetch's WHATWG layer (Request, Headers,
 * web streams, an AbortSignal per request) cost about 0.75 ms of CPU per request, a third of the extract's main thread
 * at scale, and the extract only ever needs a status, a few headers and the body's text. Two differences from fetch
 * follow from that, both on purpose:
 * - a redirect is never followed: it is answered like any other status (Spotify does not redirect API calls, and the
 *   token endpoint must never re-send credentials anywhere);
 * - gzip, deflate and br bodies are inflated here, with the decoded bytes counted chunk by chunk, so a compression
 *   bomb stops one chunk past the ceiling instead of being inflated whole into memory.
 */
import { pipeline, type Readable, type Transform } from "node:stream";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";
import type { Agent } from "undici";
import { SpotifyResponseTooLargeError } from "../errors.ts";

/** Default ceiling of one response body, decompressed (extract.maxResponseBytes). */
export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
/** The highest ceiling the config accepts: one body is held in memory whole while it is parsed. */
export const MAX_MAX_RESPONSE_BYTES = 256 * 1024 * 1024;

export interface BoundedRequest {
  method?: "GET" | "POST";
  headers: Record<string, string>;
  /** A form body (the token endpoint's). */
  body?: URLSearchParams;
  /** The whole exchange, body included; past it the request fails with a TimeoutError. */
  timeoutMs?: number;
  /** Ceiling of the decoded body (SpotifyResponseTooLargeError past it). */
  maxBytes: number;
}

/** What the client reads of a response: its status, its headers, and its body as text. */
export interface BoundedResponse {
  status: number;
  ok: boolean;
  headers: { get(name: string): string | null };
  text: string;
}

let transport: Promise<{ request: typeof import("undici").request; agent: Agent }> | undefined;
/**
 * undici and the client's own keep-alive agent (the process's global dispatcher is left alone), loaded at the first
 * request: a CLI command that makes none (`--version`, `query`) does not pay undici's 70 ms of module loading.
 */
function undici() {
  transport ??= import("undici").then(({ Agent, request }) => ({
    request,
    agent: new Agent({ keepAliveTimeout: 10_000 }),
  }));
  return transport;
}

/** The Content-Encodings inflated here (a Map: a hostile `content-encoding: constructor` must find nothing). */
const DECODERS = new Map<string, () => Transform>([
  ["gzip", createGunzip],
  ["x-gzip", createGunzip],
  ["deflate", createInflate],
  ["br", createBrotliDecompress],
]);

/**
 * Sends one request and reads its body as text, or throws SpotifyResponseTooLargeError (terminal) naming `url` once
 * the body passes `maxBytes` (a plain body whose Content-Length is above it fails before any byte is read). Network
 * errors are undici's, with their `code` (ECONNREFUSED...); a timeout is a TimeoutError.
 */
export async function boundedRequest(url: string, init: BoundedRequest): Promise<BoundedResponse> {
  const tooLarge = () => new SpotifyResponseTooLargeError({ url, limitBytes: init.maxBytes });
  const signal = init.timeoutMs === undefined ? undefined : AbortSignal.timeout(init.timeoutMs);
  const { request, agent } = await undici();
  const answer = await request(url, {
    method: init.method ?? "GET",
    headers: { "accept-encoding": "gzip, deflate, br", ...init.headers },
    body: init.body?.toString(),
    signal,
    dispatcher: agent,
  });
  const header = (name: string): string | null => {
    const value = answer.headers[name.toLowerCase()];
    return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
  };
  const encoding = header("content-encoding")?.trim().toLowerCase() || undefined;
  const decoder = encoding === undefined ? undefined : DECODERS.get(encoding);
  const declared = Number(header("content-length"));
  // Content-Length counts encoded bytes: only a plain body's declared length says its decoded size.
  if (!decoder && Number.isFinite(declared) && declared > init.maxBytes) {
    answer.body.destroy();
    throw tooLarge();
  }
  const source: Readable = answer.body;
  // pipeline passes the source's errors on to the decoder, which the loop below reads (and so throws them).
  const decoded: Readable = decoder ? pipeline(source, decoder(), () => undefined) : source;
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of decoded) {
      total += chunk.byteLength;
      if (total > init.maxBytes) throw tooLarge();
      chunks.push(chunk);
    }
  } catch (error) {
    // Nothing more is read or inflated; a timeout while reading says so as the fetch standard would.
    source.destroy();
    if (error !== signal?.reason && signal?.aborted) throw signal.reason;
    throw error;
  }
  const text =
    chunks.length === 1 ? (chunks[0] as Buffer).toString("utf8") : Buffer.concat(chunks, total).toString("utf8");
  return {
    status: answer.statusCode,
    ok: answer.statusCode >= 200 && answer.statusCode < 300,
    headers: { get: header },
    text,
  };
}
