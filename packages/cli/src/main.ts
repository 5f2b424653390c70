/** Entry of the `gathering` command: parses arguments, runs one command, sets the exit code. */
import { parseArgs } from "node:util";
import { GATHERING_VERSION } from "@gathering/core";
import { runMigrate, runStart, runWorkerOnly } from "./commands";
import { CliError, readConfig } from "./config";
import { createCliLogger } from "./logger";

export const usage = `gathering ${GATHERING_VERSION}: collaborative multi-agent AI

Usage: gathering <command> [options]

Commands:
  start       Start everything: database (embedded unless DATABASE_URL is set), migrations, worker and web
  worker      Start a worker only (for a deployment of N web instances and M workers)
  migrate     Apply database migrations and exit
  help        Show this help

Options for start:
  --port <n>         Port of the web server (default: $PORT or 3000)
  --host <address>   Address to listen on (default: $HOST or 127.0.0.1)
  --no-worker        Run the web server without a worker in this process
  --dev              Run the dashboard in development mode (no production build)

Options for worker:
  --concurrency <n>  Jobs run at once (default: $GATHERING_WORKER_CONCURRENCY or 4)

Global options:
  -h, --help         Show this help
  -v, --version      Print the version

Configuration comes from the environment; see README.md for every variable.`;

function parsePositiveInteger(value: string | undefined, flag: string, { min = 1, max = 65_535 } = {}): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max)
    throw new CliError(`${flag} must be a whole number from ${min} to ${max}, got "${value}"`);
  return number;
}

const commandOptions = {
  start: {
    port: { type: "string" },
    host: { type: "string" },
    "no-worker": { type: "boolean" },
    dev: { type: "boolean" },
  },
  worker: { concurrency: { type: "string" } },
  migrate: {},
} as const;

type CommandName = keyof typeof commandOptions;
const isCommand = (name: string): name is CommandName => Object.hasOwn(commandOptions, name);

export async function run(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === "help" || first === "--help" || first === "-h") {
    console.log(usage);
    return first === undefined ? 2 : 0;
  }
  if (first === "--version" || first === "-v") {
    console.log(GATHERING_VERSION);
    return 0;
  }
  if (!isCommand(first)) throw new CliError(`unknown command "${first}". Run "gathering --help" for the list of commands.`);
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(usage);
    return 0;
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: rest, options: commandOptions[first], strict: true, allowPositionals: false }).values as typeof values;
  } catch (error) {
    throw new CliError(`${error instanceof Error ? error.message : String(error)}. Run "gathering --help" for usage.`);
  }
  const config = readConfig();
  const logger = createCliLogger(config);
  switch (first) {
    case "start":
      return runStart(config, logger, {
        port: parsePositiveInteger(values.port as string | undefined, "--port", { min: 0 }),
        host: values.host as string | undefined,
        isWorkerEnabled: !values["no-worker"],
        isDev: Boolean(values.dev),
      });
    case "worker":
      return runWorkerOnly(config, logger, {
        concurrency: parsePositiveInteger(values.concurrency as string | undefined, "--concurrency", { max: 256 }),
      });
    case "migrate":
      return runMigrate(config, logger);
  }
}

export async function main(argv: string[]): Promise<void> {
  try {
    process.exitCode = await run(argv);
  } catch (error) {
    if (error instanceof CliError) {
      console.error(`gathering: ${error.message}`);
      process.exitCode = 2;
    } else {
      console.error("gathering: failed:", error instanceof Error ? (error.stack ?? error.message) : error);
      process.exitCode = 1;
    }
  }
  // Pools and timers are closed by now; exit without waiting on anything a library left behind.
  process.exit(process.exitCode);
}
