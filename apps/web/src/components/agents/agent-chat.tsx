"use client";
/**
 * An agent's page: its chat sessions, the transcript and a composer, and what it remembers (Memory tab).
 * A reply streams in token by token from `agent.token` events while `agents.chat` runs; when the call
 * returns, the stored messages (with model, tokens and cost) take the streamed text's place. Without
 * the events the reply still appears, all at once, when the call returns. An answer's knowledge citations
 * ([n] in its text, and its sources under it) link to the cited chunks.
 */
import type { RouterOutputs } from "@gathering/api";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import Link from "next/link";
import { type FormEvent, type KeyboardEvent, useEffect, useId, useRef, useState } from "react";
import { type AccountProject, ProjectScope } from "~/components/current-project";
import { EmptyState, ErrorState, LoadingState } from "~/components/feedback";
import { formatDateTime, formatNumber, hasRole } from "~/components/format";
import { CitationList, CitedText } from "~/components/knowledge/citations";
import { TabList, tabPanelProps } from "~/components/ui/tabs";
import { type ApiError, appCodeOf, errorMessage } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";
import styles from "./agents.module.css";
import { MemoryPanel } from "./memory-panel";
import { modelLabel, offlineNote } from "./model-label";
import { PendingApprovals } from "./pending-approvals";
import { formatUsd } from "./shared";

type Agent = RouterOutputs["agents"]["get"];
type StoredMessage = RouterOutputs["agents"]["sessions"]["get"]["messages"][number];

/** Text streamed for one message still being written: keyed by the message it follows. */
interface StreamSegment {
  streamId: string;
  afterMessageId: string;
  text: string;
  nextIndex: number;
}

export function AgentChatView({ agentId }: { agentId: string }) {
  return <ProjectScope>{(project) => <AgentPage project={project} agentId={agentId} />}</ProjectScope>;
}

function AgentPage({ project, agentId }: { project: AccountProject; agentId: string }) {
  const trpc = useTRPC();
  const agent = useQuery(trpc.agents.get.queryOptions({ projectId: project.id, agentId }));
  const [tab, setTab] = useState<"chat" | "memory">("chat");
  const tabsId = useId();

  if (agent.isPending) return <LoadingState label="Loading the agent…" />;
  if (agent.isError) return <ErrorState error={agent.error} onRetry={() => agent.refetch()} />;
  const note = offlineNote(agent.data.model.provider);
  return (
    <>
      <header className="page-header">
        <div className="section-header">
          <h1>{agent.data.name}</h1>
          <div className="toolbar">
            <Link href="/agents" className="button button-ghost">
              All agents
            </Link>
            {hasRole(project.role, "member") && !agent.data.archivedAt ? (
              <Link href={`/agents/${agent.data.id}/edit`} className="button button-secondary">
                Edit agent
              </Link>
            ) : null}
          </div>
        </div>
        <p className="muted">
          {agent.data.role} · <span className="mono">{modelLabel(agent.data.model)}</span>
          {note ? ` (${note})` : ""}
        </p>
      </header>
      {agent.data.archivedAt ? (
        <p className="callout callout-warning">This agent is archived: it does not answer until it is restored from the agents list.</p>
      ) : null}
      <TabList
        label="Agent"
        idPrefix={tabsId}
        tabs={[
          { name: "chat", label: "Chat" },
          { name: "memory", label: "Memory" },
        ]}
        selected={tab}
        onSelect={setTab}
      />
      {/* Both stay mounted, so a reply keeps streaming while the memory is open. */}
      <div {...tabPanelProps(tabsId, "chat", tab)}>
        <Chat project={project} agent={agent.data} />
      </div>
      <div {...tabPanelProps(tabsId, "memory", tab)}>{tab === "memory" ? <MemoryPanel project={project} agent={agent.data} /> : null}</div>
    </>
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

function Chat({ project, agent }: { project: AccountProject; agent: Agent }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [sessionId, setSessionId] = useState<string | null>(null);
  // The session a new chat was given, learnt from its first stored message while the reply runs.
  const [startedSessionId, setStartedSessionId] = useState<string | null>(null);
  const [segments, setSegments] = useState<StreamSegment[]>([]);
  const [draft, setDraft] = useState("");
  const startedSessionIdRef = useRef<string | null>(null);
  startedSessionIdRef.current = startedSessionId;
  const sessionsQuery = trpc.agents.sessions.list.queryOptions({ projectId: project.id, agentId: agent.id });
  const sessions = useQuery(sessionsQuery);
  const session = useQuery({
    ...trpc.agents.sessions.get.queryOptions({ projectId: project.id, sessionId: sessionId ?? "" }),
    enabled: sessionId !== null,
  });
  const canChat = hasRole(project.role, "member") && !agent.archivedAt;

  const chat = useMutation(
    trpc.agents.chat.mutationOptions({
      onMutate: () => {
        setSegments([]);
        setStartedSessionId(null);
      },
      onSuccess: async (outcome) => {
        // The stored messages replace the streamed text in one step: load them before switching.
        await queryClient.fetchQuery({
          ...trpc.agents.sessions.get.queryOptions({ projectId: project.id, sessionId: outcome.sessionId }),
          staleTime: 0,
        });
        setSessionId(outcome.sessionId);
        setSegments([]);
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: sessionsQuery.queryKey }),
          queryClient.invalidateQueries({ queryKey: trpc.agents.memory.list.queryKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.tools.approvals.queryKey() }),
        ]);
      },
      onError: async (_error, variables) => {
        setSegments([]);
        // The user's message was stored before the agent ran; show where it went.
        const storedIn = variables.sessionId ?? startedSessionIdRef.current;
        if (storedIn) {
          setSessionId(storedIn);
          await queryClient.invalidateQueries({
            queryKey: trpc.agents.sessions.get.queryKey({ projectId: project.id, sessionId: storedIn }),
          });
        }
        await queryClient.invalidateQueries({ queryKey: sessionsQuery.queryKey });
      },
    }),
  );
  const pendingVariables = chat.isPending ? chat.variables : undefined;
  const liveSessionId = pendingVariables ? (pendingVariables.sessionId ?? startedSessionId) : sessionId;

  // Read inside the event handler without resubscribing on every change.
  const stateRef = useRef({ liveSessionId, isPending: chat.isPending, sessionId });
  stateRef.current = { liveSessionId, isPending: chat.isPending, sessionId };

  useSubscription(
    trpc.events.subscribe.subscriptionOptions(
      { projectId: project.id, topics: ["agent.token", "chat.message", "memory.changed", "approvals.changed"] },
      {
        onData: (event) => {
          const { topic, payload } = event.data;
          if (!isRecord(payload)) return;
          const current = stateRef.current;
          if (topic === "agent.token") {
            const { streamId, messageId, delta, index, count } = payload;
            if (typeof streamId !== "string" || typeof messageId !== "string" || typeof delta !== "string" || typeof index !== "number")
              return;
            if (!current.isPending || (current.liveSessionId !== null && streamId !== current.liveSessionId)) return;
            setSegments((existing) =>
              appendDelta(existing, { streamId, messageId, delta, index, count: typeof count === "number" ? count : 1 }),
            );
            return;
          }
          if (topic === "chat.message") {
            if (payload.agentId !== agent.id || typeof payload.sessionId !== "string") return;
            // A new chat learns its session from its own first message.
            if (current.isPending && current.liveSessionId === null && payload.role === "user") setStartedSessionId(payload.sessionId);
            // Messages written elsewhere (another tab, a teammate) show up live; the own reply arrives with the call.
            if (!current.isPending && payload.sessionId === current.sessionId) {
              void queryClient.invalidateQueries({
                queryKey: trpc.agents.sessions.get.queryKey({ projectId: project.id, sessionId: payload.sessionId }),
              });
            }
            return;
          }
          if (topic === "approvals.changed") {
            void queryClient.invalidateQueries({ queryKey: trpc.tools.approvals.queryKey() });
            return;
          }
          if (topic === "memory.changed" && payload.agentId === agent.id) {
            void queryClient.invalidateQueries({ queryKey: trpc.agents.memory.list.queryKey() });
          }
        },
      },
    ),
  );

  const liveSegments = segments.filter((segment) => liveSessionId === null || segment.streamId === liveSessionId);
  const showsPendingTurn = pendingVariables !== undefined && (pendingVariables.sessionId ?? null) === sessionId;
  const storedMessages = sessionId !== null ? (session.data?.messages ?? []) : [];

  const transcriptRef = useRef<HTMLDivElement>(null);
  const streamedLength = liveSegments.reduce((total, segment) => total + segment.text.length, 0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: each new message or streamed token is the trigger.
  useEffect(() => {
    const transcript = transcriptRef.current;
    if (transcript) transcript.scrollTop = transcript.scrollHeight;
  }, [storedMessages.length, streamedLength, showsPendingTurn]);

  function send() {
    const content = draft;
    if (content.trim() === "" || chat.isPending || !canChat) return;
    setDraft("");
    chat.mutate({ projectId: project.id, agentId: agent.id, content, ...(sessionId ? { sessionId } : {}) });
  }

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    send();
  }

  function handleKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    // Enter sends; Shift+Enter is a new line; Enter that confirms an input method's composition is neither.
    if (event.key !== "Enter" || event.shiftKey || event.nativeEvent.isComposing) return;
    event.preventDefault();
    send();
  }

  function startNewChat() {
    setSessionId(null);
    chat.reset();
  }

  return (
    <div className={styles.chatLayout}>
      <nav className={styles.sessions} aria-label="Chat sessions">
        <button type="button" className="button button-secondary button-block" onClick={startNewChat} disabled={chat.isPending}>
          New chat
        </button>
        {sessions.isPending ? (
          <LoadingState label="Loading chats…" />
        ) : sessions.isError ? (
          <ErrorState error={sessions.error} onRetry={() => sessions.refetch()} />
        ) : sessions.data.length === 0 ? (
          <p className="muted">No chats yet.</p>
        ) : (
          <ul className={styles.sessionList}>
            {sessions.data.map((item) => (
              <li key={item.id}>
                <button
                  type="button"
                  className={styles.sessionButton}
                  aria-current={item.id === sessionId ? "true" : undefined}
                  disabled={chat.isPending}
                  title={item.title}
                  onClick={() => {
                    setSessionId(item.id);
                    chat.reset();
                  }}
                >
                  {item.title || "Untitled chat"}
                  <span className={styles.sessionDate}>{formatDateTime(item.updatedAt)}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </nav>
      <section className={styles.chatPanel} aria-label="Conversation">
        <div className={styles.transcript} ref={transcriptRef} role="log" aria-label="Transcript" aria-busy={chat.isPending}>
          {sessionId !== null && session.isPending ? (
            <LoadingState label="Loading the chat…" />
          ) : sessionId !== null && session.isError ? (
            <ErrorState error={session.error} onRetry={() => session.refetch()} />
          ) : storedMessages.length === 0 && !showsPendingTurn ? (
            <EmptyState title={`Start a chat with ${agent.name}`}>Write below; Enter sends, Shift+Enter starts a new line.</EmptyState>
          ) : null}
          {storedMessages.map((message) => (
            <MessageView key={message.id} message={message} />
          ))}
          {showsPendingTurn && pendingVariables ? (
            <>
              <div className={`${styles.message} ${styles.messageUser}`}>
                <div className={styles.messageRole}>You</div>
                <p className={styles.messageText}>{pendingVariables.content}</p>
              </div>
              {liveSegments.map((segment) => (
                <div
                  key={`${segment.streamId}:${segment.afterMessageId}`}
                  className={`${styles.message} ${styles.messageAssistant} ${styles.messageStreaming}`}
                >
                  <div className={styles.messageRole}>{agent.name}</div>
                  <p className={styles.messageText} data-testid="streaming-reply">
                    {segment.text}
                  </p>
                </div>
              ))}
              {liveSegments.length === 0 ? <LoadingState label={`${agent.name} is thinking…`} /> : null}
            </>
          ) : null}
        </div>
        {sessionId !== null && !chat.isPending ? (
          <PendingApprovals
            project={project}
            sessionId={sessionId}
            onResumed={async () => {
              await queryClient.invalidateQueries({
                queryKey: trpc.agents.sessions.get.queryKey({ projectId: project.id, sessionId }),
              });
              await queryClient.invalidateQueries({ queryKey: trpc.agents.memory.list.queryKey() });
            }}
          />
        ) : null}
        {chat.error ? <ChatError error={chat.error} agent={agent} /> : null}
        <form className={styles.composer} onSubmit={handleSubmit}>
          <label htmlFor="chat-message" className="visually-hidden">
            Message
          </label>
          <textarea
            id="chat-message"
            className={styles.textarea}
            rows={2}
            placeholder={canChat ? `Message ${agent.name}…` : agent.archivedAt ? "This agent is archived" : "Members can chat with agents"}
            value={draft}
            disabled={!canChat}
            onChange={(event) => setDraft(event.target.value)}
            onKeyDown={handleKeyDown}
          />
          <button type="submit" className="button button-primary" disabled={!canChat || chat.isPending || draft.trim() === ""}>
            {chat.isPending ? "Sending…" : "Send"}
          </button>
        </form>
      </section>
    </div>
  );
}

/** Adds one token event to its segment, in order; a repeated event is ignored, a gap is filled by the stored message later. */
function appendDelta(
  segments: StreamSegment[],
  token: { streamId: string; messageId: string; delta: string; index: number; count: number },
): StreamSegment[] {
  const position = segments.findIndex((segment) => segment.streamId === token.streamId && segment.afterMessageId === token.messageId);
  if (position === -1) {
    return [
      ...segments,
      { streamId: token.streamId, afterMessageId: token.messageId, text: token.delta, nextIndex: token.index + token.count },
    ];
  }
  const segment = segments[position];
  if (!segment || token.index < segment.nextIndex) return segments;
  const updated = { ...segment, text: segment.text + token.delta, nextIndex: token.index + token.count };
  return segments.map((existing, index) => (index === position ? updated : existing));
}

function ChatError({ error, agent }: { error: ApiError; agent: Agent }) {
  const code = appCodeOf(error);
  const message = errorMessage(error);
  return (
    <div className="callout callout-warning" role="alert">
      <p className="callout-title">
        {code === "BUDGET_EXCEEDED"
          ? "Budget reached"
          : code === "PRECONDITION_FAILED"
            ? "The agent cannot answer yet"
            : "The reply failed"}
      </p>
      <p>{message}</p>
      {code === "BUDGET_EXCEEDED" ? (
        <p className="muted">
          Raise the limit in the <Link href={`/agents/${agent.id}/edit`}>agent’s budgets</Link>, or wait for the daily budget to renew.
        </p>
      ) : code === "PRECONDITION_FAILED" && /api key/i.test(message) ? (
        <p className="muted">
          Add the provider’s key in <Link href="/settings">Settings</Link>, or pick the offline demo model in the{" "}
          <Link href={`/agents/${agent.id}/edit`}>agent’s settings</Link>.
        </p>
      ) : null}
    </div>
  );
}

function MessageView({ message }: { message: StoredMessage }) {
  if (message.role === "user") {
    return (
      <div className={`${styles.message} ${styles.messageUser}`}>
        <div className={styles.messageRole}>You</div>
        <p className={styles.messageText}>{message.content}</p>
      </div>
    );
  }
  if (message.role === "tool") {
    return (
      <div className={`${styles.message} ${styles.messageTool}${message.isError ? ` ${styles.messageError}` : ""}`}>
        <div className={styles.messageRole}>
          Tool {message.toolName ? <span className="mono">{message.toolName}</span> : null}
          {message.isError ? " · failed" : ""}
        </div>
        <p className={styles.messageText}>{message.content.length > 600 ? `${message.content.slice(0, 600)}…` : message.content}</p>
      </div>
    );
  }
  const note = offlineNote(message.provider);
  const fallbacks = message.fallbacks ?? [];
  return (
    <div className={`${styles.message} ${styles.messageAssistant}`} data-testid="assistant-message">
      <div className={styles.messageRole}>Assistant</div>
      {message.content ? (
        <p className={styles.messageText}>
          <CitedText text={message.content} citations={message.citations ?? []} />
        </p>
      ) : null}
      <CitationList citations={message.citations ?? []} />
      {message.toolCalls?.map((call) => (
        <p key={call.id} className="muted">
          Calls <span className="mono">{call.name}</span> <code>{JSON.stringify(call.arguments)}</code>
        </p>
      ))}
      <div className={styles.messageMeta}>
        {message.provider && message.model ? (
          <span className="mono" title={note ?? undefined}>
            {modelLabel({ provider: message.provider, model: message.model })}
          </span>
        ) : null}
        <span>
          {formatNumber(message.inputTokens)} in / {formatNumber(message.outputTokens)} out tokens
        </span>
        <span>{formatUsd(message.costMicros)}</span>
        {note ? <span>{note}</span> : null}
      </div>
      {fallbacks.length > 0 ? (
        <p className={styles.fallbackNote}>
          Answered by a fallback model after{" "}
          {fallbacks.map((attempt, index) => (
            <span key={`${attempt.provider}:${attempt.model}`}>
              {index > 0 ? "; " : ""}
              <span className="mono">{modelLabel(attempt)}</span> failed ({attempt.error.message})
            </span>
          ))}
          .
        </p>
      ) : null}
    </div>
  );
}
