/**
 * The HTTP server's environment, validated once on first use (not at import, so `next build` needs none
 * of it). Nothing else on the server side reads process.env.
 */
import { z } from "zod";
import { nextAuthSecret, postgresUrl, sharedEnvFields } from "./env-fields";

const ZServerEnv = z.object({
  ...sharedEnvFields,
  DATABASE_URL: postgresUrl,
  GATHERING_DATABASE_KIND: z.enum(["embedded", "external"]).default("external"),
  GATHERING_TEST_HOOKS: z.enum(["0", "1"]).default("0"),
  NEXTAUTH_SECRET: nextAuthSecret,
  NEXTAUTH_URL: z.url().optional(),
  GATHERING_ENCRYPTION_KEYS: z.string().min(1, "must hold at least one key: id:base64key"),
  GATHERING_SIGNUP_POLICY: z.enum(["open", "invite", "closed"]).default("invite"),
  GATHERING_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  GATHERING_RATE_LIMIT_AUTHENTICATED_PER_MINUTE: z.coerce.number().int().min(1).default(3_000),
  GATHERING_RATE_LIMIT_STRICT_PER_10_MINUTES: z.coerce.number().int().min(1).default(20),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "must be a redis:// URL")
    .optional(),
  UPSTASH_REDIS_REST_URL: z.url().optional(),
  UPSTASH_REDIS_REST_TOKEN: z.string().optional(),
  GATHERING_METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
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
