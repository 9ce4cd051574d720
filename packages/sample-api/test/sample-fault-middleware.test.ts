/**
 * The sample API's fault middleware on the wire: each spotify-* switch answers as Spotify does (status, headers,
 * body), counts down, and leaves the request counted in the stats of its endpoint and quota bucket.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  PREMIUM_REQUIRED_MESSAGE,
  SAMPLE_CLIENT_ID,
  SAMPLE_CLIENT_SECRET,
  type SampleFaults,
  type SampleServer,
  startSampleServer,
} from "../src/sample-server.ts";

const ID = "0TnOYISbd1XYRBk9myaseg";
const BASIC = `Basic ${Buffer.from(`${SAMPLE_CLIENT_ID}:${SAMPLE_CLIENT_SECRET}`).toString("base64")}`;

let servers: SampleServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function start(faults: SampleFaults) {
  const server = await startSampleServer({ faults });
  servers.push(server);
  const token = (body: Record<string, string>) =>
    fetch(`${server.accountsBaseUrl}/api/token`, {
      method: "POST",
      headers: { authorization: BASIC, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(body),
    });
  const app = ((await (await token({ grant_type: "client_credentials" })).json()) as { access_token: string })
    .access_token;
  const get = async (path: string) => {
    const res = await fetch(`${server.apiBaseUrl}${path}`, { headers: { authorization: `Bearer ${app}` } });
    return { status: res.status, headers: res.headers, text: await res.text() };
  };
  return { server, get, token };
}

describe("the sample API's fault middleware", () => {
  it("answers 429 with Retry-After for the first requests (rateLimit), then the route's answer", async () => {
    // Prepare
    const { server, get } = await start({ rateLimit: { count: 2, retryAfterSeconds: 7 } });

    // Act
    const answers = [await get(`/artists/${ID}`), await get(`/artists/${ID}`), await get(`/artists/${ID}`)];

    // Assess
    expect(answers.map((a) => a.status)).toEqual([429, 429, 200]);
    expect(answers[0]?.headers.get("retry-after")).toBe("7");
    expect(JSON.parse(answers[0]?.text ?? "")).toEqual({ error: { status: 429, message: "API rate limit exceeded" } });
    expect(answers[0]?.headers.get("x-tunelake-sample")).toBe("true");
    expect(server.stats().byEndpoint["GET /artists/{id}"]).toBe(3);
  });

  it.each<[string, SampleFaults, number, Record<string, unknown>, string | null]>([
    [
      "quota",
      { quota: true },
      429,
      { status: 429, message: "API rate limit exceeded", reason: "QUOTA_EXCEEDED" },
      "86400",
    ],
    [
      "serverError",
      { serverError: { count: 1, status: 502 } },
      502,
      { status: 502, message: "Service unavailable" },
      null,
    ],
    ["premiumLapsed", { premiumLapsed: true }, 403, { status: 403, message: PREMIUM_REQUIRED_MESSAGE }, null],
  ])("answers the %s switch as Spotify does", async (_name, faults, status, error, retryAfter) => {
    // Prepare
    const { get } = await start(faults);

    // Act
    const answer = await get(`/artists/${ID}`);

    // Assess
    expect(answer.status).toBe(status);
    expect(JSON.parse(answer.text)).toEqual({ error });
    expect(answer.headers.get("retry-after")).toBe(retryAfter);
  });

  it("truncates the route's body (malformed) and changes it reproducibly (drift)", async () => {
    // Prepare
    const plain = await start({});
    const broken = await start({ malformed: { count: 1 } });
    const drifted = await start({ drift: true });
    const full = (await plain.get(`/artists/${ID}`)).text.replaceAll(plain.server.apiBaseUrl, "");

    // Act
    const truncated = (await broken.get(`/artists/${ID}`)).text;
    const after = (await broken.get(`/artists/${ID}`)).text;
    const drift = [await drifted.get(`/artists/${ID}`), await drifted.get(`/artists/${ID}`)];

    // Assess
    expect(truncated).toBe(after.slice(0, Math.floor(after.length / 2)));
    expect(after.replaceAll(broken.server.apiBaseUrl, "")).toBe(full);
    expect(drift[0]?.status).toBe(200);
    expect(drift[0]?.text.replaceAll(drifted.server.apiBaseUrl, "")).not.toBe(full);
    expect(drift[1]?.text).toBe(drift[0]?.text);
  });

  it("answers invalid_grant for the refresh token only (refreshTokenRevoked), after checking the client", async () => {
    // Prepare
    const { server, token } = await start({ refreshTokenRevoked: true });

    // Act
    const refresh = await token({ grant_type: "refresh_token", refresh_token: server.refreshToken });
    const app = await token({ grant_type: "client_credentials" });
    const stranger = await fetch(`${server.accountsBaseUrl}/api/token`, {
      method: "POST",
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: server.refreshToken }),
    });

    // Assess
    expect(refresh.status).toBe(400);
    expect(await refresh.json()).toEqual({ error: "invalid_grant", error_description: "Refresh token revoked" });
    expect(app.status).toBe(200);
    expect(await stranger.json()).toEqual({ error: "invalid_client", error_description: "Invalid client" });
  });
});
