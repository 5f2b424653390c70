/**
 * Runs one fire's action on the worker. The fire row is the idempotency key of everything it does:
 * a pipeline run or agent task is started in the same transaction that links it to the fire, so a
 * retried job finds the link and starts nothing; notifications are unique per (fire, user); a webhook
 * and an outbound call carry the fire id as Idempotency-Key and their outcome is recorded on the fire,
 * so once recorded they are not sent again. What cannot be made exactly-once (an SMTP send, a request
 * whose answer was lost with the worker) is at least once, with the key for the receiver to dedupe.
 */
import {
  type Database,
  insertEvents,
  insertMemberNotifications,
  lockScheduleFire,
  lockScheduleFireWithSchedule,
  mergeScheduleFireResult,
  type ScheduleFireRow,
  type ScheduleRow,
  type Transaction,
  updateScheduleFire,
} from "@gathering/db";
import { type ScheduleTask, submitTask } from "../agents/tasks";
import { type CircleQueue, startCircleRun } from "../circles/runs";
import { AppError, isAppError } from "../errors";
import { eventCatalog, publishEvent } from "../events/catalog";
import type { Logger } from "../logger";
import type { Mailer } from "../notifications/email";
import { deliverInAppNotifications } from "../notifications/notifications";
import { type PipelineQueue, startRunInTransaction, ZRunOrigin } from "../pipelines/runs";
import type { Keyring } from "../security/encryption";
import { decodeText, guardedFetch, type HostResolver } from "../security/http-guard";
import { renderTemplate, type ScheduleAction } from "./actions";
import type { ScheduleQueue } from "./queue";
import { readWebhookSecret } from "./schedules";
import { promoteWaitingFires } from "./tick";
import { signWebhook } from "./webhook";

/** Bytes of a call_api response body kept on the fire. */
export const maxStoredResponseBytes = 16 * 1024;

export interface FireServices {
  db: Database;
  queue: ScheduleQueue;
  pipelineQueue: PipelineQueue;
  /** Enqueues circle turns (run_task for a circle). */
  circleQueue: CircleQueue;
  scheduleTask: ScheduleTask;
  /** Decrypts webhook secrets; without it webhooks fail. */
  keyring?: Keyring;
  /** Private hosts the outbound guard lets through (GATHERING_ALLOWED_HOSTS). */
  allowedHosts?: readonly string[];
  /** SMTP, when configured. */
  mailer?: Mailer;
  logger: Logger;
  timeoutMs?: number;
  /** Test hook for the guard's resolver. */
  resolveHost?: HostResolver;
}

/** A failure worth another attempt (network, 5xx, 429), as opposed to one a retry cannot fix. */
class RetryableFireError extends Error {}

const permanentCodes = new Set([
  "BAD_REQUEST",
  "VALIDATION_FAILED",
  "FORBIDDEN",
  "NOT_FOUND",
  "PRECONDITION_FAILED",
  "PAYLOAD_TOO_LARGE",
  "UNAUTHORIZED",
  "CONFLICT",
  "BUDGET_EXCEEDED",
]);

function isRetryable(error: unknown): boolean {
  if (error instanceof RetryableFireError) return true;
  if (isAppError(error)) return !permanentCodes.has(error.code);
  return true;
}

function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

interface FireContext {
  services: FireServices;
  fire: ScheduleFireRow;
  schedule: ScheduleRow;
  action: ScheduleAction;
  startedAt: Date;
}

function finishValues(startedAt: Date, status: "succeeded" | "failed", error: string | null) {
  const finishedAt = new Date();
  return { status, error, finishedAt, durationMs: Math.max(0, finishedAt.getTime() - startedAt.getTime()) };
}

async function publishFire(db: Database | Parameters<typeof publishEvent>[0], fire: ScheduleFireRow) {
  await publishEvent(db, fire.projectId, "schedule_fires.changed", {
    scheduleId: fire.scheduleId,
    fireId: fire.id,
    status: fire.status as "queued" | "running" | "succeeded" | "failed",
  });
}

async function executePipelineAction(context: FireContext & { action: Extract<ScheduleAction, { kind: "execute_pipeline" }> }) {
  const { services, fire, schedule, action } = context;
  await services.db.transaction(async (tx) => {
    const locked = await lockScheduleFire(tx, fire.id);
    if (!locked || locked.pipelineRunId || locked.status !== "running") return;
    const run = await startRunInTransaction(tx, services.pipelineQueue, {
      projectId: fire.projectId,
      pipelineId: action.pipelineId,
      ...(action.version !== undefined ? { version: action.version } : {}),
      inputs: action.inputs,
      origin: ZRunOrigin.parse({ kind: "schedule", id: schedule.id }),
      createdBy: schedule.createdBy,
    });
    const finished = await updateScheduleFire(tx, {
      fireId: fire.id,
      values: {
        pipelineRunId: run.id,
        result: { ...(locked.result as object), pipelineRunId: run.id },
        ...finishValues(context.startedAt, "succeeded", null),
      },
    });
    await publishFire(tx, finished);
  });
}

async function runTaskAction(context: FireContext & { action: Extract<ScheduleAction, { kind: "run_task" }> }) {
  const { services, fire, schedule, action } = context;
  if (action.target.kind === "circle") {
    const { circleId } = action.target;
    // The circle run and its link to the fire commit together: a repeated fire job finds the link.
    await services.db.transaction(async (tx) => {
      const locked = await lockScheduleFire(tx, fire.id);
      const result = (locked?.result ?? {}) as { circleRunId?: string };
      if (!locked || result.circleRunId || locked.status !== "running") return;
      const run = await startCircleRun(tx, services.circleQueue, null, {
        projectId: fire.projectId,
        circleId,
        task: action.input,
        origin: { kind: "schedule", id: schedule.id },
      });
      const finished = await updateScheduleFire(tx, {
        fireId: fire.id,
        values: { result: { ...result, circleRunId: run.id }, ...finishValues(context.startedAt, "succeeded", null) },
      });
      await publishFire(tx, finished);
    });
    return;
  }
  const alreadyLinked = new Error("already linked");
  try {
    await submitTask(
      services.db,
      null,
      { projectId: fire.projectId, agentId: action.target.agentId, input: action.input, origin: { kind: "schedule", id: fire.id } },
      async (tx, taskId) => {
        // The task and its link to the fire commit together; a second attempt finds the link and rolls back.
        const locked = await lockScheduleFire(tx, fire.id);
        if (!locked || locked.agentTaskId || locked.status !== "running") throw alreadyLinked;
        await services.scheduleTask(tx, taskId);
        const finished = await updateScheduleFire(tx, {
          fireId: fire.id,
          values: {
            agentTaskId: taskId,
            result: { ...(locked.result as object), agentTaskId: taskId },
            ...finishValues(context.startedAt, "succeeded", null),
          },
        });
        await publishFire(tx, finished);
      },
    );
  } catch (error) {
    if (error !== alreadyLinked) throw error;
  }
}

async function sendNotificationAction(context: FireContext & { action: Extract<ScheduleAction, { kind: "send_notification" }> }) {
  const { services, fire, schedule, action } = context;
  const done = fire.result as { inApp?: unknown; webhook?: { ok?: boolean }; email?: { messageId?: string } };
  const link = `/schedules/${schedule.id}`;
  if (action.inApp && done.inApp === undefined) {
    await services.db.transaction(async (tx) => {
      const delivered = await deliverInAppNotifications(tx, {
        projectId: fire.projectId,
        fireId: fire.id,
        ...(action.inApp?.userIds ? { userIds: action.inApp.userIds } : {}),
        title: action.title,
        body: action.body,
        level: action.level,
        link,
      });
      await mergeScheduleFireResult(tx, { fireId: fire.id, patch: { inApp: { delivered } } });
    });
  }
  if (action.webhook && !done.webhook?.ok) {
    const secret = services.keyring ? readWebhookSecret(services.keyring, schedule) : null;
    if (!secret) throw new AppError("PRECONDITION_FAILED", "The webhook secret cannot be read here (no keyring or no secret)");
    const body = JSON.stringify({
      type: "schedule.notification",
      deliveryId: fire.id,
      schedule: { id: schedule.id, name: schedule.name },
      fireAt: fire.fireAt.toISOString(),
      title: action.title,
      body: action.body,
      level: action.level,
    });
    const timestamp = Math.floor(Date.now() / 1000);
    const response = await guardedFetch(action.webhook.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "idempotency-key": fire.id,
        "x-gathering-delivery": fire.id,
        "x-gathering-timestamp": String(timestamp),
        "x-gathering-signature": signWebhook(secret, timestamp, body),
      },
      body,
      allowedHosts: services.allowedHosts ?? [],
      maxResponseBytes: 1_024,
      timeoutMs: services.timeoutMs ?? 15_000,
      ...(services.resolveHost ? { resolveHost: services.resolveHost } : {}),
    });
    const ok = response.status >= 200 && response.status < 300;
    await mergeScheduleFireResult(services.db, { fireId: fire.id, patch: { webhook: { status: response.status, ok } } });
    if (!ok) {
      const message = `The webhook answered ${response.status}`;
      if (isRetryableStatus(response.status)) throw new RetryableFireError(message);
      throw new AppError("BAD_REQUEST", message);
    }
  }
  if (action.email && !done.email?.messageId) {
    if (!services.mailer) throw new AppError("PRECONDITION_FAILED", "Email is not configured on this server (GATHERING_SMTP_URL)");
    const sent = await services.mailer.send({
      to: action.email.to,
      subject: action.title,
      text: `${action.body}\n\n(Schedule "${schedule.name}", ${fire.fireAt.toISOString()})`,
      idempotencyKey: fire.id,
    });
    await mergeScheduleFireResult(services.db, { fireId: fire.id, patch: { email: { messageId: sent.messageId } } });
  }
}

async function callApiAction(context: FireContext & { action: Extract<ScheduleAction, { kind: "call_api" }> }) {
  const { services, fire, schedule, action } = context;
  const recorded = (fire.result as { response?: { status?: number } }).response?.status;
  // An earlier attempt got its answer recorded and then died: the call happened, do not repeat it.
  if (recorded !== undefined && recorded >= 200 && recorded < 400) return;
  const values = { "fire.id": fire.id, "fire.at": fire.fireAt.toISOString(), "schedule.id": schedule.id, "schedule.name": schedule.name };
  const body = action.body !== undefined && action.method !== "GET" ? renderTemplate(action.body, values) : undefined;
  const hasContentType = Object.keys(action.headers).some((name) => name.toLowerCase() === "content-type");
  const response = await guardedFetch(action.url, {
    method: action.method,
    headers: {
      ...action.headers,
      ...(body !== undefined && !hasContentType ? { "content-type": "application/json" } : {}),
      "idempotency-key": fire.id,
    },
    ...(body !== undefined ? { body } : {}),
    allowedHosts: services.allowedHosts ?? [],
    maxResponseBytes: maxStoredResponseBytes,
    responseType: "bytes",
    timeoutMs: services.timeoutMs ?? 30_000,
    ...(services.resolveHost ? { resolveHost: services.resolveHost } : {}),
  });
  const text = decodeText(response.body, response.headers["content-type"]);
  const stored = {
    status: response.status,
    body: text,
    isTruncated: response.truncated,
    contentType: response.headers["content-type"] ?? null,
  };
  await mergeScheduleFireResult(services.db, { fireId: fire.id, patch: { response: stored } });
  if (response.status >= 200 && response.status < 400) return;
  const message = `The API answered ${response.status}`;
  if (isRetryableStatus(response.status)) throw new RetryableFireError(message);
  throw new AppError("BAD_REQUEST", message);
}

/** An action whose every effect is a database write, so it can commit with the fire's claim and finish. */
function isDatabaseOnly(action: ScheduleAction): boolean {
  if (action.kind === "execute_pipeline") return true;
  return action.kind === "send_notification" && !action.webhook && !action.email;
}

/**
 * A database-only action in the claim's transaction: the fire goes from queued (or running, after a
 * failed attempt) to succeeded in one commit with the notifications or the run it made, so it is done
 * exactly once. Statements that do not depend on each other are sent together (postgres.js pipelines
 * them). Throws when the action fails; that rolls it all back, and the caller runs it the long way.
 */
async function runInClaim(tx: Transaction, services: FireServices, fire: ScheduleFireRow, schedule: ScheduleRow): Promise<ScheduleFireRow> {
  const action = fire.action as ScheduleAction;
  const startedAt = fire.startedAt ?? new Date();
  const result = { ...(fire.result as Record<string, unknown>) };
  const values: Partial<ScheduleFireRow> = {};
  const notifications: Array<{ userId: string; change: "created" }> = [];
  if (action.kind === "execute_pipeline" && !fire.pipelineRunId) {
    const run = await startRunInTransaction(tx, services.pipelineQueue, {
      projectId: fire.projectId,
      pipelineId: action.pipelineId,
      ...(action.version !== undefined ? { version: action.version } : {}),
      inputs: action.inputs,
      origin: ZRunOrigin.parse({ kind: "schedule", id: schedule.id }),
      createdBy: schedule.createdBy,
    });
    values.pipelineRunId = run.id;
    result.pipelineRunId = run.id;
  }
  if (action.kind === "send_notification" && action.inApp && result.inApp === undefined) {
    const notified = await insertMemberNotifications(tx, {
      projectId: fire.projectId,
      fireId: fire.id,
      ...(action.inApp.userIds ? { userIds: action.inApp.userIds } : {}),
      title: action.title,
      body: action.body,
      level: action.level,
      link: `/schedules/${schedule.id}`,
    });
    result.inApp = { delivered: notified.length };
    for (const userId of notified) notifications.push({ userId, change: "created" });
  }
  const [finished] = await Promise.all([
    updateScheduleFire(tx, {
      fireId: fire.id,
      values: { ...values, result, attempts: fire.attempts + 1, startedAt, ...finishValues(startedAt, "succeeded", null) },
    }),
    insertEvents(tx, [
      ...notifications.map((payload) => ({
        projectId: fire.projectId,
        topic: "notifications.changed",
        payload: eventCatalog["notifications.changed"].parse(payload),
      })),
      {
        projectId: fire.projectId,
        topic: "schedule_fires.changed",
        payload: eventCatalog["schedule_fires.changed"].parse({ scheduleId: fire.scheduleId, fireId: fire.id, status: "succeeded" }),
      },
    ]),
  ]);
  return finished;
}

/**
 * Runs the fire's action (attempt `attempt` of `maxAttempts`). Returns the fire's status; throws only
 * to ask the queue for another attempt (with its backoff).
 */
export async function executeScheduleFire(
  services: FireServices,
  input: { fireId: string; attempt: number; maxAttempts: number },
): Promise<string> {
  const { db } = services;
  const claim = (isInline: boolean) =>
    db.transaction(async (tx) => {
      const locked = await lockScheduleFireWithSchedule(tx, input.fireId);
      if (!locked) return null;
      const { fire, schedule } = locked;
      if (fire.status !== "queued" && fire.status !== "running") return { fire, schedule };
      if (isInline && schedule && isDatabaseOnly(fire.action as ScheduleAction)) {
        return { fire: await runInClaim(tx, services, fire, schedule), schedule };
      }
      const running = await updateScheduleFire(tx, {
        fireId: fire.id,
        values: { status: "running", attempts: fire.attempts + 1, startedAt: fire.startedAt ?? new Date() },
      });
      if (fire.status !== "running") await publishFire(tx, running);
      return { fire: running, schedule };
    });
  // A database-only action that fails rolled back with its claim; the long way records the failure.
  const locked = await claim(true).catch((error: unknown) => {
    services.logger.debug({ err: error, fireId: input.fireId }, "schedule action failed in its claim; running it step by step");
    return claim(false);
  });
  if (!locked) return "missing";
  const { fire: claimed, schedule } = locked;
  if (claimed.status !== "running") {
    if (claimed.status === "succeeded" && schedule?.overlapPolicy === "queue_one") await promoteWaitingFires(db, services.queue);
    return claimed.status;
  }
  if (!schedule) return "missing";
  const action = claimed.action as ScheduleAction;
  const context: FireContext = { services, fire: claimed, schedule, action, startedAt: claimed.startedAt ?? new Date() };
  const logger = services.logger.child({ fireId: claimed.id, scheduleId: schedule.id, action: action.kind, attempt: input.attempt });

  let failure: unknown = null;
  try {
    if (action.kind === "execute_pipeline") await executePipelineAction({ ...context, action });
    else if (action.kind === "run_task") await runTaskAction({ ...context, action });
    else if (action.kind === "send_notification") await sendNotificationAction({ ...context, action });
    else await callApiAction({ ...context, action });
  } catch (error) {
    failure = error;
  }
  const message = failure === null ? null : failure instanceof Error ? failure.message : String(failure);
  if (failure !== null && isRetryable(failure) && input.attempt < input.maxAttempts) {
    logger.warn({ err: failure }, "schedule action failed; retrying with backoff");
    await updateScheduleFire(db, { fireId: claimed.id, values: { error: message } });
    throw failure;
  }
  const status = failure === null ? "succeeded" : "failed";
  const finished = await db.transaction(async (tx) => {
    const locked = await lockScheduleFire(tx, claimed.id);
    // execute_pipeline and run_task finish the fire in their own transaction.
    if (locked?.status !== "running") return locked ?? null;
    const row = await updateScheduleFire(tx, { fireId: claimed.id, values: finishValues(context.startedAt, status, message) });
    await publishFire(tx, row);
    return row;
  });
  if (failure !== null) logger.warn({ err: failure }, "schedule action failed");
  if (schedule.overlapPolicy === "queue_one") await promoteWaitingFires(db, services.queue);
  return finished?.status ?? status;
}
