import { AppError } from "@gathering/core";
import type { Database } from "@gathering/db";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { type ApiServices, type Caller, createContext, type ProjectRole } from "./context";
import { createTestServices } from "./test-services";
import { createTRPCRouter, projectProcedure, protectedProcedure, publicProcedure } from "./trpc";

const PROJECT_A = "7a1f0c1e-8d4b-4a55-9d6b-0f5a2c3e4d5a";
const PROJECT_B = "0b9e8d7c-6b5a-4f3e-8d2c-1b0a9f8e7d6c";
const roles: Record<string, Record<string, ProjectRole>> = {
  alice: { [PROJECT_A]: "member" },
  victor: { [PROJECT_A]: "viewer" },
};

const services: ApiServices = {
  ...createTestServices({} as Database),
  resolveProjectRole: async (_db, userId, projectId) => roles[userId]?.[projectId] ?? null,
  // Counts in memory: these tests are about the tiers, not the store.
  rateLimiter: { limit: async (_key, limit) => ({ isAllowed: true, limit, remaining: limit, resetAt: new Date() }) },
};

const testRouter = createTRPCRouter({
  missing: publicProcedure.query(() => {
    throw new AppError("NOT_FOUND", "Agent not found", { agentId: "a-1" });
  }),
  echo: publicProcedure.input(z.object({ name: z.string().min(2) })).mutation(({ input }) => input.name),
  explode: publicProcedure.query(() => {
    throw new Error('duplicate key value violates unique constraint "users_email_key" in INSERT INTO users ...');
  }),
  domainValidation: publicProcedure.query(() => z.object({ name: z.string().min(2) }).parse({ name: "x" })),
  whoami: protectedProcedure.query(({ ctx }) => ctx.caller.userId),
  readProject: projectProcedure("viewer").query(({ ctx }) => ctx.project),
  writeProject: projectProcedure("member").mutation(({ ctx }) => ctx.project.role),
});

async function call(path: string, options: { caller?: Caller | null; input?: unknown; method?: "GET" | "POST" } = {}) {
  const method = options.method ?? "GET";
  const encoded = options.input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify({ json: options.input }))}`;
  const request = new Request(`http://localhost/api/trpc/${path}${method === "GET" ? encoded : ""}`, {
    method,
    headers: { "content-type": "application/json" },
    body: method === "POST" ? JSON.stringify({ json: options.input }) : undefined,
  });
  const response = await fetchRequestHandler({
    endpoint: "/api/trpc",
    req: request,
    router: testRouter,
    createContext: () => createContext({ services, headers: request.headers, caller: options.caller ?? null }),
  });
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) };
}

describe("error formatter", () => {
  it("answers a zod refusal from inside a service like an input refusal: 400 with the field", async () => {
    const { status, body } = await call("domainValidation");
    expect(status).toBe(400);
    expect(body.error.json.message).toBe("Invalid input");
    expect(body.error.json.data).toMatchObject({ appCode: "VALIDATION_FAILED", zodError: { fieldErrors: { name: [expect.any(String)] } } });
  });

  it("maps an AppError to its HTTP status and app code, with its safe details", async () => {
    const { status, body } = await call("missing");
    expect(status).toBe(404);
    expect(body.error.json.message).toBe("Agent not found");
    expect(body.error.json.data).toMatchObject({ code: "NOT_FOUND", appCode: "NOT_FOUND", details: { agentId: "a-1" } });
  });

  it("flattens zod input errors into field errors", async () => {
    const { status, body } = await call("echo", { method: "POST", input: { name: "x" } });
    expect(status).toBe(400);
    expect(body.error.json.message).toBe("Invalid input");
    expect(body.error.json.data.appCode).toBe("VALIDATION_FAILED");
    expect(body.error.json.data.zodError.fieldErrors.name).toHaveLength(1);
  });

  it("hides the message, SQL and stack of an unexpected error", async () => {
    const { status, text, body } = await call("explode");
    expect(status).toBe(500);
    expect(body.error.json.message).toBe("Internal server error");
    expect(body.error.json.data.appCode).toBe("INTERNAL");
    expect(text).not.toMatch(/INSERT|users_email_key|stack|at .*\.ts/);
  });
});

describe("procedure tiers", () => {
  it("refuses a protected procedure without a caller", async () => {
    const { status, body } = await call("whoami");
    expect(status).toBe(401);
    expect(body.error.json.data.appCode).toBe("UNAUTHORIZED");
    expect((await call("whoami", { caller: { userId: "alice" } })).body.result.data.json).toBe("alice");
  });

  it("answers NOT_FOUND to a non-member, so project ids cannot be probed", async () => {
    const { status } = await call("readProject", { caller: { userId: "alice" }, input: { projectId: PROJECT_B } });
    expect(status).toBe(404);
  });

  it("lets a viewer read but not write", async () => {
    const read = await call("readProject", { caller: { userId: "victor" }, input: { projectId: PROJECT_A } });
    expect(read.body.result.data.json).toEqual({ id: PROJECT_A, role: "viewer" });
    const write = await call("writeProject", { method: "POST", caller: { userId: "victor" }, input: { projectId: PROJECT_A } });
    expect(write.status).toBe(403);
    const member = await call("writeProject", { method: "POST", caller: { userId: "alice" }, input: { projectId: PROJECT_A } });
    expect(member.body.result.data.json).toBe("member");
  });

  it("bounds an API token by its project and its role", async () => {
    const otherProject = await call("readProject", {
      caller: { userId: "alice", tokenScope: { projectId: PROJECT_B, role: "owner" } },
      input: { projectId: PROJECT_A },
    });
    expect(otherProject.status).toBe(404);
    const readOnlyToken = await call("writeProject", {
      method: "POST",
      caller: { userId: "alice", tokenScope: { projectId: PROJECT_A, role: "viewer" } },
      input: { projectId: PROJECT_A },
    });
    expect(readOnlyToken.status).toBe(403);
  });

  it("rejects a malformed project id before any lookup", async () => {
    const { status, body } = await call("readProject", { caller: { userId: "alice" }, input: { projectId: "../etc" } });
    expect(status).toBe(400);
    expect(body.error.json.data.zodError.fieldErrors.projectId).toBeDefined();
  });
});
