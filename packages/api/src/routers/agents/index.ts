/**
 * agents.*: definitions (create, update, get, list, archive, restore, duplicate), chat sessions and
 * what each agent remembers. Viewers read; members create, edit and chat.
 */

import type { Logger } from "@gathering/core";
import {
  type AgentRuntime,
  archiveChatSession,
  clearProfile,
  createAgent,
  duplicateAgent,
  forgetMemory,
  getAgent,
  getChatSession,
  listAgents,
  listChatSessions,
  listMemories,
  readProfile,
  renameChatSession,
  resumeChat,
  sendChatMessage,
  setAgentArchivedState,
  storeMemory,
  type TurnEvent,
  updateAgent,
  ZAgentDefinition,
  ZAgentUpdate,
  ZChatMessageContent,
  ZListAgentsInput,
  ZMemoryFact,
} from "@gathering/core";
import type { Database } from "@gathering/db";
import { z } from "zod";
import type { ApiServices } from "../../context";
import { createTRPCRouter, projectProcedure } from "../../trpc";

const ZAgentId = z.object({ agentId: z.uuid() });

type ProjectContext = { db: Database; services: ApiServices; logger: Logger; project: { id: string } };

/** The agent runtime of this request: the process's gateway and tools, the request's logger. */
function runtimeOf(ctx: ProjectContext): AgentRuntime {
  return {
    db: ctx.db,
    keyring: ctx.services.keyring,
    gateway: ctx.services.modelGateway,
    logger: ctx.logger,
    ...(ctx.services.tools ? { tools: ctx.services.tools } : {}),
    ...(ctx.services.toolServices ? { toolServices: ctx.services.toolServices } : {}),
  };
}

/**
 * Publishes a reply's text deltas as `agent.token` events (streamId: the session; messageId: the message
 * being answered), numbered from 0 across the whole turn.
 */
function tokenStream(ctx: ProjectContext, initialSessionId: string) {
  let sessionId = initialSessionId;
  let messageId = "";
  let index = 0;
  const publish = ctx.services.publishTokenDelta;
  return {
    onEvent: (event: TurnEvent | { type: "session"; session: { id: string } }) => {
      if (event.type === "session") sessionId = event.session.id;
      else if (event.type === "message") messageId = event.message.id;
      else if (event.type === "text" && publish)
        publish(ctx.project.id, { streamId: sessionId, messageId: messageId || sessionId, delta: event.delta, index: index++ });
    },
  };
}
const ZSessionId = z.object({ sessionId: z.uuid() });

export const agentsRouter = createTRPCRouter({
  create: projectProcedure("member")
    .input(ZAgentDefinition)
    .mutation(({ ctx, input }) => createAgent(ctx.db, ctx.actor, { projectId: ctx.project.id, definition: input })),

  update: projectProcedure("member")
    .input(ZAgentId.extend({ patch: ZAgentUpdate }))
    .mutation(({ ctx, input }) =>
      updateAgent(ctx.db, ctx.actor, { projectId: ctx.project.id, agentId: input.agentId, patch: input.patch }),
    ),

  get: projectProcedure("viewer")
    .input(ZAgentId)
    .query(({ ctx, input }) => getAgent(ctx.db, { projectId: ctx.project.id, agentId: input.agentId })),

  list: projectProcedure("viewer")
    .input(ZListAgentsInput.default({ includeArchived: false, limit: 50 }))
    .query(({ ctx, input }) => listAgents(ctx.db, { ...input, projectId: ctx.project.id })),

  archive: projectProcedure("member")
    .input(ZAgentId)
    .mutation(({ ctx, input }) =>
      setAgentArchivedState(ctx.db, ctx.actor, { projectId: ctx.project.id, agentId: input.agentId, archived: true }),
    ),

  restore: projectProcedure("member")
    .input(ZAgentId)
    .mutation(({ ctx, input }) =>
      setAgentArchivedState(ctx.db, ctx.actor, { projectId: ctx.project.id, agentId: input.agentId, archived: false }),
    ),

  duplicate: projectProcedure("member")
    .input(ZAgentId.extend({ name: z.string().trim().min(1).max(100).optional() }))
    .mutation(({ ctx, input }) =>
      duplicateAgent(ctx.db, ctx.actor, { projectId: ctx.project.id, agentId: input.agentId, ...(input.name ? { name: input.name } : {}) }),
    ),

  /**
   * Sends a message and answers when the agent's reply is complete (tool rounds included). While it
   * works, the reply's text streams as `agent.token` events (events.subscribe, streamId = session id) and
   * each stored message as a `chat.message` event.
   */
  chat: projectProcedure("member")
    .input(ZAgentId.extend({ sessionId: z.uuid().optional(), content: ZChatMessageContent }))
    .mutation(async ({ ctx, input, signal }) => {
      const stream = tokenStream(ctx, input.sessionId ?? "");
      const outcome = await sendChatMessage(runtimeOf(ctx), ctx.actor, {
        projectId: ctx.project.id,
        agentId: input.agentId,
        ...(input.sessionId ? { sessionId: input.sessionId } : {}),
        content: input.content,
        ...(signal ? { signal } : {}),
        onEvent: stream.onEvent,
      });
      return {
        sessionId: outcome.sessionId,
        messages: outcome.messages,
        stop: outcome.stop,
        usage: outcome.usage,
        pendingApprovals: outcome.pendingApprovals,
      };
    }),

  /** Continues a session after a person decided on the tool call it was waiting for (tools.approve). */
  resume: projectProcedure("member")
    .input(ZSessionId)
    .mutation(async ({ ctx, input, signal }) => {
      const stream = tokenStream(ctx, input.sessionId);
      const outcome = await resumeChat(runtimeOf(ctx), ctx.actor, {
        projectId: ctx.project.id,
        sessionId: input.sessionId,
        ...(signal ? { signal } : {}),
        onEvent: stream.onEvent,
      });
      return {
        sessionId: outcome.sessionId,
        messages: outcome.messages,
        stop: outcome.stop,
        usage: outcome.usage,
        pendingApprovals: outcome.pendingApprovals,
      };
    }),

  sessions: createTRPCRouter({
    list: projectProcedure("viewer")
      .input(ZAgentId.extend({ mine: z.boolean().default(true), limit: z.number().int().min(1).max(100).default(50) }))
      .query(({ ctx, input }) =>
        listChatSessions(ctx.db, {
          projectId: ctx.project.id,
          agentId: input.agentId,
          limit: input.limit,
          ...(input.mine ? { userId: ctx.actor.userId } : {}),
        }),
      ),
    get: projectProcedure("viewer")
      .input(ZSessionId)
      .query(({ ctx, input }) => getChatSession(ctx.db, { projectId: ctx.project.id, sessionId: input.sessionId })),
    rename: projectProcedure("member")
      .input(ZSessionId.extend({ title: z.string().trim().min(1).max(200) }))
      .mutation(({ ctx, input }) => renameChatSession(ctx.db, { ...input, projectId: ctx.project.id })),
    archive: projectProcedure("member")
      .input(ZSessionId)
      .mutation(({ ctx, input }) => archiveChatSession(ctx.db, { projectId: ctx.project.id, sessionId: input.sessionId })),
  }),

  memory: createTRPCRouter({
    list: projectProcedure("viewer")
      .input(ZAgentId.extend({ limit: z.number().int().min(1).max(500).default(100) }))
      .query(async ({ ctx, input }) => {
        await getAgent(ctx.db, { projectId: ctx.project.id, agentId: input.agentId });
        const [memories, profile] = await Promise.all([
          listMemories(ctx.db, { projectId: ctx.project.id, agentId: input.agentId, userId: ctx.actor.userId, limit: input.limit }),
          readProfile(ctx.db, { agentId: input.agentId, userId: ctx.actor.userId }),
        ]);
        return { memories, profile };
      }),
    add: projectProcedure("member")
      .input(ZAgentId.extend({ content: ZMemoryFact, shared: z.boolean().default(false) }))
      .mutation(async ({ ctx, input }) => {
        await getAgent(ctx.db, { projectId: ctx.project.id, agentId: input.agentId });
        return storeMemory(ctx.db, {
          projectId: ctx.project.id,
          agentId: input.agentId,
          userId: input.shared ? null : ctx.actor.userId,
          content: input.content,
          source: "user",
        });
      }),
    delete: projectProcedure("member")
      .input(ZAgentId.extend({ memoryId: z.uuid() }))
      .mutation(async ({ ctx, input }) => ({ deleted: await forgetMemory(ctx.db, ctx.actor, { ...input, projectId: ctx.project.id }) })),
    clearProfile: projectProcedure("member")
      .input(ZAgentId)
      .mutation(async ({ ctx, input }) => ({
        deleted: await clearProfile(ctx.db, { projectId: ctx.project.id, agentId: input.agentId, userId: ctx.actor.userId }),
      })),
  }),
});
