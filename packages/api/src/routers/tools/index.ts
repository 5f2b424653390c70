/**
 * tools.*: the tool registry as users see it. `list` gives each tool with its input's JSON Schema (what
 * the model sees); `test` runs one tool by hand with arguments (the dashboard's playground), through the
 * same validation, timeout and output cap as a model's call.
 */
import {
  AppError,
  builtinTools,
  decideApproval,
  executeToolCall,
  getAgent,
  listApprovals,
  loadProjectTools,
  toolCategories,
  toolSpec,
  ZDecideApprovalInput,
} from "@gathering/core";
import type { Database } from "@gathering/db";
import { z } from "zod";
import type { ApiServices } from "../../context";
import { createTRPCRouter, projectProcedure } from "../../trpc";

/** The project's registry: the process's tools (built-ins unless a test replaced them) plus its MCP servers' tools. */
function projectTools(ctx: { db: Database; services: ApiServices; project: { id: string } }) {
  return loadProjectTools(ctx.db, ctx.services.toolServices ?? {}, ctx.project.id, ctx.services.tools ?? builtinTools);
}

export const toolsRouter = createTRPCRouter({
  /** Tool calls waiting for (or given) a person's decision. */
  approvals: projectProcedure("viewer")
    .input(z.object({ status: z.enum(["pending", "approved", "rejected", "used"]).optional(), sessionId: z.uuid().optional() }).default({}))
    .query(({ ctx, input }) => listApprovals(ctx.db, { ...input, projectId: ctx.project.id })),

  /** Approves or rejects one waiting call, once; a task waiting on it goes back to the queue. */
  approve: projectProcedure("member")
    .input(ZDecideApprovalInput)
    .mutation(({ ctx, input }) => decideApproval(ctx.db, ctx.actor, { ...input, projectId: ctx.project.id }, ctx.services.scheduleTask)),

  list: projectProcedure("viewer").query(async ({ ctx }) => {
    const tools = await projectTools(ctx);
    return [...tools.values()]
      .map((tool) => ({
        ...toolSpec(tool),
        category: tool.category,
        sideEffect: tool.sideEffect,
        requiresApproval: tool.requiresApproval,
        timeoutMs: tool.timeoutMs,
        maxOutputChars: tool.maxOutputChars,
      }))
      .sort((a, b) => toolCategories.indexOf(a.category) - toolCategories.indexOf(b.category) || a.name.localeCompare(b.name));
  }),

  test: projectProcedure("member")
    .input(
      z.object({
        name: z.string().min(1).max(100),
        arguments: z.record(z.string(), z.unknown()).default({}),
        /** The agent the call acts as (memory tools remember for that agent); required by memory and agent tools. */
        agentId: z.uuid().optional(),
      }),
    )
    .mutation(async ({ ctx, input, signal }) => {
      const tools = await projectTools(ctx);
      const tool = tools.get(input.name);
      if (!tool) throw new AppError("NOT_FOUND", `There is no tool named "${input.name}"`);
      if ((tool.category === "memory" || tool.category === "agents") && !input.agentId) {
        throw new AppError("VALIDATION_FAILED", `${tool.name} acts as an agent: choose one`, { field: "agentId" });
      }
      if (input.agentId) await getAgent(ctx.db, { projectId: ctx.project.id, agentId: input.agentId });
      const startedAt = performance.now();
      const outcome = await executeToolCall(
        tools,
        { id: `playground_${ctx.requestId}`, name: input.name, arguments: input.arguments },
        {
          db: ctx.db,
          projectId: ctx.project.id,
          agentId: input.agentId ?? "",
          userId: ctx.actor.userId,
          sessionId: `playground:${ctx.requestId}`,
          idempotencyKey: `playground:${ctx.requestId}`,
          signal: signal ?? new AbortController().signal,
          logger: ctx.logger,
          services: { ...(ctx.services.toolServices ?? {}) },
        },
      );
      return { ...outcome, durationMs: Math.round(performance.now() - startedAt) };
    }),
});
