// The one piece of Lua snapfleet adds to the library's: all-or-nothing acquisition that issues
// the fencing token in the same atomic step. Extension and release stay the library's scripts.
import type { Cluster, Redis } from 'ioredis';

export type RedisClient = Redis | Cluster;

/*
 * KEYS[1] = fence counter, KEYS[2..n] = lock keys (one hash tag, so one slot);
 * ARGV[1] = owner value, ARGV[2] = TTL in ms. Returns the token as a decimal string, or nil
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
 */
const ACQUIRE_LUA = `
for i = 2, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then return nil end
end
for i = 2, #KEYS do
  redis.call('SET', KEYS[i], ARGV[1], 'PX', ARGV[2])
end
local now = redis.call('TIME')
local floor = tonumber(now[1]) * 1000000 + tonumber(now[2])
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
if last == nil then return redis.error_reply('snapfleet fence counter ' .. KEYS[1] .. ' is not a number') end
local token = math.max(last + 1, floor)
if token >= 9007199254740992 then return redis.error_reply('snapfleet fence counter out of range') end
local text = string.format('%.0f', token)
redis.call('SET', KEYS[1], text)
return text
`;

// Versioned so a changed script never collides with an older definition on a shared client.
const COMMAND = 'snapfleetLockAcquireV1';

type AcquireCommand = (numKeys: number, ...args: (string | number)[]) => Promise<string | null>;

/** Tries once; resolves to the fencing token, or null when a resource is held. */
export function acquireOnce(client: RedisClient, fenceKey: string, keys: readonly string[], value: string, ttlMs: number): Promise<bigint | null> {
  // defineCommand gives EVALSHA with a transparent fallback to EVAL after a SCRIPT FLUSH.
  const commands = client as unknown as Record<string, AcquireCommand | undefined>;
  if (typeof commands[COMMAND] !== 'function') client.defineCommand(COMMAND, { lua: ACQUIRE_LUA });
  const run = commands[COMMAND] as AcquireCommand;
  return run.call(client, keys.length + 1, fenceKey, ...keys, value, ttlMs).then((text) => (text === null ? null : BigInt(text)));
}
