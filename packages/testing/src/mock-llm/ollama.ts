/**
 * Ollama native API: POST /api/chat (NDJSON stream by default, one JSON object with `stream: false`,
 * tool calls with object arguments, a final `done: true` line with counts), POST /api/embed and
 * GET /api/tags. No auth; errors are `{ "error": "..." }`.
 */
import {
  type ConversationSummary,
  echoOfToolResults,
  estimateTokens,
  isRecord,
  type ModelReply,
  mockEmbedding,
  splitIntoChunks,
  toModelReply,
  toolArgumentsObject,
} from "./conversation";
import { type Exchange, retryHeaders, sendJson, sendRaw, writeStreamed } from "./exchange";

function sendError(exchange: Exchange, status: number, message: string, headers: Record<string, string> = {}) {
  sendJson(exchange.res, status, { error: message }, headers);
}

export function handleOllamaNotFound(exchange: Exchange) {
  sendRaw(exchange.res, 404, "text/plain", "404 page not found");
}

function messageText(message: Record<string, unknown>): string {
  const content = typeof message.content === "string" ? message.content : "";
  const calls = Array.isArray(message.tool_calls) ? message.tool_calls.filter(isRecord) : [];
  const callText = calls
    .map((call) => (isRecord(call.function) ? `${call.function.name ?? ""}${JSON.stringify(call.function.arguments ?? {})}` : ""))
    .join("");
  return content + callText;
}

function summariseConversation(messages: unknown[]): ConversationSummary {
  const records = messages.filter(isRecord);
  const inputText = records.map(messageText).join("\n");
  const trailingToolResults: string[] = [];
  for (let index = records.length - 1; index >= 0 && records[index]?.role === "tool"; index--) {
    const content = records[index]?.content;
    trailingToolResults.unshift(typeof content === "string" ? content : "");
  }
  if (trailingToolResults.length > 0) return { inputText, echoText: echoOfToolResults(trailingToolResults) };
  const lastUser = records.findLast((message) => message.role === "user");
  return { inputText, echoText: `Echo: ${typeof lastUser?.content === "string" ? lastUser.content : ""}` };
}

function durations(startedAt: bigint, reply: ModelReply) {
  const total = Number(process.hrtime.bigint() - startedAt);
  return {
    total_duration: total,
    load_duration: Math.floor(total / 10),
    prompt_eval_count: reply.usage.inputTokens,
    prompt_eval_duration: Math.floor(total / 5),
    eval_count: reply.usage.outputTokens,
    eval_duration: Math.floor(total / 2),
  };
}

export async function handleChat(exchange: Exchange): Promise<void> {
  const startedAt = process.hrtime.bigint();
  if (!exchange.isBodyJson || !isRecord(exchange.body)) return sendError(exchange, 400, "invalid character in request body");
  const body = exchange.body;
  if (typeof body.model !== "string" || body.model === "") return sendError(exchange, 400, "model is required");
  if (body.messages !== undefined && !Array.isArray(body.messages)) {
    return sendError(exchange, 400, "json: cannot unmarshal into Go struct field ChatRequest.messages of type []api.Message");
  }
  const model = body.model;
  const messages: unknown[] = Array.isArray(body.messages) ? body.messages : [];
  const isStream = body.stream !== false;
  const createdAt = () => new Date().toISOString();

  // With no messages Ollama only loads the model and answers a single done line.
  if (messages.length === 0) {
    return sendJson(exchange.res, 200, {
      model,
      created_at: createdAt(),
      message: { role: "assistant", content: "" },
      done_reason: "load",
      done: true,
    });
  }

  const step = exchange.takeStep(model);
  switch (step.type) {
    case "error":
      return sendError(exchange, step.status, step.message ?? `Mock error ${step.status}`, retryHeaders(step));
    case "hang":
      return exchange.hang();
    case "malformed":
      if (!isStream) return sendRaw(exchange.res, 200, "application/json; charset=utf-8", `{"model":"${model}","message":{"role":"assis`);
      return sendRaw(
        exchange.res,
        200,
        "application/x-ndjson",
        `${JSON.stringify({ model, created_at: createdAt(), message: { role: "assistant", content: "Hel" }, done: false })}\n{"model":"${model}","mess\n`,
      );
    default:
      break;
  }

  const reply = toModelReply(step, summariseConversation(messages));
  const toolCalls = reply.toolCalls.map((call, index) => ({
    ...(call.id !== undefined && { id: call.id }),
    function: { index, name: call.name, arguments: toolArgumentsObject(call) },
  }));

  if (!isStream) {
    return sendJson(exchange.res, 200, {
      model,
      created_at: createdAt(),
      message: { role: "assistant", content: reply.text, ...(toolCalls.length > 0 && { tool_calls: toolCalls }) },
      done_reason: "stop",
      done: true,
      ...durations(startedAt, reply),
    });
  }

  const line = (value: unknown) => `${JSON.stringify(value)}\n`;
  const lines = splitIntoChunks(reply.text, reply.chunks).map((content) =>
    line({ model, created_at: createdAt(), message: { role: "assistant", content }, done: false }),
  );
  if (toolCalls.length > 0) {
    lines.push(line({ model, created_at: createdAt(), message: { role: "assistant", content: "", tool_calls: toolCalls }, done: false }));
  }
  exchange.res.writeHead(200, { "content-type": "application/x-ndjson" });
  await writeStreamed(exchange.res, lines, reply.chunkDelayMs);
  if (exchange.res.destroyed) return;
  exchange.res.end(
    line({
      model,
      created_at: createdAt(),
      message: { role: "assistant", content: "" },
      done_reason: "stop",
      done: true,
      ...durations(startedAt, reply),
    }),
  );
}

export function handleEmbed(exchange: Exchange) {
  const startedAt = process.hrtime.bigint();
  if (!exchange.isBodyJson || !isRecord(exchange.body)) return sendError(exchange, 400, "invalid character in request body");
  const body = exchange.body;
  if (typeof body.model !== "string" || body.model === "") return sendError(exchange, 400, "model is required");
  const input = body.input;
  let inputs: string[];
  if (input === undefined) inputs = [];
  else if (typeof input === "string") inputs = [input];
  else if (Array.isArray(input) && input.every((item) => typeof item === "string")) inputs = input;
  else return sendError(exchange, 400, "invalid input type");
  const dimensions = typeof body.dimensions === "number" && Number.isInteger(body.dimensions) && body.dimensions > 0 ? body.dimensions : 64;
  const total = Number(process.hrtime.bigint() - startedAt);
  sendJson(exchange.res, 200, {
    model: body.model,
    embeddings: inputs.map((text) => mockEmbedding(text, dimensions)),
    total_duration: total,
    load_duration: Math.floor(total / 10),
    prompt_eval_count: inputs.reduce((sum, text) => sum + estimateTokens(text), 0),
  });
}

export function handleTags(exchange: Exchange, models: string[]): void {
  sendJson(exchange.res, 200, {
    models: models.map((name, index) => {
      const qualified = name.includes(":") ? name : `${name}:latest`;
      const family = qualified.split(/[:.\d-]/)[0] || "llama";
      return {
        name: qualified,
        model: qualified,
        modified_at: "2025-01-01T00:00:00.000000000Z",
        size: 1_000_000_000 + index,
        digest: Buffer.from(qualified).toString("hex").padEnd(64, "0").slice(0, 64),
        details: { parent_model: "", format: "gguf", family, families: [family], parameter_size: "3B", quantization_level: "Q4_K_M" },
      };
    }),
  });
}
