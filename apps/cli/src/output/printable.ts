// Keys and labels are arbitrary UTF-8 (containerd unpack keys contain spaces; anything but NUL
// is allowed). Printed raw, a key holding ESC sequences or bidi overrides could rewrite the
// terminal or disguise itself; such strings are shown JSON-quoted instead. --json output is
// never touched: JSON.stringify escapes control characters itself.
const UNSAFE = /[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

export function printable(s: string): string {
  if (!UNSAFE.test(s)) return s;
  // JSON.stringify escapes only C0 controls: DEL, C1 and bidi controls are escaped by hand.
  return JSON.stringify(s).replace(/[\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
