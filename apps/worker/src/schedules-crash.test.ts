/**
 * A worker SIGKILLed in the middle of a schedule's call_api: the reaper releases its job, another
 * worker repeats the call with the same Idempotency-Key (the fire id), the fire ends succeeded with
 * one effect at the receiver, and running the finished fire's job again sends nothing.
 */
import { createSchedule, parseKeyring, runScheduleNow, signUp } from "@gathering/core";
import { schema } from "@gathering/db";
import { scheduleQueue } from "@gathering/jobs";
import { createTestDatabase, type EffectReceiver, startEffectReceiver, type TestDatabase } from "@gathering/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { workerProcesses } from "./test-support/worker-process";

const keyringSpec = "test-1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
let database: TestDatabase;
let receiver: EffectReceiver;
const workers = workerProcesses(() => database.url);

beforeAll(async () => {
  database = await createTestDatabase();
  receiver = await startEffectReceiver();
});
afterAll(async () => {
  workers.stopAll();
  await receiver?.close();
  await database?.drop();
});

it("completes a killed worker's call_api once, and does not repeat it once completed", async () => {
  const account = await signUp(
    database.db,
    { passwordHashCost: 4, signUpPolicy: "open" },
    { email: "crash@example.com", name: "Crash", password: "correct horse battery staple" },
  );
  const actor = { userId: account.id };
  const schedule = await createSchedule(database.db, { queue: scheduleQueue, keyring: parseKeyring(keyringSpec) }, actor, {
    projectId: account.projectId,
    name: "Billing sync",
    cron: "0 0 1 1 *",
    action: { kind: "call_api", method: "POST", url: `${receiver.url}/sync`, body: '{"fire":"{{fire.id}}"}' },
  });
  receiver.behave("/sync", { kind: "hang" });
  const doomed = await workers.start({ allowedHosts: [receiver.host], keyring: keyringSpec });
  const fire = await runScheduleNow(database.db, { queue: scheduleQueue }, actor, {
    projectId: account.projectId,
    scheduleId: schedule.id,
  });
  await receiver.waitForRequests("/sync", 1, 20_000);

  doomed.kill("SIGKILL");
  receiver.behave("/sync", { kind: "ok", status: 200, body: { synced: true } });
  await workers.start({ allowedHosts: [receiver.host], keyring: keyringSpec });

  const read = async () => {
    const [row] = await database.db.select().from(schema.scheduleFires).where(eq(schema.scheduleFires.id, fire.id));
    return row;
  };
  await expect.poll(async () => (await read())?.status, { timeout: 30_000, interval: 100 }).toBe("succeeded");
  expect(await read()).toMatchObject({ attempts: 2, result: { response: { status: 200, body: '{"synced":true}' } } });
  expect(receiver.countByKey().get(fire.id)).toBe(2);
  expect([...(receiver.effects().get("/sync") ?? [])]).toEqual([fire.id]);

  // The finished fire's job, enqueued again, changes nothing and calls nobody.
  await database.db.transaction((tx) => scheduleQueue.enqueueFires(tx, [fire.id]));
  await expect
    .poll(
      async () =>
        (await database.db.execute<{ n: number }>(`select count(*)::int as n from graphile_worker.jobs where key = 'fire:${fire.id}'`))[0]
          ?.n,
      { timeout: 10_000, interval: 100 },
    )
    .toBe(0);
  expect(receiver.countByKey().get(fire.id)).toBe(2);
  expect(await read()).toMatchObject({ status: "succeeded", attempts: 2 });
}, 90_000);
