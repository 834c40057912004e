// Read answers (walk pages, stats) kept in this API process as JSON text, each under a tag:
// the position of its host's job event stream when it was read (decisions.md, "Walk page
// cache"). An answer is served again only while the tag is the same and it is younger than
// the TTL, a second bound that needs no reasoning about the stream. Bounded in answers and
// bytes, least recently used out first. Concurrent misses of one answer under one tag share
// one MySQL read. An answer keeps its entity tag (the HTTP layer's ETag), so a hit is
// answered, or revalidated, without hashing it again.
import { entityTag } from '../http/entity-tag';

export interface ReadCacheLimits {
  /** 0 turns the cache off. */
  maxPages: number;
  maxBytes: number;
  ttlMs: number;
}

/** An answer's JSON text and its entity tag. */
export interface KeptAnswer {
  json: string;
  etag: string;
}

interface Entry extends KeptAnswer {
  tag: string;
  at: number;
}

export type ReadCacheResult = 'hit' | 'miss' | 'shared';

export class ReadCache {
  private readonly pages = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<KeptAnswer>>();
  private bytes = 0;

  constructor(
    private readonly limits: ReadCacheLimits,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get enabled(): boolean {
    return this.limits.maxPages > 0;
  }

  get size(): { pages: number; bytes: number } {
    return { pages: this.pages.size, bytes: this.bytes };
  }

  /** The answer of `key` under `tag`: kept, being read by another request, or read now by `read`. */
  async answer(key: string, tag: string, read: () => Promise<string>): Promise<KeptAnswer & { result: ReadCacheResult }> {
    const kept = this.pages.get(key);
    if (kept) {
      if (kept.tag === tag && this.now() - kept.at < this.limits.ttlMs) {
        // Most recently used last.
        this.pages.delete(key);
        this.pages.set(key, kept);
        return { json: kept.json, etag: kept.etag, result: 'hit' };
      }
      this.drop(key, kept);
    }
    const flight = `${tag}\n${key}`;
    const pending = this.loading.get(flight);
    if (pending) return { ...(await pending), result: 'shared' };
    const at = this.now();
    const reading = read().then((json) => ({ json, etag: entityTag(json) }));
    this.loading.set(flight, reading);
    try {
      const page = await reading;
      this.keep(key, { tag, ...page, at });
      return { ...page, result: 'miss' };
    } finally {
      this.loading.delete(flight);
    }
  }

  private keep(key: string, entry: Entry): void {
    const size = entry.json.length;
    if (size > this.limits.maxBytes) return;
    const old = this.pages.get(key);
    // A page read later already there wins; an older one could only ever be a miss.
    if (old) {
      if (old.at > entry.at) return;
      this.drop(key, old);
    }
    this.pages.set(key, entry);
    this.bytes += size;
    for (const [k, e] of this.pages) {
      if (this.pages.size <= this.limits.maxPages && this.bytes <= this.limits.maxBytes) break;
      this.drop(k, e);
    }
  }

  private drop(key: string, entry: Entry): void {
    this.pages.delete(key);
    this.bytes -= entry.json.length;
  }
}

// Cache keys are JSON text, which keeps the parts apart whatever characters they hold; a
// walk key's third part is a number, a stat key's the string "stat", so the two never meet.

/** The cache key of a walk page: everything that selects its rows. */
export function walkPageKey(host: string, namespace: string, filters: readonly string[], limit: number, after: string | undefined): string {
  return JSON.stringify([host, namespace, limit, after ?? null, filters]);
}

/** The cache key of a stat. */
export function statKey(host: string, namespace: string, key: string): string {
  return JSON.stringify([host, namespace, 'stat', key]);
}
