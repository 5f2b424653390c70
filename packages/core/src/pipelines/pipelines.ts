/**
 * Pipeline definitions: create, update (every save is a new immutable version), get, list, archive,
 * duplicate, validate, export and import. Runs keep the version they started with.
 */
import {
  type Database,
  type DbExecutor,
  findLiveAgentIds,
  findLivePipelineByName,
  findPipeline,
  findPipelineIds,
  findPipelineVersion,
  insertPipeline,
  insertPipelineVersion,
  listPipelineRows,
  listPipelineVersions,
  lockPipeline,
  type PipelineRow,
  updatePipelineRow,
} from "@gathering/db";
import { z } from "zod";
import { recordAudit } from "../audit/audit";
import { AppError } from "../errors";
import { publishEvent } from "../events/catalog";
import { decodeCursor, toPage, ZPageCursor } from "../pagination";
import type { Actor } from "../projects/projects";
import { hasControlCharacters, hasControlCharactersInText } from "../validation";
import { checkPipelineDefinition, type DefinitionProblem, type PipelineDefinition, parsePipelineDefinition } from "./definition";

export const ZPipelineName = z
  .string()
  .trim()
  .min(1, "Name the pipeline")
  .max(100, "Use at most 100 characters")
  .refine((value) => !hasControlCharacters(value), "Names cannot contain control characters");

export const ZPipelineDescription = z
  .string()
  .max(2_000, "Use at most 2,000 characters")
  .refine((value) => !hasControlCharactersInText(value), "Descriptions cannot contain control characters");

export const ZCreatePipelineInput = z.object({
  name: ZPipelineName,
  description: ZPipelineDescription.default(""),
  /** Checked as a whole by checkPipelineDefinition; every problem comes back in details.problems. */
  definition: z.unknown(),
});
export type TCreatePipelineInput = z.input<typeof ZCreatePipelineInput>;

export const ZUpdatePipelineInput = z.object({
  pipelineId: z.uuid(),
  name: ZPipelineName.optional(),
  description: ZPipelineDescription.optional(),
  definition: z.unknown().optional(),
  /** The version the editor started from; a newer one saved meanwhile is a conflict, not a silent overwrite. */
  expectedVersion: z.number().int().min(1).optional(),
});

export const ZListPipelinesInput = z.object({
  search: z.string().trim().max(100).optional(),
  includeArchived: z.boolean().default(false),
  limit: z.number().int().min(1).max(100).default(50),
  cursor: ZPageCursor.optional(),
});

/** The file format of export/import. */
export const ZPipelineExport = z.object({
  format: z.literal("gathering.pipeline"),
  formatVersion: z.literal(1),
  name: ZPipelineName,
  description: ZPipelineDescription.default(""),
  definition: z.unknown(),
});
export type PipelineExport = z.output<typeof ZPipelineExport>;

export function toPipeline(row: PipelineRow) {
  return {
    id: row.id,
    projectId: row.projectId,
    name: row.name,
    description: row.description,
    currentVersion: row.currentVersion,
    archivedAt: row.archivedAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
export type Pipeline = ReturnType<typeof toPipeline>;

function nameTaken(name: string): AppError {
  return new AppError("CONFLICT", `A pipeline named "${name}" already exists in this project`, { field: "name" });
}

function isUniqueViolation(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string } })?.cause ?? error;
  return (cause as { code?: string })?.code === "23505";
}

/** Checks a definition without saving it; what the editor calls as the user types. */
export function validatePipelineDefinition(definition: unknown): { ok: boolean; problems: DefinitionProblem[] } {
  const check = checkPipelineDefinition(definition);
  return check.ok ? { ok: true, problems: [] } : { ok: false, problems: check.problems };
}

/**
 * The checks that need the database: agents and pipelines that nodes name must belong to the project
 * (an id of another project's is the same as an unknown one), and a pipeline cannot contain itself.
 */
async function assertDefinitionReferences(db: DbExecutor, projectId: string, definition: PipelineDefinition, pipelineId?: string) {
  const agentIds = new Set<string>();
  const pipelineIds = new Set<string>();
  for (const node of definition.nodes) {
    if (node.type === "agent") agentIds.add(node.config.agentId);
    if (node.type === "subpipeline" || node.type === "map") pipelineIds.add(node.config.pipelineId);
  }
  const [liveAgents, knownPipelines] = await Promise.all([
    findLiveAgentIds(db, { projectId, agentIds: [...agentIds] }),
    findPipelineIds(db, { projectId, pipelineIds: [...pipelineIds] }),
  ]);
  const problems: DefinitionProblem[] = [];
  definition.nodes.forEach((node, index) => {
    if (node.type === "agent" && !liveAgents.has(node.config.agentId)) {
      problems.push({
        nodeId: node.id,
        path: `nodes.${index}.config.agentId`,
        message: "No such agent in this project (or it is archived)",
      });
    }
    if (node.type === "subpipeline" || node.type === "map") {
      if (node.config.pipelineId === pipelineId) {
        problems.push({ nodeId: node.id, path: `nodes.${index}.config.pipelineId`, message: "A pipeline cannot run itself" });
      } else if (!knownPipelines.has(node.config.pipelineId)) {
        problems.push({ nodeId: node.id, path: `nodes.${index}.config.pipelineId`, message: "No such pipeline in this project" });
      }
    }
  });
  if (problems.length > 0) {
    throw new AppError(
      "VALIDATION_FAILED",
      `The pipeline has ${problems.length} problem${problems.length === 1 ? "" : "s"}; first: ${problems[0]?.nodeId}: ${problems[0]?.message}`,
      {
        problems,
      },
    );
  }
}

export async function createPipeline(
  db: Database,
  actor: Actor,
  input: { projectId: string } & TCreatePipelineInput,
): Promise<Pipeline & { definition: PipelineDefinition }> {
  const parsed = ZCreatePipelineInput.parse(input);
  const definition = parsePipelineDefinition(parsed.definition);
  try {
    return await db.transaction(async (tx) => {
      if (await findLivePipelineByName(tx, { projectId: input.projectId, name: parsed.name })) throw nameTaken(parsed.name);
      await assertDefinitionReferences(tx, input.projectId, definition);
      const row = await insertPipeline(tx, {
        projectId: input.projectId,
        name: parsed.name,
        description: parsed.description,
        createdBy: actor.userId,
      });
      await insertPipelineVersion(tx, { pipelineId: row.id, projectId: input.projectId, version: 1, definition, createdBy: actor.userId });
      await recordAudit(tx, {
        projectId: input.projectId,
        actorUserId: actor.userId,
        action: "pipeline.create",
        target: row.id,
        ip: actor.ip,
      });
      await publishEvent(tx, input.projectId, "pipelines.changed", { pipelineId: row.id, change: "created", version: 1 });
      return { ...toPipeline(row), definition };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(parsed.name);
    throw error;
  }
}

export async function updatePipeline(
  db: Database,
  actor: Actor,
  input: { projectId: string } & z.input<typeof ZUpdatePipelineInput>,
): Promise<Pipeline & { definition: PipelineDefinition }> {
  const parsed = ZUpdatePipelineInput.parse(input);
  const definition = parsed.definition === undefined ? undefined : parsePipelineDefinition(parsed.definition);
  try {
    return await db.transaction(async (tx) => {
      const current = await lockPipeline(tx, { projectId: input.projectId, pipelineId: parsed.pipelineId });
      if (!current) throw new AppError("NOT_FOUND", "Pipeline not found");
      if (current.archivedAt) throw new AppError("PRECONDITION_FAILED", "The pipeline is archived; restore it to edit it");
      if (parsed.expectedVersion !== undefined && parsed.expectedVersion !== current.currentVersion) {
        throw new AppError("CONFLICT", `Version ${current.currentVersion} was saved meanwhile; reload to see it`, {
          currentVersion: current.currentVersion,
        });
      }
      if (parsed.name && parsed.name.toLowerCase() !== current.name.toLowerCase()) {
        if (await findLivePipelineByName(tx, { projectId: input.projectId, name: parsed.name })) throw nameTaken(parsed.name);
      }
      if (definition) await assertDefinitionReferences(tx, input.projectId, definition, current.id);
      const version = definition ? current.currentVersion + 1 : current.currentVersion;
      if (definition) {
        await insertPipelineVersion(tx, {
          pipelineId: current.id,
          projectId: input.projectId,
          version,
          definition,
          createdBy: actor.userId,
        });
      }
      const row = await updatePipelineRow(tx, {
        pipelineId: current.id,
        values: {
          ...(parsed.name ? { name: parsed.name } : {}),
          ...(parsed.description !== undefined ? { description: parsed.description } : {}),
          currentVersion: version,
        },
      });
      if (!row) throw new AppError("NOT_FOUND", "Pipeline not found");
      const saved = definition ?? (await loadVersion(tx, row, version)).definition;
      await recordAudit(tx, {
        projectId: input.projectId,
        actorUserId: actor.userId,
        action: "pipeline.update",
        target: row.id,
        ip: actor.ip,
        metadata: { version },
      });
      await publishEvent(tx, input.projectId, "pipelines.changed", { pipelineId: row.id, change: "updated", version });
      return { ...toPipeline(row), definition: saved };
    });
  } catch (error) {
    if (isUniqueViolation(error) && parsed.name) throw nameTaken(parsed.name);
    throw error;
  }
}

async function loadVersion(db: DbExecutor, pipeline: PipelineRow, version: number) {
  const row = await findPipelineVersion(db, { pipelineId: pipeline.id, version });
  if (!row) throw new AppError("NOT_FOUND", `Version ${version} of the pipeline does not exist`);
  return { id: row.id, version: row.version, definition: row.definition as PipelineDefinition, createdAt: row.createdAt };
}

export async function getPipeline(db: DbExecutor, input: { projectId: string; pipelineId: string; version?: number }) {
  const row = await findPipeline(db, input);
  if (!row) throw new AppError("NOT_FOUND", "Pipeline not found");
  const version = await loadVersion(db, row, input.version ?? row.currentVersion);
  const versions = await listPipelineVersions(db, row.id);
  return { ...toPipeline(row), version: version.version, definition: version.definition, versions };
}

export async function listPipelines(db: DbExecutor, input: { projectId: string } & z.input<typeof ZListPipelinesInput>) {
  const options = ZListPipelinesInput.parse(input);
  const rows = await listPipelineRows(db, {
    projectId: input.projectId,
    ...(options.search ? { search: options.search } : {}),
    includeArchived: options.includeArchived,
    limit: options.limit + 1,
    ...(options.cursor ? { cursor: decodeCursor(options.cursor) } : {}),
  });
  return toPage(rows, options.limit, toPipeline);
}

export async function setPipelineArchivedState(
  db: Database,
  actor: Actor,
  input: { projectId: string; pipelineId: string; isArchived: boolean },
): Promise<Pipeline> {
  return db.transaction(async (tx) => {
    const current = await lockPipeline(tx, input);
    if (!current) throw new AppError("NOT_FOUND", "Pipeline not found");
    if (Boolean(current.archivedAt) === input.isArchived) return toPipeline(current);
    if (!input.isArchived && (await findLivePipelineByName(tx, { projectId: input.projectId, name: current.name }))) {
      throw nameTaken(current.name);
    }
    const row = await updatePipelineRow(tx, { pipelineId: current.id, values: { archivedAt: input.isArchived ? new Date() : null } });
    if (!row) throw new AppError("NOT_FOUND", "Pipeline not found");
    await recordAudit(tx, {
      projectId: input.projectId,
      actorUserId: actor.userId,
      action: input.isArchived ? "pipeline.archive" : "pipeline.restore",
      target: row.id,
      ip: actor.ip,
    });
    await publishEvent(tx, input.projectId, "pipelines.changed", {
      pipelineId: row.id,
      change: input.isArchived ? "archived" : "restored",
      version: row.currentVersion,
    });
    return toPipeline(row);
  });
}

/** A free name like "Nightly report (copy 2)". */
async function freeCopyName(db: DbExecutor, projectId: string, name: string): Promise<string> {
  for (let copy = 1; copy < 100; copy += 1) {
    const candidate = `${name.slice(0, 85)} (copy${copy === 1 ? "" : ` ${copy}`})`;
    if (!(await findLivePipelineByName(db, { projectId, name: candidate }))) return candidate;
  }
  throw new AppError("CONFLICT", "Too many copies of this pipeline; rename some first");
}

export async function duplicatePipeline(db: Database, actor: Actor, input: { projectId: string; pipelineId: string; name?: string }) {
  const source = await getPipeline(db, input);
  const name = input.name ?? (await freeCopyName(db, input.projectId, source.name));
  return createPipeline(db, actor, { projectId: input.projectId, name, description: source.description, definition: source.definition });
}

export async function exportPipeline(
  db: DbExecutor,
  input: { projectId: string; pipelineId: string; version?: number },
): Promise<PipelineExport> {
  const pipeline = await getPipeline(db, input);
  return {
    format: "gathering.pipeline",
    formatVersion: 1,
    name: pipeline.name,
    description: pipeline.description,
    definition: pipeline.definition,
  };
}

export async function importPipeline(db: Database, actor: Actor, input: { projectId: string; document: unknown; name?: string }) {
  const parsed = ZPipelineExport.safeParse(input.document);
  if (!parsed.success) {
    throw new AppError("VALIDATION_FAILED", "This is not a GatheRing pipeline export (format gathering.pipeline, formatVersion 1)", {
      issues: z.treeifyError(parsed.error),
    });
  }
  return createPipeline(db, actor, {
    projectId: input.projectId,
    name: input.name ?? parsed.data.name,
    description: parsed.data.description,
    definition: parsed.data.definition,
  });
}
