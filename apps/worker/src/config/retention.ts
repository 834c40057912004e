// How long the worker's bookkeeping is kept: op records, fence rows, and (in Redis) the
// markers of leases that ended unsettled, which share the fence rows' assumption.

/** A retried job finds its op record for this long (BullMQ's backoff stays far below it). */
export const OP_RECORD_TTL_MS = 24 * 3600_000;
/** No lease (TTL seconds, auto-extended) and no paused holder outlives this. */
export const FENCE_ROW_TTL_MS = 3600_000;
