/**
 * The path guard of project workspaces: turns a path a user or an agent sent into a real path inside the
 * workspace root, or refuses it with an AppError and touches nothing.
 *
 * Two stages. `parseWorkspacePath` is purely lexical: it refuses absolute paths, `..`, NUL and control
 * characters, backslashes, percent-encoded separators and dots (also double-encoded, and Unicode forms
 * that fold to a separator), reserved names and names or paths longer than a filesystem holds.
 * `resolveWorkspacePath` then walks the existing part of the path one name at a time with lstat, follows
 * symbolic links only to where their real path still lies inside the root's real path (compared with a
 * separator boundary, so `/ws/ab` is not inside `/ws/a`), and refuses dangling links for writes: the kernel
 * would create their target wherever it points.
 */
import { lstat, readlink, realpath } from "node:fs/promises";
import path from "node:path";
import { AppError } from "../errors";

/** Longest file or folder name most filesystems hold (bytes of UTF-8). */
export const MAX_WORKSPACE_NAME_BYTES = 255;
/** Longest path the kernel accepts (PATH_MAX), for the relative path and for the absolute one alike. */
export const MAX_WORKSPACE_PATH_BYTES = 4096;

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what this refuses.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;
/** Percent-escapes of `/`, `\`, NUL and `.`: a later decoding step (a proxy, a tool) would turn them into traversal. */
const ENCODED_SPECIALS = /%(2f|5c|00|2e)/i;

function refuse(code: "BAD_REQUEST" | "FORBIDDEN" | "NOT_FOUND", message: string, userPath: string): never {
  // The path as sent, shortened, so an error never echoes megabytes back.
  throw new AppError(code, message, { path: userPath.length > 300 ? `${userPath.slice(0, 300)}…` : userPath });
}

/** Every form a name takes when decoded again and again (%252f → %2f → /), at most a few rounds. */
function decodedForms(name: string): string[] {
  const forms = [name];
  let current = name;
  for (let round = 0; round < 4; round += 1) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      break;
    }
    if (next === current) break;
    forms.push(next);
    current = next;
  }
  return forms;
}

function checkName(name: string, userPath: string): void {
  if (name === "." || name === "..")
    refuse("BAD_REQUEST", `A path may not contain “${name}”: name files and folders from the workspace root`, userPath);
  if (Buffer.byteLength(name, "utf8") > MAX_WORKSPACE_NAME_BYTES) {
    refuse("BAD_REQUEST", `A file or folder name may be at most ${MAX_WORKSPACE_NAME_BYTES} bytes long`, userPath);
  }
  for (const form of decodedForms(name)) {
    const folded = form.normalize("NFKC");
    if (form !== name && (form.includes("/") || form.includes("\\") || form.includes("\u0000") || form === ".." || form === ".")) {
      refuse("BAD_REQUEST", "A path may not contain encoded separators or dots", userPath);
    }
    // Fullwidth and other compatibility forms of `/` and `\` fold into the real ones.
    if (folded.includes("/") || folded.includes("\\") || folded === ".." || folded === ".") {
      refuse("BAD_REQUEST", "A name may not contain characters that read as path separators or dots", userPath);
    }
  }
  if (ENCODED_SPECIALS.test(name)) refuse("BAD_REQUEST", "A path may not contain encoded separators or dots", userPath);
}

/**
 * The normalised relative path (`a/b/c.txt`; `""` for the workspace root), or a BAD_REQUEST. Repeated and
 * trailing slashes collapse; everything else that is not a plain name is refused rather than repaired.
 */
export function parseWorkspacePath(userPath: string): string {
  if (typeof userPath !== "string") refuse("BAD_REQUEST", "A path must be text", String(userPath));
  if (userPath.includes("\u0000")) refuse("BAD_REQUEST", "A path may not contain NUL bytes", userPath);
  if (CONTROL_CHARACTERS.test(userPath)) refuse("BAD_REQUEST", "A path may not contain control characters", userPath);
  if (userPath.includes("\\")) refuse("BAD_REQUEST", "Use / to separate folders; a path may not contain backslashes", userPath);
  if (Buffer.byteLength(userPath, "utf8") > MAX_WORKSPACE_PATH_BYTES) {
    refuse("BAD_REQUEST", `A path may be at most ${MAX_WORKSPACE_PATH_BYTES} bytes long`, userPath);
  }
  if (userPath.startsWith("/") || /^[A-Za-z]:/.test(userPath)) {
    refuse("BAD_REQUEST", "Absolute paths are refused: give a path relative to the workspace root", userPath);
  }
  if (userPath === "" || userPath === ".") return "";
  const names = userPath.split("/").filter((name) => name !== "");
  for (const name of names) checkName(name, userPath);
  return names.join("/");
}

/** Whether `candidate` is `directory` itself or lies below it, on a separator boundary (`/ws/ab` is not in `/ws/a`). */
export function isInsideDirectory(directory: string, candidate: string): boolean {
  const base = path.resolve(directory);
  const target = path.resolve(candidate);
  if (target === base) return true;
  const prefix = base.endsWith(path.sep) ? base : `${base}${path.sep}`;
  return target.startsWith(prefix);
}

export interface ResolvedWorkspacePath {
  /** The normalised relative path (`""` for the root). */
  relative: string;
  /** The real absolute path (symbolic links on the way resolved); for a missing path, the real parent plus the missing names. */
  absolute: string;
  /** The root's real path. */
  root: string;
  /** Whether something exists at the path (for `followFinal: false`, the link itself counts). */
  exists: boolean;
}

export interface ResolveOptions {
  /** What the caller will do: a write refuses every dangling link on the way, a read answers NOT_FOUND for one inside. */
  intent: "read" | "write";
  /**
   * Whether a symbolic link as the last name is followed (reading, writing) or taken as itself
   * (deleting or renaming the link, never what it points to). Default true.
   */
  followFinal?: boolean;
}

function isErrno(error: unknown, ...codes: string[]): boolean {
  return error instanceof Error && "code" in error && codes.includes(String((error as NodeJS.ErrnoException).code));
}

/**
 * Resolves a user path inside `root` (which must exist). Refusals: BAD_REQUEST for malformed paths and
 * for a file used as a folder, FORBIDDEN for a link that leads outside or (when writing) nowhere,
 * NOT_FOUND for a dangling link inside when reading.
 */
export async function resolveWorkspacePath(root: string, userPath: string, options: ResolveOptions): Promise<ResolvedWorkspacePath> {
  const relative = parseWorkspacePath(userPath);
  const rootReal = await realpath(root);
  const names = relative === "" ? [] : relative.split("/");
  const followFinal = options.followFinal ?? true;
  let current = rootReal;
  for (const [index, name] of names.entries()) {
    const candidate = path.join(current, name);
    const isFinal = index === names.length - 1;
    let stats: Awaited<ReturnType<typeof lstat>>;
    try {
      stats = await lstat(candidate);
    } catch (error) {
      if (isErrno(error, "ENOENT")) {
        const absolute = path.join(candidate, ...names.slice(index + 1));
        if (Buffer.byteLength(absolute, "utf8") > MAX_WORKSPACE_PATH_BYTES) {
          refuse("BAD_REQUEST", `A path may be at most ${MAX_WORKSPACE_PATH_BYTES} bytes long`, userPath);
        }
        return { relative, absolute, root: rootReal, exists: false };
      }
      if (isErrno(error, "ENOTDIR")) refuse("BAD_REQUEST", `“${names.slice(0, index).join("/")}” is a file, not a folder`, userPath);
      if (isErrno(error, "ENAMETOOLONG")) refuse("BAD_REQUEST", "The path is too long for the filesystem", userPath);
      throw error;
    }
    if (!stats.isSymbolicLink() || (isFinal && !followFinal)) {
      if (!isFinal && !stats.isDirectory() && !stats.isSymbolicLink()) {
        refuse("BAD_REQUEST", `“${names.slice(0, index + 1).join("/")}” is a file, not a folder`, userPath);
      }
      current = candidate;
      continue;
    }
    let target: string;
    try {
      target = await realpath(candidate);
    } catch (error) {
      if (!isErrno(error, "ENOENT", "ELOOP", "ENOTDIR")) throw error;
      // A dangling link: where would it lead? Outside is always refused; inside, a read finds nothing and
      // a write is refused too, as the kernel would create whatever the link names.
      const pointsTo = path.resolve(path.dirname(candidate), await readlink(candidate));
      if (!isInsideDirectory(rootReal, pointsTo))
        refuse("FORBIDDEN", "The path leads through a link that points outside the workspace", userPath);
      if (options.intent === "write") refuse("FORBIDDEN", "The path leads through a link to something that does not exist", userPath);
      refuse("NOT_FOUND", "Nothing exists at this path", userPath);
    }
    if (!isInsideDirectory(rootReal, target))
      refuse("FORBIDDEN", "The path leads through a link that points outside the workspace", userPath);
    current = target;
  }
  if (Buffer.byteLength(current, "utf8") > MAX_WORKSPACE_PATH_BYTES) {
    refuse("BAD_REQUEST", `A path may be at most ${MAX_WORKSPACE_PATH_BYTES} bytes long`, userPath);
  }
  return { relative, absolute: current, root: rootReal, exists: true };
}
