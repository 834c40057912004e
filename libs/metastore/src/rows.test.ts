// Row decoding: a DATETIME read as text gives the same ISO string as the Date it was written
// from; labels decode to a fresh object.
import { describe, expect, it } from 'vitest';
import { isoTime, parseLabels } from './rows';

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

describe('parseLabels', () => {
  it('gives a fresh object for the empty set (callers may add to it) and parses the rest', () => {
    const a = parseLabels('{}');
    a.x = '1';
    expect(parseLabels('{}')).toEqual({});
    expect(parseLabels('{"a":"b"}')).toEqual({ a: 'b' });
    expect(parseLabels({ c: 'd' })).toEqual({ c: 'd' });
  });
});
