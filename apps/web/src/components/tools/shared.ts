/** What the tool components share: the tool and approval types as the API returns them, and how categories and limits read. */
import type { RouterOutputs } from "@gathering/api";
import { formatNumber } from "../format";

export type Tool = RouterOutputs["tools"]["list"][number];
export type Approval = RouterOutputs["tools"]["approvals"][number];
export type Agent = RouterOutputs["agents"]["list"]["items"][number];

export const categoryLabels: Record<Tool["category"], string> = {
  memory: "Memory",
  web: "Web",
  files: "Files",
  data: "Data",
  text: "Text",
  time: "Time",
  math: "Math",
  agents: "Agents",
  flow: "Flow",
  mcp: "MCP servers",
};

/** Tools that act as one of the project's agents (its memory, its colleagues): the playground asks which. */
export function actsAsAgent(tool: Pick<Tool, "category">): boolean {
  return tool.category === "memory" || tool.category === "agents";
}

export function formatDuration(milliseconds: number): string {
  return milliseconds < 1000 ? `${milliseconds} ms` : `${formatNumber(milliseconds / 1000, { maximumFractionDigits: 1 })} s`;
}
