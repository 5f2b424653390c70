/** Picks the database: the server named by DATABASE_URL, or an embedded one in the data directory. */
import path from "node:path";
import type { DatabaseKind, Logger } from "@gathering/core";
import { startEmbeddedPostgres } from "@gathering/db/embedded";
import type { CliConfig } from "./config";
import { loadOrCreateSecrets } from "./secrets";

export interface ResolvedDatabase {
  url: string;
  kind: DatabaseKind;
  /** A description for the terminal, without the password. */
  description: string;
  stop: () => Promise<void>;
}

function describeUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || 5432}${parsed.pathname}`;
}

export async function resolveDatabase(config: CliConfig, logger: Logger): Promise<ResolvedDatabase> {
  if (config.DATABASE_URL) {
    return {
      url: config.DATABASE_URL,
      kind: "external",
      description: `PostgreSQL at ${describeUrl(config.DATABASE_URL)}`,
      stop: async () => {},
    };
  }
  const secrets = await loadOrCreateSecrets(config.dataDir);
  const directory = path.join(config.dataDir, "postgres");
  logger.info({ directory }, "starting the embedded PostgreSQL");
  const server = await startEmbeddedPostgres({
    directory,
    port: config.GATHERING_PG_PORT,
    password: secrets.postgresPassword,
    onLog: (message) => logger.debug({ postgres: message.trim() }, "postgres"),
  });
  return {
    url: server.connectionString,
    kind: "embedded",
    description: `embedded PostgreSQL in ${directory} (127.0.0.1:${server.port})`,
    stop: server.stop,
  };
}
