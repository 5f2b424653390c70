/**
 * A separate process that publishes ephemeral events the way a worker does (createEphemeralPublisher on
 * its own database connection), driven by a test over stdin: each line `{ projectId, events }` is
 * published within one window and flushed, then answered with a line `{ sent }`. Run by
 * ephemeral-publisher-process.ts with the database URL as its only argument.
 */
import { createInterface } from "node:readline";
import { createEphemeralPublisher, type EphemeralTopic } from "@gathering/core";
import { createDatabaseClient } from "@gathering/db";

interface Command {
  projectId: string;
  events: Array<{ topic: EphemeralTopic; payload: Record<string, unknown> }>;
}

const databaseUrl = process.argv[2];
if (!databaseUrl) throw new Error("usage: ephemeral-publisher-child.ts <database url>");
const client = createDatabaseClient(databaseUrl, { max: 1, applicationName: "e2e-ephemeral-publisher" });
const publisher = createEphemeralPublisher(client.db, { windowMs: 20 });

for await (const line of createInterface({ input: process.stdin })) {
  const command = JSON.parse(line) as Command;
  for (const event of command.events) publisher.publish(command.projectId, event.topic, event.payload as never);
  await publisher.flush();
  process.stdout.write(`${JSON.stringify({ sent: command.events.length, failed: publisher.stats.failedEvents })}\n`);
}
await publisher.close();
await client.close();
