/** @gathering/testing: test helpers shared by every package. */
export * from "./context";
export * from "./effect-receiver";
export * from "./free-port";
export * from "./mcp";
export * from "./mock-llm";
export * from "./otlp-receiver";
export * from "./smtp-receiver";
export * from "./test-database";
