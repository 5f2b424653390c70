/** Circles as a user manages them: create, update (optimistic versions), list, get, archive and restore. */
import {
  type CircleMemberRow,
  type CircleRow,
  type Database,
  type DbExecutor,
  findCircle,
  findLiveCircleByName,
  findProjectAgentsByIds,
  insertCircle,
  listCircleMembers,
  listCircleRows,
  lockCircle,
  replaceCircleMembers,
  updateCircleRow,
} from "@gathering/db";
import { z } from "zod";
import { recordAudit } from "../audit/audit";
import { AppError } from "../errors";
import { publishEvent } from "../events/catalog";
import { decodeCursor, encodeCursor, ZPageCursor } from "../pagination";
import type { Actor } from "../projects/projects";
import { type CircleDefinitionInput, type CircleStrategy, ZCircleDefinition, ZCircleTermination } from "./definition";

export function toCircle(row: CircleRow, members: readonly CircleMemberRow[], names: ReadonlyMap<string, string> = new Map()) {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    strategy: row.strategy as CircleStrategy,
    coordinatorAgentId: row.coordinatorAgentId,
    coordinatorName: row.coordinatorAgentId ? (names.get(row.coordinatorAgentId) ?? null) : null,
    members: members
      .filter((member) => member.circleId === row.id)
      .map((member) => ({ agentId: member.agentId, role: member.role, name: names.get(member.agentId) ?? null })),
    termination: ZCircleTermination.parse(row.termination),
    knowledgeBaseIds: row.knowledgeBaseIds as string[],
    version: row.version,
    archivedAt: row.archivedAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
export type Circle = ReturnType<typeof toCircle>;

function parseDefinition(input: unknown) {
  const parsed = ZCircleDefinition.safeParse(input);
  if (!parsed.success) {
    throw new AppError("VALIDATION_FAILED", parsed.error.issues[0]?.message ?? "The circle is not valid", {
      issues: z.treeifyError(parsed.error),
    });
  }
  return parsed.data;
}

/** Every member and the coordinator must be live agents of the project; returns their names. */
async function checkAgents(db: DbExecutor, projectId: string, agentIds: readonly string[]): Promise<Map<string, string>> {
  const unique = [...new Set(agentIds)];
  const rows = await findProjectAgentsByIds(db, { projectId, agentIds: unique });
  const found = new Map(rows.map((row) => [row.id, row]));
  for (const id of unique) {
    const row = found.get(id);
    if (!row) throw new AppError("NOT_FOUND", "One of the agents was not found in this project", { agentId: id });
    if (row.archivedAt) throw new AppError("PRECONDITION_FAILED", `The agent "${row.name}" is archived`, { agentId: id });
  }
  return new Map(rows.map((row) => [row.id, row.name]));
}

async function assertNameFree(db: DbExecutor, projectId: string, name: string, exceptId?: string) {
  const existing = await findLiveCircleByName(db, { projectId, name });
  if (existing && existing.id !== exceptId) throw new AppError("CONFLICT", `A circle named "${name}" already exists`);
}

function agentIdsOf(definition: { members: ReadonlyArray<{ agentId: string }>; coordinatorAgentId: string | null }) {
  return [...definition.members.map((member) => member.agentId), ...(definition.coordinatorAgentId ? [definition.coordinatorAgentId] : [])];
}

export async function createCircle(
  db: Database,
  actor: Actor,
  input: { projectId: string; definition: CircleDefinitionInput },
): Promise<Circle> {
  const definition = parseDefinition(input.definition);
  return db.transaction(async (tx) => {
    const names = await checkAgents(tx, input.projectId, agentIdsOf(definition));
    await assertNameFree(tx, input.projectId, definition.name);
    const row = await insertCircle(tx, {
      projectId: input.projectId,
      name: definition.name,
      description: definition.description,
      strategy: definition.strategy,
      coordinatorAgentId: definition.coordinatorAgentId,
      termination: definition.termination,
      knowledgeBaseIds: definition.knowledgeBaseIds,
      createdBy: actor.userId,
    });
    const members = await replaceCircleMembers(tx, { circleId: row.id, projectId: input.projectId, members: definition.members });
    await recordAudit(tx, { projectId: input.projectId, actorUserId: actor.userId, action: "circle.create", target: row.id, ip: actor.ip });
    await publishEvent(tx, input.projectId, "circles.changed", { circleId: row.id, change: "created", name: row.name });
    return toCircle(row, members, names);
  });
}

export const ZUpdateCircleInput = z.object({
  circleId: z.uuid(),
  /** The whole definition as edited (members replace the old ones). */
  definition: z.unknown(),
  expectedVersion: z.number().int().min(1).optional(),
});

export async function updateCircle(
  db: Database,
  actor: Actor,
  input: { projectId: string; circleId: string; definition: unknown; expectedVersion?: number },
): Promise<Circle> {
  const definition = parseDefinition(input.definition);
  return db.transaction(async (tx) => {
    const current = await lockCircle(tx, input);
    if (!current) throw new AppError("NOT_FOUND", "Circle not found");
    if (current.archivedAt) throw new AppError("PRECONDITION_FAILED", "This circle is archived; restore it first");
    if (input.expectedVersion !== undefined && input.expectedVersion !== current.version) {
      throw new AppError("CONFLICT", "Someone else changed this circle; reload it and edit again", { version: current.version });
    }
    const names = await checkAgents(tx, input.projectId, agentIdsOf(definition));
    await assertNameFree(tx, input.projectId, definition.name, current.id);
    const row = await updateCircleRow(tx, {
      circleId: current.id,
      values: {
        name: definition.name,
        description: definition.description,
        strategy: definition.strategy,
        coordinatorAgentId: definition.coordinatorAgentId,
        termination: definition.termination,
        knowledgeBaseIds: definition.knowledgeBaseIds,
        version: current.version + 1,
      },
    });
    if (!row) throw new AppError("NOT_FOUND", "Circle not found");
    const members = await replaceCircleMembers(tx, { circleId: row.id, projectId: input.projectId, members: definition.members });
    await recordAudit(tx, { projectId: input.projectId, actorUserId: actor.userId, action: "circle.update", target: row.id, ip: actor.ip });
    await publishEvent(tx, input.projectId, "circles.changed", { circleId: row.id, change: "updated", name: row.name });
    return toCircle(row, members, names);
  });
}

async function withNames(db: DbExecutor, projectId: string, rows: readonly CircleRow[]) {
  const members = await listCircleMembers(
    db,
    rows.map((row) => row.id),
  );
  const agentIds = [
    ...members.map((member) => member.agentId),
    ...rows.flatMap((row) => (row.coordinatorAgentId ? [row.coordinatorAgentId] : [])),
  ];
  const agents = await findProjectAgentsByIds(db, { projectId, agentIds: [...new Set(agentIds)] });
  const names = new Map(agents.map((agent) => [agent.id, agent.name]));
  return rows.map((row) => toCircle(row, members, names));
}

export async function getCircle(db: DbExecutor, input: { projectId: string; circleId: string }): Promise<Circle> {
  const row = await findCircle(db, input);
  if (!row) throw new AppError("NOT_FOUND", "Circle not found");
  const [circle] = await withNames(db, input.projectId, [row]);
  if (!circle) throw new AppError("NOT_FOUND", "Circle not found");
  return circle;
}

export const ZListCirclesInput = z.object({
  /** Part of the name, case-insensitive. */
  search: z.string().trim().max(100).optional(),
  includeArchived: z.boolean().default(false),
  limit: z.number().int().min(1).max(100).default(50),
  cursor: ZPageCursor.optional(),
});

export async function listCircles(db: DbExecutor, input: { projectId: string } & z.input<typeof ZListCirclesInput>) {
  const options = ZListCirclesInput.parse(input);
  const rows = await listCircleRows(db, {
    projectId: input.projectId,
    includeArchived: options.includeArchived,
    ...(options.search ? { search: options.search } : {}),
    limit: options.limit + 1,
    ...(options.cursor ? { cursor: decodeCursor(options.cursor) } : {}),
  });
  const page = rows.slice(0, options.limit);
  const last = page.at(-1);
  return {
    items: await withNames(db, input.projectId, page),
    nextCursor: rows.length > options.limit && last ? encodeCursor(last) : null,
  };
}

export async function setCircleArchivedState(
  db: Database,
  actor: Actor,
  input: { projectId: string; circleId: string; isArchived: boolean },
): Promise<Circle> {
  return db.transaction(async (tx) => {
    const current = await lockCircle(tx, input);
    if (!current) throw new AppError("NOT_FOUND", "Circle not found");
    if (Boolean(current.archivedAt) === input.isArchived) {
      throw new AppError("PRECONDITION_FAILED", input.isArchived ? "This circle is already archived" : "This circle is not archived");
    }
    if (!input.isArchived) await assertNameFree(tx, input.projectId, current.name, current.id);
    const row = await updateCircleRow(tx, { circleId: current.id, values: { archivedAt: input.isArchived ? new Date() : null } });
    if (!row) throw new AppError("NOT_FOUND", "Circle not found");
    const action = input.isArchived ? "circle.archive" : "circle.restore";
    await recordAudit(tx, { projectId: input.projectId, actorUserId: actor.userId, action, target: row.id, ip: actor.ip });
    await publishEvent(tx, input.projectId, "circles.changed", {
      circleId: row.id,
      change: input.isArchived ? "archived" : "restored",
      name: row.name,
    });
    const [circle] = await withNames(tx, input.projectId, [row]);
    if (!circle) throw new AppError("NOT_FOUND", "Circle not found");
    return circle;
  });
}
