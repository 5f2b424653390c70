/**
 * Document parsers: bytes of a supported format in, Markdown-like text out. Headings become `#` lines
 * (HTML h1-h6, Markdown as written), so the chunker can keep a heading path for every chunk whatever the
 * source format. Every failure is an AppError with a `reason`, raised before anything is stored.
 */
import { parse as parseCsv } from "csv-parse/sync";
import { htmlToText } from "html-to-text";
import { AppError } from "../errors";
import { decodeText } from "../security/http-guard";

export const documentFormats = ["text", "markdown", "html", "pdf", "json", "csv"] as const;
export type DocumentFormat = (typeof documentFormats)[number];

const extensionFormats: Record<string, DocumentFormat> = {
  txt: "text",
  text: "text",
  log: "text",
  md: "markdown",
  markdown: "markdown",
  mdx: "markdown",
  html: "html",
  htm: "html",
  xhtml: "html",
  pdf: "pdf",
  json: "json",
  csv: "csv",
};

/** The format by content type first (what a server said), then by the file name's extension, then by sniffing. */
export function detectFormat(input: { name: string; contentType?: string | null; bytes?: Uint8Array }): DocumentFormat {
  const type = input.contentType?.split(";")[0]?.trim().toLowerCase();
  if (type) {
    if (type === "application/pdf") return "pdf";
    if (type === "text/html" || type === "application/xhtml+xml") return "html";
    if (type === "text/markdown" || type === "text/x-markdown") return "markdown";
    if (type === "application/json" || type.endsWith("+json")) return "json";
    if (type === "text/csv") return "csv";
  }
  const extension = /\.([a-z0-9]+)$/i.exec(input.name)?.[1]?.toLowerCase();
  const byExtension = extension ? extensionFormats[extension] : undefined;
  if (byExtension) return byExtension;
  const head = input.bytes ? Buffer.from(input.bytes.subarray(0, 512)).toString("latin1") : "";
  if (head.startsWith("%PDF-")) return "pdf";
  if (/^\s*<(!doctype html|html|head|body)\b/i.test(head)) return "html";
  if (type && type !== "text/plain" && !type.startsWith("text/")) {
    throw new AppError("BAD_REQUEST", `Unsupported document type ${type}: use text, Markdown, HTML, PDF, JSON or CSV`, {
      reason: "unsupported-format",
    });
  }
  return "text";
}

function unsupported(message: string, reason: string, cause?: unknown): AppError {
  return new AppError("BAD_REQUEST", message, { reason }, cause === undefined ? undefined : { cause });
}

function decode(bytes: Uint8Array): string {
  // Invalid UTF-8 becomes U+FFFD rather than failing: a text file with one bad byte is still worth indexing.
  return decodeText(bytes, "text/plain; charset=utf-8").replace(/^\uFEFF/, "");
}

function normaliseWhitespace(text: string): string {
  return text
    .replace(/\r\n?/g, "\n")
    .replace(/[ \t]+\n/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

function htmlToMarkdownText(html: string): string {
  const headingFormatter = (level: number) =>
    ((element, walk, builder) => {
      builder.openBlock({ leadingLineBreaks: 2 });
      builder.addLiteral(`${"#".repeat(level)} `);
      walk(element.children, builder);
      builder.closeBlock({ trailingLineBreaks: 2 });
    }) satisfies NonNullable<Parameters<typeof htmlToText>[1]>["formatters"] extends infer F
      ? F extends Record<string, infer G>
        ? G
        : never
      : never;
  return htmlToText(html, {
    wordwrap: false,
    formatters: {
      h1: headingFormatter(1),
      h2: headingFormatter(2),
      h3: headingFormatter(3),
      h4: headingFormatter(4),
      h5: headingFormatter(5),
      h6: headingFormatter(6),
    },
    selectors: [
      { selector: "h1", format: "h1" },
      { selector: "h2", format: "h2" },
      { selector: "h3", format: "h3" },
      { selector: "h4", format: "h4" },
      { selector: "h5", format: "h5" },
      { selector: "h6", format: "h6" },
      { selector: "a", options: { ignoreHref: true } },
      { selector: "img", format: "skip" },
      { selector: "script", format: "skip" },
      { selector: "style", format: "skip" },
      { selector: "noscript", format: "skip" },
      { selector: "template", format: "skip" },
      { selector: "svg", format: "skip" },
      { selector: "head", format: "skip" },
    ],
  });
}

/** JSON as one `path: value` line per leaf, objects of the top level as headings. */
function jsonToText(value: unknown): string {
  const lines: string[] = [];
  const walk = (node: unknown, path: string) => {
    if (node === null || typeof node !== "object") {
      lines.push(`${path || "value"}: ${typeof node === "string" ? node : JSON.stringify(node)}`);
      return;
    }
    const entries = Array.isArray(node) ? node.map((item, index) => [String(index), item] as const) : Object.entries(node);
    if (entries.length === 0) lines.push(`${path || "value"}: ${Array.isArray(node) ? "[]" : "{}"}`);
    for (const [key, child] of entries) walk(child, path ? `${path}.${key}` : key);
  };
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) {
      lines.push(`# ${key}`, "");
      walk(child, key);
      lines.push("");
    }
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => {
      walk(item, String(index));
      lines.push("");
    });
  } else {
    walk(value, "");
  }
  return lines.join("\n");
}

/** CSV as one paragraph per row, `column: value` pairs, so a chunk keeps the names of its values. */
function csvToText(text: string): string {
  let records: string[][];
  try {
    records = parseCsv(text, { relax_column_count: true, skip_empty_lines: true, bom: true }) as string[][];
  } catch (error) {
    throw unsupported(`The CSV file cannot be read: ${error instanceof Error ? error.message : String(error)}`, "malformed-csv", error);
  }
  const [header, ...rows] = records;
  if (!header) return "";
  if (rows.length === 0) return header.join(", ");
  return rows
    .map((row) =>
      row
        .map((cell, index) => `${header[index]?.trim() || `column ${index + 1}`}: ${cell}`)
        .filter((pair) => !pair.endsWith(": "))
        .join("; "),
    )
    .join("\n\n");
}

async function pdfToText(bytes: Uint8Array): Promise<string> {
  if (!Buffer.from(bytes.subarray(0, 1024)).toString("latin1").includes("%PDF-")) {
    throw unsupported("The file is not a PDF (no %PDF- header)", "malformed-pdf");
  }
  const { extractText, getDocumentProxy } = await import("unpdf");
  try {
    // pdf.js takes ownership of the buffer it is given, so it gets a copy.
    const document = await getDocumentProxy(new Uint8Array(bytes));
    const { text } = await extractText(document, { mergePages: false });
    return (Array.isArray(text) ? text : [text]).map((page) => page.trim()).join("\n\n");
  } catch (error) {
    throw unsupported(`The PDF cannot be read: ${error instanceof Error ? error.message : String(error)}`, "malformed-pdf", error);
  }
}

/** Extracted text of a document; throws BAD_REQUEST (reason `empty-document`, `malformed-*`) instead of storing nothing useful. */
export async function extractDocumentText(bytes: Uint8Array, format: DocumentFormat): Promise<string> {
  if (bytes.byteLength === 0) throw unsupported("The document is empty", "empty-document");
  let text: string;
  switch (format) {
    case "pdf":
      text = await pdfToText(bytes);
      break;
    case "html":
      text = htmlToMarkdownText(decode(bytes));
      break;
    case "json": {
      let value: unknown;
      try {
        value = JSON.parse(decode(bytes));
      } catch (error) {
        throw unsupported(
          `The JSON file cannot be parsed: ${error instanceof Error ? error.message : String(error)}`,
          "malformed-json",
          error,
        );
      }
      text = jsonToText(value);
      break;
    }
    case "csv":
      text = csvToText(decode(bytes));
      break;
    default:
      text = decode(bytes);
  }
  const normalised = normaliseWhitespace(text);
  if (!/[\p{L}\p{N}]/u.test(normalised)) throw unsupported("The document has no text to index", "empty-document");
  return normalised;
}
