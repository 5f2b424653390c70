/** Streamed transfers that do not go through tRPC: the download link and the upload request. */

export function downloadUrl(projectId: string, path: string): string {
  return `/api/workspace/download?${new URLSearchParams({ projectId, path })}`;
}

/** Uploads one file's bytes as the body of a PUT; the server's refusal comes back as its message. */
export async function uploadFile(projectId: string, path: string, file: Blob): Promise<void> {
  const response = await fetch(`/api/workspace/upload?${new URLSearchParams({ projectId, path })}`, {
    method: "PUT",
    body: file,
    headers: { "content-type": "application/octet-stream" },
    credentials: "same-origin",
  });
  if (response.ok) return;
  const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
  throw new Error(body?.error?.message ?? `The upload failed (HTTP ${response.status})`);
}

export function joinPath(folder: string, name: string): string {
  const trimmed = name.trim().replace(/^\/+/, "");
  return folder === "" ? trimmed : `${folder}/${trimmed}`;
}

export function parentOf(path: string): string {
  const index = path.lastIndexOf("/");
  return index < 0 ? "" : path.slice(0, index);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
