/** Playwright end-to-end suite: one real GatheRing (embedded PostgreSQL, worker, web) shared by the API and UI tests. */
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { defineConfig } from "@playwright/test";
import { stopLeftoverPostgresSync } from "./e2e/support/app";
import { METRICS_TOKEN } from "./e2e/support/metrics";

const WEB_PORT = 3210;
const PG_PORT = 54391;
const baseURL = `http://127.0.0.1:${WEB_PORT}`;

/**
 * Playwright loads this file in the runner and again in every worker. The runner makes the data
 * directory and passes it on through the environment, which workers inherit, so there is only one;
 * the runner removes it on exit, after the web server has been stopped (global teardown would run
 * before that).
 */
function webServerDataDir(): string {
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: set by this file for its own workers; turbo never runs it.
  const inherited = process.env.GATHERING_E2E_DATA_DIR;
  if (inherited) return inherited;
  const directory = mkdtempSync(path.join(tmpdir(), "gathering-e2e-web-"));
  // mkdtemp makes the folder 0700; the embedded server runs as the `postgres` user and must reach into it.
  chmodSync(directory, 0o755);
  process.env.GATHERING_E2E_DATA_DIR = directory;
  process.once("exit", () => {
    // Normally the app has stopped its PostgreSQL by now; after a crash or a kill it may not have.
    stopLeftoverPostgresSync(directory);
    rmSync(directory, { recursive: true, force: true });
  });
  return directory;
}

export default defineConfig({
  testDir: "e2e",
  outputDir: "e2e/artifacts/test-results",
  // One app on two cores: tests in parallel would only measure contention.
  workers: 1,
  fullyParallel: false,
  forbidOnly: true,
  // In CI a failed test runs once more and, if it then passes, is reported as flaky (not hidden): the
  // first attempt's trace, screenshot and diagnosis (requests in flight, server metrics) stay in the report.
  retries: process.env.CI ? 1 : 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [["list"], ["html", { outputFolder: "e2e/artifacts/report", open: "never" }]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  projects: [
    { name: "api", testMatch: "api/**/*.spec.ts" },
    {
      name: "ui",
      testMatch: "ui/**/*.spec.ts",
      use: {
        browserName: "chromium",
        viewport: { width: 1280, height: 800 },
        launchOptions: {
          // The system Chromium: the suite never downloads browsers.
          executablePath: "/usr/bin/chromium",
          args: [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--no-first-run",
          ],
        },
      },
    },
  ],
  webServer: {
    command: `node packages/cli/bin/gathering.mjs start --port ${WEB_PORT}`,
    cwd: ".",
    url: `${baseURL}/api/ready`,
    // The first start may build the dashboard.
    timeout: 420_000,
    reuseExistingServer: false,
    env: {
      GATHERING_DATA_DIR: webServerDataDir(),
      GATHERING_PG_PORT: String(PG_PORT),
      PORT: String(WEB_PORT),
      HOST: "127.0.0.1",
      // An inherited DATABASE_URL would point the app at an external server instead of a fresh embedded one.
      DATABASE_URL: "",
      LOG_FORMAT: "json",
      // Only warnings and errors reach the test output, where they point at a problem.
      LOG_LEVEL: "warn",
      GATHERING_TEST_HOOKS: "1",
      GATHERING_METRICS_TOKEN: METRICS_TOKEN,
      NEXT_TELEMETRY_DISABLED: "1",
    },
    stdout: "pipe",
    stderr: "pipe",
    // The app's own shutdown stops the web server, the worker and the embedded PostgreSQL in order.
    gracefulShutdown: { signal: "SIGTERM", timeout: 30_000 },
  },
});
