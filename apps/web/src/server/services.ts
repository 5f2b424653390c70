/**
 * Process-wide services of the web app: one database pool and one logger, created on first use and
 * kept on globalThis so development reloads do not open a new pool each time.
 */
import type { ApiServices } from "@gathering/api";
import { createLogger } from "@gathering/core";
import { createDatabaseClient, type DatabaseClient } from "@gathering/db";
import { serverEnv } from "./env";

interface WebServices {
  api: ApiServices;
  database: DatabaseClient;
}

const globalForServices = globalThis as typeof globalThis & { __gatheringWebServices?: WebServices };

export function webServices(): WebServices {
  if (globalForServices.__gatheringWebServices) return globalForServices.__gatheringWebServices;
  const env = serverEnv();
  const logger = createLogger({ level: env.LOG_LEVEL, name: "gathering-web" });
  const database = createDatabaseClient(env.DATABASE_URL, { max: env.DATABASE_POOL_SIZE, applicationName: "gathering-web" });
  const services: WebServices = {
    database,
    api: {
      db: database.db,
      logger,
      databaseKind: env.GATHERING_DATABASE_KIND,
      // Projects and memberships arrive with the auth layer; until then nobody is a member of anything.
      resolveProjectRole: async () => null,
    },
  };
  globalForServices.__gatheringWebServices = services;
  return services;
}
