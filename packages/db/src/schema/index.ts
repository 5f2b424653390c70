/** The whole drizzle schema, one file per aggregate. */
export * from "./system";
