/**
 * The pipeline engine's queue on Graphile Worker: one job per node run, keyed `run:{runId}:{nodeId}`
 * so a second enqueue of the same node moves the pending job instead of adding one; all of a
 * transaction's node jobs go in one `add_jobs` call.
 */
import type { PipelineQueue } from "@gathering/core";
import type { DbExecutor } from "@gathering/db";
import { sql } from "drizzle-orm";
import { runPipelineNodeJob, timeOutPipelineRunJob } from "./catalog";
import { enqueue } from "./enqueue";

export function pipelineNodeJobKey(runId: string, nodeId: string): string {
  return `run:${runId}:${nodeId}`;
}

export const pipelineQueue: PipelineQueue = {
  nodeJob: { identifier: runPipelineNodeJob.id, maxAttempts: runPipelineNodeJob.maxAttempts, keyPrefix: (runId) => `run:${runId}:` },
  async enqueueNodes(tx: DbExecutor, jobs) {
    if (jobs.length === 0) return;
    const specs = jobs.map((job) => {
      const payload = runPipelineNodeJob.payload.parse({ runId: job.runId, nodeId: job.nodeId });
      return {
        identifier: runPipelineNodeJob.id,
        payload,
        run_at: job.runAt?.toISOString() ?? null,
        max_attempts: runPipelineNodeJob.maxAttempts,
        job_key: pipelineNodeJobKey(job.runId, job.nodeId),
      };
    });
    await tx.execute(sql`
      select 1 from graphile_worker.add_jobs(
        array(select json_populate_recordset(null::graphile_worker.job_spec, ${JSON.stringify(specs)}::json)),
        false
      )`);
  },
  async removeNodeJobs(tx: DbExecutor, job) {
    if (job.nodeIds.length === 0) return;
    const keys = job.nodeIds.map((nodeId) => pipelineNodeJobKey(job.runId, nodeId));
    // remove_job leaves a locked (running) job alone; it finds the run ended when it finishes.
    await tx.execute(sql`select graphile_worker.remove_job(key) from json_array_elements_text(${JSON.stringify(keys)}::json) as key`);
  },
  async enqueueRunTimeout(tx: DbExecutor, job) {
    await enqueue(tx, timeOutPipelineRunJob, { runId: job.runId }, { jobKey: `run-timeout:${job.runId}`, runAt: job.at });
  },
};
