/** What the numbers were measured on, and which code, stored beside them: they mean nothing without it. */
import { execFileSync } from "node:child_process";
import os from "node:os";
import type { MachineInfo, Revision } from "./types";

export function describeRevision(rootDir: string): Revision {
  const git = (...args: string[]) =>
    execFileSync("git", args, { cwd: rootDir, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  try {
    // Only changes outside bench/ and the results make the measured code differ from the commit.
    const changed = git("status", "--porcelain", "--", ".", ":!bench", ":!BENCHMARKS.md");
    return { commit: git("rev-parse", "--short=12", "HEAD"), hasUncommittedChanges: changed.length > 0 };
  } catch {
    return { commit: "unknown", hasUncommittedChanges: false };
  }
}

export function describeMachine(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpus: os.availableParallelism?.() ?? cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? "unknown",
    totalMemoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    platform: os.platform(),
    arch: os.arch(),
    osRelease: os.release(),
    node: process.version,
    loadAverageAtStart: os.loadavg().map((value) => Math.round(value * 100) / 100),
  };
}
