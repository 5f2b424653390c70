/** Where a server's main thread spent one measured window, from the .cpuprofile `node --cpu-prof` wrote. */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface TimeShare {
  name: string;
  ms: number;
  /** Of the busy (non-idle) time in the window. */
  percent: number;
}

export interface ProfileSummary {
  file: string;
  windowMs: number;
  busyMs: number;
  idleMs: number;
  /** Self time grouped by where the code comes from: a package, Node's internals by area, GC. */
  byOrigin: TimeShare[];
  /** Functions by self time. */
  topSelf: TimeShare[];
  /** Functions by time including what they called. */
  topInclusive: TimeShare[];
}

/** `--cpu-prof` names files CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile; thread 0 is the main thread. */
export function findMainThreadProfile(directory: string, pid: number): string | undefined {
  if (!existsSync(directory)) return undefined;
  const name = readdirSync(directory).find(
    (file) => file.endsWith(".cpuprofile") && file.split(".")[3] === String(pid) && file.split(".")[4] === "0",
  );
  return name ? path.join(directory, name) : undefined;
}

/** Code Next.js bundled into .next/server is traced back through the bundle's source map to the package it came from. */
const sourceMaps = new Map<string, SourceMap | null>();

function originalSource(frame: CallFrame): string | undefined {
  if (!frame.url.startsWith("file://")) return undefined;
  const file = fileURLToPath(frame.url);
  let map = sourceMaps.get(file);
  if (map === undefined) {
    map = null;
    if (existsSync(`${file}.map`)) {
      try {
        map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, "utf8")));
      } catch {
        // An unreadable map only costs precision: the bundle's own name is used instead.
      }
    }
    sourceMaps.set(file, map);
  }
  const entry = map?.findEntry(frame.lineNumber, frame.columnNumber) as { originalSource?: string } | undefined;
  return entry?.originalSource;
}

function packageOf(location: string): string | undefined {
  if (location.startsWith("turbopack:///[turbopack]")) return "turbopack runtime";
  const modules = decodeURIComponent(location).match(/node_modules\/((?:@[^/]+\/)?[^/]+)/g);
  const name = modules?.[modules.length - 1]?.slice("node_modules/".length);
  // Some packages' own maps point at their sources by a relative path that no longer names the package.
  if (name === "src") return undefined;
  if (name) return name;
  const workspace = location.match(/(packages|apps)\/([^/]+)\/src\//);
  if (workspace) return `${workspace[1]}/${workspace[2]}`;
  return undefined;
}

const nodeAreas: Array<[RegExp, string]> = [
  [
    /^node:internal\/(webstreams|deps\/undici|abort_controller|event_target|blob)/,
    "node: web streams, fetch Request/Response, AbortSignal",
  ],
  [/^node:(_http|net|internal\/(streams|stream_base_commons|http|net)|stream|events)/, "node: http, net, streams"],
  [/^node:(async_hooks|internal\/(async_hooks|async_local_storage))/, "node: async hooks, AsyncLocalStorage"],
  [/^node:internal\/(modules|vm)/, "node: module loading"],
  [/^node:/, "node: other"],
];

function originOf(frame: CallFrame): string {
  if (frame.functionName === "(garbage collector)") return "GC";
  if (frame.functionName === "(program)") return "V8 (program)";
  if (frame.url === "") return "native functions (syscalls such as socket writes, builtins)";
  for (const [pattern, area] of nodeAreas) if (pattern.test(frame.url)) return area;
  if (frame.url.includes("/.next/server/")) {
    const source = originalSource(frame);
    const name = source ? packageOf(source) : undefined;
    return name ? `${name} (bundled by Next)` : "bundled by Next, origin unknown";
  }
  return packageOf(frame.url) ?? frame.url.replace(/^file:\/\/\//, "/");
}

function frameLabel(frame: CallFrame): string {
  const location = frame.url.replace(/^file:\/\//, "").replace(/.*node_modules\//, "");
  const source = frame.url.includes("/.next/server/")
    ? originalSource(frame)
        ?.replace(/.*node_modules\//, "")
        .replace(/^(\.\.\/)+/, "")
    : undefined;
  return `${frame.functionName || "(anonymous)"} ${source ?? location}${location ? `:${frame.lineNumber + 1}` : ""}`;
}

function rank(totals: Map<string, number>, busyMicros: number, limit: number): TimeShare[] {
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, micros]) => ({
      name,
      ms: Math.round(micros / 100) / 10,
      percent: busyMicros > 0 ? Math.round((micros / busyMicros) * 1000) / 10 : 0,
    }));
}

/** Profile timestamps and process.hrtime() share the monotonic clock, so `window` cuts the profile to exactly the seconds autocannon measured. */
export function summarizeProfile(file: string, window: { startMicros: number; endMicros: number }, limit = 20): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);

  const self = new Map<number, number>();
  let time = profile.startTime;
  for (let index = 0; index < profile.samples.length; index += 1) {
    time += profile.timeDeltas[index] ?? 0;
    if (time < window.startMicros || time > window.endMicros) continue;
    // A sample stands for the time until the next one.
    const duration = profile.timeDeltas[index + 1] ?? 0;
    const id = profile.samples[index] as number;
    self.set(id, (self.get(id) ?? 0) + duration);
  }

  let idle = 0;
  let busy = 0;
  const byOrigin = new Map<string, number>();
  const bySelf = new Map<string, number>();
  const byInclusive = new Map<string, number>();
  for (const [id, micros] of self) {
    const node = nodes.get(id) as ProfileNode;
    if (node.callFrame.functionName === "(idle)") {
      idle += micros;
      continue;
    }
    busy += micros;
    const origin = originOf(node.callFrame);
    byOrigin.set(origin, (byOrigin.get(origin) ?? 0) + micros);
    const label = frameLabel(node.callFrame);
    bySelf.set(label, (bySelf.get(label) ?? 0) + micros);
    // Recursion would count a frame twice; each label counts once per stack.
    const seen = new Set<string>();
    for (let current: number | undefined = id; current !== undefined; current = parents.get(current)) {
      const frame = (nodes.get(current) as ProfileNode).callFrame;
      if (frame.functionName === "(root)") continue;
      const key = frameLabel(frame);
      if (seen.has(key)) continue;
      seen.add(key);
      byInclusive.set(key, (byInclusive.get(key) ?? 0) + micros);
    }
  }
  return {
    file,
    windowMs: Math.round((window.endMicros - window.startMicros) / 1000),
    busyMs: Math.round(busy / 1000),
    idleMs: Math.round(idle / 1000),
    byOrigin: rank(byOrigin, busy, limit),
    topSelf: rank(bySelf, busy, limit),
    topInclusive: rank(byInclusive, busy, limit * 2),
  };
}

export function renderProfileSummary(title: string, summary: ProfileSummary, requests: number): string {
  const perRequest = (ms: number) => (requests > 0 ? `${((ms / requests) * 1000).toFixed(0)} µs/req` : "");
  const table = (rows: TimeShare[]) => rows.map((row) => `| ${row.name} | ${row.ms} | ${row.percent}% | ${perRequest(row.ms)} |`);
  return [
    `## ${title}`,
    "",
    `Main thread, ${summary.windowMs} ms measured window: ${summary.busyMs} ms busy, ${summary.idleMs} ms idle, ${requests} responses (${perRequest(summary.busyMs)} busy). Profile: \`${summary.file}\`.`,
    "",
    "| Self time by origin | ms | % of busy | per request |",
    "| --- | ---: | ---: | ---: |",
    ...table(summary.byOrigin),
    "",
    "| Function (self) | ms | % of busy | per request |",
    "| --- | ---: | ---: | ---: |",
    ...table(summary.topSelf),
    "",
    "| Function (inclusive) | ms | % of busy | per request |",
    "| --- | ---: | ---: | ---: |",
    ...table(summary.topInclusive),
    "",
  ].join("\n");
}
