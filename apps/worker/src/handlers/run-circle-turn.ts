/**
 * Runs one turn of a circle run or conversation (circles.run, conversations.start, resume). The
 * speaking member's text streams as `agent.token` (stream `circle-run:{runId}`) through one ephemeral
 * publisher per process and database; its timer is unref'd and a lost delta costs a flicker, not a fact.
 */
import {
  type CircleEngine,
  createEphemeralPublisher,
  type EphemeralPublisher,
  executeCircleTurn,
  type Keyring,
  type ModelGateway,
  type ToolServices,
} from "@gathering/core";
import type { Database } from "@gathering/db";
import { circleQueue, type JobPayload, type runCircleTurnJob } from "@gathering/jobs";
import type { JobContext } from "../job-handler";

const publishers = new WeakMap<Database, EphemeralPublisher>();
function tokenPublisher(db: Database): CircleEngine["publishToken"] {
  let publisher = publishers.get(db);
  if (!publisher) {
    publisher = createEphemeralPublisher(db);
    publishers.set(db, publisher);
  }
  const chosen = publisher;
  return (projectId, delta) => chosen.publish(projectId, "agent.token", delta);
}

export function runCircleTurn(dependencies: { keyring: Keyring; gateway: ModelGateway; toolServices: ToolServices }) {
  return async (payload: JobPayload<typeof runCircleTurnJob>, context: JobContext): Promise<void> => {
    const outcome = await executeCircleTurn(
      {
        db: context.db,
        keyring: dependencies.keyring,
        gateway: dependencies.gateway,
        logger: context.logger,
        toolServices: dependencies.toolServices,
        queue: circleQueue,
        publishToken: tokenPublisher(context.db),
      },
      { runId: payload.runId, turn: payload.turn, attempt: context.attempt, maxAttempts: context.maxAttempts, signal: context.signal },
    );
    context.logger.info({ runId: payload.runId, turn: payload.turn, outcome }, "circle turn finished");
  };
}
