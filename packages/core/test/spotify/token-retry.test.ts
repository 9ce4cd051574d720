import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { deriveId } from "@tunelake/sample-api/sample-data";
import { type SampleServer, sampleEnv, startSampleServer } from "@tunelake/sample-api/sample-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SpotifyConnectionError, SpotifyServerError, TRANSIENT_ERROR_NAMES } from "../../src/errors.ts";
import { createSpotifyClient } from "../../src/spotify/client.ts";

/**
 * The accounts service failing: a proxy on 127.0.0.1 in front of the sample API's token endpoint answers the first
 * token requests with the given faults, then passes them through.
 */
describe("token endpoint faults", () => {
  let sample: SampleServer;
  let proxy: Server;
  let proxyUrl: string;
  let faults: Array<"503" | "malformed" | "html">;
  let tokenCalls = 0;

  beforeAll(async () => {
    sample = await startSampleServer({ clientSecret: "token-test-secret-7f3a9c" });
    proxy = createServer(async (req, res) => {
      tokenCalls++;
      const fault = faults.shift();
      if (fault === "503") {
        res.writeHead(503, { "content-type": "application/json" }).end('{"error":"server_error"}');
        return;
      }
      if (fault === "malformed") {
        res.writeHead(200, { "content-type": "application/json" }).end('{"access_token": "abc", "token_ty');
        return;
      }
      if (fault === "html") {
        res.writeHead(200, { "content-type": "text/html" }).end("<html>maintenance</html>");
        return;
      }
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const upstream = await fetch(`${sample.accountsBaseUrl}${req.url?.replace(/^\/accounts/, "")}`, {
        method: req.method,
        headers: { authorization: req.headers.authorization ?? "", "content-type": req.headers["content-type"] ?? "" },
        body: Buffer.concat(chunks),
      });
      res.writeHead(upstream.status, { "content-type": "application/json" }).end(await upstream.text());
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/accounts`;
  });
  afterAll(async () => {
    await new Promise((resolve) => proxy.close(resolve));
    await sample.close();
  });

  const client = () =>
    createSpotifyClient(
      { ...sampleEnv(sample), accountsBaseUrl: proxyUrl },
      { maxRetries: 3, backoffBaseMs: 5, backoffMaxMs: 20 },
    );

  it.each([
    ["a 503", ["503", "503"]],
    ["a truncated token response", ["malformed"]],
    ["an HTML maintenance page", ["html"]],
  ] as const)("retries %s from the token endpoint and then answers the request", async (_case, injected) => {
    // Prepare
    faults = [...injected];
    tokenCalls = 0;
    const spotify = client();

    // Act
    const artist = (await spotify.get(`/artists/${deriveId("token", "artist", 1)}`)) as { id: string };

    // Assess
    expect(artist.id).toBe(deriveId("token", "artist", 1));
    expect(tokenCalls).toBe(injected.length + 1);
    expect(spotify.stats().tokenRequests).toBe(injected.length + 1);
  });

  it("gives up with SpotifyServerError saying the accounts service may be down, without the secret", async () => {
    // Prepare
    faults = ["503", "503", "503", "503", "503", "503"];
    const spotify = client();

    // Act
    const error = await spotify.get(`/artists/${deriveId("token", "artist", 2)}`).catch((e: unknown) => e as Error);

    // Assess
    expect(error).toBeInstanceOf(SpotifyServerError);
    expect((error as Error).message).toMatch(/access token.*run again later/);
    expect((error as Error).message).not.toContain("token-test-secret-7f3a9c");
  });
});

describe("one token request at a time, and hosts that cannot be reached", () => {
  let sample: SampleServer;
  let slow: Server;
  let slowUrl: string;
  let tokenCalls = 0;
  let answer503 = true;

  beforeAll(async () => {
    sample = await startSampleServer({ clientSecret: "token-test-secret-7f3a9c" });
    // A token endpoint that takes 100 ms, then answers 503 (or passes through to the sample API).
    slow = createServer(async (req, res) => {
      tokenCalls++;
      await new Promise((resolve) => setTimeout(resolve, 100));
      if (answer503) {
        res.writeHead(503, { "content-type": "application/json" }).end('{"error":"server_error"}');
        return;
      }
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const upstream = await fetch(`${sample.accountsBaseUrl}/api/token`, {
        method: "POST",
        headers: { authorization: req.headers.authorization ?? "", "content-type": req.headers["content-type"] ?? "" },
        body: Buffer.concat(chunks),
      });
      res.writeHead(upstream.status, { "content-type": "application/json" }).end(await upstream.text());
    });
    await new Promise<void>((resolve) => slow.listen(0, "127.0.0.1", resolve));
    slowUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => slow.close(resolve));
    await sample.close();
  });

  const ids = Array.from({ length: 8 }, (_, i) => deriveId("flight", "artist", i));

  it("sends one token request for eight concurrent API requests", async () => {
    // Prepare
    answer503 = false;
    tokenCalls = 0;
    const spotify = createSpotifyClient({ ...sampleEnv(sample), accountsBaseUrl: slowUrl }, { concurrency: 8 });

    // Act
    await Promise.all(ids.map((id) => spotify.get(`/artists/${id}`)));

    // Assess
    expect(tokenCalls).toBe(1);
    expect(spotify.stats().tokenRequests).toBe(1);
  });

  it("shares one failing token request's retries between eight concurrent API requests", async () => {
    // Prepare
    answer503 = true;
    tokenCalls = 0;
    const spotify = createSpotifyClient(
      { ...sampleEnv(sample), accountsBaseUrl: slowUrl },
      { concurrency: 8, maxRetries: 2, backoffBaseMs: 5, backoffMaxMs: 10 },
    );

    // Act
    const outcomes = await Promise.allSettled(ids.map((id) => spotify.get(`/artists/${id}`)));

    // Assess: one request and its two retries, not three per worker.
    expect(outcomes.every((o) => o.status === "rejected" && o.reason instanceof SpotifyServerError)).toBe(true);
    expect(tokenCalls).toBe(3);
  });

  it.each([
    ["a port nothing listens on (connection refused)", "accounts", "http://127.0.0.1:1", /ECONNREFUSED/],
    ["a host name that does not resolve", "accounts", "http://tunelake-no-such-host.invalid", /ENOTFOUND|EAI_AGAIN/],
    ["a refused API host", "api", "http://127.0.0.1:1/v1", /ECONNREFUSED/],
  ])("fails fast with SpotifyConnectionError naming the URL on %s", async (_case, which, url, code) => {
    // Prepare
    const env = sampleEnv(sample);
    const spotify = createSpotifyClient(
      which === "accounts" ? { ...env, accountsBaseUrl: url } : { ...env, apiBaseUrl: url },
      { concurrency: 8 },
    );
    const started = Date.now();

    // Act
    const outcomes = await Promise.allSettled(ids.map((id) => spotify.get(`/artists/${id}`)));

    // Assess
    const reasons = outcomes.map((o) => (o.status === "rejected" ? (o.reason as Error) : undefined));
    expect(reasons.every((r) => r instanceof SpotifyConnectionError)).toBe(true);
    expect(reasons[0]?.message).toContain(url);
    expect(reasons[0]?.message).toMatch(code);
    expect(reasons[0]?.message).toContain(which === "accounts" ? "SPOTIFY_ACCOUNTS_BASE_URL" : "SPOTIFY_API_BASE_URL");
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(TRANSIENT_ERROR_NAMES as readonly string[]).not.toContain("SpotifyConnectionError");
  });
});
