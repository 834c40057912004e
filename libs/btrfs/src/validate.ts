// Argument checks shared by both backends, so a bad argument fails the same way whichever
// backend is loaded: wrong types are programming errors (TypeError/RangeError), not
// filesystem outcomes (BtrfsError).
import type { UsageOptions } from './types';

export function checkPath(name: string, value: unknown): asserts value is string {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string, got ${typeof value}`);
  if (value.includes('\0')) throw new TypeError(`${name} must not contain NUL bytes`);
  // Relative paths would silently depend on the worker's cwd.
  if (!value.startsWith('/')) throw new TypeError(`${name} must be an absolute path: ${value}`);
}

export function checkBoolean(name: string, value: unknown): asserts value is boolean {
  if (typeof value !== 'boolean') throw new TypeError(`${name} must be a boolean, got ${typeof value}`);
}

export function checkTransid(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number, got ${typeof value}`);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative safe integer, got ${value}`);
  }
}

/** An integer in [0, 1e9): the nanoseconds of a timestamp. */
export function checkNanoseconds(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number, got ${typeof value}`);
  if (!Number.isInteger(value) || value < 0 || value >= 1e9) {
    throw new RangeError(`${name} must be an integer in [0, 1e9), got ${value}`);
  }
}

/** Optional permission bits for a new subvolume root: an integer in [0, 0o7777]. */
export function checkMode(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number, got ${typeof value}`);
  if (!Number.isInteger(value) || value < 0 || value > 0o7777) {
    throw new RangeError(`${name} must be an integer in [0, 0o7777], got ${value}`);
  }
  return value;
}

function checkObject(name: string, value: unknown): asserts value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) {
    throw new TypeError(`${name} must be an object, got ${value === null ? 'null' : typeof value}`);
  }
}

/** Validates usage() options; returns them as read, so later mutation cannot bypass the check. */
export function checkUsageOptions(value: unknown): UsageOptions {
  checkObject('opts', value);
  const { since, sync } = value;
  checkBoolean('opts.sync', sync);
  if (since === undefined) return { sync };
  checkObject('opts.since', since);
  const { transid, otime } = since;
  checkTransid('opts.since.transid', transid);
  checkObject('opts.since.otime', otime);
  const { sec, nsec } = otime;
  checkTransid('opts.since.otime.sec', sec);
  checkNanoseconds('opts.since.otime.nsec', nsec);
  return { sync, since: { transid, otime: { sec, nsec } } };
}
