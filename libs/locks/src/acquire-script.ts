// The Lua snapfleet adds to the library's: all-or-nothing acquisition that issues the fencing
// token in the same atomic step and says whether an earlier holder may still write, and the
// release that clears what the acquisition left for the next holder. Extension stays the
// library's script.
import type { Cluster, Redis } from 'ioredis';

export type RedisClient = Redis | Cluster;

/*
 * KEYS[1] = fence counter, KEYS[2] = the tag's "unsettled" window, KEYS[3] = the last token
 * this script issued, KEYS[4..3+n] = lock keys, KEYS[4+n..3+2n] = their holder markers (all
 * one hash tag, so one slot);
 * ARGV[1] = owner value, ARGV[2] = TTL in ms, ARGV[3] = marker TTL in ms.
 * Returns {token as a decimal string, 1 when an earlier holder may still write else 0}, or nil
 * when any lock key exists (nothing is written then).
 *
 * Why the token is issued here and not by a second call after the library's acquire: a script
 * runs atomically, so for any one resource the order of tokens is exactly the order of the
 * SETs that took it. Two steps would let a holder that paused between them get its token after
 * the next holder got a smaller one, and the metastore would then fence out the wrong writer.
 *
 * Token = max(counter + 1, Redis server time in µs). The counter alone is what fencing needs,
 * but it lives in Redis, which may run without persistence or fail over to a replica that
 * missed the last writes: a counter that restarts from 0 would hand out tokens below those the
 * metastore already recorded, and every op on those keys would be refused as "lost the lock"
 * until the fence rows are pruned. The time floor makes a reset counter resume above every
 * earlier token (they are ~µs timestamps unless more than one lock per µs was taken, and clock
 * skew between Redis nodes only narrows the margin by the skew). TIME inside a writing script
 * is allowed since Redis 5 (effects replication). Tokens stay below 2^53 until the year 2255,
 * so Lua's doubles hold them exactly; the guard below refuses to go past that.
 *
 * Holder markers: each acquisition leaves, beside each lock key, a marker carrying its token
 * that outlives the lock (marker TTL: as long as a paused holder is assumed to matter). Only a
 * settled release deletes it (RELEASE_LUA). So a marker found here means an earlier holder of
 * that key ended without settling (its lease expired, it crashed, or it never registered its
 * token) and may still write: the new holder must register its token before writing. No
 * marker on any key means every earlier holder settled. A missing counter means Redis lost
 * its data (or the tag is new) and markers with it, so every acquisition reports a possible
 * stale holder until the window KEYS[2] closes (marker TTL), or settleTag closes it. A counter
 * that moved past the last token this script issued (KEYS[3]) means a lock service that
 * leaves no markers (an older worker, during a rolling upgrade) took a lease in between: its
 * holder may still write, and nothing marks its keys, so that acquisition reports one too.
 */
const ACQUIRE_LUA = `
local n = (#KEYS - 3) / 2
for i = 4, 3 + n do
  if redis.call('EXISTS', KEYS[i]) == 1 then return nil end
end
local stale = 0
local raw = redis.call('GET', KEYS[1])
if not raw then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  stale = 1
elseif redis.call('EXISTS', KEYS[2]) == 1 or redis.call('GET', KEYS[3]) ~= raw then
  stale = 1
end
for i = 4 + n, 3 + 2 * n do
  if redis.call('EXISTS', KEYS[i]) == 1 then stale = 1 end
end
for i = 4, 3 + n do
  redis.call('SET', KEYS[i], ARGV[1], 'PX', ARGV[2])
end
local now = redis.call('TIME')
local floor = tonumber(now[1]) * 1000000 + tonumber(now[2])
local last = tonumber(raw or '0')
if last == nil then return redis.error_reply('snapfleet fence counter ' .. KEYS[1] .. ' is not a number') end
local token = math.max(last + 1, floor)
if token >= 9007199254740992 then return redis.error_reply('snapfleet fence counter out of range') end
local text = string.format('%.0f', token)
redis.call('SET', KEYS[1], text)
redis.call('SET', KEYS[3], text)
for i = 4 + n, 3 + 2 * n do
  redis.call('SET', KEYS[i], text, 'PX', ARGV[3])
end
return {text, stale}
`;

/*
 * KEYS[1..n] = lock keys, KEYS[n+1..2n] = their holder markers; ARGV[1] = owner value,
 * ARGV[2] = token, ARGV[3] = '1' for a settled release. Deletes the lock keys still holding
 * the owner value and, when settled, the markers still carrying the token (a later holder's
 * marker is left alone). Returns how many lock keys it deleted.
 */
const RELEASE_LUA = `
local n = #KEYS / 2
local freed = 0
for i = 1, n do
  if redis.call('GET', KEYS[i]) == ARGV[1] then
    redis.call('DEL', KEYS[i])
    freed = freed + 1
  end
end
if ARGV[3] == '1' then
  for i = n + 1, 2 * n do
    if redis.call('GET', KEYS[i]) == ARGV[2] then redis.call('DEL', KEYS[i]) end
  end
end
return freed
`;

/*
 * KEYS[1] = fence counter, KEYS[2] = unsettled window, KEYS[3] = last token issued here.
 * Starts the counter if missing, closes the window, and takes the counter as this script's own.
 */
const SETTLE_TAG_LUA = `
redis.call('SET', KEYS[1], '0', 'NX')
redis.call('SET', KEYS[3], redis.call('GET', KEYS[1]))
redis.call('DEL', KEYS[2])
return 1
`;

// Versioned so a changed script never collides with an older definition on a shared client.
const ACQUIRE = 'snapfleetLockAcquireV3';
const RELEASE = 'snapfleetLockReleaseV1';
const SETTLE_TAG = 'snapfleetLockSettleTagV2';

type ScriptCommand<R> = (numKeys: number, ...args: (string | number)[]) => Promise<R>;

/** The holder marker beside a lock key (same hash tag: the suffix follows the tag). */
const markerKeyOf = (lockKey: string): string => `${lockKey}:holder`;
/** The window during which every acquisition of a tag reports a possible stale holder. */
const unsettledKeyOf = (fenceKey: string): string => `${fenceKey}:unsettled`;
/** The last token the acquire script issued for a tag (the counter may move without it). */
const markedKeyOf = (fenceKey: string): string => `${fenceKey}:marked`;

function command<R>(client: RedisClient, name: string, lua: string): ScriptCommand<R> {
  // defineCommand gives EVALSHA with a transparent fallback to EVAL after a SCRIPT FLUSH.
  const commands = client as unknown as Record<string, ScriptCommand<R> | undefined>;
  if (typeof commands[name] !== 'function') client.defineCommand(name, { lua });
  const run = commands[name] as ScriptCommand<R>;
  return (...args) => run.call(client, ...args);
}

export interface Acquired {
  token: bigint;
  /** An earlier holder of one of the keys may still write (see ACQUIRE_LUA). */
  staleHolderPossible: boolean;
}

/** Tries once; resolves to the token and what the markers said, or null when a resource is held. */
export async function acquireOnce(
  client: RedisClient,
  fenceKey: string,
  keys: readonly string[],
  value: string,
  ttlMs: number,
  markerTtlMs: number,
): Promise<Acquired | null> {
  const run = command<[string, number] | null>(client, ACQUIRE, ACQUIRE_LUA);
  const reply = await run(3 + 2 * keys.length, fenceKey, unsettledKeyOf(fenceKey), markedKeyOf(fenceKey), ...keys, ...keys.map(markerKeyOf), value, ttlMs, markerTtlMs);
  return reply === null ? null : { token: BigInt(reply[0]), staleHolderPossible: Number(reply[1]) === 1 };
}

/** Releases the keys still held by `value`; `settled` also clears the markers carrying `token`. Resolves to the number of keys freed. */
export function releaseKeys(client: RedisClient, keys: readonly string[], value: string, token: bigint, settled: boolean): Promise<number> {
  const run = command<number>(client, RELEASE, RELEASE_LUA);
  return run(2 * keys.length, ...keys, ...keys.map(markerKeyOf), value, token.toString(), settled ? '1' : '0');
}

/** Starts the tag's counter if missing and closes its unsettled window. */
export async function settleTag(client: RedisClient, fenceKey: string): Promise<void> {
  const run = command<number>(client, SETTLE_TAG, SETTLE_TAG_LUA);
  await run(3, fenceKey, unsettledKeyOf(fenceKey), markedKeyOf(fenceKey));
}
