"use client";
/**
 * /tools: the calls waiting for a person's approval, a playground that runs a tool by hand, the
 * project's MCP servers and the catalog of tools (built-in and MCP). "Try it" on a catalog card loads that tool into the playground. Viewers
 * see the catalog and the waiting calls; running a tool and deciding on a call take a member.
 */
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { type AccountProject, ProjectScope } from "~/components/current-project";
import { ErrorState, LoadingState } from "~/components/feedback";
import { hasRole } from "~/components/format";
import { agentNamesInput } from "~/trpc/page-queries";
import { useTRPC } from "~/trpc/react";
import { ApprovalsQueue } from "./approvals-queue";
import { McpServersSection } from "./mcp-servers";
import type { Tool } from "./shared";
import { ToolCatalog } from "./tool-catalog";
import { skeletonText, ToolPlayground } from "./tool-playground";

const FIRST_TOOL = "calculator";

export function ToolsView() {
  return <ProjectScope>{(project) => <ProjectTools project={project} />}</ProjectScope>;
}

function ProjectTools({ project }: { project: AccountProject }) {
  const trpc = useTRPC();
  const tools = useQuery(trpc.tools.list.queryOptions({ projectId: project.id }));
  // Archived agents too: their waiting calls still need a name.
  const agents = useQuery(trpc.agents.list.queryOptions(agentNamesInput(project.id)));
  const agentList = agents.data?.items ?? [];
  const agentNames = agents.data ? new Map(agentList.map((agent) => [agent.id, agent.name])) : null;
  const canRun = hasRole(project.role, "member");
  // The playground's tool and text live here, so a catalog card can load a tool into it.
  const [playground, setPlayground] = useState<{ toolName: string; argumentsText: string } | null>(null);

  if (tools.isPending) return <LoadingState label="Loading the tools…" />;
  if (tools.isError) return <ErrorState error={tools.error} onRetry={() => tools.refetch()} />;
  const firstTool = tools.data.find((tool) => tool.name === FIRST_TOOL) ?? tools.data[0];
  const current = playground ?? { toolName: firstTool?.name ?? "", argumentsText: firstTool ? skeletonText(firstTool) : "{}" };

  function loadTool(tool: Tool) {
    setPlayground({ toolName: tool.name, argumentsText: skeletonText(tool) });
  }

  return (
    <>
      <ApprovalsQueue project={project} agentNames={agentNames} />
      {canRun ? (
        <ToolPlayground
          project={project}
          tools={tools.data}
          agents={agentList.filter((agent) => agent.archivedAt === null)}
          toolName={current.toolName}
          argumentsText={current.argumentsText}
          onToolChange={loadTool}
          onArgumentsChange={(argumentsText) => setPlayground({ ...current, argumentsText })}
        />
      ) : (
        <p className="callout callout-info section">You can read the catalog; members and above can run tools in the playground.</p>
      )}
      <McpServersSection project={project} />
      <ToolCatalog
        tools={tools.data}
        onTry={
          canRun
            ? (tool) => {
                loadTool(tool);
                document.getElementById("playground")?.scrollIntoView({ behavior: "smooth", block: "start" });
              }
            : null
        }
      />
    </>
  );
}
