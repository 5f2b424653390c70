/**
 * The schedules' queue on Graphile Worker: one action job per fire, keyed `fire:{fireId}` so a second
 * enqueue of the same fire adds nothing; all of a tick's fires go in one `add_jobs` call. Ticks are
 * keyed by the moment they are for, so asking twice for the same moment runs one tick.
 */
import type { ScheduleQueue } from "@gathering/core";
import type { DbExecutor } from "@gathering/db";
import { sql } from "drizzle-orm";
import { runScheduleFireJob, scheduleTickJob } from "./catalog";
import { enqueue } from "./enqueue";

export function scheduleFireJobKey(fireId: string): string {
  return `fire:${fireId}`;
}

export function scheduleTickJobKey(at: Date): string {
  return `schedules:tick:${at.getTime()}`;
}

export const scheduleQueue: ScheduleQueue = {
  async enqueueFires(tx: DbExecutor, fireIds) {
    if (fireIds.length === 0) return;
    const specs = fireIds.map((fireId) => ({
      identifier: runScheduleFireJob.id,
      payload: runScheduleFireJob.payload.parse({ fireId }),
      max_attempts: runScheduleFireJob.maxAttempts,
      job_key: scheduleFireJobKey(fireId),
    }));
    // job_key_preserve_run_at: a repeat leaves the pending job as it is.
    await tx.execute(sql`
      select 1 from graphile_worker.add_jobs(
        array(select json_populate_recordset(null::graphile_worker.job_spec, ${JSON.stringify(specs)}::json)),
        true
      )`);
  },
  async requestTick(tx: DbExecutor, at: Date) {
    await enqueue(tx, scheduleTickJob, {}, { jobKey: scheduleTickJobKey(at), jobKeyMode: "preserve_run_at", runAt: at });
  },
};

/** The worker's own timer asks for a tick now (key per moment, so two workers waking together run one). */
export async function enqueueScheduleTick(tx: DbExecutor, at: Date): Promise<void> {
  await scheduleQueue.requestTick(tx, at);
}
