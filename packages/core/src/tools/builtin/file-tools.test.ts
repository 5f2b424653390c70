/** The file tools through executeToolCall: what a model sees when it writes, lists, reads and searches, and when it tries to escape. */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { schema } from "@gathering/db";
import { createTestDatabase, type TestDatabase } from "@gathering/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUp } from "../../auth/accounts";
import { createLogger, type Logger } from "../../logger";
import { executeToolCall, type ToolContext, type ToolDefinition } from "../registry";
import { fileTools } from "./file-tools";

let database: TestDatabase;
let dataDir: string;
let context: ToolContext;
const tools = new Map<string, ToolDefinition>(fileTools.map((tool) => [tool.name, tool]));
const agentId = "7b0c2f0e-0000-4000-8000-000000000001";

beforeAll(async () => {
  database = await createTestDatabase();
  dataDir = mkdtempSync(path.join(tmpdir(), "gathering-file-tools-"));
  const account = await signUp(
    database.db,
    { passwordHashCost: 4, signUpPolicy: "open" },
    { email: "tools@example.com", name: "Tools", password: "correct horse battery staple" },
  );
  context = {
    db: database.db,
    projectId: account.projectId,
    agentId,
    userId: account.id,
    sessionId: "session-1",
    idempotencyKey: "session-1:call-1",
    signal: new AbortController().signal,
    logger: createLogger({ level: "silent" }) as Logger,
    services: { dataDir },
  };
});
afterAll(async () => {
  await database.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

function call(name: string, args: Record<string, unknown>, overrides: Partial<ToolContext> = {}) {
  return executeToolCall(tools, { id: "call-1", name, arguments: args }, { ...context, ...overrides });
}

describe("file tools", () => {
  it("are four, in the files category, and only file_write has a side effect", () => {
    expect(fileTools.map((tool) => [tool.name, tool.category, tool.sideEffect])).toEqual([
      ["file_read", "files", false],
      ["file_write", "files", true],
      ["file_list", "files", false],
      ["file_search", "files", false],
    ]);
  });

  it("write, list, read and search a file, auditing the write with the agent's id", async () => {
    const written = await call("file_write", { path: "reports/q1.md", content: "Revenue grew\nCosts fell\n" });
    expect(written.isError).toBe(false);
    expect(JSON.parse(written.content)).toEqual({ path: "reports/q1.md", size: 24, created: true });

    const listed = await call("file_list", {});
    expect(JSON.parse(listed.content)).toEqual({ path: "/", entries: ["reports/", "reports/q1.md (24 bytes)"], truncated: false });

    const read = await call("file_read", { path: "reports/q1.md" });
    expect(JSON.parse(read.content)).toMatchObject({ path: "reports/q1.md", content: "Revenue grew\nCosts fell\n" });

    const found = await call("file_search", { query: "costs" });
    expect(JSON.parse(found.content).matches).toEqual([
      { path: "reports/q1.md", kind: "file", match: "content", line: 2, preview: "Costs fell" },
    ]);

    const [audit] = await database.db.select().from(schema.auditLog).where(eq(schema.auditLog.action, "workspace.write"));
    expect(audit?.metadata).toMatchObject({ agentId, change: "created" });
  });

  it("answer escapes and missing files with a readable tool error, and write nothing", async () => {
    const escaping = await call("file_write", { path: "../../outside.txt", content: "x" });
    expect(escaping).toMatchObject({ isError: true });
    expect(escaping.content).toMatch(/^file_write failed: A path may not contain “\.\.”/);
    expect(existsSync(path.join(dataDir, "outside.txt"))).toBe(false);

    const absolute = await call("file_read", { path: "/etc/passwd" });
    expect(absolute).toMatchObject({ isError: true });
    expect(absolute.content).toMatch(/Absolute paths are refused/);

    const missing = await call("file_read", { path: "nope.txt" });
    expect(missing).toMatchObject({ isError: true, content: "file_read failed: No such file in the workspace" });
  });

  it("answer with a clear error when the process has no data directory", async () => {
    const outcome = await call("file_list", {}, { services: {} });
    expect(outcome.isError).toBe(true);
    expect(outcome.content).toMatch(/workspace is not available/);
  });
});
