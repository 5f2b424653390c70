/**
 * Schedules: create, change, pause, resume, delete, list, preview and run now, and each schedule's
 * history of fires. Every write validates first (cron, time zone, the action and what it names), then
 * changes the row, its audit entry and its event in one transaction.
 */
import { randomBytes } from "node:crypto";
import {
  type Database,
  type DbExecutor,
  deleteScheduleRow,
  findSchedule,
  insertSchedule,
  insertScheduleFires,
  listScheduleFireRows,
  listScheduleRows,
  listUpcomingScheduleRows,
  lockSchedule,
  type ScheduleFireRow,
  type ScheduleRow,
  updateScheduleRow,
} from "@gathering/db";
import { z } from "zod";
import { recordAudit } from "../audit/audit";
import { AppError } from "../errors";
import { publishEvent } from "../events/catalog";
import { decodeCursor, toPage, ZPageCursor } from "../pagination";
import type { Actor } from "../projects/projects";
import { decryptSecret, encryptSecret, type Keyring } from "../security/encryption";
import { hasControlCharacters, hasControlCharactersInText } from "../validation";
import { assertActionReferences, hasWebhook, type ScheduleAction, ZScheduleAction } from "./actions";
import { compileCron, nextFireTime, nextFireTimes } from "./cron";
import type { ScheduleQueue } from "./queue";

export const overlapPolicies = ["skip", "allow", "queue_one"] as const;
export const catchUpPolicies = ["skip", "latest", "all"] as const;
export const fireStatuses = ["waiting", "queued", "running", "succeeded", "failed", "skipped"] as const;
export type OverlapPolicy = (typeof overlapPolicies)[number];
export type CatchUpPolicy = (typeof catchUpPolicies)[number];
export type FireStatus = (typeof fireStatuses)[number];

export const ZScheduleName = z
  .string()
  .trim()
  .min(1, "Name the schedule")
  .max(120)
  .refine((value) => !hasControlCharacters(value), "Names cannot contain control characters");

const ZScheduleFields = z.object({
  name: ZScheduleName,
  description: z
    .string()
    .max(2_000)
    .refine((value) => !hasControlCharactersInText(value), "The description cannot contain control characters")
    .default(""),
  cron: z.string().trim().min(1, "Enter a cron expression").max(200),
  timezone: z.string().trim().min(1).max(64).default("UTC"),
  action: ZScheduleAction,
  overlapPolicy: z.enum(overlapPolicies).default("skip"),
  catchUpPolicy: z.enum(catchUpPolicies).default("skip"),
  catchUpLimit: z.number().int().min(1).max(100).default(10),
});

export const ZCreateScheduleInput = ZScheduleFields.extend({ isPaused: z.boolean().default(false) });
export type TCreateScheduleInput = z.input<typeof ZCreateScheduleInput>;

export const ZUpdateScheduleInput = ZScheduleFields.partial().extend({ scheduleId: z.uuid() });
export type TUpdateScheduleInput = z.input<typeof ZUpdateScheduleInput>;

export const ZPreviewInput = z.object({
  cron: z.string().trim().min(1).max(200),
  timezone: z.string().trim().min(1).max(64).default("UTC"),
  count: z.number().int().min(1).max(50).default(5),
});

export const ZListSchedulesInput = z.object({
  /** Part of the name, case-insensitive. */
  search: z.string().trim().max(100).optional(),
  limit: z.number().int().min(1).max(200).default(100),
  cursor: ZPageCursor.optional(),
});

export const ZScheduleHistoryInput = z.object({
  scheduleId: z.uuid(),
  limit: z.number().int().min(1).max(200).default(50),
  cursor: ZPageCursor.optional(),
});

export interface ScheduleServices {
  queue: ScheduleQueue;
  /** Encrypts the webhook signing secret. */
  keyring: Keyring;
}

export function toSchedule(row: ScheduleRow) {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    cron: row.cron,
    timezone: row.timezone,
    action: row.action as ScheduleAction,
    overlapPolicy: row.overlapPolicy as OverlapPolicy,
    catchUpPolicy: row.catchUpPolicy as CatchUpPolicy,
    catchUpLimit: row.catchUpLimit,
    nextFireAt: row.nextFireAt,
    lastFireAt: row.lastFireAt,
    isPaused: row.isPaused,
    hasWebhookSecret: row.secretCiphertext !== null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
export type Schedule = ReturnType<typeof toSchedule>;

export function toScheduleFire(row: ScheduleFireRow, linked: { runStatus?: string | null; taskStatus?: string | null } = {}) {
  return {
    id: row.id,
    scheduleId: row.scheduleId,
    fireAt: row.fireAt,
    trigger: row.trigger as "cron" | "catch_up" | "manual",
    status: row.status as FireStatus,
    actionKind: (row.action as ScheduleAction).kind,
    attempts: row.attempts,
    result: row.result as Record<string, unknown>,
    error: row.error,
    pipelineRunId: row.pipelineRunId,
    pipelineRunStatus: linked.runStatus ?? null,
    agentTaskId: row.agentTaskId,
    agentTaskStatus: linked.taskStatus ?? null,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    durationMs: row.durationMs,
    createdAt: row.createdAt,
  };
}
export type ScheduleFire = ReturnType<typeof toScheduleFire>;

/** The first fire time after `now`; throws VALIDATION_FAILED for a bad expression or time zone. */
export function computeNextFireAt(cron: string, timezone: string, now: Date): Date | null {
  return nextFireTime(compileCron(cron, timezone), now);
}

export function previewFireTimes(input: z.input<typeof ZPreviewInput>, now = new Date()): { times: Date[] } {
  const parsed = ZPreviewInput.parse(input);
  return { times: nextFireTimes(compileCron(parsed.cron, parsed.timezone), now, parsed.count) };
}

function newWebhookSecret(keyring: Keyring, scheduleId: string) {
  const secret = `whsec_${randomBytes(24).toString("base64url")}`;
  const encrypted = encryptSecret(keyring, secret, `schedule:${scheduleId}`);
  return { secret, values: { secretKeyId: encrypted.keyId, secretCiphertext: encrypted.ciphertext } };
}

/** The webhook signing secret of a schedule (for the worker that signs, and for its owner to copy). */
export function readWebhookSecret(keyring: Keyring, row: ScheduleRow): string | null {
  if (!row.secretCiphertext || !row.secretKeyId) return null;
  return decryptSecret(keyring, { keyId: row.secretKeyId, ciphertext: row.secretCiphertext }, `schedule:${row.id}`);
}

export async function createSchedule(
  db: Database,
  services: ScheduleServices,
  actor: Actor,
  input: { projectId: string } & TCreateScheduleInput,
): Promise<Schedule & { webhookSecret: string | null }> {
  const parsed = ZCreateScheduleInput.parse(input);
  const nextFireAt = computeNextFireAt(parsed.cron, parsed.timezone, new Date());
  await assertActionReferences(db, input.projectId, parsed.action);
  return db.transaction(async (tx) => {
    let row = await insertSchedule(tx, {
      projectId: input.projectId,
      name: parsed.name,
      description: parsed.description,
      cron: parsed.cron,
      timezone: parsed.timezone,
      action: parsed.action,
      overlapPolicy: parsed.overlapPolicy,
      catchUpPolicy: parsed.catchUpPolicy,
      catchUpLimit: parsed.catchUpLimit,
      isPaused: parsed.isPaused,
      nextFireAt,
      createdBy: actor.userId,
    });
    let webhookSecret: string | null = null;
    if (hasWebhook(parsed.action)) {
      const generated = newWebhookSecret(services.keyring, row.id);
      webhookSecret = generated.secret;
      row = await updateScheduleRow(tx, { scheduleId: row.id, values: generated.values });
    }
    if (nextFireAt && !parsed.isPaused) await services.queue.requestTick(tx, nextFireAt);
    await recordAudit(tx, {
      projectId: input.projectId,
      actorUserId: actor.userId,
      action: "schedule.create",
      target: row.id,
      ip: actor.ip,
    });
    await publishEvent(tx, input.projectId, "schedules.changed", { scheduleId: row.id, change: "created" });
    return { ...toSchedule(row), webhookSecret };
  });
}

export async function updateSchedule(
  db: Database,
  services: ScheduleServices,
  actor: Actor,
  input: { projectId: string } & TUpdateScheduleInput,
): Promise<Schedule & { webhookSecret: string | null }> {
  const parsed = ZUpdateScheduleInput.parse(input);
  const existing = await findSchedule(db, { projectId: input.projectId, scheduleId: parsed.scheduleId });
  if (!existing) throw new AppError("NOT_FOUND", "Schedule not found");
  const cron = parsed.cron ?? existing.cron;
  const timezone = parsed.timezone ?? existing.timezone;
  const isTimingChanged = cron !== existing.cron || timezone !== existing.timezone;
  const nextFireAt = isTimingChanged ? computeNextFireAt(cron, timezone, new Date()) : existing.nextFireAt;
  if (parsed.action) await assertActionReferences(db, input.projectId, parsed.action);
  return db.transaction(async (tx) => {
    const locked = await lockSchedule(tx, { projectId: input.projectId, scheduleId: parsed.scheduleId });
    if (!locked) throw new AppError("NOT_FOUND", "Schedule not found");
    const action = parsed.action ?? (locked.action as ScheduleAction);
    let webhookSecret: string | null = null;
    let secretValues = {};
    if (hasWebhook(action) && !locked.secretCiphertext) {
      const generated = newWebhookSecret(services.keyring, locked.id);
      webhookSecret = generated.secret;
      secretValues = generated.values;
    }
    const row = await updateScheduleRow(tx, {
      scheduleId: locked.id,
      values: {
        ...(parsed.name !== undefined ? { name: parsed.name } : {}),
        ...(parsed.description !== undefined ? { description: parsed.description } : {}),
        ...(parsed.overlapPolicy ? { overlapPolicy: parsed.overlapPolicy } : {}),
        ...(parsed.catchUpPolicy ? { catchUpPolicy: parsed.catchUpPolicy } : {}),
        ...(parsed.catchUpLimit !== undefined ? { catchUpLimit: parsed.catchUpLimit } : {}),
        ...(parsed.action ? { action: parsed.action } : {}),
        cron,
        timezone,
        // Changing the timing starts over from now: the old expression's missed times are not caught up.
        nextFireAt: isTimingChanged ? nextFireAt : locked.nextFireAt,
        ...secretValues,
      },
    });
    if (isTimingChanged && row.nextFireAt && !row.isPaused) await services.queue.requestTick(tx, row.nextFireAt);
    await recordAudit(tx, {
      projectId: input.projectId,
      actorUserId: actor.userId,
      action: "schedule.update",
      target: row.id,
      ip: actor.ip,
      metadata: { changed: Object.keys(parsed).filter((key) => key !== "scheduleId") },
    });
    await publishEvent(tx, input.projectId, "schedules.changed", { scheduleId: row.id, change: "updated" });
    return { ...toSchedule(row), webhookSecret };
  });
}

/**
 * Pauses or resumes. Resuming starts from now: what the paused time would have fired is not caught up
 * (catch-up is for downtime, not for a schedule someone switched off).
 */
export async function setSchedulePaused(
  db: Database,
  services: ScheduleServices,
  actor: Actor,
  input: { projectId: string; scheduleId: string; isPaused: boolean },
): Promise<Schedule> {
  return db.transaction(async (tx) => {
    const locked = await lockSchedule(tx, input);
    if (!locked) throw new AppError("NOT_FOUND", "Schedule not found");
    if (locked.isPaused === input.isPaused) return toSchedule(locked);
    const nextFireAt = input.isPaused ? locked.nextFireAt : computeNextFireAt(locked.cron, locked.timezone, new Date());
    const row = await updateScheduleRow(tx, { scheduleId: locked.id, values: { isPaused: input.isPaused, nextFireAt } });
    if (!input.isPaused && nextFireAt) await services.queue.requestTick(tx, nextFireAt);
    await recordAudit(tx, {
      projectId: input.projectId,
      actorUserId: actor.userId,
      action: input.isPaused ? "schedule.pause" : "schedule.resume",
      target: row.id,
      ip: actor.ip,
    });
    await publishEvent(tx, input.projectId, "schedules.changed", { scheduleId: row.id, change: input.isPaused ? "paused" : "resumed" });
    return toSchedule(row);
  });
}

/** Deletes the schedule and its history; fires already running finish, their rows go with it. */
export async function deleteSchedule(
  db: Database,
  actor: Actor,
  input: { projectId: string; scheduleId: string },
): Promise<{ id: string }> {
  return db.transaction(async (tx) => {
    const isDeleted = await deleteScheduleRow(tx, input);
    if (!isDeleted) throw new AppError("NOT_FOUND", "Schedule not found");
    await recordAudit(tx, {
      projectId: input.projectId,
      actorUserId: actor.userId,
      action: "schedule.delete",
      target: input.scheduleId,
      ip: actor.ip,
    });
    await publishEvent(tx, input.projectId, "schedules.changed", { scheduleId: input.scheduleId, change: "deleted" });
    return { id: input.scheduleId };
  });
}

export async function getSchedule(db: DbExecutor, input: { projectId: string; scheduleId: string }): Promise<Schedule> {
  const row = await findSchedule(db, input);
  if (!row) throw new AppError("NOT_FOUND", "Schedule not found");
  return toSchedule(row);
}

/** The webhook secret, for members who set up the receiving side. */
export async function revealWebhookSecret(
  db: DbExecutor,
  keyring: Keyring,
  input: { projectId: string; scheduleId: string },
): Promise<{ webhookSecret: string | null }> {
  const row = await findSchedule(db, input);
  if (!row) throw new AppError("NOT_FOUND", "Schedule not found");
  return { webhookSecret: readWebhookSecret(keyring, row) };
}

export async function listSchedules(db: DbExecutor, input: { projectId: string } & z.input<typeof ZListSchedulesInput>) {
  const options = ZListSchedulesInput.parse(input);
  const cursor = decodeCursor(options.cursor);
  const rows = await listScheduleRows(db, {
    projectId: input.projectId,
    limit: options.limit + 1,
    ...(options.search ? { search: options.search } : {}),
    ...(cursor ? { cursor } : {}),
  });
  return toPage(rows, options.limit, toSchedule);
}

export const ZUpcomingSchedulesInput = z.object({
  limit: z.number().int().min(1).max(20).default(5),
});

/** The unpaused schedules of a project that fire next, soonest first. */
export async function listUpcomingSchedules(db: DbExecutor, input: { projectId: string } & z.input<typeof ZUpcomingSchedulesInput>) {
  const options = ZUpcomingSchedulesInput.parse(input);
  const rows = await listUpcomingScheduleRows(db, { projectId: input.projectId, limit: options.limit });
  return rows.map(toSchedule);
}

export async function listScheduleHistory(db: DbExecutor, input: { projectId: string } & z.input<typeof ZScheduleHistoryInput>) {
  const options = ZScheduleHistoryInput.parse(input);
  const schedule = await findSchedule(db, { projectId: input.projectId, scheduleId: options.scheduleId });
  if (!schedule) throw new AppError("NOT_FOUND", "Schedule not found");
  const decoded = decodeCursor(options.cursor);
  const rows = await listScheduleFireRows(db, {
    projectId: input.projectId,
    scheduleId: options.scheduleId,
    limit: options.limit + 1,
    ...(decoded ? { cursor: { fireAt: decoded.createdAt, id: decoded.id } } : {}),
  });
  return toPage(
    rows,
    options.limit,
    (row) => toScheduleFire(row.fire, row),
    (row) => ({ createdAt: row.fire.fireAt, id: row.fire.id }),
  );
}

/** Fires the action now, outside the cron times and regardless of the overlap policy (someone asked). */
export async function runScheduleNow(
  db: Database,
  services: Pick<ScheduleServices, "queue">,
  actor: Actor,
  input: { projectId: string; scheduleId: string },
): Promise<ScheduleFire> {
  return db.transaction(async (tx) => {
    const schedule = await lockSchedule(tx, input);
    if (!schedule) throw new AppError("NOT_FOUND", "Schedule not found");
    await assertActionReferences(tx, input.projectId, schedule.action as ScheduleAction);
    const [fire] = await insertScheduleFires(tx, [
      {
        scheduleId: schedule.id,
        projectId: input.projectId,
        fireAt: new Date(),
        trigger: "manual",
        status: "queued",
        action: schedule.action,
      },
    ]);
    if (!fire) throw new AppError("CONFLICT", "The schedule fired at this very moment already; try again");
    await services.queue.enqueueFires(tx, [fire.id]);
    await recordAudit(tx, {
      projectId: input.projectId,
      actorUserId: actor.userId,
      action: "schedule.run_now",
      target: schedule.id,
      ip: actor.ip,
    });
    await publishEvent(tx, input.projectId, "schedule_fires.changed", { scheduleId: schedule.id, fireId: fire.id, status: "queued" });
    return toScheduleFire(fire);
  });
}
