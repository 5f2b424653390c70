/** Readiness: the parts a request needs (database, current schema, a live worker), each checked. */
import { type DatabaseClient, getMigrationStatus, listLiveWorkers } from "@gathering/db";
import { WORKER_LEASE_SECONDS } from "./get-system-info";

export interface ReadinessCheck {
  isOk: boolean;
  detail: string;
}

export interface Readiness {
  isReady: boolean;
  checks: { database: ReadinessCheck; migrations: ReadinessCheck; worker: ReadinessCheck };
}

const failed = (detail: string): ReadinessCheck => ({ isOk: false, detail });

export async function checkReadiness(client: DatabaseClient, options: { timeoutMs?: number } = {}): Promise<Readiness> {
  const timeoutMs = options.timeoutMs ?? 2_000;
  const withTimeout = <T>(work: Promise<T>) =>
    Promise.race([
      work,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref()),
    ]);

  let database: ReadinessCheck;
  try {
    await withTimeout(client.sql`select 1`);
    database = { isOk: true, detail: "reachable" };
  } catch (error) {
    database = failed(`unreachable: ${error instanceof Error ? error.message : "unknown error"}`);
  }
  if (!database.isOk) {
    const skipped = failed("skipped: database unreachable");
    return { isReady: false, checks: { database, migrations: skipped, worker: skipped } };
  }

  let migrations: ReadinessCheck;
  try {
    const status = await withTimeout(getMigrationStatus(client.sql));
    migrations = status.isCurrent
      ? { isOk: true, detail: `${status.applied} applied` }
      : failed(`${status.applied} of ${status.expected} applied; run "gathering migrate"`);
  } catch (error) {
    migrations = failed(`cannot read: ${error instanceof Error ? error.message : "unknown error"}`);
  }

  let worker: ReadinessCheck;
  try {
    const live = await withTimeout(listLiveWorkers(client.db, WORKER_LEASE_SECONDS));
    worker =
      live.length > 0 ? { isOk: true, detail: `${live.length} live` } : failed(`no worker heartbeat in the last ${WORKER_LEASE_SECONDS} s`);
  } catch (error) {
    worker = failed(`cannot read: ${error instanceof Error ? error.message : "unknown error"}`);
  }

  return { isReady: database.isOk && migrations.isOk && worker.isOk, checks: { database, migrations, worker } };
}
