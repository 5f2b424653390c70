/** The handlers this worker runs, one per job in the catalog. */
import type { CancellationWatch, Keyring, Logger, Mailer, ModelGateway, ToolServices } from "@gathering/core";
import type { Database } from "@gathering/db";
import { jobCatalog, pipelineQueue } from "@gathering/jobs";
import { ingestKnowledgeDocumentHandler } from "./handlers/ingest-knowledge-document";
import { pingEvents } from "./handlers/ping-events";
import { pruneEvents } from "./handlers/prune-events";
import { pruneWorkerHeartbeats } from "./handlers/prune-worker-heartbeats";
import { runAgentTask } from "./handlers/run-agent-task";
import { runCircleTurn } from "./handlers/run-circle-turn";
import { runPipelineNode, timeOutRun } from "./handlers/run-pipeline-node";
import { runScheduleFire } from "./handlers/run-schedule-fire";
import { scheduleTick } from "./handlers/schedule-tick";
import { registerJob } from "./job-handler";

export const registeredJobs = [
  registerJob(jobCatalog.pruneWorkerHeartbeats, pruneWorkerHeartbeats),
  registerJob(jobCatalog.pruneEvents, pruneEvents),
  registerJob(jobCatalog.pingEvents, pingEvents),
];

/** Jobs that call models: they need the keyring (provider keys) and this process's model gateway. */
export function agentJobs(dependencies: { keyring: Keyring; gateway: ModelGateway; toolServices: ToolServices }) {
  return [
    registerJob(jobCatalog.runAgentTask, runAgentTask(dependencies)),
    registerJob(jobCatalog.runCircleTurn, runCircleTurn(dependencies)),
  ];
}

/** Pipeline jobs; agent nodes run only where model access (the keyring) is given. */
export function pipelineJobs(dependencies: {
  keyring?: Keyring;
  gateway: ModelGateway;
  toolServices: ToolServices;
  cancellations?: CancellationWatch;
  logger: Logger;
  db: Database;
}) {
  const agents = dependencies.keyring
    ? {
        db: dependencies.db,
        keyring: dependencies.keyring,
        gateway: dependencies.gateway,
        logger: dependencies.logger,
        toolServices: dependencies.toolServices,
      }
    : undefined;
  return [
    registerJob(
      jobCatalog.runPipelineNode,
      runPipelineNode({
        queue: pipelineQueue,
        toolServices: dependencies.toolServices,
        ...(agents ? { agents } : {}),
        ...(dependencies.cancellations ? { cancellations: dependencies.cancellations } : {}),
      }),
    ),
    registerJob(jobCatalog.timeOutPipelineRun, timeOutRun({ queue: pipelineQueue })),
  ];
}

/** Schedule jobs: the tick and the fires' actions (webhook secrets need the keyring; email needs SMTP). */
export function scheduleJobs(dependencies: { keyring?: Keyring; allowedHosts?: readonly string[]; mailer?: Mailer; graceMs: number }) {
  return [
    registerJob(jobCatalog.scheduleTick, scheduleTick({ graceMs: dependencies.graceMs })),
    registerJob(
      jobCatalog.runScheduleFire,
      runScheduleFire({
        ...(dependencies.keyring ? { keyring: dependencies.keyring } : {}),
        ...(dependencies.allowedHosts ? { allowedHosts: dependencies.allowedHosts } : {}),
        ...(dependencies.mailer ? { mailer: dependencies.mailer } : {}),
      }),
    ),
  ];
}

/** Knowledge ingestion; OpenAI embeddings need the keyring (the offline embedder and Ollama do not). */
export function knowledgeJobs(dependencies: { keyring?: Keyring }) {
  return [registerJob(jobCatalog.ingestKnowledgeDocument, ingestKnowledgeDocumentHandler(dependencies))];
}
