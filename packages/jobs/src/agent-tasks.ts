/** Enqueues an agent task's job in the caller's transaction; the job key makes a second enqueue a no-op. */
import type { DbExecutor } from "@gathering/db";
import { runAgentTaskJob } from "./catalog";
import { enqueue } from "./enqueue";

export async function scheduleAgentTask(tx: DbExecutor, taskId: string): Promise<void> {
  await enqueue(tx, runAgentTaskJob, { taskId }, { jobKey: `task:${taskId}`, jobKeyMode: "preserve_run_at" });
}
