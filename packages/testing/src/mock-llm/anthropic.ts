/**
 * Anthropic Messages wire protocol: `x-api-key` and `anthropic-version` headers, JSON or named SSE
 * events (message_start, content_block_start/delta/stop, ping, message_delta, message_stop), tool_use
 * blocks with input_json_delta fragments, and error bodies `{ type: "error", error: { type, message } }`.
 */
import {
  type ConversationSummary,
  echoOfToolResults,
  isRecord,
  type ModelReply,
  randomId,
  splitIntoChunks,
  splitJsonFragments,
  toModelReply,
  toolArgumentsJson,
  toolArgumentsObject,
} from "./conversation";
import { bearerToken, type Exchange, retryHeaders, sendJson, sendRaw, writeStreamed } from "./exchange";

const ERROR_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  402: "billing_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  504: "timeout_error",
  529: "overloaded_error",
};

const ERROR_MESSAGES: Record<string, string> = {
  rate_limit_error: "Number of requests has exceeded your rate limit. Please try again later.",
  api_error: "Internal server error",
  overloaded_error: "Overloaded",
  timeout_error: "Request timed out",
};

function errorType(status: number): string {
  return ERROR_TYPES[status] ?? (status >= 500 ? "api_error" : "invalid_request_error");
}

function sendError(exchange: Exchange, status: number, message: string | undefined, headers: Record<string, string> = {}) {
  const type = errorType(status);
  const requestId = randomId("req_011", 24);
  sendJson(
    exchange.res,
    status,
    { type: "error", error: { type, message: message ?? ERROR_MESSAGES[type] ?? `Mock error ${status}` }, request_id: requestId },
    { "request-id": requestId, ...headers },
  );
}

export function handleAnthropicNotFound(exchange: Exchange) {
  sendError(exchange, 404, `${exchange.method} ${exchange.route}: not found`);
}

function blockText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .filter(isRecord)
    .map((block) => {
      if (block.type === "text" && typeof block.text === "string") return block.text;
      if (block.type === "tool_use") return `${block.name ?? ""}${JSON.stringify(block.input ?? {})}`;
      if (block.type === "tool_result") return blockText(block.content);
      return "";
    })
    .filter((text) => text !== "")
    .join("\n");
}

function summariseConversation(system: unknown, messages: unknown[]): ConversationSummary {
  const records = messages.filter(isRecord);
  const inputText = [blockText(system), ...records.map((message) => blockText(message.content))].filter((text) => text !== "").join("\n");
  const lastUser = records.findLast((message) => message.role === "user");
  const blocks = Array.isArray(lastUser?.content) ? lastUser.content.filter(isRecord) : [];
  const toolResults = blocks.filter((block) => block.type === "tool_result").map((block) => blockText(block.content));
  if (toolResults.length > 0) return { inputText, echoText: echoOfToolResults(toolResults) };
  return { inputText, echoText: `Echo: ${blockText(lastUser?.content)}` };
}

export async function handleMessages(exchange: Exchange): Promise<void> {
  // The API takes the key as `x-api-key`; SDK 1.x sends it as `Authorization: Bearer`, which the API also accepts.
  const apiKey = exchange.req.headers["x-api-key"];
  const hasApiKey = (typeof apiKey === "string" && apiKey !== "") || bearerToken(exchange) !== undefined;
  if (!hasApiKey) return sendError(exchange, 401, "x-api-key header is required");
  if (!exchange.req.headers["anthropic-version"]) return sendError(exchange, 400, "anthropic-version: header is required");
  if (!exchange.isBodyJson || !isRecord(exchange.body)) return sendError(exchange, 400, "There was an error parsing the body as JSON");
  const body = exchange.body;
  if (typeof body.model !== "string" || body.model === "") return sendError(exchange, 400, "model: Field required");
  if (body.messages === undefined) return sendError(exchange, 400, "messages: Field required");
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return sendError(exchange, 400, "messages: at least one message is required");
  }
  if (body.max_tokens === undefined) return sendError(exchange, 400, "max_tokens: Field required");
  if (typeof body.max_tokens !== "number" || !Number.isInteger(body.max_tokens) || body.max_tokens < 1) {
    return sendError(exchange, 400, "max_tokens: Input should be a valid integer greater than or equal to 1");
  }

  const model = body.model;
  const isStream = body.stream === true;
  const step = exchange.takeStep(model);
  switch (step.type) {
    case "error":
      return sendError(exchange, step.status, step.message, retryHeaders(step));
    case "hang":
      return exchange.hang();
    case "malformed":
      return sendMalformed(exchange, model, isStream);
    default: {
      const reply = toModelReply(step, summariseConversation(body.system, body.messages));
      const withIds = { ...reply, toolCalls: reply.toolCalls.map((call) => ({ ...call, id: call.id ?? randomId("toolu_01", 22) })) };
      return isStream ? streamMessage(exchange, model, withIds) : sendMessage(exchange, model, withIds);
    }
  }
}

function contentBlocks(reply: ModelReply) {
  const blocks: Array<Record<string, unknown>> = [];
  if (reply.text !== "") blocks.push({ type: "text", text: reply.text });
  for (const call of reply.toolCalls) blocks.push({ type: "tool_use", id: call.id, name: call.name, input: toolArgumentsObject(call) });
  return blocks;
}

function stopReason(reply: ModelReply): string {
  return reply.toolCalls.length > 0 ? "tool_use" : "end_turn";
}

function usageBody(inputTokens: number, outputTokens: number) {
  return {
    input_tokens: inputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    output_tokens: outputTokens,
    service_tier: "standard",
  };
}

function sendMessage(exchange: Exchange, model: string, reply: ModelReply) {
  const requestId = randomId("req_011", 24);
  sendJson(
    exchange.res,
    200,
    {
      id: randomId("msg_01", 22),
      type: "message",
      role: "assistant",
      model,
      content: contentBlocks(reply),
      stop_reason: stopReason(reply),
      stop_sequence: null,
      usage: usageBody(reply.usage.inputTokens, reply.usage.outputTokens),
    },
    { "request-id": requestId },
  );
}

function sseEvent(data: { type: string } & Record<string, unknown>): string {
  return `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`;
}

async function streamMessage(exchange: Exchange, model: string, reply: ModelReply) {
  // Like the real API, message_start reports the first output token; message_delta carries the cumulative total.
  const startOutputTokens = Math.min(1, reply.usage.outputTokens);
  const events: string[] = [
    sseEvent({
      type: "message_start",
      message: {
        id: randomId("msg_01", 22),
        type: "message",
        role: "assistant",
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: usageBody(reply.usage.inputTokens, startOutputTokens),
      },
    }),
  ];
  let index = 0;
  const textPieces = splitIntoChunks(reply.text, reply.chunks);
  if (textPieces.length > 0) {
    events.push(sseEvent({ type: "content_block_start", index, content_block: { type: "text", text: "" } }));
    events.push(sseEvent({ type: "ping" }));
    for (const text of textPieces) events.push(sseEvent({ type: "content_block_delta", index, delta: { type: "text_delta", text } }));
    events.push(sseEvent({ type: "content_block_stop", index }));
    index++;
  }
  for (const call of reply.toolCalls) {
    events.push(
      sseEvent({ type: "content_block_start", index, content_block: { type: "tool_use", id: call.id, name: call.name, input: {} } }),
    );
    if (index === 0) events.push(sseEvent({ type: "ping" }));
    for (const partial_json of splitJsonFragments(toolArgumentsJson(call))) {
      events.push(sseEvent({ type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json } }));
    }
    events.push(sseEvent({ type: "content_block_stop", index }));
    index++;
  }
  if (index === 0) events.push(sseEvent({ type: "ping" }));
  events.push(
    sseEvent({
      type: "message_delta",
      delta: { stop_reason: stopReason(reply), stop_sequence: null },
      usage: { output_tokens: reply.usage.outputTokens },
    }),
  );
  events.push(sseEvent({ type: "message_stop" }));

  exchange.res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    "request-id": randomId("req_011", 24),
  });
  await writeStreamed(exchange.res, events, reply.chunkDelayMs);
  exchange.res.end();
}

function sendMalformed(exchange: Exchange, model: string, isStream: boolean) {
  if (!isStream) return sendRaw(exchange.res, 200, "application/json", '{"id":"msg_01malformed","type":"message","content":[{"type":"te');
  const start = sseEvent({
    type: "message_start",
    message: {
      id: "msg_01malformed",
      type: "message",
      role: "assistant",
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: usageBody(1, 1),
    },
  });
  const broken = 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_del\n\n';
  sendRaw(exchange.res, 200, "text/event-stream; charset=utf-8", start + broken);
}
