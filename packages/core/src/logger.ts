/**
 * Structured logging with pino. Secrets are redacted by path wherever they appear in a log object, so a
 * careless `logger.info({ headers })` cannot leak a token. Lines written inside traced work carry its
 * `traceId` and `spanId`, so a log line leads to its trace and back.
 */
import pino, { type DestinationStream, type Logger, type LoggerOptions } from "pino";
import { traceLogFields } from "./telemetry/tracing";

export type { Logger };

export const redactedPaths = [
  "password",
  "*.password",
  "apiKey",
  "*.apiKey",
  "token",
  "*.token",
  "secret",
  "*.secret",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "*.headers.authorization",
  "headers.cookie",
  "*.headers.cookie",
  "cookie",
  "*.cookie",
  "connectionString",
  "*.connectionString",
];

export interface CreateLoggerOptions {
  level?: string;
  name?: string;
  /** Where lines go; defaults to stdout. Tests pass a stream to capture output. */
  destination?: DestinationStream;
}

export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const config: LoggerOptions = {
    name: options.name ?? "gathering",
    level: options.level ?? "info",
    redact: { paths: redactedPaths, censor: "[redacted]" },
    base: { pid: process.pid },
    mixin: traceLogFields,
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}
