/** The CLI's logger: human-friendly lines on a terminal, JSON lines otherwise (or as LOG_FORMAT says). */
import { createLogger, type Logger } from "@gathering/core";
import pretty from "pino-pretty";
import type { CliConfig } from "./config";

export function createCliLogger(config: CliConfig): Logger {
  const isPretty = (config.LOG_FORMAT ?? (process.stdout.isTTY ? "pretty" : "json")) === "pretty";
  const destination = isPretty ? pretty({ colorize: true, translateTime: "HH:MM:ss", ignore: "pid,hostname,name" }) : undefined;
  return createLogger({ level: config.LOG_LEVEL, name: "gathering", destination });
}
