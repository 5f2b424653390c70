/** @gathering/worker: the worker process (Graphile Worker runner + heartbeat). */
export * from "./job-handler";
export * from "./jobs";
export * from "./run-worker";
