/**
 * The web app's environment, validated once on first use (not at import, so `next build` needs none
 * of it). Nothing else in the web app reads process.env.
 */
import { z } from "zod";

const ZServerEnv = z.object({
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgres:// connection string"),
  GATHERING_DATABASE_KIND: z.enum(["embedded", "external"]).default("external"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  GATHERING_TEST_HOOKS: z.enum(["0", "1"]).default("0"),
});

export type ServerEnv = z.infer<typeof ZServerEnv>;

let cached: ServerEnv | undefined;

export function serverEnv(): ServerEnv {
  if (cached) return cached;
  const parsed = ZServerEnv.safeParse(process.env);
  if (!parsed.success) {
    throw new Error(`Invalid environment: ${JSON.stringify(z.flattenError(parsed.error).fieldErrors)}`);
  }
  cached = parsed.data;
  return cached;
}
