/** system.info: version, database kind and version, worker status. */
import { getSystemInfo } from "@gathering/core";
import { z } from "zod";
import { publicProcedure } from "../../trpc";

export const ZSystemInfoOutput = z.object({
  version: z.string(),
  database: z.object({ kind: z.enum(["embedded", "external"]), version: z.string(), versionNumber: z.number().int() }),
  workers: z.object({ status: z.enum(["running", "none"]), live: z.number().int(), lastSeenAt: z.date().nullable() }),
  /** The vector search path of knowledge bases: "pgvector" (HNSW index) or "exact" (in-process index, no extension). */
  knowledge: z.object({
    vectorPath: z.enum(["pgvector", "exact"]),
    extensionVersion: z.string().nullable(),
    reason: z.string().nullable(),
  }),
});
export type TSystemInfoOutput = z.infer<typeof ZSystemInfoOutput>;

export const info = publicProcedure
  .output(ZSystemInfoOutput)
  .query(({ ctx }) => getSystemInfo(ctx.db, { databaseKind: ctx.services.databaseKind, maxAgeMs: ctx.services.systemInfoMaxAgeMs ?? 0 }));
