/**
 * The built-in tools, by name: what `tools.list` shows, what an agent's allowlist may name, and what the
 * runtime offers the model. Names are unique; a duplicate fails at startup, not at a model's call.
 */
import { askAgentTool } from "./agent-tools";
import { fileTools } from "./builtin/file-tools";
import { pureTools } from "./builtin/pure-tools";
import { webTools } from "./builtin/web-tools";
import { knowledgeSearchTool } from "./knowledge-tools";
import { memoryTools } from "./memory-tools";
import { runPipelineTool } from "./pipeline-tools";
import type { ToolDefinition } from "./registry";

function byName(tools: readonly ToolDefinition[]): ReadonlyMap<string, ToolDefinition> {
  const map = new Map<string, ToolDefinition>();
  for (const tool of tools) {
    if (map.has(tool.name)) throw new Error(`two built-in tools are named ${tool.name}`);
    map.set(tool.name, tool);
  }
  return map;
}

export const builtinTools: ReadonlyMap<string, ToolDefinition> = byName([
  ...memoryTools,
  knowledgeSearchTool,
  askAgentTool,
  runPipelineTool,
  ...webTools,
  ...fileTools,
  ...pureTools,
]);

/** Given to every agent whose memory settings allow it, without being listed in its tools. */
export const memoryToolNames = new Set(memoryTools.map((tool) => tool.name));
