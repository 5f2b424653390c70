/**
 * The work the proving ground pushes through the system, and what it reads back for the checker:
 * a project set up directly in the database (an account, an API token, two agents on the mock model,
 * a circle, a pipeline of three http calls, a call_api schedule), then a steady stream of pipeline
 * runs, circle runs and schedule fires submitted over HTTP to the web instances' tRPC API, each
 * carrying a ticket made by the client so its effects can be traced whatever the API answered.
 */
import { randomBytes } from "node:crypto";
import {
  createAgent,
  createApiToken,
  createCircle,
  createPipeline,
  createSchedule,
  parseKeyring,
  signUp,
  updateProviderSettings,
} from "@gathering/core";
import type { Database } from "@gathering/db";
import { scheduleQueue } from "@gathering/jobs";
import type { EffectReceiver } from "@gathering/testing";
import { sql } from "drizzle-orm";
import type { Submission, UnitKind, UnitObservation } from "./checker";
import { proofKeyring } from "./cluster";

export const pipelineNodes = ["n1", "n2", "n3"] as const;
export const circleTurns = 3;

export interface Fixtures {
  projectId: string;
  token: string;
  pipelineId: string;
  circleId: string;
  scheduleId: string;
}

export async function setUpProject(db: Database, receiver: EffectReceiver, openAiBaseUrl: string): Promise<Fixtures> {
  const account = await signUp(
    db,
    { passwordHashCost: 4, signUpPolicy: "open" },
    { email: `proof-${randomBytes(3).toString("hex")}@example.com`, name: "Proof", password: "correct horse battery staple" },
  );
  const actor = { userId: account.id };
  const projectId = account.projectId;
  const { token } = await createApiToken(db, { ...actor, role: "owner" }, { projectId, name: "proving ground", role: "admin" });
  await updateProviderSettings(db, parseKeyring(proofKeyring), actor, {
    projectId,
    apiKeys: { openai: "sk-proof-0001" },
    settings: { openai: { baseUrl: openAiBaseUrl } },
  });
  const agents = await Promise.all(
    ["Ann", "Ben"].map((name) =>
      createAgent(db, actor, { projectId, definition: { name, role: "thinker", model: { provider: "openai", model: "gpt-4o-mini" } } }),
    ),
  );
  const circle = await createCircle(db, actor, {
    projectId,
    definition: {
      name: "Proof circle",
      strategy: "round_robin",
      members: agents.map((agent) => ({ agentId: agent.id })),
      termination: { maxTurns: circleTurns },
    },
  });
  const pipeline = await createPipeline(db, actor, {
    projectId,
    name: "Proof pipeline",
    definition: {
      inputs: [{ name: "ticket", type: "string", required: true }],
      nodes: pipelineNodes.map((id) => ({
        id,
        type: "http",
        config: { method: "POST", url: `${receiver.url}/pipeline/${id}`, body: { ticket: "{{inputs.ticket}}", node: id } },
      })),
      edges: pipelineNodes.slice(1).map((id, index) => ({ from: pipelineNodes[index] as string, to: id })),
    },
  });
  const schedule = await createSchedule(db, { queue: scheduleQueue, keyring: parseKeyring(proofKeyring) }, actor, {
    projectId,
    name: "Proof call",
    // Never due by itself: its fires are the ones the workload asks for ("run now").
    cron: "0 0 1 1 *",
    action: { kind: "call_api", method: "POST", url: `${receiver.url}/fire`, body: '{"fire":"{{fire.id}}"}' },
  });
  return { projectId, token, pipelineId: pipeline.id, circleId: circle.id, scheduleId: schedule.id };
}

export class TrpcError extends Error {
  constructor(
    message: string,
    /** The API answered (a status), as opposed to a connection that failed without an answer. */
    readonly status: number | null,
    readonly isRefused: boolean,
  ) {
    super(message);
  }
}

/** One tRPC mutation over HTTP with the project's API token (superjson envelope, no batching). */
export async function trpcMutation<T>(url: string, token: string, procedure: string, input: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${url}/api/trpc/${procedure}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ json: input }),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code;
    throw new TrpcError(`${procedure}: ${code ?? String(error)}`, null, code === "ECONNREFUSED");
  }
  const text = await response.text().catch(() => "");
  if (!response.ok) throw new TrpcError(`${procedure} answered ${response.status}: ${text.slice(0, 200)}`, response.status, false);
  return (JSON.parse(text) as { result: { data: { json: T } } }).result.data.json;
}

export interface Workload {
  submissions: Submission[];
  /** Refusals with an answer (4xx/5xx): the API said no, nothing was accepted. */
  refusals: Array<{ kind: UnitKind; status: number | null; message: string }>;
  /** Submits one unit of each kind due at this tick. */
  submit: (kind: UnitKind) => Promise<void>;
  /** Resolves when every submission in flight has its answer. */
  settle: () => Promise<void>;
}

export function createWorkload(fixtures: Fixtures, liveWebUrls: () => string[]): Workload {
  const submissions: Submission[] = [];
  const refusals: Workload["refusals"] = [];
  const inFlight = new Set<Promise<void>>();
  let next = 0;

  const send = async <T>(procedure: string, input: unknown): Promise<T> => {
    // A refused connection was never accepted: another instance may take it. Anything else is not retried.
    for (let attempt = 0; ; attempt += 1) {
      const urls = liveWebUrls();
      const url = urls[next++ % Math.max(1, urls.length)];
      if (!url) throw new TrpcError("no web instance is up", null, true);
      try {
        return await trpcMutation<T>(url, fixtures.token, procedure, input);
      } catch (error) {
        if (!(error instanceof TrpcError) || !error.isRefused || attempt >= 5) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  };

  const submitOne = async (kind: UnitKind) => {
    const ticket = `t-${randomBytes(6).toString("hex")}`;
    const submission: Submission = { kind, ticket, submittedAt: Date.now() };
    submissions.push(submission);
    const { projectId } = fixtures;
    try {
      if (kind === "pipeline") {
        const run = await send<{ id: string }>("pipelines.run", { projectId, pipelineId: fixtures.pipelineId, inputs: { ticket } });
        submission.id = run.id;
      } else if (kind === "circle") {
        const run = await send<{ id: string }>("circles.run", { projectId, circleId: fixtures.circleId, task: `Ticket ${ticket}: talk` });
        submission.id = run.id;
      } else {
        const fire = await send<{ id: string }>("schedules.runNow", { projectId, scheduleId: fixtures.scheduleId });
        // A fire carries no client ticket; its id is its ticket (the checker also looks for fires nobody was told of).
        submission.id = fire.id;
        submission.ticket = fire.id;
      }
    } catch (error) {
      if (!(error instanceof TrpcError)) throw error;
      if (error.isRefused || (error.status !== null && error.status < 500)) {
        // The API answered no (or nobody listened): nothing was accepted, so it is no submission.
        // A 5xx stays indeterminate: the work may have committed before the answer failed.
        submissions.splice(submissions.indexOf(submission), 1);
        refusals.push({ kind, status: error.status, message: error.message });
      }
      // Otherwise the connection died mid-request: indeterminate, and the checker decides.
    }
  };

  return {
    submissions,
    refusals,
    submit: (kind) => {
      const promise = submitOne(kind).finally(() => inFlight.delete(promise));
      inFlight.add(promise);
      return promise;
    },
    settle: async () => {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}

/** Units still moving: runs not terminal, fires queued or running. */
export async function countUnfinished(db: Database, projectId: string): Promise<number> {
  const [row] = await db.execute<{ n: number }>(sql`
    select ((select count(*) from pipeline_runs where project_id = ${projectId} and status in ('running', 'pending', 'queued'))
          + (select count(*) from circle_runs where project_id = ${projectId} and status in ('running', 'paused'))
          + (select count(*) from schedule_fires where project_id = ${projectId} and status in ('queued', 'running')))::int as n`);
  return row?.n ?? 0;
}

function ticketOf(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { ticket?: unknown; fire?: unknown };
    const value = parsed.ticket ?? parsed.fire;
    return typeof value === "string" ? value : undefined;
  } catch {
    return undefined;
  }
}

/** What the database and the receiver say about every unit of the project, by ticket. */
export async function observeUnits(db: Database, receiver: EffectReceiver, projectId: string): Promise<Map<string, UnitObservation>> {
  const units = new Map<string, UnitObservation>();
  const unit = (kind: UnitKind, ticket: string) => {
    let found = units.get(ticket);
    if (!found) {
      found = { kind, ticket, slots: [] };
      units.set(ticket, found);
    }
    return found;
  };
  const addKey = (observation: UnitObservation, slot: string, key: string | null) => {
    let found = observation.slots.find((item) => item.slot === slot);
    if (!found) {
      found = { slot, keys: [] };
      observation.slots.push(found);
    }
    found.keys.push(key);
  };

  const pipelineRuns = await db.execute<{ id: string; status: string; ticket: string | null }>(
    sql`select id, status, inputs->>'ticket' as ticket from pipeline_runs where project_id = ${projectId}`,
  );
  for (const run of pipelineRuns) {
    // Two rows with one ticket would be one submission started twice: the second shows as a stray slot.
    const observation = unit("pipeline", run.ticket ?? `no-ticket:${run.id}`);
    if (observation.row) addKey(observation, `second run ${run.id}`, run.id);
    else observation.row = { id: run.id, status: run.status, isSucceeded: run.status === "succeeded" };
  }
  const circleRuns = await db.execute<{ id: string; status: string; stop_reason: string | null; task: string }>(
    sql`select id, status, stop_reason, task from circle_runs where project_id = ${projectId}`,
  );
  const circleTicket = new Map<string, string>();
  for (const run of circleRuns) {
    const ticket = /Ticket (t-[0-9a-f]+)/.exec(run.task)?.[1] ?? `no-ticket:${run.id}`;
    circleTicket.set(run.id, ticket);
    const observation = unit("circle", ticket);
    if (observation.row) addKey(observation, `second run ${run.id}`, run.id);
    else
      observation.row = {
        id: run.id,
        status: `${run.status}${run.stop_reason ? ` (${run.stop_reason})` : ""}`,
        isSucceeded: run.status === "stopped" && run.stop_reason === "max_turns",
      };
  }
  // A circle's effects are its committed turns and the agents' messages: one of each per turn number.
  const turns = await db.execute<{ id: string; run_id: string; turn_number: number; kind: string }>(sql`
    select id, run_id, turn_number, 'turn' as kind from circle_turns where project_id = ${projectId} and purpose = 'speak'
    union all
    select id, run_id, turn_number, 'message' as kind from circle_messages where project_id = ${projectId} and author_kind = 'agent'`);
  for (const turn of turns) {
    const ticket = circleTicket.get(turn.run_id);
    if (ticket) addKey(unit("circle", ticket), `${turn.kind} ${turn.turn_number}`, turn.id);
  }
  const fires = await db.execute<{ id: string; status: string }>(
    sql`select id, status from schedule_fires where project_id = ${projectId}`,
  );
  for (const fire of fires) unit("fire", fire.id).row = { id: fire.id, status: fire.status, isSucceeded: fire.status === "succeeded" };

  for (const request of receiver.requests) {
    const ticket = ticketOf(request.body);
    if (!ticket) continue;
    if (request.path.startsWith("/pipeline/"))
      addKey(unit("pipeline", ticket), request.path.slice("/pipeline/".length), request.idempotencyKey);
    else if (request.path === "/fire") addKey(unit("fire", ticket), "call", request.idempotencyKey);
  }
  return units;
}

export function expectedSlots(kind: UnitKind): string[] {
  if (kind === "pipeline") return [...pipelineNodes];
  if (kind === "fire") return ["call"];
  return Array.from({ length: circleTurns }, (_, index) => [`turn ${index + 1}`, `message ${index + 1}`]).flat();
}
