/**
 * OpenAI Chat Completions and Embeddings wire protocol (also spoken by DeepSeek): bearer auth, JSON
 * and `data:` SSE ending in `data: [DONE]`, the usage chunk with `choices: []` under
 * `stream_options.include_usage`, tool calls streamed as indexed argument fragments, and error bodies
 * `{ error: { message, type, param, code } }`.
 */
import {
  type ConversationSummary,
  echoOfToolResults,
  estimateTokens,
  isRecord,
  type ModelReply,
  mockEmbedding,
  randomId,
  splitIntoChunks,
  splitJsonFragments,
  toModelReply,
  toolArgumentsJson,
} from "./conversation";
import { bearerToken, type Exchange, retryHeaders, sendJson, sendRaw, writeStreamed } from "./exchange";

interface OpenAiErrorBody {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

function sendError(exchange: Exchange, status: number, error: Partial<OpenAiErrorBody>, headers: Record<string, string> = {}) {
  const body: OpenAiErrorBody = {
    message: error.message ?? defaultErrorMessage(status),
    type: error.type ?? defaultErrorType(exchange, status),
    param: error.param ?? null,
    code: error.code !== undefined ? error.code : defaultErrorCode(status),
  };
  sendJson(exchange.res, status, { error: body }, { ...requestIdHeader(), ...headers });
}

function requestIdHeader(): Record<string, string> {
  return { "x-request-id": randomId("req_", 32) };
}

function defaultErrorType(exchange: Exchange, status: number): string {
  if (status === 401) return exchange.vendor === "deepseek" ? "authentication_error" : "invalid_request_error";
  if (status === 429) return "requests";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}

function defaultErrorCode(status: number): string | null {
  if (status === 401) return "invalid_api_key";
  if (status === 429) return "rate_limit_exceeded";
  return null;
}

function defaultErrorMessage(status: number): string {
  if (status === 429) return "Rate limit reached for requests. Please try again later.";
  if (status === 503) return "The engine is currently overloaded, please try again later.";
  if (status >= 500) return "The server had an error while processing your request. Sorry about that!";
  return `Mock error ${status}`;
}

/** Answers with the vendor's 401 when no bearer key is present; returns whether the request may go on. */
function isAuthorised(exchange: Exchange): boolean {
  if (bearerToken(exchange)) return true;
  sendError(exchange, 401, {
    message:
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
    code: null,
  });
  return false;
}

function sendUnparseableBody(exchange: Exchange) {
  sendError(exchange, 400, {
    message:
      "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
  });
}

export function handleOpenAiNotFound(exchange: Exchange) {
  sendError(exchange, 404, { message: `Invalid URL (${exchange.method} ${exchange.route})` });
}

function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .filter(isRecord)
    .map((part) => (typeof part.text === "string" ? part.text : ""))
    .filter((text) => text !== "")
    .join("\n");
}

function summariseConversation(messages: unknown[]): ConversationSummary {
  const records = messages.filter(isRecord);
  const inputText = records
    .map((message) => {
      const calls = Array.isArray(message.tool_calls) ? message.tool_calls.filter(isRecord) : [];
      const callText = calls
        .map((call) => (isRecord(call.function) ? `${call.function.name ?? ""}${call.function.arguments ?? ""}` : ""))
        .join("");
      return contentText(message.content) + callText;
    })
    .join("\n");

  const trailingToolResults: string[] = [];
  for (let index = records.length - 1; index >= 0 && records[index]?.role === "tool"; index--) {
    trailingToolResults.unshift(contentText(records[index]?.content));
  }
  if (trailingToolResults.length > 0) return { inputText, echoText: echoOfToolResults(trailingToolResults) };

  const lastUser = records.findLast((message) => message.role === "user");
  return { inputText, echoText: `Echo: ${contentText(lastUser?.content)}` };
}

function usageBody(exchange: Exchange, reply: ModelReply) {
  const usage = {
    prompt_tokens: reply.usage.inputTokens,
    completion_tokens: reply.usage.outputTokens,
    total_tokens: reply.usage.inputTokens + reply.usage.outputTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
  if (exchange.vendor !== "deepseek") return usage;
  return { ...usage, prompt_cache_hit_tokens: 0, prompt_cache_miss_tokens: reply.usage.inputTokens };
}

function withCallIds(reply: ModelReply): ModelReply {
  return { ...reply, toolCalls: reply.toolCalls.map((call) => ({ ...call, id: call.id ?? randomId("call_", 24) })) };
}

export async function handleChatCompletions(exchange: Exchange): Promise<void> {
  if (!isAuthorised(exchange)) return;
  if (!exchange.isBodyJson || !isRecord(exchange.body)) return sendUnparseableBody(exchange);
  const body = exchange.body;
  if (typeof body.model !== "string" || body.model === "") {
    return sendError(exchange, 400, { message: "you must provide a model parameter" });
  }
  if (body.messages === undefined) {
    return sendError(exchange, 400, {
      message: "Missing required parameter: 'messages'.",
      param: "messages",
      code: "missing_required_parameter",
    });
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return sendError(exchange, 400, {
      message: "Invalid 'messages': empty array. Expected an array with minimum length 1.",
      param: "messages",
    });
  }

  const model = body.model;
  const isStream = body.stream === true;
  const step = exchange.takeStep(model);
  const conversation = summariseConversation(body.messages);
  switch (step.type) {
    case "error":
      return sendError(exchange, step.status, { message: step.message }, retryHeaders(step));
    case "hang":
      return exchange.hang();
    case "malformed":
      return sendMalformed(exchange, isStream);
    default: {
      const reply = withCallIds(toModelReply(step, conversation));
      if (!isStream) return sendCompletion(exchange, model, reply);
      const options = isRecord(body.stream_options) ? body.stream_options : {};
      return streamCompletion(exchange, model, reply, options.include_usage === true);
    }
  }
}

function completionEnvelope(model: string, object: "chat.completion" | "chat.completion.chunk", id: string, created: number) {
  return { id, object, created, model, service_tier: "default", system_fingerprint: "fp_mock" };
}

function sendCompletion(exchange: Exchange, model: string, reply: ModelReply) {
  const hasToolCalls = reply.toolCalls.length > 0;
  const message = {
    role: "assistant",
    content: hasToolCalls && reply.text === "" ? null : reply.text,
    refusal: null,
    annotations: [],
    ...(hasToolCalls && {
      tool_calls: reply.toolCalls.map((call) => ({
        id: call.id,
        type: "function",
        function: { name: call.name, arguments: toolArgumentsJson(call) },
      })),
    }),
  };
  sendJson(
    exchange.res,
    200,
    {
      ...completionEnvelope(model, "chat.completion", randomId("chatcmpl-", 29), Math.floor(Date.now() / 1000)),
      choices: [{ index: 0, message, logprobs: null, finish_reason: hasToolCalls ? "tool_calls" : "stop" }],
      usage: usageBody(exchange, reply),
    },
    requestIdHeader(),
  );
}

function sseData(payload: unknown): string {
  return `data: ${typeof payload === "string" ? payload : JSON.stringify(payload)}\n\n`;
}

async function streamCompletion(exchange: Exchange, model: string, reply: ModelReply, includeUsage: boolean) {
  const envelope = completionEnvelope(model, "chat.completion.chunk", randomId("chatcmpl-", 29), Math.floor(Date.now() / 1000));
  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) => ({
    ...envelope,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...(includeUsage && { usage: null }),
  });

  const events: string[] = [sseData(chunk({ role: "assistant", content: "", refusal: null }))];
  for (const piece of splitIntoChunks(reply.text, reply.chunks)) events.push(sseData(chunk({ content: piece })));
  for (const [index, call] of reply.toolCalls.entries()) {
    events.push(sseData(chunk({ tool_calls: [{ index, id: call.id, type: "function", function: { name: call.name, arguments: "" } }] })));
    for (const fragment of splitJsonFragments(toolArgumentsJson(call))) {
      events.push(sseData(chunk({ tool_calls: [{ index, function: { arguments: fragment } }] })));
    }
  }
  events.push(sseData(chunk({}, reply.toolCalls.length > 0 ? "tool_calls" : "stop")));
  if (includeUsage) events.push(sseData({ ...envelope, choices: [], usage: usageBody(exchange, reply) }));
  events.push(sseData("[DONE]"));

  exchange.res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", ...requestIdHeader() });
  await writeStreamed(exchange.res, events, reply.chunkDelayMs);
  exchange.res.end();
}

function sendMalformed(exchange: Exchange, isStream: boolean) {
  if (!isStream) {
    return sendRaw(
      exchange.res,
      200,
      "application/json",
      '{"id":"chatcmpl-malformed","object":"chat.completion","choices":[{"index":0,"mess',
    );
  }
  sendRaw(
    exchange.res,
    200,
    "text/event-stream; charset=utf-8",
    'data: {"id":"chatcmpl-malformed","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"brok\n\n',
  );
}

function embeddingInputs(input: unknown): string[] | undefined {
  if (typeof input === "string") return [input];
  if (!Array.isArray(input) || input.length === 0) return undefined;
  // Token arrays (number[] or number[][]) are embedded as if each token id were a word.
  if (input.every((item) => typeof item === "number")) return [input.join(" ")];
  if (input.every((item) => typeof item === "string")) return input;
  if (input.every((item) => Array.isArray(item) && item.every((token) => typeof token === "number"))) {
    return input.map((item: number[]) => item.join(" "));
  }
  return undefined;
}

function float32Base64(vector: number[]): string {
  return Buffer.from(new Float32Array(vector).buffer).toString("base64");
}

export function handleEmbeddings(exchange: Exchange) {
  if (!isAuthorised(exchange)) return;
  if (!exchange.isBodyJson || !isRecord(exchange.body)) return sendUnparseableBody(exchange);
  const body = exchange.body;
  if (typeof body.model !== "string" || body.model === "") {
    return sendError(exchange, 400, { message: "you must provide a model parameter" });
  }
  const inputs = embeddingInputs(body.input);
  if (!inputs) return sendError(exchange, 400, { message: "'$.input' is invalid. Please check the API reference.", param: "input" });
  const dimensions = typeof body.dimensions === "number" && Number.isInteger(body.dimensions) && body.dimensions > 0 ? body.dimensions : 64;
  const isBase64 = body.encoding_format === "base64";
  const promptTokens = inputs.reduce((sum, text) => sum + estimateTokens(text), 0);
  sendJson(
    exchange.res,
    200,
    {
      object: "list",
      data: inputs.map((text, index) => {
        const vector = mockEmbedding(text, dimensions);
        return { object: "embedding", index, embedding: isBase64 ? float32Base64(vector) : vector };
      }),
      model: body.model,
      usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
    },
    requestIdHeader(),
  );
}
