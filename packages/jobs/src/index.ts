/** @gathering/jobs: the job catalog and the enqueue-in-transaction helper. */

export * from "./agent-tasks";
export * from "./catalog";
export * from "./circles";
export * from "./define-job";
export * from "./enqueue";
export * from "./knowledge";
export * from "./pipelines";
export * from "./schedules";
