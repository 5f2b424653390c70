/**
 * Retrieval for agents: the chunks of an agent's attached knowledge bases nearest to what the user
 * asked, numbered for the prompt ([1], [2], ...), and the citations an answer makes by those numbers.
 * Bases deleted since they were attached are skipped, so a stale attachment never breaks a turn.
 */
import { type DbExecutor, findKnowledgeBases } from "@gathering/db";
import type { Keyring } from "../security/encryption";
import { type KnowledgeCitation, type KnowledgeHit, searchKnowledgeBases } from "./search";

export interface RetrievedExcerpt {
  ref: number;
  hit: KnowledgeHit;
}

export type MessageCitation = KnowledgeCitation & { ref: number };

export async function retrieveForAgent(
  db: DbExecutor,
  services: { keyring?: Keyring },
  input: { projectId: string; knowledgeBaseIds: readonly string[]; query: string; limit: number },
): Promise<RetrievedExcerpt[]> {
  if (input.knowledgeBaseIds.length === 0 || !input.query.trim()) return [];
  const live = await findKnowledgeBases(db, { projectId: input.projectId, knowledgeBaseIds: input.knowledgeBaseIds });
  if (live.length === 0) return [];
  const result = await searchKnowledgeBases(db, services, {
    projectId: input.projectId,
    knowledgeBaseIds: live.map((base) => base.id),
    query: input.query.slice(0, 2000),
    limit: input.limit,
  });
  return result.hits.map((hit, index) => ({ ref: index + 1, hit }));
}

function label(hit: KnowledgeHit): string {
  return [hit.documentName, ...hit.headingPath].join(" › ");
}

/** The prompt section: numbered excerpts and how to cite them. */
export function excerptsPrompt(excerpts: readonly RetrievedExcerpt[]): string {
  if (excerpts.length === 0) return "";
  const lines = excerpts.map((excerpt) => `[${excerpt.ref}] (${label(excerpt.hit)})\n${excerpt.hit.content}`);
  return `Excerpts from your knowledge bases, found for the user's last message. Use them when they are relevant and cite each one you use with its number in square brackets, like [1]. Do not cite an excerpt you did not use.\n\n${lines.join("\n\n")}`;
}

/** The excerpts an answer cites with [n] markers, in the order of their numbers. */
export function citationsIn(text: string, excerpts: readonly RetrievedExcerpt[]): MessageCitation[] {
  const cited = new Set<number>();
  for (const match of text.matchAll(/\[(\d{1,2})(?:\s*,\s*(\d{1,2}))*\]/g)) {
    for (const number of match[0].match(/\d{1,2}/g) ?? []) cited.add(Number(number));
  }
  return excerpts.filter((excerpt) => cited.has(excerpt.ref)).map((excerpt) => ({ ref: excerpt.ref, ...excerpt.hit.citation }));
}
