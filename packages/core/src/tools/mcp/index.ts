/** MCP both ways: connecting a project's MCP servers (their tools join its registry) and what /api/mcp offers. */
export * from "./connections";
export * from "./gathering-tools";
export * from "./mcp-servers";
export * from "./mcp-tools";
export * from "./project-tools";
export * from "./schema-check";
