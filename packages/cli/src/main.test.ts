import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { signUp, verifyApiToken } from "@gathering/core";
import { createDatabaseClient } from "@gathering/db";
import { createEmptyDatabase } from "@gathering/testing";
import postgres from "postgres";
import { describe, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../bin/gathering.mjs", import.meta.url));

function gathering(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    encoding: "utf8",
    env: { ...process.env, LOG_FORMAT: "json", ...env },
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("gathering CLI", () => {
  it("prints help with every command", () => {
    const { code, stdout } = gathering(["--help"]);
    expect(code).toBe(0);
    for (const command of ["start", "worker", "migrate"]) expect(stdout).toContain(command);
  });

  it("rejects an unknown command with a clear message", () => {
    const { code, stderr } = gathering(["launch"]);
    expect(code).toBe(2);
    expect(stderr).toContain('unknown command "launch"');
  });

  it("rejects unknown flags and bad values without starting anything", () => {
    const unknown = gathering(["start", "--turbo"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown option '--turbo'/);
    const badPort = gathering(["start", "--port", "eighty"]);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toContain("--port must be a whole number");
    const badEnv = gathering(["migrate"], { DATABASE_URL: "mysql://nope" });
    expect(badEnv.code).toBe(2);
    expect(badEnv.stderr).toContain("DATABASE_URL");
  });

  it("migrates the database named by DATABASE_URL, once", async () => {
    const database = await createEmptyDatabase();
    try {
      const first = gathering(["migrate"], { DATABASE_URL: database.url });
      expect(first.code).toBe(0);
      expect(first.stdout).toContain("database migrated");
      const second = gathering(["migrate"], { DATABASE_URL: database.url });
      expect(second.code).toBe(0);
      expect(second.stdout).toContain("database schema is current");
      const sql = postgres(database.url, { max: 1, onnotice: () => {} });
      const [row] = await sql<{ count: number }[]>`select count(*)::int as count from graphile_worker.jobs`;
      await sql.end();
      expect(row?.count).toBe(0);
    } finally {
      await database.drop();
    }
  });

  it("creates an API token for a member and checks the audit chain", async () => {
    const database = await createEmptyDatabase();
    const client = createDatabaseClient(database.url, { max: 2 });
    try {
      expect(gathering(["migrate"], { DATABASE_URL: database.url }).code).toBe(0);
      const account = await signUp(
        client.db,
        { passwordHashCost: 4, signUpPolicy: "open" },
        { email: "ops@example.com", name: "Ops", password: "correct horse battery" },
      );
      const env = { DATABASE_URL: database.url, LOG_LEVEL: "warn" };

      const created = gathering(
        ["token", "create", "--project", account.projectId, "--email", "ops@example.com", "--name", "deploy", "--role", "viewer"],
        env,
      );
      expect(created.stderr).toBe("");
      expect(created.code).toBe(0);
      const token = created.stdout.trim();
      expect(token).toMatch(/^gat_[A-Za-z0-9_-]{43}$/);
      expect(await verifyApiToken(client.db, token)).toMatchObject({ projectId: account.projectId, role: "viewer", userId: account.id });

      const stranger = gathering(["token", "create", "--project", account.projectId, "--email", "nobody@example.com", "--name", "x"], env);
      expect(stranger.code).toBe(2);
      expect(stranger.stderr).toContain("no user with the email");

      const verified = gathering(["audit", "verify"], env);
      expect(verified.code).toBe(0);
      expect(JSON.parse(verified.stdout)).toMatchObject({ isValid: true });
      expect(JSON.parse(verified.stdout).checked).toBeGreaterThanOrEqual(3);
    } finally {
      await client.close();
      await database.drop();
    }
  });
});
