/**
 * Reads a response body with a ceiling on its size after decompression. fetch inflates gzip/br/deflate bodies as they
 * stream, so counting the decoded bytes chunk by chunk and cancelling at the ceiling stops a compression bomb after
 * one chunk past the limit, instead of inflating it whole into memory (see README, "Hostile input").
 */
import { SpotifyResponseTooLargeError } from "../errors.ts";

/** Default ceiling of one response body, decompressed (extract.maxResponseBytes). */
export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
/** The highest ceiling the config accepts: one body is held in memory whole while it is parsed. */
export const MAX_MAX_RESPONSE_BYTES = 256 * 1024 * 1024;

/**
 * The body of `response` as text, or SpotifyResponseTooLargeError (terminal) naming `url` once it passes `maxBytes`
 * (a Content-Length above the ceiling fails before any byte is read).
 */
export async function readBoundedText(response: Response, maxBytes: number, url: string): Promise<string> {
  const tooLarge = () => new SpotifyResponseTooLargeError({ url, limitBytes: maxBytes });
  const declared = Number(response.headers.get("content-length"));
  // Content-Length counts encoded bytes: only a plain body's declared length says its decoded size.
  if (!response.headers.get("content-encoding") && Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  if (!response.body) return "";
  const chunks: Uint8Array[] = [];
  let total = 0;
  // Leaving the loop early (the throw) cancels the stream: nothing more is read or decompressed.
  for await (const chunk of response.body) {
    total += chunk.byteLength;
    if (total > maxBytes) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total).toString("utf8");
}
