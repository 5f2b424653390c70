/** @gathering/db: schema, client and query functions. Migration and embedded server are subpath exports. */
export * from "./client";
export * from "./migration-status";
export * from "./queries/agents";
export * from "./queries/api-tokens";
export * from "./queries/approvals";
export * from "./queries/audit";
export * from "./queries/chat";
export * from "./queries/circles";
export * from "./queries/events";
export * from "./queries/mcp-servers";
export * from "./queries/pipelines";
export * from "./queries/projects";
export * from "./queries/settings";
export * from "./queries/system";
export * from "./queries/tasks";
export * from "./queries/usage";
export * from "./queries/users";
export * as schema from "./schema";
