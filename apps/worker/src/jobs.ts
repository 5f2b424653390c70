/** The handlers this worker runs, one per job in the catalog. */
import type { Keyring, ModelGateway, ToolServices } from "@gathering/core";
import { jobCatalog } from "@gathering/jobs";
import { pingEvents } from "./handlers/ping-events";
import { pruneEvents } from "./handlers/prune-events";
import { pruneWorkerHeartbeats } from "./handlers/prune-worker-heartbeats";
import { runAgentTask } from "./handlers/run-agent-task";
import { registerJob } from "./job-handler";

export const registeredJobs = [
  registerJob(jobCatalog.pruneWorkerHeartbeats, pruneWorkerHeartbeats),
  registerJob(jobCatalog.pruneEvents, pruneEvents),
  registerJob(jobCatalog.pingEvents, pingEvents),
];

/** Jobs that call models: they need the keyring (provider keys) and this process's model gateway. */
export function agentJobs(dependencies: { keyring: Keyring; gateway: ModelGateway; toolServices: ToolServices }) {
  return [registerJob(jobCatalog.runAgentTask, runAgentTask(dependencies))];
}
