/** Entry of the `gathering` command: parses arguments, runs one command, sets the exit code. */
import { parseArgs } from "node:util";
import { GATHERING_VERSION } from "@gathering/core";
import { CliError, readConfig } from "./config";
import { createCliLogger } from "./logger";

export const usage = `gathering ${GATHERING_VERSION}: collaborative multi-agent AI

Usage: gathering <command> [options]

Commands:
  start       Start everything: database (embedded unless DATABASE_URL is set), migrations, worker and web
  worker      Start a worker only (for a deployment of N web instances and M workers)
  migrate     Apply database migrations and exit
  token create --project <id> --email <user> --name <name> [--role member] [--expires-in-days N]
              Create an API token for the SDK (printed once)
  secrets rotate
              Re-encrypt stored provider keys with a new key (data-dir keys) or the first of
              GATHERING_ENCRYPTION_KEYS
  secrets new-key
              Print a new key entry for GATHERING_ENCRYPTION_KEYS
  audit verify
              Check the audit log's hash chain (exit 1 when broken)
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
  "token create": {
    project: { type: "string" },
    email: { type: "string" },
    name: { type: "string" },
    role: { type: "string" },
    "expires-in-days": { type: "string" },
  },
  "secrets rotate": {},
  "secrets new-key": {},
  "audit verify": {},
} as const;

const commandGroups = new Set(["token", "secrets", "audit"]);

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
  let command = first;
  if (commandGroups.has(first)) {
    const sub = rest.shift();
    command = `${first} ${sub ?? ""}`.trim();
  }
  if (!isCommand(command)) throw new CliError(`unknown command "${command}". Run "gathering --help" for the list of commands.`);
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(usage);
    return 0;
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: rest, options: commandOptions[command], strict: true, allowPositionals: false }).values as typeof values;
  } catch (error) {
    throw new CliError(`${error instanceof Error ? error.message : String(error)}. Run "gathering --help" for usage.`);
  }
  const config = readConfig();
  const logger = createCliLogger(config);
  // Loaded per command: help and argument errors should not wait for Next.js and the worker to load.
  const { runMigrate, runStart, runWorkerOnly } = await import("./commands");
  const { runAuditVerify, runSecretsNewKey, runSecretsRotate, runTokenCreate } = await import("./admin-commands");
  switch (command) {
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
    case "token create":
      return runTokenCreate(config, logger, {
        project: values.project as string | undefined,
        email: values.email as string | undefined,
        name: values.name as string | undefined,
        role: values.role as string | undefined,
        expiresInDays: parsePositiveInteger(values["expires-in-days"] as string | undefined, "--expires-in-days", { max: 3_650 }),
      });
    case "secrets rotate":
      return runSecretsRotate(config, logger);
    case "secrets new-key":
      return runSecretsNewKey();
    case "audit verify":
      return runAuditVerify(config, logger);
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
