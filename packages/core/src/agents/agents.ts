/** Agents: create, update, get, list, archive, restore, duplicate. Every change is audited and announced. */
import {
  type AgentRow,
  type Database,
  type DbExecutor,
  findAgent,
  findKnowledgeBases,
  insertAgent,
  isAgentNameTaken,
  listAgents as listAgentRows,
  setAgentArchived,
  updateAgent as updateAgentRow,
} from "@gathering/db";
import { z } from "zod";
import { recordAudit } from "../audit/audit";
import { AppError } from "../errors";
import { publishEvent } from "../events/catalog";
import { decodeCursor, toPage, ZPageCursor } from "../pagination";
import type { Actor } from "../projects/projects";
import { builtinTools } from "../tools/catalog";
import { unknownMcpToolNames } from "../tools/mcp/mcp-servers";
import { type AgentDefinition, type AgentDefinitionInput, ZAgentDefinition, ZAgentUpdate } from "./agent-schema";
import type { LoadedAgent } from "./runtime";

export function toAgent(row: AgentRow) {
  const definition = parseDefinition(row);
  return {
    id: row.id,
    projectId: row.projectId,
    ...definition,
    version: row.version,
    archivedAt: row.archivedAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
export type Agent = ReturnType<typeof toAgent>;

/** Rows were validated on the way in; parsing again fills defaults added since. */
function parseDefinition(row: AgentRow): AgentDefinition {
  return ZAgentDefinition.parse({
    name: row.name,
    role: row.role,
    goal: row.goal,
    instructions: row.instructions,
    model: { provider: row.provider, model: row.model },
    parameters: row.parameters,
    fallbackModels: row.fallbackModels,
    tools: row.tools,
    approvalTools: row.approvalTools,
    knowledgeBaseIds: row.knowledgeBaseIds,
    memory: row.memory,
    budgets: row.budgets,
  });
}

function toColumns(definition: Partial<AgentDefinition>) {
  return {
    ...(definition.name !== undefined ? { name: definition.name } : {}),
    ...(definition.role !== undefined ? { role: definition.role } : {}),
    ...(definition.goal !== undefined ? { goal: definition.goal } : {}),
    ...(definition.instructions !== undefined ? { instructions: definition.instructions } : {}),
    ...(definition.model ? { provider: definition.model.provider, model: definition.model.model } : {}),
    ...(definition.parameters ? { parameters: definition.parameters } : {}),
    ...(definition.fallbackModels ? { fallbackModels: definition.fallbackModels } : {}),
    ...(definition.tools ? { tools: definition.tools } : {}),
    ...(definition.approvalTools ? { approvalTools: definition.approvalTools } : {}),
    ...(definition.knowledgeBaseIds ? { knowledgeBaseIds: definition.knowledgeBaseIds } : {}),
    ...(definition.memory ? { memory: definition.memory } : {}),
    ...(definition.budgets ? { budgets: definition.budgets } : {}),
  };
}

/**
 * Every tool an agent names must exist: a built-in, or a listed tool of one of the project's MCP servers
 * (`<server>__<tool>`). Memory tools come with the memory settings and need no listing.
 */
async function assertToolsExist(db: DbExecutor, projectId: string, tools: readonly string[], field: "tools" | "approvalTools" = "tools") {
  const notBuiltin = tools.filter((name) => !builtinTools.has(name));
  const unknown = notBuiltin.length > 0 ? await unknownMcpToolNames(db, projectId, notBuiltin) : [];
  if (unknown.length > 0) {
    throw new AppError("VALIDATION_FAILED", `Unknown tool${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")}`, {
      field,
      unknown,
    });
  }
}

/** Attached knowledge bases must be the project's own (another project's id reads as unknown). */
async function assertKnowledgeBasesExist(db: DbExecutor, projectId: string, knowledgeBaseIds: readonly string[]) {
  if (knowledgeBaseIds.length === 0) return;
  const found = new Set((await findKnowledgeBases(db, { projectId, knowledgeBaseIds })).map((base) => base.id));
  const unknown = knowledgeBaseIds.filter((id) => !found.has(id));
  if (unknown.length > 0) {
    throw new AppError("VALIDATION_FAILED", `Unknown knowledge base${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")}`, {
      field: "knowledgeBaseIds",
      unknown,
    });
  }
}

async function assertNameFree(db: DbExecutor, projectId: string, name: string, exceptAgentId?: string) {
  if (await isAgentNameTaken(db, { projectId, name, ...(exceptAgentId ? { exceptAgentId } : {}) })) {
    throw new AppError("CONFLICT", `An agent named "${name}" already exists in this project`, { field: "name" });
  }
}

export async function createAgent(
  db: Database,
  actor: Actor,
  input: { projectId: string; definition: AgentDefinitionInput },
): Promise<Agent> {
  const definition = ZAgentDefinition.parse(input.definition);
  await assertToolsExist(db, input.projectId, definition.tools);
  await assertToolsExist(db, input.projectId, definition.approvalTools, "approvalTools");
  await assertKnowledgeBasesExist(db, input.projectId, definition.knowledgeBaseIds);
  return db.transaction(async (tx) => {
    await assertNameFree(tx, input.projectId, definition.name);
    const row = await insertAgent(tx, {
      projectId: input.projectId,
      createdBy: actor.userId,
      ...toColumns(definition),
      provider: definition.model.provider,
      model: definition.model.model,
      name: definition.name,
      role: definition.role,
    });
    await recordAudit(tx, {
      projectId: input.projectId,
      actorUserId: actor.userId,
      action: "agent.create",
      target: row.name,
      metadata: { agentId: row.id },
      ip: actor.ip,
    });
    await publishEvent(tx, input.projectId, "agents.changed", { agentId: row.id, change: "created", name: row.name });
    return toAgent(row);
  });
}

export async function updateAgent(
  db: Database,
  actor: Actor,
  input: { projectId: string; agentId: string; patch: z.input<typeof ZAgentUpdate> },
): Promise<Agent> {
  const { expectedVersion, ...patch } = ZAgentUpdate.parse(input.patch);
  return db.transaction(async (tx) => {
    const current = await findAgent(tx, input);
    if (!current) throw new AppError("NOT_FOUND", "Agent not found");
    if (current.archivedAt) throw new AppError("PRECONDITION_FAILED", "This agent is archived: restore it before editing");
    // Validate the merged result as a whole, so cross-field rules hold after a partial update.
    const merged = ZAgentDefinition.parse({ ...parseDefinition(current), ...patch });
    if (patch.tools) await assertToolsExist(tx, input.projectId, merged.tools);
    if (patch.approvalTools) await assertToolsExist(tx, input.projectId, merged.approvalTools, "approvalTools");
    if (patch.knowledgeBaseIds) await assertKnowledgeBasesExist(tx, input.projectId, merged.knowledgeBaseIds);
    if (patch.name !== undefined && patch.name.toLowerCase() !== current.name.toLowerCase())
      await assertNameFree(tx, input.projectId, merged.name, current.id);
    const row = await updateAgentRow(tx, {
      projectId: input.projectId,
      agentId: input.agentId,
      ...(expectedVersion !== undefined ? { expectedVersion } : {}),
      values: toColumns(merged),
    });
    if (!row)
      throw new AppError("CONFLICT", "Someone else changed this agent meanwhile: reload and apply your change again", {
        field: "expectedVersion",
      });
    await recordAudit(tx, {
      projectId: input.projectId,
      actorUserId: actor.userId,
      action: "agent.update",
      target: row.name,
      metadata: { agentId: row.id, changed: Object.keys(patch), version: row.version },
      ip: actor.ip,
    });
    await publishEvent(tx, input.projectId, "agents.changed", { agentId: row.id, change: "updated", name: row.name });
    return toAgent(row);
  });
}

export async function getAgent(db: DbExecutor, input: { projectId: string; agentId: string }): Promise<Agent> {
  const row = await findAgent(db, input);
  if (!row) throw new AppError("NOT_FOUND", "Agent not found");
  return toAgent(row);
}

/** The agent as the runtime needs it; archived agents do not work. */
export async function loadAgentForRun(db: DbExecutor, input: { projectId: string; agentId: string }): Promise<LoadedAgent> {
  const row = await findAgent(db, input);
  if (!row) throw new AppError("NOT_FOUND", "Agent not found");
  if (row.archivedAt) throw new AppError("PRECONDITION_FAILED", "This agent is archived");
  return { id: row.id, projectId: row.projectId, definition: parseDefinition(row) };
}

export const ZListAgentsInput = z.object({
  search: z.string().trim().max(100).optional(),
  includeArchived: z.boolean().default(false),
  limit: z.number().int().min(1).max(100).default(50),
  cursor: ZPageCursor.optional(),
});

export async function listAgents(db: DbExecutor, input: { projectId: string } & z.input<typeof ZListAgentsInput>) {
  const options = ZListAgentsInput.parse(input);
  const rows = await listAgentRows(db, {
    projectId: input.projectId,
    ...(options.search ? { search: options.search } : {}),
    includeArchived: options.includeArchived,
    limit: options.limit + 1,
    ...(options.cursor ? { cursor: decodeCursor(options.cursor) } : {}),
  });
  return toPage(rows, options.limit, toAgent);
}

export async function setAgentArchivedState(
  db: Database,
  actor: Actor,
  input: { projectId: string; agentId: string; archived: boolean },
): Promise<Agent> {
  return db.transaction(async (tx) => {
    const current = await findAgent(tx, input);
    if (!current) throw new AppError("NOT_FOUND", "Agent not found");
    if (!input.archived) await assertNameFree(tx, input.projectId, current.name, current.id);
    const row = await setAgentArchived(tx, input);
    if (!row) throw new AppError("PRECONDITION_FAILED", input.archived ? "This agent is already archived" : "This agent is not archived");
    await recordAudit(tx, {
      projectId: input.projectId,
      actorUserId: actor.userId,
      action: input.archived ? "agent.archive" : "agent.restore",
      target: row.name,
      metadata: { agentId: row.id },
      ip: actor.ip,
    });
    await publishEvent(tx, input.projectId, "agents.changed", {
      agentId: row.id,
      change: input.archived ? "archived" : "restored",
      name: row.name,
    });
    return toAgent(row);
  });
}

/** A copy under a new name ("<name> (copy)", numbered when taken). Memories stay with the original. */
export async function duplicateAgent(
  db: Database,
  actor: Actor,
  input: { projectId: string; agentId: string; name?: string },
): Promise<Agent> {
  const source = await getAgent(db, input);
  const {
    id: _id,
    projectId: _projectId,
    version: _version,
    archivedAt: _archivedAt,
    createdAt: _createdAt,
    updatedAt: _updatedAt,
    ...definition
  } = source;
  let name = input.name?.trim();
  if (!name) {
    for (let attempt = 1; attempt <= 50; attempt += 1) {
      const candidate = attempt === 1 ? `${source.name} (copy)` : `${source.name} (copy ${attempt})`;
      if (!(await isAgentNameTaken(db, { projectId: input.projectId, name: candidate }))) {
        name = candidate.slice(0, 100);
        break;
      }
    }
  }
  return createAgent(db, actor, {
    projectId: input.projectId,
    definition: { ...definition, name: name ?? `${source.name} (copy ${Date.now()})` },
  });
}
