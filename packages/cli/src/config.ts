/** The CLI's configuration, read from the environment once and validated. Nothing else reads process.env. */
import path from "node:path";
import { nextAuthSecret, postgresUrl, sharedEnvFields } from "@gathering/server/env-fields";
import { z } from "zod";

/** OTLP exporter headers as the OpenTelemetry spec writes them: `key1=value1,key2=value2`, values percent-encoded. */
function parseOtlpHeaders(value: string, context: z.RefinementCtx): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const entry of value.split(",")) {
    if (entry.trim() === "") continue;
    const separator = entry.indexOf("=");
    const key = entry.slice(0, separator).trim();
    try {
      if (separator <= 0 || key === "") throw new Error("no key");
      headers[key] = decodeURIComponent(entry.slice(separator + 1).trim());
    } catch {
      // The values are usually credentials: name the rule, never echo the entry.
      context.addIssue({ code: "custom", message: "must be key=value pairs separated by commas, values percent-encoded" });
      return z.NEVER;
    }
  }
  return headers;
}

const ZCliEnv = z.object({
  ...sharedEnvFields,
  DATABASE_URL: postgresUrl.optional().or(z.literal("").transform(() => undefined)),
  GATHERING_PG_PORT: z.coerce.number().int().min(1).max(65_535).default(54_329),
  PORT: z.coerce.number().int().min(0).max(65_535).default(3_000),
  HOST: z.string().min(1).default("127.0.0.1"),
  LOG_FORMAT: z.enum(["pretty", "json"]).optional(),
  GATHERING_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(4),
  GATHERING_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  NEXTAUTH_SECRET: nextAuthSecret.optional(),
  GATHERING_ENCRYPTION_KEYS: z.string().min(1).optional(),
  GATHERING_ADMIN_EMAIL: z.string().optional(),
  GATHERING_ADMIN_PASSWORD: z.string().optional(),
  GATHERING_EVENT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3_650).default(30),
  /** Longest gap between schedule ticks in ms (due schedules are ticked at their time anyway). */
  GATHERING_SCHEDULE_TICK_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  /** SMTP for schedules' email notifications, e.g. smtp://user:password@mail.example.com:587; unset: email is off. */
  GATHERING_SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, "must be an smtp:// or smtps:// URL")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  GATHERING_SMTP_FROM: z.string().min(3).optional(),
  /** Behind a reverse proxy, take the client address from X-Forwarded-For. */
  GATHERING_TRUST_PROXY: z
    .enum(["0", "1", "true", "false"])
    .default("0")
    .transform((value) => value === "1" || value === "true"),
  /** OpenTelemetry: spans are exported over OTLP/HTTP only when an endpoint is set. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .url({ protocol: /^https?$/, error: "must be an http(s):// URL" })
    .optional()
    .or(z.literal("").transform(() => undefined)),
  OTEL_EXPORTER_OTLP_HEADERS: z
    .string()
    .optional()
    .transform((value, context) => (value ? parseOtlpHeaders(value, context) : undefined)),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
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
