/**
 * Webhook signatures: HMAC-SHA256 over `<timestamp>.<body>` with the schedule's secret, sent as
 * `X-Gathering-Signature: sha256=<hex>` beside `X-Gathering-Timestamp` (seconds), so a receiver can
 * refuse both forged and replayed deliveries.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/** What a receiver does (the tests' receiver uses it): constant-time compare, bounded clock skew. */
export function verifyWebhookSignature(input: {
  secret: string;
  signature: string;
  timestamp: string;
  body: string;
  toleranceSeconds?: number;
  nowSeconds?: number;
}): boolean {
  const timestamp = Number(input.timestamp);
  if (!Number.isInteger(timestamp)) return false;
  const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > (input.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signWebhook(input.secret, timestamp, input.body));
  const actual = Buffer.from(input.signature);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
