/** API tokens for the SDK and CLI: scoped to one project and a role, stored as a SHA-256 hash. */
import { index, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, id } from "./columns";
import { projectRole, projects } from "./projects";
import { users } from "./users";

export const apiTokens = pgTable(
  "api_tokens",
  {
    id: id(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    role: projectRole("role").notNull(),
    /** The first characters of the token, shown in lists so a user can tell tokens apart. */
    prefix: text("prefix").notNull(),
    tokenHash: text("token_hash").notNull(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true, mode: "date" }),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }),
    revokedAt: timestamp("revoked_at", { withTimezone: true, mode: "date" }),
    createdAt: createdAt(),
  },
  (table) => [uniqueIndex("api_tokens_token_hash_key").on(table.tokenHash), index("api_tokens_project_id_idx").on(table.projectId)],
);
