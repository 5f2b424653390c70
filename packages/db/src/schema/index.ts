/** The whole drizzle schema, one file per aggregate. */
export * from "./agents";
export * from "./api-tokens";
export * from "./approvals";
export * from "./audit";
export * from "./chat";
export * from "./circles";
export * from "./events";
export * from "./mcp";
export * from "./notifications";
export * from "./pipelines";
export * from "./projects";
export * from "./schedules";
export * from "./settings";
export * from "./system";
export * from "./tasks";
export * from "./usage";
export * from "./users";
