/**
 * The web tools: `http_request` (any method, raw response) and `web_fetch` (a page as readable text).
 * Both go through the outbound HTTP guard, so a model cannot reach the server's own network unless a
 * self-hoster allowed that host in settings (`services.allowedHosts`).
 */
import { type DomNode, htmlToText } from "html-to-text";
import { z } from "zod";
import { decodeText, guardedFetch } from "../../security/http-guard";
import { defineTool } from "../registry";

const maxFetchBytes = 2 * 1024 * 1024;
const fetchTimeoutMs = 25_000;
const maxBodyChars = 16_000;
const maxHeaderValueChars = 500;
const maxLinks = 50;
const textualContentType = /^text\/|[/+](json|xml)\b|javascript|x-www-form-urlencoded/i;

function isTextual(contentType: string | undefined): boolean {
  return !contentType || textualContentType.test(contentType);
}

function capText(text: string, maxChars: number): { text: string; isCut: boolean } {
  return text.length > maxChars ? { text: text.slice(0, maxChars), isCut: true } : { text, isCut: false };
}

/** Response headers for the model; cookies stay out of the transcript. */
function visibleHeaders(headers: Record<string, string>): Record<string, string> {
  const visible: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name === "set-cookie") continue;
    visible[name] = value.length > maxHeaderValueChars ? `${value.slice(0, maxHeaderValueChars)}...` : value;
  }
  return visible;
}

export const httpRequestTool = defineTool({
  name: "http_request",
  category: "web",
  description:
    "Send an HTTP request (for APIs) and get the status, headers and body back. Private and internal addresses are blocked. " +
    "Requests other than GET carry an Idempotency-Key header, so a retried call is recognisable to the server.",
  input: z.object({
    method: z.enum(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]).default("GET"),
    url: z.string().trim().min(1).max(4000).describe("Absolute http(s) URL"),
    headers: z.record(z.string().min(1).max(200), z.string().max(8000)).optional(),
    body: z.string().max(1_000_000).optional().describe("Request body, e.g. JSON text; set a content-type header to match"),
  }),
  sideEffect: true,
  maxOutputChars: 24_000,
  async execute(input, context) {
    const headers = new Headers(input.headers);
    if (input.method !== "GET") headers.set("idempotency-key", context.idempotencyKey);
    const response = await guardedFetch(input.url, {
      method: input.method,
      headers: [...headers.entries()],
      body: input.method === "GET" || input.method === "HEAD" ? undefined : input.body,
      allowedHosts: context.services.allowedHosts,
      signal: context.signal,
      timeoutMs: fetchTimeoutMs,
      maxResponseBytes: maxFetchBytes,
      responseType: "bytes",
    });
    const contentType = response.headers["content-type"];
    const base = { status: response.status, url: response.url, headers: visibleHeaders(response.headers) };
    if (!isTextual(contentType)) {
      return { ...base, body: null, note: `Binary content (${contentType}), ${response.body.byteLength} bytes not shown` };
    }
    const body = capText(decodeText(response.body, contentType), maxBodyChars);
    return { ...base, body: body.text, truncated: response.truncated || body.isCut };
  },
});

function textOf(node: DomNode): string {
  if (node.type === "text") return node.data ?? "";
  return (node.children ?? []).map(textOf).join("");
}

function pageTitle(html: string): string | null {
  const raw = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1];
  if (!raw) return null;
  const title = htmlToText(raw, { wordwrap: false }).replace(/\s+/g, " ").trim();
  return title || null;
}

interface PageLink {
  text: string;
  url: string;
}

/** Readable text of an HTML page; links are collected on the side instead of cluttering the text. */
function readableText(html: string, baseUrl: string): { text: string; links: PageLink[] } {
  const links: PageLink[] = [];
  const seen = new Set<string>();
  const text = htmlToText(html, {
    wordwrap: false,
    formatters: {
      collectLink(element, walk, builder) {
        walk(element.children, builder);
        const href = typeof element.attribs?.href === "string" ? element.attribs.href : null;
        if (!href || links.length >= maxLinks) return;
        let url: URL;
        try {
          url = new URL(href, baseUrl);
        } catch {
          return;
        }
        if ((url.protocol !== "http:" && url.protocol !== "https:") || seen.has(url.href)) return;
        seen.add(url.href);
        links.push({ text: textOf(element).replace(/\s+/g, " ").trim().slice(0, 200), url: url.href });
      },
    },
    selectors: [
      { selector: "a", format: "collectLink" },
      { selector: "img", format: "skip" },
    ],
  });
  return { text: text.replace(/\n{3,}/g, "\n\n").trim(), links };
}

export const webFetchTool = defineTool({
  name: "web_fetch",
  category: "web",
  description:
    "Fetch a web page and read it as plain text, with its title and optionally its links. Private and internal addresses are blocked.",
  input: z.object({
    url: z.string().trim().min(1).max(4000).describe("Absolute http(s) URL of the page"),
    includeLinks: z.boolean().default(false).describe("Also return the page's links (up to 50)"),
    maxChars: z.number().int().min(500).max(maxBodyChars).default(8000).describe("Most characters of text to return"),
  }),
  maxOutputChars: 24_000,
  async execute(input, context) {
    const response = await guardedFetch(input.url, {
      headers: { accept: "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.5" },
      allowedHosts: context.services.allowedHosts,
      signal: context.signal,
      timeoutMs: fetchTimeoutMs,
      maxResponseBytes: maxFetchBytes,
      responseType: "bytes",
    });
    const contentType = response.headers["content-type"];
    if (!isTextual(contentType)) {
      return { status: response.status, url: response.url, note: `Not a text page (${contentType}); nothing to read` };
    }
    const source = decodeText(response.body, contentType);
    const isHtml = /html/i.test(contentType ?? "") || /^\s*<(!doctype html|html)/i.test(source);
    const page = isHtml ? { title: pageTitle(source), ...readableText(source, response.url) } : { title: null, text: source, links: [] };
    const text = capText(page.text, input.maxChars);
    return {
      status: response.status,
      url: response.url,
      title: page.title,
      text: text.text,
      truncated: response.truncated || text.isCut,
      ...(input.includeLinks ? { links: page.links } : {}),
    };
  },
});

/** The web tools, for the built-in registry. */
export const webTools = [httpRequestTool, webFetchTool];
