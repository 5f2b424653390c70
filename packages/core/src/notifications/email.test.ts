/**
 * Email over a real SMTP conversation: nodemailer, unmodified, against a local SMTP server. What the
 * recipient gets (envelope, headers, the delivery id), credentials, and which refusals are permanent
 * (an AppError the fire records) or temporary (a plain error the fire retries).
 */
import { type SmtpReceiver, startSmtpReceiver } from "@gathering/testing";
import { afterEach, describe, expect, it } from "vitest";
import { isAppError } from "../errors";
import { createSmtpMailer, type Mailer } from "./email";

let receiver: SmtpReceiver | undefined;
let mailer: Mailer | undefined;

afterEach(async () => {
  mailer?.close();
  await receiver?.close();
  mailer = undefined;
  receiver = undefined;
});

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected the send to fail");
    },
    (error: unknown) => error,
  );
}

describe("createSmtpMailer", () => {
  it("delivers the message with its sender, recipients, subject, body and delivery id", async () => {
    receiver = await startSmtpReceiver();
    mailer = createSmtpMailer({ url: receiver.url, from: "GatheRing <noreply@example.com>" });
    const sent = await mailer.send({
      to: ["ops@example.com", "lead@example.com"],
      subject: "Nightly report ✓",
      text: "All 12 pipelines succeeded.\n.\nA line that was a lone dot.",
      idempotencyKey: "fire-123",
    });
    expect(sent.messageId).toMatch(/^<.+@.+>$/);
    expect(receiver.messages).toHaveLength(1);
    const [mail] = receiver.messages;
    expect(mail?.from).toBe("noreply@example.com");
    expect(mail?.to).toEqual(["ops@example.com", "lead@example.com"]);
    expect(mail?.headers.from).toBe("GatheRing <noreply@example.com>");
    expect(mail?.headers.to).toBe("ops@example.com, lead@example.com");
    expect(mail?.headers["message-id"]).toBe(sent.messageId);
    expect(mail?.headers["x-gathering-delivery"]).toBe("fire-123");
    // A non-ASCII subject travels encoded (RFC 2047), and the body survives dot stuffing.
    expect(mail?.headers.subject).toMatch(/^=\?UTF-8\?/i);
    expect(mail?.raw).toContain("All 12 pipelines succeeded.");
    expect(mail?.body).toMatch(/\r\n\.\r\nA line that was a lone dot\./);
  });

  it("signs in when the URL carries credentials, and a refused password is a permanent configuration error", async () => {
    receiver = await startSmtpReceiver({ auth: { user: "mailer", pass: "s3cret pass" } });
    mailer = createSmtpMailer({ url: receiver.url, from: "noreply@example.com" });
    await mailer.send({ to: ["ops@example.com"], subject: "Signed in", text: "ok" });
    expect(receiver.messages.map((mail) => mail.headers.subject)).toEqual(["Signed in"]);
    mailer.close();

    const wrong = receiver.url.replace("s3cret%20pass", "wrong");
    mailer = createSmtpMailer({ url: wrong, from: "noreply@example.com" });
    const error = await failureOf(mailer.send({ to: ["ops@example.com"], subject: "Refused", text: "no" }));
    expect(isAppError(error) && error.code).toBe("PRECONDITION_FAILED");
    expect((error as Error).message).toMatch(/refused the credentials in GATHERING_SMTP_URL: 535/);
    expect((error as Error).message).not.toContain("wrong");
    expect(receiver.messages).toHaveLength(1);
  });

  it("an unknown recipient (550) is a permanent refusal that names the server's reason", async () => {
    receiver = await startSmtpReceiver();
    receiver.rejectRecipient("nobody@example.com");
    mailer = createSmtpMailer({ url: receiver.url, from: "noreply@example.com" });
    const error = await failureOf(mailer.send({ to: ["nobody@example.com"], subject: "Lost", text: "x" }));
    expect(isAppError(error) && error.code).toBe("BAD_REQUEST");
    expect((error as Error).message).toMatch(/refused the message: .*550 5\.1\.1 <nobody@example\.com>: Recipient address rejected/);
    expect(receiver.messages).toEqual([]);
  });

  it("a temporary refusal (451) and an unreachable server are plain errors, to be retried; the retry delivers", async () => {
    receiver = await startSmtpReceiver();
    receiver.deferNext(1);
    mailer = createSmtpMailer({ url: receiver.url, from: "noreply@example.com" });
    const deferred = await failureOf(mailer.send({ to: ["ops@example.com"], subject: "Later", text: "x", idempotencyKey: "fire-9" }));
    expect(isAppError(deferred)).toBe(false);
    expect((deferred as { responseCode?: number }).responseCode).toBe(451);
    expect(receiver.deferred).toBe(1);
    await mailer.send({ to: ["ops@example.com"], subject: "Later", text: "x", idempotencyKey: "fire-9" });
    expect(receiver.messages.map((mail) => mail.headers["x-gathering-delivery"])).toEqual(["fire-9"]);

    const { port } = receiver;
    await receiver.close();
    receiver = undefined;
    mailer.close();
    mailer = createSmtpMailer({ url: `smtp://127.0.0.1:${port}`, from: "noreply@example.com" });
    const unreachable = await failureOf(mailer.send({ to: ["ops@example.com"], subject: "Nobody home", text: "x" }));
    expect(isAppError(unreachable)).toBe(false);
    expect((unreachable as { code?: string }).code).toBe("ESOCKET");
  });
});
