/**
 * Characters that drive a terminal rather than show on it: C0 controls but tab and newline (ESC starts cursor
 * moves, screen clears, title and hyperlink sequences; CR overwrites a line), DEL, C1 controls (U+009B is a
 * one-character CSI), and the bidirectional overrides that make text read other than it is stored.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** Text from the platform (tenant names, messages, logs) as it may be shown on a terminal. */
export function terminalText(text: string): string {
  return text.replace(CONTROL, "");
}

/** Every string in an API answer made terminal-safe, before any of it is printed. */
export function terminalSafe<T>(value: T): T {
  if (typeof value === "string") return terminalText(value) as T;
  if (Array.isArray(value)) return value.map((item) => terminalSafe(item)) as T;
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [terminalText(key), terminalSafe(item)]),
    ) as T;
  return value;
}
