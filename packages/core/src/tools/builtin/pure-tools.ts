/** The built-in tools that need neither network nor files: safe to offer every agent. */
import type { ToolDefinition } from "../registry";
import { dataTools } from "./data-tools";
import { flowTools } from "./flow-tools";
import { mathTools } from "./math-tools";
import { textTools } from "./text-tools";
import { textTransformTool } from "./text-transform";
import { timeTools } from "./time-tools";

export const pureTools: ToolDefinition[] = [...mathTools, ...timeTools, ...dataTools, ...textTools, textTransformTool, ...flowTools];
