/** The `gathering` commands: start, worker, migrate. */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Keyring, type Logger, McpConnectionManager, parseKeyring, signUp, startTelemetry, type ToolServices } from "@gathering/core";
import { countUsers, createDatabaseClient, type Database } from "@gathering/db";
import { migrateDatabase } from "@gathering/jobs/migrate";
import { startWorker, systemCrontab, type WorkerHandle } from "@gathering/worker";
import { type CliConfig, CliError } from "./config";
import { resolveDatabase } from "./database";
import { loadOrCreateSecrets } from "./secrets";
import { onShutdownSignal, type ShutdownStep } from "./shutdown";
import { ensureWebBuild } from "./web-build";
import { startWebServer, type WebServerHandle } from "./web-server";

export const rootDir = fileURLToPath(new URL("../../..", import.meta.url));

async function prepareDatabase(config: CliConfig, logger: Logger) {
  const database = await resolveDatabase(config, logger);
  try {
    const result = await migrateDatabase(database.url);
    logger.info({ applied: result.applied }, result.applied > 0 ? "database migrated" : "database schema is current");
  } catch (error) {
    await database.stop();
    throw error;
  }
  return database;
}

/** Session secret and encryption keys: the environment's, else the data directory's. */
export async function resolveAppSecrets(config: CliConfig, logger: Logger, databaseKind: "embedded" | "external") {
  if (config.NEXTAUTH_SECRET && config.GATHERING_ENCRYPTION_KEYS) {
    return { nextAuthSecret: config.NEXTAUTH_SECRET, encryptionKeys: config.GATHERING_ENCRYPTION_KEYS };
  }
  const stored = await loadOrCreateSecrets(config.dataDir);
  if (databaseKind === "external") {
    logger.warn(
      { dataDir: config.dataDir },
      "NEXTAUTH_SECRET or GATHERING_ENCRYPTION_KEYS is not set: using the data directory's. Every instance on this database needs the same values; set both in the environment.",
    );
  }
  return {
    nextAuthSecret: config.NEXTAUTH_SECRET ?? stored.nextAuthSecret,
    encryptionKeys: config.GATHERING_ENCRYPTION_KEYS ?? stored.encryptionKeys,
  };
}

/** GATHERING_ADMIN_EMAIL / GATHERING_ADMIN_PASSWORD create the first account (owner of the default project). */
async function bootstrapAdmin(config: CliConfig, logger: Logger, databaseUrl: string): Promise<void> {
  if (!config.GATHERING_ADMIN_EMAIL && !config.GATHERING_ADMIN_PASSWORD) return;
  if (!config.GATHERING_ADMIN_EMAIL || !config.GATHERING_ADMIN_PASSWORD) {
    throw new CliError("set both GATHERING_ADMIN_EMAIL and GATHERING_ADMIN_PASSWORD, or neither");
  }
  await withDatabaseClient(databaseUrl, async (db) => {
    if ((await countUsers(db)) > 0) return;
    try {
      await signUp(
        db,
        { passwordHashCost: config.GATHERING_BCRYPT_COST, signUpPolicy: "closed" },
        { email: config.GATHERING_ADMIN_EMAIL ?? "", name: "Administrator", password: config.GATHERING_ADMIN_PASSWORD ?? "" },
      );
    } catch (error) {
      throw new CliError(`could not create the admin account: ${error instanceof Error ? error.message : String(error)}`);
    }
    logger.info({ email: config.GATHERING_ADMIN_EMAIL }, "created the admin account");
  });
}

/** What the worker's tools need: data dir, allowed hosts, and the worker's own MCP connections (closed after the worker stops). */
function workerToolServices(config: CliConfig, logger: Logger, keyring: Keyring): ToolServices & { mcp: McpConnectionManager } {
  const mcp = new McpConnectionManager({
    keyring,
    logger,
    allowedHosts: config.GATHERING_ALLOWED_HOSTS,
    stdioCommands: config.GATHERING_MCP_STDIO_COMMANDS,
  });
  return {
    dataDir: config.dataDir,
    allowedHosts: config.GATHERING_ALLOWED_HOSTS,
    mcpStdioCommands: config.GATHERING_MCP_STDIO_COMMANDS,
    mcp,
  };
}

/** The worker's schedule settings: tick period, and SMTP when both its URL and sender are set. */
function scheduleOptions(config: CliConfig) {
  const smtp =
    config.GATHERING_SMTP_URL && config.GATHERING_SMTP_FROM
      ? { url: config.GATHERING_SMTP_URL, from: config.GATHERING_SMTP_FROM }
      : undefined;
  return { scheduleTickMs: config.GATHERING_SCHEDULE_TICK_MS, ...(smtp ? { smtp } : {}) };
}

export async function withDatabaseClient<T>(url: string, work: (db: Database) => Promise<T>): Promise<T> {
  const client = createDatabaseClient(url, { max: 2, applicationName: "gathering-cli" });
  try {
    return await work(client.db);
  } finally {
    await client.close();
  }
}

export async function runStart(
  config: CliConfig,
  logger: Logger,
  flags: { port?: number; host?: string; isWorkerEnabled: boolean; isDev: boolean },
): Promise<number> {
  const database = await prepareDatabase(config, logger);
  const secrets = await resolveAppSecrets(config, logger, database.kind).catch(async (error: unknown) => {
    await database.stop();
    throw error;
  });
  await bootstrapAdmin(config, logger, database.url).catch(async (error: unknown) => {
    await database.stop();
    throw error;
  });
  const telemetry = await startTelemetry({
    serviceName: config.OTEL_SERVICE_NAME ?? "gathering",
    endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
    headers: config.OTEL_EXPORTER_OTLP_HEADERS,
    logger,
  });
  let web: WebServerHandle | undefined;
  let worker: WorkerHandle | undefined;
  let workerMcp: McpConnectionManager | undefined;
  const steps = (): ShutdownStep[] => [
    { name: "web", run: async () => web?.close(config.GATHERING_SHUTDOWN_TIMEOUT_MS) },
    { name: "worker", run: async () => worker?.stop() },
    { name: "worker MCP connections", run: async () => workerMcp?.closeAll() },
    { name: "telemetry", run: () => telemetry.shutdown() },
    { name: "database", run: database.stop },
  ];
  const stopped = onShutdownSignal(logger, steps);
  try {
    if (!flags.isDev) await ensureWebBuild(rootDir, logger);
    if (flags.isWorkerEnabled) {
      const keyring = parseKeyring(secrets.encryptionKeys);
      const toolServices = workerToolServices(config, logger, keyring);
      workerMcp = toolServices.mcp;
      worker = await startWorker({
        connectionString: database.url,
        logger,
        keyring,
        toolServices,
        concurrency: config.GATHERING_WORKER_CONCURRENCY,
        crontab: systemCrontab({ eventRetentionDays: config.GATHERING_EVENT_RETENTION_DAYS }),
        ...scheduleOptions(config),
      });
    }
    // The web app runs in this process and reads its configuration from the environment.
    process.env.DATABASE_URL = database.url;
    process.env.GATHERING_DATABASE_KIND = database.kind;
    process.env.GATHERING_DATA_DIR = config.dataDir;
    process.env.DATABASE_POOL_SIZE = String(config.DATABASE_POOL_SIZE);
    process.env.LOG_LEVEL = config.LOG_LEVEL;
    process.env.NEXT_TELEMETRY_DISABLED = "1";
    process.env.NEXTAUTH_SECRET = secrets.nextAuthSecret;
    process.env.GATHERING_ENCRYPTION_KEYS = secrets.encryptionKeys;
    process.env.GATHERING_BCRYPT_COST = String(config.GATHERING_BCRYPT_COST);
    // Without a fixed public URL, next-auth builds its redirects from the request's Host header.
    if (!process.env.NEXTAUTH_URL) process.env.AUTH_TRUST_HOST = "1";
    web = await startWebServer({
      rootDir,
      host: flags.host ?? config.HOST,
      port: flags.port ?? config.PORT,
      isDev: flags.isDev,
      isProxyTrusted: config.GATHERING_TRUST_PROXY,
      logger,
    });
  } catch (error) {
    for (const step of steps()) await step.run().catch(() => {});
    throw error;
  }
  logger.info(
    { url: web.url, database: database.description, worker: flags.isWorkerEnabled ? "running" : "disabled" },
    `GatheRing is ready at ${web.url} (${database.description})`,
  );
  return stopped;
}

export async function runWorkerOnly(config: CliConfig, logger: Logger, flags: { concurrency?: number }): Promise<number> {
  const database = await prepareDatabase(config, logger);
  const telemetry = await startTelemetry({
    serviceName: config.OTEL_SERVICE_NAME ?? "gathering-worker",
    endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
    headers: config.OTEL_EXPORTER_OTLP_HEADERS,
    logger,
  });
  let worker: WorkerHandle | undefined;
  let workerMcp: McpConnectionManager | undefined;
  const stopped = onShutdownSignal(logger, () => [
    { name: "worker", run: async () => worker?.stop() },
    { name: "worker MCP connections", run: async () => workerMcp?.closeAll() },
    { name: "telemetry", run: () => telemetry.shutdown() },
    { name: "database", run: database.stop },
  ]);
  try {
    const secrets = await resolveAppSecrets(config, logger, database.kind);
    const keyring = parseKeyring(secrets.encryptionKeys);
    const toolServices = workerToolServices(config, logger, keyring);
    workerMcp = toolServices.mcp;
    worker = await startWorker({
      connectionString: database.url,
      logger,
      keyring,
      toolServices,
      concurrency: flags.concurrency ?? config.GATHERING_WORKER_CONCURRENCY,
      crontab: systemCrontab({ eventRetentionDays: config.GATHERING_EVENT_RETENTION_DAYS }),
      ...scheduleOptions(config),
    });
  } catch (error) {
    await database.stop();
    throw error;
  }
  logger.info({ database: database.description, workerId: worker.workerId }, "worker running");
  return stopped;
}

export async function runMigrate(config: CliConfig, logger: Logger): Promise<number> {
  const database = await prepareDatabase(config, logger);
  await database.stop();
  return 0;
}

/** Runs one piece of work against the (migrated) database, starting and stopping an embedded one if needed. */
export async function runWithDatabase<T>(
  config: CliConfig,
  logger: Logger,
  work: (db: Database, kind: "embedded" | "external") => Promise<T>,
): Promise<T> {
  const database = await prepareDatabase(config, logger);
  try {
    return await withDatabaseClient(database.url, (db) => work(db, database.kind));
  } finally {
    await database.stop();
  }
}

export const webDir = path.join(rootDir, "apps/web");
