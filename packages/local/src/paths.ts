/** Where the local engine keeps things under the tunelake home (`.tunelake` by default). */
import { join } from "node:path";

export const localPaths = (home: string) => ({
  curated: join(home, "lake", "curated"),
  raw: join(home, "lake", "raw"),
  catalog: join(home, "catalog"),
  catalogFile: join(home, "catalog", "tables.json"),
  crawlerFile: join(home, "catalog", "crawler.json"),
  athena: join(home, "athena"),
  outbox: join(home, "outbox"),
  executions: join(home, "executions"),
  execution: (name: string) => join(home, "executions", name),
  locks: join(home, "executions", ".locks"),
});
