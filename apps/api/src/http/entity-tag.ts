// Entity tags of read responses (RFC 9110 §8.8.3) and the If-None-Match test (§13.1.2).
// A tag is a digest of the body's bytes, so two API processes, or a cached page and the same
// page read again from MySQL, give the same tag for the same answer: a client revalidating
// through any replica gets its 304.
import { hash } from 'node:crypto';

/** A strong tag of these bytes: `"<sha-1, base64url>"`. */
export function entityTag(body: string | Buffer): string {
  return `"${hash('sha1', body, 'base64url')}"`;
}

// One entity-tag of a list: optional weakness prefix, then a quoted opaque tag (which may hold
// commas, so the list cannot simply be split on them).
const LIST_ITEM = /\s*(?:W\/)?("[\x21\x23-\x7e\x80-\xff]*")\s*(?:,|$)/y;

/**
 * Whether an If-None-Match value names `tag` under the weak comparison GET uses: `*` names any
 * current representation. A malformed value names nothing (the request is then answered in
 * full, as if it had no condition), so a client bug costs bytes, never a wrong 304.
 */
export function noneMatchNames(header: string | undefined, tag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  const opaque = tag.startsWith('W/') ? tag.slice(2) : tag;
  LIST_ITEM.lastIndex = 0;
  let found = false;
  while (LIST_ITEM.lastIndex < header.length) {
    const m = LIST_ITEM.exec(header);
    if (!m) return false;
    if (m[1] === opaque) found = true;
  }
  return found;
}
