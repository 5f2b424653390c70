/**
 * An MCP server's tools as registry tools: `<server>__<tool>`, validated by their checked JSON Schema,
 * called through the process's connection manager, so the registry's one execution path (validation,
 * timeout, abort, output cap, allowlists, approvals) applies to them exactly as to built-ins.
 */
import type { McpServerRow } from "@gathering/db";
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import { AppError } from "../../errors";
import type { ToolDefinition } from "../registry";
import type { McpConnectionManager } from "./connections";
import { checkToolInputSchema } from "./schema-check";

/** A tool as the server last listed it, with why it is not offered (null when it is). */
export interface McpListedTool {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
  isReadOnly: boolean;
  problem: string | null;
}

export const mcpToolSeparator = "__";
/** What every model provider accepts as a tool name. */
const modelToolName = /^[A-Za-z0-9_-]{1,64}$/;
const maxToolsPerServer = 200;
export const mcpToolTimeoutMs = 60_000;

export function mcpToolName(serverName: string, toolName: string): string {
  return `${serverName}${mcpToolSeparator}${toolName}`;
}

/** Judges what a server listed: each tool is offered, or kept with the reason it is not. */
export function judgeListedTools(serverName: string, tools: readonly Tool[]): McpListedTool[] {
  const seen = new Set<string>();
  return tools.slice(0, maxToolsPerServer).map((tool) => {
    const fullName = mcpToolName(serverName, tool.name);
    const inputSchema = (tool.inputSchema ?? {}) as Record<string, unknown>;
    let problem: string | null = null;
    if (!modelToolName.test(fullName))
      problem = `its name "${fullName.slice(0, 100)}" is not usable by models (letters, digits, _ and -, at most 64)`;
    else if (seen.has(tool.name)) problem = "the server lists two tools with this name";
    else {
      const check = checkToolInputSchema(inputSchema);
      if (!check.isUsable) problem = check.problem;
    }
    seen.add(tool.name);
    return {
      name: tool.name,
      description: (tool.description ?? "").slice(0, 2_000),
      inputSchema,
      isReadOnly: tool.annotations?.readOnlyHint === true,
      problem,
    };
  });
}

/** The stored list, read defensively (it is JSON from a previous listing). */
export function storedTools(row: Pick<McpServerRow, "tools">): McpListedTool[] {
  return Array.isArray(row.tools) ? (row.tools as McpListedTool[]).filter((tool) => typeof tool?.name === "string") : [];
}

/** Text for the model from a tool result: text parts as they are, other parts named. */
export function resultText(result: CallToolResult): string {
  const parts = (result.content ?? []).map((item) => {
    if (item.type === "text") return item.text;
    if (item.type === "resource") return "text" in item.resource ? item.resource.text : `[resource ${item.resource.uri}]`;
    if (item.type === "resource_link") return `[resource ${item.uri}]`;
    return `[${item.type}${"mimeType" in item && item.mimeType ? ` ${item.mimeType}` : ""}]`;
  });
  if (parts.length === 0 && result.structuredContent) return JSON.stringify(result.structuredContent);
  return parts.join("\n");
}

/** The registry tools of one enabled server, from its stored list; tools with a problem are skipped. */
export function toolsOfServer(row: McpServerRow, mcp: McpConnectionManager): ToolDefinition[] {
  const tools: ToolDefinition[] = [];
  for (const listed of storedTools(row)) {
    if (listed.problem) continue;
    // Checked again (cached): the stored list may predate a stricter check.
    const check = checkToolInputSchema(listed.inputSchema);
    if (!check.isUsable) continue;
    const name = mcpToolName(row.name, listed.name);
    tools.push({
      name,
      description: listed.description || `The ${listed.name} tool of the MCP server ${row.name}.`,
      input: { kind: "json-schema", schema: listed.inputSchema, check: check.check },
      timeoutMs: mcpToolTimeoutMs,
      maxOutputChars: 20_000,
      sideEffect: !listed.isReadOnly,
      requiresApproval: false,
      category: "mcp",
      async execute(input, context) {
        const result = await mcp.callTool(row, {
          name: listed.name,
          arguments: (input ?? {}) as Record<string, unknown>,
          signal: context.signal,
          timeoutMs: mcpToolTimeoutMs,
        });
        const text = resultText(result);
        if (result.isError) throw new AppError("BAD_REQUEST", text || "the MCP server reported an error");
        return text;
      },
    });
  }
  return tools;
}
