/**
 * A schedule's email channel end to end: a real worker fires the schedule and nodemailer talks SMTP to
 * a local mail server. The message carries the fire as its delivery id; a temporary refusal (451) is
 * retried and delivered once; an unknown recipient (550) fails the fire at once with the server's reason.
 */
import { createLogger, createSchedule, type Logger, parseKeyring, runScheduleNow, signUp } from "@gathering/core";
import { schema } from "@gathering/db";
import { scheduleQueue } from "@gathering/jobs";
import { createTestDatabase, type SmtpReceiver, startSmtpReceiver, type TestDatabase } from "@gathering/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startWorker, type WorkerHandle } from "./run-worker";

const logger = createLogger({ level: "silent" }) as Logger;
const keyring = parseKeyring("test-1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
let database: TestDatabase;
let smtp: SmtpReceiver;
let worker: WorkerHandle;
let actor: { userId: string };
let projectId: string;

beforeAll(async () => {
  database = await createTestDatabase({ max: 10 });
  smtp = await startSmtpReceiver({ auth: { user: "gathering", pass: "mail secret" } });
  const account = await signUp(
    database.db,
    { passwordHashCost: 4, signUpPolicy: "open" },
    { email: "mail@example.com", name: "Mail", password: "correct horse battery staple" },
  );
  actor = { userId: account.id };
  projectId = account.projectId;
  worker = await startWorker({
    connectionString: database.url,
    logger,
    keyring,
    concurrency: 2,
    pollIntervalMs: 200,
    scheduleTickMs: 0,
    smtp: { url: smtp.url, from: "GatheRing <noreply@example.com>" },
  });
});
afterAll(async () => {
  await worker?.stop();
  await smtp?.close();
  await database?.drop();
});

async function fireNow(name: string, to: string[]) {
  const schedule = await createSchedule(database.db, { queue: scheduleQueue, keyring }, actor, {
    projectId,
    name,
    cron: "0 9 * * *",
    action: { kind: "send_notification", title: `${name} done`, body: "Every pipeline succeeded.", email: { to } },
  });
  return runScheduleNow(database.db, { queue: scheduleQueue }, actor, { projectId, scheduleId: schedule.id });
}

async function settled(fireId: string) {
  const read = async () => {
    const [fire] = await database.db.select().from(schema.scheduleFires).where(eq(schema.scheduleFires.id, fireId));
    if (!fire) throw new Error("no fire");
    return fire;
  };
  // Graphile's backoff before the second attempt is a few seconds.
  await expect.poll(async () => (await read()).status, { timeout: 40_000, interval: 200 }).toMatch(/succeeded|failed/);
  return read();
}

it("sends the notification by email, signed in, with the fire as its delivery id", async () => {
  const fire = await fireNow("Nightly", ["ops@example.com"]);
  const done = await settled(fire.id);
  expect(done).toMatchObject({ status: "succeeded", attempts: 1, error: null });
  const mails = smtp.messages.filter((mail) => mail.headers["x-gathering-delivery"] === fire.id);
  expect(mails).toHaveLength(1);
  expect(mails[0]?.to).toEqual(["ops@example.com"]);
  expect(mails[0]?.headers.subject).toBe("Nightly done");
  expect(mails[0]?.body).toContain("Every pipeline succeeded.");
  expect(mails[0]?.body).toContain('(Schedule "Nightly"');
  expect(done.result).toMatchObject({ email: { messageId: mails[0]?.headers["message-id"] } });
});

it("a temporary refusal is retried, and the message is delivered once", async () => {
  smtp.deferNext(1);
  const fire = await fireNow("Retried", ["ops@example.com"]);
  const done = await settled(fire.id);
  expect(done).toMatchObject({ status: "succeeded", attempts: 2 });
  expect(smtp.deferred).toBeGreaterThanOrEqual(1);
  expect(smtp.messages.filter((mail) => mail.headers["x-gathering-delivery"] === fire.id)).toHaveLength(1);
});

it("an unknown recipient fails the fire at once with the mail server's reason", async () => {
  smtp.rejectRecipient("nobody@example.com");
  const fire = await fireNow("Bounced", ["nobody@example.com"]);
  const done = await settled(fire.id);
  expect(done.status).toBe("failed");
  expect(done.attempts).toBe(1);
  expect(done.error).toMatch(/The mail server refused the message: .*550 5\.1\.1 <nobody@example\.com>/);
  expect(smtp.messages.filter((mail) => mail.headers["x-gathering-delivery"] === fire.id)).toEqual([]);
});
