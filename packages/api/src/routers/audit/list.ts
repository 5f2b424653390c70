/** audit.list: the project's audit events, newest first, filtered, searched and paginated by id. */
import { auditActions, ZListSearch } from "@gathering/core";
import { listAuditEvents } from "@gathering/db";
import { z } from "zod";
import { projectProcedure } from "../../trpc";

/** A date PostgreSQL can compare with (its timestamps end at 4713 BC; a JS Date reaches 271,821 BC). */
const ZAuditDate = z
  .date()
  .min(new Date("0001-01-01T00:00:00Z"), "Choose a date after the year 0")
  .max(new Date("9999-12-31T23:59:59Z"), "Choose a date before the year 10000");

export const ZListAuditInput = z.object({
  action: z.enum(auditActions).optional(),
  actorUserId: z.uuid().optional(),
  from: ZAuditDate.optional(),
  to: ZAuditDate.optional(),
  /** Part of the target or of the details. */
  search: ZListSearch.optional(),
  beforeId: z.number().int().positive().optional(),
  limit: z.number().int().min(1).max(200).default(50),
});

export const list = projectProcedure("admin")
  .input(ZListAuditInput)
  .query(async ({ ctx, input }) => {
    // One row more than asked says whether an older page exists, so the last page offers no empty "more".
    const rows = await listAuditEvents(ctx.db, { ...input, projectId: ctx.project.id, limit: input.limit + 1 });
    const events = rows.slice(0, input.limit);
    return { events, nextBeforeId: rows.length > input.limit ? (events.at(-1)?.id ?? null) : null };
  });
