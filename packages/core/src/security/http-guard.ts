/**
 * The outbound HTTP guard: every request GatheRing makes on behalf of a user (tools, webhooks, pipeline
 * http nodes) goes through `guardedFetch`, so a model or a project member cannot make the server reach
 * its own network (SSRF).
 *
 * The address check happens where the socket is opened: undici's connector resolves the name through
 * our own lookup, checks every address it got, and connects only to those. A name that resolves to a
 * public address at URL check time and to 127.0.0.1 a moment later (DNS rebinding) is refused, because
 * the address that is checked is the address that is connected to. IP literals are checked on the URL
 * first (after WHATWG normalisation, which turns `2130706433`, `0x7f.1`, `0177.0.0.1` and `127.1` into
 * `127.0.0.1`) and again at connect time. Redirects are followed by hand, one checked hop at a time.
 *
 * Self-hosters may name hosts (`host` or `host:port`, e.g. a local Ollama) that are let through although
 * they are private; the bypass holds for exactly that host name (and port, when given).
 */
import { lookup as dnsLookup } from "node:dns/promises";
import { isIP, type LookupFunction } from "node:net";
import type { ReadableStream } from "node:stream/web";
import ipaddr from "ipaddr.js";
import { Agent, buildConnector, fetch, Headers } from "undici";
import { AppError, isAppError } from "../errors";

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Turns a host name into addresses; injectable so tests can make a name resolve to anything. */
export type HostResolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

export interface GuardedFetchOptions {
  method?: string;
  headers?: Record<string, string> | [string, string][] | Headers;
  /** Kept replayable on purpose: a 307/308 redirect sends the same body again. */
  body?: string | Uint8Array | URLSearchParams | null;
  /** `host` or `host:port` entries let through although their addresses are private. */
  allowedHosts?: readonly string[];
  /** Bytes of (decoded) body kept; the rest is not read. Default 5 MiB. */
  maxResponseBytes?: number;
  /** `"truncate"` (default) keeps the first maxResponseBytes and sets `truncated`; `"reject"` throws PAYLOAD_TOO_LARGE. */
  oversize?: "truncate" | "reject";
  /** Time for the whole exchange, redirects and body included. Default 15 s. */
  timeoutMs?: number;
  /** Default 5. */
  maxRedirects?: number;
  /** The caller's cancellation; when it fires, its reason is thrown as is. */
  signal?: AbortSignal;
  /** `"text"` (default) decodes by the response charset; `"bytes"` returns the raw bytes. */
  responseType?: "text" | "bytes";
  /** Test hook; production uses the system resolver. */
  resolveHost?: HostResolver;
}

export interface GuardedResponse<TBody extends string | Uint8Array = string | Uint8Array> {
  status: number;
  headers: Record<string, string>;
  body: TBody;
  /** The body was longer than maxResponseBytes and was cut there. */
  truncated: boolean;
  /** The URL that answered, after redirects. */
  url: string;
  /** How many redirects were followed. */
  redirects: number;
}

const defaultMaxResponseBytes = 5 * 1024 * 1024;
const defaultTimeoutMs = 15_000;
const defaultMaxRedirects = 5;
const redirectStatuses = new Set([301, 302, 303, 307, 308]);
/** Headers that carry the caller's identity; they never follow a redirect to another origin. */
const credentialHeaders = ["authorization", "cookie", "proxy-authorization", "host"];

/**
 * Blocked IPv4 ranges beyond what ipaddr.js already names (it classifies loopback, private, link-local
 * including 169.254.169.254, carrier-grade NAT, multicast, broadcast, 0.0.0.0/8 and the reserved and
 * documentation blocks). Kept as our own table so the policy does not silently depend on a library's
 * list, and so that ranges a library might classify as "unicast" stay blocked.
 */
const extraBlockedIPv4: readonly (readonly [string, string])[] = [
  ["0.0.0.0/8", "unspecified"],
  ["10.0.0.0/8", "private"],
  ["100.64.0.0/10", "carrierGradeNat"],
  ["127.0.0.0/8", "loopback"],
  ["169.254.0.0/16", "linkLocal"],
  ["172.16.0.0/12", "private"],
  ["192.0.0.0/24", "reserved"],
  ["192.168.0.0/16", "private"],
  ["198.18.0.0/15", "reserved"],
  ["224.0.0.0/4", "multicast"],
  ["240.0.0.0/4", "reserved"],
];
const blockedIPv4Ranges = extraBlockedIPv4.map(([cidr, reason]) => [ipaddr.IPv4.parseCIDR(cidr), reason] as const);

/** Public IPv6 is global unicast (2000::/3) only; NAT64, 6to4 and IPv4-mapped are judged by the IPv4 inside. */
const globalUnicastIPv6 = ipaddr.IPv6.parseCIDR("2000::/3");
const nat64WellKnown = ipaddr.IPv6.parseCIDR("64:ff9b::/96");

/** Parses an IP literal in any encoding (dotted, integer, hex, octal, shortened, bracketed IPv6 with a zone); null when it is not one. */
export function parseIpLiteral(value: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  let text = value.trim();
  if (text.startsWith("[") && text.endsWith("]")) text = text.slice(1, -1);
  // A zone id may arrive percent-encoded from a URL (`fe80::1%25eth0`); the zone does not change the address.
  const zoneIndex = text.indexOf("%");
  if (zoneIndex !== -1 && text.includes(":")) text = text.slice(0, zoneIndex);
  if (!ipaddr.isValid(text)) return null;
  try {
    return ipaddr.parse(text);
  } catch {
    return null;
  }
}

function ipv4BlockReason(address: ipaddr.IPv4): string | null {
  const range = address.range();
  if (range !== "unicast") return range;
  for (const [cidr, reason] of blockedIPv4Ranges) {
    if (address.match(cidr)) return reason;
  }
  return null;
}

function embeddedIPv4(address: ipaddr.IPv6): ipaddr.IPv4 | null {
  if (address.isIPv4MappedAddress()) return address.toIPv4Address();
  const bytes = address.toByteArray();
  if (address.match(nat64WellKnown)) return new ipaddr.IPv4(bytes.slice(12, 16));
  // 6to4: 2002:AABB:CCDD::/48 carries AA.BB.CC.DD.
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return new ipaddr.IPv4(bytes.slice(2, 6));
  return null;
}

/**
 * Why an address must not be connected to (`"loopback"`, `"private"`, `"linkLocal"`, ...), or null when it
 * is public. Anything that is not an IP literal is blocked (`"invalid"`): callers pass resolved addresses.
 */
export function blockedAddressReason(value: string): string | null {
  const address = parseIpLiteral(value);
  if (!address) return "invalid";
  if (address.kind() === "ipv4") return ipv4BlockReason(address as ipaddr.IPv4);
  const ipv6 = address as ipaddr.IPv6;
  const inner = embeddedIPv4(ipv6);
  if (inner) {
    const innerReason = ipv4BlockReason(inner);
    return innerReason ? `${ipv6.range()}:${innerReason}` : null;
  }
  const range = ipv6.range();
  if (range !== "unicast") return range;
  if (!ipv6.match(globalUnicastIPv6)) return "reserved";
  return null;
}

interface AllowedHost {
  hostname: string;
  port: number | null;
}

/** Canonical host name as a URL would spell it, without IPv6 brackets: `127.1` -> `127.0.0.1`, `::0:1` -> `::1`. */
function canonicalHostname(host: string): string | null {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  try {
    const hostname = new URL(`http://${isIP(bare) === 6 ? `[${bare}]` : bare}/`).hostname;
    return hostname.startsWith("[") ? hostname.slice(1, -1) : hostname;
  } catch {
    return null;
  }
}

/** Reads `host`, `host:port`, `[v6]:port` or a bare IPv6 address; entries that are none of these are ignored. */
function parseAllowedHosts(entries: readonly string[] = []): AllowedHost[] {
  const allowed: AllowedHost[] = [];
  for (const raw of entries) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    let host = entry;
    let port: number | null = null;
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    const hostAndPort = /^([^:]+):(\d+)$/.exec(entry);
    if (bracketed?.[1]) {
      host = bracketed[1];
      port = bracketed[2] ? Number(bracketed[2]) : null;
    } else if (hostAndPort?.[1] && hostAndPort[2]) {
      host = hostAndPort[1];
      port = Number(hostAndPort[2]);
    }
    const hostname = canonicalHostname(host);
    if (hostname && (port === null || (port > 0 && port < 65536))) allowed.push({ hostname, port });
  }
  return allowed;
}

function defaultPort(protocol: string): number {
  return protocol === "https:" ? 443 : 80;
}

function isAllowedHost(allowed: readonly AllowedHost[], hostname: string, port: number): boolean {
  const bare = hostname.startsWith("[") ? hostname.slice(1, -1) : hostname;
  return allowed.some((entry) => entry.hostname === bare && (entry.port === null || entry.port === port));
}

function blockedError(hostname: string, reason: string): AppError {
  return new AppError("FORBIDDEN", `Request to ${hostname} refused: blocked address (${reason})`, { reason });
}

/**
 * Parses and checks a URL before any connection: http(s) only, no credentials, and an IP literal host
 * must be public unless allowed. Host names are checked at connect time, on the addresses they resolve to.
 */
export function assertUrlAllowed(input: string | URL, allowedHosts: readonly string[] = []): URL {
  return checkUrl(input, parseAllowedHosts(allowedHosts));
}

function checkUrl(input: string | URL, allowed: readonly AllowedHost[]): URL {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new AppError("BAD_REQUEST", "Invalid URL", { reason: "invalid-url" });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new AppError("FORBIDDEN", `Only http and https URLs are allowed, not ${url.protocol}`, { reason: "scheme" });
  }
  if (url.username || url.password) {
    throw new AppError("FORBIDDEN", "URLs with credentials are not allowed; send them in a header", { reason: "credentials-in-url" });
  }
  const port = url.port ? Number(url.port) : defaultPort(url.protocol);
  if (isAllowedHost(allowed, url.hostname, port)) return url;
  if (parseIpLiteral(url.hostname)) {
    const reason = blockedAddressReason(url.hostname);
    if (reason) throw blockedError(url.hostname, reason);
  }
  return url;
}

const systemResolver: HostResolver = async (hostname) => {
  const addresses = await dnsLookup(hostname, { all: true, verbatim: true });
  return addresses.map((entry) => ({ address: entry.address, family: entry.family === 6 ? 6 : 4 }));
};

/** A `net.connect` lookup that resolves through `resolve` and, when `check` is set, refuses if any address is blocked. */
function guardedLookup(resolve: HostResolver, check: boolean): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (resolved) => {
        const addresses = resolved
          .map((entry) => ({ address: entry.address, family: isIP(entry.address) }))
          .filter((entry) => entry.family === 4 || entry.family === 6);
        if (addresses.length === 0) {
          callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" }), "", 0);
          return;
        }
        if (check) {
          // Every address, not just the first: the socket may fall back to any of them.
          for (const entry of addresses) {
            const reason = blockedAddressReason(entry.address);
            if (reason) {
              callback(blockedError(hostname, reason), "", 0);
              return;
            }
          }
        }
        const wanted =
          options.family === 4 || options.family === 6 ? addresses.filter((entry) => entry.family === options.family) : addresses;
        if (options.all) {
          (callback as unknown as (error: null, addresses: { address: string; family: number }[]) => void)(null, wanted);
          return;
        }
        const first = wanted[0];
        if (!first) {
          callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" }), "", 0);
          return;
        }
        callback(null, first.address, first.family);
      },
      (error: unknown) => callback(error as NodeJS.ErrnoException, "", 0),
    );
  };
}

function createGuardedAgent(allowed: readonly AllowedHost[], resolve: HostResolver): Agent {
  const checked = buildConnector({ lookup: guardedLookup(resolve, true) });
  const unchecked = buildConnector({ lookup: guardedLookup(resolve, false) });
  const connect: buildConnector.connector = (options, callback) => {
    const port = options.port ? Number(options.port) : defaultPort(options.protocol);
    if (isAllowedHost(allowed, options.hostname, port)) return unchecked(options, callback);
    // net.connect skips the lookup for IP literals, so they are checked here.
    if (isIP(options.hostname)) {
      const reason = blockedAddressReason(options.hostname);
      if (reason) return callback(blockedError(options.hostname, reason), null);
    }
    return checked(options, callback);
  };
  return new Agent({ connect });
}

/**
 * One agent per allowed-hosts policy, so keep-alive connections are reused, but never across policies: a
 * connection opened under a policy that allowed a host is not handed to a caller whose policy does not.
 */
const agentsByPolicy = new Map<string, Agent>();
const maxCachedAgents = 16;

function agentFor(allowed: readonly AllowedHost[], resolve: HostResolver | undefined): { agent: Agent; isShared: boolean } {
  if (resolve) return { agent: createGuardedAgent(allowed, resolve), isShared: false };
  const key = JSON.stringify(allowed.map((entry) => `${entry.hostname}|${entry.port ?? ""}`).sort());
  let agent = agentsByPolicy.get(key);
  if (!agent) {
    // Dropped agents are not closed: a request may still be using one; idle sockets time out on their own.
    if (agentsByPolicy.size >= maxCachedAgents) agentsByPolicy.delete(agentsByPolicy.keys().next().value as string);
    agent = createGuardedAgent(allowed, systemResolver);
    agentsByPolicy.set(key, agent);
  }
  return { agent, isShared: true };
}

function findAppError(error: unknown): AppError | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth += 1) {
    if (isAppError(current)) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}

function networkErrorCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = (current as { cause?: unknown }).cause;
  }
  return "network-error";
}

/** Decodes a body by the charset of its content type, UTF-8 when absent or unknown. */
export function decodeText(bytes: Uint8Array, contentType: string | undefined): string {
  const charset = /charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? "")?.[1];
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset ?? "utf-8");
  } catch {
    decoder = new TextDecoder("utf-8");
  }
  return decoder.decode(bytes);
}

async function readCapped(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
  oversize: "truncate" | "reject",
): Promise<{ bytes: Uint8Array; truncated: boolean }> {
  if (!body) return { bytes: new Uint8Array(0), truncated: false };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (size + value.byteLength > maxBytes) {
      truncated = true;
      // Stop reading: the rest is never pulled off the socket.
      await reader.cancel().catch(() => {});
      if (oversize === "reject") {
        throw new AppError("PAYLOAD_TOO_LARGE", `Response is larger than ${maxBytes} bytes`, { maxResponseBytes: maxBytes });
      }
      chunks.push(value.subarray(0, maxBytes - size));
      size = maxBytes;
      break;
    }
    chunks.push(value);
    size += value.byteLength;
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { bytes, truncated };
}

/** The method and body a redirect continues with (fetch semantics: 303, and 301/302 after POST, become GET). */
function methodAfterRedirect(status: number, method: string): { method: string; keepsBody: boolean } {
  if ((status === 303 && method !== "HEAD") || ((status === 301 || status === 302) && method === "POST")) {
    return { method: "GET", keepsBody: false };
  }
  return { method, keepsBody: true };
}

export function guardedFetch(
  url: string | URL,
  options?: GuardedFetchOptions & { responseType?: "text" },
): Promise<GuardedResponse<string>>;
export function guardedFetch(
  url: string | URL,
  options: GuardedFetchOptions & { responseType: "bytes" },
): Promise<GuardedResponse<Uint8Array>>;
export function guardedFetch(url: string | URL, options?: GuardedFetchOptions): Promise<GuardedResponse>;
export async function guardedFetch(url: string | URL, options: GuardedFetchOptions = {}): Promise<GuardedResponse> {
  const maxResponseBytes = options.maxResponseBytes ?? defaultMaxResponseBytes;
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  const maxRedirects = options.maxRedirects ?? defaultMaxRedirects;
  const allowed = parseAllowedHosts(options.allowedHosts);
  let current = checkUrl(url, allowed);

  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  const { agent, isShared } = agentFor(allowed, options.resolveHost);
  let method = (options.method ?? "GET").toUpperCase();
  const headers = new Headers(options.headers);
  let body = options.body ?? undefined;

  try {
    for (let redirects = 0; ; redirects += 1) {
      const response = await fetch(current, { method, headers, body, redirect: "manual", signal, dispatcher: agent });
      const location = response.headers.get("location");
      if (redirectStatuses.has(response.status) && location) {
        await response.body?.cancel().catch(() => {});
        if (redirects >= maxRedirects) {
          throw new AppError("BAD_REQUEST", `Too many redirects (more than ${maxRedirects})`, { reason: "too-many-redirects" });
        }
        let next: URL;
        try {
          next = new URL(location, current);
        } catch {
          throw new AppError("BAD_REQUEST", "The server redirected to an invalid URL", { reason: "invalid-redirect" });
        }
        next = checkUrl(next, allowed);
        if (next.origin !== current.origin) {
          for (const name of credentialHeaders) headers.delete(name);
        }
        const after = methodAfterRedirect(response.status, method);
        method = after.method;
        if (!after.keepsBody) {
          body = undefined;
          for (const name of ["content-type", "content-length", "content-encoding", "content-language"]) headers.delete(name);
        }
        current = next;
        continue;
      }

      const contentLength = Number(response.headers.get("content-length") ?? Number.NaN);
      if (options.oversize === "reject" && contentLength > maxResponseBytes) {
        await response.body?.cancel().catch(() => {});
        throw new AppError("PAYLOAD_TOO_LARGE", `Response is larger than ${maxResponseBytes} bytes`, { maxResponseBytes });
      }
      const { bytes, truncated } = await readCapped(response.body, maxResponseBytes, options.oversize ?? "truncate");
      const responseHeaders: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        responseHeaders[name] = value;
      });
      return {
        status: response.status,
        headers: responseHeaders,
        body: options.responseType === "bytes" ? bytes : decodeText(bytes, responseHeaders["content-type"]),
        truncated,
        url: current.toString(),
        redirects,
      };
    }
  } catch (error) {
    if (isAppError(error)) throw error;
    if (options.signal?.aborted) throw options.signal.reason ?? error;
    if (deadline.aborted) throw new AppError("TIMEOUT", `Request to ${current.host} timed out after ${timeoutMs} ms`, { timeoutMs });
    const guardError = findAppError(error);
    if (guardError) throw guardError;
    // The cause stays on the error for logs; the message names only the host and an error code.
    const code = networkErrorCode(error);
    throw new AppError("UNAVAILABLE", `Could not reach ${current.host} (${code})`, { reason: code }, { cause: error });
  } finally {
    if (!isShared) await agent.destroy().catch(() => {});
  }
}

/**
 * A `fetch` for clients that keep a response open and stream it (an MCP server over streamable HTTP):
 * the same URL and connect-time address checks as guardedFetch, but the body is handed over unread and
 * redirects are not followed (a 3xx comes back as is, and such clients treat it as a failure).
 */
export function createGuardedFetch(
  options: { allowedHosts?: readonly string[] } = {},
): (input: string | URL | Request, init?: RequestInit) => Promise<Response> {
  const allowed = parseAllowedHosts(options.allowedHosts);
  return async (input, init) => {
    const target = checkUrl(input instanceof Request ? input.url : input, allowed);
    const { agent } = agentFor(allowed, undefined);
    const response = await fetch(target, {
      ...(init as Parameters<typeof fetch>[1]),
      ...(input instanceof Request && !init ? { method: input.method, headers: [...input.headers] } : {}),
      redirect: "manual",
      dispatcher: agent,
    }).catch((error: unknown) => {
      const guardError = findAppError(error);
      if (guardError) throw guardError;
      throw error;
    });
    return response as unknown as Response;
  };
}
