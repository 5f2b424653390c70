/** The handlers this worker runs, one per job in the catalog. */
import { jobCatalog } from "@gathering/jobs";
import { pruneEvents } from "./handlers/prune-events";
import { pruneWorkerHeartbeats } from "./handlers/prune-worker-heartbeats";
import { registerJob } from "./job-handler";

export const registeredJobs = [
  registerJob(jobCatalog.pruneWorkerHeartbeats, pruneWorkerHeartbeats),
  registerJob(jobCatalog.pruneEvents, pruneEvents),
];
