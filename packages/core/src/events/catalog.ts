/** The durable event topics, each with the zod schema of its payload, and the one way to publish them. */
import { type DbExecutor, insertEvent } from "@gathering/db";
import { z } from "zod";

export const eventCatalog = {
  "project.updated": z.object({ name: z.string() }),
  "members.changed": z.object({ userId: z.string(), change: z.enum(["joined", "role_changed", "removed"]), role: z.string().nullable() }),
  "invitations.changed": z.object({ invitationId: z.string(), change: z.enum(["created", "cancelled", "accepted"]) }),
  "tokens.changed": z.object({ tokenId: z.string(), change: z.enum(["created", "revoked"]) }),
  "settings.changed": z.object({ changed: z.array(z.string()) }),
} as const;

export type EventTopic = keyof typeof eventCatalog;
export const eventTopics = Object.keys(eventCatalog) as EventTopic[];
export type EventPayload<TTopic extends EventTopic> = z.infer<(typeof eventCatalog)[TTopic]>;

/** Publishes in the caller's transaction: the event exists, and is announced, only if the change commits. */
export function publishEvent<TTopic extends EventTopic>(
  db: DbExecutor,
  projectId: string,
  topic: TTopic,
  payload: EventPayload<TTopic>,
): Promise<number> {
  return insertEvent(db, { projectId, topic, payload: eventCatalog[topic].parse(payload) });
}
