"use client";
/**
 * Adding documents to a knowledge base: files (several at once, chosen or dropped) with each file's
 * upload progress and the server's refusal, if any, in words; and a page by URL, fetched by the server
 * through its guarded HTTP client. Once accepted, a document's indexing shows live in the table.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type DragEvent, type FormEvent, useId, useRef, useState } from "react";
import type { AccountProject } from "~/components/current-project";
import { TextField } from "~/components/field";
import { Badge, type BadgeTone } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { toast } from "~/components/ui/toast";
import { errorMessage, fieldErrorsOf } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";
import styles from "./knowledge.module.css";
import { ProgressBar } from "./progress-bar";
import { acceptedFileTypes, acceptedFormatsText, formatBytes, type KnowledgeBase } from "./shared";
import { UploadRefusedError, uploadDocument } from "./transfer";

/** Two files travel at once: enough to keep the line busy, few enough that each shows steady progress. */
const PARALLEL_UPLOADS = 2;

interface UploadItem {
  key: string;
  fileName: string;
  sizeBytes: number;
  state: "waiting" | "reading" | "sending" | "accepted" | "refused";
  loaded: number;
  total: number;
  error: { message: string; code: string | null } | null;
}

let uploadCounter = 0;

export function AddDocuments({ project, knowledgeBase }: { project: AccountProject; knowledgeBase: KnowledgeBase }) {
  return (
    <section className="section panel" aria-labelledby="add-documents-heading">
      <h2 id="add-documents-heading">Add documents</h2>
      <div className={styles.addDocuments}>
        <UploadFiles project={project} knowledgeBase={knowledgeBase} />
        <AddByUrl project={project} knowledgeBase={knowledgeBase} />
      </div>
    </section>
  );
}

/** "BAD_REQUEST: empty-document": the refusal's type, for people and for support. */
function refusalCode(error: unknown): string | null {
  if (!(error instanceof UploadRefusedError)) return null;
  if (error.appCode && error.reason) return `${error.appCode}: ${error.reason}`;
  return error.appCode ?? error.reason;
}

function refusalMessage(error: unknown): string {
  if (error instanceof UploadRefusedError) {
    const fieldMessages = Object.entries(error.fieldErrors).flatMap(([field, messages]) =>
      (messages ?? []).map((message) => `${field}: ${message}`),
    );
    return fieldMessages.length > 0 ? fieldMessages.join(" ") : error.message;
  }
  return error instanceof Error ? error.message : "The upload failed";
}

function UploadFiles({ project, knowledgeBase }: { project: AccountProject; knowledgeBase: KnowledgeBase }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const inputId = useId();
  const hintId = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const [items, setItems] = useState<UploadItem[]>([]);
  const [isDragging, setIsDragging] = useState(false);

  function update(key: string, patch: Partial<UploadItem>) {
    setItems((current) => current.map((item) => (item.key === key ? { ...item, ...patch } : item)));
  }

  async function uploadAll(files: File[]) {
    if (inputRef.current) inputRef.current.value = "";
    if (files.length === 0) return;
    const queued = files.map((file) => {
      uploadCounter += 1;
      const item: UploadItem = {
        key: `upload-${uploadCounter}`,
        fileName: file.name,
        sizeBytes: file.size,
        state: "waiting",
        loaded: 0,
        total: file.size,
        error: null,
      };
      return { file, item };
    });
    // The newest batch on top; finished rows of earlier batches stay until cleared.
    setItems((current) => [...queued.map((entry) => entry.item), ...current]);
    let next = 0;
    let acceptedCount = 0;
    async function worker() {
      for (let entry = queued[next++]; entry; entry = queued[next++]) {
        const { file, item } = entry;
        try {
          await uploadDocument({ projectId: project.id, knowledgeBaseId: knowledgeBase.id, file }, (phase, loaded, total) =>
            update(item.key, { state: phase, loaded, total }),
          );
          acceptedCount += 1;
          update(item.key, { state: "accepted" });
          // The row appears in the table now; its indexing progress arrives by events.
          void queryClient.invalidateQueries({ queryKey: trpc.knowledge.listDocuments.queryKey() });
          void queryClient.invalidateQueries({ queryKey: trpc.knowledge.get.queryKey() });
        } catch (error) {
          update(item.key, { state: "refused", error: { message: refusalMessage(error), code: refusalCode(error) } });
        }
      }
    }
    await Promise.all(Array.from({ length: Math.min(PARALLEL_UPLOADS, queued.length) }, worker));
    if (acceptedCount > 0) toast.success(`${acceptedCount} file${acceptedCount === 1 ? "" : "s"} uploaded: indexing now`);
  }

  function handleDrop(event: DragEvent<HTMLDivElement>) {
    event.preventDefault();
    setIsDragging(false);
    void uploadAll(Array.from(event.dataTransfer.files));
  }

  const hasFinished = items.some((item) => item.state === "accepted" || item.state === "refused");

  return (
    <div>
      <h3>Upload files</h3>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: dropping is a shortcut; the labelled file input inside does the same for everyone. */}
      <div
        className={`${styles.dropZone}${isDragging ? ` ${styles.dropZoneActive}` : ""}`}
        onDragOver={(event) => {
          event.preventDefault();
          setIsDragging(true);
        }}
        onDragLeave={() => setIsDragging(false)}
        onDrop={handleDrop}
      >
        <label htmlFor={inputId}>Choose files, or drop them here</label>
        <input
          ref={inputRef}
          id={inputId}
          className={styles.fileInput}
          type="file"
          multiple
          accept={acceptedFileTypes}
          aria-describedby={hintId}
          onChange={(event) => void uploadAll(Array.from(event.target.files ?? []))}
        />
        <p id={hintId} className="field-hint">
          {acceptedFormatsText}; several at once.
        </p>
      </div>
      {items.length > 0 ? (
        <>
          <ul className={styles.uploads} aria-label="Uploads">
            {items.map((item) => (
              <UploadRow key={item.key} item={item} />
            ))}
          </ul>
          {hasFinished ? (
            <div className="button-row">
              <Button
                variant="ghost"
                size="small"
                onClick={() => setItems((current) => current.filter((item) => item.state !== "accepted" && item.state !== "refused"))}
              >
                Clear finished uploads
              </Button>
            </div>
          ) : null}
        </>
      ) : null}
    </div>
  );
}

const uploadStateLabels: Record<UploadItem["state"], string> = {
  waiting: "Waiting",
  reading: "Reading",
  sending: "Sending",
  accepted: "Uploaded, indexing",
  refused: "Refused",
};

const uploadStateTones: Record<UploadItem["state"], BadgeTone> = {
  waiting: "quiet",
  reading: "quiet",
  sending: "quiet",
  accepted: "ok",
  refused: "bad",
};

function UploadRow({ item }: { item: UploadItem }) {
  const isMoving = item.state === "waiting" || item.state === "reading" || item.state === "sending";
  return (
    <li className={styles.upload} data-testid="upload-item" data-state={item.state}>
      <span className={styles.uploadName} title={item.fileName}>
        {item.fileName} <span className="muted">({formatBytes(item.sizeBytes)})</span>
      </span>
      <Badge tone={uploadStateTones[item.state]}>{uploadStateLabels[item.state]}</Badge>
      {isMoving ? (
        <ProgressBar
          label={`Uploading ${item.fileName}`}
          value={item.state === "waiting" ? 0 : item.loaded}
          max={Math.max(item.total, 1)}
          valueText={
            item.state === "waiting"
              ? "Waiting for another upload to finish"
              : `${item.state === "reading" ? "Reading" : "Sending"} ${formatBytes(item.loaded)} of ${formatBytes(item.total)}`
          }
        />
      ) : null}
      {item.state === "refused" && item.error ? (
        <p className={styles.failure} role="alert" data-testid="upload-error">
          {item.error.message}
          {item.error.code ? <span className="mono"> ({item.error.code})</span> : null}
        </p>
      ) : null}
    </li>
  );
}

function AddByUrl({ project, knowledgeBase }: { project: AccountProject; knowledgeBase: KnowledgeBase }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [url, setUrl] = useState("");
  const addUrl = useMutation(
    trpc.knowledge.addUrl.mutationOptions({
      onSuccess: async (document) => {
        toast.success(`Added “${document.name}”: fetching and indexing now`);
        setUrl("");
        await queryClient.invalidateQueries({ queryKey: trpc.knowledge.listDocuments.queryKey() });
        await queryClient.invalidateQueries({ queryKey: trpc.knowledge.get.queryKey() });
      },
    }),
  );
  const urlError = fieldErrorsOf(addUrl.error).url;

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    addUrl.mutate({ projectId: project.id, knowledgeBaseId: knowledgeBase.id, url: url.trim() });
  }

  return (
    <form onSubmit={handleSubmit} noValidate aria-label="Add by URL" className={styles.form}>
      <h3>Add by URL</h3>
      <TextField
        label="Page URL"
        type="url"
        inputMode="url"
        placeholder="https://example.com/guide.html"
        value={url}
        hint="The server fetches it; private and internal addresses are refused."
        error={urlError ?? (addUrl.error ? errorMessage(addUrl.error) : undefined)}
        onChange={(event) => setUrl(event.target.value)}
      />
      <div className="button-row">
        <Button type="submit" variant="secondary" disabled={addUrl.isPending || url.trim() === ""}>
          {addUrl.isPending ? "Fetching…" : "Add URL"}
        </Button>
      </div>
    </form>
  );
}
