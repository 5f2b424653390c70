/** The contract between the harness, its scenarios and the result files they leave in bench/results. */
import type { AppHandle } from "./app";
import type { LoadResult } from "./load";
import type { NodeServerHandle, NodeServerOptions } from "./node-server";

export interface LoadSettings {
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  pipelining: number;
}

export interface ScenarioContext {
  rootDir: string;
  settings: LoadSettings;
  log: (message: string) => void;
  /** Registers a cleanup the harness runs (last registered first) when the scenario ends, fails or is interrupted. */
  defer: (cleanup: () => Promise<void> | void) => void;
  /** Starts the app in a fresh data directory, with `env` added to its environment; it is stopped when the scenario ends. */
  startApp: (options?: { env?: Record<string, string> }) => Promise<AppHandle>;
  /** Starts a plain Node http server in a child process; it is stopped when the scenario ends. */
  startNodeServer: (options: NodeServerOptions) => Promise<NodeServerHandle>;
}

export interface CaseTarget {
  minRequestsPerSecond?: number;
  maxP99Ms?: number;
}

/** subject: what a target is about; baseline: the floor it is compared with; breakdown: layers in between, to see where time goes. */
export type CaseRole = "subject" | "baseline" | "breakdown";

export interface CaseResult {
  id: string;
  label: string;
  role: CaseRole;
  description?: string;
  target?: CaseTarget;
  /** The baseline case this one is compared with; defaults to the scenario's first baseline. */
  baselineId?: string;
  load: LoadResult;
}

export interface ScenarioOutcome {
  cases: CaseResult[];
  /** Findings the scenario derived from its own numbers; printed under the table. */
  notes?: string[];
}

export interface Scenario {
  id: string;
  title: string;
  run: (context: ScenarioContext) => Promise<ScenarioOutcome>;
}

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  totalMemoryGiB: number;
  platform: string;
  arch: string;
  osRelease: string;
  node: string;
  /** 1, 5 and 15 minute load averages when the scenario started: a busy machine explains a slow run. */
  loadAverageAtStart: number[];
}

export interface Revision {
  commit: string;
  /** The app measured had changes not in `commit` (files outside bench/). */
  hasUncommittedChanges: boolean;
}

export interface TargetVerdict {
  isMet: boolean;
  misses: string[];
}

export interface BaselineComparison {
  baselineId: string;
  /** Ours over the baseline's: below 1 means slower than the baseline. */
  requestsPerSecondRatio: number;
  /** Ours over the baseline's: above 1 means a longer tail than the baseline. */
  p99Ratio: number;
}

export interface ResultFile {
  scenario: { id: string; title: string };
  machine: MachineInfo;
  revision?: Revision;
  date: string;
  finishedAt: string;
  settings: LoadSettings;
  cases: Array<CaseResult & { verdict?: TargetVerdict; comparison?: BaselineComparison }>;
  notes: string[];
}
