/** @gathering/server: the HTTP edge shared by the Next.js app and the CLI's server. */
export * from "./env";
export * from "./mcp-http";
export * from "./metrics";
export * from "./origin";
export * from "./rate-limiter";
export * from "./services";
export * from "./trpc-handler";
export * from "./workspace-http";
