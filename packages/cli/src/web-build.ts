/**
 * The dashboard's production build is made once and reused: a stamp of the sources it was built from
 * sits next to it, and a start rebuilds only when the sources changed.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import type { Logger } from "@gathering/core";

const require = createRequire(import.meta.url);

function listFiles(directory: string): string[] {
  if (!existsSync(directory)) return [];
  const files: string[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name === ".next" || entry.name.endsWith(".test.ts")) continue;
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) files.push(...listFiles(full));
    else files.push(full);
  }
  return files;
}

/** A hash of every source the web build is made from. */
export function webSourceStamp(rootDir: string): string {
  const inputs = [
    ...listFiles(path.join(rootDir, "apps/web/src")),
    ...["api", "auth", "core", "db", "jobs", "server"].flatMap((name) => listFiles(path.join(rootDir, "packages", name, "src"))),
    path.join(rootDir, "apps/web/next.config.ts"),
    path.join(rootDir, "apps/web/postcss.config.mjs"),
    path.join(rootDir, "apps/web/package.json"),
    path.join(rootDir, "drizzle/meta/_journal.json"),
    path.join(rootDir, "package-lock.json"),
  ].filter((file) => existsSync(file));
  const hash = createHash("sha256");
  for (const file of inputs.sort()) {
    hash.update(path.relative(rootDir, file));
    hash.update(readFileSync(file));
  }
  return hash.digest("hex");
}

async function waitForLockRelease(lockDir: string, logger: Logger): Promise<void> {
  logger.info("another process is building the dashboard; waiting for it");
  const deadline = Date.now() + 10 * 60_000;
  while (existsSync(lockDir)) {
    // A lock older than the longest build is left over from a killed process.
    if (Date.now() - statSync(lockDir).mtimeMs > 10 * 60_000 || Date.now() > deadline) {
      await rm(lockDir, { recursive: true, force: true });
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

export async function ensureWebBuild(rootDir: string, logger: Logger): Promise<void> {
  const webDir = path.join(rootDir, "apps/web");
  const stampFile = path.join(webDir, ".next/gathering-source-stamp");
  const lockDir = path.join(webDir, ".next-build.lock");
  const stamp = webSourceStamp(rootDir);
  const isCurrent = () =>
    existsSync(path.join(webDir, ".next/BUILD_ID")) && existsSync(stampFile) && readFileSync(stampFile, "utf8") === stamp;
  if (isCurrent()) return;

  try {
    await mkdir(lockDir);
  } catch {
    await waitForLockRelease(lockDir, logger);
    if (isCurrent()) return;
    await mkdir(lockDir, { recursive: true });
  }
  try {
    logger.info("building the dashboard (once; reused until the sources change)…");
    const startedAt = Date.now();
    const nextBin = require.resolve("next/dist/bin/next", { paths: [webDir] });
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, [nextBin, "build"], {
        cwd: webDir,
        env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      child.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.stderr.on("data", (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.on("error", reject);
      child.on("close", (code) =>
        code === 0 ? resolve() : reject(new Error(`next build failed (exit ${code}):\n${output.slice(-4_000)}`)),
      );
    });
    await writeFile(stampFile, stamp);
    logger.info({ seconds: Math.round((Date.now() - startedAt) / 1000) }, "dashboard built");
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}
