/**
 * What a circle turn costs on top of its model call. A 5-agent round_robin circle runs 50 turns against
 * a mock OpenAI server that answers at once (zero model latency); each turn is driven in this process
 * through the engine's own entry point (`executeCircleTurn`, what the worker's job runs): run read,
 * strategy, prompt rendered, speaker's transcript opened and the plan recorded, agent and keys loaded,
 * budget check, the gateway call, the answer stored with its ledger row, then the durable checkpoint
 * (turn row, message, usage, board, next turn's job and events in one transaction). The baseline sends
 * the very requests the turns sent (same messages and tools) straight through the official SDK. Target:
 * under 5 ms per turn at p50 beyond the model call.
 */
import { performance } from "node:perf_hooks";
import {
  type CircleQueue,
  createAgent,
  createCircle,
  createLogger,
  createModelGateway,
  executeCircleTurn,
  getCircleRun,
  type Logger,
  parseKeyring,
  sendChatMessage,
  signUp,
  startCircleRun,
  updateProviderSettings,
} from "@gathering/core";
import { createDatabaseClient } from "@gathering/db";
import { enqueue, runCircleTurnJob } from "@gathering/jobs";
import { startMockLlmServer } from "@gathering/testing";
import OpenAI from "openai";
import { inProcessResult } from "../support/in-process";
import type { CaseResult, Scenario } from "../support/types";

const targetOverheadMs = 5;
const members = 5;
const turnsPerRun = 50;

const circlesBench: Scenario = {
  id: "circles",
  title: "Circle turns: orchestration overhead per turn over the raw model calls (5-agent round_robin, 50 turns)",
  async run(context) {
    const { durationSeconds, warmupSeconds } = context.settings;
    const mock = await startMockLlmServer();
    context.defer(() => mock.close());
    const app = await context.startApp();
    const client = createDatabaseClient(app.databaseUrl(), { max: 8 });
    context.defer(() => client.close());
    const keyring = parseKeyring("bench-1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
    const account = await signUp(
      client.db,
      { passwordHashCost: 4, signUpPolicy: "open" },
      { email: "circle-bench@example.com", name: "Bench", password: "correct horse battery staple" },
    );
    const actor = { userId: account.id };
    const projectId = account.projectId;
    await updateProviderSettings(client.db, keyring, actor, {
      projectId,
      apiKeys: { openai: "sk-bench-0000000001" },
      settings: { openai: { baseUrl: mock.baseUrls.openai } },
    });
    const agents = [];
    for (let index = 1; index <= members; index += 1) {
      agents.push(
        await createAgent(client.db, actor, {
          projectId,
          definition: { name: `Member ${index}`, role: "a benchmark member", model: { provider: "openai", model: "gpt-4o-mini" } },
        }),
      );
    }
    const circle = await createCircle(client.db, actor, {
      projectId,
      definition: {
        name: "Bench circle",
        strategy: "round_robin",
        members: agents.map((agent) => ({ agentId: agent.id, role: "takes a turn" })),
        termination: { maxTurns: turnsPerRun },
      },
    });
    // The next turn's job is written in the turn's transaction as in production, but due far in the
    // future: the app's own worker must not race this loop for it.
    const later = new Date(Date.now() + 365 * 24 * 3600 * 1000);
    const queue: CircleQueue = {
      async enqueueTurn(tx, job) {
        await enqueue(tx, runCircleTurnJob, job, { jobKey: `circle:${job.runId}:turn:${job.turn}`, runAt: later });
      },
    };
    const engine = { db: client.db, keyring, gateway: createModelGateway(), logger: createLogger({ level: "silent" }) as Logger, queue };
    const signal = new AbortController().signal;

    /** One run of 50 turns; returns each turn's time and leaves the requests it sent in mock.requests. */
    const runOnce = async (): Promise<number[]> => {
      mock.reset();
      for (let turn = 1; turn <= turnsPerRun; turn += 1)
        mock.script("openai", { type: "text", text: `Turn ${turn}: a short contribution.` });
      const run = await startCircleRun(client.db, queue, actor, { projectId, circleId: circle.id, task: "Take turns briefly." });
      const samples: number[] = [];
      for (let turn = 1; turn <= turnsPerRun; turn += 1) {
        const before = performance.now();
        const outcome = await executeCircleTurn(engine, { runId: run.id, turn, attempt: 1, maxAttempts: 5, signal });
        samples.push(performance.now() - before);
        if (outcome !== "committed" && outcome !== "ended") throw new Error(`turn ${turn} did not commit: ${outcome}`);
      }
      const done = await getCircleRun(client.db, { projectId, runId: run.id });
      if (done.turnsCompleted !== turnsPerRun || done.stopReason !== "max_turns") throw new Error(`run ended early: ${done.stopReason}`);
      return samples;
    };

    const sdk = new OpenAI({ apiKey: "sk-bench-0000000001", baseURL: mock.baseUrls.openai, maxRetries: 0 });
    /** The same requests again, straight through the SDK: the model-call floor of each turn. */
    const replayRaw = async (bodies: unknown[]): Promise<number[]> => {
      mock.reset();
      const samples: number[] = [];
      for (const body of bodies) {
        mock.script("openai", { type: "text", text: "Turn: a short contribution." });
        const before = performance.now();
        await sdk.chat.completions.create(body as OpenAI.ChatCompletionCreateParamsNonStreaming);
        samples.push(performance.now() - before);
      }
      return samples;
    };

    /** The agent runtime alone (agents.chat's turn, a new session each time), to separate it from the circle's own work. */
    const firstAgentId = agents[0]?.id ?? "";
    const chatTurns = async (count: number): Promise<number[]> => {
      mock.reset();
      const samples: number[] = [];
      for (let index = 0; index < count; index += 1) {
        mock.script("openai", { type: "text", text: "A short contribution." });
        const before = performance.now();
        await sendChatMessage(engine, actor, { projectId, agentId: firstAgentId, content: "Take a turn briefly." });
        samples.push(performance.now() - before);
      }
      return samples;
    };

    context.log("warming up…");
    const warmupDeadline = performance.now() + warmupSeconds * 1000;
    do {
      await runOnce();
      await replayRaw(mock.requests.map((request) => request.body));
    } while (performance.now() < warmupDeadline);

    context.log(`measuring runs of ${turnsPerRun} turns…`);
    const turnSamples: number[] = [];
    const rawSamples: number[] = [];
    const overheadSamples: number[] = [];
    const chatSamples: number[] = [];
    let runs = 0;
    const started = performance.now();
    const deadline = started + durationSeconds * 1000;
    do {
      const turns = await runOnce();
      const raw = await replayRaw(mock.requests.map((request) => request.body));
      turnSamples.push(...turns);
      rawSamples.push(...raw);
      for (const [index, value] of turns.entries()) overheadSamples.push(value - (raw[index] ?? 0));
      chatSamples.push(...(await chatTurns(turnsPerRun)));
      runs += 1;
    } while (performance.now() < deadline);
    const seconds = (performance.now() - started) / 1000;
    const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

    const subjectCase: CaseResult = {
      id: "circle-turn",
      label: "circle turn (5-agent round_robin), mock model at zero latency",
      role: "subject",
      description: "executeCircleTurn: plan recorded, agent turn through the runtime, durable checkpoint with the next job",
      load: inProcessResult("in-process:executeCircleTurn", turnSamples, seconds, warmupSeconds),
    };
    const overheadCase: CaseResult = {
      id: "circle-turn-overhead",
      label: "per-turn overhead: turn time minus its own request replayed raw",
      role: "breakdown",
      description: "for each turn, its time minus the time of the same request sent through the SDK alone",
      load: inProcessResult("in-process:overhead", overheadSamples, seconds, 0),
    };
    const chatCase: CaseResult = {
      id: "agent-chat-turn",
      label: "the agent runtime alone: one agents.chat turn, same mock",
      role: "breakdown",
      description: "sendChatMessage in a new session: what every circle turn spends inside runAgentTurn and its setup",
      load: inProcessResult("in-process:sendChatMessage", chatSamples, seconds, 0),
    };
    const baselineCase: CaseResult = {
      id: "raw-model-calls",
      label: "the turns' requests through the openai SDK alone, same mock",
      role: "baseline",
      description: "chat.completions.create with each turn's exact messages and tools: HTTP, JSON and the SDK",
      load: inProcessResult(`${mock.baseUrls.openai}/chat/completions`, rawSamples, seconds, warmupSeconds),
    };
    const overheadP50 = overheadCase.load.latencyMs.p50;
    const notes = [
      `${runs} runs of ${turnsPerRun} turns (${turnSamples.length} turns). Per-turn overhead beyond the model call: p50 ${overheadP50.toFixed(2)} ms, p99 ${overheadCase.load.latencyMs.p99.toFixed(2)} ms (target: p50 under ${targetOverheadMs} ms; ${overheadP50 < targetOverheadMs ? "met" : "missed"}).`,
      `Per run of ${turnsPerRun} turns: ${(sum(turnSamples) / runs).toFixed(0)} ms in turns beside ${(sum(rawSamples) / runs).toFixed(0)} ms of summed raw model calls.`,
    ];
    notes.push(
      `The agent runtime alone (a chat turn) takes p50 ${chatCase.load.latencyMs.p50.toFixed(2)} ms on the same mock, so the circle's own work (plan, prompt, checkpoint, next job) is about ${(subjectCase.load.latencyMs.p50 - chatCase.load.latencyMs.p50).toFixed(2)} ms of each turn at p50.`,
    );
    return { cases: [subjectCase, overheadCase, chatCase, baselineCase], notes };
  },
};

export default circlesBench;
