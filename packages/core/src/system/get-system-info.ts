/** What `system.info` reports: the version, the database in use, and whether workers are alive. */
import { type DbExecutor, getDatabaseServerInfo, listLiveWorkers } from "@gathering/db";
import { GATHERING_VERSION } from "../version";

export type DatabaseKind = "embedded" | "external";

export interface SystemInfo {
  version: string;
  database: { kind: DatabaseKind; version: string; versionNumber: number };
  workers: { status: "running" | "none"; live: number; lastSeenAt: Date | null };
}

/** A worker whose heartbeat is older than this is presumed dead. */
export const WORKER_LEASE_SECONDS = 15;

export async function getSystemInfo(db: DbExecutor, options: { databaseKind: DatabaseKind }): Promise<SystemInfo> {
  const [server, workers] = await Promise.all([getDatabaseServerInfo(db), listLiveWorkers(db, WORKER_LEASE_SECONDS)]);
  return {
    version: GATHERING_VERSION,
    database: { kind: options.databaseKind, version: server.version, versionNumber: server.versionNumber },
    workers: {
      status: workers.length > 0 ? "running" : "none",
      live: workers.length,
      lastSeenAt: workers[0]?.lastSeenAt ?? null,
    },
  };
}
