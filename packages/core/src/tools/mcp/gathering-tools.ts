/**
 * What GatheRing offers as an MCP server (`/api/mcp`): the tools an MCP client sees, each acting in the
 * calling API token's project as the token's user, never above the token's role. This array is the one
 * registration point: a new tool (run_pipeline, pipeline_status, ...) is one more entry here.
 */
import { findLiveAgentByName, type ProjectRoleName } from "@gathering/db";
import { z } from "zod";
import { listAgents } from "../../agents/agents";
import { sendChatMessage } from "../../agents/chat";
import type { AgentRuntime } from "../../agents/runtime";
import { AppError } from "../../errors";
import { listPipelines } from "../../pipelines/pipelines";
import type { Actor } from "../../projects/projects";
import { describePipelineRun, runPipelineAndWait, ZRunPipelineToolInput } from "../pipeline-tools";

export interface GatheringMcpToolContext {
  /** The agent runtime of this request (database, keyring, model gateway, tool services). */
  runtime: AgentRuntime;
  actor: Actor;
  projectId: string;
  signal: AbortSignal;
}

export interface GatheringMcpTool<TInput extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  description: string;
  input: TInput;
  /** The role (of the token, and of its user in the project) a call needs. */
  minRole: ProjectRoleName;
  isReadOnly: boolean;
  /** A string is sent as text; anything else as JSON text and as structured content. */
  execute(input: z.infer<TInput>, context: GatheringMcpToolContext): Promise<unknown>;
}

/** Keeps each entry's input and execute typed against each other. */
export function defineGatheringMcpTool<TInput extends z.ZodObject>(tool: GatheringMcpTool<TInput>): GatheringMcpTool {
  return tool as unknown as GatheringMcpTool;
}

const listAgentsTool = defineGatheringMcpTool({
  name: "list_agents",
  title: "List agents",
  description: "Lists the agents of this GatheRing project (name, role, goal, model), to pick one for ask_agent.",
  input: z.object({
    search: z.string().trim().max(100).optional().describe("Only agents whose name or role contains this"),
  }),
  minRole: "viewer",
  isReadOnly: true,
  async execute(input, context) {
    const page = await listAgents(context.runtime.db, {
      projectId: context.projectId,
      limit: 100,
      ...(input.search ? { search: input.search } : {}),
    });
    return {
      agents: page.items.map((agent) => ({
        id: agent.id,
        name: agent.name,
        role: agent.role,
        goal: agent.goal,
        model: `${agent.model.provider}/${agent.model.model}`,
      })),
    };
  },
});

const askAgentTool = defineGatheringMcpTool({
  name: "ask_agent",
  title: "Ask an agent",
  description:
    "Asks one agent of this GatheRing project a question and returns its answer. The agent may use its tools; the question starts a new chat owned by the token's user. Give all the context it needs.",
  input: z.object({
    agent: z.string().trim().min(1).max(100).describe("The agent's name (see list_agents)"),
    question: z.string().trim().min(1).max(20_000).describe("The question or task, self-contained"),
  }),
  minRole: "member",
  isReadOnly: false,
  async execute(input, context) {
    const agent = await findLiveAgentByName(context.runtime.db, { projectId: context.projectId, name: input.agent });
    if (!agent) throw new AppError("NOT_FOUND", `There is no agent named "${input.agent}" in this project`);
    const outcome = await sendChatMessage(context.runtime, context.actor, {
      projectId: context.projectId,
      agentId: agent.id,
      content: input.question,
      signal: context.signal,
    });
    const answer = outcome.messages.findLast((message) => message.role === "assistant")?.content ?? "";
    if (outcome.stop === "approval_required") {
      return {
        agent: agent.name,
        sessionId: outcome.sessionId,
        status: "waiting_for_approval",
        answer: `The agent is waiting for a person to approve a tool call (${outcome.pendingApprovals.map((approval) => approval.toolName).join(", ")}); approve it in the dashboard and resume the chat.`,
      };
    }
    return { agent: agent.name, sessionId: outcome.sessionId, status: outcome.stop === "end" ? "answered" : "step_limit", answer };
  },
});

const listPipelinesTool = defineGatheringMcpTool({
  name: "list_pipelines",
  title: "List pipelines",
  description: "Lists the pipelines of this GatheRing project (id, name, description, current version), to pick one for run_pipeline.",
  input: z.object({ search: z.string().trim().max(100).optional().describe("Only pipelines whose name or description contains this") }),
  minRole: "viewer",
  isReadOnly: true,
  async execute(input, context) {
    const page = await listPipelines(context.runtime.db, {
      projectId: context.projectId,
      limit: 100,
      ...(input.search ? { search: input.search } : {}),
    });
    return {
      pipelines: page.items.map((pipeline) => ({
        id: pipeline.id,
        name: pipeline.name,
        description: pipeline.description,
        version: pipeline.currentVersion,
      })),
    };
  },
});

const runPipelineMcpTool = defineGatheringMcpTool({
  name: "run_pipeline",
  title: "Run a pipeline",
  description:
    "Starts a pipeline of this GatheRing project with inputs and waits up to waitSeconds (default 0: answer at once) for it to end. Answers with the run id, status, output or error; follow a running run with pipeline_status. Give an idempotencyKey to make a retried call start no second run.",
  input: ZRunPipelineToolInput.extend({
    waitSeconds: ZRunPipelineToolInput.shape.waitSeconds.unwrap().default(0),
    idempotencyKey: z.string().min(1).max(200).optional().describe("The same key starts one run, however often the call is repeated"),
  }),
  minRole: "member",
  isReadOnly: false,
  async execute(input, context) {
    return runPipelineAndWait(context.runtime.db, context.runtime.toolServices?.pipelineQueue, {
      projectId: context.projectId,
      userId: context.actor.userId,
      pipeline: input.pipeline,
      inputs: input.inputs,
      waitSeconds: input.waitSeconds,
      origin: { kind: "mcp", ...(input.idempotencyKey ? { idempotencyKey: `${context.actor.userId}:${input.idempotencyKey}` } : {}) },
      signal: context.signal,
    });
  },
});

const pipelineStatusTool = defineGatheringMcpTool({
  name: "pipeline_status",
  title: "Pipeline run status",
  description:
    "The status of a pipeline run of this project: running, succeeded, failed or cancelled, with its output or error and each node's status.",
  input: z.object({ runId: z.uuid().describe("The run id run_pipeline answered with") }),
  minRole: "viewer",
  isReadOnly: true,
  async execute(input, context) {
    return describePipelineRun(context.runtime.db, { projectId: context.projectId, runId: input.runId });
  },
});

/** Every tool /api/mcp offers, in the order clients list them. */
export const gatheringMcpTools: readonly GatheringMcpTool[] = [
  listAgentsTool,
  askAgentTool,
  listPipelinesTool,
  runPipelineMcpTool,
  pipelineStatusTool,
];
