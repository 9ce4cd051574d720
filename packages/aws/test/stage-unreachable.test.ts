import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { CloudFormationClient } from "@aws-sdk/client-cloudformation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeAwsFailure } from "../src/aws-failure.ts";
import { StageNotFoundError, StageUnreachableError } from "../src/errors.ts";
import { resolveStage } from "../src/resolve-stage.ts";
import { freePort } from "./moto-server.ts";

const credentials = { accessKeyId: "testing", secretAccessKey: "testing" };
let root: string;
let endpoint: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "tunelake-unreachable-"));
  endpoint = `http://127.0.0.1:${await freePort()}`;
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** Resolves a stage that is not in the (absent) outputs file, so CloudFormation is asked, through `client`. */
const lookUp = (client: CloudFormationClient) =>
  resolveStage("prod", { root, cloudFormation: client })
    .catch((e: unknown) => e)
    .finally(() => client.destroy());

describe("a --stage lookup that cannot reach AWS", () => {
  it("says the network is the problem when the endpoint refuses, not that the stack is missing", async () => {
    const error = await lookUp(
      new CloudFormationClient({ region: "us-east-1", endpoint, credentials, maxAttempts: 1 }),
    );

    expect(error).toBeInstanceOf(StageUnreachableError);
    expect(error).not.toBeInstanceOf(StageNotFoundError);
    expect((error as StageUnreachableError).kind).toBe("network");
    expect((error as Error).message).toMatch(/Could not reach .* \(ECONNREFUSED\)/);
  });

  it("says credentials are missing when no provider has any", async () => {
    const none = async () => {
      throw Object.assign(new Error("Could not load credentials from any providers"), {
        name: "CredentialsProviderError",
      });
    };
    const error = await lookUp(new CloudFormationClient({ region: "us-east-1", endpoint, credentials: none }));

    expect((error as StageUnreachableError).kind).toBe("credentials");
    expect((error as Error).message).toContain("No AWS credentials found");
    expect((error as Error).message).toContain("AWS_PROFILE");
  });

  it("says the region is missing when none is configured", async () => {
    const error = await lookUp(
      new CloudFormationClient({
        credentials,
        region: async () => {
          throw new Error("Region is missing");
        },
      }),
    );

    expect((error as StageUnreachableError).kind).toBe("region");
    expect((error as Error).message).toContain("AWS_REGION");
  });

  it.each([
    [
      { name: "ExpiredToken", message: "The security token included in the request is expired" },
      "credentials-rejected",
    ],
    [{ name: "AccessDenied", message: "not authorized", $metadata: { httpStatusCode: 403 } }, "access-denied"],
    [{ name: "ValidationError", message: "Stack with id prod-tunelake-Pipeline does not exist" }, "other"],
  ])("classifies %j as %s", (error, kind) => {
    expect(describeAwsFailure(Object.assign(new Error(error.message), error), { what: "x" }).kind).toBe(kind);
  });
});
