// Row decoding: a DATETIME read as text gives the same ISO string as the Date it was written
// from; labels decode to a fresh object.
import { describe, expect, it } from 'vitest';
import { infoJson, isoTime, parseLabels, toInfo, type WalkRow } from './rows';

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

describe('infoJson', () => {
  const row = (over: Partial<WalkRow>): WalkRow => ({
    id: 7,
    kind: 'active',
    skey: Buffer.from('k', 'utf8'),
    parent_key: null,
    labels: '{}',
    created_at: '2026-12-07 11:26:52.640000',
    updated_at: '2026-12-07 11:27:00.000001',
    ...over,
  });
  it.each([
    ['no labels, no parent', row({})],
    ['a parent', row({ parent_key: Buffer.from('sha256:abc', 'utf8'), kind: 'view' })],
    ['keys that need escaping', row({ skey: Buffer.from('a"b\\c\u0001\n/ü/😀', 'utf8'), parent_key: Buffer.from('p"\u2028', 'utf8') })],
    ['labels as stored by the store', row({ labels: JSON.stringify({ b: '1', 2: 'x', 'containerd.io/gc.ref': 'sha256:"q"' }), kind: 'committed' })],
    ['labels handed over as an object', row({ labels: { a: 'b' } as unknown as string })],
    ['labels that are not an object', row({ labels: 'null' })],
    ['Date timestamps', row({ created_at: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)), updated_at: new Date(0) })],
  ])('%s: the same text as JSON.stringify(toInfo(row))', (_name, r) => {
    expect(infoJson(r)).toBe(JSON.stringify(toInfo(r)));
    expect(JSON.parse(infoJson(r))).toEqual(toInfo(r));
  });
});
