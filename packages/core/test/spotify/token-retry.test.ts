import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SpotifyServerError } from "../../src/errors.ts";
import { createSpotifyClient } from "../../src/spotify/client.ts";
import { deriveId } from "../../src/spotify/sample-data.ts";
import { type SampleServer, sampleEnv, startSampleServer } from "../../src/spotify/sample-server.ts";

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
