// Lock resource names and their Redis Cluster slot: builds snapfleet's per-host resource keys,
// checks that the resources of one acquisition share one hash tag (so one Lua script can touch
// them all, with the fence counter, on one cluster node) and shortens names for messages.
import { createHash } from 'node:crypto';
import { HOST_ID_RE, MAX_NAMESPACE_LENGTH, NAMESPACE_RE } from '@snapfleet/contracts';

/**
 * The lock resource of one snapshot key: `{snapfleet:<hostId>}:lock:<namespace>:<sha256hex(key)>`.
 * Keys are up to 4 KiB of arbitrary UTF-8 (spaces, colons, braces…), so they are hashed: the
 * resource stays short, and nothing in a key can change its hash tag. The tag is the host, so
 * every lock of one host lives in one cluster slot together with that host's fence counter.
 */
export function lockResource(hostId: string, namespace: string, key: string): string {
  if (!HOST_ID_RE.test(hostId)) throw new TypeError(`lockResource: invalid host id ${JSON.stringify(hostId)}`);
  if (namespace.length > MAX_NAMESPACE_LENGTH || !NAMESPACE_RE.test(namespace)) {
    throw new TypeError(`lockResource: invalid namespace ${JSON.stringify(namespace)}`);
  }
  const digest = createHash('sha256').update(key, 'utf8').digest('hex');
  return `{${hostLockTag(hostId)}}:lock:${namespace}:${digest}`;
}

/** The hash tag of every lock resource of one host (and of its fence counter). */
export const hostLockTag = (hostId: string): string => `snapfleet:${hostId}`;

/** The part of a key Redis Cluster hashes: the text of the first non-empty `{…}`, as the cluster spec says. */
export function hashTagOf(key: string): string | undefined {
  const open = key.indexOf('{');
  if (open < 0) return undefined;
  const close = key.indexOf('}', open + 1);
  if (close <= open + 1) return undefined;
  return key.slice(open + 1, close);
}

/** The fence counter of a hash tag: same slot as every resource carrying that tag. */
export const fenceKeyOf = (prefix: string, tag: string): string => `${prefix}{${tag}}:fence`;

export interface ResourcePlan {
  /** The caller's resources, deduplicated, in their order. */
  resources: string[];
  /** The Redis keys of those resources (prefix + resource). */
  keys: string[];
  /** The counter the fencing token comes from. */
  fenceKey: string;
}

/**
 * Validates one acquisition's resources and maps them to Redis keys. Every resource must carry
 * a hash tag and all must carry the same one: tokens are issued per tag (one counter per host),
 * and a multi-key script on Redis Cluster only works within one slot. Mistakes here are bugs in
 * the caller, hence TypeError rather than a request error.
 */
export function planResources(resources: readonly string[], prefix: string): ResourcePlan {
  if (!Array.isArray(resources) || resources.length === 0) throw new TypeError('locks: at least one resource is required');
  const unique = [...new Set(resources)];
  let tag: string | undefined;
  for (const r of unique) {
    if (typeof r !== 'string' || r.length === 0) throw new TypeError('locks: resources must be non-empty strings');
    const t = hashTagOf(r);
    if (t === undefined) {
      throw new TypeError(`locks: resource ${shortResource(r)} has no {hash tag}; build resources with lockResource()`);
    }
    if (tag !== undefined && t !== tag) {
      throw new TypeError(`locks: resources of one acquisition must share one hash tag, got {${tag}} and {${t}}`);
    }
    tag = t;
  }
  return { resources: unique, keys: unique.map((r) => prefix + r), fenceKey: fenceKeyOf(prefix, tag as string) };
}

/** `{snapfleet:h1}:lock:default:3f2a…` — resource names end in a 64-char hash nobody reads. */
export function shortResource(resource: string): string {
  const short = resource.replace(/([0-9a-f]{12})[0-9a-f]{52}$/, '$1…');
  return short.length <= 100 ? short : `${short.slice(0, 99)}…`;
}

/** A few shortened names for messages, with a count of the rest. */
export function describeResources(resources: readonly string[]): string {
  const shown = resources.slice(0, 3).map(shortResource).join(', ');
  return resources.length > 3 ? `${shown} and ${resources.length - 3} more` : shown;
}
