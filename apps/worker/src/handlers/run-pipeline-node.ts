/** Runs one node of a pipeline run (`pipelines:run-node`); the engine in core does the work. */
import { executePipelineNode, type PipelineRuntime, timeOutPipelineRun } from "@gathering/core";
import type { JobPayload, runPipelineNodeJob, timeOutPipelineRunJob } from "@gathering/jobs";
import type { JobContext } from "../job-handler";

export function runPipelineNode(runtime: Omit<PipelineRuntime, "db" | "logger">) {
  return async (payload: JobPayload<typeof runPipelineNodeJob>, context: JobContext): Promise<void> => {
    const logger = context.logger.child({ runId: payload.runId, nodeId: payload.nodeId });
    const status = await executePipelineNode(
      { ...runtime, db: context.db, logger },
      { runId: payload.runId, nodeId: payload.nodeId, signal: context.signal },
    );
    logger.debug({ status }, "pipeline node job done");
  };
}

export function timeOutRun(runtime: Pick<PipelineRuntime, "queue">) {
  return async (payload: JobPayload<typeof timeOutPipelineRunJob>, context: JobContext): Promise<void> => {
    const isTimedOut = await timeOutPipelineRun(context.db, runtime.queue, payload.runId);
    if (isTimedOut) context.logger.info({ runId: payload.runId }, "pipeline run timed out");
  };
}
