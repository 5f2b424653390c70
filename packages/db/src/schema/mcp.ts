/**
 * MCP servers a project connects to (stdio command or streamable HTTP). Their tools join the project's
 * tool registry under `<server name>__<tool name>`. Secrets (environment for stdio, headers for HTTP)
 * are one encrypted JSON value, with the row id as associated data, like provider keys.
 */
import { sql } from "drizzle-orm";
import { boolean, index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, updatedAt } from "./columns";
import { projects } from "./projects";
import { users } from "./users";

export const mcpServers = pgTable(
  "mcp_servers",
  {
    id: id(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    /** Lower-case slug, unique in the project: the prefix of its tools' names. */
    name: text("name").notNull(),
    /** stdio | http */
    transport: text("transport").notNull(),
    /** stdio: the executable and its arguments. */
    command: text("command"),
    args: jsonb("args").notNull().default([]),
    /** http: the streamable HTTP endpoint. */
    url: text("url"),
    /** Encrypted JSON `{ env?: Record<string,string>, headers?: Record<string,string> }`, or null. */
    secretKeyId: text("secret_key_id"),
    secretCiphertext: text("secret_ciphertext"),
    /** Names of the secret entries (never their values), for display. */
    secretNames: jsonb("secret_names").notNull().default([]),
    enabled: boolean("enabled").notNull().default(true),
    /** The server's tools as last listed: [{ name, description, inputSchema }]. */
    tools: jsonb("tools").notNull().default([]),
    lastError: text("last_error"),
    lastConnectedAt: timestamp("last_connected_at", { withTimezone: true, mode: "date" }),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [
    uniqueIndex("mcp_servers_project_id_name_key").on(table.projectId, table.name),
    index("mcp_servers_project_enabled_idx").on(table.projectId).where(sql`${table.enabled}`),
  ],
);
