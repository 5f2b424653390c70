/** Small validators shared by every domain's zod schemas. */

/** True when the text holds a C0 control character or DEL (tabs and newlines included). */
export function hasControlCharacters(value: string): boolean {
  for (const character of value) {
    const code = character.codePointAt(0) ?? 0;
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** For multi-line text: like hasControlCharacters, but tab, line feed and carriage return are allowed. */
export function hasControlCharactersInText(value: string): boolean {
  for (const character of value) {
    const code = character.codePointAt(0) ?? 0;
    if ((code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0x7f) return true;
  }
  return false;
}
