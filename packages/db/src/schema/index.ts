/** The whole drizzle schema, one file per aggregate. */
export * from "./api-tokens";
export * from "./audit";
export * from "./events";
export * from "./projects";
export * from "./settings";
export * from "./system";
export * from "./users";
