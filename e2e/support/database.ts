/** Direct access to an app's embedded PostgreSQL, the way an operator with the data directory would connect. */
import { readFileSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";

export function connectToEmbeddedDatabase(dataDir: string, pgPort: number): postgres.Sql {
  const secrets = JSON.parse(readFileSync(path.join(dataDir, "secrets.json"), "utf8")) as { postgresPassword: string };
  return postgres({
    host: "127.0.0.1",
    port: pgPort,
    user: "postgres",
    password: secrets.postgresPassword,
    database: "gathering",
    max: 1,
    onnotice: () => {},
  });
}
