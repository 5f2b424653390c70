/** The circle engine's queue on Graphile Worker: one job per turn, keyed `circle:{runId}:turn:{turn}`. */
import type { CircleQueue } from "@gathering/core";
import type { DbExecutor } from "@gathering/db";
import { runCircleTurnJob } from "./catalog";
import { enqueue } from "./enqueue";

export function circleTurnJobKey(runId: string, turn: number): string {
  return `circle:${runId}:turn:${turn}`;
}

export const circleQueue: CircleQueue = {
  async enqueueTurn(tx: DbExecutor, job) {
    await enqueue(tx, runCircleTurnJob, job, { jobKey: circleTurnJobKey(job.runId, job.turn), jobKeyMode: "preserve_run_at" });
  },
};
