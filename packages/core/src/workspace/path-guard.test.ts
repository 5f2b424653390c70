/**
 * The workspace path guard: properties over random paths (whatever escapes is refused, whatever is plain
 * resolves inside), and the fixed hostile cases (traversal, absolute paths, prefix confusion, links out,
 * dangling links written through, NUL, encoded separators, over-long names).
 */
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { isInsideDirectory, parseWorkspacePath, resolveWorkspacePath } from "./path-guard";

let base: string;
let root: string;
let outside: string;

beforeAll(() => {
  base = mkdtempSync(path.join(tmpdir(), "gathering-guard-"));
  // `/ws/a` and its prefix twin `/ws/ab`: the twin must never count as inside.
  root = path.join(base, "a");
  outside = path.join(base, "ab");
  mkdirSync(path.join(root, "docs"), { recursive: true });
  mkdirSync(outside);
  writeFileSync(path.join(root, "docs", "readme.md"), "inside");
  writeFileSync(path.join(outside, "secret.txt"), "outside");
  symlinkSync(path.join(outside, "secret.txt"), path.join(root, "link-to-secret"));
  symlinkSync(outside, path.join(root, "link-to-dir"));
  symlinkSync("../ab", path.join(root, "relative-link-to-dir"));
  symlinkSync(path.join(outside, "not-yet.txt"), path.join(root, "dangling-out"));
  symlinkSync(path.join(root, "docs", "missing.md"), path.join(root, "dangling-in"));
  symlinkSync(path.join(root, "docs"), path.join(root, "docs-alias"));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

async function refusal(work: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof work === "function" ? work() : work);
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  return "accepted";
}

const plainName = fc
  .stringMatching(/^[A-Za-z0-9 _.()\-é漢]{1,24}$/)
  .filter((name) => name !== "." && name !== ".." && !/%/.test(name) && name.trim() === name);

describe("properties", () => {
  it("any path of plain names resolves inside the root, to the same names", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(plainName, { minLength: 1, maxLength: 6 }), async (names) => {
        const resolved = await resolveWorkspacePath(root, names.join("/"), { intent: "write" });
        expect(isInsideDirectory(resolved.root, resolved.absolute)).toBe(true);
        expect(resolved.relative).toBe(names.join("/"));
      }),
      { numRuns: 200 },
    );
  });

  it("any path with `..` that would climb above the root is refused, lexically and on disk", async () => {
    const segment = fc.oneof(plainName, fc.constant(".."), fc.constant("."), fc.constant(""));
    await fc.assert(
      fc.asyncProperty(fc.array(segment, { minLength: 1, maxLength: 8 }), fc.boolean(), async (segments, hasLeadingSlash) => {
        const userPath = `${hasLeadingSlash ? "/" : ""}${segments.join("/")}`;
        const naive = path.resolve(root, `.${path.sep}${segments.join(path.sep)}`);
        const wouldEscape = hasLeadingSlash || !isInsideDirectory(root, naive);
        const code = await refusal(resolveWorkspacePath(root, userPath, { intent: "read" }));
        if (wouldEscape) expect(code).toBe("BAD_REQUEST");
        if (code === "accepted") {
          const resolved = await resolveWorkspacePath(root, userPath, { intent: "read" });
          expect(isInsideDirectory(resolved.root, resolved.absolute)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("the boundary check never takes a sibling sharing a prefix for a child", () => {
    fc.assert(
      fc.property(plainName, plainName, (parent, suffix) => {
        const directory = path.join("/ws", parent);
        expect(isInsideDirectory(directory, `${directory}${suffix}`)).toBe(false);
        expect(isInsideDirectory(directory, path.join(directory, suffix))).toBe(true);
      }),
    );
  });

  it("any path containing a control character or a backslash is refused", () => {
    fc.assert(
      fc.property(plainName, fc.constantFrom("\u0000", "\u0001", "\n", "\r", "\u001b", "\u007f", "\\"), plainName, (left, bad, right) => {
        expect(() => parseWorkspacePath(`${left}${bad}${right}`)).toThrow(AppError);
      }),
    );
  });
});

describe("fixed cases", () => {
  it.each([
    ["../ab/secret.txt"],
    ["docs/../../ab/secret.txt"],
    [".."],
    ["docs/.."],
    ["./docs"],
    ["%2e%2e/ab/secret.txt"],
    ["%252e%252e/ab"],
  ])("refuses traversal %j", async (userPath) => {
    expect(await refusal(resolveWorkspacePath(root, userPath, { intent: "read" }))).toBe("BAD_REQUEST");
  });

  it.each([["/etc/passwd"], ["/tmp/ab/secret.txt"], ["C:/Windows"], ["//server/share"]])("refuses absolute path %j", async (userPath) => {
    expect(await refusal(resolveWorkspacePath(root, userPath, { intent: "read" }))).toBe("BAD_REQUEST");
  });

  it("does not mistake the prefix twin `/ws/ab` for a place inside `/ws/a`", async () => {
    expect(isInsideDirectory(root, outside)).toBe(false);
    expect(isInsideDirectory(root, path.join(outside, "secret.txt"))).toBe(false);
    expect(isInsideDirectory(root, root)).toBe(true);
    expect(isInsideDirectory(`${root}/`, path.join(root, "docs"))).toBe(true);
  });

  it("refuses a link to a file outside, and a link (absolute or relative) to a folder outside", async () => {
    for (const userPath of ["link-to-secret", "link-to-dir/secret.txt", "relative-link-to-dir/secret.txt", "link-to-dir"]) {
      expect(await refusal(resolveWorkspacePath(root, userPath, { intent: "read" }))).toBe("FORBIDDEN");
      expect(await refusal(resolveWorkspacePath(root, userPath, { intent: "write" }))).toBe("FORBIDDEN");
    }
    expect(await refusal(resolveWorkspacePath(root, "link-to-dir/new.txt", { intent: "write" }))).toBe("FORBIDDEN");
  });

  it("refuses writing through a dangling link, whether it points outside or inside, and creates nothing", async () => {
    expect(await refusal(resolveWorkspacePath(root, "dangling-out", { intent: "write" }))).toBe("FORBIDDEN");
    expect(await refusal(resolveWorkspacePath(root, "dangling-in", { intent: "write" }))).toBe("FORBIDDEN");
    expect(await refusal(resolveWorkspacePath(root, "dangling-out", { intent: "read" }))).toBe("FORBIDDEN");
    expect(await refusal(resolveWorkspacePath(root, "dangling-in", { intent: "read" }))).toBe("NOT_FOUND");
    expect(existsSync(path.join(outside, "not-yet.txt"))).toBe(false);
    expect(existsSync(path.join(root, "docs", "missing.md"))).toBe(false);
  });

  it("takes a link itself, not its target, when asked not to follow the last name (delete, rename)", async () => {
    const resolved = await resolveWorkspacePath(root, "link-to-secret", { intent: "write", followFinal: false });
    expect(resolved.absolute).toBe(path.join(resolved.root, "link-to-secret"));
    expect(lstatSync(resolved.absolute).isSymbolicLink()).toBe(true);
    expect(readFileSync(path.join(outside, "secret.txt"), "utf8")).toBe("outside");
  });

  it("follows a link that stays inside the root", async () => {
    const resolved = await resolveWorkspacePath(root, "docs-alias/readme.md", { intent: "read" });
    expect(resolved.absolute).toBe(path.join(resolved.root, "docs", "readme.md"));
    expect(resolved.exists).toBe(true);
  });

  it.each([
    ["NUL byte", "docs/a\u0000.txt"],
    ["encoded slash", "docs%2fsecret"],
    ["encoded backslash", "docs%5Csecret"],
    ["double-encoded slash", "docs%252fsecret"],
    ["encoded NUL", "a%00b"],
    ["backslash", "docs\\readme.md"],
    ["fullwidth solidus", "docs\uff0freadme.md"],
    ["newline", "docs/a\nb"],
    ["name over 255 bytes", `docs/${"x".repeat(256)}`],
    ["multi-byte name over 255 bytes", `docs/${"é".repeat(128)}`],
    ["path over 4096 bytes", Array.from({ length: 20 }, () => "y".repeat(250)).join("/")],
  ])("refuses %s", async (_label, userPath) => {
    expect(await refusal(resolveWorkspacePath(root, userPath, { intent: "write" }))).toBe("BAD_REQUEST");
  });

  it("accepts the longest name a filesystem holds, and normalises repeated and trailing slashes", async () => {
    expect(parseWorkspacePath(`docs/${"x".repeat(255)}`)).toBe(`docs/${"x".repeat(255)}`);
    expect(parseWorkspacePath("docs//readme.md/")).toBe("docs/readme.md");
    expect(parseWorkspacePath("")).toBe("");
    expect(parseWorkspacePath("100% done.txt")).toBe("100% done.txt");
  });

  it("refuses a file used as a folder", async () => {
    expect(await refusal(resolveWorkspacePath(root, "docs/readme.md/child.txt", { intent: "write" }))).toBe("BAD_REQUEST");
  });

  it("carries the offending path in the error's details", async () => {
    const error = await resolveWorkspacePath(root, "../ab", { intent: "read" }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).details).toEqual({ path: "../ab" });
  });
});
