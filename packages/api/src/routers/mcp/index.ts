/**
 * mcp.*: the MCP servers a project connects to. Members read (status, tools, never secrets); admins
 * add, change, refresh and delete them, since a server's tools act for every agent of the project.
 */
import { createTRPCRouter } from "../../trpc";
import { create } from "./create";
import { remove } from "./delete";
import { get } from "./get";
import { list } from "./list";
import { refresh } from "./refresh";
import { update } from "./update";

export const mcpRouter = createTRPCRouter({ list, get, create, update, delete: remove, refresh });
