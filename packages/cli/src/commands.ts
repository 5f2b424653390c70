/** The `gathering` commands: start, worker, migrate. */
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Logger } from "@gathering/core";
import { migrateDatabase } from "@gathering/jobs/migrate";
import { startWorker, type WorkerHandle } from "@gathering/worker";
import type { CliConfig } from "./config";
import { resolveDatabase } from "./database";
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

export async function runStart(
  config: CliConfig,
  logger: Logger,
  flags: { port?: number; host?: string; isWorkerEnabled: boolean; isDev: boolean },
): Promise<number> {
  const database = await prepareDatabase(config, logger);
  let web: WebServerHandle | undefined;
  let worker: WorkerHandle | undefined;
  const steps = (): ShutdownStep[] => [
    { name: "web", run: async () => web?.close(config.GATHERING_SHUTDOWN_TIMEOUT_MS) },
    { name: "worker", run: async () => worker?.stop() },
    { name: "database", run: database.stop },
  ];
  const stopped = onShutdownSignal(logger, steps);
  try {
    if (!flags.isDev) await ensureWebBuild(rootDir, logger);
    if (flags.isWorkerEnabled) {
      worker = await startWorker({ connectionString: database.url, logger, concurrency: config.GATHERING_WORKER_CONCURRENCY });
    }
    // The web app runs in this process and reads its configuration from the environment.
    process.env.DATABASE_URL = database.url;
    process.env.GATHERING_DATABASE_KIND = database.kind;
    process.env.DATABASE_POOL_SIZE = String(config.DATABASE_POOL_SIZE);
    process.env.LOG_LEVEL = config.LOG_LEVEL;
    process.env.NEXT_TELEMETRY_DISABLED = "1";
    web = await startWebServer({ rootDir, host: flags.host ?? config.HOST, port: flags.port ?? config.PORT, isDev: flags.isDev, logger });
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
  let worker: WorkerHandle | undefined;
  const stopped = onShutdownSignal(logger, () => [
    { name: "worker", run: async () => worker?.stop() },
    { name: "database", run: database.stop },
  ]);
  try {
    worker = await startWorker({
      connectionString: database.url,
      logger,
      concurrency: flags.concurrency ?? config.GATHERING_WORKER_CONCURRENCY,
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

export const webDir = path.join(rootDir, "apps/web");
