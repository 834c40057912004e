// isoTime: a DATETIME read as text gives the same ISO string as the Date it was written from.
import { describe, expect, it } from 'vitest';
import { isoTime } from './rows';

describe('isoTime', () => {
  it('matches Date.toISOString for DATETIME(6) text, with or without a fraction', () => {
    expect(isoTime('2026-11-28 23:17:09.208000')).toBe('2026-11-28T23:17:09.208Z');
    expect(isoTime('2026-01-02 03:04:05.000000')).toBe('2026-01-02T03:04:05.000Z');
    expect(isoTime('2026-01-02 03:04:05')).toBe('2026-01-02T03:04:05.000Z');
    expect(isoTime('2026-01-02 03:04:05.1')).toBe('2026-01-02T03:04:05.100Z');
  });

  it('passes Dates through toISOString', () => {
    const d = new Date(Date.UTC(2026, 10, 28, 23, 17, 9, 208));
    expect(isoTime(d)).toBe(d.toISOString());
  });
});
