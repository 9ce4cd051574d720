/** The AWS SDK clients of the cloud mode, created once per command and injectable (tests point them at moto). */
import { AthenaClient } from "@aws-sdk/client-athena";
import { CloudFormationClient } from "@aws-sdk/client-cloudformation";
import { GlueClient } from "@aws-sdk/client-glue";
import { SFNClient } from "@aws-sdk/client-sfn";

export interface CloudClients {
  sfn: SFNClient;
  athena: AthenaClient;
  glue: GlueClient;
  cloudFormation: CloudFormationClient;
}

export interface CloudClientOptions {
  region?: string;
  /** One endpoint for every service (e.g. `http://127.0.0.1:5000` for moto_server); AWS's own otherwise. */
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  maxAttempts?: number;
}

/** Creates the clients, keeping any passed in `given`. */
export function createCloudClients(options: CloudClientOptions = {}, given: Partial<CloudClients> = {}): CloudClients {
  const config = {
    ...(options.region ? { region: options.region } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
  };
  return {
    sfn: given.sfn ?? new SFNClient(config),
    athena: given.athena ?? new AthenaClient(config),
    glue: given.glue ?? new GlueClient(config),
    cloudFormation: given.cloudFormation ?? new CloudFormationClient(config),
  };
}

/** Closes the sockets of the clients this module created. */
export function destroyCloudClients(clients: Partial<CloudClients>): void {
  for (const client of Object.values(clients)) client?.destroy();
}
