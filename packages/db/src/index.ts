/** @gathering/db: schema, client and query functions. Migration and embedded server are subpath exports. */
export * from "./client";
export * from "./migration-status";
export * from "./queries/system";
export * as schema from "./schema";
