"use client";
/**
 * Gives the page the locale and time zone to write dates and numbers in (read by ~/components/format). On
 * the server and while hydrating it is the one the server rendered with; then the browser's own, so a
 * server that guessed wrong (no cookie yet, or the zone changed) is corrected at once, and the cookie
 * updated for the next page.
 */
import { createContext, type ReactNode, useEffect, useMemo, useSyncExternalStore } from "react";
import { DISPLAY_COOKIE, type DisplayFormat, parseDisplayFormat, runtimeDisplayFormat, serializeDisplayFormat } from "./display-format";

export const DisplayFormatContext = createContext<DisplayFormat | null>(null);

/** A year, like the project cookie. */
const COOKIE_MAX_AGE_SECONDS = 365 * 24 * 60 * 60;
const neverChanges = () => () => {};
let browserKey: string | undefined;

function readBrowserKey(): string {
  browserKey ??= serializeDisplayFormat(runtimeDisplayFormat());
  return browserKey;
}

function readCookie(): string | null {
  const prefix = `${DISPLAY_COOKIE}=`;
  const entry = document.cookie.split("; ").find((part) => part.startsWith(prefix));
  return entry ? decodeURIComponent(entry.slice(prefix.length)) : null;
}

export function DisplayFormatProvider({ serverFormat, children }: { serverFormat: DisplayFormat; children: ReactNode }) {
  const serverKey = serializeDisplayFormat(serverFormat);
  const key = useSyncExternalStore(neverChanges, readBrowserKey, () => serverKey);
  const format = useMemo(() => parseDisplayFormat(key) ?? runtimeDisplayFormat(), [key]);
  useEffect(() => {
    const current = readBrowserKey();
    if (readCookie() !== current) {
      // biome-ignore lint/suspicious/noDocumentCookie: one fixed, encoded value; the Cookie Store API is not in every browser.
      document.cookie = `${DISPLAY_COOKIE}=${encodeURIComponent(current)}; path=/; max-age=${COOKIE_MAX_AGE_SECONDS}; samesite=lax`;
    }
  }, []);
  return <DisplayFormatContext.Provider value={format}>{children}</DisplayFormatContext.Provider>;
}
