/**
 * Hostile input at the Lambda seam (README, "Hostile input"): what a handler throws is what Step Functions stores in
 * the execution's history, so a credential Spotify (or something posing as it) echoes never leaves the Lambda.
 */

import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "@tunelake/core/config/load";
import { silentLogger } from "@tunelake/core/logger";
import { FsObjectStore } from "@tunelake/core/storage/fs-store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createExtractHandler } from "../src/extract.ts";

const SECRET = "functions-security-secret-4c2d";
const REFRESH = "AQfunctionsRefreshToken987";

describe("extract handler errors", () => {
  let server: Server;
  let url: string;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tunelake-functions-security-"));
    server = createServer((req, res) => {
      if (req.url?.endsWith("/api/token")) {
        res
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify({ access_token: "BQfunctionsAccess123456", token_type: "Bearer", expires_in: 3600 }));
        return;
      }
      res.writeHead(400, { "content-type": "application/json" }).end(
        JSON.stringify({
          error: { status: 400, message: `echo ${SECRET} Bearer BQfunctionsAccess123456 refresh_token=${REFRESH}` },
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it("throws errors with no secret, refresh token or access token in the message", async () => {
    // Prepare
    const handler = createExtractHandler(async () => ({
      config: parseConfig({
        sources: { artists: ["4tZwfgrHOc3mvqYlEYSvVi"] },
        extract: { accessProfile: "development" },
      }),
      raw: new FsObjectStore(dir),
      spotify: {
        clientId: "id",
        clientSecret: SECRET,
        refreshToken: REFRESH,
        apiBaseUrl: `${url}/v1`,
        accountsBaseUrl: url,
      },
      dataSource: "spotify",
      logger: silentLogger,
    }));

    // Act
    const error = await handler({ date: "2026-11-21", execution: "2026-11-21" }).catch((e: Error) => e);

    // Assess
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toMatch(/Spotify answered 400/);
    for (const secret of [SECRET, REFRESH, "BQfunctionsAccess123456"]) {
      expect(message).not.toContain(secret);
      expect((error as Error).stack).not.toContain(secret);
    }
  });
});
