/**
 * The text_transform tool: exact, mechanical text operations that language models get subtly wrong —
 * case conventions and slugs, line sorting and de-duplication, encodings, hashes, and a line diff.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { defineTool } from "../registry";
import { maxTextChars } from "./text-tools";

/** Splits identifiers and prose into words: "XMLHttpRequest id_2 déjà-vu" → XML, Http, Request, id, 2, déjà, vu. */
function splitWords(text: string): string[] {
  return text.match(/\p{Lu}+(?=\p{Lu}\p{Ll})|\p{Lu}?\p{Ll}+|\p{Lu}+|\p{N}+|\p{L}+/gu) ?? [];
}

function capitalize(word: string): string {
  const [first = "", ...rest] = word;
  return first.toLocaleUpperCase() + rest.join("").toLocaleLowerCase();
}

function removeDiacritics(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .normalize("NFC");
}

function splitLines(text: string): { lines: string[]; hasFinalNewline: boolean } {
  const hasFinalNewline = /\r?\n$/.test(text);
  const lines = text.split(/\r?\n/);
  if (hasFinalNewline) lines.pop();
  return { lines, hasFinalNewline };
}

function joinLines(lines: string[], hasFinalNewline: boolean): string {
  return lines.join("\n") + (hasFinalNewline && lines.length ? "\n" : "");
}

export const maxDiffCells = 4_000_000;

type DiffLine = { kind: " " | "-" | "+"; text: string };

/** Line diff by longest common subsequence, after trimming the common head and tail. */
export function diffLines(before: string[], after: string[]): DiffLine[] {
  let head = 0;
  while (head < before.length && head < after.length && before[head] === after[head]) head++;
  let tail = 0;
  while (tail < before.length - head && tail < after.length - head && before[before.length - 1 - tail] === after[after.length - 1 - tail])
    tail++;
  const left = before.slice(head, before.length - tail);
  const right = after.slice(head, after.length - tail);
  const width = right.length + 1;
  if ((left.length + 1) * width > maxDiffCells) {
    throw new Error(`the texts differ in too many lines to diff (${left.length} × ${right.length} changed region); diff smaller parts`);
  }
  // lengths[i * width + j] = LCS length of left[i..] and right[j..]; min(n, m) <= 2000 here, so 16 bits suffice.
  const lengths = new Uint16Array((left.length + 1) * width);
  for (let i = left.length - 1; i >= 0; i--) {
    for (let j = right.length - 1; j >= 0; j--) {
      lengths[i * width + j] =
        left[i] === right[j]
          ? (lengths[(i + 1) * width + j + 1] as number) + 1
          : Math.max(lengths[(i + 1) * width + j] as number, lengths[i * width + j + 1] as number);
    }
  }
  const middle: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i < left.length && j < right.length && left[i] === right[j]) {
      middle.push({ kind: " ", text: left[i++] as string });
      j++;
    } else if (
      i < left.length &&
      (j === right.length || (lengths[(i + 1) * width + j] as number) >= (lengths[i * width + j + 1] as number))
    ) {
      // Removals before additions, so a changed line reads "-old" then "+new".
      middle.push({ kind: "-", text: left[i++] as string });
    } else {
      middle.push({ kind: "+", text: right[j++] as string });
    }
  }
  const same = (text: string): DiffLine => ({ kind: " ", text });
  return [...before.slice(0, head).map(same), ...middle, ...before.slice(before.length - tail).map(same)];
}

/** Renders a diff in unified format with `context` unchanged lines around each change. */
export function unifiedDiff(lines: DiffLine[], context = 3): string {
  const changes = lines.flatMap((line, index) => (line.kind === " " ? [] : [index]));
  // Changes closer than 2 * context unchanged lines share a hunk, as in `diff -u`.
  const groups: number[][] = [];
  for (const index of changes) {
    const group = groups.at(-1);
    if (group && index - (group.at(-1) as number) - 1 <= 2 * context) group.push(index);
    else groups.push([index]);
  }
  const output = ["--- text", "+++ other"];
  for (const group of groups) {
    const start = Math.max(0, (group[0] as number) - context);
    const stop = Math.min(lines.length, (group.at(-1) as number) + context + 1);
    const hunk = lines.slice(start, stop);
    const preceding = lines.slice(0, start);
    const beforeCount = hunk.filter((line) => line.kind !== "+").length;
    const afterCount = hunk.filter((line) => line.kind !== "-").length;
    // Unified diff numbers an empty range by the line before it.
    const beforeStart = preceding.filter((line) => line.kind !== "+").length + (beforeCount ? 1 : 0);
    const afterStart = preceding.filter((line) => line.kind !== "-").length + (afterCount ? 1 : 0);
    output.push(`@@ -${beforeStart},${beforeCount} +${afterStart},${afterCount} @@`);
    for (const line of hunk) output.push(`${line.kind}${line.text}`);
  }
  return output.join("\n");
}

const operations = {
  lowercase: "all lower case",
  uppercase: "ALL UPPER CASE",
  title_case: "Every Word Capitalized",
  sentence_case: "First letter of each sentence capitalized, the rest lower case",
  camel_case: "camelCase identifier",
  pascal_case: "PascalCase identifier",
  snake_case: "snake_case identifier",
  kebab_case: "kebab-case identifier",
  constant_case: "CONSTANT_CASE identifier",
  slugify: "URL slug: lower case, accents removed, words joined by '-'",
  trim: "remove leading and trailing whitespace, and trailing spaces on each line",
  collapse_whitespace: "every run of whitespace (newlines included) becomes one space, then trim",
  remove_diacritics: "déjà vu → deja vu",
  normalize_unicode: "Unicode NFC normalization (composed characters)",
  sort_lines: "sort lines in natural order (numbers by value, case-insensitive)",
  unique_lines: "remove repeated lines, keeping the first occurrence and the order",
  reverse_lines: "reverse the order of lines",
  base64_encode: "UTF-8 text to Base64",
  base64_decode: "Base64 (or base64url) to UTF-8 text",
  url_encode: "percent-encode for use in a URL component",
  url_decode: "decode percent-encoding",
  sha256: "SHA-256 hash of the UTF-8 text, hex",
  md5: "MD5 hash of the UTF-8 text, hex (checksums only, not security)",
  diff: "line-by-line unified diff from text to other",
} as const;

type Operation = keyof typeof operations;

const naturalOrder = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

function transform(operation: Exclude<Operation, "diff">, text: string): string {
  switch (operation) {
    case "lowercase":
      return text.toLocaleLowerCase();
    case "uppercase":
      return text.toLocaleUpperCase();
    case "title_case":
      return text
        .toLocaleLowerCase()
        .replace(/(^|[^\p{L}\p{N}'’])(\p{L})/gu, (_, before: string, letter: string) => before + letter.toLocaleUpperCase());
    case "sentence_case":
      return text
        .toLocaleLowerCase()
        .replace(/(^\s*|[.!?]\s+)(\p{L})/gu, (_, before: string, letter: string) => before + letter.toLocaleUpperCase());
    case "camel_case":
      return splitWords(text)
        .map((word, index) => (index === 0 ? word.toLocaleLowerCase() : capitalize(word)))
        .join("");
    case "pascal_case":
      return splitWords(text).map(capitalize).join("");
    case "snake_case":
      return splitWords(text)
        .map((word) => word.toLocaleLowerCase())
        .join("_");
    case "kebab_case":
      return splitWords(text)
        .map((word) => word.toLocaleLowerCase())
        .join("-");
    case "constant_case":
      return splitWords(text)
        .map((word) => word.toLocaleUpperCase())
        .join("_");
    case "slugify":
      return removeDiacritics(text)
        .toLocaleLowerCase()
        .replace(/['’]/g, "")
        .replace(/[^\p{L}\p{N}]+/gu, "-")
        .replace(/^-+|-+$/g, "");
    case "trim":
      return text.replace(/[ \t]+(?=\r?\n)/g, "").trim();
    case "collapse_whitespace":
      return text.replace(/\s+/gu, " ").trim();
    case "remove_diacritics":
      return removeDiacritics(text);
    case "normalize_unicode":
      return text.normalize("NFC");
    case "sort_lines": {
      const { lines, hasFinalNewline } = splitLines(text);
      return joinLines(lines.sort(naturalOrder.compare), hasFinalNewline);
    }
    case "unique_lines": {
      const { lines, hasFinalNewline } = splitLines(text);
      return joinLines([...new Set(lines)], hasFinalNewline);
    }
    case "reverse_lines": {
      const { lines, hasFinalNewline } = splitLines(text);
      return joinLines(lines.reverse(), hasFinalNewline);
    }
    case "base64_encode":
      return Buffer.from(text, "utf8").toString("base64");
    case "base64_decode": {
      const compact = text.replace(/\s+/g, "");
      if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(compact))
        throw new Error("text is not Base64: only A-Z, a-z, 0-9, +, /, - and _ with up to two '=' at the end");
      const bytes = Buffer.from(compact, compact.includes("-") || compact.includes("_") ? "base64url" : "base64");
      const decoded = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
      if (decoded.includes("\uFFFD")) throw new Error("the decoded bytes are not UTF-8 text (binary data cannot be shown)");
      return decoded;
    }
    case "url_encode":
      return encodeURIComponent(text);
    case "url_decode":
      try {
        return decodeURIComponent(text.replace(/\+/g, " "));
      } catch {
        throw new Error("text contains a malformed percent-encoding (a '%' not followed by two hex digits of valid UTF-8)");
      }
    case "sha256":
      return createHash("sha256").update(text, "utf8").digest("hex");
    case "md5":
      return createHash("md5").update(text, "utf8").digest("hex");
  }
}

export const textTransformTool = defineTool({
  name: "text_transform",
  category: "text",
  description:
    "Apply an exact mechanical transformation to a text and return the result. Operations: " +
    Object.entries(operations)
      .map(([name, summary]) => `${name} (${summary})`)
      .join("; ") +
    ".",
  input: z
    .object({
      operation: z.enum(Object.keys(operations) as [Operation, ...Operation[]]).describe("What to do with the text"),
      text: z.string().max(maxTextChars).describe("The input text"),
      other: z.string().max(maxTextChars).optional().describe("diff only: the new version of the text to compare against"),
    })
    .superRefine((input, context) => {
      if (input.operation === "diff" && input.other === undefined) {
        context.addIssue({ code: "custom", path: ["other"], message: 'required for operation "diff"' });
      }
    }),
  timeoutMs: 15_000,
  async execute(input) {
    if (input.operation !== "diff") return { result: transform(input.operation, input.text) };
    const before = splitLines(input.text).lines;
    const after = splitLines(input.other ?? "").lines;
    const lines = diffLines(before, after);
    const addedLines = lines.filter((line) => line.kind === "+").length;
    const removedLines = lines.filter((line) => line.kind === "-").length;
    return {
      isIdentical: addedLines === 0 && removedLines === 0,
      addedLines,
      removedLines,
      diff: addedLines || removedLines ? unifiedDiff(lines) : "",
    };
  },
});
