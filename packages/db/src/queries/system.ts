/** Query functions for the installation's own state: settings, worker heartbeats, server facts. */
import { and, desc, eq, gt, isNull, sql } from "drizzle-orm";
import type { DbExecutor } from "../client";
import { instanceSettings, workerHeartbeats } from "../schema";

/** Returns the stored value for `key`, inserting `initial` first if the key has none (race-safe). */
export async function getOrCreateInstanceSetting<T>(db: DbExecutor, key: string, initial: T): Promise<T> {
  await db.insert(instanceSettings).values({ key, value: initial }).onConflictDoNothing();
  const [row] = await db.select({ value: instanceSettings.value }).from(instanceSettings).where(eq(instanceSettings.key, key));
  return row?.value as T;
}

export interface WorkerHeartbeatInput {
  workerId: string;
  hostname: string;
  pid: number;
  version: string;
  concurrency: number;
  queueWorkerIds: string[];
}

export async function recordWorkerHeartbeat(db: DbExecutor, worker: WorkerHeartbeatInput): Promise<void> {
  await db
    .insert(workerHeartbeats)
    .values({ ...worker })
    .onConflictDoUpdate({
      target: workerHeartbeats.workerId,
      set: { lastSeenAt: sql`now()`, stoppedAt: null, queueWorkerIds: worker.queueWorkerIds },
    });
}

export async function markWorkerStopped(db: DbExecutor, workerId: string): Promise<void> {
  await db.update(workerHeartbeats).set({ stoppedAt: sql`now()` }).where(eq(workerHeartbeats.workerId, workerId));
}

/** Workers that are running and whose heartbeat is younger than `leaseSeconds`, newest first. */
export async function listLiveWorkers(db: DbExecutor, leaseSeconds: number) {
  return db
    .select()
    .from(workerHeartbeats)
    .where(and(isNull(workerHeartbeats.stoppedAt), gt(workerHeartbeats.lastSeenAt, sql`now() - make_interval(secs => ${leaseSeconds})`)))
    .orderBy(desc(workerHeartbeats.lastSeenAt));
}

export interface DatabaseServerInfo {
  version: string;
  versionNumber: number;
}

export async function getDatabaseServerInfo(db: DbExecutor): Promise<DatabaseServerInfo> {
  const rows = await db.execute<{ version: string; version_number: number }>(
    sql`select current_setting('server_version') as version, current_setting('server_version_num')::int as version_number`,
  );
  const row = rows[0];
  return { version: row?.version ?? "unknown", versionNumber: row?.version_number ?? 0 };
}
