// Info/Kind/Timestamp/Mount translation between containerd's wire messages and contracts.
import { describe, expect, it } from 'vitest';
import { fromTimestamp, fromWireInfo, fromWireKind, optionalParent, requireKey, toTimestamp, toWireInfo, toWireMounts, WIRE_KIND } from './convert';

describe('kinds', () => {
  it('use containerd\'s enum values', () => {
    expect(WIRE_KIND).toEqual({ UNKNOWN: 0, VIEW: 1, ACTIVE: 2, COMMITTED: 3 });
  });
  it('read back like containerd\'s toKind: unknown values are committed', () => {
    expect(fromWireKind('ACTIVE')).toBe('active');
    expect(fromWireKind(2)).toBe('active');
    expect(fromWireKind('VIEW')).toBe('view');
    expect(fromWireKind(1)).toBe('view');
    expect(fromWireKind('COMMITTED')).toBe('committed');
    expect(fromWireKind('UNKNOWN')).toBe('committed');
    expect(fromWireKind(0)).toBe('committed');
  });
});

describe('timestamps', () => {
  it('keep nanoseconds both ways', () => {
    expect(toTimestamp('2024-03-01T12:34:56.123456789Z')).toEqual({ seconds: 1709296496, nanos: 123456789 });
    expect(toTimestamp('2024-03-01T12:34:56.5Z')).toEqual({ seconds: 1709296496, nanos: 500000000 });
    expect(toTimestamp('2024-03-01T12:34:56Z')).toEqual({ seconds: 1709296496, nanos: 0 });
    expect(toTimestamp('2024-03-01T14:34:56.001+02:00')).toEqual({ seconds: 1709296496, nanos: 1000000 });
    expect(fromTimestamp({ seconds: 1709296496, nanos: 123456789 })).toBe('2024-03-01T12:34:56.123456789Z');
    expect(fromTimestamp({ seconds: 1709296496, nanos: 500000000 })).toBe('2024-03-01T12:34:56.5Z');
    expect(fromTimestamp({ seconds: 1709296496, nanos: 0 })).toBe('2024-03-01T12:34:56Z');
    expect(fromTimestamp(null)).toBeUndefined();
  });
  it('refuse what is not RFC 3339', () => {
    expect(() => toTimestamp('yesterday')).toThrow(/not RFC 3339/);
  });
});

describe('infos', () => {
  const info = {
    name: 'default/3/extract-1 sha256:ab',
    parent: 'default/2/sha256:cd',
    kind: 'active' as const,
    labels: { 'containerd.io/snapshot/x': 'y' },
    created: '2024-03-01T12:34:56.123456Z',
    updated: '2024-03-01T12:34:57Z',
  };
  it('round-trip', () => {
    const wire = toWireInfo(info);
    expect(wire).toEqual({
      name: info.name,
      parent: info.parent,
      kind: 'ACTIVE',
      created_at: { seconds: 1709296496, nanos: 123456000 },
      updated_at: { seconds: 1709296497, nanos: 0 },
      labels: info.labels,
    });
    expect(fromWireInfo(wire)).toEqual(info);
  });
  it('send "" for no parent and read "" back as none', () => {
    const { parent: _parent, ...root } = info;
    expect(toWireInfo(root).parent).toBe('');
    expect(fromWireInfo(toWireInfo(root))).toEqual(root);
    expect(optionalParent('')).toBeUndefined();
    expect(optionalParent('p')).toBe('p');
  });
});

describe('mounts and keys', () => {
  it('fill target with "" as proto3 does', () => {
    expect(toWireMounts([{ type: 'btrfs', source: '/dev/loop3', options: ['subvolid=260', 'ro'] }])).toEqual([
      { type: 'btrfs', source: '/dev/loop3', target: '', options: ['subvolid=260', 'ro'] },
    ]);
  });
  it('refuse an empty key as invalid_argument', () => {
    expect(() => requireKey('', 'key')).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
    expect(requireKey(' a b ', 'key')).toBe(' a b ');
  });
});
