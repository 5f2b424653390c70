/** @gathering/core: the domain. Imports nothing from Next, tRPC or graphile-worker. */
export * from "./errors";
export * from "./logger";
export * from "./system/get-system-info";
export * from "./system/readiness";
export * from "./version";
