/** @gathering/core: the domain. Imports nothing from Next, tRPC or graphile-worker. */
export * from "./audit/audit";
export * from "./auth/accounts";
export * from "./auth/api-tokens";
export * from "./errors";
export * from "./events/catalog";
export * from "./events/event-hub";
export * from "./logger";
export * from "./projects/projects";
export * from "./security/encryption";
export * from "./security/passwords";
export * from "./security/rate-limiter";
export * from "./security/tokens";
export * from "./settings/provider-settings";
export * from "./system/get-system-info";
export * from "./system/readiness";
export * from "./validation";
export * from "./version";
