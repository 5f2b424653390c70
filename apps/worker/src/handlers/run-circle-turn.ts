/** Runs one turn of a circle run or conversation (circles.run, conversations.start, resume). */
import { type CircleEngine, executeCircleTurn, type Keyring, type ModelGateway, type ToolServices } from "@gathering/core";
import { circleQueue, type JobPayload, type runCircleTurnJob } from "@gathering/jobs";
import type { JobContext } from "../job-handler";

export function runCircleTurn(dependencies: {
  keyring: Keyring;
  gateway: ModelGateway;
  toolServices: ToolServices;
  publishToken?: CircleEngine["publishToken"];
}) {
  return async (payload: JobPayload<typeof runCircleTurnJob>, context: JobContext): Promise<void> => {
    const outcome = await executeCircleTurn(
      {
        db: context.db,
        keyring: dependencies.keyring,
        gateway: dependencies.gateway,
        logger: context.logger,
        toolServices: dependencies.toolServices,
        queue: circleQueue,
        ...(dependencies.publishToken ? { publishToken: dependencies.publishToken } : {}),
      },
      { runId: payload.runId, turn: payload.turn, attempt: context.attempt, maxAttempts: context.maxAttempts, signal: context.signal },
    );
    context.logger.info({ runId: payload.runId, turn: payload.turn, outcome }, "circle turn finished");
  };
}
