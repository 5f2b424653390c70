/** Installs or upgrades Graphile Worker's own schema, and the migrate step that includes it. */
import { migrate } from "@gathering/db/migrate";
import { Logger, runMigrations } from "graphile-worker";

const silentLogger = new Logger(() => () => {});

export async function installJobQueueSchema(connectionString: string): Promise<void> {
  await runMigrations({ connectionString, logger: silentLogger });
}

/** Everything a database needs before GatheRing can use it: our migrations and the job queue's schema. */
export function migrateDatabase(connectionString: string) {
  return migrate(connectionString, { extraSteps: [installJobQueueSchema] });
}
