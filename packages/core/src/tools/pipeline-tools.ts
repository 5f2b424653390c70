/**
 * Starting pipelines from an agent (run_pipeline), and the shared pieces the MCP server uses for its
 * run_pipeline and pipeline_status tools: find a pipeline by name or id, start it once per
 * idempotency key, and wait for its end within a bound.
 */

import type { Database } from "@gathering/db";
import { findLivePipelineByName, findPipeline } from "@gathering/db";
import { z } from "zod";
import { AppError } from "../errors";
import { getPipelineRun, type PipelineQueue, type RunOrigin, startPipelineRun } from "../pipelines/runs";
import { defineTool } from "./registry";

export const maxPipelineWaitSeconds = 290;

export const ZRunPipelineToolInput = z.object({
  pipeline: z.string().trim().min(1).max(100).describe("The pipeline's name (or id)"),
  inputs: z.record(z.string(), z.unknown()).default({}).describe("The run's inputs, as the pipeline declares them"),
  waitSeconds: z
    .number()
    .min(0)
    .max(maxPipelineWaitSeconds)
    .default(60)
    .describe(`How long to wait for the run to end before answering with its current status (0 to ${maxPipelineWaitSeconds})`),
});

async function findPipelineByNameOrId(db: Database, projectId: string, reference: string) {
  const byId = z.uuid().safeParse(reference).success ? await findPipeline(db, { projectId, pipelineId: reference }) : undefined;
  const pipeline = byId ?? (await findLivePipelineByName(db, { projectId, name: reference }));
  if (!pipeline) throw new AppError("NOT_FOUND", `There is no pipeline named "${reference}" in this project`);
  return pipeline;
}

/** A run's state in a few fields, for a model or an MCP client. */
export async function describePipelineRun(db: Database, input: { projectId: string; runId: string }) {
  const run = await getPipelineRun(db, input);
  return {
    runId: run.id,
    status: run.status,
    output: run.output,
    error: run.error,
    nodes: run.nodes.map((node) => ({ id: node.nodeId, status: node.status, attempts: node.attempts, error: node.error })),
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
  };
}

/** Starts a pipeline (once per idempotency key) and waits up to `waitSeconds` for its end. */
export async function runPipelineAndWait(
  db: Database,
  queue: PipelineQueue | undefined,
  input: {
    projectId: string;
    userId: string | null;
    pipeline: string;
    inputs: Record<string, unknown>;
    waitSeconds: number;
    origin: Omit<RunOrigin, "depth"> & { depth?: number };
    signal: AbortSignal;
  },
) {
  if (!queue) throw new AppError("UNAVAILABLE", "Pipelines cannot be started from this process");
  const pipeline = await findPipelineByNameOrId(db, input.projectId, input.pipeline);
  const run = await startPipelineRun(db, queue, input.userId ? { userId: input.userId } : null, {
    projectId: input.projectId,
    pipelineId: pipeline.id,
    inputs: input.inputs,
    origin: { depth: 0, ...input.origin },
  });
  const deadline = Date.now() + input.waitSeconds * 1000;
  for (;;) {
    const state = await describePipelineRun(db, { projectId: input.projectId, runId: run.id });
    if (state.status !== "running" || Date.now() >= deadline || input.signal.aborted) return { pipeline: pipeline.name, ...state };
    await new Promise((resolve) => setTimeout(resolve, Math.min(250, Math.max(0, deadline - Date.now()))));
  }
}

export const runPipelineTool = defineTool({
  name: "run_pipeline",
  category: "flow",
  description:
    "Start one of this project's pipelines with inputs and wait (up to waitSeconds) for it to end; answers with the run's status, its output or error, and each node's status. A repeated call (same tool call) starts no second run.",
  input: ZRunPipelineToolInput,
  sideEffect: true,
  timeoutMs: (maxPipelineWaitSeconds + 10) * 1000,
  async execute(input, context) {
    return runPipelineAndWait(context.db, context.services.pipelineQueue, {
      projectId: context.projectId,
      userId: context.userId,
      pipeline: input.pipeline,
      inputs: input.inputs,
      waitSeconds: input.waitSeconds,
      origin: { kind: "agent", id: context.agentId, idempotencyKey: context.idempotencyKey },
      signal: context.signal,
    });
  },
});
