/**
 * What a schedule does when it fires. Each action is validated twice: its shape by zod here, and its
 * references (the agent, pipeline or recipients it names) against the schedule's own project, so a
 * schedule can never reach into another project.
 */
import { type DbExecutor, findAgent, findCircle, findPipeline, listMembers } from "@gathering/db";
import { z } from "zod";
import { ZTaskInput } from "../agents/tasks";
import { AppError } from "../errors";
import { hasControlCharacters, hasControlCharactersInText } from "../validation";

const ZTitle = z
  .string()
  .trim()
  .min(1, "Give the notification a title")
  .max(200)
  .refine((value) => !hasControlCharacters(value), "Titles cannot contain control characters");

const ZHttpUrl = z
  .string()
  .max(2_000)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === "http:" || url.protocol === "https:") && !url.username && !url.password;
    } catch {
      return false;
    }
  }, "Use an http or https URL without credentials in it");

const headerName = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/;
/** Headers the client sets itself; a schedule cannot replace them. */
const reservedHeaders = new Set(["host", "content-length", "idempotency-key", "transfer-encoding", "connection"]);

const ZHeaders = z
  .record(z.string(), z.string().max(4_000))
  .default({})
  .refine((headers) => Object.keys(headers).length <= 30, "At most 30 headers")
  .refine((headers) => Object.keys(headers).every((name) => headerName.test(name)), "Header names are letters, digits and -")
  .refine(
    (headers) => Object.keys(headers).every((name) => !reservedHeaders.has(name.toLowerCase())),
    "Host, Content-Length, Connection, Transfer-Encoding and Idempotency-Key are set by GatheRing",
  )
  .refine((headers) => Object.values(headers).every((value) => !/[\r\n\0]/.test(value)), "Header values are one line");

export const ZRunTaskAction = z.object({
  kind: z.literal("run_task"),
  /** An agent gets a background task; a circle starts a run on the task. */
  target: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("agent"), agentId: z.uuid() }),
    z.object({ kind: z.literal("circle"), circleId: z.uuid() }),
  ]),
  input: ZTaskInput,
});

export const ZExecutePipelineAction = z.object({
  kind: z.literal("execute_pipeline"),
  pipelineId: z.uuid(),
  /** Defaults to the pipeline's newest version at fire time. */
  version: z.number().int().min(1).optional(),
  inputs: z.record(z.string(), z.unknown()).default({}),
});

export const ZSendNotificationAction = z
  .object({
    kind: z.literal("send_notification"),
    title: ZTitle,
    body: z
      .string()
      .max(10_000)
      .default("")
      .refine((value) => !hasControlCharactersInText(value), "The text cannot contain control characters"),
    level: z.enum(["info", "success", "warning", "error"]).default("info"),
    /** The bell: the listed members, or every member of the project when no list is given. */
    inApp: z.object({ userIds: z.array(z.uuid()).max(200).optional() }).optional(),
    /** POSTed as JSON, signed with the schedule's secret (X-Gathering-Signature), retried with backoff. */
    webhook: z.object({ url: ZHttpUrl }).optional(),
    /** Sent over SMTP when the server is configured for it (GATHERING_SMTP_URL). */
    email: z.object({ to: z.array(z.email()).min(1).max(50) }).optional(),
  })
  .refine((action) => action.inApp || action.webhook || action.email, "Choose at least one channel: in-app, webhook or email");

export const ZCallApiAction = z.object({
  kind: z.literal("call_api"),
  method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE"]).default("POST"),
  url: ZHttpUrl,
  headers: ZHeaders,
  /** A template: {{fire.id}}, {{fire.at}}, {{schedule.id}} and {{schedule.name}} are replaced. */
  body: z
    .string()
    .max(64 * 1024)
    .optional(),
});

export const ZScheduleAction = z.discriminatedUnion("kind", [
  ZRunTaskAction,
  ZExecutePipelineAction,
  ZSendNotificationAction,
  ZCallApiAction,
]);
export type ScheduleAction = z.output<typeof ZScheduleAction>;
export type ScheduleActionKind = ScheduleAction["kind"];

export function hasWebhook(action: ScheduleAction): boolean {
  return action.kind === "send_notification" && action.webhook !== undefined;
}

/** Checks that what the action names exists in the project (and is usable); throws a typed AppError. */
export async function assertActionReferences(db: DbExecutor, projectId: string, action: ScheduleAction): Promise<void> {
  if (action.kind === "run_task") {
    if (action.target.kind === "circle") {
      const circle = await findCircle(db, { projectId, circleId: action.target.circleId });
      if (!circle) throw new AppError("NOT_FOUND", "The circle does not exist in this project", { field: "action.target.circleId" });
      if (circle.archivedAt) throw new AppError("PRECONDITION_FAILED", `The circle "${circle.name}" is archived`);
      return;
    }
    const agent = await findAgent(db, { projectId, agentId: action.target.agentId });
    if (!agent) throw new AppError("NOT_FOUND", "The agent does not exist in this project", { field: "action.target.agentId" });
    if (agent.archivedAt) throw new AppError("PRECONDITION_FAILED", `The agent "${agent.name}" is archived`);
    return;
  }
  if (action.kind === "execute_pipeline") {
    const pipeline = await findPipeline(db, { projectId, pipelineId: action.pipelineId });
    if (!pipeline) throw new AppError("NOT_FOUND", "The pipeline does not exist in this project", { field: "action.pipelineId" });
    if (pipeline.archivedAt) throw new AppError("PRECONDITION_FAILED", `The pipeline "${pipeline.name}" is archived`);
    if (action.version !== undefined && action.version > pipeline.currentVersion) {
      throw new AppError("NOT_FOUND", `The pipeline has no version ${action.version}`, { field: "action.version" });
    }
    return;
  }
  if (action.kind === "send_notification" && action.inApp?.userIds) {
    const members = new Set((await listMembers(db, projectId)).map((member) => member.userId));
    const strangers = action.inApp.userIds.filter((userId) => !members.has(userId));
    if (strangers.length > 0) {
      throw new AppError("NOT_FOUND", "Notifications go to members of this project only", { field: "action.inApp.userIds" });
    }
  }
}

/** Fills a call_api body template; values are inserted as they are (JSON bodies quote them themselves). */
export function renderTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{\s*([a-z]+\.[a-z]+)\s*\}\}/gi, (match, name: string) => values[name] ?? match);
}
