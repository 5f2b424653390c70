/**
 * Uploading a document with progress: `knowledge.addDocument` takes the file as base64, and a tRPC
 * link cannot say how much of a 13 MB request body has gone. So the file is read with a FileReader
 * (progress while reading) and the same procedure is called with one XMLHttpRequest in tRPC's own
 * wire format (progress while sending): same endpoint, same same-origin and schema checks, and the
 * typed answer or refusal comes back deserialised as the tRPC client would give it.
 */
import type { RouterInputs, RouterOutputs } from "@gathering/api";
import superjson from "superjson";

type AddDocumentInput = RouterInputs["knowledge"]["addDocument"];
export type AddedDocument = RouterOutputs["knowledge"]["addDocument"];

/** The API's refusal: its message, app-level code (BAD_REQUEST, PAYLOAD_TOO_LARGE…) and reason (empty-document…). */
export class UploadRefusedError extends Error {
  readonly appCode: string | null;
  readonly reason: string | null;
  readonly fieldErrors: Record<string, string[] | undefined>;

  constructor(message: string, appCode: string | null, reason: string | null, fieldErrors: Record<string, string[] | undefined> = {}) {
    super(message);
    this.name = "UploadRefusedError";
    this.appCode = appCode;
    this.reason = reason;
    this.fieldErrors = fieldErrors;
  }
}

export type UploadPhase = "reading" | "sending";

/** The file's bytes as base64, without the data URL's prefix; `onProgress` gets the bytes read so far. */
export function readAsBase64(file: Blob, onProgress: (loadedBytes: number) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.addEventListener("progress", (event) => onProgress(event.loaded));
    reader.addEventListener("load", () => {
      const url = typeof reader.result === "string" ? reader.result : "";
      const comma = url.indexOf(",");
      resolve(comma >= 0 ? url.slice(comma + 1) : "");
    });
    reader.addEventListener("error", () => reject(new Error("The file could not be read")));
    reader.readAsDataURL(file);
  });
}

interface TrpcErrorShape {
  message?: unknown;
  data?: {
    appCode?: unknown;
    details?: { reason?: unknown } | null;
    zodError?: { fieldErrors?: Record<string, string[] | undefined> } | null;
  };
}

/** The refusal in a tRPC error answer (superjson-encoded), or what can be said without one. */
export function refusalOf(status: number, responseText: string): UploadRefusedError {
  let shape: TrpcErrorShape | null = null;
  try {
    const body = JSON.parse(responseText) as { error?: unknown };
    shape = body.error ? (superjson.deserialize(body.error as Parameters<typeof superjson.deserialize>[0]) as TrpcErrorShape) : null;
  } catch {
    shape = null;
  }
  const message = typeof shape?.message === "string" ? shape.message : `The upload failed (HTTP ${status})`;
  const appCode = typeof shape?.data?.appCode === "string" ? shape.data.appCode : null;
  const reason = typeof shape?.data?.details?.reason === "string" ? shape.data.details.reason : null;
  return new UploadRefusedError(message, appCode, reason, shape?.data?.zodError?.fieldErrors ?? {});
}

/** Calls `knowledge.addDocument` with the file; `onProgress(phase, loaded, total)` follows reading, then sending. */
export async function uploadDocument(
  params: { projectId: string; knowledgeBaseId: string; file: File },
  onProgress: (phase: UploadPhase, loaded: number, total: number) => void,
): Promise<AddedDocument> {
  const { file } = params;
  const contentBase64 = await readAsBase64(file, (loaded) => onProgress("reading", loaded, file.size));
  const input: AddDocumentInput = {
    projectId: params.projectId,
    knowledgeBaseId: params.knowledgeBaseId,
    name: file.name,
    ...(file.type ? { contentType: file.type } : {}),
    contentBase64,
  };
  const body = JSON.stringify(superjson.serialize(input));
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", "/api/trpc/knowledge.addDocument");
    request.withCredentials = true;
    request.setRequestHeader("content-type", "application/json");
    request.upload.addEventListener("progress", (event) => onProgress("sending", event.loaded, event.total || body.length));
    request.addEventListener("load", () => {
      if (request.status < 200 || request.status >= 300) {
        reject(refusalOf(request.status, request.responseText));
        return;
      }
      try {
        const answer = JSON.parse(request.responseText) as { result: { data: Parameters<typeof superjson.deserialize>[0] } };
        resolve(superjson.deserialize<AddedDocument>(answer.result.data));
      } catch {
        reject(new UploadRefusedError("The server's answer could not be read", null, null));
      }
    });
    request.addEventListener("error", () => reject(new Error("Could not reach the server. Check the connection and try again.")));
    request.addEventListener("abort", () => reject(new Error("The upload was cancelled")));
    request.send(body);
  });
}
