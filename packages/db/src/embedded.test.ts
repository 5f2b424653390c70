import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { findFreePort } from "@gathering/testing";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { startEmbeddedPostgres } from "./embedded";

const fixture = fileURLToPath(new URL("./fixtures/start-embedded.ts", import.meta.url));
let directory: string;

afterAll(async () => {
  if (directory) await rm(directory, { recursive: true, force: true });
});

function isAlive(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("embedded PostgreSQL", () => {
  it("keeps data across restarts and takes over a server left running by a killed process", async () => {
    directory = await mkdtemp(path.join(tmpdir(), "gathering-embedded-"));
    await chmod(directory, 0o755);
    const dataDir = path.join(directory, "pg");
    const port = await findFreePort();
    const password = "test-password-0123456789";

    // A process that starts the server and is then SIGKILLed, as a crash would: its postgres lives on.
    const child = spawn(process.execPath, ["--import", "tsx", fixture, dataDir, String(port), password], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        const match = /READY (\S+)/.exec(chunk.toString());
        if (match?.[1]) resolve(match[1]);
      });
      child.on("exit", (code) => reject(new Error(`fixture exited with ${code}`)));
    });
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    await sql`create table survivors (name text primary key)`;
    await sql`insert into survivors values ('before-crash')`;
    await sql.end();
    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));
    const orphanPid = Number(readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
    expect(isAlive(orphanPid)).toBe(true);

    const server = await startEmbeddedPostgres({ directory: dataDir, port, password });
    try {
      expect(isAlive(orphanPid)).toBe(false);
      const again = postgres(server.connectionString, { max: 1, onnotice: () => {} });
      const rows = await again<{ name: string }[]>`select name from survivors`;
      await again.end();
      expect(rows.map((row) => row.name)).toEqual(["before-crash"]);
    } finally {
      await server.stop();
    }
    expect(existsSync(path.join(dataDir, "postmaster.pid"))).toBe(false);
  });
});
