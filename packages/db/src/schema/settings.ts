/**
 * Per-project provider settings. Secrets (API keys) are encrypted with AES-256-GCM, the row id as
 * associated data and a key id so keys can be rotated; everything else is plain JSON.
 */
import { jsonb, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, updatedAt } from "./columns";
import { projects } from "./projects";

export const projectSecrets = pgTable(
  "project_secrets",
  {
    id: id(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    /** e.g. "anthropic.apiKey" */
    name: text("name").notNull(),
    keyId: text("key_id").notNull(),
    /** base64 of iv (12 bytes) + ciphertext + auth tag (16 bytes). */
    ciphertext: text("ciphertext").notNull(),
    /** The last 4 characters, for the masked display. */
    hint: text("hint").notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [uniqueIndex("project_secrets_project_id_name_key").on(table.projectId, table.name)],
);

export const projectSettings = pgTable("project_settings", {
  projectId: uuid("project_id")
    .primaryKey()
    .references(() => projects.id, { onDelete: "cascade" }),
  /** Non-secret provider settings: Ollama base URL, default models, ... (validated in core). */
  providers: jsonb("providers").notNull().default({}),
  /** Price overrides per `provider:model` (validated in core). */
  pricing: jsonb("pricing").notNull().default({}),
  /** Project-wide daily limits on model tokens and cost (validated in core). */
  budgets: jsonb("budgets").notNull().default({}),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});
