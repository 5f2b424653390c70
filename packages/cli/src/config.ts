/** The CLI's configuration, read from the environment once and validated. Nothing else reads process.env. */
import path from "node:path";
import { z } from "zod";

const ZCliEnv = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// connection string")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  GATHERING_DATA_DIR: z.string().min(1).default(".gathering"),
  GATHERING_PG_PORT: z.coerce.number().int().min(1).max(65_535).default(54_329),
  PORT: z.coerce.number().int().min(0).max(65_535).default(3_000),
  HOST: z.string().min(1).default("127.0.0.1"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  LOG_FORMAT: z.enum(["pretty", "json"]).optional(),
  GATHERING_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(4),
  GATHERING_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  NEXTAUTH_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  GATHERING_ENCRYPTION_KEYS: z.string().min(1).optional(),
  GATHERING_ADMIN_EMAIL: z.string().optional(),
  GATHERING_ADMIN_PASSWORD: z.string().optional(),
  GATHERING_BCRYPT_COST: z.coerce.number().int().min(4).max(15).default(12),
  GATHERING_EVENT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3_650).default(30),
  /** Behind a reverse proxy, take the client address from X-Forwarded-For. */
  GATHERING_TRUST_PROXY: z
    .enum(["0", "1", "true", "false"])
    .default("0")
    .transform((value) => value === "1" || value === "true"),
});

export type CliConfig = z.infer<typeof ZCliEnv> & { dataDir: string };

export function readConfig(env: NodeJS.ProcessEnv = process.env): CliConfig {
  const parsed = ZCliEnv.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`).join("\n");
    throw new CliError(`invalid configuration in the environment:\n${problems}`);
  }
  return { ...parsed.data, dataDir: path.resolve(parsed.data.GATHERING_DATA_DIR) };
}

/** An error the user caused and can fix: printed without a stack trace, exit code 2. */
export class CliError extends Error {
  override readonly name = "CliError";
}
