/** Runs an agent task (tasks.submit, pipelines' agent nodes, schedules' run_task) on the worker. */
import { executeTask, type Keyring, type ModelGateway, type ToolServices } from "@gathering/core";
import type { JobPayload, runAgentTaskJob } from "@gathering/jobs";
import type { JobContext } from "../job-handler";

export function runAgentTask(dependencies: { keyring: Keyring; gateway: ModelGateway; toolServices: ToolServices }) {
  return async (payload: JobPayload<typeof runAgentTaskJob>, context: JobContext): Promise<void> => {
    const status = await executeTask(
      {
        db: context.db,
        keyring: dependencies.keyring,
        gateway: dependencies.gateway,
        logger: context.logger,
        toolServices: dependencies.toolServices,
      },
      { taskId: payload.taskId, attempt: context.attempt, maxAttempts: context.maxAttempts, signal: context.signal },
    );
    context.logger.info({ taskId: payload.taskId, status }, "agent task finished");
  };
}
