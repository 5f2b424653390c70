/** Test helper: runs a built-in tool through `executeToolCall` the way the agent runtime does. */
import { createLogger } from "../../logger";
import { executeToolCall, type ToolContext, type ToolDefinition, type ToolOutcome } from "../registry";

export function createTestToolContext(signal: AbortSignal = new AbortController().signal): ToolContext {
  return {
    db: undefined as never,
    projectId: "project-test",
    agentId: "agent-test",
    userId: null,
    sessionId: "session-test",
    idempotencyKey: "session-test:call-test",
    signal,
    logger: createLogger({ level: "silent" }),
    services: {},
  };
}

export function callTool(tool: ToolDefinition, args: Record<string, unknown>, signal?: AbortSignal): Promise<ToolOutcome> {
  return executeToolCall(
    new Map([[tool.name, tool]]),
    { id: "call-test", name: tool.name, arguments: args },
    createTestToolContext(signal),
  );
}

/** Calls a tool that must succeed and returns its parsed JSON output. */
export async function callToolForResult<T = Record<string, unknown>>(tool: ToolDefinition, args: Record<string, unknown>): Promise<T> {
  const outcome = await callTool(tool, args);
  if (outcome.isError) throw new Error(`expected ${tool.name} to succeed, got: ${outcome.content}`);
  return JSON.parse(outcome.content) as T;
}
