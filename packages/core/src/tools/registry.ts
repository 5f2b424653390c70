/**
 * Tools an agent can call. A tool is a name, a description, a zod input schema (its JSON Schema goes to
 * the model), and `execute(input, ctx)`. Arguments from a model are validated before execution; invalid
 * arguments, a timeout or a thrown error go back to the model as a readable tool error, so a run never
 * crashes on a tool. Output is capped.
 */
import type { Database } from "@gathering/db";
import type { Logger } from "pino";
import { z } from "zod";
import { isAppError } from "../errors";
import type { KnowledgeHit } from "../knowledge/search";
import type { ToolCall, ToolSpec } from "../llm/types";
import type { PipelineQueue } from "../pipelines/runs";
import type { Keyring } from "../security/encryption";
import { withSpan } from "../telemetry";
import type { McpConnectionManager } from "./mcp/connections";

/** Process-level things some tools need; absent ones make those tools answer with a clear error. */
export interface ToolServices {
  /** Where project workspaces live: `<dataDir>/workspaces/<projectId>`. */
  dataDir?: string;
  /** Hosts (`host` or `host:port`) the outbound HTTP guard lets through although private (e.g. a local Ollama). */
  allowedHosts?: readonly string[];
  /** Runs another agent of the project (ask_agent); set by the agent runtime. */
  askAgent?: (input: { agentName: string; question: string; depth: number; signal: AbortSignal }) => Promise<string>;
  /** How deep ask_agent delegation already is (0 for the user's own agent). */
  delegationDepth?: number;
  /** Executables MCP servers may be started with over stdio (`*`: any); empty or absent: stdio is refused. */
  mcpStdioCommands?: readonly string[];
  /** This process's MCP connections; absent: the projects' MCP tools are not offered here. */
  mcp?: McpConnectionManager;
  /** Decrypts the project's provider keys (knowledge_search on a base embedded by OpenAI); absent: only keyless embedders. */
  keyring?: Keyring;
  /** Enqueues pipeline node jobs (run_pipeline); absent: pipelines cannot be started from here. */
  pipelineQueue?: PipelineQueue;
}

export interface ToolContext {
  db: Database;
  projectId: string;
  agentId: string;
  /** The user the agent works for (chat), or who submitted the task. */
  userId: string | null;
  /** The chat session or task transcript the call belongs to. */
  sessionId: string;
  /** Stable across retries of the same call: `{sessionId}:{toolCallId}`. */
  idempotencyKey: string;
  signal: AbortSignal;
  logger: Logger;
  services: ToolServices;
  /**
   * Makes a knowledge passage citable in the answer this call belongs to and returns its number, the
   * one the model writes as [n]; the same chunk keeps its number. Absent outside an agent's turn (the
   * playground): passages then carry no number.
   */
  cite?: (hit: KnowledgeHit) => number;
}

export const toolCategories = ["memory", "web", "files", "data", "text", "time", "math", "agents", "flow", "mcp"] as const;
export type ToolCategory = (typeof toolCategories)[number];

/**
 * The input of a tool registered at runtime (an MCP server's): a JSON Schema that was checked before the
 * tool was offered (Ajv strict, no `$data`) and its compiled validator, in place of a zod schema.
 */
export interface JsonSchemaToolInput {
  kind: "json-schema";
  /** Sent to the model as is. */
  schema: Record<string, unknown>;
  /** Readable issues ("path: message; ..."), or null when the value is valid. */
  check: (value: unknown) => string | null;
}

export interface ToolDefinition<TInput = unknown> {
  name: string;
  description: string;
  input: z.ZodType<TInput> | JsonSchemaToolInput;
  execute(input: TInput, context: ToolContext): Promise<unknown>;
  timeoutMs: number;
  maxOutputChars: number;
  /** Changes something outside the run (files, memory, HTTP writes): retried runs pass the same idempotency key. */
  sideEffect: boolean;
  /** A person must approve each call (bound to the exact arguments) before it runs. */
  requiresApproval: boolean;
  category: ToolCategory;
}

export function defineTool<TSchema extends z.ZodType>(
  tool: Omit<ToolDefinition<z.infer<TSchema>>, "input" | "timeoutMs" | "maxOutputChars" | "sideEffect" | "requiresApproval"> & {
    input: TSchema;
    timeoutMs?: number;
    maxOutputChars?: number;
    sideEffect?: boolean;
    requiresApproval?: boolean;
  },
): ToolDefinition {
  return {
    timeoutMs: 30_000,
    maxOutputChars: 20_000,
    sideEffect: false,
    requiresApproval: false,
    ...tool,
  } as ToolDefinition;
}

function isJsonSchemaInput(input: ToolDefinition["input"]): input is JsonSchemaToolInput {
  return (input as Partial<JsonSchemaToolInput>).kind === "json-schema";
}

export function toolSpec(tool: ToolDefinition): ToolSpec {
  if (isJsonSchemaInput(tool.input)) {
    const { $schema: _dialect, ...schema } = tool.input.schema;
    return { name: tool.name, description: tool.description, inputSchema: schema };
  }
  const schema = z.toJSONSchema(tool.input, { target: "draft-7", io: "input" }) as Record<string, unknown>;
  delete schema.$schema;
  return { name: tool.name, description: tool.description, inputSchema: schema };
}

export interface ToolOutcome {
  content: string;
  isError: boolean;
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.length ? issue.path.join(".") : "input"}: ${issue.message}`).join("; ");
}

/** Validates a call's arguments with the tool's zod schema or its compiled JSON Schema. */
export function validateToolArguments(
  tool: ToolDefinition,
  args: unknown,
): { success: true; data: unknown } | { success: false; issues: string } {
  if (isJsonSchemaInput(tool.input)) {
    const issues = tool.input.check(args);
    return issues === null ? { success: true, data: args } : { success: false, issues };
  }
  const parsed = tool.input.safeParse(args);
  return parsed.success ? { success: true, data: parsed.data } : { success: false, issues: describeIssues(parsed.error) };
}

/** Runs one tool call and never throws, except when the caller's signal aborted. */
export async function executeToolCall(
  tools: ReadonlyMap<string, ToolDefinition>,
  call: ToolCall,
  context: ToolContext,
): Promise<ToolOutcome> {
  const tool = tools.get(call.name);
  if (!tool) {
    return { content: `Unknown tool "${call.name}". Available tools: ${[...tools.keys()].join(", ") || "none"}.`, isError: true };
  }
  if (call.argumentsError) return { content: `Invalid arguments for ${call.name}: ${call.argumentsError}`, isError: true };
  const parsed = validateToolArguments(tool, call.arguments);
  if (!parsed.success) return { content: `Invalid arguments for ${call.name}: ${parsed.issues}`, isError: true };
  const signal = AbortSignal.any([context.signal, AbortSignal.timeout(tool.timeoutMs)]);
  try {
    const output = await withSpan(
      `tool ${tool.name}`,
      { "gathering.tool.name": tool.name, "gathering.tool.side_effect": tool.sideEffect, "gathering.agent.id": context.agentId },
      () => tool.execute(parsed.data, { ...context, signal }),
    );
    const text = typeof output === "string" ? output : JSON.stringify(output ?? null);
    return {
      content:
        text.length > tool.maxOutputChars
          ? `${text.slice(0, tool.maxOutputChars)}\n[output truncated at ${tool.maxOutputChars} characters]`
          : text,
      isError: false,
    };
  } catch (error) {
    if (context.signal.aborted) throw error;
    if (signal.aborted) return { content: `${call.name} timed out after ${tool.timeoutMs} ms`, isError: true };
    if (error instanceof z.ZodError) return { content: `${call.name} failed: ${describeIssues(error)}`, isError: true };
    const message = isAppError(error) ? error.message : error instanceof Error ? error.message : String(error);
    context.logger.warn({ err: error, tool: call.name }, "tool failed");
    return { content: `${call.name} failed: ${message.slice(0, 1000)}`, isError: true };
  }
}
