/**
 * The locale and time zone the dashboard writes dates and numbers in. The browser's own, told to the server
 * in a cookie, so a page rendered on the server reads as it will once it hydrates (a date written in another
 * zone than the browser's would not match, and React would throw the server's HTML away). No directive: the
 * server layout and the browser both import it.
 */
export const DISPLAY_COOKIE = "gathering.display";

export interface DisplayFormat {
  locale: string;
  timeZone: string;
}

function isUsable({ locale, timeZone }: DisplayFormat): boolean {
  if (locale.length > 64 || timeZone.length > 64) return false;
  try {
    // Both throw a RangeError for what Intl does not know.
    return Intl.getCanonicalLocales(locale).length === 1 && new Intl.DateTimeFormat(locale, { timeZone }).resolvedOptions().timeZone !== "";
  } catch {
    return false;
  }
}

/** "en-GB|Europe/London", as the cookie holds it. */
export function serializeDisplayFormat(format: DisplayFormat): string {
  return `${format.locale}|${format.timeZone}`;
}

/** What a cookie says, if it names a locale and a time zone Intl knows; null otherwise. */
export function parseDisplayFormat(value: string | null | undefined): DisplayFormat | null {
  if (!value) return null;
  const [locale = "", timeZone = "", ...rest] = value.split("|");
  const format = { locale, timeZone };
  return rest.length === 0 && isUsable(format) ? format : null;
}

/** This runtime's own: the browser's in the browser, the server process's on the server. */
export function runtimeDisplayFormat(): DisplayFormat {
  const { locale, timeZone } = Intl.DateTimeFormat().resolvedOptions();
  return { locale, timeZone: timeZone || "UTC" };
}
