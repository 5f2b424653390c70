/** audit.list: the project's audit events, newest first, filtered and paginated by id. */
import { auditActions } from "@gathering/core";
import { listAuditEvents } from "@gathering/db";
import { z } from "zod";
import { projectProcedure } from "../../trpc";

export const ZListAuditInput = z.object({
  action: z.enum(auditActions).optional(),
  actorUserId: z.uuid().optional(),
  from: z.date().optional(),
  to: z.date().optional(),
  beforeId: z.number().int().positive().optional(),
  limit: z.number().int().min(1).max(200).default(50),
});

export const list = projectProcedure("admin")
  .input(ZListAuditInput)
  .query(async ({ ctx, input }) => {
    const events = await listAuditEvents(ctx.db, { ...input, projectId: ctx.project.id });
    return { events, nextBeforeId: events.length === input.limit ? (events.at(-1)?.id ?? null) : null };
  });
