/**
 * Environment variables that both the HTTP server (./env.ts) and the CLI (packages/cli/src/config.ts)
 * read: one definition each, so a value the CLI accepts is one the server accepts. Only zod here, so
 * the CLI can import it without loading the server.
 */
import { z } from "zod";

/** A comma-separated list; blanks dropped. */
const commaList = () =>
  z
    .string()
    .default("")
    .transform((value) =>
      value
        .split(",")
        .map((item) => item.trim())
        .filter(Boolean),
    );

export const postgresUrl = z.string().regex(/^postgres(ql)?:\/\//, "must be a postgres:// connection string");

export const nextAuthSecret = z.string().min(32, "must be at least 32 characters");

export const sharedEnvFields = {
  /** Project workspaces live in `<data dir>/workspaces`; relative paths resolve against the process's working directory. */
  GATHERING_DATA_DIR: z.string().min(1).default(".gathering"),
  /** Hosts (`host` or `host:port`, comma-separated) tools may reach although they are private, e.g. a local Ollama. */
  GATHERING_ALLOWED_HOSTS: commaList(),
  /** Executables MCP servers may be started with over stdio (comma-separated; `*`: any). Empty: stdio is refused. */
  GATHERING_MCP_STDIO_COMMANDS: commaList(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  GATHERING_BCRYPT_COST: z.coerce.number().int().min(4).max(15).default(12),
};
