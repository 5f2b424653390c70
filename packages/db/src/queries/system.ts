/** Query functions for the installation's own state: settings, worker heartbeats, server facts. */
import { and, desc, eq, gt, inArray, isNull, sql } from "drizzle-orm";
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

/**
 * The reaper: under a transaction-scoped advisory lock (one reaper at a time across all workers), finds
 * workers that stopped heart-beating for longer than the lease, releases the jobs Graphile Worker still
 * has locked for them (`force_unlock_workers`) and marks them stopped. Returns the workers reaped.
 */
export async function reapDeadWorkers(
  db: DbExecutor,
  leaseSeconds: number,
): Promise<Array<{ workerId: string; queueWorkerIds: string[] }>> {
  return db.transaction(async (tx) => {
    const [lock] = await tx.execute<{ locked: boolean }>(sql`select pg_try_advisory_xact_lock(hashtext('gathering:reaper')) as locked`);
    if (!lock?.locked) return [];
    const dead = await tx
      .select({ workerId: workerHeartbeats.workerId, queueWorkerIds: workerHeartbeats.queueWorkerIds })
      .from(workerHeartbeats)
      .where(and(isNull(workerHeartbeats.stoppedAt), sql`${workerHeartbeats.lastSeenAt} < now() - make_interval(secs => ${leaseSeconds})`))
      .for("update", { skipLocked: true });
    if (dead.length === 0) return [];
    const queueIds = dead.flatMap((worker) => worker.queueWorkerIds as string[]);
    if (queueIds.length > 0) {
      await tx.execute(
        sql`select graphile_worker.force_unlock_workers(array(select json_array_elements_text(${JSON.stringify(queueIds)}::json)))`,
      );
    }
    await tx
      .update(workerHeartbeats)
      .set({ stoppedAt: sql`now()` })
      .where(
        inArray(
          workerHeartbeats.workerId,
          dead.map((worker) => worker.workerId),
        ),
      );
    return dead.map((worker) => ({ workerId: worker.workerId, queueWorkerIds: worker.queueWorkerIds as string[] }));
  });
}
