/** Protocol-faithful local mock servers for the LLM vendors (the only fakes the project allows). */
export { mockEmbedding } from "./conversation";
export { startMockLlmServer } from "./server";
export type {
  MockLlmServer,
  MockLlmServerOptions,
  MockScriptedStep,
  MockStep,
  MockToolCall,
  MockUsage,
  MockVendor,
  RecordedRequest,
} from "./types";
