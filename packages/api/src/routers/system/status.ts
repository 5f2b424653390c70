/** system.status: a live feed of worker status for the dashboard's status indicator (SSE). */
import { getSystemInfo } from "@gathering/core";
import { z } from "zod";
import { publicProcedure } from "../../trpc";

export const ZSystemStatusInput = z
  .object({ intervalMs: z.number().int().min(1_000).max(60_000).default(5_000) })
  .default({ intervalMs: 5_000 });

export const status = publicProcedure.input(ZSystemStatusInput).subscription(async function* ({ ctx, input, signal }) {
  while (!signal?.aborted) {
    const info = await getSystemInfo(ctx.db, { databaseKind: ctx.services.databaseKind });
    yield { workers: info.workers, at: new Date() };
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, input.intervalMs);
      signal?.addEventListener(
        "abort",
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
  }
});
