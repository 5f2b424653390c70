/** One HTTP request/response pair as the vendor adapters see it, with the writing helpers they share. */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { MockStep, MockVendor } from "./types";

export interface Exchange {
  vendor: MockVendor;
  /** Path below the vendor prefix, e.g. `/v1/chat/completions`. */
  route: string;
  method: string;
  req: IncomingMessage;
  res: ServerResponse;
  /** The parsed JSON body, or undefined when the body was empty or not JSON (see `isBodyJson`). */
  body: unknown;
  isBodyJson: boolean;
  /** Takes the next scripted step for this vendor matching the model; echo when none matches. */
  takeStep(model: string | undefined): MockStep;
  /** Leaves the request unanswered until the client disconnects or the server closes. */
  hang(): void;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

export function sendRaw(res: ServerResponse, status: number, contentType: string, body: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": contentType, ...headers });
  res.end(body);
}

export function retryHeaders(step: Extract<MockStep, { type: "error" }>): Record<string, string> {
  const headers: Record<string, string> = {};
  if (step.retryAfterSeconds !== undefined) headers["retry-after"] = String(step.retryAfterSeconds);
  if (step.retryAfterMs !== undefined) headers["retry-after-ms"] = String(step.retryAfterMs);
  return headers;
}

export function isGone(res: ServerResponse): boolean {
  return res.destroyed || res.writableEnded;
}

/** Writes streamed pieces in order, pausing between them when asked, and stops once the client is gone. */
export async function writeStreamed(res: ServerResponse, pieces: string[], delayMs = 0): Promise<void> {
  for (const [index, piece] of pieces.entries()) {
    if (isGone(res)) return;
    if (index > 0 && delayMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (isGone(res)) return;
    }
    res.write(piece);
  }
}

export function bearerToken(exchange: Exchange): string | undefined {
  const header = exchange.req.headers.authorization;
  const match = typeof header === "string" ? /^Bearer\s+(\S+)/i.exec(header) : null;
  return match?.[1];
}
