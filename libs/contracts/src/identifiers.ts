// Identifier rules: host ids, containerd namespaces and snapshot keys (DESIGN §1).
import { z } from 'zod';

export const MAX_KEY_BYTES = 4096;
/** containerd's identifiers.Validate: alphanumerics joined by single '.', '_' or '-', ≤ 76. */
export const NAMESPACE_RE = /^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$/;
export const MAX_NAMESPACE_LENGTH = 76;
export const HOST_ID_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const DEFAULT_NAMESPACE = 'default';

export const utf8Length = (s: string): number => Buffer.byteLength(s, 'utf8');

/** A JS string is only valid UTF-8 when it has no lone surrogate. */
export const isWellFormed = (s: string): boolean => !/\p{Surrogate}/u.test(s);

export const HostIdSchema = z
  .string()
  .regex(HOST_ID_RE, 'host id must match [a-z0-9][a-z0-9-]{0,62}')
  .describe('Host identifier');

export const NamespaceSchema = z
  .string()
  .max(MAX_NAMESPACE_LENGTH, `namespace longer than ${MAX_NAMESPACE_LENGTH} characters`)
  .regex(NAMESPACE_RE, 'namespace must be alphanumerics separated by single ".", "_" or "-"')
  .describe('containerd namespace');

/** Keys are opaque UTF-8 strings: never paths, never trimmed. */
export const KeySchema = z
  .string()
  .min(1, 'key must not be empty')
  .refine((s) => !s.includes('\0'), 'key must not contain NUL')
  .refine(isWellFormed, 'key must be valid UTF-8')
  .refine((s) => utf8Length(s) <= MAX_KEY_BYTES, `key longer than ${MAX_KEY_BYTES} bytes`)
  // Every URL parser rewrites these two as path segments, escaped or not, so no HTTP client
  // could address such a snapshot.
  .refine((s) => s !== '.' && s !== '..', 'key must not be "." or ".." (they cannot travel in a URL path)')
  .describe('Snapshot key (active/view) or name (committed): UTF-8, 1..4096 bytes, no NUL');
