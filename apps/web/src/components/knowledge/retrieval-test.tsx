"use client";
/**
 * The retrieval test: a query as an agent would send it, optional filters (documents, formats, a
 * heading, source), and the ranked chunks it retrieves, each with its score parts (the fused
 * reciprocal-rank score, the full-text rank and ts_rank, the vector rank and cosine similarity, and the
 * rerank model's 0-10 relevance when one reranked) and its
 * citation (document, position, heading path) linking to the chunk in its document. The results follow
 * the index live: a document deleted or indexed meanwhile is gone from, or joins, the list.
 */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { type FormEvent, useId, useState } from "react";
import { providerLabels } from "~/components/agents/model-label";
import { type ModelProvider, modelProviders } from "~/components/agents/shared";
import type { AccountProject } from "~/components/current-project";
import { EmptyState, ErrorState, LoadingState } from "~/components/feedback";
import { SelectField, TextField } from "~/components/field";
import { Button } from "~/components/ui/button";
import { fieldErrorsOf } from "~/trpc/errors";
import { readyDocumentsInput } from "~/trpc/page-queries";
import { useTRPC } from "~/trpc/react";
import styles from "./knowledge.module.css";
import {
  chunkHref,
  type DocumentFormat,
  documentFormatLabels,
  formatHeadingPath,
  formatScore,
  type KnowledgeBase,
  type SearchHit,
  type SearchInput,
  type SearchMode,
  type SearchOutput,
  searchModeLabels,
} from "./shared";

const LIMIT_OPTIONS = ["5", "8", "20", "50"] as const;
type LimitOption = (typeof LIMIT_OPTIONS)[number];

interface Filters {
  documentId: string;
  format: DocumentFormat | "";
  sourceKind: "upload" | "url" | "";
  heading: string;
}

const noFilters: Filters = { documentId: "", format: "", sourceKind: "", heading: "" };

/** Providers whose chat models can rerank; the offline demo model only echoes, so it cannot score passages. */
type RerankProvider = Exclude<ModelProvider, "local">;
const rerankProviders = modelProviders.filter((provider): provider is RerankProvider => provider !== "local");

export function RetrievalTest({ project, knowledgeBase }: { project: AccountProject; knowledgeBase: KnowledgeBase }) {
  const trpc = useTRPC();
  const queryId = useId();
  const [query, setQuery] = useState("");
  const [limit, setLimit] = useState<LimitOption>("8");
  const [mode, setMode] = useState<SearchMode>("hybrid");
  const [filters, setFilters] = useState<Filters>(noFilters);
  const [rerankProvider, setRerankProvider] = useState<RerankProvider | "">("");
  const [rerankModel, setRerankModel] = useState("");
  const [submitted, setSubmitted] = useState<SearchInput | null>(null);
  // Documents to filter by: the ready ones (only they have chunks), newest 200.
  const documents = useQuery(trpc.knowledge.listDocuments.queryOptions(readyDocumentsInput(project.id, knowledgeBase.id)));
  const search = useQuery({
    ...trpc.knowledge.search.queryOptions(submitted ?? { projectId: project.id, knowledgeBaseIds: [knowledgeBase.id], query: "" }),
    enabled: submitted !== null,
    // The previous results stay on screen while a new query or a live change is answered.
    placeholderData: keepPreviousData,
    staleTime: 0,
  });
  const fieldErrors = fieldErrorsOf(search.error);
  const filterCount = Object.values(filters).filter((value) => value !== "").length;

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    const chosen = {
      ...(filters.documentId ? { documentIds: [filters.documentId] } : {}),
      ...(filters.format ? { formats: [filters.format] } : {}),
      ...(filters.sourceKind ? { sourceKinds: [filters.sourceKind] } : {}),
      ...(filters.heading.trim() ? { heading: filters.heading.trim() } : {}),
    };
    setSubmitted({
      projectId: project.id,
      knowledgeBaseIds: [knowledgeBase.id],
      query,
      limit: Number(limit),
      mode,
      ...(Object.keys(chosen).length > 0 ? { filters: chosen } : {}),
      // The schema judges the model name; an empty one is refused there, next to the field.
      ...(rerankProvider ? { rerank: { model: { provider: rerankProvider, model: rerankModel.trim() } } } : {}),
    });
  }

  return (
    <section className="section" aria-labelledby="retrieval-heading">
      <h2 id="retrieval-heading">Retrieval test</h2>
      <p className="muted">Ask as an agent would, and see which chunks come back, in order, and why each ranks where it does.</p>
      <form onSubmit={handleSubmit} noValidate aria-label="Retrieval test" className="panel">
        <div className={styles.queryForm}>
          <div className="field">
            <label htmlFor={queryId}>Query</label>
            <input
              id={queryId}
              type="search"
              value={query}
              maxLength={2_000}
              placeholder="How do I rotate an API token?"
              aria-invalid={fieldErrors.query ? true : undefined}
              aria-describedby={fieldErrors.query ? `${queryId}-error` : undefined}
              onChange={(event) => setQuery(event.target.value)}
            />
            {fieldErrors.query ? (
              <p id={`${queryId}-error`} className="field-error">
                {fieldErrors.query}
              </p>
            ) : null}
          </div>
          <Button type="submit" variant="primary" disabled={query.trim() === "" || search.isFetching}>
            {search.isFetching ? "Searching…" : "Search"}
          </Button>
        </div>
        <fieldset className={styles.filters}>
          <legend className={styles.filtersLegend}>
            Filters{filterCount > 0 ? ` (${filterCount})` : ""}
            {filterCount > 0 ? (
              <Button variant="ghost" size="small" onClick={() => setFilters(noFilters)}>
                Clear filters
              </Button>
            ) : null}
          </legend>
          <SelectField<SearchMode>
            label="Search"
            value={mode}
            options={(Object.keys(searchModeLabels) as SearchMode[]).map((value) => ({ value, label: searchModeLabels[value] }))}
            onChange={setMode}
          />
          <SelectField
            label="Document"
            value={filters.documentId}
            options={[
              { value: "", label: "All documents" },
              ...(documents.data?.items ?? []).map((document) => ({ value: document.id, label: document.name })),
            ]}
            onChange={(documentId) => setFilters({ ...filters, documentId })}
          />
          <SelectField<DocumentFormat | "">
            label="Format"
            value={filters.format}
            options={[
              { value: "", label: "All formats" },
              ...(Object.keys(documentFormatLabels) as DocumentFormat[]).map((value) => ({ value, label: documentFormatLabels[value] })),
            ]}
            onChange={(format) => setFilters({ ...filters, format })}
          />
          <SelectField<Filters["sourceKind"]>
            label="Source"
            value={filters.sourceKind}
            options={[
              { value: "", label: "Uploads and URLs" },
              { value: "upload", label: "Uploads" },
              { value: "url", label: "URLs" },
            ]}
            onChange={(sourceKind) => setFilters({ ...filters, sourceKind })}
          />
          <TextField
            label="Heading contains"
            value={filters.heading}
            maxLength={200}
            placeholder="Install"
            onChange={(event) => setFilters({ ...filters, heading: event.target.value })}
          />
          <SelectField<LimitOption>
            label="Results"
            value={limit}
            options={LIMIT_OPTIONS.map((value) => ({ value, label: `Top ${value}` }))}
            onChange={setLimit}
          />
          <SelectField<RerankProvider | "">
            label="Rerank with a model"
            value={rerankProvider}
            options={[
              { value: "", label: "No rerank" },
              ...rerankProviders.map((provider) => ({ value: provider, label: providerLabels[provider] })),
            ]}
            onChange={setRerankProvider}
            error={rerankProvider && !rerankModel.trim() ? undefined : fieldErrors.rerank}
          />
          {rerankProvider ? (
            <TextField
              label="Rerank model"
              value={rerankModel}
              maxLength={200}
              placeholder={rerankProvider === "openai" ? "gpt-4o-mini" : rerankProvider === "ollama" ? "llama3.2" : "model name"}
              hint="One call per search scores the best hits 0–10; uses the provider set up in Settings."
              error={fieldErrors.rerank}
              onChange={(event) => setRerankModel(event.target.value)}
            />
          ) : null}
        </fieldset>
      </form>
      {submitted === null ? null : search.isPending ? (
        <LoadingState label="Searching…" />
      ) : search.isError ? (
        <ErrorState error={search.error} onRetry={() => search.refetch()} />
      ) : (
        <SearchResults result={search.data} mode={submitted.mode ?? "hybrid"} isRefreshing={search.isFetching} />
      )}
    </section>
  );
}

const vectorPathLabels: Record<SearchOutput["vectorPath"], string> = {
  pgvector: "pgvector (HNSW index)",
  exact: "exact (no extension needed)",
};

function SearchResults({ result, mode, isRefreshing }: { result: SearchOutput; mode: SearchMode; isRefreshing: boolean }) {
  const isReranked = result.hits.some((hit) => hit.scores.rerank !== null);
  const summary = (
    <p className={`muted ${styles.searchSummary}`} data-testid="search-summary" role="status">
      {result.hits.length} chunk{result.hits.length === 1 ? "" : "s"}, best first ·{" "}
      {mode === "hybrid" ? "full text and vectors, fused by reciprocal rank" : searchModeLabels[mode].toLowerCase()}
      {mode !== "fulltext" ? ` · vector search: ${vectorPathLabels[result.vectorPath]}` : ""}
      {isReranked ? " · reranked by a model" : ""} · {Math.round(result.tookMs)} ms
    </p>
  );
  if (result.hits.length === 0) {
    return (
      <>
        {summary}
        <EmptyState title="Nothing retrieved">
          No ready chunk matches this query and these filters. Documents still being indexed are not searched yet.
        </EmptyState>
      </>
    );
  }
  return (
    <div aria-busy={isRefreshing || undefined}>
      {summary}
      <ol className={styles.hits} aria-label="Retrieved chunks">
        {result.hits.map((hit, index) => (
          <HitView key={hit.chunkId} hit={hit} rank={index + 1} />
        ))}
      </ol>
    </div>
  );
}

function HitView({ hit, rank }: { hit: SearchHit; rank: number }) {
  const headingPath = formatHeadingPath(hit.citation.headingPath);
  return (
    <li className={styles.hit} data-testid="search-hit">
      {/* The list's own numbering is announced; the badge repeats it for the eye. */}
      <span className={styles.rank} aria-hidden="true">
        {rank}
      </span>
      <div className={styles.hitBody}>
        <div className={styles.chunkMeta} data-testid="hit-citation">
          <strong>{hit.citation.documentName}</strong>
          <span>Chunk {hit.citation.position + 1}</span>
          {headingPath ? <span className={styles.citationPath}>{headingPath}</span> : null}
          <Link href={chunkHref(hit.citation)}>Open in document</Link>
        </div>
        <p className={styles.hitText}>{hit.content}</p>
        <dl className={styles.scores} aria-label={`Score parts of result ${rank}`} data-testid="hit-scores">
          <div>
            <dt>Fused (RRF)</dt>
            <dd data-testid="score-fused">{formatScore(hit.scores.fused)}</dd>
          </div>
          <div>
            <dt>Full-text rank</dt>
            <dd data-testid="score-full-text">
              {hit.scores.fullText ? `#${hit.scores.fullText.rank} · ${formatScore(hit.scores.fullText.score)}` : "no match"}
            </dd>
          </div>
          <div>
            <dt>Vector similarity</dt>
            <dd data-testid="score-vector">
              {hit.scores.vector ? `#${hit.scores.vector.rank} · ${formatScore(hit.scores.vector.similarity)}` : "not among the nearest"}
            </dd>
          </div>
          {hit.scores.rerank !== null ? (
            <div>
              <dt>Rerank</dt>
              <dd data-testid="score-rerank">{hit.scores.rerank.toFixed(1)} / 10</dd>
            </div>
          ) : null}
        </dl>
      </div>
    </li>
  );
}
