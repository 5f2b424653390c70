import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import ipaddr from "ipaddr.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { assertUrlAllowed, blockedAddressReason, guardedFetch } from "./http-guard";

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error("expected the request to be refused");
}

function urlRejection(url: string): AppError {
  try {
    assertUrlAllowed(url);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error(`expected ${url} to be refused`);
}

// The test's own view of what must be blocked, written from the RFCs rather than taken from the guard.
const blockedIPv4Cidrs: [string, number][] = [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
];
// Special-purpose blocks that are public in routing terms but not meant as destinations; the
// public-address property avoids them rather than asserting either way.
const specialIPv4Cidrs: [string, number][] = [
  ["192.88.99.0", 24],
  ["192.175.48.0", 24],
  ["192.31.196.0", 24],
  ["192.52.193.0", 24],
];

function toUint32(dotted: string): number {
  return dotted.split(".").reduce((value, octet) => value * 256 + Number(octet), 0);
}

function octets(value: number): [number, number, number, number] {
  return [Math.floor(value / 2 ** 24) % 256, Math.floor(value / 2 ** 16) % 256, Math.floor(value / 2 ** 8) % 256, value % 256];
}

function inCidrs(value: number, cidrs: [string, number][]): boolean {
  return cidrs.some(([base, bits]) => Math.floor(value / 2 ** (32 - bits)) === Math.floor(toUint32(base) / 2 ** (32 - bits)));
}

const blockedIPv4 = fc
  .constantFrom(...blockedIPv4Cidrs)
  .chain(([base, bits]) => fc.integer({ min: 0, max: 2 ** (32 - bits) - 1 }).map((offset) => toUint32(base) + offset));

const publicIPv4 = fc
  .integer({ min: 0, max: 2 ** 32 - 1 })
  .filter((value) => !inCidrs(value, blockedIPv4Cidrs) && !inCidrs(value, specialIPv4Cidrs));

/** Every way a URL host can spell one IPv4 address. */
function ipv4Spellings(value: number): string[] {
  const [a, b, c, d] = octets(value);
  const hex = (n: number) => `0x${n.toString(16)}`;
  const octal = (n: number) => `0${n.toString(8)}`;
  const hextets = `${(a * 256 + b).toString(16)}:${(c * 256 + d).toString(16)}`;
  return [
    `${a}.${b}.${c}.${d}`,
    String(value),
    hex(value),
    `0${value.toString(8)}`,
    [a, b, c, d].map(hex).join("."),
    [a, b, c, d].map(octal).join("."),
    `${a}.${b}.${c * 256 + d}`,
    `${a}.${b * 65536 + c * 256 + d}`,
    `${hex(a)}.${octal(b)}.${c}.${d}`,
    `[::ffff:${a}.${b}.${c}.${d}]`,
    `[::ffff:${hextets}]`,
    `[0:0:0:0:0:ffff:${hextets}]`,
  ];
}

describe("address policy (property-based)", () => {
  it("refuses every address of a blocked IPv4 range, in every spelling", () => {
    fc.assert(
      fc.property(blockedIPv4, (value) => {
        for (const host of ipv4Spellings(value)) {
          const error = urlRejection(`http://${host}/`);
          expect(error.code, host).toBe("FORBIDDEN");
          expect(blockedAddressReason(host), host).not.toBeNull();
        }
      }),
      { numRuns: 300 },
    );
  });

  it("refuses blocked IPv4 addresses hidden in NAT64 and 6to4 IPv6 addresses", () => {
    fc.assert(
      fc.property(blockedIPv4, fc.integer({ min: 0, max: 0xffff }), (value, suffix) => {
        const [a, b, c, d] = octets(value);
        const high = (a * 256 + b).toString(16);
        const low = (c * 256 + d).toString(16);
        for (const host of [
          `[64:ff9b::${a}.${b}.${c}.${d}]`,
          `[64:ff9b::${high}:${low}]`,
          `[2002:${high}:${low}::${suffix.toString(16)}]`,
        ]) {
          expect(urlRejection(`http://${host}/`).code, host).toBe("FORBIDDEN");
        }
      }),
    );
  });

  it("lets every public IPv4 address through, in every spelling", () => {
    fc.assert(
      fc.property(publicIPv4, (value) => {
        const [a, b, c, d] = octets(value);
        expect(blockedAddressReason(`${a}.${b}.${c}.${d}`)).toBeNull();
        for (const host of ipv4Spellings(value)) {
          expect(assertUrlAllowed(`http://${host}/`).protocol, host).toBe("http:");
        }
      }),
      { numRuns: 300 },
    );
  });

  const hextet = fc.integer({ min: 0, max: 0xffff });

  it("lets global unicast IPv6 addresses through", () => {
    const isSpecial = (first: number, second: number) =>
      (first === 0x2001 && second < 0x200) || (first === 0x2001 && second === 0xdb8) || first === 0x2002 || (first & 0xfff0) === 0x3ff0;
    fc.assert(
      fc.property(fc.integer({ min: 0x2000, max: 0x3fff }), fc.array(hextet, { minLength: 7, maxLength: 7 }), (first, rest) => {
        fc.pre(!isSpecial(first, rest[0] ?? 0));
        const address = [first, ...rest].map((part) => part.toString(16)).join(":");
        expect(blockedAddressReason(address), address).toBeNull();
        expect(assertUrlAllowed(`https://[${address}]/`).protocol).toBe("https:");
      }),
    );
  });

  it("refuses loopback, link-local, unique-local, site-local, multicast and IPv4-compatible IPv6 addresses", () => {
    const prefixes: [number, number][] = [
      [0xfe80, 10],
      [0xfc00, 7],
      [0xfec0, 10],
      [0xff00, 8],
      [0x0000, 8],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...prefixes), hextet, fc.array(hextet, { minLength: 7, maxLength: 7 }), ([prefix, bits], first, rest) => {
        const mask = (0xffff << (16 - bits)) & 0xffff;
        const address = new ipaddr.IPv6([(prefix & mask) | (first & ~mask & 0xffff), ...rest]).toString();
        expect(blockedAddressReason(address), address).not.toBeNull();
        expect(urlRejection(`http://[${address}]/`).code, address).toBe("FORBIDDEN");
      }),
    );
  });
});

describe("address policy (fixed SSRF cases)", () => {
  const blockedUrls = [
    "http://127.0.0.1/",
    "http://127.1/",
    "http://2130706433/",
    "http://0x7f000001/",
    "http://0x7f.1/",
    "http://0177.0.0.1/",
    "http://0177.0.0.01/",
    "http://127.000.000.001/",
    "http://%31%32%37.0.0.1/",
    "http://\uff11\uff12\uff17.0.0.1/",
    "http://127.0.0.1.:8080/",
    "http://0/",
    "http://0.0.0.0/",
    "http://10.0.0.1/",
    "http://172.16.5.4/",
    "http://172.31.255.255/",
    "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://2852039166/latest/meta-data/",
    "http://100.64.0.1/",
    "http://100.100.100.200/",
    "http://255.255.255.255/",
    "http://224.0.0.1/",
    "http://240.0.0.1/",
    "http://198.18.0.1/",
    "http://[::1]/",
    "http://[0:0:0:0:0:0:0:1]/",
    "http://[::]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "http://[::ffff:169.254.169.254]/",
    "http://[::127.0.0.1]/",
    "http://[fe80::1]/",
    "http://[fd00:ec2::254]/",
    "http://[fc00::1]/",
    "http://[fec0::1]/",
    "http://[ff02::1]/",
    "http://[64:ff9b::127.0.0.1]/",
    "http://[64:ff9b::a9fe:a9fe]/",
    "http://[64:ff9b:1::a00:1]/",
    "http://[2002:7f00:1::]/",
    "http://[2002:c0a8:101::1]/",
    "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
    "http://[2001:db8::1]/",
  ];

  it.each(blockedUrls)("refuses %s as a blocked address", (url) => {
    const error = urlRejection(url);
    expect(error.code).toBe("FORBIDDEN");
    expect(error.message).toContain("blocked address");
    expect(error.details?.reason).toEqual(expect.any(String));
  });

  it("refuses zone ids, other schemes and credentials", () => {
    expect(urlRejection("http://[fe80::1%25eth0]/").code).toBe("BAD_REQUEST");
    expect(blockedAddressReason("fe80::1%eth0")).toBe("linkLocal");
    for (const url of ["file:///etc/passwd", "gopher://127.0.0.1:25/", "ftp://example.com/", "data:text/plain,hi"]) {
      expect(urlRejection(url).details?.reason, url).toBe("scheme");
    }
    expect(urlRejection("http://user:secret@example.com/").details?.reason).toBe("credentials-in-url");
    expect(urlRejection("not a url").code).toBe("BAD_REQUEST");
  });

  it("lets public addresses and host names through the URL check", () => {
    for (const url of [
      "https://example.com/",
      "http://8.8.8.8/",
      "http://[2606:4700:4700::1111]/",
      "http://[::ffff:8.8.8.8]/",
      "http://1.1.1.1:8080/x",
    ]) {
      expect(assertUrlAllowed(url).href, url).toBe(new URL(url).href);
    }
  });

  it("lets an allowed host through for exactly its host and port", () => {
    expect(assertUrlAllowed("http://127.0.0.1:11434/api", ["127.0.0.1:11434"]).port).toBe("11434");
    expect(assertUrlAllowed("http://127.1:11434/api", ["127.0.0.1:11434"]).hostname).toBe("127.0.0.1");
    expect(assertUrlAllowed("http://[::1]:8080/", ["[::1]:8080"]).hostname).toBe("[::1]");
    expect(assertUrlAllowed("http://10.0.0.5/", ["10.0.0.5"]).hostname).toBe("10.0.0.5");
    expect(urlRejection("http://127.0.0.1:22/").code).toBe("FORBIDDEN");
    expect(() => assertUrlAllowed("http://127.0.0.1:22/", ["127.0.0.1:11434"])).toThrow(/blocked address/);
    expect(() => assertUrlAllowed("http://127.0.0.2:11434/", ["127.0.0.1:11434"])).toThrow(/blocked address/);
  });
});

describe("guardedFetch against local servers", () => {
  let server: Server;
  let other: Server;
  let origin: string;
  let otherOrigin: string;
  let allowedHosts: string[];
  let requestCount = 0;
  const closedSlowRequests: string[] = [];

  function echo(request: IncomingMessage, response: ServerResponse) {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => {
      body += chunk;
    });
    request.on("end", () => {
      response.setHeader("content-type", "application/json");
      response.end(JSON.stringify({ method: request.method, url: request.url, headers: request.headers, body }));
    });
  }

  async function listen(handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<[Server, string]> {
    const instance = createServer(handler);
    instance.listen(0, "127.0.0.1");
    await once(instance, "listening");
    return [instance, `http://127.0.0.1:${(instance.address() as AddressInfo).port}`];
  }

  beforeAll(async () => {
    [other, otherOrigin] = await listen(echo);
    [server, origin] = await listen((request, response) => {
      requestCount += 1;
      const path = request.url ?? "/";
      const port = new URL(origin).port;
      if (path === "/ok") {
        response.setHeader("content-type", "text/plain; charset=utf-8");
        response.end("hello from the test server");
      } else if (path === "/echo" || path.startsWith("/echo?")) {
        echo(request, response);
      } else if (path === "/big") {
        response.setHeader("content-type", "text/plain");
        const chunk = "a".repeat(16 * 1024);
        for (let index = 0; index < 64; index += 1) response.write(chunk);
        response.end();
      } else if (path === "/slow") {
        response.writeHead(200, { "content-type": "text/plain" });
        response.write("partial");
        response.on("close", () => closedSlowRequests.push(path));
      } else if (path === "/to-metadata") {
        response.writeHead(302, { location: "http://169.254.169.254/latest/meta-data/" }).end();
      } else if (path === "/to-localhost") {
        response.writeHead(302, { location: `http://localhost:${port}/ok` }).end();
      } else if (path === "/to-same-origin") {
        response.writeHead(302, { location: "/echo" }).end();
      } else if (path === "/to-other-origin") {
        response.writeHead(307, { location: `${otherOrigin}/echo` }).end();
      } else if (path === "/see-other") {
        response.writeHead(303, { location: "/echo" }).end();
      } else if (path === "/loop") {
        response.writeHead(302, { location: "/loop" }).end();
      } else if (path === "/with-credentials") {
        response.writeHead(302, { location: `http://user:pw@127.0.0.1:${port}/ok` }).end();
      } else {
        response.writeHead(404).end("not found");
      }
    });
    allowedHosts = [new URL(origin).host, new URL(otherOrigin).host];
  });

  afterAll(async () => {
    server.closeAllConnections();
    other.closeAllConnections();
    await Promise.all([new Promise((resolve) => server.close(resolve)), new Promise((resolve) => other.close(resolve))]);
  });

  it("fetches from a private host that the settings allow", async () => {
    const response = await guardedFetch(`${origin}/ok`, { allowedHosts });
    expect(response).toMatchObject({
      status: 200,
      body: "hello from the test server",
      truncated: false,
      url: `${origin}/ok`,
      redirects: 0,
    });
    expect(response.headers["content-type"]).toContain("text/plain");
  });

  it("refuses the same private host when it is not allowed, without sending anything", async () => {
    const before = requestCount;
    const error = await rejection(guardedFetch(`${origin}/ok`));
    expect(error.code).toBe("FORBIDDEN");
    expect(error.details).toEqual({ reason: "loopback" });
    expect(requestCount).toBe(before);
  });

  it("refuses a host name that resolves to loopback, at connect time", async () => {
    const port = new URL(origin).port;
    let lookups = 0;
    const resolveHost = async () => {
      lookups += 1;
      return [{ address: "127.0.0.1", family: 4 as const }];
    };
    const before = requestCount;
    const error = await rejection(guardedFetch(`http://public.example.test:${port}/ok`, { resolveHost }));
    expect(error.code).toBe("FORBIDDEN");
    expect(error.details).toEqual({ reason: "loopback" });
    expect(lookups).toBe(1);
    expect(requestCount).toBe(before);
  });

  it("refuses a host name when any one of its addresses is blocked", async () => {
    const port = new URL(origin).port;
    const resolveHost = async () => [
      { address: "93.184.216.34", family: 4 as const },
      { address: "::ffff:10.0.0.1", family: 6 as const },
    ];
    const error = await rejection(guardedFetch(`http://mixed.example.test:${port}/ok`, { resolveHost }));
    expect(error.details?.reason).toBe("ipv4Mapped:private");
  });

  it("connects to the address the resolver gave when the name is allowed", async () => {
    const port = new URL(origin).port;
    const resolveHost = async () => [{ address: "127.0.0.1", family: 4 as const }];
    const response = await guardedFetch(`http://ollama.internal:${port}/echo`, { resolveHost, allowedHosts: [`ollama.internal:${port}`] });
    expect(JSON.parse(response.body).headers.host).toBe(`ollama.internal:${port}`);
  });

  it("refuses localhost through the system resolver", async () => {
    const port = new URL(origin).port;
    const error = await rejection(guardedFetch(`http://localhost:${port}/ok`));
    expect(error.code).toBe("FORBIDDEN");
  });

  it("refuses a redirect from an allowed host to the metadata address", async () => {
    const error = await rejection(guardedFetch(`${origin}/to-metadata`, { allowedHosts }));
    expect(error.code).toBe("FORBIDDEN");
    expect(error.details).toEqual({ reason: "linkLocal" });
  });

  it("refuses a redirect to a name that resolves to a blocked address", async () => {
    const before = requestCount;
    const error = await rejection(guardedFetch(`${origin}/to-localhost`, { allowedHosts }));
    expect(error.code).toBe("FORBIDDEN");
    expect(requestCount).toBe(before + 1);
  });

  it("refuses a redirect to a URL with credentials", async () => {
    const error = await rejection(guardedFetch(`${origin}/with-credentials`, { allowedHosts }));
    expect(error.details).toEqual({ reason: "credentials-in-url" });
  });

  it("keeps credentials on a same-origin redirect and drops them on a cross-origin one", async () => {
    const headers = { authorization: "Bearer secret", cookie: "session=1", "x-trace": "kept" };
    const same = await guardedFetch(`${origin}/to-same-origin`, { allowedHosts, headers });
    expect(JSON.parse(same.body).headers).toMatchObject(headers);
    expect(same.redirects).toBe(1);

    const cross = await guardedFetch(`${origin}/to-other-origin`, { allowedHosts, headers, method: "PUT", body: "payload" });
    const received = JSON.parse(cross.body);
    expect(cross.url).toBe(`${otherOrigin}/echo`);
    expect(received.headers.authorization).toBeUndefined();
    expect(received.headers.cookie).toBeUndefined();
    expect(received.headers["x-trace"]).toBe("kept");
    expect(received).toMatchObject({ method: "PUT", body: "payload" });
  });

  it("turns a POST into a GET after 303 See Other", async () => {
    const response = await guardedFetch(`${origin}/see-other`, {
      allowedHosts,
      method: "POST",
      body: "x",
      headers: { "content-type": "text/plain" },
    });
    expect(JSON.parse(response.body)).toMatchObject({ method: "GET", body: "" });
  });

  it("stops after the redirect limit", async () => {
    const error = await rejection(guardedFetch(`${origin}/loop`, { allowedHosts, maxRedirects: 3 }));
    expect(error.details).toEqual({ reason: "too-many-redirects" });
  });

  it("cuts a large body at the limit and marks it truncated", async () => {
    const response = await guardedFetch(`${origin}/big`, { allowedHosts, maxResponseBytes: 1000 });
    expect(response.body).toBe("a".repeat(1000));
    expect(response.truncated).toBe(true);

    const bytes = await guardedFetch(`${origin}/big`, { allowedHosts, maxResponseBytes: 20_000, responseType: "bytes" });
    expect(bytes.body).toBeInstanceOf(Uint8Array);
    expect(bytes.body.byteLength).toBe(20_000);
  });

  it("refuses a large body when asked to be strict", async () => {
    const error = await rejection(guardedFetch(`${origin}/big`, { allowedHosts, maxResponseBytes: 1000, oversize: "reject" }));
    expect(error.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("aborts a response that takes longer than the time limit", async () => {
    const error = await rejection(guardedFetch(`${origin}/slow`, { allowedHosts, timeoutMs: 200 }));
    expect(error.code).toBe("TIMEOUT");
    // The connection is really closed, not left hanging.
    await expect.poll(() => closedSlowRequests.length).toBe(1);
  });

  it("throws the caller's own abort reason", async () => {
    const controller = new AbortController();
    const reason = new Error("run cancelled");
    setTimeout(() => controller.abort(reason), 50);
    await expect(guardedFetch(`${origin}/slow`, { allowedHosts, signal: controller.signal })).rejects.toBe(reason);
  });

  it("reports an unreachable allowed host as unavailable", async () => {
    const [closed, closedOrigin] = await listen(() => {});
    await new Promise((resolve) => closed.close(resolve));
    const error = await rejection(guardedFetch(`${closedOrigin}/`, { allowedHosts: [new URL(closedOrigin).host] }));
    expect(error.code).toBe("UNAVAILABLE");
    expect(error.details).toEqual({ reason: "ECONNREFUSED" });
  });
});
