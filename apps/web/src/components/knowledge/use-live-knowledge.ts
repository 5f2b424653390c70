/**
 * Keeps the knowledge pages current from the project's event stream, without polling. A
 * `knowledge_documents.changed` event first writes the document's new status and progress into the
 * cached rows (the bar moves in the same frame; a deleted document leaves the table at once), then
 * refetches what came with it: counts, the failure's reason, and search results, which may now include
 * or exclude the document. `knowledge.changed` refreshes the bases. Once the stream is (re)connected
 * everything is refreshed, so a change made while it was not listening is not missed.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "~/trpc/react";
import { useProjectEvents } from "../project-events";
import { type DocumentsPage, documentChangeOf, knowledgeBaseChangeOf } from "./shared";

export function useLiveKnowledge(projectId: string): void {
  const trpc = useTRPC();
  const queryClient = useQueryClient();

  useProjectEvents(projectId, {
    onStarted: () => void queryClient.invalidateQueries({ queryKey: trpc.knowledge.pathKey() }),
    onData: ({ topic, payload }) => {
      if (topic === "knowledge_documents.changed") {
        const change = documentChangeOf(payload);
        if (!change) return;
        queryClient.setQueriesData<DocumentsPage>({ queryKey: trpc.knowledge.listDocuments.queryKey() }, (page) => {
          if (!page) return page;
          if (change.kind === "deleted") return { ...page, items: page.items.filter((document) => document.id !== change.documentId) };
          return {
            ...page,
            items: page.items.map((document) =>
              document.id === change.documentId ? { ...document, status: change.status, progress: change.progress } : document,
            ),
          };
        });
        void queryClient.invalidateQueries({ queryKey: trpc.knowledge.listDocuments.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.knowledge.list.queryKey() });
        void queryClient.invalidateQueries({
          queryKey: trpc.knowledge.get.queryKey({ projectId, knowledgeBaseId: change.knowledgeBaseId }),
        });
        // Only a document that became searchable, or stopped being so, changes what a query finds.
        if (change.kind === "deleted" || change.status === "ready" || change.status === "failed") {
          void queryClient.invalidateQueries({ queryKey: trpc.knowledge.search.queryKey() });
          void queryClient.invalidateQueries({ queryKey: trpc.knowledge.getDocument.queryKey() });
          void queryClient.invalidateQueries({ queryKey: trpc.knowledge.getChunk.queryKey() });
        }
        return;
      }
      if (topic === "knowledge.changed") {
        if (!knowledgeBaseChangeOf(payload)) return;
        // A base's settings, counts, or (after a re-index) its chunks changed: everything of it may differ.
        void queryClient.invalidateQueries({ queryKey: trpc.knowledge.pathKey() });
      }
    },
  });
}
