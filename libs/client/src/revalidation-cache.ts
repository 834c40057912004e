// The client's memory of conditional reads: the last value and entity tag of each URL, so the
// next GET of it carries If-None-Match and a 304 (nothing changed) is answered from here. A
// dashboard polling walk pages or jobs then moves no body, the API reads and hashes less (a
// kept page answers 304 without building one), and the client checks nothing again.
//
// Bounded by bytes, least recently used first out. One client holds one token, so the URL
// alone names the answer (the API's answers vary by token only through what it may read).

/** Default budget of kept bodies: a few hundred walk pages of 100 rows. */
export const DEFAULT_REVALIDATION_BYTES = 8 * 1024 * 1024;

export interface KeptAnswer {
  etag: string;
  /** The checked value as JSON: each 304 parses a value of its own, never a shared object. */
  text: string;
}

export class RevalidationCache {
  /** Insertion order is recency order: a hit moves its entry to the end. */
  private readonly entries = new Map<string, KeptAnswer>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** The kept answer of `url`, now the most recently used. */
  get(url: string): KeptAnswer | undefined {
    const kept = this.entries.get(url);
    if (kept === undefined) return undefined;
    this.entries.delete(url);
    this.entries.set(url, kept);
    return kept;
  }

  /** Keeps a 200's body under its tag; a body larger than the whole budget is not kept. */
  keep(url: string, answer: KeptAnswer): void {
    this.forget(url);
    const size = sizeOf(url, answer);
    if (size > this.maxBytes) return;
    this.entries.set(url, answer);
    this.bytes += size;
    for (const [oldest, kept] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= sizeOf(oldest, kept);
    }
  }

  /** Drops `url`'s answer (it changed without a tag, or is gone). */
  forget(url: string): void {
    const kept = this.entries.get(url);
    if (kept === undefined) return;
    this.entries.delete(url);
    this.bytes -= sizeOf(url, kept);
  }

  /** Bytes of kept values and URLs (UTF-16 code units × 2: what V8 holds a string in, at most). */
  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }
}

function sizeOf(url: string, a: KeptAnswer): number {
  return (url.length + a.etag.length + a.text.length) * 2;
}
