// Keys and labels are arbitrary UTF-8 (containerd unpack keys contain spaces; anything but NUL
// is allowed). Printed raw, a key holding ESC sequences or bidi overrides could rewrite the
// terminal or disguise itself; such strings are shown JSON-quoted, with those characters
// escaped. --json output is left to JSON.stringify.
const UNSAFE = /[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;
const HAS_UNSAFE = new RegExp(UNSAFE.source, 'u');
const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `s` with every unsafe character as an escape (`\n`, `\u001b`), nothing else changed. */
export function escapeUnsafe(s: string): string {
  return s.replace(UNSAFE, (c) => SHORT[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `s` as is when harmless, else quoted and escaped so the reader sees it is unusual. */
export function printable(s: string): string {
  return HAS_UNSAFE.test(s) ? `"${escapeUnsafe(s.replace(/["\\]/g, (c) => `\\${c}`))}"` : s;
}
