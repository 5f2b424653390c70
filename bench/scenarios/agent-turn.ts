/**
 * What one agent turn costs on top of the model call. The same question is sent to a mock OpenAI
 * server that answers at once (zero model latency), first with the official SDK alone (the baseline),
 * then through GatheRing's chat service: agent lookup, key decryption, the user message stored, the
 * session locked and read, memory recall, the budget check, the gateway (breaker, retry, timeout), and
 * the answer stored with its usage-ledger row and events, in the app's own PostgreSQL. Sequential turns,
 * one at a time, so the difference per turn is the overhead. Target: under 5 ms at p50.
 */
import {
  createAgent,
  createLogger,
  createModelGateway,
  type Logger,
  parseKeyring,
  sendChatMessage,
  signUp,
  updateProviderSettings,
} from "@gathering/core";
import { createDatabaseClient } from "@gathering/db";
import { startMockLlmServer } from "@gathering/testing";
import OpenAI from "openai";
import { inProcessResult, timeFor } from "../support/in-process";
import type { CaseResult, Scenario } from "../support/types";

const targetOverheadMs = 5;

const agentTurn: Scenario = {
  id: "agent-turn",
  title: "One agent turn: GatheRing's overhead over the raw SDK call",
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
      { email: "agent-bench@example.com", name: "Bench", password: "correct horse battery staple" },
    );
    const actor = { userId: account.id };
    await updateProviderSettings(client.db, keyring, actor, {
      projectId: account.projectId,
      apiKeys: { openai: "sk-bench-0000000001" },
      settings: { openai: { baseUrl: mock.baseUrls.openai } },
    });
    const agent = await createAgent(client.db, actor, {
      projectId: account.projectId,
      definition: { name: "Bench agent", role: "a benchmark subject", model: { provider: "openai", model: "gpt-4o-mini" } },
    });
    const runtime = { db: client.db, keyring, gateway: createModelGateway(), logger: createLogger({ level: "silent" }) as Logger };
    const sdk = new OpenAI({ apiKey: "sk-bench-0000000001", baseURL: mock.baseUrls.openai, maxRetries: 0 });
    const question = "What is the capital of France?";

    const raw = () =>
      sdk.chat.completions.create({
        model: "gpt-4o-mini",
        messages: [
          { role: "system", content: "You are Bench agent, a benchmark subject." },
          { role: "user", content: question },
        ],
      });
    // A new session per turn, so the history read stays the same size from the first turn to the last.
    const ours = () => sendChatMessage(runtime, actor, { projectId: account.projectId, agentId: agent.id, content: question });
    const oursInSession = async (sessionId: string) =>
      sendChatMessage(runtime, actor, { projectId: account.projectId, agentId: agent.id, sessionId, content: question });

    context.log("warming up…");
    await timeFor(warmupSeconds, raw);
    await timeFor(warmupSeconds, ours);
    context.log("measuring the raw SDK call…");
    const baseline = await timeFor(durationSeconds, raw);
    context.log("measuring GatheRing's chat turn…");
    const subject = await timeFor(durationSeconds, ours);
    context.log("measuring turns in one growing session…");
    const first = await ours();
    const inSession = await timeFor(Math.max(2, durationSeconds / 2), () => oursInSession(first.sessionId));

    const baselineCase: CaseResult = {
      id: "raw-sdk",
      label: "openai SDK call, mock server, zero latency",
      role: "baseline",
      description: "chat.completions.create against the local mock: HTTP, JSON and the SDK, nothing else",
      load: inProcessResult(`${mock.baseUrls.openai}/chat/completions`, baseline.samples, baseline.durationSeconds, warmupSeconds),
    };
    const subjectCase: CaseResult = {
      id: "chat-turn",
      label: "agents.chat turn (new session), same mock",
      role: "subject",
      description:
        "sendChatMessage: agent and key lookup, user message stored, context built, gateway call, answer + ledger + events stored",
      load: inProcessResult("in-process:sendChatMessage", subject.samples, subject.durationSeconds, warmupSeconds),
    };
    const sessionCase: CaseResult = {
      id: "chat-turn-session",
      label: "agents.chat turn in one growing session",
      role: "breakdown",
      description: `the same turn continuing one session (${inSession.samples.length + 1} turns by the end): history read and window planning grow with it`,
      load: inProcessResult("in-process:sendChatMessage(session)", inSession.samples, inSession.durationSeconds, 0),
    };
    const overheadP50 = subjectCase.load.latencyMs.p50 - baselineCase.load.latencyMs.p50;
    const overheadP99 = subjectCase.load.latencyMs.p99 - baselineCase.load.latencyMs.p99;
    const notes = [
      `Overhead per turn over the raw SDK call: p50 ${overheadP50.toFixed(2)} ms, p99 ${overheadP99.toFixed(2)} ms (target: p50 under ${targetOverheadMs} ms; ${overheadP50 < targetOverheadMs ? "met" : "missed"}).`,
      `Ratio of turn time to raw call time at p50: ${(subjectCase.load.latencyMs.p50 / baselineCase.load.latencyMs.p50).toFixed(2)} (with a typical 500 ms model call the overhead would be ${((overheadP50 / 500) * 100).toFixed(2)} %).`,
    ];
    return { cases: [subjectCase, sessionCase, baselineCase], notes };
  },
};

export default agentTurn;
