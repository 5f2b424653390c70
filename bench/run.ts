/** The benchmark harness: `npm run bench [-- <scenario id>…] [--duration s] [--warmup s] [--connections n] [--cpu-prof]`. */
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { startApp } from "./support/app";
import { describeMachine, describeRevision } from "./support/machine";
import { startNodeServer } from "./support/node-server";
import { findMainThreadProfile, renderProfileSummary, summarizeProfile } from "./support/profile";
import { compareWithBaseline, evaluateTarget, readResults, updateBenchmarksMarkdown, writeResult } from "./support/report";
import type { CaseResult, LoadSettings, ResultFile, Scenario, ScenarioContext } from "./support/types";

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const rootDir = path.dirname(benchDir);
const scenariosDir = path.join(benchDir, "scenarios");
const resultsDir = path.join(benchDir, "results");
const benchmarksFile = path.join(rootDir, "BENCHMARKS.md");
const profilesDir = path.join(benchDir, "profiles");

const usage = `Usage: npm run bench -- [scenario id…] [options]

Runs every scenario in bench/scenarios (or the ones named), writes bench/results/<id>.json and
rebuilds the table in BENCHMARKS.md from every result file.

Options:
  --duration <s>     Measured seconds per case (default 10)
  --warmup <s>       Warm-up seconds per case, not counted (default 2)
  --connections <n>  Concurrent connections (default 50)
  --cpu-prof         Run every server under test with --cpu-prof and write, per case, where its main
                     thread spent the measured seconds to bench/profiles/<id>/<time>/ (the profiler
                     slows the servers, so such a run leaves bench/results and BENCHMARKS.md alone)
  --list             List the scenarios and exit
  -h, --help         Show this help`;

function isScenario(value: unknown): value is Scenario {
  const candidate = value as Partial<Scenario> | null;
  return (
    typeof candidate === "object" &&
    candidate !== null &&
    typeof candidate.id === "string" &&
    typeof candidate.title === "string" &&
    typeof candidate.run === "function"
  );
}

async function discoverScenarios(): Promise<Scenario[]> {
  const files = readdirSync(scenariosDir)
    .filter((name) => name.endsWith(".ts"))
    .sort();
  const scenarios: Scenario[] = [];
  for (const file of files) {
    const module = (await import(pathToFileURL(path.join(scenariosDir, file)).href)) as { default?: unknown };
    if (!isScenario(module.default)) throw new Error(`bench/scenarios/${file} must export default { id, title, run(context) }`);
    scenarios.push(module.default);
  }
  const ids = scenarios.map((scenario) => scenario.id);
  const duplicate = ids.find((id, index) => ids.indexOf(id) !== index);
  if (duplicate) throw new Error(`two scenarios have the id "${duplicate}"`);
  return scenarios;
}

function positiveNumber(value: string | undefined, flag: string, fallback: number, { allowZero = false } = {}): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0 || (number === 0 && !allowZero)) throw new UsageError(`${flag} must be a positive number`);
  return number;
}

class UsageError extends Error {}

/** Cleanups of the scenario in progress, so an interrupt still stops the app and the servers. */
let activeCleanups: Array<() => Promise<void> | void> = [];

async function runCleanups(): Promise<void> {
  const cleanups = activeCleanups.reverse();
  activeCleanups = [];
  for (const cleanup of cleanups) {
    try {
      await cleanup();
    } catch (error) {
      console.error("bench: cleanup failed:", error);
    }
  }
}

function onInterrupt(signal: NodeJS.Signals) {
  console.error(`bench: ${signal}: stopping what was started…`);
  void runCleanups().finally(() => process.exit(130));
}

async function runScenario(scenario: Scenario, settings: LoadSettings, cpuProfileDir?: string): Promise<ResultFile> {
  const log = (message: string) => console.log(`[${scenario.id}] ${message}`);
  const nodeArgs = cpuProfileDir ? ["--cpu-prof", `--cpu-prof-dir=${cpuProfileDir}`] : [];
  const context: ScenarioContext = {
    rootDir,
    settings,
    log,
    defer: (cleanup) => {
      activeCleanups.push(cleanup);
    },
    startApp: (options = {}) =>
      startApp({
        rootDir,
        log,
        nodeArgs,
        env: options.env,
        onSpawn: (stop) => {
          activeCleanups.push(async () => {
            const code = await stop();
            if (code !== 0) log(`warning: the app exited with ${code} after SIGTERM (expected 0)`);
            else log("app stopped cleanly");
          });
        },
      }),
    startNodeServer: async (options) => {
      const server = await startNodeServer(options, { nodeArgs });
      activeCleanups.push(server.stop);
      return server;
    },
  };

  const machine = describeMachine();
  const revision = describeRevision(rootDir);
  const date = new Date().toISOString();
  log(`${scenario.title} (load average ${machine.loadAverageAtStart.join(", ")})`);
  let outcome: Awaited<ReturnType<Scenario["run"]>>;
  try {
    outcome = await scenario.run(context);
  } finally {
    await runCleanups();
  }

  const baseline = outcome.cases.find((item) => item.role === "baseline");
  const comparisonOf = (item: CaseResult) => {
    if (item.role === "baseline") return undefined;
    const own = item.baselineId ? outcome.cases.find((candidate) => candidate.id === item.baselineId) : baseline;
    return own ? compareWithBaseline(item.load, own) : undefined;
  };
  return {
    scenario: { id: scenario.id, title: scenario.title },
    machine,
    revision,
    date,
    finishedAt: new Date().toISOString(),
    settings,
    cases: outcome.cases.map((item) => ({
      ...item,
      verdict: item.target ? evaluateTarget(item.load, item.target) : undefined,
      comparison: comparisonOf(item),
    })),
    notes: outcome.notes ?? [],
  };
}

/** After the servers have exited (V8 writes a profile at exit), cuts each one to its case's measured window. */
function writeProfileReport(result: ResultFile, directory: string): string {
  const sections = [
    `# CPU profiles: ${result.scenario.title}`,
    "",
    `Measured ${result.date}; settings ${JSON.stringify(result.settings)}.`,
    "",
  ];
  for (const item of result.cases) {
    const file = item.load.serverPid === undefined ? undefined : findMainThreadProfile(directory, item.load.serverPid);
    if (!file) {
      sections.push(`## ${item.label}`, "", "No profile found for this case's server process.", "");
      continue;
    }
    const summary = summarizeProfile(file, item.load.window);
    sections.push(
      renderProfileSummary(
        `${item.label}: ${item.load.requestsPerSecond} req/s, p99 ${item.load.latencyMs.p99} ms (under the profiler)`,
        { ...summary, file: path.relative(rootDir, file) },
        item.load.requests,
      ),
    );
  }
  const reportFile = path.join(directory, "profile.md");
  writeFileSync(reportFile, sections.join("\n"));
  writeFileSync(path.join(directory, "result.json"), `${JSON.stringify(result, null, 2)}\n`);
  return reportFile;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    strict: true,
    options: {
      duration: { type: "string" },
      warmup: { type: "string" },
      connections: { type: "string" },
      "cpu-prof": { type: "boolean" },
      list: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const settings: LoadSettings = {
    durationSeconds: positiveNumber(values.duration, "--duration", 10),
    warmupSeconds: positiveNumber(values.warmup, "--warmup", 2, { allowZero: true }),
    connections: Math.round(positiveNumber(values.connections, "--connections", 50)),
    pipelining: 1,
  };

  const scenarios = await discoverScenarios();
  if (values.list) {
    for (const scenario of scenarios) console.log(`${scenario.id}\t${scenario.title}`);
    return 0;
  }
  const unknown = positionals.filter((id) => !scenarios.some((scenario) => scenario.id === id));
  if (unknown.length > 0) {
    throw new UsageError(`unknown scenario ${unknown.join(", ")}; known: ${scenarios.map((scenario) => scenario.id).join(", ")}`);
  }
  const selected = positionals.length > 0 ? scenarios.filter((scenario) => positionals.includes(scenario.id)) : scenarios;

  process.once("SIGINT", onInterrupt);
  process.once("SIGTERM", onInterrupt);
  let exitCode = 0;
  for (const scenario of selected) {
    try {
      const cpuProfileDir = values["cpu-prof"]
        ? path.join(profilesDir, scenario.id, new Date().toISOString().replaceAll(":", "-"))
        : undefined;
      if (cpuProfileDir) mkdirSync(cpuProfileDir, { recursive: true });
      const result = await runScenario(scenario, settings, cpuProfileDir);
      const file = cpuProfileDir ? writeProfileReport(result, cpuProfileDir) : writeResult(resultsDir, result);
      console.log(`[${scenario.id}] wrote ${path.relative(rootDir, file)}`);
      for (const item of result.cases) {
        const verdict = item.verdict ? (item.verdict.isMet ? " target met" : ` target MISSED: ${item.verdict.misses.join("; ")}`) : "";
        console.log(
          `[${scenario.id}]   ${item.label}: ${item.load.requestsPerSecond} req/s, p50 ${item.load.latencyMs.p50} ms, p99 ${item.load.latencyMs.p99} ms${verdict}`,
        );
      }
    } catch (error) {
      exitCode = 1;
      console.error(`[${scenario.id}] failed:`, error instanceof Error ? (error.stack ?? error.message) : error);
    }
  }
  if (!values["cpu-prof"]) {
    updateBenchmarksMarkdown(benchmarksFile, readResults(resultsDir));
    console.log(`bench: updated ${path.relative(rootDir, benchmarksFile)}`);
  }
  return exitCode;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError || (error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS"))) {
      console.error(`bench: ${error.message}\n\n${usage}`);
      process.exit(2);
    }
    console.error("bench: failed:", error);
    process.exit(1);
  },
);
