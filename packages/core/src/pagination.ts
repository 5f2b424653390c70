/**
 * Keyset pagination shared by every list: a page ends with the (created_at, id) of its last row, sent to
 * the client as one opaque string and read back (and checked) when it asks for the next page.
 */
import { z } from "zod";
import { AppError } from "./errors";

/** Where the next page starts, as the client holds it. */
export const ZPageCursor = z.string().max(200);

/** What a list's search box sends: matched case-insensitively on the server, LIKE wildcards literally. */
export const ZListSearch = z.string().trim().max(100);

export interface CursorPosition {
  createdAt: Date;
  id: string;
}

export function encodeCursor(row: CursorPosition): string {
  return Buffer.from(`${row.createdAt.toISOString()}|${row.id}`).toString("base64url");
}

/** The position a cursor from encodeCursor names; BAD_REQUEST for anything else. */
export function decodeCursor(cursor: string | undefined): CursorPosition | undefined {
  if (!cursor) return undefined;
  const [iso, id] = Buffer.from(cursor, "base64url").toString().split("|");
  const createdAt = new Date(iso ?? "");
  if (!id || Number.isNaN(createdAt.getTime()) || !z.uuid().safeParse(id).success)
    throw new AppError("BAD_REQUEST", "That page cursor is not valid");
  return { createdAt, id };
}

/**
 * One page from rows fetched with `limit + 1`: the extra row only says that there is a next page, whose
 * cursor is the position of the page's last row.
 */
export function toPage<TRow, TItem>(
  rows: readonly TRow[],
  limit: number,
  toItem: (row: TRow) => TItem,
  positionOf: (row: TRow) => CursorPosition = (row) => row as CursorPosition,
): { items: TItem[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { items: page.map(toItem), nextCursor: rows.length > limit && last !== undefined ? encodeCursor(positionOf(last)) : null };
}
