/** Start, graceful stop on SIGTERM and restart of a real instance of its own: requests finish, nothing is left running, data survives. */

import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { createGatheringClient } from "@gathering/client";
import { expect, test } from "@playwright/test";
import {
  type AppProcess,
  createDataDir,
  postgresProcessesFor,
  postmasterPidFile,
  removeDataDir,
  startApp,
  stopApp,
  stopLeftoverPostgres,
  waitForExit,
  waitForReady,
} from "../support/app";
import { connectToEmbeddedDatabase } from "../support/database";
import { findFreePorts, probeConnection } from "../support/ports";

const READY_TIMEOUT_MS = 120_000;
const EXIT_TIMEOUT_MS = 20_000;

const apps: AppProcess[] = [];
let dataDir: string | undefined;

test.beforeAll(async () => {
  dataDir = await createDataDir("gathering-e2e-lifecycle-");
});

test.afterEach(async () => {
  const info = test.info();
  if (info.status === info.expectedStatus) return;
  for (const app of apps) {
    console.error(`\n--- output of ${app.name} ---\n${app.output()}`);
    await info.attach(`${app.name}.log`, { body: app.output(), contentType: "text/plain" });
  }
});

test.afterAll(async () => {
  // A failed test may have left processes behind; this must stop them whatever happened.
  test.setTimeout(90_000);
  for (const app of apps) await stopApp(app);
  if (dataDir) {
    await stopLeftoverPostgres(dataDir);
    await removeDataDir(dataDir);
  }
});

function assertNoPostgresLeft(directory: string) {
  expect(postgresProcessesFor(directory), "PostgreSQL processes still running for the data directory").toEqual([]);
  expect(existsSync(postmasterPidFile(directory)), "postmaster.pid left in the data directory").toBe(false);
}

test("SIGTERM drains in-flight requests and stops everything; a restart finds the data", async () => {
  test.setTimeout(180_000);
  if (!dataDir) throw new Error("beforeAll made no data directory");
  const directory = dataDir;
  const [port, pgPort] = await findFreePorts(2);
  if (port === undefined || pgPort === undefined) throw new Error("no free ports");
  const marker = { run: randomUUID(), savedAt: new Date().toISOString() };

  const first = startApp("first start", { dataDir: directory, port, pgPort });
  apps.push(first);

  await test.step("starts and becomes ready", async () => {
    await waitForReady(first, READY_TIMEOUT_MS);
  });

  await test.step("stores a setting in the embedded database", async () => {
    const sql = connectToEmbeddedDatabase(directory, pgPort);
    try {
      await sql`insert into instance_settings (key, value) values ('e2e.lifecycle', ${sql.json(marker)})`;
    } finally {
      await sql.end({ timeout: 5 });
    }
  });

  await test.step("SIGTERM lets the in-flight request finish, refuses new connections and exits 0", async () => {
    const startedAt = Date.now();
    const inFlight = fetch(`${first.baseUrl}/api/health?delayMs=2000`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    first.child.kill("SIGTERM");
    const signalledAt = Date.now();

    let probe = await probeConnection(port);
    while (probe !== "refused" && Date.now() - signalledAt < 1_500) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      probe = await probeConnection(port);
    }
    expect(probe, "a new connection after SIGTERM").toBe("refused");

    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: "ok" });
    // The request really was held across the signal, not answered before it.
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(2_000);

    const exit = await waitForExit(first, EXIT_TIMEOUT_MS);
    expect(exit).toEqual({ code: 0, signal: null });
  });

  await test.step("leaves no PostgreSQL running for the data directory", async () => {
    assertNoPostgresLeft(directory);
  });

  const second = startApp("second start", { dataDir: directory, port, pgPort });
  apps.push(second);

  await test.step("starts again on the same data directory", async () => {
    await waitForReady(second, READY_TIMEOUT_MS);
  });

  await test.step("still has the setting, and system.info works", async () => {
    const sql = connectToEmbeddedDatabase(directory, pgPort);
    try {
      const rows = await sql<{ value: unknown }[]>`select value from instance_settings where key = 'e2e.lifecycle'`;
      expect(rows.map((row) => row.value)).toEqual([marker]);
    } finally {
      await sql.end({ timeout: 5 });
    }
    const info = await createGatheringClient({ url: second.baseUrl }).system.info.query();
    expect(info.database.kind).toBe("embedded");
    expect(info.workers.status).toBe("running");
  });

  await test.step("SIGTERM stops it again with exit code 0", async () => {
    second.child.kill("SIGTERM");
    const exit = await waitForExit(second, EXIT_TIMEOUT_MS);
    expect(exit).toEqual({ code: 0, signal: null });
    assertNoPostgresLeft(directory);
  });
});
