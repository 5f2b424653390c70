/**
 * Autovacuum settings for Graphile Worker's job table, applied at worker start after Graphile's own
 * migrations. Every job is one insert, an update or two (lock, unlock on failure) and a delete, so the
 * table is small but churns: with PostgreSQL's defaults (vacuum once 20 % of the rows are dead) a
 * queue that empties between bursts is vacuumed rarely and its dead rows and index entries pile up,
 * and every `get_job` scans past them. Vacuuming after a fixed number of dead rows, without the cost
 * delay, keeps the table and its indexes near their live size after millions of jobs
 * (`npm run chaos:dead-rows` measures it). Idempotent: nothing is altered when the settings are in place.
 */
import type { Logger } from "@gathering/core";
import type pg from "pg";

export const queueAutovacuumSettings: Record<string, string> = {
  autovacuum_vacuum_scale_factor: "0",
  autovacuum_vacuum_threshold: "2000",
  autovacuum_vacuum_insert_scale_factor: "0",
  autovacuum_vacuum_insert_threshold: "10000",
  autovacuum_analyze_scale_factor: "0",
  autovacuum_analyze_threshold: "5000",
  autovacuum_vacuum_cost_delay: "0",
};

const tables = ["graphile_worker._private_jobs"];

export async function tuneQueueAutovacuum(pool: pg.Pool, logger: Logger): Promise<void> {
  const wanted = Object.entries(queueAutovacuumSettings).map(([name, value]) => `${name}=${value}`);
  for (const table of tables) {
    try {
      const { rows } = await pool.query<{ reloptions: string[] | null }>("select reloptions from pg_class where oid = $1::regclass", [
        table,
      ]);
      const current = rows[0]?.reloptions ?? [];
      if (wanted.every((option) => current.includes(option))) continue;
      // SHARE UPDATE EXCLUSIVE: no wait behind running jobs, but do not queue forever behind a vacuum.
      const client = await pool.connect();
      try {
        await client.query("begin");
        await client.query("set local lock_timeout = '5s'");
        await client.query(`alter table ${table} set (${wanted.join(", ")})`);
        await client.query("commit");
      } catch (error) {
        await client.query("rollback").catch(() => {});
        throw error;
      } finally {
        client.release();
      }
      logger.info({ table, settings: queueAutovacuumSettings }, "tuned autovacuum of the job queue");
    } catch (error) {
      // Not owning the table (a managed database's restricted role) must not stop the worker.
      logger.warn({ err: error, table }, "could not tune autovacuum of the job queue; dead job rows may slow it down");
    }
  }
}
